//! [`Client`]: one connection's sans-I/O protocol engine, split by concern:
//!
//! | file | concern |
//! | --- | --- |
//! | `admission` | submit: checks, tags, slots; abandon |
//! | `scheduler` | the queue and the wire: pipelining, dispatch |
//! | `inbound` | bytes in: framing, parsing, malformed responses, EOF |
//! | `routing` | untagged data: greeting, bookkeeping, to whom it belongs |
//! | `completion` | tagged responses: state moves, readiness |
//! | `delivery` | results kept until taken; backpressure |
//! | `plans` | compound operations |
//! | `idle`, `sasl`, `switch` | IDLE, AUTHENTICATE, STARTTLS / COMPRESS |
//! | `timers` | response timeout, IDLE refresh |
//! | `failure` | the end of the session |
//! | `outbound`, `trace` | bytes out; the redacted trace |

mod admission;
mod completion;
mod delivery;
mod failure;
mod idle;
mod inbound;
mod outbound;
mod plans;
mod routing;
mod sasl;
mod scheduler;
mod switch;
mod tally;
mod timers;
mod trace;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

pub use trace::{Direction, TraceLine};

use self::delivery::Slot;
use self::outbound::Outbound;
use self::scheduler::Owner;
use self::trace::Trace;
use crate::config::ParseOptions;
use crate::error::{CommandError, ConnectionError};
use crate::event::Event;
use crate::parse::Framer;
use crate::request::{CommandId, Completion, MailboxInfo};
use crate::state::{LogoutPhase, StateName, Switching};
use crate::types::{Capabilities, Status};

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
    /// is awaited. IDLE is exempt. Progress is a response for a command,
    /// part of a response still arriving, or a keepalive; bytes dropped
    /// for breaking a [`Limits`](crate::Limits) and a flood of unsolicited
    /// data (over 1,000 responses in a row) are not, so a server that
    /// streams without ever answering still times out. Default 60 s;
    /// `None` disables.
    pub response_timeout: Option<Duration>,
    /// Re-issue IDLE this often (RFC 2177 asks for less than 30 minutes).
    /// Default 29 minutes.
    pub idle_refresh: Duration,
    /// Lines kept in the redacted trace; 0 disables it. Default 20.
    pub trace_lines: usize,
    /// The live protocol log (imaplib's `debug`, imaplib2's `debug_file`):
    /// every line sent and received, redacted as the trace is (passwords
    /// and SASL data never appear, literal data shows as `<N bytes>`,
    /// lines cut at 16 KiB), queued as it passes until the driver takes it
    /// with [`Client::poll_log`] to write it out. Default off.
    pub protocol_log: bool,
    /// Most bytes of text the live log holds until taken (each line also
    /// counts 64 bytes). When it is full the oldest lines are dropped and
    /// counted ([`Client::log_dropped`]): a log nobody takes costs at most
    /// this much. Default 4 MiB, more than the lines of any one read (a
    /// driver that drains the log after each input loses nothing).
    pub protocol_log_limit: usize,
    /// When this many events, results and streamed messages wait to be
    /// taken, [`Client::wants_read`] turns false until the application
    /// takes some (backpressure). Default 10,000.
    pub max_pending_events: usize,
    /// The same for the bytes of streamed FETCH messages waiting to be
    /// taken ([`Client::take_fetched`]): at this many, reading stops until
    /// the application takes some. One message always gets through, so a
    /// streaming FETCH holds about one message (or this much of small ones)
    /// however fast the server sends. Default 1 MiB.
    pub max_pending_bytes: usize,
    /// Send `ENABLE UTF8=ACCEPT` (RFC 6855) as soon as the session is
    /// authenticated, when the server offers UTF8=ACCEPT: mailbox names
    /// then go both ways as UTF-8 instead of modified UTF-7, and quoted
    /// strings may carry UTF-8. The login (or PREAUTH) completes once the
    /// ENABLE has; whether it took is [`Client::enabled`]. Default off:
    /// some servers misbehave with it.
    pub utf8_accept: bool,
    /// Whether the typed API ([`Commands`](crate::Commands)) addresses
    /// messages by UID (the default, as IMAPClient) or by sequence number.
    pub use_uid: bool,
    /// Automatic IDLE (as ImapFlow does): once a mailbox is selected and
    /// nothing has been asked for this long, the engine enters IDLE by
    /// itself, so news arrives as [`Event::Unsolicited`] at once; a request
    /// ends it with DONE and it resumes when the session is quiet again.
    /// `None` (the default) disables it. The engine's IDLE never becomes a
    /// request of the application's.
    pub auto_idle: Option<Duration>,
    /// Give the receive buffer back once the connection has made no
    /// progress for this long and no response is partly received
    /// ([`Client::release_buffers`], done by
    /// [`handle_timeout`](Client::handle_timeout)): the next read starts
    /// with a small area again. For drivers that hold many mostly idle
    /// connections (imap-mio sets 1 s). Not sooner: a buffer given back
    /// after every command would make each large FETCH fault its memory in
    /// afresh. `None` (the default) keeps the buffer.
    pub release_buffers_after: Option<Duration>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            tag_prefix: "A".to_owned(),
            parse: ParseOptions::default(),
            response_timeout: Some(Duration::from_secs(60)),
            idle_refresh: Duration::from_secs(29 * 60),
            trace_lines: 20,
            protocol_log: false,
            protocol_log_limit: 4 << 20,
            max_pending_events: 10_000,
            max_pending_bytes: 1 << 20,
            use_uid: true,
            auto_idle: None,
            utf8_accept: false,
            release_buffers_after: None,
        }
    }
}

/// One connection's IMAP protocol engine, without I/O.
///
/// The engine never touches a socket, a thread or a clock. A driver feeds
/// it bytes and time, and moves the bytes it produces. Four families of
/// methods:
///
/// - **requests**: [`submit`](Self::submit) a [`Request`](crate::request::Request)
///   (the engine assigns the tag and keeps the result),
///   [`abandon`](Self::abandon), [`idle`](Self::idle) /
///   [`idle_done`](Self::idle_done), [`sasl_respond`](Self::sasl_respond);
///   results come out with [`take`](Self::take) and
///   [`take_fetched`](Self::take_fetched).
/// - **inputs**: [`handle_input`](Self::handle_input) (any split of the
///   stream), [`handle_eof`](Self::handle_eof),
///   [`handle_timeout`](Self::handle_timeout) (the only way time enters),
///   [`handle_switched`](Self::handle_switched) (after a STARTTLS handshake).
/// - **outputs**: [`poll_transmit`](Self::poll_transmit) +
///   [`advance_transmit`](Self::advance_transmit) (owned chunks, partial
///   writes), [`poll_timeout`](Self::poll_timeout), [`poll_event`](Self::poll_event),
///   [`poll_log`](Self::poll_log) (the live protocol log, when on).
/// - **getters**: [`state`](Self::state), [`greeting`](Self::greeting),
///   [`capabilities`](Self::capabilities),
///   [`mailbox`](Self::mailbox), [`wants_read`](Self::wants_read),
///   [`wants_write`](Self::wants_write), [`trace`](Self::trace).
///
/// **Call order.** Call `handle_timeout(now)` once at the start (the clock
/// starts there). After every request or input: write out everything
/// `poll_transmit` gives, then drain `poll_event` (waking whoever waits
/// for each [`Event::Ready`] id), then call `handle_timeout(now)` and arm a
/// timer for `poll_timeout`. Polling events and taking results never
/// produce bytes to send, except that taking what backpressure held may let
/// buffered responses through (which can queue commands): after
/// `take`/`poll_event`, check `poll_transmit` again before sleeping. Read
/// only while `wants_read` is true. With the protocol log on, drain
/// `poll_log` with the events.
///
/// ```
/// use imap_core::{request, Client, ClientConfig, Event};
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
/// assert!(matches!(client.poll_event(), Some(Event::Greeting(_))));
///
/// let login = client.submit(request::login("alice", "secret")).unwrap();
/// let out = client.poll_transmit().unwrap();
/// assert_eq!(&out[..], b"A1 LOGIN alice \"secret\"\r\n"); // passwords are never atoms
/// client.advance_transmit(out.len());
///
/// client.handle_input(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n");
/// assert_eq!(client.poll_event(), Some(Event::Ready(login.id())));
/// assert_eq!(client.take(&login), Some(Ok(())));
/// assert_eq!(client.state(), imap_core::types::StateName::Authenticated);
/// ```
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    framer: Framer,
    state: StateName,
    switching: Switching,
    logout: LogoutPhase,
    caps: Capabilities,
    /// False after STARTTLS or a login without a CAPABILITY code, until the
    /// engine's own CAPABILITY completes.
    caps_known: bool,
    enabled: Capabilities,
    mailbox: Option<MailboxInfo>,
    next_tag: u64,
    /// `next_tag` went past `u64::MAX` and started again at 1.
    tags_wrapped: bool,
    next_id: u64,
    queue: tally::CommandQueue,
    in_flight: tally::InFlightList,
    outbound: Outbound,
    events: VecDeque<Event>,
    /// Results and streamed messages waiting to be taken, by request.
    slots: HashMap<CommandId, Slot>,
    /// Items in `slots` (backpressure).
    waiting_items: usize,
    /// Bytes (as received) of the streamed messages among them.
    waiting_bytes: usize,
    /// Results ready but for the capabilities that follow them (and for
    /// the engine's `ENABLE UTF8=ACCEPT`).
    held: Vec<(Owner, Result<Completion, CommandError>)>,
    /// The engine's `ENABLE UTF8=ACCEPT` was queued this session.
    utf8_asked: bool,
    #[cfg(feature = "compress")]
    inflater: Option<crate::ext::compress::Inflater>,
    /// Where compressed input is read into (see `input_buffer`).
    #[cfg(feature = "compress")]
    staging: Vec<u8>,
    closed: Option<ConnectionError>,
    now: Option<Instant>,
    progress: u64,
    progress_seen: u64,
    last_progress: Option<Instant>,
    /// Responses framed so far, and how many in a row were unsolicited (see
    /// `inbound::count_progress`).
    frames: u64,
    unsolicited_run: u32,
    /// The size of the response being handled.
    frame_len: u64,
    /// Since when the session has been quiet (for automatic IDLE).
    quiet_since: Option<Instant>,
    /// The server refused an automatic IDLE: not again until the next
    /// SELECT.
    auto_idle_refused: bool,
    /// The server's greeting (OK or PREAUTH).
    greeting: Option<Status>,
    trace: Trace,
}

impl Client {
    /// A new engine, waiting for the server's greeting.
    pub fn new(config: ClientConfig) -> Self {
        let mut trace = Trace::new(config.trace_lines);
        if config.protocol_log {
            trace.set_log(Some(config.protocol_log_limit));
        }
        Self {
            framer: Framer::new(config.parse.limits),
            trace,
            config,
            state: StateName::Greeting,
            switching: Switching::None,
            logout: LogoutPhase::None,
            caps: Capabilities::new(),
            caps_known: false,
            enabled: Capabilities::new(),
            mailbox: None,
            next_tag: 1,
            tags_wrapped: false,
            next_id: 0,
            queue: tally::CommandQueue::default(),
            in_flight: tally::InFlightList::default(),
            outbound: Outbound::default(),
            events: VecDeque::new(),
            slots: HashMap::new(),
            waiting_items: 0,
            waiting_bytes: 0,
            held: Vec::new(),
            utf8_asked: false,
            #[cfg(feature = "compress")]
            inflater: None,
            #[cfg(feature = "compress")]
            staging: Vec::new(),
            closed: None,
            now: None,
            progress: 0,
            progress_seen: 0,
            last_progress: None,
            frames: 0,
            unsolicited_run: 0,
            frame_len: 0,
            quiet_since: None,
            auto_idle_refused: false,
            greeting: None,
        }
    }

    // ---------------------------------------------------------------- getters

    /// The session state.
    pub fn state(&self) -> StateName {
        self.state
    }

    /// The server's greeting, once received: `* OK` or `* PREAUTH` with its
    /// response code and text (RFC 9051 section 7.1; IMAPClient's `welcome`).
    /// A greeting of BYE ends the session with
    /// [`ConnectionError::Refused`], which carries its text.
    pub fn greeting(&self) -> Option<&Status> {
        self.greeting.as_ref()
    }

    /// The server's capabilities as last announced.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Whether the capabilities are current (false while a login or a
    /// STARTTLS is under way, until the engine has read them again).
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

    /// Whether the typed API addresses messages by UID
    /// ([`ClientConfig::use_uid`]).
    pub fn use_uid(&self) -> bool {
        self.config.use_uid
    }

    /// Chooses UIDs (true) or sequence numbers for the typed API.
    pub fn set_use_uid(&mut self, use_uid: bool) {
        self.config.use_uid = use_uid;
    }

    /// Turns automatic IDLE on (after `delay` of quiet) or off
    /// ([`ClientConfig::auto_idle`]). Turning it off ends a running
    /// automatic IDLE.
    pub fn set_auto_idle(&mut self, delay: Option<Duration>) {
        self.config.auto_idle = delay;
        if delay.is_none() {
            self.end_auto_idle();
        }
    }

    /// Whether the driver should read from the transport: false once the
    /// session is over, during a STARTTLS switch, and while too many events,
    /// results and messages wait to be taken (backpressure).
    pub fn wants_read(&self) -> bool {
        !self.is_closed() && !self.is_switching() && !self.held_back()
    }

    /// Whether [`poll_transmit`](Self::poll_transmit) has bytes.
    pub fn wants_write(&self) -> bool {
        !self.outbound.is_empty()
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some() || self.logged_out_cleanly()
    }

    /// The error that ended the connection, if one did.
    pub fn connection_error(&self) -> Option<&ConnectionError> {
        self.closed.as_ref()
    }

    /// The last lines exchanged, redacted (credentials and SASL data never
    /// appear), oldest first. For error reports.
    pub fn trace(&self) -> impl Iterator<Item = TraceLine> + '_ {
        self.trace.lines()
    }

    /// The [`trace`](Self::trace) as text, one `C: ...` or `S: ...` line
    /// each, to attach to a bug report.
    pub fn trace_text(&self) -> String {
        self.trace().map(|l| format!("{l}\n")).collect()
    }

    /// A report of the error that ended the connection, with the last lines
    /// exchanged before it (redacted), for a driver to attach to the error
    /// it returns or logs; `None` while the connection lives (and after a
    /// clean LOGOUT).
    ///
    /// ```
    /// use imap_core::{Client, ClientConfig};
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    /// client.handle_input(b"* BYE shutting down\r\n");
    /// let report = client.failure_report().unwrap();
    /// assert!(report.starts_with("the server closed the connection: shutting down\n"));
    /// assert!(report.ends_with("S: * BYE shutting down\n"));
    /// ```
    pub fn failure_report(&self) -> Option<String> {
        let error = self.closed.as_ref()?;
        Some(format!("{error}\nlast lines exchanged (redacted):\n{}", self.trace_text()))
    }

    /// Lines the live protocol log dropped because they were not taken in
    /// time ([`ClientConfig::protocol_log_limit`]); a driver that writes
    /// the log out can note the gap when this grows.
    pub fn log_dropped(&self) -> u64 {
        self.trace.log_dropped()
    }

    /// Requests submitted and not yet ready (a compound operation counts
    /// once).
    pub fn pending_commands(&self) -> usize {
        self.user_commands()
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

    // ---------------------------------------------------------------- outputs

    /// Bytes to write to the transport, if any: an owned chunk (a cheap
    /// reference into the engine's queue), so a driver can write it without
    /// holding the engine borrowed. Write as much as the transport takes,
    /// then report it with [`advance_transmit`](Self::advance_transmit);
    /// until then the same bytes come again.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
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

    /// The next line of the live protocol log
    /// ([`ClientConfig::protocol_log`]), oldest first: every line sent and
    /// received, redacted. `None` when no line waits or the log is off.
    /// Drain it after each input or request (with the events) and write
    /// the lines out as they come.
    #[must_use]
    pub fn poll_log(&mut self) -> Option<TraceLine> {
        self.trace.pop_log()
    }

    /// Turns the live protocol log on or off
    /// ([`ClientConfig::protocol_log`]); off drops the lines not yet taken.
    pub fn set_protocol_log(&mut self, on: bool) {
        self.config.protocol_log = on;
        self.trace.set_log(on.then_some(self.config.protocol_log_limit));
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front()?;
        self.resume_input();
        Some(event)
    }
}
