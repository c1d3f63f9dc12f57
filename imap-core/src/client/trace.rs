//! A bounded trace of the last lines exchanged, with credentials redacted,
//! for error reports (imaplib2 keeps the last 20 lines the same way).

use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;

use crate::types::{ByteStr, Command, Secret};

/// Longest line kept; longer ones are cut with a marker.
const MAX_LINE: usize = 300;

/// Bytes of a response kept to render its line: enough for [`MAX_LINE`]
/// characters once escaped and a literal's announcement.
const KEPT_BYTES: usize = 4 * MAX_LINE;

/// Which way a traced line went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to server.
    Sent,
    /// Server to client.
    Received,
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// Which way.
    pub direction: Direction,
    /// The text, redacted and shortened; literal data shown as `{N bytes}`.
    pub text: String,
}

impl fmt::Display for TraceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.direction {
            Direction::Sent => "C: ",
            Direction::Received => "S: ",
        };
        write!(f, "{prefix}{}", self.text)
    }
}

/// What is kept of a line: text, or the first bytes of a response, only
/// rendered when someone asks (most lines are never looked at).
#[derive(Debug)]
enum Kept {
    Text(String),
    Wire(Bytes),
}

#[derive(Debug)]
pub(crate) struct Trace {
    lines: VecDeque<(Direction, Kept)>,
    capacity: usize,
}

impl Trace {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { lines: VecDeque::with_capacity(capacity.min(64)), capacity }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub(crate) fn push(&mut self, direction: Direction, text: String) {
        self.keep(direction, Kept::Text(text));
    }

    /// Records protocol bytes (rendered when asked: each line as text,
    /// literal data summarised). A copy of the first bytes only, so the
    /// trace never holds a message body alive.
    pub(crate) fn push_wire(&mut self, direction: Direction, bytes: &[u8]) {
        if self.capacity > 0 {
            let head = &bytes[..bytes.len().min(KEPT_BYTES)];
            self.keep(direction, Kept::Wire(Bytes::copy_from_slice(head)));
        }
    }

    fn keep(&mut self, direction: Direction, kept: Kept) {
        if self.capacity == 0 {
            return;
        }
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
        }
        self.lines.push_back((direction, kept));
    }

    pub(crate) fn lines(&self) -> impl Iterator<Item = TraceLine> + '_ {
        self.lines.iter().map(|(direction, kept)| TraceLine {
            direction: *direction,
            text: match kept {
                Kept::Text(text) => text.clone(),
                Kept::Wire(bytes) => render(bytes),
            },
        })
    }
}

/// Renders protocol bytes on one line: CRLF dropped, literal data replaced
/// by `<N bytes>`, non-printable bytes escaped, cut at [`MAX_LINE`].
pub(crate) fn render(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().min(MAX_LINE) + 16);
    let mut i = 0;
    while i < bytes.len() && out.len() < MAX_LINE {
        let rest = &bytes[i..];
        let line_end = memchr::memchr(b'\n', rest).map_or(rest.len(), |e| e + 1);
        let line = &rest[..line_end];
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        for &b in text {
            match b {
                0x20..=0x7e => out.push(b as char),
                _ => {
                    let _ = crate::error::write_escaped_byte(&mut out, b);
                }
            }
        }
        i += line_end;
        // `{N}` ending the last line is text (a status response echoing a
        // mailbox name), not a literal: the framer ended the frame there.
        if let (true, Ok(Some(n))) = (i < bytes.len(), crate::parse::literal_len(line)) {
            let skip = usize::try_from(n).unwrap_or(usize::MAX).min(bytes.len() - i);
            out.push_str(&format!(" <{n} bytes> "));
            i += skip;
        }
    }
    if i < bytes.len() {
        out.push_str(" ...");
    }
    out.truncate(out.trim_end().len());
    out
}

/// A copy of the command with credentials replaced, for the trace.
pub(crate) fn redact(cmd: &Command) -> Option<Command> {
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
