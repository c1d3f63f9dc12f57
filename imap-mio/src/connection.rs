//! One IMAP connection on a mio registry: the socket, optionally rustls
//! driven through its own sans-I/O API, and the engine. Everything here
//! only moves bytes and readiness; every protocol decision is the engine's.

use std::collections::VecDeque;
use std::io::{self, ErrorKind as Kind, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_core::request::{CommandId, Handle, Request};
use imap_core::types::{Fetch, Response};
use imap_core::{Client, Commands, Engine, Event, Switch};
use imap_net::{
    Backlog, ConnectError, ConnectOptions, Error, Result, Security, TlsConfig, TlsError, Warning,
};
use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use rustls::ClientConnection;

/// Unsolicited responses kept until taken; beyond, the oldest are dropped
/// and counted in a [`Warning::UnsolicitedDropped`].
const UNSOLICITED_MAX: usize = 10_000;

/// How long a connection stays quiet before its engine gives back the
/// receive buffer, unless the options' engine configuration sets
/// [`ClientConfig::release_buffers_after`](imap_core::ClientConfig::release_buffers_after)
/// itself (a very long one keeps it).
pub const RELEASE_BUFFERS_AFTER: Duration = Duration::from_secs(1);

/// Reads per wake-up before the connection yields to the others (see
/// [`Connection::is_busy`]), so that a server that never stops sending
/// cannot hold the loop.
const READ_BUDGET: usize = 16;

/// What moved on a connection. Drain them with
/// [`Connection::poll_progress`] (or [`Pool::poll_progress`](crate::Pool::poll_progress))
/// after each call that drives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// The session is ready for commands: greeting read, TLS (or STARTTLS)
    /// done, capabilities known.
    Connected,
    /// A request finished: take its result with [`Connection::take`].
    Ready(CommandId),
    /// Messages of a streaming FETCH wait: [`Connection::take_fetched`].
    Fetched(CommandId),
    /// IDLE is running (the server sent `+`): news now arrives as
    /// [`Progress::Unsolicited`].
    IdleStarted(CommandId),
    /// Data no command asked for (new messages, expunges, flags, alerts)
    /// or a warning arrived: [`Connection::take_unsolicited`],
    /// [`Connection::take_warnings`]. Reported once per batch.
    Unsolicited,
    /// The connection is over: [`Connection::error`] says why (`None` after
    /// a clean LOGOUT). Every request still open became ready with the
    /// error. Reported once; the socket is deregistered and shut.
    Closed,
}

/// How to connect, prepared once for any number of connections: the
/// options, and the rustls configuration built from them (CA files read
/// once).
#[derive(Debug, Clone)]
pub struct Connector {
    inner: Arc<Settings>,
}

#[derive(Debug)]
struct Settings {
    options: ConnectOptions,
    tls: Option<TlsConfig>,
}

impl Connector {
    /// Checks the options and builds the TLS configuration (a missing CA
    /// file fails here, before any packet is sent).
    pub fn new(options: ConnectOptions) -> Result<Connector> {
        let tls = options.tls_config()?;
        Ok(Connector { inner: Arc::new(Settings { options, tls }) })
    }

    /// The server's addresses, from the system resolver. **Blocks**: call it
    /// before the loop runs, or on a thread of its own, and connect to one
    /// of the addresses.
    pub fn resolve(&self) -> Result<Vec<SocketAddr>> {
        let options = &self.inner.options;
        Ok(imap_net::resolve(&options.host, options.server_port())?)
    }

    /// Starts a non-blocking TCP connect to `addr`; register the connection
    /// and drive it. A failure the system reports at once is returned here;
    /// the others (refused, unreachable, timed out) come later, as
    /// [`Progress::Closed`] with an [`Error::Connect`]. One address only:
    /// to try the next, connect again.
    pub fn connect(&self, addr: SocketAddr) -> Result<Connection> {
        let socket = TcpStream::connect(addr).map_err(|e| self.inner.connect_error(e))?;
        Ok(self.connect_stream(socket))
    }

    /// A connection over a socket you opened (connected, or with a
    /// non-blocking connect under way): custom socket options, a proxy...
    pub fn connect_stream(&self, socket: TcpStream) -> Connection {
        let mut engine = self.inner.options.engine.clone();
        // An idle connection keeps no receive buffer: the engine gives it
        // back once the connection is quiet (not after every command, which
        // would make each large FETCH fault its memory in afresh).
        engine.release_buffers_after.get_or_insert(RELEASE_BUFFERS_AFTER);
        let mut client = Client::new(engine);
        let now = Instant::now();
        client.handle_timeout(now); // the clock starts: the greeting is awaited
        Connection {
            socket,
            tls: None,
            settings: self.inner.clone(),
            client,
            backlog: Backlog::new(UNSOLICITED_MAX),
            progress: VecDeque::new(),
            phase: Phase::Connecting,
            deadline: now + self.inner.options.connect_timeout,
            switching: false,
            readable: false,
            writable: false,
            busy: false,
            dirty: false,
            registered: None,
            error: None,
        }
    }
}

impl Settings {
    fn connect_error(&self, error: io::Error) -> Error {
        let o = &self.options;
        ConnectError::from_connect(&o.host, o.server_port(), o.connect_timeout, error).into()
    }
}

#[derive(Debug)]
enum Phase {
    /// The TCP connect is under way.
    Connecting,
    /// Waiting for the greeting (and the capabilities).
    Greeting,
    /// STARTTLS sent on the application's behalf.
    Upgrading(Handle<()>),
    /// Ready for commands.
    Open,
    /// Over; `Progress::Closed` was reported.
    Closed,
}

/// One IMAP connection in a mio event loop.
///
/// Register it with [`register`](Self::register), then call
/// [`handle_event`](Self::handle_event) for each mio event of its token and
/// [`handle_timeout`](Self::handle_timeout) once [`next_deadline`](Self::next_deadline)
/// passes; after submitting requests or taking results outside those calls,
/// call [`drive`](Self::drive) before polling again. After each of these,
/// drain [`poll_progress`](Self::poll_progress). While
/// [`is_busy`](Self::is_busy), call `drive` again without waiting for an
/// event. [`Pool`](crate::Pool) does all of this for you.
///
/// Typed requests are the methods of [`Commands`] (`use imap_mio::prelude::*`):
/// each submits at once and returns a [`Handle`]; take its result with
/// [`take`](Self::take) once [`Progress::Ready`] names it. Nothing calls
/// back into your code.
///
/// Interest: READABLE always (mio is edge-triggered: while the engine
/// holds reading back, because results wait to be taken, an event costs
/// one wake-up at most and the kernel's buffer then stops the server),
/// WRITABLE while the engine or rustls has bytes the socket did not take.
///
/// Dropping a connection closes its socket without LOGOUT: call
/// [`logout`](Self::logout) and wait for [`Progress::Closed`] first.
#[derive(Debug)]
pub struct Connection {
    socket: TcpStream,
    /// Boxed: a plain connection stays small.
    tls: Option<Box<ClientConnection>>,
    settings: Arc<Settings>,
    client: Client,
    backlog: Backlog,
    progress: VecDeque<Progress>,
    phase: Phase,
    /// When the TCP connect or a TLS handshake under way times out.
    deadline: Instant,
    /// A STARTTLS handshake is under way: the engine waits for its end.
    switching: bool,
    /// The socket may have bytes to read (cleared at WouldBlock).
    readable: bool,
    /// The socket may take bytes (cleared at WouldBlock).
    writable: bool,
    /// The read budget ran out with bytes left to read.
    busy: bool,
    /// The application submitted or took something since the last drive.
    dirty: bool,
    registered: Option<(Token, Interest)>,
    error: Option<Error>,
}

impl Connection {
    // ------------------------------------------------------------- the loop

    /// Registers the socket with `token`.
    pub fn register(&mut self, registry: &Registry, token: Token) -> io::Result<()> {
        let interest = self.interest();
        registry.register(&mut self.socket, token, interest)?;
        self.registered = Some((token, interest));
        Ok(())
    }

    /// Removes the socket from `registry` (done by itself once closed).
    pub fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        match self.registered.take() {
            Some(_) => registry.deregister(&mut self.socket),
            None => Ok(()),
        }
    }

    /// Handles a mio event for this connection's token, then drives it.
    pub fn handle_event(&mut self, registry: &Registry, event: &mio::event::Event) {
        self.readable |= event.is_readable() || event.is_read_closed() || event.is_error();
        self.writable |= event.is_writable() || event.is_write_closed() || event.is_error();
        self.drive(registry);
    }

    /// Handles the passing of time (call once [`next_deadline`](Self::next_deadline)
    /// is reached; earlier is harmless), then drives the connection.
    pub fn handle_timeout(&mut self, registry: &Registry, now: Instant) {
        if self.is_handshaking() && now >= self.deadline {
            let error = match self.phase {
                Phase::Connecting => self.settings.connect_error(Kind::TimedOut.into()),
                _ => TlsError::TimedOut { after: self.settings.options.connect_timeout }.into(),
            };
            self.fail(error);
        }
        self.client.handle_timeout(now);
        self.drive(registry);
    }

    /// Moves everything that can move: writes what the engine has, reads
    /// what the socket has (within a budget), delivers the engine's events
    /// and updates the registered interest. Call it after submitting
    /// requests or taking results outside [`handle_event`](Self::handle_event).
    pub fn drive(&mut self, registry: &Registry) {
        self.dirty = false;
        if let Err(e) = self.pump() {
            self.fail(e);
        }
        if self.client.is_closed() && !self.client.wants_write() {
            self.close();
        }
        if let Err(e) = self.update_interest(registry) {
            self.fail(e.into());
            let _ = self.deregister(registry);
        }
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) is due:
    /// the engine's timers, and the connect or handshake timeout. Pass the
    /// earliest of all connections' to `Poll::poll`.
    pub fn next_deadline(&self) -> Option<Instant> {
        let own = self.is_handshaking().then_some(self.deadline);
        [own, self.client.poll_timeout()].into_iter().flatten().min()
    }

    /// Whether the connection must be driven again without waiting for an
    /// event: its read budget ran out with bytes left, or requests were
    /// submitted (or results taken) since it was last driven.
    pub fn is_busy(&self) -> bool {
        (self.busy || self.dirty) && !matches!(self.phase, Phase::Closed)
    }

    /// What moved, oldest first.
    pub fn poll_progress(&mut self) -> Option<Progress> {
        self.progress.pop_front()
    }

    // ----------------------------------------------------- the application

    /// Whether the session is ready for commands ([`Progress::Connected`]
    /// was reported) and not over.
    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Open)
    }

    /// Whether the connection is over ([`Progress::Closed`] was reported).
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Why the connection ended: the connect, the TLS handshake, the
    /// transport, or the session itself ([`Error::Connection`]); `None`
    /// while it runs and after a clean LOGOUT.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Takes the error [`error`](Self::error) shows.
    pub fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    /// The result of a request, once [`Progress::Ready`] named it; `None`
    /// before (and after it was taken).
    pub fn take<T>(&mut self, handle: &Handle<T>) -> Option<Result<T>> {
        let result = self.client.take(handle)?;
        self.dirty = true; // taking may let held-back input through
        Some(result.map_err(Error::from))
    }

    /// The next message of a streaming FETCH
    /// ([`request::fetch_stream`](imap_core::request::fetch_stream)).
    pub fn take_fetched<T>(&mut self, handle: &Handle<T>) -> Option<Fetch> {
        let fetch = self.client.take_fetched(handle)?;
        self.dirty = true;
        Some(fetch)
    }

    /// Gives up on a request: it completes on the wire, its data is
    /// dropped as it arrives, and it is never reported ready.
    pub fn abandon(&mut self, id: CommandId) {
        self.client.abandon(id);
        self.dirty = true;
    }

    /// Starts IDLE; [`Progress::IdleStarted`] follows, then news as
    /// [`Progress::Unsolicited`]. End it with [`idle_done`](Self::idle_done)
    /// (or any other request); the handle is then ready.
    pub fn idle(&mut self) -> Result<Handle<()>> {
        self.dirty = true;
        Ok(self.client.idle()?)
    }

    /// Ends IDLE (sends DONE).
    pub fn idle_done(&mut self) -> Result<()> {
        self.dirty = true;
        Ok(self.client.idle_done()?)
    }

    /// Sends LOGOUT; once it is done the connection closes
    /// ([`Progress::Closed`], with no error).
    pub fn logout(&mut self) -> Result<Handle<()>> {
        self.run(imap_core::request::logout())
    }

    /// Every unsolicited response waiting, oldest first (already applied
    /// to [`Engine::mailbox`]).
    pub fn take_unsolicited(&mut self) -> Vec<Response> {
        self.backlog.drain_from(0)
    }

    /// Reports of malformed or dropped responses (the session went on).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        self.backlog.take_warnings()
    }

    /// The engine, for what this API lacks.
    pub fn client(&self) -> &Client {
        &self.client
    }

    // ---------------------------------------------------------------- inner

    /// Until nothing moves: flush, read, deliver, tick.
    fn pump(&mut self) -> Result<()> {
        if matches!(self.phase, Phase::Closed)
            || (matches!(self.phase, Phase::Connecting) && !self.connected()?)
        {
            return Ok(());
        }
        loop {
            let mut moved = self.flush()?;
            moved |= self.read()?;
            moved |= self.deliver()?;
            if self.switching && self.tls.as_ref().is_some_and(|tls| !tls.is_handshaking()) {
                self.switching = false;
                self.client.handle_switched();
                moved = true;
            }
            // The call order: a tick after input and writes (it dates the
            // progress, may queue an IDLE refresh or end the session).
            self.client.handle_timeout(Instant::now());
            moved |= self.client.pending_events() > 0 || (self.writable && self.wants_write());
            self.check_established()?;
            // Out of read budget: the others' turn (the loop comes back).
            if !moved || self.busy {
                return Ok(());
            }
        }
    }

    /// Whether the TCP connect completed (an error if it failed).
    fn connected(&mut self) -> Result<bool> {
        if let Some(e) = self.socket.take_error()? {
            return Err(self.settings.connect_error(e));
        }
        match self.socket.peer_addr() {
            Ok(_) => {}
            // Not yet (a wake-up that is not the connect's).
            Err(e) if matches!(e.kind(), Kind::NotConnected | Kind::WouldBlock) => return Ok(false),
            Err(e) => return Err(self.settings.connect_error(e)),
        }
        imap_net::tune_socket(&self.socket, self.settings.options.quickack)?;
        if self.settings.options.security == Security::Tls {
            self.start_tls(false)?;
        }
        (self.readable, self.writable) = (true, true);
        self.phase = Phase::Greeting;
        Ok(true)
    }

    /// Writes what the engine (and TLS) has until the socket is full.
    fn flush(&mut self) -> Result<bool> {
        let mut moved = false;
        loop {
            if let Some(tls) = self.tls.as_deref_mut() {
                // Into rustls as far as its buffer limit takes.
                while let Some(out) = self.client.poll_transmit() {
                    match tls.writer().write(&out)? {
                        0 => break,
                        n => self.client.advance_transmit(n),
                    }
                    moved = true;
                }
            }
            let client = &mut self.client;
            let written = match self.tls.as_deref_mut() {
                _ if !self.writable => return Ok(moved),
                Some(tls) if tls.wants_write() => tls.write_tls(&mut self.socket),
                Some(_) => return Ok(moved),
                None => match client.poll_transmit() {
                    Some(out) => self.socket.write(&out).inspect(|&n| client.advance_transmit(n)),
                    None => return Ok(moved),
                },
            };
            match written {
                Ok(0) => return Err(Error::Io(Kind::WriteZero.into())),
                Ok(_) => moved = true,
                Err(e) if e.kind() == Kind::WouldBlock => self.writable = false,
                Err(e) if e.kind() == Kind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Reads into the engine's buffer (through rustls for TLS) until the
    /// socket is empty, the engine wants no more, or the budget runs out.
    fn read(&mut self) -> Result<bool> {
        let mut moved = false;
        self.busy = false;
        for _ in 0..READ_BUDGET {
            let step = if self.tls.is_some() { self.read_tls()? } else { self.read_plain()? };
            if !step {
                return Ok(moved);
            }
            moved = true;
        }
        self.busy = self.readable;
        Ok(moved)
    }

    /// One read from the socket straight into the engine's buffer.
    fn read_plain(&mut self) -> Result<bool> {
        if !self.readable || !self.client.wants_read() {
            return Ok(false);
        }
        let read = self.socket.read(self.client.input_buffer());
        self.take_read(read)
    }

    /// Plaintext from rustls into the engine's buffer, else one read of
    /// TLS records if rustls wants them (the handshake does even while the
    /// engine waits for it).
    fn read_tls(&mut self) -> Result<bool> {
        let Some(tls) = self.tls.as_deref_mut() else { return Ok(false) };
        if self.client.wants_read() {
            match tls.reader().read(self.client.input_buffer()) {
                Err(e) if e.kind() == Kind::WouldBlock => {}
                // Closed without close_notify: an EOF like any other.
                Err(e) if e.kind() == Kind::UnexpectedEof => return self.take_read(Ok(0)),
                read => return self.take_read(read),
            }
        }
        if !self.readable || !tls.wants_read() {
            return Ok(false);
        }
        match tls.read_tls(&mut self.socket) {
            Ok(0) if tls.is_handshaking() => return Err(TlsError::Closed.into()),
            Ok(0) => self.readable = false, // the reader tells the EOF next
            Ok(_) => {}
            Err(e) => return self.take_read(Err(e)),
        }
        // On failure, the alert rustls queued goes out as the socket closes.
        tls.process_new_packets().map_err(TlsError::from)?;
        Ok(true)
    }

    /// Hands what a read gave to the engine: bytes, or the EOF.
    fn take_read(&mut self, read: io::Result<usize>) -> Result<bool> {
        match read {
            Ok(0) => {
                self.readable = false;
                self.client.handle_eof();
            }
            Ok(n) => {
                self.client.commit_input(n);
                if self.settings.options.quickack {
                    let _ = imap_net::rearm_quickack(&self.socket);
                }
            }
            Err(e) if e.kind() == Kind::WouldBlock => {
                self.readable = false;
                return Ok(false);
            }
            Err(e) if e.kind() == Kind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
        Ok(true)
    }

    /// Hands the engine's events out: results by id, news to the backlog,
    /// STARTTLS to rustls.
    fn deliver(&mut self) -> Result<bool> {
        let mut any = false;
        while let Some(event) = self.client.poll_event() {
            any = true;
            let notice = match self.backlog.absorb(event) {
                None if self.progress.back() == Some(&Progress::Unsolicited) => None, // one per batch
                None => Some(Progress::Unsolicited),
                Some(Event::Ready(id)) => match &self.phase {
                    Phase::Upgrading(handle) if handle.id() == id => {
                        let handle = handle.clone();
                        self.client.take(&handle).transpose()?;
                        self.phase = Phase::Greeting; // established once known
                        None
                    }
                    _ => Some(Progress::Ready(id)),
                },
                Some(Event::Fetched(id)) => Some(Progress::Fetched(id)),
                Some(Event::IdleStarted(id)) => Some(Progress::IdleStarted(id)),
                // Mechanism objects answer challenges; an interactive
                // exchange has nobody to answer here.
                Some(Event::SaslChallenge { .. }) => self.client.sasl_respond(None).map(|()| None)?,
                Some(Event::Switch(Switch::StartTls)) => self.start_tls(true).map(|()| None)?,
                Some(Event::ConnectionLost(e)) => {
                    self.error.get_or_insert(Error::Connection(e));
                    None
                }
                Some(_) => None,
            };
            self.progress.extend(notice);
        }
        Ok(any)
    }

    /// Ready for commands once greeted (and upgraded, for STARTTLS).
    fn check_established(&mut self) -> Result<()> {
        let greeted =
            self.client.state() != imap_core::types::StateName::Greeting && !self.client.is_closed();
        if !matches!(self.phase, Phase::Greeting)
            || self.switching
            || !self.client.capabilities_known()
            || !greeted
        {
            return Ok(());
        }
        if self.settings.options.security == Security::StartTls && self.tls.is_none() {
            self.phase = Phase::Upgrading(self.client.submit(imap_core::request::starttls())?);
            return Ok(());
        }
        self.phase = Phase::Open;
        self.progress.push_back(Progress::Connected);
        Ok(())
    }

    /// TLS from now on: implicit TLS at connect, or the STARTTLS switch.
    fn start_tls(&mut self, switch: bool) -> Result<()> {
        let tls = match &self.settings.tls {
            Some(config) => config.connection()?,
            // STARTTLS asked for on a Security::Plain connection: the same
            // TLS settings, built now.
            None => {
                let o = &self.settings.options;
                TlsConfig::new(o.tls.client_config()?, imap_net::server_name(&o.host)?).connection()?
            }
        };
        if switch {
            // The server speaks only after our ClientHello: bytes already
            // here are plaintext injected after the OK, which the paused
            // engine refuses (ConnectionError::StartTlsInjection).
            if let Ok(n) = self.socket.read(self.client.input_buffer()) {
                self.client.commit_input(n);
                if self.client.is_closed() {
                    return Ok(());
                }
            }
            self.switching = true;
            self.deadline = Instant::now() + self.settings.options.connect_timeout;
        }
        self.tls = Some(Box::new(tls));
        Ok(())
    }

    fn wants_write(&self) -> bool {
        self.client.wants_write() || self.tls.as_ref().is_some_and(|tls| tls.wants_write())
    }

    fn is_handshaking(&self) -> bool {
        match self.phase {
            Phase::Connecting => true,
            Phase::Closed => false,
            _ => self.tls.as_ref().is_some_and(|tls| tls.is_handshaking()),
        }
    }

    /// READABLE always (EOF is news too); WRITABLE while bytes wait.
    fn interest(&self) -> Interest {
        let write = matches!(self.phase, Phase::Connecting) || self.wants_write();
        if write {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        }
    }

    fn update_interest(&mut self, registry: &Registry) -> io::Result<()> {
        match self.registered {
            Some(_) if matches!(self.phase, Phase::Closed) => self.deregister(registry),
            Some((token, current)) if current != self.interest() => {
                let interest = self.interest();
                registry.reregister(&mut self.socket, token, interest)?;
                self.registered = Some((token, interest));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Ends the connection with a transport error: every open request
    /// learns it from the engine.
    fn fail(&mut self, error: Error) {
        let kind = match &error {
            Error::Io(e) => e.kind(),
            _ => Kind::ConnectionAborted,
        };
        self.error.get_or_insert(error);
        self.client.handle_io_error(kind);
        let _ = self.deliver();
        self.close();
    }

    /// Reports the end once, and shuts the socket.
    fn close(&mut self) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        if let Some(tls) = self.tls.as_deref_mut() {
            tls.send_close_notify();
            let _ = tls.write_tls(&mut self.socket);
        }
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
        if self.error.is_none() {
            self.error = self.client.connection_error().cloned().map(Error::Connection);
        }
        self.phase = Phase::Closed;
        self.progress.push_back(Progress::Closed);
    }
}

impl Engine for Connection {
    fn with_client<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(&self.client)
    }

    fn with_client_mut<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R {
        self.dirty = true; // a setting may start or end an automatic IDLE
        f(&mut self.client)
    }
}

/// Every call submits its request and returns its [`Handle`] at once; the
/// bytes go out when the connection is next driven. A refusal (wrong
/// state, missing capability) is an [`Error::Usage`] and sends nothing.
impl Commands for Connection {
    type Run<T> = Result<Handle<T>>;

    fn run<T>(&mut self, request: Request<T>) -> Result<Handle<T>> {
        let handle = self.client.submit(request)?;
        self.dirty = true;
        Ok(handle)
    }
}
