//! Incremental framing: splits the server's byte stream into complete
//! responses (lines plus the literals they announce) before any parsing.
//!
//! - LF is searched with memchr from a saved resume offset, so no byte is
//!   scanned twice whatever the chunking: cost is linear in the input.
//! - A line ending in `{N}`, `{N+}` or `~{N}` announces a literal; its N
//!   bytes are counted out, never scanned.
//! - Every size has a limit ([`Limits`]). A response that breaks one is
//!   reported once as a [`LimitError`] and the rest of it is counted out and
//!   dropped without being buffered, so framing survives and memory stays
//!   bounded.
//!
//! Bare LF ends a line too; whether that is acceptable is the parser's call
//! (see [`Leniency::bare_lf`](crate::Leniency::bare_lf)).
//!
//! # `{N}` that is not a literal
//!
//! The grammar has no literal in a status response's human-readable text
//! (`resp-text = ["[" resp-text-code "]" SP] text`, and `text` is any
//! TEXT-CHAR), yet servers echo user input there: `A1 NO Mailbox doesn't
//! exist: foo{3}`. Such a line ends the response; reading `{3}` as an
//! announcement would swallow the next three bytes of the stream and
//! desynchronise every later response. A literal can still appear inside the
//! response code, whose arguments may hold astrings (RFC 3501's
//! `[BADCHARSET (astring ...)]`). So in a status response (`OK`, `NO`,
//! `BAD`, `BYE`, `PREAUTH`, tagged or not) and in a continuation request
//! (`+`), which share `resp-text`, a trailing `{N}` announces a literal only
//! while the response code opened right after the status word is still open:
//! closed by the first `]` outside a quoted string. Everywhere else a
//! trailing `{N}` announces a literal. This is grammar, not leniency: it
//! holds in strict mode too. The decision needs only the bytes of the
//! response seen so far, so it is the same under any chunking.
//!
//! # A blank line before a FETCH's closing parenthesis
//!
//! Some servers end a literal in FETCH data with an extra line break:
//! `* 1 FETCH (BODY[] {3}\r\nabc\r\n)\r\n` (Gmail, MailKit's capture
//! gmail/headers.1; imapclient#162). After a literal, a line that holds
//! nothing but spaces cannot end a FETCH (its `)` is missing), and a line
//! that starts with `)` cannot start a response. So when such a blank line
//! in a FETCH response is followed by a line starting with `)`, that line is
//! framed as part of the same response; whether the parser accepts it is
//! [`Leniency::blank_line_in_fetch`](crate::Leniency::blank_line_in_fetch).
//! The framer waits for the first byte after the blank line to decide,
//! which only ever delays a FETCH that is malformed either way. A response
//! being dropped for a limit is not joined: its `)` line comes out as a
//! malformed response of its own.

use bytes::{Bytes, BytesMut};

use crate::chars::is_tag_char;
use crate::config::Limits;
use crate::error::{FramingError, LimitError, LimitKind};

/// How much of a large literal to reserve ahead of its arrival. Bigger
/// literals grow the buffer by doubling; a server's announcement alone never
/// makes the client allocate more than this.
const LITERAL_PREALLOC_MAX: usize = 8 << 20;

/// Size of the first receive area for [`Framer::read_buf`] (and of the
/// first after [`Framer::release`]): an idle connection keeps little.
const READ_FIRST: usize = 4 * 1024;

/// Largest receive area outside literals: each read that fills the whole
/// area doubles the next one, up to this.
const READ_CHUNK: usize = 128 * 1024;

/// Bytes of a response kept for error messages.
const HEAD_LEN: usize = 128;

/// Digits of an oversized literal length kept for the error message.
const OVERFLOW_DIGITS_SHOWN: usize = 40;

/// A framing event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete response, CRLF included.
    Response(Bytes),
    /// A response broke a limit; its bytes are being dropped.
    Skipped(LimitError),
}

/// Splits a byte stream into complete responses.
///
/// A line ending in `{N}`, `{N+}` or `~{N}` announces a literal of N bytes,
/// counted out unscanned, except where the grammar has no literal: at the
/// end of a status response's or continuation request's text (`A1 NO
/// Mailbox doesn't exist: foo{3}` is one whole response; inside its
/// response code a literal is still one). After a literal in a FETCH, a
/// blank line followed by a line starting with `)` stays with the FETCH
/// (Gmail sends one; see
/// [`Leniency::blank_line_in_fetch`](crate::Leniency::blank_line_in_fetch)).
/// Every size has a limit ([`Limits`]).
///
/// ```
/// use imap_core::parse::{Frame, Framer};
/// let mut framer = Framer::default();
/// framer.push(b"* 1 FETCH (BODY[] {3}\r\nab");
/// assert_eq!(framer.next_frame().unwrap(), None);
/// framer.push(b"c)\r\n* OK\r\n");
/// assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 1 FETCH (BODY[] {3}\r\nabc)\r\n".into())));
/// assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* OK\r\n".into())));
/// ```
#[derive(Debug)]
pub struct Framer {
    limits: Limits,
    buf: BytesMut,
    /// Initialized room right after `buf` in the same allocation: reads
    /// land here ([`read_buf`](Self::read_buf)) and join `buf` without a
    /// copy ([`commit`](Self::commit)).
    spare: BytesMut,
    state: State,
    /// Size of the next receive area: [`READ_FIRST`], doubled by each read
    /// that fills its area, up to [`READ_CHUNK`].
    read_size: usize,
    /// Size of the largest receive area made since the start or the last
    /// [`release`](Self::release).
    area_peak: usize,
    /// Offset in `buf` from which to continue looking for LF.
    scan: usize,
    /// Offset in `buf` of the current line's first byte.
    line_start: usize,
    /// Size of the current response so far, including dropped bytes.
    response_len: u64,
    /// What the current response is, as far as its lines so far tell.
    shape: Shape,
    /// Set after a fatal framing error: nothing more is framed.
    broken: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Looking for the LF that ends the current line.
    Line,
    /// Counting out a literal that ends at this offset of `buf`.
    Literal { end: usize },
    /// After a blank line that follows a literal in a FETCH response (it
    /// ends at this offset of `buf`): waiting for the next byte to tell
    /// whether a `)` line continues the response.
    AfterBlank { line_end: usize },
    /// Dropping the rest of an oversized response: the current line
    /// (watching its end for a literal announcement).
    DiscardLine { tail: AnnounceTail, shape: Shape },
    /// Dropping a literal of an oversized response.
    DiscardLiteral { remaining: u64, shape: Shape },
}

impl Default for Framer {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl Framer {
    /// A framer with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            spare: BytesMut::new(),
            read_size: READ_FIRST,
            area_peak: 0,
            state: State::Line,
            scan: 0,
            line_start: 0,
            response_len: 0,
            shape: Shape::default(),
            broken: false,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Changes the limits; they apply from the next byte framed.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Appends received bytes (a copy; see [`read_buf`](Self::read_buf)
    /// and [`push_bytes`](Self::push_bytes) for the ways without one).
    pub fn push(&mut self, data: &[u8]) {
        if !self.broken {
            self.buf.extend_from_slice(data);
        }
    }

    /// Appends received bytes without copying them when nothing is
    /// buffered and `data` is not shared (a whole capture read into a
    /// `Vec`, say): frames are then slices of `data` itself.
    pub fn push_bytes(&mut self, data: Bytes) {
        if self.broken {
            return;
        }
        if self.buf.is_empty() {
            match data.try_into_mut() {
                Ok(data) => self.buf = data,
                Err(data) => self.buf.extend_from_slice(&data),
            }
            return;
        }
        self.buf.extend_from_slice(&data);
    }

    /// Room to read into: write received bytes at its start, then
    /// [`commit`](Self::commit) how many. The bytes then join the buffer
    /// without being copied: one pass over received data fewer than reading
    /// into a buffer of one's own and calling [`push`](Self::push).
    ///
    /// The first area is small (4 KiB); each read that fills its whole area
    /// doubles the next one, up to 128 KiB (and more for a literal being
    /// received), so a connection that only ever gets short responses
    /// never holds a large buffer.
    ///
    /// ```
    /// use imap_core::parse::{Frame, Framer};
    /// let mut framer = Framer::default();
    /// let wire = b"* 2 EXISTS\r\n";
    /// framer.read_buf()[..wire.len()].copy_from_slice(wire); // a socket read
    /// framer.commit(wire.len());
    /// assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 2 EXISTS\r\n".into())));
    /// ```
    pub fn read_buf(&mut self) -> &mut [u8] {
        if self.spare.len() < self.min_room() {
            self.new_read_area();
        }
        &mut self.spare[..]
    }

    /// Takes the first `n` bytes of [`read_buf`](Self::read_buf) as
    /// received (at most its length).
    pub fn commit(&mut self, n: usize) {
        if self.broken || n == 0 {
            return;
        }
        if n >= self.spare.len() {
            // The read filled the area: more is likely waiting.
            self.read_size = (self.read_size * 2).min(READ_CHUNK);
        }
        let data = self.spare.split_to(n.min(self.spare.len()));
        // O(1) when `buf` ends where the area starts (the usual case).
        self.buf.unsplit(data);
    }

    /// A new receive area, with the partial response moved to its front so
    /// that what follows lands right after it. Big enough for the rest of
    /// the literal being received (growing geometrically, so a huge literal
    /// is moved a bounded number of times), else one chunk.
    fn new_read_area(&mut self) {
        let partial = self.buf.len();
        let pending = match self.state {
            State::Literal { end } => end.saturating_sub(partial),
            _ => 0,
        };
        let room = (pending.min(LITERAL_PREALLOC_MAX.max(2 * partial)) + self.min_room()).max(self.read_size);
        // The same allocation again when every frame cut from it is gone
        // (a streaming reader drops each message): its memory is still in
        // the caches. Else a new one, the partial response moved along.
        let mut area = std::mem::take(&mut self.buf);
        area.unsplit(std::mem::take(&mut self.spare));
        area.truncate(partial);
        area.reserve(room);
        area.resize(partial + room, 0);
        self.area_peak = self.area_peak.max(partial + room);
        self.buf = area.split_to(partial);
        self.spare = area;
    }

    /// The size of the largest receive area made since the last
    /// [`release`](Self::release): small for greetings and short replies,
    /// large once a transfer (many responses at once, a large literal)
    /// needed room.
    pub(crate) fn area_peak(&self) -> usize {
        self.area_peak
    }

    /// A receive area with less room than this is replaced by a new one.
    fn min_room(&self) -> usize {
        self.read_size / 8
    }

    /// Gives the receive area back when no response is partly received
    /// (the frames already cut from it keep their bytes); the next
    /// [`read_buf`](Self::read_buf) starts small again. Returns whether it
    /// did. For connections that wait long between responses.
    pub fn release(&mut self) -> bool {
        if self.broken || !self.buf.is_empty() || !matches!(self.state, State::Line) {
            return false;
        }
        self.buf = BytesMut::new();
        self.spare = BytesMut::new();
        self.read_size = READ_FIRST;
        self.area_peak = 0;
        true
    }

    /// Bytes buffered and not yet returned (the partial response).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Capacity of the receive buffer (with its room to read into): what
    /// the framer holds in memory.
    pub fn capacity(&self) -> usize {
        self.buf.capacity() + self.spare.len()
    }

    /// Whether a response has started but is not complete.
    pub fn is_mid_response(&self) -> bool {
        !self.buf.is_empty() || !matches!(self.state, State::Line)
    }

    /// Whether the bytes coming in are being dropped: the rest of a
    /// response that broke a limit.
    pub fn is_discarding(&self) -> bool {
        matches!(self.state, State::DiscardLine { .. } | State::DiscardLiteral { .. })
    }

    /// Takes every byte not yet framed, leaving the framer empty. Used at a
    /// protocol switch (STARTTLS, COMPRESS), where the bytes after the last
    /// response belong to another layer.
    pub fn take_unframed(&mut self) -> Bytes {
        self.state = State::Line;
        self.scan = 0;
        self.line_start = 0;
        self.response_len = 0;
        self.shape = Shape::default();
        self.buf.split().freeze()
    }

    /// The next complete response, if one is buffered.
    ///
    /// `Ok(None)` means more bytes are needed. An `Err` is fatal: the
    /// stream cannot be framed any more and every later call returns it.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FramingError> {
        if self.broken {
            return Err(FramingError::Broken);
        }
        let result = self.advance();
        if result.is_err() {
            self.broken = true;
            self.buf = BytesMut::new();
            self.spare = BytesMut::new();
        }
        result
    }

    fn advance(&mut self) -> Result<Option<Frame>, FramingError> {
        loop {
            match &mut self.state {
                State::Line => {
                    let found = memchr::memchr(b'\n', &self.buf[self.scan..]);
                    let Some(i) = found else {
                        self.scan = self.buf.len();
                        let line_len = (self.buf.len() - self.line_start) as u64;
                        if let Some((kind, size)) = self.line_breach(line_len) {
                            return Ok(Some(self.start_discard(kind, size)));
                        }
                        return Ok(None);
                    };
                    let line_end = self.scan + i + 1;
                    let line_len = (line_end - self.line_start) as u64;
                    if let Some((kind, size)) = self.line_breach(line_len) {
                        // Drop the line as if its LF had not arrived yet, so
                        // the outcome does not depend on the chunking: the
                        // error now, then at the LF whatever literal it
                        // announced (or a fatal overflow).
                        let error = self.limit_error(kind, size);
                        let mut tail = AnnounceTail::default();
                        let line = &self.buf[self.line_start..line_end - 1];
                        tail.feed(line);
                        let shape = self.shape.feed(line);
                        let _ = self.buf.split_to(line_end - 1);
                        self.reset_response();
                        self.state = State::DiscardLine { tail, shape };
                        self.release_memory();
                        return Ok(Some(Frame::Skipped(error)));
                    }
                    self.response_len += line_len;
                    let line = &self.buf[self.line_start..line_end];
                    let announced = match literal_announcement(line) {
                        Ok(None) => None,
                        // Only now is the shape needed: lines that end a
                        // response are never scanned.
                        announced => {
                            self.shape = self.shape.feed(line);
                            if self.shape.announces_literals() {
                                announced?
                            } else {
                                None
                            }
                        }
                    };
                    match announced {
                        None if self.line_start > 0 && self.shape == Shape::Fetch && is_blank(line) => {
                            self.state = State::AfterBlank { line_end };
                        }
                        None => {
                            let frame = self.buf.split_to(line_end).freeze();
                            self.reset_response();
                            return Ok(Some(Frame::Response(frame)));
                        }
                        Some(n) => {
                            let total = self.response_len.saturating_add(n);
                            // Where the literal ends in `buf`; `None` only with
                            // limits above the address space.
                            let end = usize::try_from(n).ok().and_then(|n| line_end.checked_add(n));
                            let breach = if n > self.limits.max_literal_len || end.is_none() {
                                Some((LimitKind::LiteralLength, n))
                            } else if total > self.limits.max_response_len {
                                Some((LimitKind::ResponseLength, total))
                            } else {
                                None
                            };
                            if let Some((kind, size)) = breach {
                                let error = self.limit_error(kind, size);
                                let shape = self.shape;
                                let _ = self.buf.split_to(line_end);
                                self.reset_response();
                                self.state = State::DiscardLiteral { remaining: n, shape };
                                self.release_memory();
                                return Ok(Some(Frame::Skipped(error)));
                            }
                            self.response_len = total;
                            let end = end.unwrap_or(usize::MAX);
                            // Room for the literal, when bytes are pushed. Not when
                            // they are read into the receive area: that area is sized
                            // for the literal by `new_read_area`, and reserving here
                            // would move the partial response away from it, so that
                            // every later read was copied (and the area's zeros too).
                            if end > self.buf.len() && self.spare.is_empty() {
                                let want = (end - self.buf.len()).min(LITERAL_PREALLOC_MAX);
                                self.buf.reserve(want);
                            }
                            self.state = State::Literal { end };
                        }
                    }
                }
                State::Literal { end } => {
                    let end = *end;
                    if self.buf.len() < end {
                        return Ok(None);
                    }
                    self.scan = end;
                    self.line_start = end;
                    self.state = State::Line;
                }
                State::AfterBlank { line_end } => {
                    let line_end = *line_end;
                    match self.buf.get(line_end) {
                        None => return Ok(None),
                        Some(b')') => {
                            // The FETCH goes on: frame the `)` line with it.
                            self.scan = line_end;
                            self.line_start = line_end;
                            self.state = State::Line;
                        }
                        Some(_) => {
                            let frame = self.buf.split_to(line_end).freeze();
                            self.reset_response();
                            return Ok(Some(Frame::Response(frame)));
                        }
                    }
                }
                State::DiscardLine { tail, shape } => {
                    let found = memchr::memchr(b'\n', &self.buf);
                    let Some(i) = found else {
                        tail.feed(&self.buf);
                        *shape = shape.feed(&self.buf);
                        self.buf.clear();
                        return Ok(None);
                    };
                    tail.feed(&self.buf[..i]);
                    *shape = shape.feed(&self.buf[..i]);
                    let shape = *shape;
                    let _ = self.buf.split_to(i + 1);
                    let announced = match tail.finish() {
                        _ if !shape.announces_literals() => None,
                        announced => announced?,
                    };
                    match announced {
                        Some(n) => self.state = State::DiscardLiteral { remaining: n, shape },
                        None => {
                            // The dropped response is over; start afresh.
                            self.reset_response();
                            self.release_memory();
                        }
                    }
                }
                State::DiscardLiteral { remaining, shape } => {
                    let avail = self.buf.len() as u64;
                    if avail < *remaining {
                        *remaining -= avail;
                        self.buf.clear();
                        return Ok(None);
                    }
                    let _ = self.buf.split_to(*remaining as usize);
                    self.state = State::DiscardLine { tail: AnnounceTail::default(), shape: *shape };
                }
            }
        }
    }

    /// Whether `line_len` bytes of the current line break a limit, and
    /// which: the one crossed at the earlier byte, so that the kind does
    /// not depend on how the line was chunked (ties go to the line limit).
    fn line_breach(&self, line_len: u64) -> Option<(LimitKind, u64)> {
        let line_room = self.limits.max_line_len as u64;
        let response_room = self.limits.max_response_len.saturating_sub(self.response_len);
        if line_len <= line_room && line_len <= response_room {
            None
        } else if response_room < line_room {
            Some((LimitKind::ResponseLength, self.response_len.saturating_add(line_len)))
        } else {
            Some((LimitKind::LineLength, line_len))
        }
    }

    fn reset_response(&mut self) {
        self.state = State::Line;
        self.scan = 0;
        self.line_start = 0;
        self.response_len = 0;
        self.shape = Shape::default();
    }

    /// After dropping a huge response, give its memory back.
    fn release_memory(&mut self) {
        if self.spare.len() > 1 << 20 {
            self.spare = BytesMut::new();
        }
        if self.buf.capacity() > 1 << 20 {
            let rest = self.buf.split();
            self.buf = BytesMut::with_capacity(16 * 1024);
            self.buf.extend_from_slice(&rest);
        }
    }

    fn head(&self) -> Bytes {
        Bytes::copy_from_slice(&self.buf[..self.buf.len().min(HEAD_LEN)])
    }

    /// Drops the current response from here: the buffered part of the
    /// current line and everything before it.
    fn start_discard(&mut self, kind: LimitKind, size: u64) -> Frame {
        let error = self.limit_error(kind, size);
        let mut tail = AnnounceTail::default();
        tail.feed(&self.buf[self.line_start..]);
        let shape = self.shape.feed(&self.buf[self.line_start..]);
        self.buf.clear();
        self.release_memory();
        self.state = State::DiscardLine { tail, shape };
        Frame::Skipped(error)
    }

    fn limit_error(&self, kind: LimitKind, size: u64) -> LimitError {
        let limit = match kind {
            LimitKind::LineLength => self.limits.max_line_len as u64,
            LimitKind::LiteralLength => self.limits.max_literal_len,
            LimitKind::ResponseLength => self.limits.max_response_len,
            LimitKind::Nesting => self.limits.max_nesting as u64,
            LimitKind::ResultLength => self.limits.max_result_len,
        };
        LimitError { kind, limit, size, head: self.head() }
    }
}

/// What the framer knows of the response being framed, read from its bytes
/// (literal data excluded) one at a time, so that any chunking gives the
/// same answer. Only a few leading bytes are looked at, except in a status
/// response's code, which is followed to its closing `]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Shape {
    /// Nothing read yet.
    #[default]
    Start,
    /// `*`.
    Star,
    /// Tag characters.
    Tag,
    /// `+`.
    Plus,
    /// The SP (or, leniently, SPs) after `*` or a tag.
    Spaces {
        /// After `*` rather than a tag.
        untagged: bool,
    },
    /// `* n`.
    Number,
    /// `* n SP`.
    NumberSpaces,
    /// Letters of the word that names the response (a status word or, after
    /// `* n`, FETCH); longer words are not among those.
    Word {
        /// After `* n`.
        numbered: bool,
        /// The word so far, upper-cased.
        word: [u8; 7],
        /// How much of `word` is filled.
        len: u8,
    },
    /// After a status word (or `+`) and its SP: `resp-text` starts here.
    TextStart,
    /// Inside the response code opened at the start of `resp-text`.
    Code {
        /// Inside a quoted string.
        quoted: bool,
        /// After a backslash in a quoted string.
        escaped: bool,
    },
    /// In a status response's human-readable text: a trailing `{N}` is text.
    Text,
    /// A FETCH response (`* n FETCH `).
    Fetch,
    /// Anything else: a trailing `{N}` announces a literal.
    Other,
}

impl Shape {
    /// The state after `bytes` (none of them literal data).
    fn feed(mut self, bytes: &[u8]) -> Self {
        for &c in bytes {
            self = match self {
                Shape::Text | Shape::Fetch | Shape::Other => return self,
                Shape::Code { quoted: false, .. } => match c {
                    b'"' => Shape::Code { quoted: true, escaped: false },
                    b']' => Shape::Text,
                    _ => self,
                },
                Shape::Code { quoted: true, escaped: true } => Shape::Code { quoted: true, escaped: false },
                Shape::Code { quoted: true, escaped: false } => match c {
                    b'\\' => Shape::Code { quoted: true, escaped: true },
                    b'"' => Shape::Code { quoted: false, escaped: false },
                    _ => self,
                },
                Shape::Start => match c {
                    b'*' => Shape::Star,
                    b'+' => Shape::Plus,
                    c if is_tag_char(c) => Shape::Tag,
                    _ => Shape::Other,
                },
                Shape::Star => match c {
                    b' ' => Shape::Spaces { untagged: true },
                    _ => Shape::Other,
                },
                Shape::Tag => match c {
                    b' ' => Shape::Spaces { untagged: false },
                    c if is_tag_char(c) => Shape::Tag,
                    _ => Shape::Other,
                },
                Shape::Plus => match c {
                    b' ' => Shape::TextStart,
                    _ => Shape::Other,
                },
                Shape::Spaces { untagged } => match c {
                    b' ' => self,
                    b'0'..=b'9' if untagged => Shape::Number,
                    c if c.is_ascii_alphabetic() => Shape::word(false, c),
                    _ => Shape::Other,
                },
                Shape::Number => match c {
                    b'0'..=b'9' => Shape::Number,
                    b' ' => Shape::NumberSpaces,
                    _ => Shape::Other,
                },
                Shape::NumberSpaces => match c {
                    b' ' => self,
                    c if c.is_ascii_alphabetic() => Shape::word(true, c),
                    _ => Shape::Other,
                },
                Shape::Word { numbered, mut word, len } => match c {
                    c if c.is_ascii_alphabetic() && usize::from(len) < word.len() => {
                        word[usize::from(len)] = c.to_ascii_uppercase();
                        Shape::Word { numbered, word, len: len + 1 }
                    }
                    b' ' => {
                        let word = &word[..usize::from(len)];
                        match (numbered, word) {
                            (true, b"FETCH") => Shape::Fetch,
                            (false, b"OK" | b"NO" | b"BAD" | b"BYE" | b"PREAUTH") => Shape::TextStart,
                            _ => Shape::Other,
                        }
                    }
                    _ => Shape::Other,
                },
                Shape::TextStart => match c {
                    b'[' => Shape::Code { quoted: false, escaped: false },
                    _ => Shape::Text,
                },
            };
        }
        self
    }

    fn word(numbered: bool, first: u8) -> Self {
        let mut word = [0; 7];
        word[0] = first.to_ascii_uppercase();
        Shape::Word { numbered, word, len: 1 }
    }

    /// Whether a `{N}` at the end of the line just fed announces a literal.
    fn announces_literals(self) -> bool {
        self != Shape::Text
    }
}

/// Whether a line (LF included) holds nothing but spaces before its end.
fn is_blank(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.iter().all(|&c| c == b' ')
}

/// Watches a line that is being dropped, chunk by chunk, for a literal
/// announcement at its end, as [`literal_announcement`] would find it in the
/// whole line. Only the bytes after the last `{` of a chunk are looked at,
/// and the length is accumulated as it comes, so a zero-padded or overlong
/// length is judged the same as in a line that was kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct AnnounceTail {
    state: TailState,
    /// The significant digits of the length (for the overflow message).
    digits: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum TailState {
    /// Not in an announcement.
    #[default]
    Outside,
    /// After `{` and `digits` digits; the value, `None` past 64 bits.
    Digits { value: Option<u64>, digits: usize },
    /// After `{N+`.
    Plus(Option<u64>),
    /// After `{N}` or `{N+}`: only CR may come before the LF.
    Close(Option<u64>),
    /// After `}` CR.
    Cr(Option<u64>),
}

impl AnnounceTail {
    /// More bytes of the line, none of them LF.
    fn feed(&mut self, bytes: &[u8]) {
        let bytes = match memchr::memrchr(b'{', bytes) {
            Some(i) => {
                self.state = TailState::Digits { value: Some(0), digits: 0 };
                self.digits.clear();
                &bytes[i + 1..]
            }
            None => bytes,
        };
        for &c in bytes {
            self.state = match (self.state, c) {
                (TailState::Outside, _) => return,
                (TailState::Digits { value, digits }, b'0'..=b'9') => {
                    if (c != b'0' || !self.digits.is_empty()) && self.digits.len() < OVERFLOW_DIGITS_SHOWN {
                        self.digits.push(char::from(c));
                    }
                    let value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u64::from(c - b'0')));
                    TailState::Digits { value, digits: digits + 1 }
                }
                (TailState::Digits { value, digits }, b'+') if digits > 0 => TailState::Plus(value),
                (TailState::Digits { value, digits }, b'}') if digits > 0 => TailState::Close(value),
                (TailState::Plus(value), b'}') => TailState::Close(value),
                (TailState::Close(value), b'\r') => TailState::Cr(value),
                _ => TailState::Outside,
            };
        }
    }

    /// The line ended: the length of the literal it announced, if any.
    fn finish(&mut self) -> Result<Option<u64>, FramingError> {
        let state = std::mem::take(&mut self.state);
        let digits = std::mem::take(&mut self.digits);
        match state {
            TailState::Close(value) | TailState::Cr(value) => match value {
                Some(n) => Ok(Some(n)),
                None => Err(FramingError::LiteralLengthOverflow { digits }),
            },
            _ => Ok(None),
        }
    }
}

/// If a line (LF included) ends with a literal announcement `{N}`, `{N+}`
/// or `~{N}` before its CRLF (or bare LF), the literal's length.
pub(crate) fn literal_announcement(line: &[u8]) -> Result<Option<u64>, FramingError> {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\n' {
        end -= 1;
    }
    if end > 0 && line[end - 1] == b'\r' {
        end -= 1;
    }
    if end < 3 || line[end - 1] != b'}' {
        return Ok(None);
    }
    let mut digits_end = end - 1;
    if line[digits_end - 1] == b'+' {
        digits_end -= 1;
    }
    let mut start = digits_end;
    while start > 0 && line[start - 1].is_ascii_digit() {
        start -= 1;
    }
    if start == digits_end || start == 0 || line[start - 1] != b'{' {
        return Ok(None);
    }
    let digits = &line[start..digits_end];
    let mut n: u64 = 0;
    for &d in digits {
        n = match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d - b'0'))) {
            Some(n) => n,
            None => {
                return Err(FramingError::LiteralLengthOverflow {
                    digits: String::from_utf8_lossy(digits).into_owned(),
                })
            }
        };
    }
    Ok(Some(n))
}

#[cfg(test)]
mod tests;
