//! Server bytes to typed responses: [`Framer`] splits the stream, then
//! [`parse_response`] parses one complete response. [`Decoder`] does both.
//!
//! Parsed values that carry data (strings, literals, envelope fields) are
//! [`Bytes`] slices of the framed response: zero-copy.

mod cursor;
mod fetch;
mod framer;
mod response;

use bytes::Bytes;

pub(crate) use framer::literal_announcement as literal_len;
pub use framer::{Frame, Framer};

use crate::config::ParseOptions;
use crate::error::{FramingError, ResponseError};
use crate::types::Response;

/// Parses one complete response (as framed by [`Framer`], CRLF included).
///
/// A malformed response gives a [`ResponseError`] with the offset, what was
/// expected there and the raw bytes; nothing else is affected.
///
/// ```
/// use imap_core::ParseOptions;
/// use imap_core::parse::parse_response;
/// use imap_core::types::{Response, Data};
/// let r = parse_response(&"* 23 EXISTS\r\n".into(), &ParseOptions::default()).unwrap();
/// assert_eq!(r, Response::Data(Data::Exists(23)));
/// let e = parse_response(&"* 23 FETCH (UID)\r\n".into(), &ParseOptions::default()).unwrap_err();
/// assert!(e.to_string().contains("expected"));
/// ```
pub fn parse_response(frame: &Bytes, opts: &ParseOptions) -> Result<Response, ResponseError> {
    response::parse(frame, opts, false)
}

/// As [`parse_response`], with mailbox names read as UTF-8 rather than
/// modified UTF-7 (after `ENABLE UTF8=ACCEPT`, RFC 6855).
pub fn parse_response_utf8(frame: &Bytes, opts: &ParseOptions) -> Result<Response, ResponseError> {
    response::parse(frame, opts, true)
}

/// What [`Decoder::next_response`] can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// One response was malformed or too large; the next one decodes normally.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The stream cannot be framed any more (fatal).
    #[error(transparent)]
    Framing(#[from] FramingError),
}

impl DecodeError {
    /// Whether decoding cannot go on.
    pub fn is_fatal(&self) -> bool {
        matches!(self, DecodeError::Framing(_))
    }
}

/// Framer and parser together: push bytes, pull typed responses.
///
/// ```
/// use imap_core::parse::Decoder;
/// use imap_core::types::Response;
/// let mut d = Decoder::default();
/// d.push(b"* OK [CAPABILITY IMAP4rev1] ready\r\n* 1 FETCH (FLAGS\r\n* 2 EXISTS\r\n");
/// assert!(matches!(d.next_response(), Some(Ok(Response::Status(_)))));
/// assert!(matches!(d.next_response(), Some(Err(_)))); // malformed, contained
/// assert!(matches!(d.next_response(), Some(Ok(Response::Data(_)))));
/// assert!(d.next_response().is_none());
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    framer: Framer,
    opts: ParseOptions,
    utf8: bool,
}

impl Decoder {
    /// A decoder with these options.
    pub fn new(opts: ParseOptions) -> Self {
        Self { framer: Framer::new(opts.limits), opts, utf8: false }
    }

    /// Reads mailbox names as UTF-8 (after `ENABLE UTF8=ACCEPT`).
    pub fn set_utf8(&mut self, utf8: bool) {
        self.utf8 = utf8;
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.framer.push(data);
    }

    /// Appends received bytes without a copy when nothing is buffered and
    /// `data` is not shared (see [`Framer::push_bytes`]): a whole capture
    /// decodes in place.
    pub fn push_bytes(&mut self, data: Bytes) {
        self.framer.push_bytes(data);
    }

    /// Room to read into; then [`commit`](Self::commit) (see
    /// [`Framer::read_buf`]).
    pub fn read_buf(&mut self) -> &mut [u8] {
        self.framer.read_buf()
    }

    /// Takes the first `n` bytes of [`read_buf`](Self::read_buf) as received.
    pub fn commit(&mut self, n: usize) {
        self.framer.commit(n);
    }

    /// The framer (buffer sizes, unframed bytes at a protocol switch).
    pub fn framer(&self) -> &Framer {
        &self.framer
    }

    /// The framer, mutably.
    pub fn framer_mut(&mut self) -> &mut Framer {
        &mut self.framer
    }

    /// The next response: `None` when more bytes are needed.
    pub fn next_response(&mut self) -> Option<Result<Response, DecodeError>> {
        self.next_raw().map(|r| r.map(|(_, resp)| resp))
    }

    /// As [`next_response`](Self::next_response), with the raw bytes of the
    /// response too.
    pub fn next_raw(&mut self) -> Option<Result<(Bytes, Response), DecodeError>> {
        match self.framer.next_frame() {
            Ok(None) => None,
            Ok(Some(Frame::Response(raw))) => Some(
                response::parse(&raw, &self.opts, self.utf8).map(|r| (raw, r)).map_err(DecodeError::from),
            ),
            Ok(Some(Frame::Skipped(limit))) => Some(Err(DecodeError::Response(limit.into()))),
            Err(e) => Some(Err(e.into())),
        }
    }
}

#[cfg(test)]
mod tests;
