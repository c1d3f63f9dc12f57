//! The driver conformance suite (`imap-conformance`): every scenario played
//! against the blocking driver by a scripted server on a loopback socket.
//! No Dovecot needed.

use std::time::Duration;

use imap_blocking::imap_core::request::{Completion, MailboxInfo, Request};
use imap_blocking::imap_core::types::{Fetch, FetchAttr, Response, SequenceSet};
use imap_blocking::imap_core::ConnectionError;
use imap_blocking::prelude::*;
use imap_blocking::{ConnectOptions, Error, Result, Session};
use imap_conformance::Driver;

/// The blocking driver as the suite drives it: each method is the
/// driver's own public API.
struct Blocking;

impl Driver for Blocking {
    type Session = Session;

    fn connect(&self, options: ConnectOptions) -> Result<Session> {
        options.connect()
    }

    fn run<T: Send + 'static>(&self, session: &mut Session, request: Request<T>) -> Result<T> {
        session.run(request)
    }

    /// `Session::pipeline` submits every request before it waits.
    fn run_all(&self, session: &mut Session, requests: Vec<Request<Completion>>) -> Vec<Result<Completion>> {
        let n = requests.len();
        match session.pipeline(requests) {
            Ok(results) => results,
            // The session ended: the first result says how, the others
            // carry the end of the connection.
            Err(e) => {
                let lost =
                    session.core().connection_error().cloned().unwrap_or(ConnectionError::ClosedByClient);
                let mut results = vec![Err(e)];
                results.resize_with(n, || Err(Error::Connection(lost.clone())));
                results
            }
        }
    }

    fn fetch_some(
        &self,
        session: &mut Session,
        set: SequenceSet,
        attrs: &[FetchAttr],
        n: usize,
    ) -> Result<Vec<Fetch>> {
        // Dropping the stream abandons the rest.
        session.fetch_stream(set, attrs)?.take(n).collect()
    }

    fn idle_once(&self, session: &mut Session, timeout: Duration) -> Result<Vec<Response>> {
        match session.idle_wait(timeout)? {
            imap_blocking::IdleCheck::News(news) => Ok(news),
            _ => Ok(Vec::new()),
        }
    }

    fn mailbox(&self, session: &Session) -> Option<MailboxInfo> {
        session.mailbox()
    }
}

imap_conformance::conformance_tests!(Blocking);
