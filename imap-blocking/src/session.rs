//! The session and its driver loop: flush, deliver events, read into the
//! core's buffer, tick the clock. Every protocol decision and every typed
//! result comes from `imap_core`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_core::request::{self, Handle, Request};
use imap_core::types::Response;
use imap_core::{Event, UsageError};
use imap_net::{Backlog, ProtocolLog, TlsConfig, TlsOptions, Warning};

use crate::transport::{ChannelStream, ReadOutcome, Transport};
use imap_net::{Error, Result};

/// Unsolicited responses kept until taken; older ones are dropped beyond.
const UNSOLICITED_MAX: usize = 10_000;

/// How long a read may block when nothing else bounds it; also how often an
/// IDLE wait checks its interrupt flag.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// An IMAP session over a blocking transport.
///
/// The typed methods come from [`Commands`](imap_core::Commands) (import
/// them with `use imap_blocking::prelude::*`): each sends its command,
/// waits for its result and returns it typed; [`Engine`](imap_core::Engine)
/// tells the state, capabilities and selected mailbox without a round trip.
/// Data the server sends on its own (new messages, expunges, flag changes,
/// alerts) is applied to the mailbox state and kept for
/// [`take_unsolicited`](Self::take_unsolicited).
///
/// Dropping the session sends LOGOUT if it can, waiting at most two seconds.
#[derive(Debug)]
pub struct Session {
    pub(crate) core: imap_core::Client,
    pub(crate) transport: Transport,
    /// How STARTTLS upgrades: the server's name and the TLS settings.
    pub(crate) tls: Option<(String, TlsOptions)>,
    pub(crate) handshake_timeout: Duration,
    backlog: Backlog,
    interrupt: Arc<AtomicBool>,
    /// The running IDLE of `idle()`, and where its news starts in the backlog.
    idling: Option<(Handle<()>, usize)>,
    /// Where the live protocol log goes, if anywhere.
    pub(crate) log: Option<ProtocolLog>,
}

/// What an IDLE wait ended with (all three cases, for good).
#[derive(Debug, Clone, PartialEq)]
pub enum IdleCheck {
    /// The server sent news (new messages, expunges, flag changes,
    /// alerts), oldest first. Keepalives are left out.
    News(Vec<Response>),
    /// The time given passed without news.
    TimedOut,
    /// An [`IdleInterrupter`] fired (before or during the wait).
    Interrupted,
}

/// Ends an IDLE wait ([`Session::idle_check`], [`Session::idle_wait`])
/// from another thread. An interrupt is never lost: fired while no wait
/// runs, it ends the next one.
///
/// ```no_run
/// # fn f(mut session: imap_blocking::Session) -> imap_blocking::Result<()> {
/// let stop = session.idle_interrupter();
/// std::thread::spawn(move || { std::thread::sleep(std::time::Duration::from_secs(5)); stop.interrupt(); });
/// let check = session.idle_wait(std::time::Duration::from_secs(600))?; // returns after ~5 s
/// assert_eq!(check, imap_blocking::IdleCheck::Interrupted);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct IdleInterrupter(Arc<AtomicBool>);

impl IdleInterrupter {
    /// Ends the current IDLE wait, or the next one if none runs.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Session {
    pub(crate) fn new(
        mut core: imap_core::Client,
        transport: Transport,
        handshake_timeout: Duration,
    ) -> Self {
        core.handle_timeout(Instant::now());
        Self {
            core,
            transport,
            tls: None,
            handshake_timeout,
            backlog: Backlog::new(UNSOLICITED_MAX),
            interrupt: Arc::new(AtomicBool::new(false)),
            idling: None,
            log: None,
        }
    }

    // ----------------------------------------------------------- information
    // (state, capabilities, mailbox, use_uid, trace: see `Engine`)

    /// Takes the data the server sent on its own, oldest first (the last
    /// 10,000 are kept; older ones are dropped with a [`Warning`]).
    pub fn take_unsolicited(&mut self) -> Vec<Response> {
        self.backlog.drain_from(0)
    }

    /// Takes the reports of malformed or dropped responses (the session
    /// went on after each).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        self.backlog.take_warnings()
    }

    /// Writes every line sent and received to `writer` as it passes
    /// (imaplib's `debug`, imaplib2's `debug_file`), redacted: no password,
    /// no SASL data, message bodies as their size. Lines from before the
    /// call are written too if the session was connected with
    /// [`ConnectOptions::protocol_log`](imap_net::ConnectOptions::protocol_log).
    ///
    /// ```no_run
    /// # fn f(mut imap: imap_blocking::Session) {
    /// imap.log_protocol_to(std::io::stderr()); // C: A3 SELECT INBOX / S: * 3 EXISTS / ...
    /// # }
    /// ```
    pub fn log_protocol_to(&mut self, writer: impl std::io::Write + Send + 'static) {
        self.core.set_protocol_log(true);
        let mut log = ProtocolLog::new(Box::new(writer) as Box<dyn std::io::Write + Send>);
        log.drain(&mut self.core);
        self.log = Some(log);
    }

    /// Stops the live protocol log.
    pub fn stop_protocol_log(&mut self) {
        self.core.set_protocol_log(false);
        self.log = None;
    }

    /// A handle that ends [`idle_wait`](Self::idle_wait) from another thread.
    pub fn idle_interrupter(&self) -> IdleInterrupter {
        IdleInterrupter(self.interrupt.clone())
    }

    /// The process id of the child process this session talks to
    /// ([`spawn`](Self::spawn)).
    pub fn child_id(&self) -> Option<u32> {
        self.transport.child_id()
    }

    /// Whether an IDLE of [`idle`](Self::idle) runs.
    pub(crate) fn is_idle_running(&self) -> bool {
        self.idling.is_some()
    }

    /// Takes the engine, the transport and the backlog out (for
    /// `into_shared`); what is left is closed, so dropping it does nothing.
    pub(crate) fn detach(&mut self) -> (imap_core::Client, Transport, Backlog, Option<ProtocolLog>) {
        let mut closed = imap_core::Client::new(imap_core::ClientConfig::default());
        closed.disconnect();
        let core = std::mem::replace(&mut self.core, closed);
        let transport = std::mem::replace(&mut self.transport, Transport::Channel(ChannelStream::closed()));
        let backlog = std::mem::replace(&mut self.backlog, Backlog::new(1));
        (core, transport, backlog, self.log.take())
    }

    /// The protocol engine (for what this API lacks).
    pub fn core(&self) -> &imap_core::Client {
        &self.core
    }

    // ---------------------------------------------------------------- driver

    /// Submits a request and waits for its typed result.
    pub(crate) fn execute<T>(&mut self, request: Request<T>) -> Result<T> {
        let handle = self.core.submit(request)?;
        self.wait(&handle)
    }

    /// Waits for the result of a submitted request.
    pub(crate) fn wait<T>(&mut self, handle: &Handle<T>) -> Result<T> {
        loop {
            if let Some(result) = self.core.take(handle) {
                return Ok(result?);
            }
            self.step(None)?;
        }
    }

    /// Turns the loop until `done` gives a value, or `deadline` passes.
    pub(crate) fn wait_for<T>(
        &mut self,
        deadline: Option<Instant>,
        mut done: impl FnMut(&mut Self) -> Option<T>,
    ) -> Result<Option<T>> {
        loop {
            if let Some(value) = done(self) {
                return Ok(Some(value));
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Ok(None);
            }
            self.step(deadline.map(|d| d - now))?;
        }
    }

    /// One turn of the loop: flush, deliver events, read once (at most until
    /// the core's deadline, or `max_wait`), tick the clock.
    pub(crate) fn step(&mut self, max_wait: Option<Duration>) -> Result<()> {
        self.flush()?;
        // The core's call order: a tick after writing. The engine dates
        // progress by the tick that sees it, so without this tick the
        // response timeout would count from the tick before the write and
        // fire up to twice as late.
        self.core.handle_timeout(Instant::now());
        self.flush()?;
        self.absorb_events()?;
        if let Some(err) = self.core.connection_error() {
            return Err(Error::Connection(err.clone()));
        }
        if self.core.is_closed() {
            return Err(Error::Connection(imap_core::ConnectionError::ClosedByClient));
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
            match self.transport.read(self.core.input_buffer(), wait) {
                Ok(ReadOutcome::Data(n)) => self.core.commit_input(n),
                Ok(ReadOutcome::Eof) => self.core.handle_eof(),
                Ok(ReadOutcome::TimedOut) => {}
                Err(e) => {
                    self.core.handle_io_error(e.kind());
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
            match self.transport.write(&out) {
                Ok(0) => {
                    self.core.handle_io_error(std::io::ErrorKind::WriteZero);
                    return Err(Error::Io(std::io::ErrorKind::WriteZero.into()));
                }
                Ok(n) => {
                    self.core.advance_transmit(n);
                    wrote = true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.core.handle_io_error(e.kind());
                    return Err(Error::Io(e));
                }
            }
        }
        if wrote {
            self.transport.flush()?;
        }
        Ok(())
    }

    /// Delivers the core's events: results stay in the core until taken;
    /// unsolicited data and warnings are kept here; a STARTTLS switch is
    /// done at once.
    fn absorb_events(&mut self) -> Result<()> {
        if let Some(log) = &mut self.log {
            log.drain(&mut self.core);
        }
        while let Some(event) = self.core.poll_event() {
            match self.backlog.absorb(event) {
                // Mechanism objects answer challenges; an interactive
                // exchange submitted through `run` has nobody to answer.
                Some(Event::SaslChallenge { .. }) => self.core.sasl_respond(None)?,
                Some(Event::Switch(imap_core::Switch::StartTls)) => self.start_tls()?,
                _ => {}
            }
        }
        Ok(())
    }

    /// The TLS handshake on the same socket after the server's STARTTLS OK.
    fn start_tls(&mut self) -> Result<()> {
        let upgraded = match &self.tls {
            Some((host, options)) => {
                let config = TlsConfig::new(options.client_config()?, imap_net::server_name(host)?);
                self.transport.upgrade(&config, self.handshake_timeout)
            }
            None => Err(Error::Unsupported("STARTTLS on a stream that is not a TCP connection")),
        };
        if let Err(e) = upgraded {
            self.core.disconnect();
            return Err(e);
        }
        self.core.handle_switched();
        self.flush()
    }

    // ------------------------------------------------------------------ IDLE
    // IMAPClient's shape: `idle()`, `idle_check()` as often as wanted,
    // `idle_done()`. The core refreshes IDLE before 29 minutes unseen.

    /// Starts IDLE (RFC 2177) and returns once the server has accepted it
    /// (an error if it refused). Then [`idle_check`](Self::idle_check) for
    /// news, as often as wanted, and [`idle_done`](Self::idle_done) to end.
    ///
    /// ```no_run
    /// # fn f(mut imap: imap_blocking::Session) -> imap_blocking::Result<()> {
    /// use imap_blocking::IdleCheck;
    /// use std::time::Duration;
    /// imap.idle()?;
    /// loop {
    ///     match imap.idle_check(Duration::from_secs(60))? {
    ///         IdleCheck::News(news) => println!("{news:?}"),
    ///         IdleCheck::TimedOut => continue,
    ///         IdleCheck::Interrupted => break,
    ///     }
    /// }
    /// imap.idle_done()?;
    /// # Ok(()) }
    /// ```
    pub fn idle(&mut self) -> Result<()> {
        if self.idling.is_some() {
            return Err(UsageError::NotApplicable("IDLE is already running").into());
        }
        let handle = self.core.idle()?;
        self.flush()?;
        // Wait for the server to accept (or refuse) IDLE.
        self.wait_for(None, |s| (s.core.is_idling() || s.core.is_ready(handle.id())).then_some(()))?;
        if let Some(result) = self.core.take(&handle) {
            result?;
            return Err(UsageError::NotApplicable("the server ended IDLE at once").into());
        }
        self.idling = Some((handle, self.backlog.len()));
        Ok(())
    }

    /// Waits in IDLE until news arrives (keepalives such as `* OK Still
    /// here` are not news), `timeout` passes, or an [`IdleInterrupter`]
    /// fires; stays in IDLE either way. News is also applied to the mailbox
    /// state ([`Engine::mailbox`](imap_core::Engine::mailbox)).
    pub fn idle_check(&mut self, timeout: Duration) -> Result<IdleCheck> {
        let deadline = Instant::now() + timeout;
        loop {
            let Some((handle, mark)) = &mut self.idling else {
                return Err(UsageError::NotApplicable("IDLE is not running: call idle() first").into());
            };
            let from = (*mark).min(self.backlog.len());
            *mark = from;
            if self.backlog.iter_from(from).any(|r| !r.is_keepalive()) {
                let news = self.backlog.drain_from(from).into_iter().filter(|r| !r.is_keepalive()).collect();
                return Ok(IdleCheck::News(news));
            }
            if self.interrupt.swap(false, Ordering::SeqCst) {
                return Ok(IdleCheck::Interrupted);
            }
            if let Some(result) = self.core.take(handle) {
                // The server ended IDLE itself (BYE or a tagged answer).
                self.idling = None;
                result?;
                return Err(UsageError::NotApplicable("the server ended IDLE").into());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(IdleCheck::TimedOut);
            }
            self.step(Some(left.min(POLL_SLICE)))?;
        }
    }

    /// Ends IDLE (DONE), waits for the server's OK and returns the news
    /// that came since the last check.
    pub fn idle_done(&mut self) -> Result<Vec<Response>> {
        let Some((handle, mark)) = self.idling.take() else {
            return Err(UsageError::NotApplicable("IDLE is not running").into());
        };
        if self.core.is_idling() {
            self.core.idle_done()?;
        }
        self.wait(&handle)?;
        let from = mark.min(self.backlog.len());
        Ok(self.backlog.drain_from(from).into_iter().filter(|r| !r.is_keepalive()).collect())
    }

    /// One IDLE: [`idle`](Self::idle), one [`idle_check`](Self::idle_check)
    /// of at most `timeout`, [`idle_done`](Self::idle_done). News that came
    /// with the DONE counts as news; after an interrupt it stays for
    /// [`take_unsolicited`](Self::take_unsolicited).
    pub fn idle_wait(&mut self, timeout: Duration) -> Result<IdleCheck> {
        self.idle()?;
        let check = self.idle_check(timeout)?;
        if check == IdleCheck::Interrupted {
            // Leave what comes with the DONE where take_unsolicited finds it.
            if let Some((handle, _)) = self.idling.take() {
                if self.core.is_idling() {
                    self.core.idle_done()?;
                }
                self.wait(&handle)?;
            }
            return Ok(check);
        }
        let more = self.idle_done()?;
        Ok(match check {
            IdleCheck::News(mut news) => {
                news.extend(more);
                IdleCheck::News(news)
            }
            _ if !more.is_empty() => IdleCheck::News(more),
            other => other,
        })
    }

    // ---------------------------------------------------------------- LOGOUT

    /// Sends LOGOUT and waits for the server to close.
    pub fn logout(mut self) -> Result<()> {
        self.logout_inner(None)
    }

    /// Closes the connection without LOGOUT (IMAPClient's `shutdown`): the
    /// socket is shut down, a child process reaped.
    pub fn shutdown(mut self) {
        self.core.disconnect();
        self.transport.shutdown();
    }

    fn logout_inner(&mut self, limit: Option<Duration>) -> Result<()> {
        if self.core.is_closed() {
            return Ok(());
        }
        let handle = self.core.submit(request::logout())?;
        let done = self.wait_for(limit.map(|l| Instant::now() + l), |s| s.core.take(&handle))?;
        self.transport.shutdown();
        done.transpose()?;
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.core.is_closed() {
            return;
        }
        let limit = Duration::from_secs(2);
        let _ = self.transport.set_write_timeout(Some(limit));
        let _ = self.logout_inner(Some(limit));
    }
}
