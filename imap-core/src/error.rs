//! Errors, each saying whose fault it is.
//!
//! - [`ParseError`]: the server sent a response that does not follow the
//!   grammar. Only that response is lost; the stream stays framed.
//! - [`LimitError`]: a response broke one of the [`Limits`](crate::Limits);
//!   it is skipped without being buffered and the session goes on.
//! - [`FramingError`]: the byte stream can no longer be split into responses.
//!   Fatal for the connection.
//! - [`EncodeError`]: a command argument cannot be sent (the caller's fault).

use std::fmt;

use bytes::Bytes;

/// A response that does not follow the grammar.
///
/// Carries the whole raw response, the byte offset in it where parsing
/// stopped and what the parser expected there.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed response: expected {expected} at byte {offset}: {}", Excerpt(raw, *offset))]
pub struct ParseError {
    /// Offset into `raw` where the parser gave up.
    pub offset: usize,
    /// What the grammar required at that offset.
    pub expected: &'static str,
    /// The complete response as received (lines and literals).
    pub raw: Bytes,
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("offset", &self.offset)
            .field("expected", &self.expected)
            .field("raw", &Excerpt(&self.raw, self.offset).to_string())
            .finish()
    }
}

/// Which limit a response broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::max_line_len`](crate::Limits::max_line_len).
    LineLength,
    /// [`Limits::max_literal_len`](crate::Limits::max_literal_len).
    LiteralLength,
    /// [`Limits::max_response_len`](crate::Limits::max_response_len).
    ResponseLength,
    /// [`Limits::max_nesting`](crate::Limits::max_nesting).
    Nesting,
    /// [`Limits::max_result_len`](crate::Limits::max_result_len).
    ResultLength,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::LineLength => "line length",
            LimitKind::LiteralLength => "literal size",
            LimitKind::ResponseLength => "response size",
            LimitKind::Nesting => "nesting depth",
            LimitKind::ResultLength => "result size",
        })
    }
}

/// A response broke a configured limit. The response is dropped (its
/// remaining bytes are counted out, not buffered); later responses decode
/// normally.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("response exceeds the {kind} limit of {limit} (announced or reached {size}): {}", Excerpt(head, 0))]
pub struct LimitError {
    /// Which limit.
    pub kind: LimitKind,
    /// The configured limit.
    pub limit: u64,
    /// The size reached or announced by the server.
    pub size: u64,
    /// The first bytes of the response (at most 128), to tell which
    /// command it belonged to.
    pub head: Bytes,
}

impl fmt::Debug for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LimitError")
            .field("kind", &self.kind)
            .field("limit", &self.limit)
            .field("size", &self.size)
            .field("head", &Excerpt(&self.head, 0).to_string())
            .finish()
    }
}

/// The stream cannot be framed any more: fatal for the connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// A literal announcement whose length does not fit in 64 bits.
    #[error("literal length {digits:?} does not fit in 64 bits")]
    LiteralLengthOverflow {
        /// The digits as sent.
        digits: String,
    },
    /// An earlier call already failed; the stream stays unusable.
    #[error("the response stream was already broken by an earlier error")]
    Broken,
}

/// One response could not be decoded; the stream is still framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The response does not follow the grammar.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The response broke a size limit and was skipped.
    #[error(transparent)]
    Limit(#[from] LimitError),
}

/// A command argument that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// NUL may only be sent inside a BINARY literal8 (RFC 3516).
    #[error("{what} contains a NUL byte, which IMAP cannot carry here")]
    Nul {
        /// The argument concerned.
        what: &'static str,
    },
    /// The value must be an atom (a keyword, a capability name, a SASL
    /// mechanism...) and contains a byte that an atom cannot hold.
    #[error("{what} {value:?} is not a valid IMAP atom")]
    NotAnAtom {
        /// The argument concerned.
        what: &'static str,
        /// The offending value, lossily decoded.
        value: String,
    },
    /// An argument that may not be empty was empty.
    #[error("{what} must not be empty")]
    Empty {
        /// The argument concerned.
        what: &'static str,
    },
    /// A literal would be needed but the context forbids it (e.g. inside
    /// a SASL exchange line).
    #[error("{what} cannot be sent: {reason}")]
    Invalid {
        /// The argument concerned.
        what: &'static str,
        /// Why it cannot be sent.
        reason: &'static str,
    },
}

/// Escaped excerpt of raw protocol bytes around an offset, for messages.
pub(crate) struct Excerpt<'a>(pub(crate) &'a [u8], pub(crate) usize);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CONTEXT: usize = 40;
        let (raw, at) = (self.0, self.1.min(self.0.len()));
        let start = at.saturating_sub(CONTEXT);
        let end = (at + CONTEXT).min(raw.len());
        if start > 0 {
            f.write_str("...")?;
        }
        f.write_str("\"")?;
        for (i, &b) in raw[start..end].iter().enumerate() {
            if start + i == at && at != 0 {
                f.write_str("\u{2192}")?; // marks the offset
            }
            write_escaped_byte(f, b)?;
        }
        f.write_str("\"")?;
        if end < raw.len() {
            f.write_str("...")?;
        }
        Ok(())
    }
}

pub(crate) fn write_escaped_byte(f: &mut impl fmt::Write, b: u8) -> fmt::Result {
    match b {
        b'\r' => f.write_str("\\r"),
        b'\n' => f.write_str("\\n"),
        b'\t' => f.write_str("\\t"),
        b'"' => f.write_str("\\\""),
        b'\\' => f.write_str("\\\\"),
        0x20..=0x7e => f.write_char(b as char),
        _ => write!(f, "\\x{b:02x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_shows_where() {
        let e = ParseError { offset: 5, expected: "SP", raw: Bytes::from_static(b"* OK\x00x\r\n") };
        let text = e.to_string();
        assert!(text.contains("expected SP at byte 5"), "{text}");
        assert!(text.contains("\\x00"), "{text}");
        assert!(text.contains("\\r\\n"), "{text}");
    }
}

/// The caller asked for something that is not possible now. Nothing was
/// sent; the session goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The command is not valid in the session state it would run in.
    #[error("{command} is not allowed in the {state} state")]
    WrongState {
        /// The command's name.
        command: &'static str,
        /// The state it would run in.
        state: crate::types::StateName,
    },
    /// The server did not announce a capability the command needs.
    #[error("{command} needs the server capability {capability}, which it does not announce")]
    MissingCapability {
        /// The command's name.
        command: &'static str,
        /// The capability needed.
        capability: &'static str,
    },
    /// An argument cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The command must be the only one in flight (STARTTLS, COMPRESS,
    /// AUTHENTICATE...) and others are pending.
    #[error("{command} must not be pipelined with other commands; wait for them to finish")]
    Busy {
        /// The command's name.
        command: &'static str,
    },
    /// The command would change the selected mailbox, which is read-only
    /// (opened with EXAMINE, or the server said `[READ-ONLY]`; RFC 9051
    /// section 6.3.3): STORE, EXPUNGE, UID EXPUNGE and MOVE are refused
    /// while it is. IMAPClient's `ReadOnlyError`, imaplib's `readonly`.
    /// (RFC 9051 section 6.3.2 lets a few servers keep per-user flags in a
    /// mailbox SELECT made read-only; [`request::raw`](crate::request::raw)
    /// still sends such a STORE.)
    #[error("{command} would change the selected mailbox, which is read-only")]
    ReadOnly {
        /// The command's name.
        command: &'static str,
    },
    /// The operation needs something that is not going on (e.g.
    /// `idle_done` without IDLE, a SASL answer with no exchange running).
    #[error("{0}")]
    NotApplicable(&'static str),
    /// The connection is over; nothing more can be sent.
    #[error("the connection is closed")]
    Closed,
}

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The server answered NO: the command failed (with the response code
    /// and text, e.g. `[TRYCREATE]`, `[AUTHENTICATIONFAILED]`).
    #[error("server said NO{}: {text}", code_suffix(code))]
    No {
        /// The response code, if any.
        code: Option<crate::types::ResponseCode>,
        /// The server's text.
        text: crate::types::ByteStr,
    },
    /// The server answered BAD: it did not understand the command.
    #[error("server said BAD{}: {text}", code_suffix(code))]
    Bad {
        /// The response code, if any.
        code: Option<crate::types::ResponseCode>,
        /// The server's text.
        text: crate::types::ByteStr,
    },
    /// The command could not be sent when its turn came (its state or a
    /// capability check failed after an earlier command changed the session).
    #[error("not sent: {0}")]
    NotSent(UsageError),
    /// The SASL exchange failed on the client side (e.g. the server's
    /// SCRAM signature did not verify); the exchange was cancelled.
    #[error("authentication failed on the client side: {0}")]
    Sasl(crate::ext::sasl::SaslError),
    /// The connection ended before the command completed.
    #[error("the connection ended before the command completed: {0}")]
    Connection(ConnectionError),
    /// The server sent more data for the command than
    /// [`Limits::max_result_len`](crate::Limits::max_result_len) allows:
    /// the result was dropped (the session goes on).
    #[error("the server's answer was too large: {0}")]
    Limit(LimitError),
}

fn code_suffix(code: &Option<crate::types::ResponseCode>) -> String {
    match code {
        Some(c) => format!(" [{c:?}]"),
        None => String::new(),
    }
}

impl CommandError {
    /// The response code of a NO or BAD.
    pub fn code(&self) -> Option<&crate::types::ResponseCode> {
        match self {
            CommandError::No { code, .. } | CommandError::Bad { code, .. } => code.as_ref(),
            _ => None,
        }
    }
}

/// The compressed stream broke (RFC 4978).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompressError {
    /// The server's DEFLATE stream is corrupt.
    #[error("the server's DEFLATE stream is corrupt")]
    Corrupt,
    /// The server's DEFLATE stream asks for a preset dictionary, which
    /// COMPRESS=DEFLATE never uses.
    #[error("the server's DEFLATE stream asks for a dictionary")]
    NeedsDictionary,
    /// Bytes followed the end of the server's DEFLATE stream.
    #[error("data after the end of the server's DEFLATE stream")]
    TrailingData,
    /// Compressing a command failed.
    #[error("compressing a command failed")]
    Deflate,
}

/// The connection is over. Delivered once; later calls report it again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The server greeted with BYE: it refuses the connection.
    #[error("the server refused the connection: {0}")]
    Refused(crate::types::ByteStr),
    /// The server said BYE (untagged, or tagged) outside LOGOUT.
    #[error("the server closed the connection: {0}")]
    Bye(crate::types::ByteStr),
    /// The server closed the connection without BYE.
    #[error("the server closed the connection unexpectedly{}", if *mid_response { " in the middle of a response" } else { "" })]
    Eof {
        /// A response had started and was not complete.
        mid_response: bool,
    },
    /// No progress for the configured response timeout.
    #[error("no response from the server for {0:?}")]
    TimedOut(std::time::Duration),
    /// The byte stream cannot be split into responses any more.
    #[error(transparent)]
    Framing(#[from] FramingError),
    /// Bytes arrived after the server's STARTTLS OK and before the TLS
    /// handshake: a man-in-the-middle injection attempt (CVE-2011-0411 kind).
    #[error("{0} bytes arrived between the STARTTLS OK and the TLS handshake: possible injection attack")]
    StartTlsInjection(usize),
    /// Data arrived while the driver was supposed to be doing a TLS handshake.
    #[error("input arrived before handle_switched() was called")]
    InputDuringSwitch,
    /// The compressed stream broke.
    #[error("COMPRESS=DEFLATE: {0}")]
    Compression(CompressError),
    /// The server's greeting arrived but cannot be decoded: nothing else
    /// could follow.
    #[error("the server's greeting cannot be decoded: {0}")]
    MalformedGreeting(ResponseError),
    /// The driver closed the session (e.g. it dropped the connection).
    #[error("the connection was closed by the client")]
    ClosedByClient,
    /// The transport failed (the driver's I/O error, by kind; the driver
    /// reports the error itself to whoever made the call that hit it).
    #[error("the connection failed: {0}")]
    Transport(std::io::ErrorKind),
}

/// The server broke the protocol in a way that does not stop the session:
/// the offending response is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A tagged response for a tag that is not in flight.
    #[error("tagged response for unknown tag {0}")]
    UnknownTag(crate::types::Tag),
    /// A continuation request (`+`) nobody asked for.
    #[error("unexpected continuation request")]
    UnexpectedContinuation,
    /// An EXPUNGE or VANISHED that would take the message count below zero,
    /// or an EXPUNGE for a message that does not exist.
    #[error("expunge of message {0}, which does not exist")]
    BadExpunge(u32),
    /// A second greeting, or data before the greeting.
    #[error("unexpected greeting or data before the greeting")]
    UnexpectedGreeting,
}
