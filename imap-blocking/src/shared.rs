//! One connection, many threads (imaplib2's main point): a cloneable
//! `Send + Sync` handle. The engine sits under a lock; a connection thread
//! reads and feeds it; any thread submits, writes its command and waits
//! for its own result, so the core's pipelining rules decide what goes out
//! together.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use imap_core::request::{Handle, Request};
use imap_core::types::Response;
use imap_core::{Client, Commands, Engine, Event, UsageError};
use imap_net::{Backlog, Error, ProtocolLog, Result, Warning};

use crate::session::Session;
use crate::transport::{ReadHalf, ReadOutcome, WriteHalf};

/// The longest the connection thread sleeps in a read: how late a deadline
/// the engine moved meanwhile (a new command's response timeout, automatic
/// IDLE) may be noticed.
const MAX_READ_WAIT: Duration = Duration::from_millis(200);

/// How long the last handle's drop waits for LOGOUT.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// A session shared by threads: clone it freely, call the typed methods of
/// [`Commands`] from any thread at once. Each call sends its command at once
/// (as far as the pipelining rules allow) and blocks for its own result; a
/// connection thread reads for everyone. Made by [`Session::into_shared`].
///
/// ```no_run
/// use imap_blocking::prelude::*;
/// use imap_blocking::{ConnectOptions, FetchAttr};
/// let mut imap = ConnectOptions::new("imap.example.org").connect()?;
/// imap.login("alice", "secret")?;
/// imap.select("INBOX")?;
/// let imap = imap.into_shared()?;
/// let workers: Vec<_> = (1..=4u32)
///     .map(|uid| {
///         let mut imap = imap.clone();
///         std::thread::spawn(move || imap.fetch(uid, &[FetchAttr::Envelope]))
///     })
///     .collect();
/// for w in workers {
///     println!("{:?}", w.join().unwrap()?);
/// }
/// // imaplib2's callback form: returns at once, the callback runs on the
/// // connection thread with the result.
/// imap.submit_with(imap_blocking::imap_core::request::noop(), |result| println!("NOOP: {result:?}"))?;
/// # Ok::<(), imap_blocking::Error>(())
/// ```
///
/// The last handle dropped sends LOGOUT (waiting at most two seconds) and
/// ends the connection thread.
#[derive(Debug, Clone)]
pub struct SharedSession {
    inner: Arc<Inner>,
    /// Dropped with the last handle: then LOGOUT.
    _last: Arc<LastHandle>,
}

struct Inner {
    state: Mutex<State>,
    /// Notified whenever the engine may have something new for a waiter.
    changed: Condvar,
    /// The connection thread: a blocking call from it (a callback) would
    /// wait for itself.
    reader: OnceLock<ThreadId>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner").finish_non_exhaustive()
    }
}

/// A submitted callback: takes its result when ready and returns the call
/// to make once the lock is released.
type Pending = Box<dyn FnMut(&mut Client) -> Option<Box<dyn FnOnce() + Send>> + Send>;

struct State {
    core: Client,
    out: WriteHalf,
    backlog: Backlog,
    callbacks: Vec<Pending>,
    log: Option<ProtocolLog>,
}

#[derive(Debug)]
struct LastHandle(Arc<Inner>);

impl Session {
    /// Turns this session into a [`SharedSession`] for many threads; a
    /// connection thread now reads. Not while [`idle`](Session::idle) runs.
    pub fn into_shared(mut self) -> Result<SharedSession> {
        if self.is_idle_running() {
            return Err(UsageError::NotApplicable("end IDLE first (idle_done)").into());
        }
        let (core, transport, backlog, log) = self.detach();
        let (read, out, buffered) = transport.split()?;
        let mut state = State { core, out, backlog, callbacks: Vec::new(), log };
        state.core.handle_input(&buffered);
        let inner =
            Arc::new(Inner { state: Mutex::new(state), changed: Condvar::new(), reader: OnceLock::new() });
        let thread_inner = inner.clone();
        let thread = std::thread::Builder::new()
            .name("imap-connection".into())
            .spawn(move || connection_thread(&thread_inner, read))?;
        let _ = inner.reader.set(thread.thread().id());
        Ok(SharedSession { _last: Arc::new(LastHandle(inner.clone())), inner })
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a callback poisons nothing we rely on: the state is
        // only changed through the engine's own methods.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    /// Writes what the engine has to send, and delivers its events: results
    /// stay in the engine until taken, unsolicited data goes to the backlog.
    fn pump(&mut self) -> Result<()> {
        while let Some(out) = self.core.poll_transmit() {
            if let Err(e) = self.out.write_all(&out) {
                self.core.handle_io_error(e.kind());
                return Err(Error::Io(e));
            }
            self.core.advance_transmit(out.len());
        }
        self.core.handle_timeout(Instant::now());
        if let Some(log) = &mut self.log {
            log.drain(&mut self.core);
        }
        while let Some(event) = self.core.poll_event() {
            match self.backlog.absorb(event) {
                Some(Event::SaslChallenge { .. }) => self.core.sasl_respond(None)?,
                Some(Event::Switch(imap_core::Switch::StartTls)) => {
                    // The TLS handshake needs the reading side: only before
                    // sharing (`Session::starttls`).
                    self.core.disconnect();
                    return Err(Error::Unsupported(
                        "STARTTLS on a shared session; upgrade before into_shared",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The callbacks whose results are ready, removed.
    fn ready_callbacks(&mut self) -> Vec<Box<dyn FnOnce() + Send>> {
        let mut ready = Vec::new();
        let core = &mut self.core;
        self.callbacks.retain_mut(|pending| match pending(core) {
            Some(call) => {
                ready.push(call);
                false
            }
            None => true,
        });
        ready
    }
}

/// Reads for everyone until the connection ends: bytes into the engine,
/// events out, waiters woken, callbacks called (outside the lock).
fn connection_thread(inner: &Inner, mut read: ReadHalf) {
    let mut raw = Vec::new();
    let mut plain = Vec::new();
    loop {
        let wait = {
            let mut st = inner.lock();
            let _ = st.pump();
            let ready = st.ready_callbacks();
            let closed = st.core.is_closed();
            let deadline = st.core.poll_timeout();
            drop(st);
            inner.changed.notify_all();
            ready.into_iter().for_each(|call| call());
            if closed {
                return;
            }
            deadline.map_or(MAX_READ_WAIT, |d| d.saturating_duration_since(Instant::now()).min(MAX_READ_WAIT))
        };
        let outcome = read.read(&mut raw, wait.max(Duration::from_millis(1)));
        let mut st = inner.lock();
        match outcome {
            Ok(ReadOutcome::Data(_)) if st.out.is_tls() => {
                plain.clear();
                match st.out.decrypt(&raw, &mut plain) {
                    Ok(closed) => {
                        st.core.handle_input(&plain);
                        if closed {
                            st.core.handle_eof();
                        }
                    }
                    Err(e) => st.core.handle_io_error(e.kind()),
                }
            }
            Ok(ReadOutcome::Data(n)) => st.core.handle_input(&raw[..n]),
            Ok(ReadOutcome::Eof) => st.core.handle_eof(),
            Ok(ReadOutcome::TimedOut) => {}
            Err(e) => st.core.handle_io_error(e.kind()),
        }
    }
}

impl SharedSession {
    /// Submits a request and waits for its typed result, from any thread.
    pub fn call<T>(&self, request: Request<T>) -> Result<T> {
        self.call_timeout(request, None)
    }

    /// As [`call`](Self::call), giving up after `timeout`: the command
    /// still completes on the wire, its result is dropped, and later
    /// commands get their right results. The error is
    /// [`Error::GaveUp`].
    pub fn call_timeout<T>(&self, request: Request<T>, timeout: Option<Duration>) -> Result<T> {
        if self.inner.reader.get() == Some(&std::thread::current().id()) {
            return Err(Error::Unsupported(
                "a blocking call from a callback would wait for itself; use submit_with",
            ));
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut st = self.inner.lock();
        let handle: Handle<T> = st.core.submit(request)?;
        st.pump()?;
        loop {
            if let Some(result) = st.core.take(&handle) {
                return Ok(result?);
            }
            match deadline {
                None => st = self.inner.changed.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        st.core.abandon(handle.id());
                        return Err(Error::GaveUp(timeout.unwrap_or_default()));
                    }
                    st = self.inner.changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
                }
            }
        }
    }

    /// Submits a request and returns at once; `callback` gets the result
    /// on the connection thread (imaplib2's callback form). A callback must
    /// not block on this session (use `submit_with` again from it).
    pub fn submit_with<T: Send + 'static>(
        &self,
        request: Request<T>,
        callback: impl FnOnce(Result<T>) + Send + 'static,
    ) -> Result<()> {
        let mut st = self.inner.lock();
        let handle = st.core.submit(request)?;
        let mut callback = Some(callback);
        st.callbacks.push(Box::new(move |core: &mut Client| {
            let result = core.take(&handle)?;
            let callback = callback.take()?;
            Some(Box::new(move || callback(result.map_err(Error::from))) as Box<dyn FnOnce() + Send>)
        }));
        st.pump()
    }

    /// Takes the data the server sent on its own, oldest first.
    pub fn take_unsolicited(&self) -> Vec<Response> {
        self.inner.lock().backlog.drain_from(0)
    }

    /// Takes the reports of malformed or dropped responses.
    pub fn take_warnings(&self) -> Vec<Warning> {
        self.inner.lock().backlog.take_warnings()
    }

    /// Writes every line sent and received to `writer` as it passes,
    /// redacted (see [`Session::log_protocol_to`]).
    pub fn log_protocol_to(&self, writer: impl std::io::Write + Send + 'static) {
        let mut st = self.inner.lock();
        st.core.set_protocol_log(true);
        let mut log = ProtocolLog::new(Box::new(writer) as Box<dyn std::io::Write + Send>);
        log.drain(&mut st.core);
        st.log = Some(log);
    }

    /// Sends LOGOUT and waits for it; the connection thread then ends.
    pub fn logout(&self) -> Result<()> {
        self.call(imap_core::request::logout())?;
        self.inner.lock().out.shutdown();
        Ok(())
    }

    /// Closes the connection without LOGOUT.
    pub fn shutdown(&self) {
        let mut st = self.inner.lock();
        st.core.disconnect();
        st.out.shutdown();
    }
}

impl Drop for LastHandle {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        if st.core.is_closed() {
            st.out.shutdown();
            return;
        }
        let done = st.core.submit(imap_core::request::logout()).ok();
        let _ = st.pump();
        let deadline = Instant::now() + LOGOUT_WAIT;
        if let Some(handle) = done {
            while st.core.take(&handle).is_none() && !st.core.is_closed() {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                st = self.0.changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
            }
        }
        st.core.disconnect();
        st.out.shutdown();
    }
}

impl Engine for SharedSession {
    fn with_client<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.inner.lock().core)
    }

    fn with_client_mut<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R {
        let mut st = self.inner.lock();
        let r = f(&mut st.core);
        let _ = st.pump();
        r
    }
}

/// Every call sends its command and blocks the calling thread for its
/// result; other threads' calls go out meanwhile.
impl Commands for SharedSession {
    type Run<T> = Result<T>;

    fn run<T>(&mut self, request: Request<T>) -> Result<T> {
        self.call(request)
    }
}
