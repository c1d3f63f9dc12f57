//! The driver conformance suite (`imap-conformance`) against the async
//! driver: each adapter method blocks on the driver's own futures, with the
//! connection future spawned on smol's executor.

use std::time::Duration;

use futures_lite::future;
use imap_conformance::Driver;
use imap_smol::imap_core::request::{Completion, MailboxInfo, Request};
use imap_smol::imap_core::types::{Fetch, FetchAttr, Response, SequenceSet};
use imap_smol::prelude::*;
use imap_smol::{ConnectOptions, Result, Session};

struct Smol;

impl Driver for Smol {
    type Session = Session;

    fn connect(&self, options: ConnectOptions) -> Result<Session> {
        let (session, connection) = smol::block_on(imap_smol::connect(options))?;
        smol::spawn(connection).detach();
        Ok(session)
    }

    fn run<T: Send + 'static>(&self, session: &mut Session, request: Request<T>) -> Result<T> {
        smol::block_on(session.run(request))
    }

    /// Every request is submitted before any is awaited: pipelined.
    fn run_all(&self, session: &mut Session, requests: Vec<Request<Completion>>) -> Vec<Result<Completion>> {
        let pending: Vec<_> = requests.into_iter().map(|r| session.run(r)).collect();
        smol::block_on(async {
            let mut results = Vec::new();
            for p in pending {
                results.push(p.await);
            }
            results
        })
    }

    fn fetch_some(
        &self,
        session: &mut Session,
        set: SequenceSet,
        attrs: &[FetchAttr],
        n: usize,
    ) -> Result<Vec<Fetch>> {
        session.set_use_uid(true);
        smol::block_on(async {
            // Dropping the stream abandons the rest.
            let mut stream = session.fetch_stream(set, attrs);
            let mut out = Vec::new();
            while out.len() < n {
                match stream.next().await {
                    Some(f) => out.push(f?),
                    None => break,
                }
            }
            Ok(out)
        })
    }

    fn idle_once(&self, session: &mut Session, timeout: Duration) -> Result<Vec<Response>> {
        smol::block_on(async {
            let mut idle = session.idle()?;
            let stop = idle.stopper();
            let first = future::or(async { idle.next().await.transpose() }, async {
                smol::Timer::after(timeout).await;
                Ok(None)
            })
            .await?;
            stop.stop();
            let mut news: Vec<Response> = first.into_iter().collect();
            while let Some(r) = idle.next().await {
                news.push(r?);
            }
            Ok(news)
        })
    }

    fn mailbox(&self, session: &Session) -> Option<MailboxInfo> {
        session.mailbox()
    }
}

imap_conformance::conformance_tests!(Smol);
