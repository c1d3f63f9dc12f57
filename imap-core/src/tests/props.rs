//! Property test: random commands interleaved with random server replies,
//! fed in random chunks. The engine never panics, sends each command's
//! bytes whole and in enqueue order (nothing after a fatal error), and
//! completes every enqueued command exactly once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use proptest::prelude::*;

use super::{Chunking, Harness};
use crate::encode::{encode_command, EncodeContext, Fragment};
use crate::types::Tag;
use crate::types::{
    AppendMessage, Command, FetchAttr, Flag, ListCommand, Mailbox, SearchKey, SearchReturn, SequenceSet,
    StatusAttr, StoreMode,
};
use crate::Event;

const CAPS: &str = "IMAP4rev1 IDLE UIDPLUS MOVE ESEARCH MULTIAPPEND UNSELECT";

/// Commands valid in the Selected state (a few move the session elsewhere).
fn pool() -> Vec<Command> {
    let append = |n: usize| Command::Append {
        mailbox: Mailbox::new("Drafts"),
        messages: (0..n).map(|i| AppendMessage::new(format!("message {i}\r\n"))).collect(),
    };
    vec![
        Command::Noop,
        Command::fetch(false, 1..=3, [FetchAttr::Flags]),
        Command::fetch(false, 5u32, [FetchAttr::body_peek()]),
        Command::fetch(true, SequenceSet::all(), [FetchAttr::Uid, FetchAttr::Flags]),
        Command::search(false, SearchKey::All),
        Command::search(true, SearchKey::Unseen),
        Command::Search { uid: false, criteria: SearchKey::All, returns: Some(vec![SearchReturn::Count]) },
        Command::Store {
            uid: false,
            set: SequenceSet::from(2),
            mode: StoreMode::Add,
            silent: false,
            flags: vec![Flag::Seen],
            unchanged_since: None,
        },
        Command::Expunge,
        Command::Status { mailbox: Mailbox::new("Archive"), items: vec![StatusAttr::Messages] },
        Command::List(ListCommand::new("*")),
        append(1),
        append(2),
        Command::Copy { uid: false, set: SequenceSet::from(1), mailbox: Mailbox::new("Archive") },
        Command::Move { uid: true, set: SequenceSet::from(7), mailbox: Mailbox::new("Trash") },
        Command::Idle,
        Command::examine("INBOX"),
        Command::select("INBOX"),
        Command::Unselect,
        Command::Check,
        Command::Logout,
    ]
}

const UNTAGGED: &[&str] = &[
    "* 12 EXISTS\r\n",
    "* 1 RECENT\r\n",
    "* 1 EXPUNGE\r\n",
    "* 2 FETCH (FLAGS (\\Seen))\r\n",
    "* 5 FETCH (BODY[] {3}\r\nabc)\r\n",
    "* 3 FETCH (UID 9 FLAGS ())\r\n",
    "* SEARCH 1 2 3\r\n",
    "* ESEARCH (TAG \"A9\") COUNT 3\r\n",
    "* STATUS Archive (MESSAGES 4)\r\n",
    "* LIST () \"/\" INBOX\r\n",
    "* OK [UIDNEXT 20] next\r\n",
    "* OK Still here\r\n",
    "* NO [ALERT] disk full\r\n",
    "* VANISHED 4:5\r\n",
    "* FLAGS (\\Seen \\Deleted)\r\n",
    "* CAPABILITY IMAP4rev1 IDLE UIDPLUS MOVE ESEARCH MULTIAPPEND UNSELECT\r\n",
    "* OK [COPYUID 1 7 100] moved\r\n",
];

const GARBAGE: &[&[u8]] = &[
    b"(garbage)\r\n",
    b"* FETCH\r\n",
    b"* 3 FETCH (FLAGS (\\Seen)\r\n",
    b"A999 OK who?\r\n",
    b"\x00\xff\r\n",
    b"+\r\n",
    b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n",
];

#[derive(Debug, Clone)]
enum Op {
    Enqueue(usize),
    IdleDone,
    /// A tagged reply for one of the commands sent and not yet completed.
    Tagged(usize, u8),
    /// A tagged BYE for one of them.
    TaggedBye(usize),
    Untagged(usize),
    Continue,
    Garbage(usize),
    Bye,
    Eof,
    Wait(u64),
}

/// Mostly a live session; now and then the end of it.
fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        40 => any::<usize>().prop_map(Op::Enqueue),
        4 => Just(Op::IdleDone),
        40 => (any::<usize>(), 0u8..8).prop_map(|(i, k)| Op::Tagged(i, k)),
        20 => any::<usize>().prop_map(Op::Untagged),
        20 => Just(Op::Continue),
        4 => any::<usize>().prop_map(Op::Garbage),
        1 => Just(Op::Bye),
        1 => Just(Op::Eof),
        1 => any::<usize>().prop_map(Op::TaggedBye),
        4 => (0u64..40).prop_map(Op::Wait),
        1 => (40u64..4000).prop_map(Op::Wait),
    ]
}

struct Run {
    h: Harness,
    commands: HashMap<Tag, Command>,
    order: Vec<Tag>,
    wire: Vec<u8>,
    /// Bytes written when the connection was lost.
    wire_at_end: Option<usize>,
    lost: usize,
}

impl Run {
    fn new(seed: u64) -> Self {
        let mut h = Harness::new(Chunking::Random(seed));
        h.selected(CAPS, 10);
        Run { h, commands: HashMap::new(), order: Vec::new(), wire: Vec::new(), wire_at_end: None, lost: 0 }
    }

    /// Tags sent and not completed yet.
    fn in_flight(&self) -> Vec<Tag> {
        let done: HashSet<&Tag> = self
            .h
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Ready(id) => self.h.tag_of(*id),
                _ => None,
            })
            .collect();
        let text = String::from_utf8_lossy(&self.wire);
        let mut out: Vec<Tag> = Vec::new();
        for line in text.split("\r\n") {
            let Some(word) = line.split(' ').next() else { continue };
            if let Some(tag) = self.order.iter().find(|t| t.as_str() == word) {
                if !done.contains(tag) && !out.contains(tag) {
                    out.push(tag.clone());
                }
            }
        }
        out
    }

    fn apply(&mut self, op: &Op, pool: &[Command]) {
        match op {
            Op::Enqueue(i) => {
                let cmd = pool[i % pool.len()].clone();
                let result = if matches!(cmd, Command::Idle) {
                    self.h.try_enqueue(crate::request::idle())
                } else {
                    self.h.try_enqueue(cmd.clone())
                };
                if let Ok(tag) = result {
                    assert!(!self.commands.contains_key(&tag), "tag {tag} reused");
                    self.commands.insert(tag.clone(), cmd);
                    self.order.push(tag);
                }
            }
            Op::IdleDone => {
                let _ = self.h.client.idle_done();
            }
            Op::Tagged(i, kind) => {
                let tags = self.in_flight();
                let tag = match tags.get(i % tags.len().max(1)) {
                    Some(t) => t.to_string(),
                    None => format!("A{}", i % 50),
                };
                let status =
                    ["OK", "OK", "OK", "NO [TRYCREATE]", "NO", "BAD", "OK [READ-ONLY]", "OK"][*kind as usize];
                self.h.server(format!("{tag} {status} done\r\n").as_bytes());
            }
            Op::TaggedBye(i) => {
                let tags = self.in_flight();
                if let Some(t) = tags.get(i % tags.len().max(1)) {
                    self.h.server(format!("{t} BYE go away\r\n").as_bytes());
                }
            }
            Op::Untagged(i) => self.h.server(UNTAGGED[i % UNTAGGED.len()].as_bytes()),
            Op::Continue => self.h.server(b"+ go ahead\r\n"),
            Op::Garbage(i) => self.h.server(GARBAGE[i % GARBAGE.len()]),
            Op::Bye => self.h.server(b"* BYE shutting down\r\n"),
            Op::Eof => {
                self.h.client.handle_eof();
                self.h.pump();
            }
            Op::Wait(s) => self.h.advance(Duration::from_secs(*s)),
        }
        self.h.pump();
        self.wire.append(&mut self.h.sent);
        let lost = self.h.events.iter().filter(|e| matches!(e, Event::ConnectionLost(_))).count();
        if lost > self.lost {
            self.lost = lost;
            self.wire_at_end.get_or_insert(self.wire.len());
        }
    }

    fn check(&mut self) {
        self.h.client.handle_eof();
        self.h.pump();
        self.wire.append(&mut self.h.sent);
        let events = &self.h.events;
        // Every command completes exactly once.
        let mut completions: HashMap<&Tag, usize> = HashMap::new();
        for e in events {
            if let Event::Ready(id) = e {
                let tag = self.h.tag_of(*id).expect("a request submitted here");
                assert!(self.commands.contains_key(tag), "completion of unknown tag {tag}");
                *completions.entry(tag).or_default() += 1;
            }
        }
        for tag in &self.order {
            assert_eq!(completions.get(tag).copied().unwrap_or(0), 1, "{tag} completions");
        }
        assert!(self.lost <= 1, "ConnectionLost delivered {} times", self.lost);
        // Nothing written after a fatal error.
        if let Some(n) = self.wire_at_end {
            assert_eq!(self.wire.len(), n, "bytes sent after the connection was lost");
        }
        assert!(self.h.client.poll_transmit().is_none());
        self.check_wire();
    }

    /// The client stream is a sequence of whole commands in enqueue order
    /// (a command refused while waiting for `+` stops at that literal),
    /// plus DONE lines and the engine's own IDLE re-issues.
    fn check_wire(&self) {
        let ctx = EncodeContext::default();
        let index: HashMap<&Tag, usize> = self.order.iter().enumerate().map(|(i, t)| (t, i)).collect();
        let mut pos = 0;
        let mut last: Option<usize> = None;
        let wire = &self.wire;
        while pos < wire.len() {
            let rest = &wire[pos..];
            if rest.starts_with(b"DONE\r\n") {
                pos += 6;
                continue;
            }
            let end = rest.windows(2).position(|w| w == b"\r\n").expect("lines end with CRLF") + 2;
            let line = String::from_utf8_lossy(&rest[..end]).into_owned();
            let word = line.split(' ').next().unwrap_or("");
            let Some((tag, i)) = index.iter().find(|(t, _)| t.as_str() == word).map(|(t, i)| (*t, *i)) else {
                assert!(
                    line.ends_with(" IDLE\r\n") || line.ends_with(" CAPABILITY\r\n"),
                    "unknown bytes {line:?}"
                );
                pos += end;
                continue;
            };
            assert!(last.is_none_or(|l| l < i), "{tag} sent out of order");
            last = Some(i);
            let encoded = encode_command(tag, &self.commands[tag], &ctx).unwrap();
            let full = encoded.to_vec();
            if rest.starts_with(&full) {
                pos += full.len();
                continue;
            }
            // Cut short at a synchronising literal that was never asked for.
            let mut at = 0;
            let mut cuts = Vec::new();
            for f in encoded.fragments() {
                if matches!(f, Fragment::Literal { sync: true, .. }) {
                    cuts.push(at);
                }
                at += match f {
                    Fragment::Line(b) | Fragment::Literal { data: b, .. } => b.len(),
                };
            }
            let cut = cuts.iter().rev().find(|&&c| rest.starts_with(&full[..c]));
            let cut = cut.unwrap_or_else(|| {
                panic!(
                    "{tag}: bytes {:?} are not {:?}",
                    String::from_utf8_lossy(rest),
                    String::from_utf8_lossy(&full)
                )
            });
            pos += cut;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_interleavings_keep_the_engine_sound(seed in any::<u64>(), ops in proptest::collection::vec(op(), 1..120)) {
        let pool = pool();
        let mut run = Run::new(seed);
        for op in &ops {
            run.apply(op, &pool);
        }
        run.check();
    }
}
