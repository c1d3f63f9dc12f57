//! What arrives over time: a streaming FETCH, unsolicited data, IDLE; and
//! the session's own methods beside [`Commands`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_lite::Stream;
use imap_core::request::{self, Handle};
use imap_core::types::{Fetch, FetchAttr, Response, SequenceSet};
use imap_core::Commands;
use imap_net::{Error, ProtocolLog, Result, Warning};

use crate::shared::{Session, Shared};

impl Session {
    /// FETCH, streamed: each message as it arrives, memory bounded by one
    /// message. Dropping the stream early abandons the rest.
    pub fn fetch_stream(&self, ids: impl Into<SequenceSet>, attrs: &[FetchAttr]) -> FetchStream {
        let mut inner = self.shared.lock();
        let uid = inner.core.use_uid();
        let handle = inner.core.submit(request::fetch_stream(uid, ids, attrs));
        inner.wake_driver();
        match handle {
            Ok(handle) => FetchStream { shared: self.shared.clone(), handle: Some(handle), error: None },
            Err(e) => FetchStream { shared: self.shared.clone(), handle: None, error: Some(e.into()) },
        }
    }

    /// The data the server sends on its own (new messages, expunges, flag
    /// changes, alerts), as a stream that drops nothing: while one exists,
    /// a slow consumer slows reading. Without one, the session keeps the
    /// last 10,000 (older ones are dropped with a [`Warning`]).
    pub fn unsolicited(&self) -> Unsolicited {
        self.shared.lock().subscribe(1);
        Unsolicited { shared: self.shared.clone() }
    }

    /// Starts IDLE: its notifications are a stream; [`Idle::stopper`]
    /// ends it from any task. Dropping the stream ends it too.
    pub fn idle(&self) -> Result<Idle> {
        let mut inner = self.shared.lock();
        let handle = inner.core.idle()?;
        inner.subscribe(1);
        Ok(Idle { shared: self.shared.clone(), handle: Some(handle) })
    }

    /// Takes the reports of malformed or dropped responses.
    pub fn take_warnings(&self) -> Vec<Warning> {
        self.shared.lock().backlog.take_warnings()
    }

    /// Writes every line sent and received to `writer` as it passes
    /// (imaplib's `debug`), redacted: no password, no SASL data, message
    /// bodies as their size. The connection task writes (synchronously:
    /// give it a file, stderr or a buffer). Lines from before the call are
    /// written too if connected with
    /// [`ConnectOptions::protocol_log`](imap_net::ConnectOptions::protocol_log).
    pub fn log_protocol_to(&self, writer: impl std::io::Write + Send + 'static) {
        let mut inner = self.shared.lock();
        inner.core.set_protocol_log(true);
        let mut log = ProtocolLog::new(Box::new(writer) as Box<dyn std::io::Write + Send>);
        log.drain(&mut inner.core);
        inner.log = Some(log);
    }

    /// Sends LOGOUT; the connection future then ends with `Ok`.
    pub async fn logout(mut self) -> Result<()> {
        self.run(request::logout()).await
    }
}

/// Messages of a streaming FETCH ([`Session::fetch_stream`]).
#[derive(Debug)]
pub struct FetchStream {
    shared: Arc<Shared>,
    handle: Option<Handle<u32>>,
    error: Option<Error>,
}

impl Stream for FetchStream {
    type Item = Result<Fetch>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Fetch>>> {
        let this = self.get_mut();
        if let Some(e) = this.error.take() {
            return Poll::Ready(Some(Err(e)));
        }
        let Some(handle) = &this.handle else { return Poll::Ready(None) };
        let mut inner = this.shared.lock();
        if let Some(fetch) = inner.core.take_fetched(handle) {
            inner.wake_driver();
            return Poll::Ready(Some(Ok(fetch)));
        }
        let done = inner.poll_result(handle, cx);
        drop(inner);
        match done {
            Poll::Ready(result) => {
                this.handle = None;
                Poll::Ready(result.err().map(Err))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for FetchStream {
    fn drop(&mut self) {
        if let Some(handle) = &self.handle {
            self.shared.lock().abandon(handle.id());
        }
    }
}

/// Unsolicited data as it arrives ([`Session::unsolicited`]); ends with
/// the session.
#[derive(Debug)]
pub struct Unsolicited {
    shared: Arc<Shared>,
}

impl Stream for Unsolicited {
    type Item = Response;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Response>> {
        let mut inner = self.shared.lock();
        match inner.poll_unsolicited(cx) {
            Some(r) => Poll::Ready(Some(r)),
            None if inner.core.is_closed() => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}

impl Drop for Unsolicited {
    fn drop(&mut self) {
        self.shared.lock().subscribe(-1);
    }
}

/// A running IDLE ([`Session::idle`]): the server's notifications (not its
/// keepalives), until it ends (the stream then ends; with an error if the
/// server refused).
#[derive(Debug)]
pub struct Idle {
    shared: Arc<Shared>,
    handle: Option<Handle<()>>,
}

impl Idle {
    /// A handle that ends this IDLE from any task.
    pub fn stopper(&self) -> IdleStop {
        IdleStop { shared: self.shared.clone() }
    }
}

impl Stream for Idle {
    type Item = Result<Response>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Response>>> {
        let this = self.get_mut();
        let mut inner = this.shared.lock();
        // Keepalives (`* OK Still here`) are not news.
        while let Some(r) = inner.poll_unsolicited(cx) {
            if !r.is_keepalive() {
                return Poll::Ready(Some(Ok(r)));
            }
        }
        let Some(handle) = &this.handle else { return Poll::Ready(None) };
        match inner.poll_result(handle, cx) {
            Poll::Ready(result) => {
                this.handle = None;
                Poll::Ready(result.err().map(Err))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Idle {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.subscribe(-1);
        match &self.handle {
            Some(handle) => inner.abandon(handle.id()),
            None => inner.wake_driver(),
        }
    }
}

/// Ends an [`Idle`] from another task.
#[derive(Debug, Clone)]
pub struct IdleStop {
    shared: Arc<Shared>,
}

impl IdleStop {
    /// Sends DONE (once the server accepted IDLE); the [`Idle`] stream then
    /// ends. Does nothing if no IDLE of the application's runs.
    pub fn stop(&self) {
        let mut inner = self.shared.lock();
        let _ = inner.core.idle_done();
        inner.wake_driver();
    }
}
