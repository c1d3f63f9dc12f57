//! [`Client`]: one connection's sans-I/O protocol engine.

mod outbound;
mod trace;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;

pub use trace::{Direction, TraceLine};

use self::outbound::Outbound;
use self::trace::Trace;
use crate::config::ParseOptions;
use crate::encode::{encode_command, encode_sasl_response, EncodeContext, Fragment};
use crate::error::{CommandError, ConnectionError, ProtocolError, ResponseError, UsageError};
use crate::event::{Event, Switch};
use crate::ext::sasl::SaslMechanism;
use crate::parse::{Frame, Framer};
use crate::request::{Collector, Completion, MailboxInfo, Output, Request, RouteCtx};
use crate::state::{self, StateName};
use crate::types::{
    ByteStr, Capabilities, Capability, Command, Continue, Data, Response, ResponseCode, Secret, Status,
    StatusKind, Tag,
};

/// Settings of one connection's engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Tag prefix; tags are the prefix followed by a counter (`A1`, `A2`...).
    pub tag_prefix: String,
    /// Parser limits and leniency.
    pub parse: ParseOptions,
    /// End the session with [`ConnectionError::TimedOut`] when the server
    /// makes no progress for this long while a command (or the greeting)
    /// is awaited. IDLE is exempt. Default 60 s; `None` disables.
    pub response_timeout: Option<Duration>,
    /// Re-issue IDLE this often (RFC 2177 asks for less than 30 minutes).
    /// Default 29 minutes.
    pub idle_refresh: Duration,
    /// Lines kept in the redacted trace; 0 disables it. Default 20.
    pub trace_lines: usize,
    /// When this many events are waiting, [`Client::wants_read`] turns
    /// false until the application drains some (backpressure). Default 10,000.
    pub max_pending_events: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            tag_prefix: "A".to_owned(),
            parse: ParseOptions::default(),
            response_timeout: Some(Duration::from_secs(60)),
            idle_refresh: Duration::from_secs(29 * 60),
            trace_lines: 20,
            max_pending_events: 10_000,
        }
    }
}

/// A queued command, not yet on the wire.
#[derive(Debug)]
struct Pending {
    tag: Tag,
    command: Command,
    streaming: bool,
    /// Issued by the engine itself (e.g. CAPABILITY after STARTTLS): no event.
    internal: bool,
    sasl: Option<Box<dyn SaslMechanism>>,
    /// For an IDLE re-issued by a refresh: the tag the application knows.
    idle_user_tag: Option<Tag>,
}

/// A command on the wire, awaiting its tagged completion.
struct InFlight {
    tag: Tag,
    command: Command,
    collector: Collector,
    internal: bool,
    /// Fragments after a synchronising literal, sent on the server's `+`.
    unsent: VecDeque<Fragment>,
    sasl: Option<Sasl>,
    /// An interactive initial response held back for lack of SASL-IR: the
    /// answer to the first challenge.
    deferred_ir: Option<Secret<Vec<u8>>>,
    /// The mechanism failed on our side; the exchange was cancelled.
    sasl_error: Option<String>,
    idle: Option<IdleRun>,
}

impl std::fmt::Debug for InFlight {
    /// Without the unsent fragments: they may hold a password literal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight")
            .field("tag", &self.tag)
            .field("command", &self.command)
            .field("collector", &self.collector)
            .field("internal", &self.internal)
            .field("unsent_fragments", &self.unsent.len())
            .field("sasl", &self.sasl)
            .field("sasl_error", &self.sasl_error)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum Sasl {
    /// A mechanism object answers the challenges.
    Mechanism(Box<dyn SaslMechanism>),
    /// The application answers challenges through events.
    Interactive { waiting: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdlePhase {
    /// IDLE sent, waiting for `+`.
    Starting,
    /// `+` received.
    Idling,
    /// DONE sent, waiting for the tagged OK.
    Done,
}

#[derive(Debug, Clone)]
struct IdleRun {
    phase: IdlePhase,
    /// The tag the application knows (IDLE refreshes use new tags).
    user_tag: Tag,
    /// DONE was sent to refresh, not because the application asked.
    refreshing: bool,
    /// The application asked to stop (or another command is waiting).
    stop: bool,
    since: Option<Instant>,
}

/// A protocol switch in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switching {
    None,
    /// STARTTLS OK seen; waiting for `handle_switched`.
    StartTls,
}

/// One connection's IMAP protocol engine, without I/O.
///
/// The engine never touches a socket, a thread or a clock. A driver feeds
/// it bytes and time, and moves the bytes it produces. Four families of
/// methods:
///
/// - **commands**: [`enqueue`](Self::enqueue), [`idle`](Self::idle) /
///   [`idle_done`](Self::idle_done), [`authenticate`](Self::authenticate),
///   [`sasl_respond`](Self::sasl_respond). The engine assigns the tag.
/// - **inputs**: [`handle_input`](Self::handle_input) (any split of the
///   stream), [`handle_eof`](Self::handle_eof),
///   [`handle_timeout`](Self::handle_timeout) (the only way time enters),
///   [`handle_switched`](Self::handle_switched) (after a STARTTLS handshake).
/// - **outputs**: [`poll_transmit`](Self::poll_transmit) +
///   [`advance_transmit`](Self::advance_transmit) (partial writes),
///   [`poll_timeout`](Self::poll_timeout), [`poll_event`](Self::poll_event).
/// - **getters**: [`state`](Self::state), [`capabilities`](Self::capabilities),
///   [`mailbox`](Self::mailbox), [`wants_read`](Self::wants_read),
///   [`wants_write`](Self::wants_write), [`trace`](Self::trace).
///
/// **Call order.** After every input or command: write out everything
/// `poll_transmit` gives, then arm a timer for `poll_timeout`, then drain
/// `poll_event`. Call `handle_timeout(now)` when that timer fires, and
/// preferably every time the driver wakes up: deadlines are measured from
/// the last `now` the engine saw.
///
/// ```
/// use imap_core::{Client, ClientConfig, Command, Event};
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
/// assert!(matches!(client.poll_event(), Some(Event::Greeting(_))));
///
/// let tag = client.enqueue(Command::login("alice", "secret")).unwrap();
/// let out = client.poll_transmit().unwrap().to_vec();
/// assert_eq!(out, b"A1 LOGIN alice \"secret\"\r\n"); // passwords are never atoms
/// client.advance_transmit(out.len());
///
/// client.handle_input(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n");
/// match client.poll_event() {
///     Some(Event::Completed { tag: t, result }) => {
///         assert_eq!(t, tag);
///         assert!(result.is_ok());
///     }
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(client.state(), imap_core::StateName::Authenticated);
/// ```
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    framer: Framer,
    state: StateName,
    caps: Capabilities,
    /// False after STARTTLS or a login without a CAPABILITY code, until the
    /// engine's own CAPABILITY completes.
    caps_known: bool,
    enabled: Capabilities,
    mailbox: Option<MailboxInfo>,
    next_tag: u64,
    queue: VecDeque<Pending>,
    in_flight: Vec<InFlight>,
    outbound: Outbound,
    events: VecDeque<Event>,
    switching: Switching,
    #[cfg(feature = "compress")]
    inflater: Option<crate::ext::compress::Inflater>,
    closed: Option<ConnectionError>,
    /// An untagged BYE arrived while LOGOUT was in flight.
    logout_bye: bool,
    now: Option<Instant>,
    progress: u64,
    progress_seen: u64,
    last_progress: Option<Instant>,
    trace: Trace,
}

impl Client {
    /// A new engine, waiting for the server's greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            framer: Framer::new(config.parse.limits),
            trace: Trace::new(config.trace_lines),
            config,
            state: StateName::Greeting,
            caps: Capabilities::new(),
            caps_known: false,
            enabled: Capabilities::new(),
            mailbox: None,
            next_tag: 1,
            queue: VecDeque::new(),
            in_flight: Vec::new(),
            outbound: Outbound::default(),
            events: VecDeque::new(),
            switching: Switching::None,
            #[cfg(feature = "compress")]
            inflater: None,
            closed: None,
            logout_bye: false,
            now: None,
            progress: 0,
            progress_seen: 0,
            last_progress: None,
        }
    }

    // ---------------------------------------------------------------- getters

    /// The session state.
    pub fn state(&self) -> StateName {
        self.state
    }

    /// The server's capabilities as last announced.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Whether the capabilities are current (false right after STARTTLS or
    /// a login, until the engine has re-read them).
    pub fn capabilities_known(&self) -> bool {
        self.caps_known
    }

    /// Extensions enabled with ENABLE (RFC 5161).
    pub fn enabled(&self) -> &Capabilities {
        &self.enabled
    }

    /// The selected mailbox's state, kept current from untagged data.
    pub fn mailbox(&self) -> Option<&MailboxInfo> {
        self.mailbox.as_ref()
    }

    /// Whether the driver should read from the transport: false once the
    /// session is over, during a STARTTLS switch, and while too many events
    /// wait to be polled (backpressure).
    pub fn wants_read(&self) -> bool {
        !self.is_closed()
            && self.switching == Switching::None
            && self.events.len() < self.config.max_pending_events
    }

    /// Whether [`poll_transmit`](Self::poll_transmit) has bytes.
    pub fn wants_write(&self) -> bool {
        !self.outbound.is_empty()
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some() || (self.state == StateName::Logout && self.in_flight.is_empty())
    }

    /// The error that ended the connection, if one did.
    pub fn connection_error(&self) -> Option<&ConnectionError> {
        self.closed.as_ref()
    }

    /// The last lines exchanged, redacted (credentials and SASL data never
    /// appear), oldest first. For error reports.
    pub fn trace(&self) -> impl Iterator<Item = &TraceLine> {
        self.trace.lines()
    }

    /// Commands enqueued or in flight.
    pub fn pending_commands(&self) -> usize {
        self.queue.len() + self.in_flight.iter().filter(|f| !f.internal).count()
    }

    /// Bytes waiting to be written (after compression, if active).
    pub fn pending_transmit(&self) -> usize {
        self.outbound.len()
    }

    /// Bytes buffered for the current partial response (for memory checks).
    pub fn buffered_input(&self) -> usize {
        self.framer.buffered()
    }

    /// Capacity of the receive buffer.
    pub fn input_capacity(&self) -> usize {
        self.framer.capacity()
    }

    /// Events waiting to be polled.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// Whether IDLE is running (the server accepted it and DONE was not sent).
    pub fn is_idling(&self) -> bool {
        self.in_flight.iter().any(|f| f.idle.as_ref().is_some_and(|i| i.phase == IdlePhase::Idling))
    }

    // --------------------------------------------------------------- commands

    /// Queues a command; it is sent as soon as the pipelining rules allow.
    /// Returns the tag that its [`Event::Completed`] will carry.
    ///
    /// Fails, with nothing sent, if the command is not valid in the state
    /// the session will be in when it runs, needs a capability the server
    /// does not announce, or has an argument that cannot be encoded.
    pub fn enqueue(&mut self, request: impl Into<Request>) -> Result<Tag, UsageError> {
        let request = request.into();
        if matches!(request.command, Command::Idle) {
            return self.idle();
        }
        self.enqueue_inner(request.command, request.streaming, None)
    }

    /// Starts IDLE (RFC 2177). [`Event::IdleStarted`] follows the server's
    /// `+`; untagged data then arrives as [`Event::Unsolicited`]. End it
    /// with [`idle_done`](Self::idle_done); enqueueing any other command ends
    /// it too. Refreshed every [`ClientConfig::idle_refresh`].
    pub fn idle(&mut self) -> Result<Tag, UsageError> {
        if self.in_flight.iter().any(|f| f.idle.is_some())
            || self.queue.iter().any(|p| matches!(p.command, Command::Idle))
        {
            return Err(UsageError::NotApplicable("IDLE is already running"));
        }
        self.enqueue_inner(Command::Idle, false, None)
    }

    /// Ends IDLE: sends DONE (once the server has accepted IDLE). The IDLE
    /// command then completes with an [`Event::Completed`].
    pub fn idle_done(&mut self) -> Result<(), UsageError> {
        let Some(run) = self.in_flight.iter_mut().find_map(|f| f.idle.as_mut()) else {
            if let Some(i) = self.queue.iter().position(|p| matches!(p.command, Command::Idle)) {
                // Not sent yet: it simply completes without going out.
                if let Some(p) = self.queue.remove(i) {
                    let status = synthetic_ok("IDLE ended before it was sent");
                    let tag = p.idle_user_tag.unwrap_or(p.tag);
                    self.complete(tag, p.internal, Ok(Completion { status, output: Output::Done }));
                }
                return Ok(());
            }
            return Err(UsageError::NotApplicable("IDLE is not running"));
        };
        run.stop = true;
        self.pump();
        Ok(())
    }

    /// Authenticates with a SASL mechanism (RFC 4422): PLAIN, LOGIN,
    /// CRAM-MD5, XOAUTH2, OAUTHBEARER, SCRAM-* from [`crate::ext::sasl`], or
    /// your own. Uses SASL-IR when the server has it.
    pub fn authenticate(&mut self, mechanism: Box<dyn SaslMechanism>) -> Result<Tag, UsageError> {
        let command = Command::Authenticate { mechanism: mechanism.name().into(), initial_response: None };
        self.enqueue_inner(command, false, Some(mechanism))
    }

    /// Authenticates with a mechanism whose challenges the application
    /// answers: each challenge arrives as [`Event::SaslChallenge`]; answer
    /// with [`sasl_respond`](Self::sasl_respond). `initial_response` is sent
    /// with SASL-IR when the server has it, else as the first answer.
    pub fn authenticate_interactive(
        &mut self,
        mechanism: &str,
        initial_response: Option<Vec<u8>>,
    ) -> Result<Tag, UsageError> {
        let command = Command::Authenticate {
            mechanism: mechanism.into(),
            initial_response: initial_response.map(Secret::new),
        };
        self.enqueue_inner(command, false, None)
    }

    /// Answers the pending [`Event::SaslChallenge`]; `None` cancels the
    /// exchange (`*`), after which the server answers BAD.
    pub fn sasl_respond(&mut self, response: Option<&[u8]>) -> Result<(), UsageError> {
        let Some(f) =
            self.in_flight.iter_mut().find(|f| matches!(f.sasl, Some(Sasl::Interactive { waiting: true })))
        else {
            return Err(UsageError::NotApplicable("no SASL challenge is waiting for an answer"));
        };
        f.sasl = Some(Sasl::Interactive { waiting: false });
        self.trace.push(Direction::Sent, "<SASL response>".into());
        let line = encode_sasl_response(response);
        self.send(line);
        Ok(())
    }

    fn enqueue_inner(
        &mut self,
        command: Command,
        streaming: bool,
        sasl: Option<Box<dyn SaslMechanism>>,
    ) -> Result<Tag, UsageError> {
        if self.closed.is_some() || self.state == StateName::Logout {
            return Err(UsageError::Closed);
        }
        let projected = self.projected_state();
        if !state::allowed_in(&command, projected) {
            return Err(UsageError::WrongState { command: command.name(), state: projected });
        }
        // A login or STARTTLS in flight may change the capabilities: the
        // check then waits for dispatch.
        let caps_settled = !self.in_flight.iter().any(|f| state::may_change_capabilities(&f.command));
        if self.caps_known && caps_settled && self.queue.is_empty() {
            if let Some(capability) = state::missing_capability(&command, &self.caps) {
                return Err(UsageError::MissingCapability { command: command.name(), capability });
            }
        }
        #[cfg(not(feature = "compress"))]
        if matches!(command, Command::Compress) {
            // Without the deflater the stream after the OK could not be read.
            return Err(UsageError::NotApplicable("COMPRESS needs the `compress` feature"));
        }
        if matches!(command, Command::StartTls | Command::Compress)
            && (!self.queue.is_empty() || self.in_flight.iter().any(|f| !f.internal))
        {
            return Err(UsageError::Busy { command: command.name() });
        }
        // Validate the arguments now, so the caller learns at once.
        encode_command(&Tag::from_parsed(Bytes::from_static(b"x")), &command, &self.encode_context())?;
        let tag = self.next_tag();
        self.queue.push_back(Pending {
            tag: tag.clone(),
            command,
            streaming,
            internal: false,
            sasl,
            idle_user_tag: None,
        });
        self.pump();
        Ok(tag)
    }

    fn next_tag(&mut self) -> Tag {
        loop {
            let tag = Tag::from_parsed(Bytes::from(format!("{}{}", self.config.tag_prefix, self.next_tag)));
            self.next_tag = self.next_tag.wrapping_add(1).max(1);
            let busy = self.in_flight.iter().any(|f| f.tag == tag) || self.queue.iter().any(|p| p.tag == tag);
            if !busy {
                return tag;
            }
        }
    }

    /// The state once everything queued has succeeded.
    fn projected_state(&self) -> StateName {
        let mut s = self.state;
        for f in &self.in_flight {
            s = state::after_success(&f.command, s);
        }
        for p in &self.queue {
            s = state::after_success(&p.command, s);
        }
        s
    }

    fn encode_context(&self) -> EncodeContext {
        let mut ctx = EncodeContext::from_capabilities(&self.caps);
        ctx.utf8 = self.enabled.has(&Capability::Utf8Accept);
        ctx
    }

    // ----------------------------------------------------------------- inputs

    /// Feeds bytes received from the server (any split of the stream).
    pub fn handle_input(&mut self, data: &[u8]) {
        if self.closed.is_some() || data.is_empty() {
            return;
        }
        if self.switching == Switching::StartTls {
            // Plaintext after the STARTTLS OK and before the handshake.
            self.fail(ConnectionError::StartTlsInjection(data.len()));
            return;
        }
        self.progress += 1;
        #[cfg(feature = "compress")]
        if let Some(inflater) = self.inflater.as_mut() {
            let framer = &mut self.framer;
            if let Err(e) = inflater.inflate(data, |plain| framer.push(plain)) {
                self.fail(ConnectionError::Compression(e));
                return;
            }
            self.process_input();
            return;
        }
        self.framer.push(data);
        self.process_input();
    }

    /// The server closed the connection (or the transport failed).
    pub fn handle_eof(&mut self) {
        if self.closed.is_some() {
            return;
        }
        if self.state == StateName::Logout && self.in_flight.is_empty() {
            return;
        }
        if self.logout_bye {
            // BYE then EOF before the tagged OK: LOGOUT did its job.
            if let Some(i) = self.in_flight.iter().position(|f| matches!(f.command, Command::Logout)) {
                let f = self.in_flight.remove(i);
                let status = synthetic_ok("connection closed after BYE");
                self.complete(f.tag, f.internal, Ok(Completion { status, output: Output::Done }));
                self.state = StateName::Logout;
                self.events.push_back(Event::LoggedOut);
            }
            if self.in_flight.is_empty() && self.queue.is_empty() {
                // A clean end: no connection error (the state says Logout).
                return;
            }
        }
        let mid_response = self.framer.is_mid_response();
        self.fail(ConnectionError::Eof { mid_response });
    }

    /// Time passes in here: call it when the deadline from
    /// [`poll_timeout`](Self::poll_timeout) is reached, and preferably every
    /// time the driver wakes up.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        if self.closed.is_some() {
            return;
        }
        // IDLE refresh: DONE now, a new IDLE after the OK.
        let refresh = self.config.idle_refresh;
        let mut refreshed = false;
        for f in &mut self.in_flight {
            if let Some(run) = f.idle.as_mut() {
                match run.since {
                    None if run.phase == IdlePhase::Idling => run.since = Some(now),
                    Some(since) if run.phase == IdlePhase::Idling && now.duration_since(since) >= refresh => {
                        run.refreshing = true;
                        refreshed = true;
                    }
                    _ => {}
                }
            }
        }
        if refreshed {
            self.pump();
        }
        // After the refresh: its DONE starts a new wait, not an old one.
        if self.progress != self.progress_seen || self.last_progress.is_none() {
            self.progress_seen = self.progress;
            self.last_progress = Some(now);
        }
        if let (Some(timeout), Some(last)) = (self.config.response_timeout, self.last_progress) {
            if self.awaiting_server() && now.duration_since(last) >= timeout {
                self.fail(ConnectionError::TimedOut(timeout));
            }
        }
    }

    /// The driver finished the TLS handshake after [`Switch::StartTls`].
    /// Capabilities are forgotten and read again (RFC 9051 section 6.2.1).
    pub fn handle_switched(&mut self) {
        if self.switching != Switching::StartTls {
            return;
        }
        self.switching = Switching::None;
        self.caps = Capabilities::new();
        self.caps_known = false;
        self.queue_internal(Command::Capability);
        self.pump();
        // Responses that arrived in the same TLS record as nothing: none
        // can be buffered here (checked at the switch).
    }

    /// Closes the session from the client side (e.g. the application drops
    /// the connection): pending commands fail, nothing more is sent.
    pub fn close(&mut self) {
        // After a clean LOGOUT there is nothing to report.
        if self.closed.is_none() && !self.is_closed() {
            self.fail(ConnectionError::ClosedByClient);
        }
    }

    // ---------------------------------------------------------------- outputs

    /// Bytes to write to the transport, if any. Write as much as the
    /// transport takes, then report it with [`advance_transmit`](Self::advance_transmit).
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<&[u8]> {
        self.outbound.peek()
    }

    /// Reports that `n` bytes of [`poll_transmit`](Self::poll_transmit)'s
    /// output were written.
    pub fn advance_transmit(&mut self, n: usize) {
        if n > 0 {
            self.progress += 1;
        }
        self.outbound.advance(n);
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed.is_some() {
            return None;
        }
        let mut deadline: Option<Instant> = None;
        let mut consider = |t: Instant| deadline = Some(deadline.map_or(t, |d| d.min(t)));
        if let (Some(timeout), true) = (self.config.response_timeout, self.awaiting_server()) {
            match (self.progress != self.progress_seen, self.now, self.last_progress) {
                // Progress since the last tick: ask for a tick now to re-arm.
                (true, Some(now), _) => consider(now),
                (_, _, Some(last)) => consider(last + timeout),
                _ => {}
            }
        }
        for f in &self.in_flight {
            if let Some(run) = &f.idle {
                if run.phase == IdlePhase::Idling && !run.refreshing {
                    match (run.since, self.now) {
                        (Some(since), _) => consider(since + self.config.idle_refresh),
                        (None, Some(now)) => consider(now),
                        _ => {}
                    }
                }
            }
        }
        deadline
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if event.is_some() && self.events.len() + 1 == self.config.max_pending_events {
            // Backpressure released: frames already buffered may now be parsed.
            self.process_input();
        }
        event
    }

    // ------------------------------------------------------------- internals

    /// Whether the server owes us something (greeting or a completion).
    fn awaiting_server(&self) -> bool {
        if self.switching != Switching::None {
            return false;
        }
        if self.state == StateName::Greeting {
            return true;
        }
        self.in_flight.iter().any(|f| match &f.idle {
            Some(run) => run.phase != IdlePhase::Idling,
            None => !matches!(f.sasl, Some(Sasl::Interactive { waiting: true })),
        })
    }

    fn send(&mut self, bytes: Bytes) {
        // Sending starts a wait for the server: the response timeout counts
        // from here, not from the last exchange before a quiet period.
        self.progress += 1;
        if let Err(e) = self.outbound.push(bytes) {
            self.fail(ConnectionError::Compression(e));
        }
    }

    fn queue_internal(&mut self, command: Command) {
        let tag = self.next_tag();
        self.queue.push_front(Pending {
            tag,
            command,
            streaming: false,
            internal: true,
            sasl: None,
            idle_user_tag: None,
        });
    }

    /// Sends every queued command the pipelining rules allow, in order.
    fn pump(&mut self) {
        while self.closed.is_none() && self.switching == Switching::None {
            // IDLE ends when asked, when refreshing, or when another command waits.
            let queue_waiting = !self.queue.is_empty();
            if let Some(f) = self.in_flight.iter_mut().find(|f| f.idle.is_some()) {
                let run = f.idle.as_mut().expect("found above");
                if run.phase == IdlePhase::Idling && (run.stop || run.refreshing || queue_waiting) {
                    run.phase = IdlePhase::Done;
                    if queue_waiting {
                        run.stop = true;
                    }
                    self.trace.push(Direction::Sent, "DONE".into());
                    self.send(Bytes::from_static(b"DONE\r\n"));
                }
                break;
            }
            // A command waiting for `+` owns the wire.
            if self.in_flight.iter().any(|f| !f.unsent.is_empty()) {
                break;
            }
            let Some(next) = self.queue.front() else { break };
            if self.in_flight.iter().any(|f| blocks(&f.command, &next.command)) {
                break;
            }
            let p = self.queue.pop_front().expect("front exists");
            self.dispatch(p);
        }
    }

    /// Puts one command on the wire.
    fn dispatch(&mut self, p: Pending) {
        let Pending { tag, mut command, streaming, internal, sasl, idle_user_tag } = p;
        if !state::allowed_in(&command, self.state) {
            let e = UsageError::WrongState { command: command.name(), state: self.state };
            self.complete(idle_user_tag.unwrap_or(tag), internal, Err(CommandError::NotSent(e)));
            return;
        }
        if self.caps_known {
            if let Some(capability) = state::missing_capability(&command, &self.caps) {
                let e = UsageError::MissingCapability { command: command.name(), capability };
                self.complete(idle_user_tag.unwrap_or(tag), internal, Err(CommandError::NotSent(e)));
                return;
            }
        }
        let mut sasl_run = None;
        let mut deferred_ir = None;
        if let Command::Authenticate { initial_response, .. } = &mut command {
            let sasl_ir = self.caps.has(&Capability::SaslIr) || self.caps.is_rev2();
            match sasl {
                Some(mut mech) => {
                    // Without SASL-IR the mechanism answers the first
                    // (empty) challenge with its initial response.
                    if sasl_ir {
                        *initial_response = mech.initial_response();
                    }
                    sasl_run = Some(Sasl::Mechanism(mech));
                }
                None => {
                    if !sasl_ir {
                        deferred_ir = initial_response.take();
                    }
                    sasl_run = Some(Sasl::Interactive { waiting: false });
                }
            }
        }
        let encoded = match encode_command(&tag, &command, &self.encode_context()) {
            Ok(e) => e,
            Err(e) => {
                self.complete(idle_user_tag.unwrap_or(tag), internal, Err(CommandError::NotSent(e.into())));
                return;
            }
        };
        if self.trace.enabled() {
            let redacted = redact(&command);
            let shown = encode_command(&tag, redacted.as_ref().unwrap_or(&command), &self.encode_context())
                .map(|e| trace::render(&e.to_vec()))
                .unwrap_or_default();
            self.trace.push(Direction::Sent, shown);
        }
        let collector = Collector::for_command(&command, streaming);
        let idle = matches!(command, Command::Idle).then(|| IdleRun {
            phase: IdlePhase::Starting,
            // A refresh keeps the application's tag and reports nothing new.
            refreshing: idle_user_tag.is_some(),
            user_tag: idle_user_tag.unwrap_or_else(|| tag.clone()),
            stop: false,
            since: None,
        });
        let mut unsent: VecDeque<Fragment> = encoded.into_fragments().into();
        self.send_until_sync(&mut unsent);
        self.in_flight.push(InFlight {
            tag,
            command,
            collector,
            internal,
            unsent,
            sasl: sasl_run,
            deferred_ir,
            sasl_error: None,
            idle,
        });
    }

    /// Sends fragments up to (not including) the next synchronising literal.
    fn send_until_sync(&mut self, unsent: &mut VecDeque<Fragment>) {
        while let Some(f) = unsent.front() {
            match f {
                Fragment::Literal { sync: true, .. } => return,
                Fragment::Line(b) | Fragment::Literal { data: b, .. } => {
                    let b = b.clone();
                    unsent.pop_front();
                    self.send(b);
                }
            }
        }
    }

    /// Frames and handles every complete response buffered.
    fn process_input(&mut self) {
        loop {
            if self.closed.is_some() || self.switching != Switching::None {
                return;
            }
            if self.events.len() >= self.config.max_pending_events {
                return;
            }
            match self.framer.next_frame() {
                Ok(None) => return,
                Ok(Some(Frame::Response(raw))) => {
                    // A `+` for a SASL exchange is traced redacted when handled.
                    let sasl_challenge = raw.first() == Some(&b'+')
                        && self.in_flight.iter().all(|f| f.unsent.is_empty())
                        && self.in_flight.iter().any(|f| f.sasl.is_some());
                    if !sasl_challenge {
                        self.trace.push_wire(Direction::Received, &raw);
                    }
                    let parsed = if self.enabled.has(&Capability::Utf8Accept) {
                        crate::parse::parse_response_utf8(&raw, &self.config.parse)
                    } else {
                        crate::parse::parse_response(&raw, &self.config.parse)
                    };
                    match parsed {
                        Ok(response) => self.handle_response(response),
                        Err(e) => self.handle_malformed(e, &raw),
                    }
                }
                Ok(Some(Frame::Skipped(limit))) => {
                    self.events.push_back(Event::ResponseError(ResponseError::Limit(limit)));
                }
                Err(e) => {
                    self.fail(ConnectionError::Framing(e));
                    return;
                }
            }
        }
    }

    /// A response that does not parse is reported and dropped; if it looks
    /// like the completion of a command in flight, that command completes
    /// with what can be read of it, so it never hangs.
    fn handle_malformed(&mut self, error: ResponseError, raw: &Bytes) {
        self.events.push_back(Event::ResponseError(error));
        let mut words = raw.splitn(3, |&c| c == b' ');
        let (Some(tag), Some(kind)) = (words.next(), words.next()) else { return };
        let kind = kind.strip_suffix(b"\r\n").unwrap_or(kind);
        let kind = if kind.eq_ignore_ascii_case(b"OK") {
            StatusKind::Ok
        } else if kind.eq_ignore_ascii_case(b"NO") {
            StatusKind::No
        } else if kind.eq_ignore_ascii_case(b"BAD") {
            StatusKind::Bad
        } else {
            return;
        };
        if tag == b"*" || tag == b"+" {
            return;
        }
        if self.in_flight.iter().any(|f| f.tag.as_bytes() == tag) {
            let text = words.next().map(|t| ByteStr::from(String::from_utf8_lossy(t).trim_end().to_owned()));
            let status = Status {
                tag: Some(Tag::from_parsed(Bytes::copy_from_slice(tag))),
                kind,
                code: None,
                text: text.unwrap_or_default(),
            };
            self.handle_tagged(status);
        }
    }

    fn handle_response(&mut self, response: Response) {
        match response {
            Response::Continue(c) => self.handle_continue(c),
            Response::Status(s) if s.tag.is_some() => self.handle_tagged(s),
            Response::Status(s) => self.handle_untagged_status(s),
            Response::Data(d) => self.handle_data(d),
        }
    }

    /// `+`: goes to the literal waiting for it, else a running AUTHENTICATE,
    /// else a starting IDLE; anything else is a protocol error.
    fn handle_continue(&mut self, cont: Continue) {
        if let Some(i) = self.in_flight.iter().position(|f| !f.unsent.is_empty()) {
            let mut unsent = std::mem::take(&mut self.in_flight[i].unsent);
            if let Some(Fragment::Literal { data, .. }) = unsent.pop_front() {
                self.send(data);
            }
            self.send_until_sync(&mut unsent);
            self.in_flight[i].unsent = unsent;
            if self.in_flight[i].unsent.is_empty() {
                self.pump();
            }
            return;
        }
        if let Some(i) = self.in_flight.iter().position(|f| f.sasl.is_some()) {
            self.handle_sasl_challenge(i, cont);
            return;
        }
        if let Some(f) = self
            .in_flight
            .iter_mut()
            .find(|f| f.idle.as_ref().is_some_and(|r| r.phase == IdlePhase::Starting))
        {
            let run = f.idle.as_mut().expect("found above");
            run.phase = IdlePhase::Idling;
            run.since = self.now;
            let first = !run.refreshing;
            run.refreshing = false;
            let user_tag = run.user_tag.clone();
            if first && !f.internal {
                self.events.push_back(Event::IdleStarted { tag: user_tag });
            }
            // Someone asked to stop before the server even accepted.
            self.pump();
            return;
        }
        self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedContinuation));
    }

    fn handle_sasl_challenge(&mut self, i: usize, cont: Continue) {
        let tag = self.in_flight[i].tag.clone();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(cont.text.as_bytes().trim_ascii())
            .unwrap_or_default();
        self.trace.push(Direction::Received, "+ <SASL challenge>".into());
        if let Some(ir) = self.in_flight[i].deferred_ir.take() {
            self.trace.push(Direction::Sent, "<SASL response>".into());
            self.send(encode_sasl_response(Some(ir.expose_secret())));
            return;
        }
        match self.in_flight[i].sasl.as_mut() {
            Some(Sasl::Mechanism(mech)) => {
                let answer = mech.respond(&decoded);
                self.trace.push(Direction::Sent, "<SASL response>".into());
                match answer {
                    Ok(r) => self.send(encode_sasl_response(Some(r.expose_secret()))),
                    Err(e) => {
                        self.in_flight[i].sasl_error = Some(e.0);
                        self.send(encode_sasl_response(None));
                    }
                }
            }
            Some(Sasl::Interactive { waiting }) => {
                *waiting = true;
                self.events.push_back(Event::SaslChallenge { tag, data: Bytes::from(decoded) });
            }
            None => {}
        }
    }

    fn handle_tagged(&mut self, status: Status) {
        let Some(tag) = status.tag.clone() else { return };
        let Some(i) = self.in_flight.iter().position(|f| f.tag == tag) else {
            self.events.push_back(Event::ProtocolError(ProtocolError::UnknownTag(tag)));
            return;
        };
        let f = self.in_flight.remove(i);
        if let Some(ResponseCode::Capability(c)) = &status.code {
            self.caps = c.clone();
            self.caps_known = true;
        }
        match status.kind {
            StatusKind::Ok => self.command_succeeded(f, status),
            // Some servers (wp.pl) answer LOGOUT with a tagged BYE: that is
            // the logout succeeding.
            StatusKind::Bye if matches!(f.command, Command::Logout) => {
                let status = Status { kind: StatusKind::Ok, ..status };
                self.command_succeeded(f, status);
            }
            StatusKind::Bye => {
                let err = ConnectionError::Bye(status.text.clone());
                // A refreshed IDLE reports on the tag the application knows.
                let tag = f.idle.as_ref().map_or(f.tag, |r| r.user_tag.clone());
                self.complete(tag, f.internal, Err(CommandError::Connection(err.clone())));
                self.fail(err);
            }
            _ => {
                self.state = state::after_failure(&f.command, self.state);
                if matches!(f.command, Command::Select { .. } | Command::Examine { .. }) {
                    self.mailbox = None;
                }
                let err = if let Some(reason) = f.sasl_error {
                    // We cancelled the exchange: our reason, not the server's answer to `*`.
                    CommandError::Sasl(reason)
                } else if status.kind == StatusKind::No {
                    CommandError::No { code: status.code, text: status.text }
                } else {
                    CommandError::Bad { code: status.code, text: status.text }
                };
                let tag = f.idle.as_ref().map_or(f.tag, |r| r.user_tag.clone());
                self.complete(tag, f.internal, Err(err));
            }
        }
        self.pump();
    }

    fn command_succeeded(&mut self, f: InFlight, status: Status) {
        let InFlight { tag, command, collector, internal, sasl, idle, sasl_error, .. } = f;
        if let Some(reason) = sasl_error {
            self.complete(tag, internal, Err(CommandError::Sasl(reason)));
            return;
        }
        if let Some(Sasl::Mechanism(mut mech)) = sasl {
            if let Err(e) = mech.verify_success() {
                // The server did not prove itself: do not treat the session
                // as authenticated.
                self.complete(tag, internal, Err(CommandError::Sasl(e.0)));
                return;
            }
        }
        if let Some(run) = idle {
            // A command enqueued during the refresh ends IDLE instead.
            if run.refreshing && !run.stop && self.queue.is_empty() {
                // Re-issue IDLE under a new tag; the application keeps its own.
                let new_tag = self.next_tag();
                self.queue.push_front(Pending {
                    tag: new_tag,
                    command: Command::Idle,
                    streaming: false,
                    internal,
                    sasl: None,
                    idle_user_tag: Some(run.user_tag),
                });
                return;
            }
            let output = collector.finish(&status);
            self.complete(run.user_tag, internal, Ok(Completion { status, output }));
            return;
        }
        self.state = state::after_success(&command, self.state);
        let output = collector.finish(&status);
        match (&command, &output) {
            // RFC 9051 6.2: capabilities may change with authentication.
            (Command::Login { .. } | Command::Authenticate { .. }, Output::Authenticated(None)) => {
                self.caps = Capabilities::new();
                self.caps_known = false;
                self.queue_internal(Command::Capability);
            }
            (Command::Select { .. } | Command::Examine { .. }, Output::Select(r)) => {
                self.mailbox = Some(r.mailbox.clone());
            }
            (Command::Close | Command::Unselect, _) => self.mailbox = None,
            (Command::Capability, Output::Capabilities(c)) => {
                self.caps = c.clone();
                self.caps_known = true;
            }
            (Command::Enable(_), Output::Enabled(e)) => {
                for c in e.iter() {
                    self.enabled.insert(c.clone());
                }
            }
            (Command::Logout, _) => {
                self.complete(tag, internal, Ok(Completion { status, output }));
                self.events.push_back(Event::LoggedOut);
                self.outbound.clear();
                return;
            }
            (Command::StartTls, _) => {
                let leftover = self.framer.take_unframed();
                if !leftover.is_empty() {
                    self.complete(tag, internal, Ok(Completion { status, output }));
                    self.fail(ConnectionError::StartTlsInjection(leftover.len()));
                    return;
                }
                self.caps = Capabilities::new();
                self.caps_known = false;
                self.switching = Switching::StartTls;
                self.complete(tag, internal, Ok(Completion { status, output }));
                self.events.push_back(Event::Switch(Switch::StartTls));
                return;
            }
            #[cfg(feature = "compress")]
            (Command::Compress, _) => {
                // Everything after this OK, already buffered or not, is compressed.
                let leftover = self.framer.take_unframed();
                let mut inflater = crate::ext::compress::Inflater::new();
                let framer = &mut self.framer;
                let result = inflater.inflate(&leftover, |plain| framer.push(plain));
                self.inflater = Some(inflater);
                self.outbound.start_compression();
                self.complete(tag, internal, Ok(Completion { status, output }));
                if let Err(e) = result {
                    self.fail(ConnectionError::Compression(e));
                }
                return;
            }
            _ => {}
        }
        self.complete(tag, internal, Ok(Completion { status, output }));
    }

    fn complete(&mut self, tag: Tag, internal: bool, result: Result<Completion, CommandError>) {
        if !internal {
            self.events.push_back(Event::Completed { tag, result });
        }
    }

    fn handle_untagged_status(&mut self, status: Status) {
        if self.state == StateName::Greeting {
            match status.kind {
                StatusKind::Ok | StatusKind::PreAuth => {
                    self.state = if status.kind == StatusKind::Ok {
                        StateName::NotAuthenticated
                    } else {
                        StateName::Authenticated
                    };
                    match &status.code {
                        Some(ResponseCode::Capability(c)) => {
                            self.caps = c.clone();
                            self.caps_known = true;
                        }
                        _ => self.queue_internal(Command::Capability),
                    }
                    self.events.push_back(Event::Greeting(status));
                    self.pump();
                }
                StatusKind::Bye => self.fail(ConnectionError::Refused(status.text)),
                _ => self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedGreeting)),
            }
            return;
        }
        match status.kind {
            StatusKind::Bye => {
                if self.in_flight.iter().any(|f| matches!(f.command, Command::Logout)) {
                    self.logout_bye = true;
                    return;
                }
                self.fail(ConnectionError::Bye(status.text));
                return;
            }
            StatusKind::PreAuth => {
                self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedGreeting));
                return;
            }
            _ => {}
        }
        if let Some(code) = &status.code {
            match code {
                ResponseCode::Capability(c) => {
                    self.caps = c.clone();
                    self.caps_known = true;
                }
                code if !self.selecting() => {
                    if let Some(m) = self.mailbox.as_mut() {
                        m.apply_code(code);
                    }
                }
                _ => {}
            }
        }
        self.route(Response::Status(status));
    }

    /// Whether a SELECT or EXAMINE is in flight (untagged data then
    /// describes the mailbox being selected, not the current one).
    fn selecting(&self) -> bool {
        self.in_flight.iter().any(|f| matches!(f.command, Command::Select { .. } | Command::Examine { .. }))
    }

    fn handle_data(&mut self, data: Data) {
        if self.state == StateName::Greeting {
            self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedGreeting));
            return;
        }
        match &data {
            Data::Capability(c) => {
                self.caps = c.clone();
                self.caps_known = true;
            }
            Data::Enabled(c) => {
                for cap in c.iter() {
                    self.enabled.insert(cap.clone());
                }
            }
            _ => {}
        }
        if !self.selecting() {
            if let Some(m) = self.mailbox.as_mut() {
                match &data {
                    Data::Exists(n) => m.exists = *n,
                    Data::Recent(n) => m.recent = *n,
                    Data::Flags(f) => m.flags = f.clone(),
                    Data::Expunge(n) => {
                        if *n == 0 || *n > m.exists {
                            self.events.push_back(Event::ProtocolError(ProtocolError::BadExpunge(*n)));
                        } else {
                            m.exists -= 1;
                        }
                    }
                    Data::Vanished { earlier: false, uids } => {
                        let gone = uids.count().unwrap_or(0).min(u64::from(m.exists)) as u32;
                        m.exists -= gone;
                    }
                    Data::Fetch(f) => {
                        if let Some(modseq) = f.modseq() {
                            m.highest_modseq = Some(m.highest_modseq.unwrap_or(0).max(modseq));
                        }
                    }
                    _ => {}
                }
            }
        }
        self.route(Response::Data(data));
    }

    /// Gives an untagged response to the first in-flight command that
    /// claims it, or reports it as unsolicited.
    fn route(&mut self, response: Response) {
        let exists = self.mailbox.as_ref().map_or(0, |m| m.exists);
        for f in &mut self.in_flight {
            let ctx = RouteCtx { tag: &f.tag, exists };
            if f.collector.claims(&response, &ctx) {
                if f.collector.streams() {
                    if let Response::Data(Data::Fetch(fetch)) = response {
                        f.collector.count_streamed();
                        self.events.push_back(Event::Fetched { tag: f.tag.clone(), fetch });
                        return;
                    }
                }
                f.collector.accept(response);
                return;
            }
        }
        self.push_unsolicited(response);
    }

    /// Queues an unsolicited response; a new EXISTS or RECENT replaces one
    /// still waiting at the back of the queue (only the latest count
    /// matters), so a flood of them cannot grow memory.
    fn push_unsolicited(&mut self, response: Response) {
        if let Response::Data(new @ (Data::Exists(_) | Data::Recent(_))) = &response {
            // Look through the trailing run of counts: servers send them in
            // EXISTS + RECENT pairs.
            let run = self
                .events
                .iter()
                .rev()
                .take_while(|e| {
                    matches!(e, Event::Unsolicited(Response::Data(Data::Exists(_) | Data::Recent(_))))
                })
                .count();
            let start = self.events.len() - run;
            let same = (start..self.events.len()).find(|&i| {
                matches!(&self.events[i], Event::Unsolicited(Response::Data(old))
                    if std::mem::discriminant(old) == std::mem::discriminant(new))
            });
            if let Some(i) = same {
                self.events.remove(i);
            }
        }
        self.events.push_back(Event::Unsolicited(response));
    }

    /// Ends the session: every command still queued or in flight fails with
    /// `err` (each exactly once), nothing more is sent, and
    /// [`Event::ConnectionLost`] is delivered once.
    fn fail(&mut self, err: ConnectionError) {
        if self.closed.is_some() {
            return;
        }
        self.closed = Some(err.clone());
        self.state = StateName::Logout;
        self.outbound.clear();
        let in_flight = std::mem::take(&mut self.in_flight);
        for f in in_flight {
            let tag = f.idle.as_ref().map_or(f.tag, |r| r.user_tag.clone());
            self.complete(tag, f.internal, Err(CommandError::Connection(err.clone())));
        }
        let queue = std::mem::take(&mut self.queue);
        for p in queue {
            let tag = p.idle_user_tag.unwrap_or(p.tag);
            self.complete(tag, p.internal, Err(CommandError::Connection(err.clone())));
        }
        self.events.push_back(Event::ConnectionLost(err));
    }
}

/// Whether `next` must wait for `running` (pipelining rules, RFC 9051
/// section 5.5).
fn blocks(running: &Command, next: &Command) -> bool {
    if state::is_barrier(running) || state::is_barrier(next) {
        return true;
    }
    if state::uses_sequence_numbers(next) && state::may_expunge(running) {
        return true;
    }
    let a = state::data_kinds(running);
    let b = state::data_kinds(next);
    a.iter().any(|x| b.iter().any(|y| x.conflicts(y)))
}

/// A copy of the command with credentials replaced, for the trace.
fn redact(cmd: &Command) -> Option<Command> {
    match cmd {
        Command::Login { username, .. } => Some(Command::Login {
            username: username.clone(),
            password: Secret::new(ByteStr::from_static("<password>")),
        }),
        Command::Authenticate { mechanism, initial_response: Some(_) } => Some(Command::Authenticate {
            mechanism: mechanism.clone(),
            initial_response: Some(Secret::new(b"<redacted>".to_vec())),
        }),
        _ => None,
    }
}

fn synthetic_ok(text: &'static str) -> Status {
    Status { tag: None, kind: StatusKind::Ok, code: None, text: ByteStr::from_static(text) }
}
