//! A hostile server, through bytes only (the public `Client` API).
//!
//! Whatever a server sends, the client ends up with a typed result or a
//! typed error, never a panic, a hang, unbounded memory, a desynchronised
//! stream or a command the application did not ask for. Where the framing
//! survives, the session goes on: each case then completes a NOOP.
//!
//! # What bounds memory
//!
//! - **Receive buffer** (`input_capacity`, `buffered_input`): one partial
//!   response at most, bounded by [`Limits`]: a line by `max_line_len`
//!   (8 MiB), a literal by `max_literal_len` (256 MiB), a whole response by
//!   `max_response_len` (512 MiB). A response that breaks a limit is
//!   reported once (`Event::ResponseError` with a `LimitError`) and the rest
//!   of it is counted out, never buffered; the stream stays framed. A
//!   literal announcement alone never allocates more than 8 MiB ahead. On
//!   top of that the buffer holds the chunk the driver just pushed.
//! - **Nesting** (BODYSTRUCTURE, THREAD, extension data): `max_nesting`
//!   (100) bounds the parser's recursion; deeper known responses are a
//!   typed `LimitError`, deeper unknown responses are kept raw
//!   (`Data::Other`) without being descended into.
//! - **Events** (`pending_events`): untagged EXISTS and RECENT no command
//!   asked for are coalesced (only the latest count waits in the queue), so
//!   a flood of them costs nothing. Other unsolicited data (EXPUNGE, FETCH
//!   flag changes...) is queued; at `max_pending_events` (10,000) the engine
//!   stops parsing and `wants_read()` turns false: a driver that honours it
//!   stops reading, the server is held back by TCP, and memory stays
//!   bounded by that many events plus one read. A driver that ignores it
//!   only grows the receive buffer by what it chooses to push.
//! - **Outbound** (`pending_transmit`): only what the application enqueued
//!   (and the engine's own CAPABILITY, DONE, SASL answers); a server cannot
//!   make the client send anything else, and nothing is sent after a fatal
//!   error.
//!
//! Each case measures these four buffers after every call (what the engine
//! holds between calls) and asserts their peaks; run with `--nocapture` to
//! see them.

use std::time::{Duration, Instant};

use std::collections::HashMap;

use imap_core::request::{self, AnyHandle, Completion};
use imap_core::types::{Command, Data, FetchAttr, Response, SequenceSet, StateName, Tag};
use imap_core::{
    Client, ClientConfig, CommandError, ConnectionError, Event, LimitError, LimitKind, ProtocolError,
    ResponseError, Switch,
};

/// An engine event, with a ready request's result taken at once and named
/// by its tag (what these cases check).
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // a test helper, few values
enum Ev {
    Completed { tag: Tag, result: Result<Completion, CommandError> },
    Unsolicited(Response),
    ResponseError(ResponseError),
    ProtocolError(ProtocolError),
    Switch(Switch),
    ConnectionLost(ConnectionError),
    Other(Event),
}

const CAPS: &str = "IMAP4rev1 LITERAL+ SASL-IR IDLE STARTTLS UNSELECT UIDPLUS AUTH=PLAIN";

/// The largest of each buffer measurement over a case.
#[derive(Debug, Default, Clone, Copy)]
struct Peak {
    input_capacity: usize,
    buffered_input: usize,
    pending_events: usize,
    pending_transmit: usize,
}

/// The client, driven like a driver drives it, with every buffer measured
/// after every call.
struct Session {
    client: Client,
    peak: Peak,
    now: Instant,
    /// Bytes the client sent, not yet checked.
    sent: Vec<u8>,
    /// Every request submitted, by tag.
    handles: HashMap<Tag, AnyHandle>,
}

impl Session {
    fn new(config: ClientConfig) -> Self {
        let mut s = Self {
            client: Client::new(config),
            peak: Peak::default(),
            now: Instant::now(),
            sent: Vec::new(),
            handles: HashMap::new(),
        };
        s.client.handle_timeout(s.now);
        s
    }

    /// Greeted and logged in.
    fn logged_in() -> Self {
        Self::logged_in_with(ClientConfig::default())
    }

    fn logged_in_with(config: ClientConfig) -> Self {
        let mut s = Self::new(config);
        s.input(format!("* OK [CAPABILITY {CAPS}] hostile server ready\r\n").as_bytes());
        assert!(matches!(s.events().as_slice(), [Ev::Other(Event::Greeting(_))]));
        let tag = s.enqueue(Command::login("alice", "secret"));
        s.expect_sent(&format!("{tag} LOGIN alice \"secret\"\r\n"));
        s.input(format!("{tag} OK [CAPABILITY {CAPS}] logged in\r\n").as_bytes());
        s.expect_completed_ok(&tag);
        s
    }

    /// Logged in, INBOX selected with 10 messages.
    fn selected() -> Self {
        let mut s = Self::logged_in();
        let tag = s.enqueue(Command::select("INBOX"));
        s.input(
            format!("* 10 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n{tag} OK [READ-WRITE] selected\r\n")
                .as_bytes(),
        );
        s.expect_completed_ok(&tag);
        s
    }

    fn measure(&mut self) {
        let c = &self.client;
        let p = &mut self.peak;
        p.input_capacity = p.input_capacity.max(c.input_capacity());
        p.buffered_input = p.buffered_input.max(c.buffered_input());
        p.pending_events = p.pending_events.max(c.pending_events());
        p.pending_transmit = p.pending_transmit.max(c.pending_transmit());
    }

    /// Bytes from the server; then, as a driver does on every wake-up,
    /// the current time.
    fn input(&mut self, bytes: &[u8]) {
        self.client.handle_input(bytes);
        self.measure();
        self.flush();
        self.client.handle_timeout(self.now);
    }

    /// Time passes with nothing from the server.
    fn advance(&mut self, secs: u64) {
        self.now += Duration::from_secs(secs);
        self.client.handle_timeout(self.now);
        self.measure();
        self.flush();
    }

    /// Writes out everything to send (as a driver does after each call).
    fn flush(&mut self) {
        while let Some(out) = self.client.poll_transmit() {
            let out = out.to_vec();
            self.client.advance_transmit(out.len());
            self.sent.extend_from_slice(&out);
        }
        self.measure();
    }

    fn enqueue(&mut self, command: Command) -> Tag {
        let handle = self.client.submit(request::command(command)).expect("submit");
        let tag = handle.tag().cloned().expect("a tag");
        self.handles.insert(tag.clone(), handle);
        self.measure();
        self.flush();
        tag
    }

    fn events(&mut self) -> Vec<Ev> {
        let mut out = Vec::new();
        while let Some(e) = self.client.poll_event() {
            out.push(match e {
                Event::Ready(id) => {
                    let (tag, handle) =
                        self.handles.iter().find(|(_, h)| h.id() == id).expect("submitted here");
                    let (tag, handle) = (tag.clone(), handle.clone());
                    let result = self.client.take(&handle).expect("a ready request has a result");
                    Ev::Completed { tag, result }
                }
                Event::Unsolicited(r) => Ev::Unsolicited(r),
                Event::ResponseError(r) => Ev::ResponseError(r),
                Event::ProtocolError(p) => Ev::ProtocolError(p),
                Event::Switch(w) => Ev::Switch(w),
                Event::ConnectionLost(c) => Ev::ConnectionLost(c),
                other => Ev::Other(other),
            });
            self.measure();
        }
        out
    }

    fn expect_sent(&mut self, text: &str) {
        assert_eq!(String::from_utf8_lossy(&self.sent), text);
        self.sent.clear();
    }

    fn expect_nothing_sent(&mut self) {
        self.flush();
        assert!(self.sent.is_empty(), "unexpected output: {:?}", String::from_utf8_lossy(&self.sent));
    }

    fn expect_completed_ok(&mut self, tag: &Tag) {
        let events = self.events();
        let done = events.iter().any(|e| matches!(e, Ev::Completed { tag: t, result: Ok(_) } if t == tag));
        assert!(done, "{tag} did not complete OK: {events:?}");
    }

    /// The session still works: a NOOP goes out and completes.
    fn noop_completes(&mut self) {
        self.sent.clear();
        let tag = self.enqueue(Command::Noop);
        self.expect_sent(&format!("{tag} NOOP\r\n"));
        self.input(format!("{tag} OK NOOP completed\r\n").as_bytes());
        self.expect_completed_ok(&tag);
    }

    /// The session is over with this error: the error arrives once, every
    /// command has completed, nothing more is sent and nothing can be sent.
    fn expect_lost(&mut self, events: &[Ev], tags: &[&Tag]) -> ConnectionError {
        let lost: Vec<&ConnectionError> = events
            .iter()
            .filter_map(|e| if let Ev::ConnectionLost(e) = e { Some(e) } else { None })
            .collect();
        assert_eq!(lost.len(), 1, "{events:?}");
        for tag in tags {
            let n = events
                .iter()
                .filter(|e| matches!(e, Ev::Completed { tag: t, result: Err(CommandError::Connection(_)) } if t == *tag))
                .count();
            assert_eq!(n, 1, "{tag} must fail exactly once: {events:?}");
        }
        assert!(matches!(events.last(), Some(Ev::ConnectionLost(_))), "{events:?}");
        assert!(self.client.poll_transmit().is_none());
        assert!(self.client.poll_timeout().is_none());
        assert!(!self.client.wants_read());
        assert!(self.client.submit(request::noop()).is_err());
        self.client.handle_input(b"* 1 EXISTS\r\n");
        assert!(self.events().is_empty(), "events after the end");
        lost[0].clone()
    }

    fn report(&self, case: &str) {
        eprintln!("{case}: {:?}", self.peak);
    }
}

fn limit_errors(events: &[Ev]) -> Vec<&LimitError> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::ResponseError(ResponseError::Limit(l)) => Some(l),
            _ => None,
        })
        .collect()
}

fn parse_errors(events: &[Ev]) -> usize {
    events.iter().filter(|e| matches!(e, Ev::ResponseError(ResponseError::Parse(_)))).count()
}

fn fetch(set: &str, attrs: Vec<FetchAttr>) -> Command {
    Command::fetch(false, set.parse::<SequenceSet>().expect("set"), attrs)
}

const MIB: usize = 1 << 20;

// ------------------------------------------------------------------ sizes

/// `{99999999999999}`: over the literal limit. Reported at once, without
/// allocating; the announced bytes would be counted out, so the stream
/// stays framed, but no server sends 90 TB: the FETCH ends by the response
/// timeout, with every command completed.
#[test]
fn literal_announced_as_99999999999999() {
    let mut s = Session::selected();
    let tag = s.enqueue(fetch("1", vec![FetchAttr::body_peek()]));
    s.input(b"* 1 FETCH (BODY[] {99999999999999}\r\n");
    let events = s.events();
    let limits = limit_errors(&events);
    assert_eq!(limits.len(), 1, "{events:?}");
    assert_eq!(limits[0].kind, LimitKind::LiteralLength);
    assert_eq!(limits[0].size, 99_999_999_999_999);
    // What follows is literal data, dropped as it comes.
    let junk = vec![b'x'; MIB];
    for _ in 0..4 {
        s.input(&junk);
    }
    assert!(s.events().is_empty());
    assert_eq!(s.client.buffered_input(), 0);
    s.advance(30);
    assert!(s.events().is_empty(), "still waiting");
    s.advance(31);
    let events = s.events();
    let err = s.expect_lost(&events, &[&tag]);
    assert!(matches!(err, ConnectionError::TimedOut(_)), "{err:?}");
    s.report("literal {99999999999999}");
    assert!(s.peak.buffered_input <= MIB, "{:?}", s.peak);
    assert!(s.peak.input_capacity <= 2 * MIB, "{:?}", s.peak);
}

/// A literal length that does not even fit in 64 bits: the stream cannot
/// be framed any more, so the session ends with a typed framing error.
#[test]
fn literal_length_beyond_64_bits() {
    let mut s = Session::selected();
    let tag = s.enqueue(fetch("1", vec![FetchAttr::body_peek()]));
    s.input(b"* 1 FETCH (BODY[] {99999999999999999999999999}\r\n");
    let events = s.events();
    let err = s.expect_lost(&events, &[&tag]);
    assert!(
        matches!(err, ConnectionError::Framing(imap_core::FramingError::LiteralLengthOverflow { .. })),
        "{err:?}"
    );
    s.report("literal length beyond 64 bits");
}

/// A literal over the limit that the server does send in full: skipped,
/// and the session goes on.
#[test]
fn literal_over_the_limit_sent_in_full_is_skipped() {
    let mut config = ClientConfig::default();
    config.parse.limits.max_literal_len = 64 * 1024;
    let mut s = Session::logged_in_with(config);
    let tag = s.enqueue(Command::select("INBOX"));
    s.input(format!("* 3 EXISTS\r\n{tag} OK selected\r\n").as_bytes());
    s.expect_completed_ok(&tag);
    let tag = s.enqueue(fetch("1:2", vec![FetchAttr::body_peek()]));
    s.input(format!("* 1 FETCH (BODY[] {{{}}}\r\n", MIB).as_bytes());
    let chunk = vec![b'y'; 64 * 1024];
    for _ in 0..16 {
        s.input(&chunk);
    }
    s.input(format!(")\r\n* 2 FETCH (BODY[] {{5}}\r\nhello)\r\n{tag} OK fetched\r\n").as_bytes());
    let events = s.events();
    assert_eq!(limit_errors(&events).len(), 1, "{events:?}");
    let Some(Ev::Completed { result: Ok(done), .. }) =
        events.iter().find(|e| matches!(e, Ev::Completed { .. }))
    else {
        panic!("{events:?}")
    };
    let imap_core::request::Output::Fetch(messages) = &done.output else { panic!("{done:?}") };
    assert_eq!(messages.len(), 1, "only the message within the limit");
    assert_eq!(&messages[0].message().expect("body")[..], b"hello");
    s.noop_completes();
    s.report("literal over the limit, sent");
    assert!(s.peak.buffered_input <= 64 * 1024 + 100, "{:?}", s.peak);
}

/// A literal of 1 GiB announced, 1 GiB streamed, then EOF: over the
/// default 256 MiB literal limit, so it is counted out in 1 MiB reads and
/// never buffered; EOF ends the session with every command completed.
#[test]
fn literal_of_one_gib_then_eof() {
    let mut s = Session::selected();
    let tag = s.enqueue(fetch("1", vec![FetchAttr::body_peek()]));
    s.input(b"* 1 FETCH (BODY[] {1073741824}\r\n");
    let chunk = vec![b'z'; MIB];
    for _ in 0..1024 {
        s.input(&chunk);
    }
    s.client.handle_eof();
    let events = s.events();
    let limits = limit_errors(&events);
    assert_eq!(limits.len(), 1, "{events:?}");
    assert_eq!(limits[0].kind, LimitKind::LiteralLength);
    let err = s.expect_lost(&events, &[&tag]);
    assert!(matches!(err, ConnectionError::Eof { mid_response: true }), "the literal was cut short: {err:?}");
    s.report("literal of 1 GiB then EOF");
    assert!(s.peak.buffered_input <= MIB, "{:?}", s.peak);
    assert!(s.peak.input_capacity <= 2 * MIB, "{:?}", s.peak);
}

/// 10 MiB without LF: over the 8 MiB line limit. Reported once, dropped as
/// it comes; when the line finally ends, the session goes on.
#[test]
fn line_with_no_end() {
    let mut s = Session::logged_in();
    let chunk = vec![b'a'; 64 * 1024];
    s.input(b"* OK ");
    for _ in 0..160 {
        s.input(&chunk);
    }
    let events = s.events();
    let limits = limit_errors(&events);
    assert_eq!(limits.len(), 1, "{events:?}");
    assert_eq!(limits[0].kind, LimitKind::LineLength);
    assert!(limits[0].head.len() <= 128);
    s.input(b" and the end\r\n");
    assert!(s.events().is_empty());
    s.noop_completes();
    s.report("10 MiB line");
    // The partial line is kept up to the limit, plus one read.
    assert!(s.peak.buffered_input <= (8 << 20) + 64 * 1024, "{:?}", s.peak);
    assert!(s.peak.input_capacity <= 2 * ((8 << 20) + 64 * 1024), "{:?}", s.peak);
}

// ---------------------------------------------------------------- nesting

fn nested(prefix: &str, depth: usize, suffix: &str) -> Vec<u8> {
    let mut line = prefix.as_bytes().to_vec();
    line.extend(std::iter::repeat_n(b'(', depth));
    line.extend(std::iter::repeat_n(b')', depth));
    line.extend_from_slice(suffix.as_bytes());
    line
}

/// 100,000 nested parentheses, on a thread with a small stack: the parser
/// stops at `max_nesting` (100) levels.
#[test]
fn hundred_thousand_nested_parentheses() {
    let run = || {
        let mut s = Session::selected();
        // In a BODYSTRUCTURE: a typed nesting error; the FETCH still completes.
        let tag = s.enqueue(fetch("1", vec![FetchAttr::BodyStructure]));
        s.input(&nested("* 1 FETCH (BODYSTRUCTURE ", 100_000, ")\r\n"));
        s.input(format!("{tag} OK fetched\r\n").as_bytes());
        let events = s.events();
        let limits = limit_errors(&events);
        assert_eq!(limits.len(), 1, "{events:?}");
        assert_eq!(limits[0].kind, LimitKind::Nesting);
        assert!(events.iter().any(|e| matches!(e, Ev::Completed { tag: t, result: Ok(_) } if *t == tag)));

        // In an unknown response: kept raw, not descended into.
        s.input(&nested("* XNESTED ", 100_000, "\r\n"));
        let events = s.events();
        let [Ev::Unsolicited(Response::Data(Data::Other { name, raw }))] = events.as_slice() else {
            panic!("{events:?}")
        };
        assert_eq!(name.as_bytes(), b"XNESTED");
        assert_eq!(raw.len(), "* XNESTED ".len() + 200_000 + 2);
        s.noop_completes();
        s.report("100,000 nested parentheses");
        assert!(s.peak.buffered_input < 256 * 1024, "{:?}", s.peak);
    };
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(run)
        .expect("thread")
        .join()
        .expect("no overflow");
}

// ---------------------------------------------- NUL and invalid UTF-8

/// NUL and invalid UTF-8 in every string position. Strings are bytes
/// (`ByteStr`), so 8-bit data is kept exactly (accepted by the default
/// leniency); NUL, which IMAP strings cannot hold (RFC 9051 `CHAR` and
/// `CHAR8` exclude it), makes that one response a typed parse error. The
/// session goes on either way.
#[test]
fn nul_and_invalid_utf8_in_every_string_position() {
    let mut s = Session::selected();
    // Invalid UTF-8: two bytes that never start a character, then a lead
    // byte followed by ASCII.
    let bad = b"\xff\xfe\xc3A";
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        (
            "quoted",
            [b"* 1 FETCH (ENVELOPE (\"".as_slice(), bad, b"\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"]
                .concat(),
            true,
        ),
        (
            "quoted NUL",
            b"* 1 FETCH (ENVELOPE (\"a\x00b\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n".to_vec(),
            false,
        ),
        (
            "literal",
            [b"* 1 FETCH (ENVELOPE ({4}\r\n".as_slice(), bad, b" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"]
                .concat(),
            true,
        ),
        (
            "literal NUL",
            b"* 1 FETCH (ENVELOPE ({3}\r\na\x00b NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n".to_vec(),
            true,
        ),
        ("literal8 NUL", b"* 1 FETCH (BINARY[] ~{3}\r\na\x00b)\r\n".to_vec(), true),
        ("atom", [b"* 1 FETCH (FLAGS (".as_slice(), bad, b"))\r\n"].concat(), true),
        ("atom NUL", b"* 1 FETCH (FLAGS (a\x00b))\r\n".to_vec(), false),
        ("status text", [b"* OK ".as_slice(), bad, b"\r\n"].concat(), true),
        // Text for a person: kept as it came (Leniency::nul_in_text).
        ("status text NUL", b"* OK a\x00b\r\n".to_vec(), true),
        ("mailbox name", [b"* LIST () \"/\" \"".as_slice(), bad, b"\"\r\n"].concat(), true),
        ("mailbox name NUL", b"* LIST () \"/\" \"a\x00b\"\r\n".to_vec(), false),
        ("mailbox literal", [b"* LIST () \"/\" {4}\r\n".as_slice(), bad, b"\r\n"].concat(), true),
        (
            "address",
            [
                b"* 1 FETCH (ENVELOPE (NIL NIL ((\"".as_slice(),
                bad,
                b"\" NIL \"u\" \"h\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
            ]
            .concat(),
            true,
        ),
        (
            "address NUL",
            b"* 1 FETCH (ENVELOPE (NIL NIL ((\"a\x00\" NIL \"u\" \"h\")) NIL NIL NIL NIL NIL NIL NIL))\r\n"
                .to_vec(),
            false,
        ),
        (
            "body param",
            [
                b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"NAME\" \"".as_slice(),
                bad,
                b"\") NIL NIL \"7BIT\" 1 1))\r\n",
            ]
            .concat(),
            true,
        ),
    ];
    for (case, line, parses) in &cases {
        s.input(line);
        let events = s.events();
        assert_eq!(events.len(), 1, "{case}: {events:?}");
        if *parses {
            assert!(matches!(events[0], Ev::Unsolicited(_)), "{case}: {events:?}");
            let shown = format!("{:?}", events[0]);
            // Byte strings show escapes; mailbox names their lossy rendering.
            let kept = ["\\xff\\xfe", "\\u{0}", "\\0", "\u{fffd}"].iter().any(|b| shown.contains(b));
            assert!(kept, "{case}: the bytes must be kept: {shown}");
        } else {
            assert_eq!(parse_errors(&events), 1, "{case}: {events:?}");
        }
    }
    // The mailbox keeps the server's exact bytes, rendered lossily.
    s.input([b"* LIST () \"/\" \"".as_slice(), bad, b"\"\r\n"].concat().as_slice());
    let events = s.events();
    let [Ev::Unsolicited(Response::Data(Data::List(item)))] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(item.mailbox.wire(), bad);
    assert!(item.mailbox.is_lossy());
    s.noop_completes();
    s.report("NUL and invalid UTF-8");
}

// -------------------------------------------------------- protocol abuse

/// `+` when nothing waits for one: a protocol error, nothing is sent.
#[test]
fn continuation_nobody_asked_for() {
    let mut s = Session::logged_in();
    s.input(b"+ send me your password\r\n");
    let events = s.events();
    assert!(
        matches!(events.as_slice(), [Ev::ProtocolError(ProtocolError::UnexpectedContinuation)]),
        "{events:?}"
    );
    s.expect_nothing_sent();
    // Not even while a command without a literal is in flight.
    let tag = s.enqueue(Command::Noop);
    s.sent.clear();
    s.input(b"+ now?\r\n");
    assert!(matches!(s.events().as_slice(), [Ev::ProtocolError(ProtocolError::UnexpectedContinuation)]));
    s.expect_nothing_sent();
    s.input(format!("{tag} OK\r\n").as_bytes());
    s.expect_completed_ok(&tag);
    s.noop_completes();
    s.report("unexpected continuation");
}

/// A tagged response for a tag never sent: a protocol error.
#[test]
fn tagged_response_with_unknown_tag() {
    let mut s = Session::logged_in();
    s.input(b"Z999 OK [READ-WRITE] I made this up\r\n");
    let events = s.events();
    let [Ev::ProtocolError(ProtocolError::UnknownTag(tag))] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(tag.as_str(), "Z999");
    s.noop_completes();
    s.report("unknown tag");
}

/// The same completion twice: the command completes once, the second is
/// an unknown tag.
#[test]
fn completion_for_a_command_twice() {
    let mut s = Session::logged_in();
    let tag = s.enqueue(Command::Noop);
    s.input(format!("{tag} OK done\r\n{tag} NO done again\r\n").as_bytes());
    let events = s.events();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(&events[0], Ev::Completed { tag: t, result: Ok(_) } if *t == tag));
    assert!(matches!(&events[1], Ev::ProtocolError(ProtocolError::UnknownTag(t)) if *t == tag));
    s.noop_completes();
    s.report("completion twice");
}

fn starttls_session() -> (Session, Tag) {
    let mut s = Session::new(ClientConfig::default());
    s.input(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    s.events();
    let tag = s.enqueue(Command::StartTls);
    s.expect_sent(&format!("{tag} STARTTLS\r\n"));
    (s, tag)
}

/// Plaintext after the STARTTLS OK in the same read: an injection (the
/// CVE-2011-0411 kind). The session ends; nothing more is sent.
#[test]
fn starttls_ok_with_injected_plaintext_in_the_same_chunk() {
    let (mut s, tag) = starttls_session();
    s.input(format!("{tag} OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n").as_bytes());
    let events = s.events();
    // The switch never happens: STARTTLS fails with the session.
    assert!(!events.iter().any(|e| matches!(e, Ev::Switch(_))), "no switch: {events:?}");
    let err = s.expect_lost(&events, &[&tag]);
    assert!(matches!(err, ConnectionError::StartTlsInjection(n) if n > 0), "{err:?}");
    s.expect_nothing_sent();
    s.report("STARTTLS injection, same chunk");
}

/// Plaintext after the STARTTLS OK in a later read, before the handshake.
#[test]
fn starttls_ok_with_injected_plaintext_in_a_later_chunk() {
    let (mut s, tag) = starttls_session();
    s.input(format!("{tag} OK Begin TLS\r\n").as_bytes());
    let events = s.events();
    // STARTTLS is ready only after the handshake and the new capabilities.
    assert!(matches!(events.as_slice(), [Ev::Switch(_)]), "{events:?}");
    assert!(!s.client.wants_read(), "no reading during the switch");
    s.input(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
    let events = s.events();
    let err = s.expect_lost(&events, &[&tag]);
    assert!(matches!(err, ConnectionError::StartTlsInjection(_)), "{err:?}");
    // A late handshake report changes nothing: no CAPABILITY goes out.
    s.client.handle_switched();
    s.expect_nothing_sent();
    s.report("STARTTLS injection, later chunk");
}

/// BYE while a FETCH is answering: the FETCH fails, the session ends.
#[test]
fn bye_in_the_middle_of_a_fetch() {
    let mut s = Session::selected();
    let fetch_tag = s.enqueue(fetch("1:3", vec![FetchAttr::Uid, FetchAttr::Flags]));
    let noop_tag = s.enqueue(Command::Noop);
    s.input(b"* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* BYE server shutting down\r\n* 2 FETCH (UID 2)\r\n");
    let events = s.events();
    let err = s.expect_lost(&events, &[&fetch_tag, &noop_tag]);
    assert!(
        matches!(&err, ConnectionError::Bye(text) if text.as_bytes() == b"server shutting down"),
        "{err:?}"
    );
    s.report("BYE mid-FETCH");
}

/// EOF inside a literal: the session ends, the FETCH fails.
#[test]
fn eof_in_the_middle_of_a_literal() {
    let mut s = Session::selected();
    let tag = s.enqueue(fetch("1", vec![FetchAttr::body_peek()]));
    s.input(b"* 1 FETCH (BODY[] {100}\r\nonly the first bytes");
    s.client.handle_eof();
    let events = s.events();
    let err = s.expect_lost(&events, &[&tag]);
    assert!(matches!(err, ConnectionError::Eof { mid_response: true }), "{err:?}");
    s.report("EOF mid-literal");
}

/// 1,000,000 untagged EXISTS while the application polls no event: they
/// are coalesced, so one event waits, with the latest count.
#[test]
fn a_million_exists_without_draining() {
    let mut s = Session::selected();
    let mut chunk = Vec::with_capacity(1000 * 16);
    for i in 0..1000u32 {
        chunk.clear();
        for j in 0..1000u32 {
            chunk.extend_from_slice(format!("* {} EXISTS\r\n", 11 + i * 1000 + j).as_bytes());
        }
        s.input(&chunk);
        assert!(s.client.wants_read());
    }
    assert_eq!(s.client.mailbox().expect("selected").exists, 1_000_010);
    let events = s.events();
    assert!(
        matches!(events.as_slice(), [Ev::Unsolicited(Response::Data(Data::Exists(1_000_010)))]),
        "{events:?}"
    );
    s.noop_completes();
    s.report("1,000,000 EXISTS");
    assert!(s.peak.pending_events <= 2, "{:?}", s.peak);
    assert!(s.peak.input_capacity <= 64 * 1024, "{:?}", s.peak);
}

/// A flood of distinct unsolicited data (FETCH flag changes, EXPUNGEs)
/// while the application polls no event, read by a driver that honours
/// `wants_read()`: the event queue stops at `max_pending_events`, reading
/// stops, and everything arrives once the application drains.
#[test]
fn flood_of_unsolicited_data_is_held_back_by_wants_read() {
    let mut config = ClientConfig::default();
    config.max_pending_events = 1000;
    let mut s = Session::logged_in_with(config);
    let tag = s.enqueue(Command::select("INBOX"));
    s.input(format!("* 100000 EXISTS\r\n{tag} OK selected\r\n").as_bytes());
    s.expect_completed_ok(&tag);

    // The server's side: 50,000 FETCH then 50,000 EXPUNGE, in 16 KiB reads.
    let mut server = Vec::new();
    for i in 1..=50_000u32 {
        server.extend_from_slice(format!("* {i} FETCH (FLAGS (\\Seen $L{i}))\r\n").as_bytes());
    }
    for _ in 0..50_000u32 {
        server.extend_from_slice(b"* 1 EXPUNGE\r\n");
    }
    let mut at = 0;
    let mut received = 0usize;
    let mut stalls = 0;
    while at < server.len() {
        if s.client.wants_read() {
            let n = (16 * 1024).min(server.len() - at);
            s.input(&server[at..at + n]);
            at += n;
        } else {
            // Backpressure: the application catches up, then reading resumes.
            stalls += 1;
            assert!(s.client.pending_events() >= 1000);
            received += s.events().len();
        }
    }
    received += s.events().len();
    assert_eq!(received, 100_000, "every response delivered once");
    assert!(stalls > 50, "reading stopped {stalls} times");
    assert_eq!(s.client.mailbox().expect("selected").exists, 50_000);
    s.noop_completes();
    s.report("flood of FETCH and EXPUNGE");
    // One read past the threshold at most: 16 KiB holds < 500 responses.
    assert!(s.peak.pending_events <= 1000 + 500, "{:?}", s.peak);
    assert!(s.peak.buffered_input <= 16 * 1024 + 64, "{:?}", s.peak);
}

/// A server that answers every command BAD: each completes with the typed
/// error, the state does not change, and the session goes on.
#[test]
fn server_answers_every_command_bad() {
    let mut s = Session::new(ClientConfig::default());
    s.input(format!("* OK [CAPABILITY {CAPS}] ready\r\n").as_bytes());
    s.events();
    let commands = [
        Command::login("alice", "secret"),
        Command::Noop,
        Command::Capability,
        Command::StartTls,
        Command::login("alice", "secret"),
    ];
    for command in commands {
        let tag = s.enqueue(command);
        s.input(format!("{tag} BAD [PARSE] no\r\n").as_bytes());
        let events = s.events();
        assert!(
            matches!(&events[..], [Ev::Completed { tag: t, result: Err(CommandError::Bad { text, .. }) }] if *t == tag && text.as_bytes() == b"no"),
            "{events:?}"
        );
        assert_eq!(s.client.state(), StateName::NotAuthenticated);
    }
    // Still connected: the NOOP completes (BAD again, a result, not an error).
    let tag = s.enqueue(Command::Noop);
    s.input(format!("{tag} BAD still no\r\n").as_bytes());
    assert!(matches!(s.events().as_slice(), [Ev::Completed { result: Err(CommandError::Bad { .. }), .. }]));
    assert!(s.client.connection_error().is_none());
    s.report("every command BAD");
    assert!(s.peak.pending_transmit < 64, "{:?}", s.peak);
}

// ---------------------------------------------------------------- time

/// The response timeout counts progress, not bytes: a server streaming
/// what is dropped or what nobody asked for still times out.
mod response_timeout {
    use super::*;

    /// `secs` seconds pass one at a time, with `each` from the server every
    /// second; whether the connection was lost (and with what).
    fn stream_for(s: &mut Session, secs: u64, mut each: impl FnMut(u64) -> Vec<u8>) -> Vec<Ev> {
        let mut all = Vec::new();
        for i in 0..secs {
            s.input(&each(i));
            s.advance(1);
            all.extend(s.events());
            if all.iter().any(|e| matches!(e, Ev::ConnectionLost(_))) {
                break;
            }
        }
        all
    }

    fn timed_out(events: &[Ev]) -> bool {
        events.iter().any(|e| matches!(e, Ev::ConnectionLost(ConnectionError::TimedOut(_))))
    }

    #[test]
    fn an_endless_line_times_out() {
        let mut s = Session::logged_in();
        let tag = s.enqueue(Command::Noop);
        s.input(b"* OK ");
        // 1 MiB a second: the 8 MiB line limit is broken after 8 s, then
        // everything is dropped and 60 s later the session times out.
        let events = stream_for(&mut s, 200, |_| vec![b'a'; 1 << 20]);
        assert!(timed_out(&events), "{events:?}");
        s.expect_lost(&events, &[&tag]);
        assert!(s.peak.buffered_input <= (8 << 20) + (1 << 20), "{:?}", s.peak);
    }

    #[test]
    fn a_literal_bomb_times_out() {
        let mut s = Session::selected();
        let tag = s.enqueue(fetch("1", vec![FetchAttr::body_peek()]));
        s.input(b"* 1 FETCH (BODY[] {99999999999}\r\n");
        let events = stream_for(&mut s, 200, |_| vec![b'x'; 1 << 20]);
        assert!(timed_out(&events), "{events:?}");
        s.expect_lost(&events, &[&tag]);
    }

    #[test]
    fn a_flood_of_unsolicited_data_times_out() {
        let mut s = Session::selected();
        let tag = s.enqueue(Command::Noop);
        let events = stream_for(&mut s, 200, |i| {
            (0..500)
                .map(|j| format!("* {} FETCH (FLAGS (\\Seen))\r\n", 1 + (i * 500 + j) % 10))
                .collect::<String>()
                .into_bytes()
        });
        assert!(timed_out(&events), "{events:?}");
        s.expect_lost(&events, &[&tag]);
    }

    #[test]
    fn keepalives_during_a_long_command_do_not_time_out() {
        let mut s = Session::selected();
        let tag = s.enqueue(Command::Noop);
        // Ten minutes of Dovecot's progress lines every 10 s, then the answer.
        let events = stream_for(&mut s, 600, |i| {
            if i % 10 == 0 {
                format!("* OK Searched {}% of the mailbox\r\n", i / 6).into_bytes()
            } else {
                Vec::new()
            }
        });
        assert!(!timed_out(&events), "{events:?}");
        s.input(format!("{tag} OK done\r\n").as_bytes());
        s.expect_completed_ok(&tag);
    }

    #[test]
    fn a_slow_big_literal_does_not_time_out() {
        let mut s = Session::selected();
        let tag = s.enqueue(fetch("1", vec![FetchAttr::body_peek()]));
        // 200 KiB at 1 KiB a second: over three minutes, never 60 s silent.
        s.input(b"* 1 FETCH (BODY[] {204800}\r\n");
        let events = stream_for(&mut s, 200, |_| vec![b'x'; 1024]);
        assert!(!timed_out(&events), "{events:?}");
        s.input(b")\r\n");
        s.input(format!("{tag} OK done\r\n").as_bytes());
        s.expect_completed_ok(&tag);
    }

    #[test]
    fn solicited_data_keeps_a_long_fetch_alive() {
        let mut s = Session::selected();
        let tag = s.enqueue(fetch("1:*", vec![FetchAttr::Flags]));
        // 2,000 answers a second for 200 s: far more than the keepalive
        // allowance, but every one of them is for the command.
        let events = stream_for(&mut s, 200, |_| {
            (1..=2000)
                .map(|n| format!("* {} FETCH (FLAGS ())\r\n", n % 10 + 1))
                .collect::<String>()
                .into_bytes()
        });
        assert!(!timed_out(&events), "{events:?}");
        s.input(format!("{tag} OK done\r\n").as_bytes());
        s.expect_completed_ok(&tag);
    }

    #[test]
    fn a_greeting_over_the_line_limit_ends_the_connection() {
        let mut s = Session::new(ClientConfig::default());
        s.input(b"* OK ");
        let mut events = Vec::new();
        for _ in 0..10 {
            s.input(&vec![b'a'; 1 << 20]);
            events.extend(s.events());
        }
        let lost = s.expect_lost(&events, &[]);
        assert!(
            matches!(
                lost,
                ConnectionError::MalformedGreeting(ResponseError::Limit(LimitError {
                    kind: LimitKind::LineLength,
                    ..
                }))
            ),
            "{lost:?}"
        );
    }
}

/// A command answered without end: its result stops growing at
/// `max_result_len`, the command fails with a typed error, and the session
/// goes on (or times out if the server never completes it).
mod endless_answer {
    use super::*;

    fn small_results() -> Session {
        let mut config = ClientConfig::default();
        config.parse.limits.max_result_len = 1 << 20;
        let mut s = Session::logged_in_with(config);
        let tag = s.enqueue(Command::select("INBOX"));
        s.input(format!("* 10 EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n").as_bytes());
        s.expect_completed_ok(&tag);
        s
    }

    fn flood(n: u32) -> Vec<u8> {
        (0..n)
            .map(|i| format!("* {} FETCH (FLAGS (\\Seen $Label{i}))\r\n", i % 10 + 1))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn fails_the_command_at_the_limit_and_the_session_goes_on() {
        let mut s = small_results();
        let tag = s.enqueue(fetch("1:*", vec![FetchAttr::Flags]));
        // 4 MiB of answers for a 1 MiB result limit.
        for _ in 0..40 {
            s.input(&flood(3000));
            assert!(s.events().is_empty());
        }
        s.input(format!("{tag} OK FETCH completed\r\n").as_bytes());
        let events = s.events();
        let [Ev::Completed { tag: t, result: Err(CommandError::Limit(limit)) }] = events.as_slice() else {
            panic!("{events:?}")
        };
        assert_eq!((t, limit.kind, limit.limit), (&tag, LimitKind::ResultLength, 1 << 20));
        assert!(limit.to_string().contains("result size limit of 1048576"), "{limit}");
        assert_eq!(s.client.state(), StateName::Selected);
        s.noop_completes();
    }

    #[test]
    fn times_out_if_the_answer_never_ends() {
        let mut s = small_results();
        let tag = s.enqueue(fetch("1:*", vec![FetchAttr::Flags]));
        let mut events = Vec::new();
        for _ in 0..300 {
            s.input(&flood(3000));
            s.advance(1);
            events.extend(s.events());
            if events.iter().any(|e| matches!(e, Ev::ConnectionLost(_))) {
                break;
            }
        }
        let lost = s.expect_lost(&events, &[&tag]);
        assert!(matches!(lost, ConnectionError::TimedOut(_)), "{lost:?}");
    }
}

/// Issue 9: a greeting with NUL and 8-bit bytes in its text, then NO
/// answers holding NULs. Lenient mode takes them as text; strict mode ends
/// the connection at once, naming the bytes; neither waits for a timeout.
#[test]
fn greeting_and_answers_with_nul_bytes() {
    let greeting = b"* OK [CAPABILITY IMAP4rev1] hello\x00world \xe9t\xe9\r\n";
    let mut s = Session::new(ClientConfig::default());
    s.input(greeting);
    let events = s.events();
    let [Ev::Other(Event::Greeting(status))] = events.as_slice() else { panic!("{events:?}") };
    assert!(status.text.as_bytes().starts_with(b"hello\x00world"), "{status:?}");
    let tag = s.enqueue(Command::login("alice", "secret"));
    s.input(format!("{tag} NO [AUTHENTICATIONFAILED] no\x00such\x00user\r\n").as_bytes());
    let events = s.events();
    let [Ev::Completed { result: Err(CommandError::No { text, .. }), .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(text.as_bytes(), b"no\x00such\x00user");

    let mut config = ClientConfig::default();
    config.parse = imap_core::ParseOptions::strict();
    let mut s = Session::new(config);
    s.input(greeting);
    let events = s.events();
    let lost = s.expect_lost(&events, &[]);
    assert!(matches!(lost, ConnectionError::MalformedGreeting(_)), "{lost:?}");
    let message = lost.to_string();
    assert!(message.contains("greeting") && message.contains("hello"), "{message}");
    assert!(!message.contains("no response"), "{message}");
}
