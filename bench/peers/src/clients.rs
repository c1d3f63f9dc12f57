//! What is measured: the operations, and every client that takes part (the
//! rows of the tables).

use std::fmt;

/// One timed operation on the selected mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `UID FETCH 1:* (BODY.PEEK[])`: every message, whole.
    Full,
    /// `UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)`.
    Meta,
    /// `UID FETCH <uid> (BODY.PEEK[])` for 1,000 UIDs, one after another.
    Sequential,
    /// The same 1,000 fetches pipelined (or concurrent, as the client allows).
    Pipelined,
}

impl Op {
    pub(crate) const ALL: [Op; 4] = [Op::Full, Op::Meta, Op::Sequential, Op::Pipelined];

    /// The name workers are told (also the Python worker's).
    pub(crate) fn arg(self) -> &'static str {
        match self {
            Op::Full => "full",
            Op::Meta => "meta",
            Op::Sequential => "seq",
            Op::Pipelined => "pipe",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.arg() == s)
    }

    /// The table's title.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Op::Full => "`UID FETCH 1:* (BODY.PEEK[])`",
            Op::Meta => "`UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)`",
            Op::Sequential => "1,000 × `UID FETCH <uid> (BODY.PEEK[])`, one after another",
            Op::Pipelined => "the same 1,000 fetches, pipelined or concurrent",
        }
    }

    /// Whether the operation's bytes are message bytes (`BODY[]`) rather
    /// than the sum of `RFC822.SIZE`.
    pub(crate) fn fetches_bodies(self) -> bool {
        self != Op::Meta
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.arg())
    }
}

/// Who runs a client's worker process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    /// This binary, `peers-bench worker <id> ...`.
    Rust,
    /// `bench/peers/python_peers.py worker <id> ...` in the bench's venv.
    Python,
}

/// A row: a client (and the form of its API) that the tables compare.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    /// The worker's name for it.
    pub(crate) id: &'static str,
    /// What the tables print.
    pub(crate) label: &'static str,
    pub(crate) runner: Runner,
    /// The operations it takes part in; the others print why not.
    pub(crate) ops: &'static [Op],
    /// Why it has no row for an operation it skips (e.g. no pipelining).
    pub(crate) skip_note: &'static str,
    /// How it sends the 1,000 fetches at once (the pipelined table says).
    pub(crate) pipelines_with: &'static str,
    /// One of this workspace's drivers (the goals are about these).
    pub(crate) ours: bool,
    /// The raw socket floor the others are divided by.
    pub(crate) floor: bool,
}

const EVERY_OP: &[Op] = &[Op::Full, Op::Meta, Op::Sequential, Op::Pipelined];
const NO_PIPELINING: &[Op] = &[Op::Full, Op::Meta, Op::Sequential];
const WHOLE_MAILBOX: &[Op] = &[Op::Full, Op::Meta];

/// Every row, in print order. A new row needs a worker (a Rust one in
/// `worker.rs`, a Python one in `python_peers.py`) under its `id`; it is
/// then timed, checked and printed like the rest.
pub(crate) const CLIENTS: &[Client] = &[
    Client {
        id: "raw",
        label: "raw socket drain (floor)",
        pipelines_with: "one write of 1,000 commands",
        runner: Runner::Rust,
        ops: EVERY_OP,
        skip_note: "",
        ours: false,
        floor: true,
    },
    Client {
        id: "blocking",
        label: "imap-blocking `fetch`",
        pipelines_with: "`pipeline(requests)`",
        runner: Runner::Rust,
        ops: EVERY_OP,
        skip_note: "",
        ours: true,
        floor: false,
    },
    Client {
        id: "blocking-stream",
        label: "imap-blocking `fetch_stream`",
        pipelines_with: "",
        runner: Runner::Rust,
        ops: WHOLE_MAILBOX,
        skip_note: "(the streaming form: whole mailboxes only)",
        ours: true,
        floor: false,
    },
    Client {
        id: "smol",
        label: "imap-smol `fetch`",
        pipelines_with: "1,000 `fetch` futures made, then awaited",
        runner: Runner::Rust,
        ops: EVERY_OP,
        skip_note: "",
        ours: true,
        floor: false,
    },
    Client {
        id: "smol-stream",
        label: "imap-smol `fetch_stream`",
        pipelines_with: "",
        runner: Runner::Rust,
        ops: WHOLE_MAILBOX,
        skip_note: "(the streaming form: whole mailboxes only)",
        ours: true,
        floor: false,
    },
    Client {
        id: "mio",
        label: "imap-mio `fetch`",
        pipelines_with: "1,000 `fetch` submitted, then the `Pool` polled",
        runner: Runner::Rust,
        ops: EVERY_OP,
        skip_note: "",
        ours: true,
        floor: false,
    },
    Client {
        id: "mio-stream",
        label: "imap-mio `fetch_stream`",
        pipelines_with: "",
        runner: Runner::Rust,
        ops: WHOLE_MAILBOX,
        skip_note: "(the streaming form: whole mailboxes only)",
        ours: true,
        floor: false,
    },
    Client {
        id: "imap-python",
        label: "imap-python `imap_core.IMAPClient`",
        pipelines_with: "",
        runner: Runner::Python,
        ops: NO_PIPELINING,
        skip_note: "no pipelining (IMAPClient's API: one command at a time)",
        ours: true,
        floor: false,
    },
    Client {
        id: "imap-python-aio",
        label: "imap-python `imap_core.aio`",
        pipelines_with: "`asyncio.gather` of 1,000 `fetch` coroutines",
        runner: Runner::Python,
        ops: EVERY_OP,
        skip_note: "",
        ours: true,
        floor: false,
    },
    Client {
        id: "imap",
        label: "`imap` 3.0.0-alpha.15",
        pipelines_with: "",
        runner: Runner::Rust,
        ops: NO_PIPELINING,
        skip_note: "no pipelining (one command at a time)",
        ours: false,
        floor: false,
    },
    Client {
        id: "async-imap",
        label: "`async-imap` 0.12 (tokio)",
        pipelines_with: "",
        runner: Runner::Rust,
        ops: NO_PIPELINING,
        skip_note: "no pipelining (`&mut` session per command)",
        ours: false,
        floor: false,
    },
    Client {
        id: "imaplib",
        label: "Python `imaplib`",
        pipelines_with: "",
        runner: Runner::Python,
        ops: NO_PIPELINING,
        skip_note: "no pipelining",
        ours: false,
        floor: false,
    },
    Client {
        id: "imapclient",
        label: "Python `IMAPClient` (`fetch(uids)`: 4.x takes no `1:*`)",
        pipelines_with: "",
        runner: Runner::Python,
        ops: NO_PIPELINING,
        skip_note: "no pipelining",
        ours: false,
        floor: false,
    },
    Client {
        id: "aioimaplib",
        label: "Python `aioimaplib`",
        pipelines_with: "",
        runner: Runner::Python,
        ops: NO_PIPELINING,
        // python_peers.py's `pipe` shows it: the waiting commands all wake
        // when one ends and go out together, their answers mixed up.
        skip_note:
            "concurrent FETCHes (`asyncio.gather`) fail: \"unexpected tagged response\", then it hangs",
        ours: false,
        floor: false,
    },
];

impl Client {
    pub(crate) fn runs(&self, op: Op) -> bool {
        self.ops.contains(&op)
    }
}
