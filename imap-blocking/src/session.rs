//! The session and its driver loop: flush, deliver events, arm the timer,
//! read, feed the core. All protocol logic lives in `imap_core`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_core::request::{Completion, MailboxInfo, Request};
use imap_core::types::{Fetch, Response, Tag};
use imap_core::{Capabilities, CommandError, ConnectionError, Event, StateName, TraceLine};

use crate::error::{Error, Result};
use crate::transport::{ReadOutcome, Transport};

/// Read buffer size: large enough that a big FETCH takes few system calls.
const READ_BUF: usize = 64 * 1024;

/// How long a read may block when nothing else bounds it; also how often an
/// IDLE wait checks its interrupt flag.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// An IMAP session over a blocking transport.
///
/// Every method sends its command, waits for the completion and returns
/// the typed result. Data the server sends on its own (new messages,
/// expunges, flag changes, alerts) is applied to [`mailbox`](Self::mailbox)
/// and kept for [`take_unsolicited`](Self::take_unsolicited).
///
/// Dropping the session sends LOGOUT if it can, waiting at most two seconds.
pub struct Session {
    pub(crate) core: imap_core::Client,
    pub(crate) transport: Transport,
    pub(crate) tls: Option<(Arc<rustls::ClientConfig>, rustls::pki_types::ServerName<'static>)>,
    pub(crate) handshake_timeout: Duration,
    buf: Vec<u8>,
    pub(crate) results: HashMap<Tag, std::result::Result<Completion, CommandError>>,
    pub(crate) streamed: VecDeque<(Tag, Fetch)>,
    unsolicited: VecDeque<Response>,
    warnings: Vec<String>,
    lost: Option<ConnectionError>,
    pub(crate) use_uid: bool,
    pub(crate) idle_running: bool,
    interrupt: Arc<AtomicBool>,
    pub(crate) sasl_answer: Option<SaslAnswer>,
}

/// The application's answerer of SASL challenges.
pub(crate) type SaslAnswer = Box<dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send>;

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.core.state())
            .field("transport", &self.transport)
            .field("use_uid", &self.use_uid)
            .finish_non_exhaustive()
    }
}

/// Ends a [`Session::idle_wait`] from another thread.
///
/// ```no_run
/// # fn f(mut session: imap_blocking::Session) -> imap_blocking::Result<()> {
/// let stop = session.idle_interrupter();
/// std::thread::spawn(move || { std::thread::sleep(std::time::Duration::from_secs(5)); stop.interrupt(); });
/// let news = session.idle_wait(std::time::Duration::from_secs(600))?; // returns after ~5 s
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct IdleInterrupter(Arc<AtomicBool>);

impl IdleInterrupter {
    /// Ends the current (or next) IDLE wait.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Session {
    pub(crate) fn new(core: imap_core::Client, transport: Transport, handshake_timeout: Duration) -> Self {
        Self {
            core,
            transport,
            tls: None,
            handshake_timeout,
            buf: vec![0; READ_BUF],
            results: HashMap::new(),
            streamed: VecDeque::new(),
            unsolicited: VecDeque::new(),
            warnings: Vec::new(),
            lost: None,
            use_uid: true,
            idle_running: false,
            interrupt: Arc::new(AtomicBool::new(false)),
            sasl_answer: None,
        }
    }

    // ----------------------------------------------------------- information

    /// The session state.
    pub fn state(&self) -> StateName {
        self.core.state()
    }

    /// The server's capabilities as last announced (no round trip; see
    /// [`capabilities`](Self::capabilities) to ask).
    pub fn server_capabilities(&self) -> &Capabilities {
        self.core.capabilities()
    }

    /// Whether the server announces a capability (e.g. `"MOVE"`).
    pub fn has_capability(&self, name: &str) -> bool {
        self.core.capabilities().has_name(name)
    }

    /// The selected mailbox, kept current from untagged data.
    pub fn mailbox(&self) -> Option<&MailboxInfo> {
        self.core.mailbox()
    }

    /// Whether message ids are UIDs (the default) or sequence numbers.
    pub fn use_uid(&self) -> bool {
        self.use_uid
    }

    /// Chooses UIDs (true, the default) or sequence numbers for message ids
    /// in fetch, search, store, copy, move and expunge.
    pub fn set_use_uid(&mut self, use_uid: bool) {
        self.use_uid = use_uid;
    }

    /// Takes the data the server sent on its own, oldest first.
    pub fn take_unsolicited(&mut self) -> Vec<Response> {
        self.unsolicited.drain(..).collect()
    }

    /// Takes the reports of malformed or dropped responses (the session
    /// went on after each).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The last lines exchanged, credentials redacted: attach them to a
    /// bug report.
    pub fn trace(&self) -> Vec<TraceLine> {
        self.core.trace().cloned().collect()
    }

    /// The trace as text, one `C:`/`S:` line each.
    pub fn trace_text(&self) -> String {
        self.core.trace().map(|l| format!("{l}\n")).collect()
    }

    /// A handle that ends [`idle_wait`](Self::idle_wait) from another thread.
    pub fn idle_interrupter(&self) -> IdleInterrupter {
        IdleInterrupter(self.interrupt.clone())
    }

    /// Direct access to the protocol engine (for what this API lacks).
    pub fn core(&self) -> &imap_core::Client {
        &self.core
    }

    // ---------------------------------------------------------------- driver

    /// Sends a request and waits for its completion.
    pub(crate) fn execute(&mut self, request: impl Into<Request>) -> Result<Completion> {
        let tag = self.core.enqueue(request)?;
        self.wait(&tag)
    }

    /// Sends a request without waiting; [`wait`](Self::wait) for it later.
    pub(crate) fn send(&mut self, request: impl Into<Request>) -> Result<Tag> {
        let tag = self.core.enqueue(request)?;
        self.flush()?;
        Ok(tag)
    }

    /// Waits for the completion of `tag`.
    pub(crate) fn wait(&mut self, tag: &Tag) -> Result<Completion> {
        loop {
            if let Some(result) = self.results.remove(tag) {
                return result.map_err(Error::from);
            }
            self.step(None)?;
        }
    }

    /// Waits until `done` holds.
    pub(crate) fn wait_until(&mut self, mut done: impl FnMut(&Self) -> bool) -> Result<()> {
        while !done(self) {
            self.step(None)?;
        }
        Ok(())
    }

    /// One turn of the loop: flush, deliver events, read once (at most
    /// until the core's deadline, or `max_wait`), tick the clock.
    pub(crate) fn step(&mut self, max_wait: Option<Duration>) -> Result<()> {
        self.flush()?;
        self.absorb_events()?;
        if let Some(err) = &self.lost {
            return Err(Error::Connection(err.clone()));
        }
        let now = Instant::now();
        let mut wait = match self.core.poll_timeout() {
            Some(deadline) => deadline.saturating_duration_since(now),
            None => POLL_SLICE * 10,
        };
        if let Some(max) = max_wait {
            wait = wait.min(max);
        }
        if self.core.wants_read() && !wait.is_zero() {
            let outcome = self.transport.read(&mut self.buf, wait);
            match outcome {
                Ok(ReadOutcome::Data(n)) => self.core.handle_input(&self.buf[..n]),
                Ok(ReadOutcome::Eof) => self.core.handle_eof(),
                Ok(ReadOutcome::TimedOut) => {}
                Err(e) => {
                    self.core.close();
                    self.absorb_events()?;
                    return Err(Error::Io(e));
                }
            }
        }
        self.core.handle_timeout(Instant::now());
        self.flush()?;
        self.absorb_events()
    }

    /// Writes everything the core has for the transport.
    pub(crate) fn flush(&mut self) -> Result<()> {
        let mut wrote = false;
        while let Some(out) = self.core.poll_transmit() {
            match self.transport.write(out) {
                Ok(0) => {
                    self.core.close();
                    return Err(Error::Io(std::io::ErrorKind::WriteZero.into()));
                }
                Ok(n) => {
                    self.core.advance_transmit(n);
                    wrote = true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.core.close();
                    return Err(Error::Io(e));
                }
            }
        }
        if wrote {
            self.transport.flush()?;
        }
        Ok(())
    }

    /// Moves the core's events to where the API finds them.
    fn absorb_events(&mut self) -> Result<()> {
        while let Some(event) = self.core.poll_event() {
            match event {
                Event::Completed { tag, result } => {
                    self.results.insert(tag, result);
                }
                Event::Fetched { tag, fetch } => self.streamed.push_back((tag, fetch)),
                Event::Unsolicited(r) => self.unsolicited.push_back(r),
                Event::IdleStarted { .. } => self.idle_running = true,
                Event::SaslChallenge { data, .. } => {
                    let answer = self.sasl_answer.as_mut().and_then(|f| f(&data));
                    self.core.sasl_respond(answer.as_deref())?;
                    self.flush()?;
                }
                Event::Switch(imap_core::Switch::StartTls) => {
                    let Some((config, name)) = self.tls.clone() else {
                        self.core.close();
                        return Err(Error::Config("STARTTLS without TLS settings".into()));
                    };
                    if let Err(e) = self.transport.upgrade(config, name, self.handshake_timeout) {
                        self.core.close();
                        return Err(e);
                    }
                    self.core.handle_switched();
                    self.flush()?;
                }
                Event::ResponseError(e) => self.warnings.push(e.to_string()),
                Event::ProtocolError(e) => self.warnings.push(e.to_string()),
                Event::ConnectionLost(e) => self.lost = Some(e),
                Event::Greeting(_) | Event::LoggedOut => {}
                _ => {}
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ IDLE

    /// Runs IDLE until the server sends something, `timeout` passes, or an
    /// [`IdleInterrupter`] fires; then ends it with DONE and returns what
    /// arrived (empty on timeout). New messages, expunges and flag changes
    /// are also applied to [`mailbox`](Self::mailbox).
    pub fn idle_wait(&mut self, timeout: Duration) -> Result<Vec<Response>> {
        let deadline = Instant::now() + timeout;
        self.interrupt.store(false, Ordering::SeqCst);
        let before = self.unsolicited.len();
        let tag = self.core.idle()?;
        self.idle_running = false;
        // Wait for the server to accept (or refuse) IDLE.
        while !self.idle_running && !self.results.contains_key(&tag) {
            self.step(None)?;
        }
        while self.idle_running && !self.results.contains_key(&tag) {
            if self.unsolicited.len() > before
                || self.interrupt.swap(false, Ordering::SeqCst)
                || Instant::now() >= deadline
            {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            self.step(Some(left.min(POLL_SLICE)))?;
        }
        if !self.results.contains_key(&tag) {
            self.core.idle_done()?;
        }
        self.idle_running = false;
        self.wait(&tag)?;
        Ok(self.unsolicited.drain(before..).collect())
    }

    // ---------------------------------------------------------------- LOGOUT

    /// Sends LOGOUT and waits for the server to close.
    pub fn logout(mut self) -> Result<()> {
        self.logout_inner(None)
    }

    fn logout_inner(&mut self, limit: Option<Duration>) -> Result<()> {
        if self.core.is_closed() {
            return Ok(());
        }
        let deadline = limit.map(|l| Instant::now() + l);
        let tag = self.core.enqueue(imap_core::Command::Logout)?;
        loop {
            if let Some(r) = self.results.remove(&tag) {
                r?;
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            self.step(deadline.map(|d| d.saturating_duration_since(Instant::now())))?;
        }
        self.transport.shutdown();
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.core.is_closed() || self.lost.is_some() {
            return;
        }
        let limit = Duration::from_secs(2);
        let _ = self.transport.set_write_timeout(Some(limit));
        let _ = self.logout_inner(Some(limit));
    }
}
