//! The typed API: [`Commands`] (written once in `imap_core`) on a blocking
//! session, plus what only a blocking session does: streaming FETCH as an
//! iterator, sending several commands at once.

use imap_core::request::{self, Handle, Request};
use imap_core::types::{Fetch, FetchAttr, SequenceSet};
use imap_core::{Client, Commands, Engine};

use crate::session::Session;
use imap_net::{Error, Result};

impl Engine for Session {
    fn with_client<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.core)
    }

    fn with_client_mut<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R {
        f(&mut self.core)
    }
}

/// Every call sends its command, waits for the result and returns it typed.
impl Commands for Session {
    type Run<T> = Result<T>;

    fn run<T>(&mut self, request: Request<T>) -> Result<T> {
        self.execute(request)
    }
}

impl Session {
    /// AUTHENTICATE SCRAM-SHA-256 (or SCRAM-SHA-1 with `sha1`) with a fresh
    /// random nonce; the server's signature is verified.
    pub fn authenticate_scram(&mut self, user: &str, password: &str, sha1: bool) -> Result<()> {
        self.authenticate(imap_net::scram(user, password, sha1)?)
    }

    /// FETCH, streamed: yields each message as it arrives, so memory stays
    /// bounded by one message however many there are. Dropping the iterator
    /// early abandons the rest: the answer is read and discarded.
    pub fn fetch_stream(
        &mut self,
        ids: impl Into<SequenceSet>,
        attrs: &[FetchAttr],
    ) -> Result<FetchStream<'_>> {
        let uid = self.use_uid();
        let handle = self.core.submit(request::fetch_stream(uid, ids, attrs))?;
        self.flush()?;
        Ok(FetchStream { session: self, handle, done: false })
    }

    /// Sends several requests at once (as far as the pipelining rules
    /// allow) and waits for all; one result per request, in order. Mixed
    /// kinds: [`erase`](imap_core::request::Request::erase) them to
    /// [`Completion`](imap_core::request::Completion)s, or use [`request::command`].
    ///
    /// ```no_run
    /// # fn f(s: &mut imap_blocking::Session) -> imap_blocking::Result<()> {
    /// use imap_blocking::imap_core::request;
    /// use imap_blocking::FetchAttr;
    /// let results = s.pipeline(vec![
    ///     request::fetch(true, 1..=100, &[FetchAttr::Flags]),
    ///     request::fetch(true, 101..=200, &[FetchAttr::Flags]),
    /// ])?;
    /// # Ok(()) }
    /// ```
    pub fn pipeline<T>(&mut self, requests: Vec<Request<T>>) -> Result<Vec<Result<T>>> {
        let handles: Vec<Result<Handle<T>>> =
            requests.into_iter().map(|r| self.core.submit(r).map_err(Error::from)).collect();
        self.flush()?;
        let mut out = Vec::with_capacity(handles.len());
        for handle in handles {
            out.push(match handle {
                Ok(handle) => match self.wait(&handle) {
                    Err(e) if e.is_fatal() => return Err(e),
                    r => r,
                },
                Err(e) => Err(e),
            });
        }
        Ok(out)
    }
}

/// Messages of a streaming FETCH, as they arrive.
pub struct FetchStream<'a> {
    session: &'a mut Session,
    handle: Handle<u32>,
    done: bool,
}

impl std::fmt::Debug for FetchStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchStream").field("handle", &self.handle).field("done", &self.done).finish()
    }
}

impl Iterator for FetchStream<'_> {
    type Item = Result<Fetch>;

    fn next(&mut self) -> Option<Result<Fetch>> {
        while !self.done {
            if let Some(fetch) = self.session.core.take_fetched(&self.handle) {
                return Some(Ok(fetch));
            }
            if let Some(result) = self.session.core.take(&self.handle) {
                self.done = true;
                return result.err().map(|e| Err(e.into()));
            }
            if let Err(e) = self.session.step(None) {
                self.done = true;
                return Some(Err(e));
            }
        }
        None
    }
}

impl Drop for FetchStream<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.session.core.abandon(self.handle.id());
        }
    }
}
