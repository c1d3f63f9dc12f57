//! What the session handles and the connection future share: the engine
//! and who waits for what. The lock is never held across an await.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use imap_core::request::{CommandId, Handle, Request};
use imap_core::types::Response;
use imap_core::{Client, Commands, Engine, UsageError};
use imap_net::{Backlog, Error, Result};

/// Unsolicited responses kept while nobody subscribed to them; beyond, the
/// oldest are dropped (with a warning). With a subscriber, a full queue
/// slows reading instead: nothing is dropped.
const UNSOLICITED_MAX: usize = 10_000;

#[derive(Debug)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) core: Client,
    /// Who waits for which request (its result, a streamed message, IDLE).
    pub(crate) waiters: HashMap<CommandId, Waker>,
    /// The connection future, to wake when there is something to send or
    /// room to read again.
    pub(crate) driver: Option<Waker>,
    /// Unsolicited data and warnings nobody took yet.
    pub(crate) backlog: Backlog,
    pub(crate) unsolicited_waiters: Vec<Waker>,
    /// Streams of unsolicited data alive (they get everything).
    subscribers: usize,
    /// Where the live protocol log goes, if anywhere.
    pub(crate) log: Option<imap_net::ProtocolLog>,
}

impl Shared {
    pub(crate) fn new(core: Client) -> Arc<Self> {
        Arc::new(Shared {
            inner: Mutex::new(Inner {
                core,
                waiters: HashMap::new(),
                driver: None,
                backlog: Backlog::new(UNSOLICITED_MAX),
                unsolicited_waiters: Vec::new(),
                subscribers: 0,
                log: None,
            }),
        })
    }

    /// The shared state (a panic elsewhere never poisons it for good: the
    /// engine's state stays consistent between calls).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    pub(crate) fn wake_driver(&mut self) {
        if let Some(w) = self.driver.take() {
            w.wake();
        }
    }

    pub(crate) fn wake(&mut self, id: CommandId) {
        if let Some(w) = self.waiters.remove(&id) {
            w.wake();
        }
    }

    pub(crate) fn wake_all(&mut self) {
        self.waiters.drain().for_each(|(_, w)| w.wake());
        self.unsolicited_waiters.drain(..).for_each(Waker::wake);
    }

    /// One more (or, with -1, one less) stream that takes everything.
    pub(crate) fn subscribe(&mut self, delta: isize) {
        self.subscribers = self.subscribers.saturating_add_signed(delta);
        self.backlog.set_keep_all(self.subscribers > 0);
        self.wake_driver();
    }

    /// Whether a subscriber's queue is full: events wait in the engine
    /// (whose backpressure then stops reading) until it catches up.
    pub(crate) fn unsolicited_full(&self) -> bool {
        self.subscribers > 0 && self.backlog.is_full()
    }

    /// The next unsolicited response, or registers the waker.
    pub(crate) fn poll_unsolicited(&mut self, cx: &mut Context<'_>) -> Option<Response> {
        let next = self.backlog.pop();
        match next {
            Some(_) => self.wake_driver(),
            None => self.unsolicited_waiters.push(cx.waker().clone()),
        }
        next
    }

    /// The result of `handle` if it is ready, else registers the waker.
    pub(crate) fn poll_result<T>(&mut self, handle: &Handle<T>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        match self.core.take(handle) {
            Some(result) => {
                self.waiters.remove(&handle.id());
                // What was taken may have held reading back.
                self.wake_driver();
                Poll::Ready(result.map_err(Error::from))
            }
            None => {
                self.waiters.insert(handle.id(), cx.waker().clone());
                Poll::Pending
            }
        }
    }

    /// Gives up on a request nobody waits for any more.
    pub(crate) fn abandon(&mut self, id: CommandId) {
        self.core.abandon(id);
        self.waiters.remove(&id);
        self.wake_driver();
    }
}

/// A cloneable, `Send` handle to one IMAP connection: any number of tasks
/// call its typed methods ([`Commands`], `use imap_smol::prelude::*`) at
/// once; each awaits its own result while the [`Connection`](crate::Connection)
/// future does the reading and writing. A request is submitted when the
/// method is called (so calls made one after another go out in that
/// order, pipelined as the engine's rules allow), not when it is awaited.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) shared: Arc<Shared>,
}

impl Session {
    /// Submits a request; the future gives its typed result.
    pub(crate) fn submit<T>(&self, request: Request<T>) -> Pending<T> {
        let mut inner = self.shared.lock();
        let submitted = inner.core.submit(request);
        inner.wake_driver();
        match submitted {
            Ok(handle) => Pending { shared: Some(self.shared.clone()), handle: Some(handle), error: None },
            Err(e) => Pending { shared: None, handle: None, error: Some(e.into()) },
        }
    }
}

impl Engine for Session {
    fn with_client<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.shared.lock().core)
    }

    fn with_client_mut<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R {
        let mut inner = self.shared.lock();
        let r = f(&mut inner.core);
        inner.wake_driver(); // a setting may start or end an automatic IDLE
        r
    }
}

/// Every call submits its request at once and returns its future.
impl Commands for Session {
    type Run<T> = Pending<T>;

    fn run<T>(&mut self, request: Request<T>) -> Pending<T> {
        self.submit(request)
    }
}

/// The typed result of one request. Dropping it before it is ready
/// abandons the request: it still completes on the wire (IMAP has no
/// cancel), its data is dropped as it arrives, and the session goes on as
/// if it had been awaited.
#[derive(Debug)]
#[must_use = "a request does nothing useful unless its result is awaited"]
pub struct Pending<T> {
    shared: Option<Arc<Shared>>,
    handle: Option<Handle<T>>,
    error: Option<Error>,
}

impl<T> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        if let Some(error) = this.error.take() {
            return Poll::Ready(Err(error));
        }
        let (Some(shared), Some(handle)) = (&this.shared, &this.handle) else {
            return Poll::Ready(Err(UsageError::NotApplicable("the result was already taken").into()));
        };
        let ready = shared.lock().poll_result(handle, cx);
        if ready.is_ready() {
            this.handle = None;
        }
        ready
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if let (Some(shared), Some(handle)) = (&self.shared, &self.handle) {
            shared.lock().abandon(handle.id());
        }
    }
}
