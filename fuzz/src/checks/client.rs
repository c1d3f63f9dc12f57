//! `client`: a session of arbitrary commands, calls and server bytes
//! through [`Client`].
//!
//! Input layout:
//! - byte 0, options: bit 0 a thrifty engine (`max_pending_events` 4, the
//!   receive buffer given back after 1 s quiet, server bytes read through
//!   `input_buffer`/`commit_input` as drivers do),
//!   bit 1 drain events after every step (else only on the Drain op),
//!   bit 2 write out everything after every step (else only on the Write
//!   op), bit 3 end with `close()` (else `handle_eof()`), bit 4 strict
//!   parsing, bit 5 small limits, bit 6 feed the server's leftover bytes
//!   line by line (else in one chunk), bit 7 automatic IDLE after 1 s;
//! - bytes 1-2: the script's length L (little-endian);
//! - the script: L bytes of operations (below);
//! - the server's bytes: the rest, consumed by the Feed operations.
//!
//! Operations (first byte modulo 15):
//! `0 n` feed n server bytes (n = 0: one line; 255: all the rest);
//! `1 c` submit command c of [`command`]; `2 s` advance the clock s*s
//! seconds and call `handle_timeout`; `3` `handle_eof`; `4` `idle`;
//! `5` `idle_done`; `6 k` `sasl_respond` (k = 0: cancel, else k bytes);
//! `7` `handle_switched`; `8` drain events; `9 n` write n bytes;
//! `10 m` authenticate with mechanism m; `11` `disconnect`; `12 c` submit
//! command c as a streaming request (FETCH) ; `13 p` submit compound
//! operation p of [`plan`]; `14 k` abandon the k-th request submitted.
//!
//! Properties: no panic; each request submitted becomes ready exactly
//! once (at most once if abandoned), nothing becomes ready that was never
//! submitted, and its result can be taken then; when `ConnectionLost`
//! arrives every request not abandoned is ready, it arrives once and
//! nothing is sent after it; after the final `disconnect()`/`handle_eof()`
//! every request not abandoned is ready; and the client sends nothing
//! nobody asked for (see [`Wire`]): read back as a server would, each line
//! is a command under a tag the application was handed (once), a command
//! of a compound operation that is running (a fresh tag), a command the
//! engine adds itself (CAPABILITY after STARTTLS or authentication, IDLE
//! re-issued by a refresh), DONE for an IDLE that was sent, or a SASL
//! response while an AUTHENTICATE runs; literals are skipped by their
//! announced length.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::Bytes;
use imap_core::ext::sasl::{Login, OAuthBearer, Plain, XOAuth2};
use imap_core::request::{self, AnyHandle, CommandId, Completion, Request};
use imap_core::types::{
    AppendMessage, ByteStr, Capability, Command, FetchAttr, Flag, ListCommand, Mailbox, MetadataDepth,
    RawArg, SearchKey, SearchReturn, SelectModifiers, SequenceSet, SortKey, SpecialUse, StatusAttr,
    StoreMode, ThreadAlgorithm,
};
use imap_core::{Client, ClientConfig, Event, Leniency};

use super::Reader;

/// Runs the properties on one input.
pub fn check(data: &[u8]) {
    let mut header = Reader::new(data);
    let options = header.byte();
    let script_len = usize::from(header.u16());
    let mut script = Reader::new(header.take(script_len));
    let mut server = Reader::new(header.rest());

    let mut config = ClientConfig::default();
    if options & 1 != 0 {
        config.max_pending_events = 4;
        config.release_buffers_after = Some(Duration::from_secs(1));
    }
    if options & 16 != 0 {
        config.parse.leniency = Leniency::strict();
    }
    if options & 32 != 0 {
        config.parse.limits.max_line_len = 200;
        config.parse.limits.max_literal_len = 100;
        config.parse.limits.max_response_len = 1000;
        config.parse.limits.max_nesting = 4;
    }
    if options & 128 != 0 {
        config.auto_idle = Some(Duration::from_secs(1));
    }
    let mut s = Session {
        client: Client::new(config),
        wire: Wire { auto_idle: options & 128 != 0, ..Wire::default() },
        requests: HashMap::new(),
        order: Vec::new(),
        lost: false,
        now: Instant::now(),
        drain_always: options & 2 != 0,
        write_always: options & 4 != 0,
    };

    while !script.is_empty() {
        let op = script.byte() % 15;
        trace(|| format!("op {op}"));
        match op {
            0 => {
                let chunk = match script.byte() {
                    0 => server.line(),
                    255 => server.rest(),
                    n => server.take(usize::from(n)),
                };
                if options & 1 != 0 {
                    s.read_in(chunk);
                } else {
                    s.client.handle_input(chunk);
                }
            }
            1 | 12 => {
                let request = request_for(command(script.byte()), op == 12);
                s.submit(request, false);
            }
            2 => {
                let secs = u64::from(script.byte()).pow(2);
                s.now += Duration::from_secs(secs);
                s.client.handle_timeout(s.now);
            }
            3 => s.client.handle_eof(),
            4 => s.submit(request::idle().erase(), false),
            5 => {
                let _ = s.client.idle_done();
            }
            6 => {
                let k = usize::from(script.byte());
                let answer = vec![b'x'; k];
                let _ = s.client.sasl_respond((k != 0).then_some(&answer[..]));
            }
            7 => s.client.handle_switched(),
            8 => s.drain(),
            9 => {
                let n = usize::from(script.byte());
                if let Some(out) = s.client.poll_transmit() {
                    let written = out[..n.min(out.len())].to_vec();
                    s.client.advance_transmit(written.len());
                    s.wire.read(&written);
                }
            }
            10 => s.submit(authenticate(script.byte()), false),
            11 => s.client.disconnect(),
            13 => s.submit(plan(script.byte()), true),
            _ => {
                let k = usize::from(script.byte());
                if !s.order.is_empty() {
                    let id = s.order[k % s.order.len()];
                    trace(|| format!("  abandon {id}"));
                    s.client.abandon(id);
                    if let Some(r) = s.requests.get_mut(&id) {
                        r.abandoned = true;
                    }
                }
            }
        }
        s.step();
    }

    // The server's last bytes, then the end of the connection.
    if options & 64 != 0 {
        while !server.is_empty() {
            s.client.handle_input(server.line());
            s.step();
        }
    } else {
        s.client.handle_input(server.rest());
        s.step();
    }
    s.drain();
    if options & 8 != 0 {
        s.client.disconnect();
    } else {
        s.client.handle_eof();
    }
    s.drain();
    s.write_all();
    s.all_ready("by the end of the session");
    assert!(s.client.is_closed(), "the session is not over after disconnect/EOF");
}

/// One submitted request.
struct Submitted {
    handle: AnyHandle,
    ready: u32,
    abandoned: bool,
}

struct Session {
    client: Client,
    wire: Wire,
    requests: HashMap<CommandId, Submitted>,
    order: Vec<CommandId>,
    lost: bool,
    now: Instant,
    drain_always: bool,
    write_always: bool,
}

impl Session {
    /// Server bytes the drivers' way: read into the engine's receive area,
    /// then committed, as many areas as they take.
    fn read_in(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            let area = self.client.input_buffer();
            let n = area.len().min(chunk.len());
            assert!(n > 0, "an empty receive area");
            area[..n].copy_from_slice(&chunk[..n]);
            self.client.commit_input(n);
            chunk = &chunk[n..];
        }
    }

    fn submit(&mut self, request: Request<Completion>, plan: bool) {
        let result = self.client.submit(request);
        trace(|| format!("  submit: {result:?}"));
        let Ok(handle) = result else { return };
        assert!(!self.lost, "a request was accepted after ConnectionLost");
        let id = handle.id();
        match handle.tag() {
            Some(tag) => {
                assert!(!plan, "a compound operation has no tag of its own");
                assert!(self.wire.handed_out.insert(tag.as_str().to_owned()), "tag {tag} handed out twice");
            }
            None => {
                assert!(plan, "a single command has a tag");
                self.wire.plans.insert(id, usize::MAX);
            }
        }
        let old = self.requests.insert(id, Submitted { handle, ready: 0, abandoned: false });
        assert!(old.is_none(), "id {id} handed out twice");
        self.order.push(id);
    }

    /// After every step, as a driver would: transmit, timeout, events.
    fn step(&mut self) {
        if self.lost || self.client.connection_error().is_some() {
            self.drain();
            assert!(self.client.poll_transmit().is_none(), "bytes to send after a fatal error");
            assert!(self.client.poll_timeout().is_none(), "a timer armed after a fatal error");
        }
        if self.write_always {
            self.write_all();
        }
        let _ = self.client.poll_timeout();
        let _ = self.client.wants_read();
        if self.drain_always {
            self.drain();
        }
    }

    fn write_all(&mut self) {
        while let Some(out) = self.client.poll_transmit() {
            trace(|| format!("  C: {:?}", String::from_utf8_lossy(&out)));
            assert!(!self.lost, "bytes to send after ConnectionLost");
            assert!(!out.is_empty(), "poll_transmit gave an empty chunk");
            self.client.advance_transmit(out.len());
            self.wire.read(&out);
        }
    }

    fn drain(&mut self) {
        while let Some(event) = self.client.poll_event() {
            trace(|| format!("  {event:?}"));
            assert!(!self.lost, "an event after ConnectionLost: {event:?}");
            match event {
                Event::Ready(id) => {
                    let Some(r) = self.requests.get_mut(&id) else {
                        panic!("{id} became ready, which was never submitted")
                    };
                    r.ready += 1;
                    assert_eq!(r.ready, 1, "{id} became ready twice");
                    // Streamed messages come first; then the result.
                    while self.client.take_fetched(&r.handle).is_some() {}
                    let taken = self.client.take(&r.handle);
                    assert!(r.abandoned || taken.is_some(), "{id} ready without a result");
                    // What the engine produced before this completion may
                    // still be written after it.
                    let produced = self.wire.read_total + self.client.pending_transmit();
                    let tag = r.handle.tag().map(|t| t.as_str().to_owned());
                    self.wire.completed(id, tag.as_deref(), produced);
                }
                Event::Fetched(id) | Event::IdleStarted(id) | Event::SaslChallenge { id, .. } => {
                    let r = self.requests.get(&id);
                    assert!(r.is_some_and(|r| r.ready == 0), "{id}: event for a request not running");
                    if let (Event::Fetched(_), Some(r)) = (&event, r) {
                        let handle = r.handle.clone();
                        while self.client.take_fetched(&handle).is_some() {}
                    }
                }
                Event::ConnectionLost(_) => {
                    self.lost = true;
                    self.all_ready("at ConnectionLost");
                }
                _ => {}
            }
        }
    }

    fn all_ready(&self, when: &str) {
        for (id, r) in &self.requests {
            if r.abandoned {
                assert!(r.ready <= 1, "abandoned {id} ready {} times {when}", r.ready);
            } else {
                assert_eq!(r.ready, 1, "{id} ready {} times {when}", r.ready);
            }
        }
    }
}

/// The client's output read back as a server would, checking that every
/// line was asked for.
#[derive(Default)]
struct Wire {
    /// Bytes read since the start.
    read_total: usize,
    /// The line being read, and the offset where it started.
    line: Vec<u8>,
    line_start: usize,
    /// Literal bytes still to skip; whether that literal is synchronising
    /// and not yet known to be sent, with the bytes read while deciding.
    literal: usize,
    sync: bool,
    probe: Vec<u8>,
    /// The next line continues a command after a literal.
    continuing: bool,
    /// After COMPRESS DEFLATE went out the stream may be deflated: no
    /// further reading (the core's unit tests check that half).
    opaque: bool,
    /// Tags whose command line went out.
    commands: HashSet<String>,
    /// IDLE lines sent minus DONE lines sent.
    idles: usize,
    /// Application IDLEs sent (a refresh may re-issue IDLE under a tag of
    /// the engine's own) and AUTHENTICATE commands sent (SASL responses
    /// may follow), each with where the output produced before its
    /// completion ends (`usize::MAX` while it runs).
    user_idles: HashMap<String, usize>,
    auths: HashMap<String, usize>,
    /// Tags the application was handed.
    handed_out: HashSet<String>,
    /// Compound operations submitted, each with where the output produced
    /// before its completion ends (`usize::MAX` while it runs).
    plans: HashMap<CommandId, usize>,
    /// The engine may IDLE on its own.
    auto_idle: bool,
}

/// Commands a compound operation may send (MOVE and its fallback, APPEND,
/// LIST, STATUS).
const PLAN_COMMANDS: &[&str] = &[
    "MOVE ",
    "UID MOVE ",
    "FETCH ",
    "UID COPY ",
    "UID STORE ",
    "UID EXPUNGE ",
    "APPEND ",
    "LIST ",
    "STATUS ",
];

impl Wire {
    fn read(&mut self, data: &[u8]) {
        for &b in data {
            if self.opaque {
                return;
            }
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        if self.literal > 0 {
            if self.sync {
                // A synchronising literal is sent only after the server's
                // `+`; when the command ends first (NO, BAD), the next
                // command follows instead. The harness's literals never
                // look like `A<digits> `, the engine's tags do.
                self.probe.push(b);
                let looks_like_tag = |p: &[u8]| p[0] == b'A' && p[1..].iter().all(u8::is_ascii_digit);
                let probe = std::mem::take(&mut self.probe);
                let n = probe.len();
                if n >= 3 && probe[n - 1] == b' ' && looks_like_tag(&probe[..n - 1]) {
                    // Abandoned: the probe starts the next command.
                    self.sync = false;
                    self.literal = 0;
                    self.continuing = false;
                    for b in probe {
                        self.byte(b);
                    }
                } else if looks_like_tag(&probe) && n < self.literal {
                    self.probe = probe;
                } else {
                    // Literal data after all.
                    self.sync = false;
                    self.literal -= n;
                    self.read_total += n;
                }
                return;
            }
            self.literal -= 1;
            self.read_total += 1;
            return;
        }
        if self.line.is_empty() {
            self.line_start = self.read_total;
        }
        self.line.push(b);
        self.read_total += 1;
        if b == b'\n' {
            let line = std::mem::take(&mut self.line);
            self.line_done(&line);
        }
    }

    fn line_done(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let body = line.strip_suffix(b"\r\n").unwrap_or_else(|| panic!("a line without CRLF: {text:?}"));
        assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "CR or LF inside a line: {text:?}");
        if !std::mem::take(&mut self.continuing) {
            self.new_line(body);
        }
        // A literal announcement at the end: its bytes follow, then the
        // same command goes on.
        if let Some((n, sync)) = literal_length(body) {
            self.literal = n;
            self.sync = sync && n > 0;
            self.continuing = true;
        }
    }

    fn new_line(&mut self, body: &[u8]) {
        let text = String::from_utf8_lossy(body).into_owned();
        if body == b"DONE" {
            assert!(self.idles > 0, "DONE sent with no IDLE");
            self.idles -= 1;
            return;
        }
        let (tag, rest) = text.split_once(' ').unwrap_or((&text, ""));
        let rest_upper = rest.to_ascii_uppercase();
        let is_tag = !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
        let users = is_tag && self.handed_out.contains(tag);
        let planned = is_tag
            && !self.handed_out.contains(tag)
            && PLAN_COMMANDS.iter().any(|c| rest_upper.starts_with(c))
            && self.plans.values().any(|&end| self.line_start < end);
        if users || planned || (is_tag && (rest_upper == "CAPABILITY" || rest_upper == "IDLE")) {
            if !users && rest_upper == "IDLE" {
                assert!(
                    self.auto_idle || self.running(&self.user_idles),
                    "an IDLE nobody asked for: {text:?}"
                );
            }
            assert!(self.commands.insert(tag.to_owned()), "tag {tag} sent twice: {text:?}");
            if rest_upper == "IDLE" {
                self.idles += 1;
                if users {
                    self.user_idles.insert(tag.to_owned(), usize::MAX);
                }
            } else if rest_upper.starts_with("AUTHENTICATE ") {
                self.auths.insert(tag.to_owned(), usize::MAX);
            } else if rest_upper == "COMPRESS DEFLATE" {
                self.opaque = true;
            }
            return;
        }
        // A SASL response: base64, or `*` to cancel.
        let sasl = body == b"*" || body.iter().all(|&b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        assert!(sasl && self.running(&self.auths), "a line nobody asked for: {text:?}");
    }

    /// Whether one of these commands was still running when the engine
    /// produced the current line.
    fn running(&self, commands: &HashMap<String, usize>) -> bool {
        commands.values().any(|&end| self.line_start < end)
    }

    fn completed(&mut self, id: CommandId, tag: Option<&str>, produced: usize) {
        if let Some(end) = self.plans.get_mut(&id) {
            *end = produced;
        }
        let Some(tag) = tag else { return };
        for commands in [&mut self.auths, &mut self.user_idles] {
            if let Some(end) = commands.get_mut(tag) {
                *end = produced;
            }
        }
    }
}

/// `{N}`, `{N+}` or `~{N}` ending a line: N, and whether it waits for `+`.
fn literal_length(body: &[u8]) -> Option<(usize, bool)> {
    let body = body.strip_suffix(b"}")?;
    let (body, sync) = match body.strip_suffix(b"+") {
        Some(body) => (body, false),
        None => (body, true),
    };
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((std::str::from_utf8(digits).ok()?.parse().ok()?, sync))
}

/// With `IMAP_FUZZ_TRACE` set, prints the session (to debug a finding).
fn trace(line: impl FnOnce() -> String) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("IMAP_FUZZ_TRACE").is_some()) {
        eprintln!("{}", line());
    }
}

/// The commands a script can submit (every family: state changes,
/// literals, barriers, switches, data of each kind).
pub fn command(c: u8) -> Command {
    let set = |s: &str| -> SequenceSet { s.parse().expect("valid set") };
    let text = |s: &str| ByteStr::from(s);
    match c % 48 {
        0 => Command::Noop,
        1 => Command::Capability,
        2 => Command::login("alice", "alice-password-1"),
        3 => Command::select("INBOX"),
        4 => Command::examine("Sent"),
        5 => Command::fetch(true, set("1:*"), vec![FetchAttr::Uid, FetchAttr::Flags]),
        6 => Command::fetch(false, set("1:*"), vec![FetchAttr::Uid, FetchAttr::body_peek()]),
        7 => Command::search(true, SearchKey::All),
        8 => Command::Store {
            uid: true,
            set: set("1:3"),
            mode: StoreMode::Add,
            silent: false,
            flags: vec![Flag::Seen],
            unchanged_since: None,
        },
        9 => Command::Append {
            mailbox: Mailbox::inbox(),
            messages: vec![AppendMessage::new(&b"Subject: hi\r\n\r\nhello\r\n"[..])],
        },
        10 => Command::Logout,
        11 => Command::StartTls,
        12 => Command::Compress,
        13 => Command::Idle,
        14 => Command::List(ListCommand::new("*")),
        15 => Command::Status {
            mailbox: Mailbox::inbox(),
            items: vec![StatusAttr::Messages, StatusAttr::UidNext],
        },
        16 => Command::Expunge,
        17 => Command::Close,
        18 => Command::Copy { uid: true, set: set("1:2"), mailbox: Mailbox::new("Archive") },
        19 => Command::Move { uid: false, set: set("1"), mailbox: Mailbox::new("Trash") },
        20 => Command::UidExpunge(set("3:5")),
        21 => Command::Enable(vec![Capability::from_wire(b"CONDSTORE")]),
        22 => Command::Enable(vec![Capability::Utf8Accept]),
        23 => Command::Id(None),
        24 => Command::Namespace,
        25 => Command::Unselect,
        // A synchronising literal (non-ASCII needs CHARSET and a literal).
        26 => Command::search(false, SearchKey::subject("Grüße")),
        27 => Command::login("alice", "p\u{e4}ssword"),
        28 => Command::Raw {
            name: text("XRAW"),
            args: vec![RawArg::Literal(Bytes::from_static(b"raw\r\ndata"))],
        },
        29 => Command::Check,
        30 => Command::Lsub { reference: text(""), pattern: text("*") },
        31 => Command::Create { mailbox: Mailbox::new("Entwürfe"), special_use: Vec::new() },
        32 => Command::Delete(Mailbox::new("Old")),
        33 => Command::Rename { from: Mailbox::new("A"), to: Mailbox::new("B") },
        34 => Command::GetQuotaRoot(Mailbox::inbox()),
        35 => Command::Sort { uid: true, criteria: vec![SortKey::Date.desc()], search: SearchKey::All },
        36 => Command::Thread { uid: true, algorithm: ThreadAlgorithm::References, search: SearchKey::All },
        37 => Command::GetMetadata {
            mailbox: None,
            entries: vec![text("/shared/comment")],
            max_size: None,
            depth: MetadataDepth::Zero,
        },
        38 => Command::fetch(
            false,
            set("1:*"),
            vec![FetchAttr::Envelope, FetchAttr::BodyStructure, FetchAttr::Rfc822Size],
        ),
        39 => Command::Examine { mailbox: Mailbox::inbox(), modifiers: condstore() },
        40 => {
            Command::Search { uid: true, criteria: SearchKey::Unseen, returns: Some(vec![SearchReturn::All]) }
        }
        41 => Command::Subscribe(Mailbox::new("News")),
        42 => Command::GetAcl(Mailbox::inbox()),
        43 => Command::MyRights(Mailbox::inbox()),
        44 => Command::search(false, SearchKey::uid(set("1:*")).and(SearchKey::from_("bob"))),
        45 => Command::fetch(true, set("5"), vec![FetchAttr::Rfc822]),
        // Two messages: MULTIAPPEND with two synchronising literals.
        46 => Command::Append {
            mailbox: Mailbox::new("Sent"),
            messages: vec![AppendMessage::new(&b"one"[..]), AppendMessage::new(&b"two"[..])],
        },
        _ => Command::select("Drafts"),
    }
}

/// The request for a command: a FETCH streamed on request.
fn request_for(command: Command, streaming: bool) -> Request<Completion> {
    match command {
        Command::Fetch { uid, set, attrs, changed_since: None, .. } if streaming => {
            request::fetch_stream(uid, set, &attrs).erase()
        }
        other => request::command(other),
    }
}

/// The compound operations a script can submit.
pub fn plan(p: u8) -> Request<Completion> {
    let set = |s: &str| -> SequenceSet { s.parse().expect("valid set") };
    match p % 6 {
        0 => request::move_messages(true, set("1:3"), "Archive").erase(),
        1 => request::move_messages(false, set("2"), "Trash").erase(),
        2 => request::move_by_copy(false, set("1:*"), "Archive").erase(),
        3 => request::append_many(
            "INBOX",
            vec![AppendMessage::new(&b"one"[..]), AppendMessage::new(&b"two\r\n"[..])],
        )
        .erase(),
        4 => request::list_status("*", &[StatusAttr::Messages, StatusAttr::Unseen]).erase(),
        _ => request::find_special_folder(SpecialUse::Sent).erase(),
    }
}

fn condstore() -> SelectModifiers {
    SelectModifiers { condstore: true, ..SelectModifiers::default() }
}

/// An AUTHENTICATE with one of the mechanisms.
fn authenticate(m: u8) -> Request<Completion> {
    match m % 6 {
        0 => request::authenticate(Plain::new("alice", "alice-password-1")).erase(),
        1 => request::authenticate(Login::new("alice", "alice-password-1")).erase(),
        2 => request::authenticate(XOAuth2::new("alice", "token")).erase(),
        3 => request::authenticate(OAuthBearer::new("alice", "imap.example.org", 993, "token")).erase(),
        4 => request::authenticate_interactive("PLAIN", Some(b"\0alice\0alice-password-1".to_vec())).erase(),
        _ => request::authenticate_interactive("X-CUSTOM", None).erase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An id for the checker's own tests (ids come from a client).
    fn plan_id() -> CommandId {
        let mut client = Client::new(ClientConfig::default());
        client.handle_input(b"* PREAUTH hi\r\n");
        client.submit(request::list_status("*", &[])).expect("submit").id()
    }

    fn handed_out(tags: &[&str]) -> Wire {
        Wire { handed_out: tags.iter().map(|t| t.to_string()).collect(), ..Wire::default() }
    }

    fn read(wire: &mut Wire, bytes: &[u8]) {
        // One byte at a time: as partial writes would.
        for b in bytes.chunks(1) {
            wire.read(b);
        }
    }

    #[test]
    fn commands_literals_and_engine_commands_pass() {
        let mut wire = handed_out(&["A1", "A2", "A4", "A5", "A8"]);
        read(&mut wire, b"A1 APPEND INBOX {7}\r\nhi\r\nyo {3+}\r\nA9 \r\n");
        // A2's literal is abandoned (NO before `+`): A4 follows.
        read(&mut wire, b"A2 APPEND INBOX {22}\r\nA4 IDLE\r\nDONE\r\nA3 CAPABILITY\r\n");
        read(&mut wire, b"A6 IDLE\r\nDONE\r\n");
        read(&mut wire, b"A5 AUTHENTICATE PLAIN\r\nAGFsaWNl\r\n*\r\n");
        read(&mut wire, b"A8 COMPRESS DEFLATE\r\n\xff\x00anything");
    }

    #[test]
    #[should_panic(expected = "a line nobody asked for")]
    fn a_command_under_an_unknown_tag_fails() {
        read(&mut handed_out(&["A1"]), b"A1 NOOP\r\nB1 NOOP\r\n");
    }

    #[test]
    #[should_panic(expected = "sent twice")]
    fn a_command_sent_twice_fails() {
        read(&mut handed_out(&["A1"]), b"A1 NOOP\r\nA1 NOOP\r\n");
    }

    #[test]
    #[should_panic(expected = "DONE sent with no IDLE")]
    fn done_without_idle_fails() {
        read(&mut handed_out(&["A1"]), b"A1 NOOP\r\nDONE\r\n");
    }

    #[test]
    #[should_panic(expected = "an IDLE nobody asked for")]
    fn an_engine_idle_without_an_application_idle_fails() {
        read(&mut handed_out(&["A1"]), b"A2 IDLE\r\n");
    }

    #[test]
    #[should_panic(expected = "a line nobody asked for")]
    fn a_sasl_line_after_authenticate_completed_fails() {
        let mut wire = handed_out(&["A1"]);
        read(&mut wire, b"A1 AUTHENTICATE PLAIN\r\nAGFs\r\n");
        wire.completed(plan_id(), Some("A1"), wire.read_total);
        read(&mut wire, b"AGFs\r\n");
    }

    #[test]
    fn commands_of_a_running_plan_pass() {
        let mut wire = handed_out(&["A1"]);
        wire.plans.insert(plan_id(), usize::MAX);
        read(
            &mut wire,
            b"A1 NOOP\r\nA2 UID COPY 1:3 Archive\r\nA3 UID STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n",
        );
    }

    #[test]
    #[should_panic(expected = "a line nobody asked for")]
    fn a_plan_command_after_the_plan_completed_fails() {
        let mut wire = handed_out(&["A1"]);
        wire.plans.insert(plan_id(), usize::MAX);
        read(&mut wire, b"A2 LIST \"\" *\r\n");
        wire.completed(plan_id(), None, wire.read_total);
        read(&mut wire, b"A3 STATUS INBOX (MESSAGES)\r\n");
    }

    #[test]
    #[should_panic(expected = "CR or LF inside a line")]
    fn a_bare_cr_fails() {
        read(&mut handed_out(&["A1"]), b"A1 NOOP\rX\r\n");
    }
}
