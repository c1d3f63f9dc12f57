//! `framer`: arbitrary bytes in arbitrary chunkings through [`Framer`].
//!
//! Input: 3 limit bytes, 1 chunking seed byte, then the stream.
//!
//! Properties:
//! - the frames (responses byte for byte, skipped responses by limit kind)
//!   are the same whole, byte by byte and in seeded random chunks, and so
//!   are the fatal error and what is left buffered at the end;
//! - after every push and drain, at most `max_response_len` bytes are
//!   buffered and the buffer's capacity stays within twice the limit plus
//!   the chunk pushed (the driver's read size);
//! - with default limits, the responses followed by the unframed rest give
//!   back the input exactly (framing is a prefix of the input).

use bytes::Bytes;
use imap_core::parse::{Frame, Framer};
use imap_core::{FramingError, LimitKind, Limits};

use super::{chunk_sizes, chunks, Reader};

/// The buffer's initial capacity (`Framer::new`).
const INITIAL_CAPACITY: usize = 16 * 1024;

/// Runs the properties on one input.
pub fn check(data: &[u8]) {
    let mut r = Reader::new(data);
    let limits = small_limits(r.byte(), r.byte(), r.byte());
    let seed = r.byte();
    let stream = r.rest();

    let whole = frame(limits, &[stream]);
    let bytewise = frame(limits, &stream.chunks(1).collect::<Vec<_>>());
    assert_eq!(whole, bytewise, "byte-by-byte framing differs from whole");
    let sizes = chunk_sizes(u64::from(seed) * 0x9E37_79B9 + stream.len() as u64, stream.len());
    let random = frame(limits, &chunks(stream, &sizes));
    assert_eq!(whole, random, "chunked framing differs from whole (sizes {sizes:?})");

    // Framing is a prefix of the input: nothing dropped, nothing invented.
    let mut unlimited = Limits::default();
    unlimited.max_line_len = usize::MAX;
    unlimited.max_literal_len = u64::MAX;
    unlimited.max_response_len = u64::MAX;
    let mut framer = Framer::new(unlimited);
    let mut framed = Vec::with_capacity(stream.len());
    for chunk in chunks(stream, &sizes) {
        framer.push(chunk);
        loop {
            match framer.next_frame() {
                Ok(Some(Frame::Response(r))) => {
                    assert_eq!(r.last(), Some(&b'\n'), "a response must end a line");
                    framed.extend_from_slice(&r);
                }
                Ok(None) => break,
                // Only a literal longer than the address space is skipped here.
                Ok(Some(Frame::Skipped(_))) | Err(_) => return,
            }
        }
    }
    framed.extend_from_slice(&framer.take_unframed());
    assert_eq!(framed, stream, "responses + unframed rest != input");
}

/// Small limits so that every limit is actually hit; 255 in the first
/// byte keeps the defaults.
pub fn small_limits(line: u8, literal: u8, response: u8) -> Limits {
    let mut limits = Limits::default();
    if line != 255 {
        limits.max_line_len = 1 + usize::from(line) * 2;
        limits.max_literal_len = u64::from(literal) * 4;
        limits.max_response_len = 1 + u64::from(response) * 8;
    }
    limits
}

/// What the framer produced, comparable across chunkings: a skipped
/// response's size and head depend on how much had arrived, its kind not.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A complete response.
    Response(Bytes),
    /// A response dropped for this limit.
    Skipped(LimitKind),
    /// The fatal error that ended framing.
    Fatal(FramingError),
    /// The end of the input: bytes still buffered, mid-response or not.
    End {
        /// `Framer::buffered`.
        buffered: usize,
        /// `Framer::is_mid_response`.
        mid_response: bool,
    },
}

/// Frames `chunks` in order, draining after each, checking memory.
pub fn frame(limits: Limits, chunks: &[&[u8]]) -> Vec<Outcome> {
    let mut framer = Framer::new(limits);
    let mut out = Vec::new();
    let largest_chunk = chunks.iter().map(|c| c.len()).max().unwrap_or(0);
    let max_buffered = usize::try_from(limits.max_response_len).unwrap_or(usize::MAX);
    let max_capacity = INITIAL_CAPACITY.max(max_buffered.saturating_add(largest_chunk).saturating_mul(2));
    for chunk in chunks {
        framer.push(chunk);
        loop {
            match framer.next_frame() {
                Ok(Some(Frame::Response(r))) => out.push(Outcome::Response(r)),
                Ok(Some(Frame::Skipped(e))) => {
                    assert!(e.head.len() <= 128, "error head of {} bytes", e.head.len());
                    assert!(e.size > e.limit, "{e} reported under its limit");
                    out.push(Outcome::Skipped(e.kind));
                }
                Ok(None) => break,
                Err(e) => {
                    assert_eq!(framer.next_frame(), Err(FramingError::Broken), "a fatal error must stick");
                    out.push(Outcome::Fatal(e));
                    return out;
                }
            }
        }
        assert!(
            framer.buffered() <= max_buffered,
            "{} bytes buffered, limit {max_buffered}",
            framer.buffered()
        );
        assert!(
            framer.capacity() <= max_capacity,
            "capacity {} over {max_capacity} (limits {limits:?}, chunk {largest_chunk})",
            framer.capacity()
        );
    }
    out.push(Outcome::End { buffered: framer.buffered(), mid_response: framer.is_mid_response() });
    out
}
