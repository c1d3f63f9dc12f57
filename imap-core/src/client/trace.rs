//! A bounded trace of the last lines exchanged, with credentials redacted,
//! for error reports (imaplib2 keeps the last 20 lines the same way); and
//! the live protocol log, every line as it passes, redacted the same way,
//! for a driver to write out (imaplib's `debug`, imaplib2's `debug_file`).

use std::collections::VecDeque;
use std::fmt;

use crate::encode::Fragment;
use crate::types::{ByteStr, Command, Secret};

/// Longest line kept in the trace; longer ones are cut with a marker.
const MAX_LINE: usize = 300;

/// Longest line of the live protocol log (a long FETCH or SEARCH line is
/// cut with a marker).
const LOG_MAX_LINE: usize = 16 * 1024;

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
    Wire(Vec<u8>),
}

/// The bounded trace (the last lines, for error reports) and the live
/// protocol log (every line, until the driver takes it).
#[derive(Debug)]
pub(crate) struct Trace {
    lines: VecDeque<(Direction, Kept)>,
    capacity: usize,
    log: Option<Log>,
}

/// The live protocol log: lines rendered as they pass, waiting for
/// [`Client::poll_log`](super::Client::poll_log).
#[derive(Debug)]
struct Log {
    lines: VecDeque<TraceLine>,
    /// What the waiting lines cost (see [`LINE_COST`]).
    bytes: usize,
    limit: usize,
    dropped: u64,
}

impl Trace {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { lines: VecDeque::with_capacity(capacity.min(64)), capacity, log: None }
    }

    /// Whether lines are recorded at all (the trace or the log is on).
    pub(crate) fn enabled(&self) -> bool {
        self.capacity > 0 || self.log.is_some()
    }

    /// Starts the live log holding at most `limit` bytes, or stops it
    /// (`None`), dropping what waits.
    pub(crate) fn set_log(&mut self, limit: Option<usize>) {
        match (limit, self.log.as_mut()) {
            (Some(limit), Some(log)) => log.limit = limit,
            (Some(limit), None) => {
                self.log = Some(Log { lines: VecDeque::new(), bytes: 0, limit, dropped: 0 });
            }
            (None, _) => self.log = None,
        }
    }

    pub(crate) fn push(&mut self, direction: Direction, text: String) {
        if let Some(log) = self.log.as_mut() {
            log.push(TraceLine { direction, text: text.clone() });
        }
        self.keep(direction, Kept::Text(text));
    }

    /// Records protocol bytes (rendered when asked: each line as text,
    /// literal data summarised). A copy of the first bytes only, so the
    /// trace never holds a message body alive.
    pub(crate) fn push_wire(&mut self, direction: Direction, bytes: &[u8]) {
        if let Some(log) = self.log.as_mut() {
            log.push(TraceLine { direction, text: render_max(bytes, LOG_MAX_LINE) });
        }
        if self.capacity > 0 {
            let head = &bytes[..bytes.len().min(KEPT_BYTES)];
            // Once the trace is full, the oldest line's buffer takes the
            // copy: no allocation per response (a FETCH of 2,000 messages
            // is 2,000 of them).
            let mut kept = match self.make_room() {
                Some((_, Kept::Wire(buf))) => buf,
                _ => Vec::new(),
            };
            kept.clear();
            kept.extend_from_slice(head);
            self.lines.push_back((direction, Kept::Wire(kept)));
        }
    }

    /// Records a command as encoded, its literals summarised (never copied).
    pub(crate) fn push_command(&mut self, fragments: &[Fragment]) {
        if let Some(log) = self.log.as_mut() {
            let text = render_fragments(fragments, LOG_MAX_LINE);
            log.push(TraceLine { direction: Direction::Sent, text });
        }
        if self.capacity > 0 {
            let text = render_fragments(fragments, MAX_LINE);
            self.keep(Direction::Sent, Kept::Text(text));
        }
    }

    fn keep(&mut self, direction: Direction, kept: Kept) {
        if self.capacity == 0 {
            return;
        }
        self.make_room();
        self.lines.push_back((direction, kept));
    }

    /// Drops the oldest line if the trace is full, handing it back.
    fn make_room(&mut self) -> Option<(Direction, Kept)> {
        if self.lines.len() >= self.capacity {
            self.lines.pop_front()
        } else {
            None
        }
    }

    pub(crate) fn lines(&self) -> impl Iterator<Item = TraceLine> + '_ {
        self.lines.iter().map(|(direction, kept)| TraceLine {
            direction: *direction,
            text: match kept {
                Kept::Text(text) => text.clone(),
                Kept::Wire(bytes) => render_max(bytes, MAX_LINE),
            },
        })
    }

    /// The oldest line of the live log.
    pub(crate) fn pop_log(&mut self) -> Option<TraceLine> {
        let log = self.log.as_mut()?;
        let line = log.lines.pop_front()?;
        log.bytes -= line_cost(&line);
        Some(line)
    }

    /// Lines the live log dropped for lack of room.
    pub(crate) fn log_dropped(&self) -> u64 {
        self.log.as_ref().map_or(0, |log| log.dropped)
    }
}

/// What a waiting line of the live log counts against its limit: its text
/// and about what holding it costs.
const LINE_COST: usize = 64;

fn line_cost(line: &TraceLine) -> usize {
    line.text.len() + LINE_COST
}

impl Log {
    /// Queues a line; when the log is full the oldest lines make room (a
    /// log nobody takes must not grow without end).
    fn push(&mut self, line: TraceLine) {
        self.bytes += line_cost(&line);
        self.lines.push_back(line);
        while self.bytes > self.limit {
            let Some(old) = self.lines.pop_front() else { break };
            self.bytes -= line_cost(&old);
            self.dropped += 1;
        }
    }
}

/// Renders protocol bytes on one line: CRLF dropped, literal data replaced
/// by `<N bytes>`, non-printable bytes escaped, cut at `max` characters.
pub(crate) fn render_max(bytes: &[u8], max: usize) -> String {
    let mut line = Rendered::new(bytes.len(), max);
    let mut i = 0;
    while i < bytes.len() && !line.full() {
        let rest = &bytes[i..];
        let line_end = memchr::memchr(b'\n', rest).map_or(rest.len(), |e| e + 1);
        let text = &rest[..line_end];
        line.text(text);
        i += line_end;
        // `{N}` ending the last line is text (a status response echoing a
        // mailbox name), not a literal: the framer ended the frame there.
        if let (true, Ok(Some(n))) = (i < bytes.len(), crate::parse::literal_len(text)) {
            let skip = usize::try_from(n).unwrap_or(usize::MAX).min(bytes.len() - i);
            line.literal(n);
            i += skip;
        }
    }
    line.finish(i < bytes.len())
}

/// As [`render_max`] for an encoded command: literal data is announced by
/// the line before it, so it is only counted, never read.
fn render_fragments(fragments: &[Fragment], max: usize) -> String {
    let mut line = Rendered::new(64, max);
    for fragment in fragments {
        if line.full() {
            return line.finish(true);
        }
        match fragment {
            Fragment::Line(text) => line.text(text),
            Fragment::Literal { data, .. } => line.literal(data.len() as u64),
        }
    }
    line.finish(false)
}

/// A line being rendered.
struct Rendered {
    out: String,
    max: usize,
    /// Text was left out.
    cut: bool,
}

impl Rendered {
    fn new(len: usize, max: usize) -> Self {
        Rendered { out: String::with_capacity(len.min(max) + 16), max, cut: false }
    }

    fn full(&self) -> bool {
        self.out.len() >= self.max
    }

    /// Protocol text, without its line end, as much as fits.
    fn text(&mut self, text: &[u8]) {
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        for (i, &b) in text.iter().enumerate() {
            if self.full() {
                self.cut |= i < text.len();
                return;
            }
            match b {
                0x20..=0x7e => self.out.push(b as char),
                _ => {
                    let _ = crate::error::write_escaped_byte(&mut self.out, b);
                }
            }
        }
    }

    fn literal(&mut self, n: u64) {
        self.out.push_str(&format!(" <{n} bytes> "));
    }

    /// The line, marked ` ...` when something was left out.
    fn finish(mut self, more: bool) -> String {
        if more || self.cut {
            self.out.push_str(" ...");
        }
        self.out.truncate(self.out.trim_end().len());
        self.out
    }
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
