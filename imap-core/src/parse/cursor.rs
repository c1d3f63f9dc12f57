//! Token-level reading of one framed response.

use bytes::Bytes;

use crate::chars::{is_astring_char, is_atom_char, is_digit, is_lenient_atom_char, is_text_char};
use crate::config::{Leniency, ParseOptions};
use crate::types::{ByteStr, Mailbox, SequenceSet};

/// Bytes that end the fast scan of a quoted string: bit 1 in lenient mode
/// (`"`, `\`, CR, LF, NUL), bit 2 in strict mode (those and 8-bit bytes).
const STOP_LENIENT: u8 = 1;
const STOP_STRICT: u8 = 2;
static QUOTED_STOP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c == b'"' || c == b'\\' || c == b'\r' || c == b'\n' || c == 0 {
            t[i] = STOP_LENIENT | STOP_STRICT;
        } else if c >= 0x80 {
            t[i] = STOP_STRICT;
        }
        i += 1;
    }
    t
};

/// Words that fill BODYSTRUCTUREs, in the cases servers send them, by length.
static COMMON_WORDS: [&[&str]; 17] = [
    &[],
    &[],
    &["no", "NO"],
    &["pdf", "PDF", "yes", "YES", "png", "PNG", "gif", "GIF", "zip", "ZIP"],
    &["text", "TEXT", "html", "HTML", "7bit", "7BIT", "8bit", "8BIT", "name", "NAME", "jpeg", "JPEG"],
    &["plain", "PLAIN", "utf-8", "UTF-8", "mixed", "MIXED", "image", "IMAGE", "delsp", "DELSP"],
    &[
        "base64", "BASE64", "binary", "BINARY", "inline", "INLINE", "format", "FORMAT", "flowed", "FLOWED",
        "rfc822", "RFC822", "signed", "SIGNED", "report", "REPORT", "msword", "MSWORD",
    ],
    &["charset", "CHARSET", "related", "RELATED", "message", "MESSAGE"],
    &["us-ascii", "US-ASCII", "filename", "FILENAME", "boundary", "BOUNDARY", "calendar", "CALENDAR"],
    &["multipart", "MULTIPART"],
    &["attachment", "ATTACHMENT", "iso-8859-1", "ISO-8859-1"],
    &["alternative", "ALTERNATIVE", "application", "APPLICATION", "iso-8859-15", "ISO-8859-15"],
    &["octet-stream", "OCTET-STREAM", "windows-1252", "WINDOWS-1252"],
    &[],
    &[],
    &["delivery-status", "DELIVERY-STATUS"],
    &["quoted-printable", "QUOTED-PRINTABLE"],
];

/// The static copy of a common word, if `s` is one (exact bytes).
#[inline]
fn common_word(s: &[u8]) -> Option<&'static str> {
    let first = *s.first()?;
    COMMON_WORDS
        .get(s.len())?
        .iter()
        .copied()
        .find(|w| w.as_bytes()[0] == first && same_short(w.as_bytes(), s))
}

/// Whether two strings of the same length, at most 16 bytes (the longest
/// common word: `COMMON_WORDS` has 17 entries), are equal: two
/// overlapping word compares instead of a call to `memcmp`, which costs
/// more than the compare for words this short.
#[inline(always)]
fn same_short(a: &[u8], b: &[u8]) -> bool {
    debug_assert!(a.len() == b.len() && a.len() <= 16);
    match a.len() {
        8.. => a.first_chunk::<8>() == b.first_chunk::<8>() && a.last_chunk::<8>() == b.last_chunk::<8>(),
        4.. => a.first_chunk::<4>() == b.first_chunk::<4>() && a.last_chunk::<4>() == b.last_chunk::<4>(),
        _ => a == b,
    }
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// A word with the high bit set in (at least) the lowest byte of `v` that
/// is zero; higher bytes may show false positives, the lowest never does.
#[inline]
fn has_zero(v: u64) -> u64 {
    v.wrapping_sub(LOW_BITS) & !v & HIGH_BITS
}

/// As [`has_zero`], for bytes below `n` (`n` <= 128).
#[inline]
fn has_less(v: u64, n: u8) -> u64 {
    v.wrapping_sub(LOW_BITS * u64::from(n)) & !v & HIGH_BITS
}

/// As [`has_zero`], for bytes equal to `b`.
#[inline]
fn has_byte(v: u64, b: u8) -> u64 {
    has_zero(v ^ (LOW_BITS * u64::from(b)))
}

/// Why parsing stopped: where, and what the grammar wanted there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fail {
    pub(crate) pos: usize,
    pub(crate) expected: &'static str,
    /// The nesting limit was hit (reported as a limit, not a syntax error).
    pub(crate) nesting: bool,
}

pub(crate) type PResult<T> = Result<T, Fail>;

/// A place to come back to: the offset and the nesting depth there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pub(crate) pos: usize,
    depth: usize,
}

pub(crate) struct Parser<'a> {
    frame: &'a Bytes,
    pub(crate) buf: &'a [u8],
    pub(crate) pos: usize,
    pub(crate) lenient: Leniency,
    max_depth: usize,
    depth: usize,
    pub(crate) utf8_names: bool,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(frame: &'a Bytes, opts: &ParseOptions, utf8_names: bool) -> Self {
        Self {
            frame,
            buf: frame,
            pos: 0,
            lenient: opts.leniency,
            max_depth: opts.limits.max_nesting,
            depth: 0,
            utf8_names,
        }
    }

    #[inline]
    pub(crate) fn fail<T>(&self, expected: &'static str) -> PResult<T> {
        Err(Fail { pos: self.pos, expected, nesting: false })
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    #[inline]
    pub(crate) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    pub(crate) fn expect(&mut self, c: u8, what: &'static str) -> PResult<()> {
        if self.eat(c) {
            Ok(())
        } else {
            self.fail(what)
        }
    }

    /// A zero-copy slice of the response.
    #[inline]
    pub(crate) fn slice(&self, start: usize, end: usize) -> Bytes {
        self.frame.slice(start..end)
    }

    /// Enters a parenthesised level, enforcing the nesting limit.
    pub(crate) fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Fail {
                pos: self.pos,
                expected: "nesting within the configured limit",
                nesting: true,
            });
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Where the parser is, to come back to with [`reset`](Self::reset).
    #[inline]
    pub(crate) fn mark(&self) -> Mark {
        Mark { pos: self.pos, depth: self.depth }
    }

    /// Back to a [`mark`](Self::mark), to read the same bytes another way.
    #[inline]
    pub(crate) fn reset(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.depth = mark.depth;
    }

    /// Runs `f` and puts the position and nesting depth back as they were:
    /// a look ahead that consumes nothing whatever `f` does.
    pub(crate) fn lookahead<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let (pos, depth) = (self.pos, self.depth);
        let out = f(self);
        self.pos = pos;
        self.depth = depth;
        out
    }

    /// Runs `f`; if it fails, puts the position and nesting depth back
    /// before returning the error, so that another reading can be tried.
    pub(crate) fn rewinding<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let (pos, depth) = (self.pos, self.depth);
        let out = f(self);
        if out.is_err() {
            self.pos = pos;
            self.depth = depth;
        }
        out
    }

    /// Runs `f`; if it fails (other than on the nesting limit), puts the
    /// position and nesting depth back and returns `None`: a lenient
    /// reading tried where the grammar's has failed.
    pub(crate) fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<Option<T>> {
        match self.rewinding(f) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.nesting => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// One SP (more, leniently). Always inlined: between most tokens, where
    /// a call would cost several times the check.
    #[inline(always)]
    pub(crate) fn sp(&mut self) -> PResult<()> {
        if !self.eat(b' ') {
            return self.fail("SP");
        }
        if self.lenient.extra_spaces {
            while self.peek() == Some(b' ') {
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// Skips spaces where the grammar has none but servers put some
    /// (between list items without separators, before `)`), leniently.
    #[inline]
    pub(crate) fn lenient_spaces(&mut self) {
        if self.lenient.extra_spaces {
            while self.peek() == Some(b' ') {
                self.pos += 1;
            }
        }
    }

    /// SP, then true; or false if the next byte closes (`)`) or ends the
    /// line. For `*(SP item)` loops.
    #[inline]
    pub(crate) fn sp_before_item(&mut self) -> PResult<bool> {
        if self.peek() != Some(b' ') {
            return Ok(false);
        }
        let save = self.pos;
        self.sp()?;
        if self.lenient.extra_spaces && matches!(self.peek(), Some(b')' | b'\r' | b'\n') | None) {
            return Ok(false);
        }
        if matches!(self.peek(), Some(b')')) {
            self.pos = save;
            return Ok(false);
        }
        Ok(true)
    }

    /// Whether the bytes from here start with `bytes` (consumed nothing).
    #[inline]
    pub(crate) fn at_bytes(&self, bytes: &[u8]) -> bool {
        self.buf.get(self.pos..).is_some_and(|rest| rest.starts_with(bytes))
    }

    /// Whether the next byte ends the line.
    #[inline]
    pub(crate) fn at_eol(&self) -> bool {
        matches!(self.peek(), Some(b'\r' | b'\n') | None)
    }

    /// CRLF (or LF, leniently) that must end the response.
    pub(crate) fn end(&mut self) -> PResult<()> {
        if self.lenient.extra_spaces {
            while self.peek() == Some(b' ') {
                self.pos += 1;
            }
        }
        if self.eat(b'\r') {
            self.expect(b'\n', "LF after CR")?;
        } else if !(self.lenient.bare_lf && self.eat(b'\n')) {
            return self.fail("CRLF");
        }
        if self.pos != self.buf.len() {
            return self.fail("end of response");
        }
        Ok(())
    }

    /// `1*DIGIT` as u64 (number64).
    pub(crate) fn number64(&mut self) -> PResult<u64> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(c) = self.peek() {
            if !is_digit(c) {
                break;
            }
            n = match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(c - b'0'))) {
                Some(n) => n,
                None => {
                    self.pos = start;
                    return self.fail("number within 64 bits");
                }
            };
            self.pos += 1;
        }
        if self.pos == start {
            return self.fail("number");
        }
        Ok(n)
    }

    /// `number`: 32-bit unsigned.
    pub(crate) fn number(&mut self) -> PResult<u32> {
        let start = self.pos;
        let n = self.number64()?;
        u32::try_from(n).or_else(|_| {
            self.pos = start;
            self.fail("number within 32 bits")
        })
    }

    /// `nz-number`.
    pub(crate) fn nz_number(&mut self) -> PResult<u32> {
        let start = self.pos;
        let n = self.number()?;
        if n == 0 {
            self.pos = start;
            return self.fail("non-zero number");
        }
        Ok(n)
    }

    /// A number, leniently allowing a minus sign or NIL (read as 0).
    pub(crate) fn body_number(&mut self) -> PResult<u64> {
        if self.lenient.body_structure {
            match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    self.number64()?;
                    return Ok(0);
                }
                Some(b'N' | b'n') if self.nil() => return Ok(0),
                _ => {}
            }
        }
        self.number64()
    }

    /// The bytes of an atom (ATOM-CHARs; 8-bit too, leniently).
    #[inline]
    pub(crate) fn atom_span(&mut self) -> PResult<(usize, usize)> {
        let start = self.pos;
        let eight_bit = self.lenient.eight_bit;
        while let Some(&c) = self.buf.get(self.pos) {
            if is_atom_char(c) || (eight_bit && c >= 0x80) {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.pos == start {
            return self.fail("atom");
        }
        Ok((start, self.pos))
    }

    /// An atom, borrowed.
    #[inline]
    pub(crate) fn atom(&mut self) -> PResult<&'a [u8]> {
        let (s, e) = self.atom_span()?;
        Ok(&self.buf[s..e])
    }

    /// An atom, as a zero-copy string.
    pub(crate) fn atom_str(&mut self) -> PResult<ByteStr> {
        let (s, e) = self.atom_span()?;
        Ok(ByteStr::from_bytes(self.slice(s, e)))
    }

    /// Whether the next token is `NIL` (consumed if so).
    #[inline]
    pub(crate) fn nil(&mut self) -> bool {
        let b = &self.buf[self.pos.min(self.buf.len())..];
        if b.len() >= 3 && b[..3].eq_ignore_ascii_case(b"NIL") && !b.get(3).is_some_and(|&c| is_atom_char(c))
        {
            self.pos += 3;
            true
        } else {
            false
        }
    }

    /// `quoted`: zero-copy unless it holds escapes.
    pub(crate) fn quoted(&mut self) -> PResult<Bytes> {
        let (start, end) = self.quoted_span()?;
        match end {
            Some(end) => Ok(self.slice(start, end)),
            None => self.quoted_escaped(start),
        }
    }

    /// A quoted string without escapes: its span; `Ok((start, None))` when
    /// it has escapes and needs the copying path. One pass over the bytes
    /// with a class table: most strings are short, where a table loop beats
    /// two SIMD searches.
    #[inline]
    pub(crate) fn quoted_span(&mut self) -> PResult<(usize, Option<usize>)> {
        let open = self.pos;
        self.expect(b'"', "quoted string")?;
        let start = self.pos;
        let buf = self.buf;
        let strict = !self.lenient.eight_bit;
        let stop = if strict { STOP_STRICT } else { STOP_LENIENT };
        // Eight bytes at a time (SWAR) to the first candidate byte, then
        // exactly with the table.
        let mut i = start;
        loop {
            let Some(chunk) = buf.get(i..).and_then(<[u8]>::first_chunk::<8>) else {
                // Fewer than eight bytes left: one at a time.
                while i < buf.len() && QUOTED_STOP[buf[i] as usize] & stop == 0 {
                    i += 1;
                }
                break;
            };
            let v = u64::from_le_bytes(*chunk);
            // NUL, LF and CR are all below 0x0E: one test for the three,
            // checked exactly with the table (TAB and the like go on).
            let mut m = has_byte(v, b'"') | has_byte(v, b'\\') | has_less(v, 0x0E);
            if strict {
                m |= v & HIGH_BITS;
            }
            if m != 0 {
                // The lowest flagged byte is exact.
                let j = i + (m.trailing_zeros() / 8) as usize;
                if QUOTED_STOP[buf[j] as usize] & stop != 0 {
                    i = j;
                    break;
                }
                i = j + 1;
                continue;
            }
            i += 8;
        }
        match buf.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                Ok((start, Some(i)))
            }
            Some(b'\\') => Ok((start, None)),
            // Strict mode met an 8-bit byte: valid UTF-8 is grammar (RFC 9051
            // QUOTED-CHAR), so take the careful path.
            Some(&c) if c >= 0x80 => {
                let rest = &buf[start..];
                match memchr::memchr2(b'"', b'\\', rest) {
                    Some(j) if rest[j] == b'"' => {
                        self.check_quoted(start, start + j)?;
                        self.pos = start + j + 1;
                        Ok((start, Some(start + j)))
                    }
                    Some(_) => Ok((start, None)),
                    None => {
                        self.pos = open;
                        self.fail("closing quote")
                    }
                }
            }
            Some(b'\r' | b'\n') | None => {
                self.pos = open;
                self.fail("closing quote")
            }
            Some(_) => {
                self.pos = i;
                self.fail("quoted character")
            }
        }
    }

    /// A string that is often one of a few common words (BODYSTRUCTURE media
    /// types, parameters, encodings): those come back as static strings,
    /// which costs no reference counting; others are zero-copy slices.
    #[inline]
    pub(crate) fn string_common(&mut self) -> PResult<ByteStr> {
        if self.peek() == Some(b'"') {
            let (start, end) = self.quoted_span()?;
            return Ok(match end {
                Some(end) => match common_word(&self.buf[start..end]) {
                    Some(word) => ByteStr::from_static(word),
                    None => ByteStr::from_bytes(self.slice(start, end)),
                },
                None => ByteStr::from_bytes(self.quoted_escaped(start)?),
            });
        }
        Ok(ByteStr::from_bytes(self.string()?))
    }

    pub(crate) fn quoted_escaped(&mut self, start: usize) -> PResult<Bytes> {
        let mut out = Vec::with_capacity(32);
        let mut i = start;
        loop {
            let Some(&c) = self.buf.get(i) else {
                self.pos = start - 1;
                return self.fail("closing quote");
            };
            match c {
                b'"' => break,
                b'\\' => {
                    match self.buf.get(i + 1) {
                        Some(&e @ (b'"' | b'\\')) => out.push(e),
                        Some(&e) if self.lenient.eight_bit && e != b'\r' && e != b'\n' => {
                            // Not an escape the grammar has: keep both bytes.
                            out.push(b'\\');
                            out.push(e);
                        }
                        _ => {
                            self.pos = i;
                            return self.fail("\\\" or \\\\ escape");
                        }
                    }
                    i += 2;
                }
                b'\r' | b'\n' => {
                    self.pos = i;
                    return self.fail("closing quote");
                }
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        self.check_quoted(start, i)?;
        self.pos = i + 1;
        Ok(Bytes::from(out))
    }

    fn check_quoted(&mut self, start: usize, end: usize) -> PResult<()> {
        let body = &self.buf[start..end];
        let bad = if self.lenient.eight_bit {
            memchr::memchr2(b'\r', 0, body)
        } else {
            // RFC 9051 QUOTED-CHAR includes UTF8-2/3/4: valid UTF-8 is
            // grammar, not leniency; other 8-bit bytes are not.
            body.iter().position(|&c| !is_text_char(c) && c < 0x80).or_else(|| {
                let first = body.iter().position(|&c| c >= 0x80)?;
                std::str::from_utf8(body).is_err().then_some(first)
            })
        };
        if let Some(off) = bad {
            self.pos = start + off;
            return self.fail("quoted character");
        }
        Ok(())
    }

    /// `literal` or `literal8`: `{N}` (or `~{N}`, `{N+}`) CRLF then N bytes,
    /// zero-copy.
    pub(crate) fn literal(&mut self) -> PResult<Bytes> {
        let open = self.pos;
        self.eat(b'~');
        self.expect(b'{', "literal")?;
        let n = self.number64()?;
        self.eat(b'+');
        self.expect(b'}', "} closing literal length")?;
        if self.eat(b'\r') {
            self.expect(b'\n', "LF after literal length")?;
        } else if !(self.lenient.bare_lf && self.eat(b'\n')) {
            return self.fail("CRLF after literal length");
        }
        let start = self.pos;
        let end = match usize::try_from(n).ok().and_then(|n| start.checked_add(n)) {
            Some(end) if end <= self.buf.len() => end,
            _ => {
                self.pos = open;
                return self.fail("literal data (response ends early)");
            }
        };
        self.pos = end;
        Ok(self.slice(start, end))
    }

    /// Whether a literal (`{` or literal8's `~{`) starts here. A `~` alone
    /// is an ordinary ASTRING-CHAR (`~/Mail/foo`).
    #[inline]
    pub(crate) fn at_literal(&self) -> bool {
        match self.peek() {
            Some(b'{') => true,
            Some(b'~') => self.buf.get(self.pos + 1) == Some(&b'{'),
            _ => false,
        }
    }

    /// `string = quoted / literal`.
    #[inline]
    pub(crate) fn string(&mut self) -> PResult<Bytes> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            _ if self.at_literal() => self.literal(),
            _ => self.fail("string"),
        }
    }

    /// `nstring = string / nil`.
    #[inline]
    pub(crate) fn nstring(&mut self) -> PResult<Option<Bytes>> {
        if self.peek() == Some(b'"') || self.at_literal() {
            return self.string().map(Some);
        }
        if self.nil() {
            return Ok(None);
        }
        self.fail("string or NIL")
    }

    /// nstring as a ByteStr.
    #[inline]
    pub(crate) fn nstr(&mut self) -> PResult<Option<ByteStr>> {
        Ok(self.nstring()?.map(ByteStr::from_bytes))
    }

    /// A string where leniently NIL is read as empty.
    pub(crate) fn string_or_nil(&mut self, lenient: bool) -> PResult<ByteStr> {
        if lenient && self.nil() {
            return Ok(ByteStr::default());
        }
        self.string_common()
    }

    /// `astring = 1*ASTRING-CHAR / string`.
    pub(crate) fn astring(&mut self) -> PResult<Bytes> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            _ if self.at_literal() => self.literal(),
            _ => {
                let start = self.pos;
                let eight_bit = self.lenient.eight_bit;
                while let Some(&c) = self.buf.get(self.pos) {
                    if is_astring_char(c) || (eight_bit && c >= 0x80) {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                if self.pos == start {
                    return self.fail("astring");
                }
                Ok(self.slice(start, self.pos))
            }
        }
    }

    /// astring as a ByteStr.
    pub(crate) fn astr(&mut self) -> PResult<ByteStr> {
        Ok(ByteStr::from_bytes(self.astring()?))
    }

    /// `mailbox = "INBOX" / astring`, decoded.
    pub(crate) fn mailbox(&mut self) -> PResult<Mailbox> {
        let raw = self.astring()?;
        Ok(Mailbox::from_wire_mode(raw, self.utf8_names))
    }

    /// `sequence-set` (also `*`-free uid-set): the bytes `0-9 : , *`.
    pub(crate) fn sequence_set(&mut self) -> PResult<SequenceSet> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_digit(c) || c == b':' || c == b',' || c == b'*' {
                self.pos += 1;
            } else {
                break;
            }
        }
        SequenceSet::parse(&self.buf[start..self.pos]).or_else(|_| {
            self.pos = start;
            self.fail("sequence set")
        })
    }

    /// A `"x"` or NIL hierarchy delimiter (leniently `""`, read as NIL).
    pub(crate) fn delimiter(&mut self) -> PResult<Option<char>> {
        if self.nil() {
            return Ok(None);
        }
        let q = self.quoted()?;
        if q.is_empty() && self.lenient.empty_delimiter {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&q);
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Some(c)),
            _ => self.fail("one-character hierarchy delimiter"),
        }
    }

    /// Skips one value of any shape (atom, number, string, literal, NIL,
    /// parenthesised list, with `[...]` and `<...>` suffixes) and returns
    /// its span. For extension data this parser does not know.
    pub(crate) fn skip_value(&mut self) -> PResult<(usize, usize)> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                self.quoted()?;
            }
            _ if self.at_literal() => {
                self.literal()?;
            }
            Some(b'(') => {
                self.enter()?;
                self.pos += 1;
                self.lenient_spaces();
                while self.peek() != Some(b')') {
                    if self.at_eol() {
                        return self.fail(") closing list");
                    }
                    self.skip_value()?;
                    if self.peek() == Some(b' ') {
                        self.sp()?;
                    } else if self.peek() != Some(b')') {
                        // Items may follow each other without SP: "(a)(b)".
                        if self.peek() != Some(b'(') {
                            return self.fail("SP or )");
                        }
                    }
                }
                self.pos += 1;
                self.leave();
            }
            _ => {
                // An atom-like token; brackets may hold spaces ("BODY[HEADER.FIELDS (A)]").
                let mut bracket = 0usize;
                while let Some(c) = self.peek() {
                    match c {
                        b'[' => bracket += 1,
                        b']' if bracket > 0 => bracket -= 1,
                        b']' => break,
                        b' ' | b'(' | b')' if bracket > 0 => {}
                        b'\r' | b'\n' => break,
                        c if is_lenient_atom_char(c) || c == b'%' || c == b'*' || c == b'\\' => {}
                        _ => break,
                    }
                    self.pos += 1;
                }
                if self.pos == start {
                    return self.fail("value");
                }
            }
        }
        Ok((start, self.pos))
    }

    /// Skips one value of any shape, as a lenient last resort: unlike
    /// [`skip_value`](Self::skip_value) it checks no separators in a list,
    /// only that its parentheses balance outside quoted strings and
    /// literals within the line, and that it holds no NUL (NetEase's
    /// unescaped `(NIL """" "base64")` passes, go-imap#659). Never recurses.
    /// Returns the value's span.
    pub(crate) fn skip_raw_value(&mut self) -> PResult<(usize, usize)> {
        let start = self.pos;
        if self.peek() != Some(b'(') {
            return self.skip_value();
        }
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None | Some(b'\r' | b'\n') => {
                    self.pos = start;
                    return self.fail(") closing list");
                }
                // NUL is refused outside literals whatever the leniency.
                Some(0) => return self.fail("a byte other than NUL"),
                Some(b'(') => {
                    depth += 1;
                    self.pos += 1;
                }
                Some(b')') => {
                    depth -= 1;
                    self.pos += 1;
                    if depth == 0 {
                        return Ok((start, self.pos));
                    }
                }
                Some(b'"') => {
                    // To the next unescaped quote, on this line.
                    self.pos += 1;
                    loop {
                        match self.peek() {
                            None | Some(b'\r' | b'\n' | 0) => break,
                            Some(b'"') => {
                                self.pos += 1;
                                break;
                            }
                            Some(b'\\')
                                if !matches!(self.buf.get(self.pos + 1), None | Some(b'\r' | b'\n')) =>
                            {
                                self.pos += 2;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                _ if self.at_literal() => {
                    let at = self.pos;
                    if self.literal().is_err() {
                        self.pos = at + 1;
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// The rest of the line (status text), leniently with 8-bit and NUL
    /// bytes.
    pub(crate) fn text(&mut self) -> PResult<ByteStr> {
        let start = self.pos;
        let rest = &self.buf[start..];
        let end = start + memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        if !self.lenient.eight_bit {
            if let Some(off) = self.buf[start..end].iter().position(|&c| !is_text_char(c) && c < 0x80) {
                self.pos = start + off;
                return self.fail("text character");
            }
            if let Some(off) = self.buf[start..end].iter().position(|&c| c >= 0x80) {
                if std::str::from_utf8(&self.buf[start..end]).is_err() {
                    self.pos = start + off;
                    return self.fail("UTF-8 text");
                }
            }
        } else if let Some(off) =
            memchr::memchr(0, &self.buf[start..end]).filter(|_| !self.lenient.nul_in_text)
        {
            self.pos = start + off;
            return self.fail("text character (not NUL)");
        }
        self.pos = end;
        Ok(ByteStr::from_bytes(self.slice(start, end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each word sits at its length: `same_short` compares no lengths.
    #[test]
    fn common_words_are_filed_by_length() {
        for (len, words) in COMMON_WORDS.iter().enumerate() {
            for word in *words {
                assert_eq!(word.len(), len, "{word:?}");
                assert_eq!(common_word(word.as_bytes()), Some(*word));
            }
        }
        assert_eq!(common_word(b"msworf"), None);
        assert_eq!(common_word(b"plaiN"), None);
    }
}
