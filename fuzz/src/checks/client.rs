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
//! every tag has completed.

use std::collections::HashMap;
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
                    let n = n.min(out.len());
                    s.client.advance_transmit(n);
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
            let n = out.len();
            assert!(n > 0, "poll_transmit gave an empty slice");
            self.client.advance_transmit(n);
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
