//! `client`: a session of arbitrary commands, calls and server bytes
//! through [`Client`].
//!
//! Input layout:
//! - byte 0, options: bit 0 a small event queue (`max_pending_events` 4),
//!   bit 1 drain events after every step (else only on the Drain op),
//!   bit 2 write out everything after every step (else only on the Write
//!   op), bit 3 end with `close()` (else `handle_eof()`), bit 4 strict
//!   parsing, bit 5 small limits, bit 6 feed the server's leftover bytes
//!   line by line (else in one chunk);
//! - bytes 1-2: the script's length L (little-endian);
//! - the script: L bytes of operations (below);
//! - the server's bytes: the rest, consumed by the Feed operations.
//!
//! Operations (first byte modulo 13):
//! `0 n` feed n server bytes (n = 0: one line; 255: all the rest);
//! `1 c` enqueue command c of [`command`]; `2 s` advance the clock s*s
//! seconds and call `handle_timeout`; `3` `handle_eof`; `4` `idle`;
//! `5` `idle_done`; `6 k` `sasl_respond` (k = 0: cancel, else k bytes);
//! `7` `handle_switched`; `8` drain events; `9 n` write n bytes;
//! `10 m` authenticate with mechanism m; `11` `close`; `12 c` enqueue
//! command c as a streaming request.
//!
//! Properties: no panic; each tag returned by `enqueue` (and friends)
//! completes exactly once, with no completion for an unknown tag; when
//! `ConnectionLost` arrives every tag has completed, it arrives once and
//! nothing is sent after it; after the final `close()`/`handle_eof()`
//! every tag has completed; and the client sends nothing nobody asked
//! for (see [`Wire`]): read back as a server would, each line is a command
//! under a tag the application was handed (once), a command the engine
//! adds itself (CAPABILITY after STARTTLS or authentication, IDLE re-issued
//! by a refresh), DONE for an IDLE that was sent, or a SASL response while
//! an AUTHENTICATE runs; literals are skipped by their announced length.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::Bytes;
use imap_core::ext::sasl::{Login, OAuthBearer, Plain, XOAuth2};
use imap_core::request::Request;
use imap_core::types::{
    AppendMessage, Capability, ListCommand, MetadataDepth, RawArg, SearchReturn, SelectModifiers, SortKey,
    StatusAttr, StoreMode, ThreadAlgorithm,
};
use imap_core::{
    Client, ClientConfig, Command, Event, FetchAttr, Flag, Leniency, Mailbox, SearchKey, SequenceSet, Tag,
};

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
    let mut s = Session {
        client: Client::new(config),
        wire: Wire::default(),
        tags: HashMap::new(),
        lost: false,
        now: Instant::now(),
        drain_always: options & 2 != 0,
        write_always: options & 4 != 0,
    };

    while !script.is_empty() {
        let op = script.byte() % 13;
        trace(|| format!("op {op}"));
        match op {
            0 => {
                let chunk = match script.byte() {
                    0 => server.line(),
                    255 => server.rest(),
                    n => server.take(usize::from(n)),
                };
                s.client.handle_input(chunk);
            }
            1 | 12 => {
                let request = command(script.byte());
                let request = if op == 12 { request.streaming() } else { request };
                let result = s.client.enqueue(request);
                trace(|| format!("  enqueue: {result:?}"));
                s.issued(result.ok());
            }
            2 => {
                let secs = u64::from(script.byte()).pow(2);
                s.now += Duration::from_secs(secs);
                s.client.handle_timeout(s.now);
            }
            3 => s.client.handle_eof(),
            4 => {
                let result = s.client.idle();
                s.issued(result.ok());
            }
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
                    s.wire.read(&written, &s.tags);
                }
            }
            10 => {
                let result = authenticate(&mut s.client, script.byte());
                s.issued(result);
            }
            _ => s.client.close(),
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
        s.client.close();
    } else {
        s.client.handle_eof();
    }
    s.drain();
    s.write_all();
    for (tag, completions) in &s.tags {
        assert_eq!(*completions, 1, "{tag} completed {completions} times by the end of the session");
    }
    assert!(s.client.is_closed(), "the session is not over after close/EOF");
}

struct Session {
    client: Client,
    wire: Wire,
    /// Every tag handed out, with how many times it completed.
    tags: HashMap<Tag, u32>,
    lost: bool,
    now: Instant,
    drain_always: bool,
    write_always: bool,
}

impl Session {
    fn issued(&mut self, tag: Option<Tag>) {
        if let Some(tag) = tag {
            assert!(!self.lost, "a command was accepted after ConnectionLost");
            let old = self.tags.insert(tag.clone(), 0);
            assert!(old.is_none(), "tag {tag} handed out twice");
        }
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
            trace(|| format!("  C: {:?}", String::from_utf8_lossy(out)));
            assert!(!self.lost, "bytes to send after ConnectionLost");
            assert!(!out.is_empty(), "poll_transmit gave an empty slice");
            let written = out.to_vec();
            self.client.advance_transmit(written.len());
            self.wire.read(&written, &self.tags);
        }
    }

    fn drain(&mut self) {
        while let Some(event) = self.client.poll_event() {
            trace(|| format!("  {event:?}"));
            assert!(!self.lost, "an event after ConnectionLost: {event:?}");
            match event {
                Event::Completed { tag, .. } => {
                    let Some(n) = self.tags.get_mut(&tag) else {
                        panic!("completion for {tag}, which was never handed out")
                    };
                    *n += 1;
                    assert_eq!(*n, 1, "{tag} completed twice");
                    // What the engine produced before this completion may
                    // still be written after it.
                    let produced = self.wire.read_total + self.client.pending_transmit();
                    self.wire.completed(tag.as_str(), produced);
                }
                Event::Fetched { tag, .. }
                | Event::IdleStarted { tag }
                | Event::SaslChallenge { tag, .. } => {
                    assert_eq!(self.tags.get(&tag), Some(&0), "{tag}: event for a tag not running");
                }
                Event::ConnectionLost(_) => {
                    self.lost = true;
                    for (tag, completions) in &self.tags {
                        assert_eq!(*completions, 1, "{tag} completed {completions} times at ConnectionLost");
                    }
                }
                _ => {}
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
}

impl Wire {
    fn read(&mut self, data: &[u8], handed_out: &HashMap<Tag, u32>) {
        for &b in data {
            if self.opaque {
                return;
            }
            self.byte(b, handed_out);
        }
    }

    fn byte(&mut self, b: u8, handed_out: &HashMap<Tag, u32>) {
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
                        self.byte(b, handed_out);
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
            self.line_done(&line, handed_out);
        }
    }

    fn line_done(&mut self, line: &[u8], handed_out: &HashMap<Tag, u32>) {
        let text = String::from_utf8_lossy(line);
        let body = line.strip_suffix(b"\r\n").unwrap_or_else(|| panic!("a line without CRLF: {text:?}"));
        assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "CR or LF inside a line: {text:?}");
        if !std::mem::take(&mut self.continuing) {
            self.new_line(body, handed_out);
        }
        // A literal announcement at the end: its bytes follow, then the
        // same command goes on.
        if let Some((n, sync)) = literal_length(body) {
            self.literal = n;
            self.sync = sync && n > 0;
            self.continuing = true;
        }
    }

    fn new_line(&mut self, body: &[u8], handed_out: &HashMap<Tag, u32>) {
        let text = String::from_utf8_lossy(body).into_owned();
        if body == b"DONE" {
            assert!(self.idles > 0, "DONE sent with no IDLE");
            self.idles -= 1;
            return;
        }
        let (tag, rest) = text.split_once(' ').unwrap_or((&text, ""));
        let rest_upper = rest.to_ascii_uppercase();
        let is_tag = !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
        let users = is_tag && handed_out.keys().any(|t| t.as_str() == tag);
        if users || (is_tag && (rest_upper == "CAPABILITY" || rest_upper == "IDLE")) {
            if !users && rest_upper == "IDLE" {
                assert!(self.running(&self.user_idles), "an IDLE nobody asked for: {text:?}");
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

    fn completed(&mut self, tag: &str, produced: usize) {
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

/// The commands a script can enqueue (every family: state changes,
/// literals, barriers, switches, data of each kind).
pub fn command(c: u8) -> Request {
    let set = |s: &str| -> SequenceSet { s.parse().expect("valid set") };
    let text = |s: &str| imap_core::ByteStr::from(s);
    let cmd = match c % 48 {
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
    };
    Request::new(cmd)
}

fn condstore() -> SelectModifiers {
    SelectModifiers { condstore: true, ..SelectModifiers::default() }
}

/// Starts an AUTHENTICATE with one of the mechanisms.
fn authenticate(client: &mut Client, m: u8) -> Option<Tag> {
    let result = match m % 6 {
        0 => client.authenticate(Box::new(Plain::new("alice", "alice-password-1"))),
        1 => client.authenticate(Box::new(Login::new("alice", "alice-password-1"))),
        2 => client.authenticate(Box::new(XOAuth2::new("alice", "token"))),
        3 => client.authenticate(Box::new(OAuthBearer::new("alice", "imap.example.org", 993, "token"))),
        4 => client.authenticate_interactive("PLAIN", Some(b"\0alice\0alice-password-1".to_vec())),
        _ => client.authenticate_interactive("X-CUSTOM", None),
    };
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handed_out(tags: &[&str]) -> HashMap<Tag, u32> {
        tags.iter().map(|t| (Tag::new(t.to_string()).unwrap(), 0)).collect()
    }

    fn read(wire: &mut Wire, tags: &HashMap<Tag, u32>, bytes: &[u8]) {
        // One byte at a time: as partial writes would.
        for b in bytes.chunks(1) {
            wire.read(b, tags);
        }
    }

    #[test]
    fn commands_literals_and_engine_commands_pass() {
        let tags = handed_out(&["A1", "A2", "A4", "A5", "A8"]);
        let mut wire = Wire::default();
        read(&mut wire, &tags, b"A1 APPEND INBOX {7}\r\nhi\r\nyo {3+}\r\nA9 \r\n");
        // A2's literal is abandoned (NO before `+`): A4 follows.
        read(&mut wire, &tags, b"A2 APPEND INBOX {22}\r\nA4 IDLE\r\nDONE\r\nA3 CAPABILITY\r\n");
        read(&mut wire, &tags, b"A6 IDLE\r\nDONE\r\n");
        read(&mut wire, &tags, b"A5 AUTHENTICATE PLAIN\r\nAGFsaWNl\r\n*\r\n");
        read(&mut wire, &tags, b"A8 COMPRESS DEFLATE\r\n\xff\x00anything");
    }

    #[test]
    #[should_panic(expected = "a line nobody asked for")]
    fn a_command_under_an_unknown_tag_fails() {
        read(&mut Wire::default(), &handed_out(&["A1"]), b"A1 NOOP\r\nB1 NOOP\r\n");
    }

    #[test]
    #[should_panic(expected = "sent twice")]
    fn a_command_sent_twice_fails() {
        read(&mut Wire::default(), &handed_out(&["A1"]), b"A1 NOOP\r\nA1 NOOP\r\n");
    }

    #[test]
    #[should_panic(expected = "DONE sent with no IDLE")]
    fn done_without_idle_fails() {
        read(&mut Wire::default(), &handed_out(&["A1"]), b"A1 NOOP\r\nDONE\r\n");
    }

    #[test]
    #[should_panic(expected = "an IDLE nobody asked for")]
    fn an_engine_idle_without_an_application_idle_fails() {
        read(&mut Wire::default(), &handed_out(&["A1"]), b"A2 IDLE\r\n");
    }

    #[test]
    #[should_panic(expected = "a line nobody asked for")]
    fn a_sasl_line_after_authenticate_completed_fails() {
        let tags = handed_out(&["A1"]);
        let mut wire = Wire::default();
        read(&mut wire, &tags, b"A1 AUTHENTICATE PLAIN\r\nAGFs\r\n");
        wire.completed("A1", wire.read_total);
        read(&mut wire, &tags, b"AGFs\r\n");
    }

    #[test]
    #[should_panic(expected = "CR or LF inside a line")]
    fn a_bare_cr_fails() {
        read(&mut Wire::default(), &handed_out(&["A1"]), b"A1 NOOP\rX\r\n");
    }
}
