//! The driver conformance suite (`imap-conformance`) against the mio
//! driver: each adapter method turns a one-connection [`Pool`] until the
//! connection has what the method waits for.

use std::time::{Duration, Instant};

use imap_conformance::Driver;
use imap_mio::imap_core::request::{self, Completion, MailboxInfo, Request};
use imap_mio::imap_core::types::{Fetch, FetchAttr, Response, SequenceSet};
use imap_mio::imap_core::ConnectionError;
use imap_mio::mio::Token;
use imap_mio::prelude::*;
use imap_mio::{ConnectOptions, Connection, Connector, Error, Pool, Result};

struct Mio;

struct Session {
    pool: Pool,
    token: Token,
}

impl Session {
    fn conn(&mut self) -> &mut Connection {
        self.pool.get_mut(self.token).expect("the session's connection")
    }

    /// Turns the loop until `done` gives a value; the connection's error
    /// if it ends first.
    fn wait<T>(&mut self, mut done: impl FnMut(&mut Connection) -> Option<T>) -> Result<T> {
        loop {
            if let Some(value) = done(self.conn()) {
                return Ok(value);
            }
            if self.conn().is_closed() {
                let lost = Error::Connection(ConnectionError::ClosedByClient);
                return Err(self.conn().take_error().unwrap_or(lost));
            }
            self.pool.poll(Some(Duration::from_secs(10)))?;
            while self.pool.poll_progress().is_some() {}
        }
    }
}

impl Driver for Mio {
    type Session = Session;

    fn connect(&self, options: ConnectOptions) -> Result<Session> {
        let connector = Connector::new(options)?;
        let mut pool = Pool::new()?;
        let token = pool.connect(&connector, connector.resolve()?[0])?;
        let mut session = Session { pool, token };
        session.wait(|c| c.is_connected().then_some(()))?;
        Ok(session)
    }

    fn run<T: Send + 'static>(&self, session: &mut Session, request: Request<T>) -> Result<T> {
        let handle = session.conn().run(request)?;
        session.wait(|c| c.take(&handle))?
    }

    /// Every request is submitted before the loop turns: pipelined.
    fn run_all(&self, session: &mut Session, requests: Vec<Request<Completion>>) -> Vec<Result<Completion>> {
        let handles: Vec<_> = requests.into_iter().map(|r| session.conn().run(r)).collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.and_then(|handle| session.wait(|c| c.take(&handle))?));
        }
        results
    }

    fn fetch_some(
        &self,
        session: &mut Session,
        set: SequenceSet,
        attrs: &[FetchAttr],
        n: usize,
    ) -> Result<Vec<Fetch>> {
        let handle = session.conn().run(request::fetch_stream(true, set, attrs))?;
        let mut out = Vec::new();
        let finished = session.wait(|c| {
            while out.len() < n {
                match c.take_fetched(&handle) {
                    Some(fetch) => out.push(fetch),
                    None => return c.take(&handle).map(Some),
                }
            }
            Some(None)
        })?;
        match finished {
            Some(result) => result.map(|_| out),
            None => {
                session.conn().abandon(handle.id());
                Ok(out)
            }
        }
    }

    fn idle_once(&self, session: &mut Session, timeout: Duration) -> Result<Vec<Response>> {
        let handle = session.conn().idle()?;
        let deadline = Instant::now() + timeout;
        let mut news = Vec::new();
        while news.is_empty() && Instant::now() < deadline && !session.conn().client().is_ready(handle.id()) {
            session.pool.poll(Some(deadline.saturating_duration_since(Instant::now())))?;
            news.extend(session.conn().take_unsolicited());
        }
        let _ = session.conn().idle_done();
        session.wait(|c| c.take(&handle))??;
        news.extend(session.conn().take_unsolicited());
        Ok(news)
    }

    fn mailbox(&self, session: &Session) -> Option<MailboxInfo> {
        session.pool.get(session.token)?.mailbox()
    }
}

imap_conformance::conformance_tests!(Mio);
