//! Each parser fed the way its API is meant to be used from a socket reader.
//!
//! - imap-core: push the bytes into a [`imap_core::parse::Decoder`] and drain every
//!   complete response. Framing is incremental: nothing is parsed twice.
//! - imap-proto and imap-codec: append to a buffer and parse from the start of
//!   the unconsumed bytes; "incomplete" means wait for more and try again from
//!   the same place. That re-parsing is part of what is measured.
//! - plain copy: the same chunks appended to a growing `Vec`, the least any
//!   reader does. A new `Vec` each run, as a reader that keeps everything it
//!   reads would have; for a stream larger than the caches its cost is
//!   mostly the kernel handing out fresh pages.
//! - reused copy: the same, into one `Vec` cleared and reused from run to
//!   run: the cost of the memory copies alone.

use std::cell::RefCell;
use std::hint::black_box;

use imap_codec::decode::{Decoder as _, ResponseDecodeError};
use imap_codec::ResponseCodec;

/// A parser under test, or the copy baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parser {
    /// `imap_core::parse::Decoder`: framer and parser.
    Core,
    /// `imap_core::parse::Framer` alone: how much of imap-core's time is framing.
    CoreFramer,
    /// The framer fed the drivers' way: each read lands in
    /// [`Framer::read_buf`](imap_core::parse::Framer::read_buf), and every
    /// frame is kept until the end, as a collecting FETCH keeps its
    /// messages (the receive areas cannot be reused).
    CoreReadArea,
    /// `imap_proto::Response::parse` (imap-proto 0.17, nom 8).
    Proto,
    /// `imap_codec::ResponseCodec::decode` (imap-codec 1.0, nom 7).
    Codec,
    /// `Vec::extend_from_slice` of each chunk into a new `Vec`.
    Copy,
    /// `Vec::extend_from_slice` of each chunk into a `Vec` reused across runs.
    CopyReused,
}

impl Parser {
    /// Every parser, in table order.
    pub const ALL: [Parser; 7] = [
        Parser::Core,
        Parser::CoreFramer,
        Parser::CoreReadArea,
        Parser::Proto,
        Parser::Codec,
        Parser::Copy,
        Parser::CopyReused,
    ];

    /// Column heading.
    pub fn name(self) -> &'static str {
        match self {
            Parser::Core => "imap-core",
            Parser::CoreFramer => "core framer",
            Parser::CoreReadArea => "core read area, kept",
            Parser::Proto => "imap-proto",
            Parser::Codec => "imap-codec",
            Parser::Copy => "plain copy",
            Parser::CopyReused => "reused copy",
        }
    }

    /// Whether this is a copy baseline rather than a parser.
    pub fn is_copy(self) -> bool {
        matches!(self, Parser::Copy | Parser::CopyReused)
    }

    /// Parses `input` fed as `feed`; returns the number of responses (for
    /// the copies, the number of bytes copied).
    pub fn run(self, input: &[u8], feed: Feed) -> Result<usize, String> {
        match self {
            Parser::Core => core(input, feed),
            Parser::CoreFramer => core_framer(input, feed),
            Parser::CoreReadArea => core_read_area(input, feed),
            Parser::Proto => reparse(input, feed, proto_step),
            Parser::Codec => {
                let codec = ResponseCodec::new();
                reparse(input, feed, |b| codec_step(&codec, b))
            }
            Parser::Copy => Ok(copy(input, feed, &mut Vec::new())),
            Parser::CopyReused => {
                thread_local! {
                    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
                }
                Ok(BUF.with_borrow_mut(|buf| {
                    buf.clear();
                    copy(input, feed, buf)
                }))
            }
        }
    }
}

/// How the bytes reach the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// All at once, as if one read returned the whole stream.
    Whole,
    /// In reads of this many bytes.
    Chunks(usize),
}

impl Feed {
    /// Row label.
    pub fn label(self) -> String {
        match self {
            Feed::Whole => "whole".to_owned(),
            Feed::Chunks(n) if n % 1024 == 0 => format!("{} KiB reads", n / 1024),
            Feed::Chunks(n) => format!("{n} B reads"),
        }
    }

    fn pieces(self, input: &[u8]) -> std::slice::Chunks<'_, u8> {
        match self {
            Feed::Whole => input.chunks(input.len().max(1)),
            Feed::Chunks(n) => input.chunks(n),
        }
    }
}

fn core(input: &[u8], feed: Feed) -> Result<usize, String> {
    let mut decoder = imap_core::parse::Decoder::default();
    let mut count = 0;
    for piece in feed.pieces(input) {
        decoder.push(piece);
        while let Some(response) = decoder.next_response() {
            let response = response.map_err(|e| format!("imap-core, response {}: {e}", count + 1))?;
            black_box(response);
            count += 1;
        }
    }
    if decoder.framer().is_mid_response() {
        return Err(format!("imap-core: input ends inside response {}", count + 1));
    }
    Ok(count)
}

fn core_framer(input: &[u8], feed: Feed) -> Result<usize, String> {
    let mut framer = imap_core::parse::Framer::default();
    let mut count = 0;
    for piece in feed.pieces(input) {
        framer.push(piece);
        while let Some(frame) = framer.next_frame().map_err(|e| format!("core framer: {e}"))? {
            black_box(frame);
            count += 1;
        }
    }
    if framer.is_mid_response() {
        return Err(format!("core framer: input ends inside response {}", count + 1));
    }
    Ok(count)
}

/// Reads of at most the piece's size (and of the receive area's) straight
/// into the framer's receive area; every frame kept until the end.
fn core_read_area(input: &[u8], feed: Feed) -> Result<usize, String> {
    let mut framer = imap_core::parse::Framer::default();
    let mut kept = Vec::new();
    for mut piece in feed.pieces(input) {
        while !piece.is_empty() {
            let area = framer.read_buf();
            let n = area.len().min(piece.len());
            area[..n].copy_from_slice(&piece[..n]);
            framer.commit(n);
            piece = &piece[n..];
            while let Some(frame) = framer.next_frame().map_err(|e| format!("core read area: {e}"))? {
                kept.push(frame);
            }
        }
    }
    if framer.is_mid_response() {
        return Err(format!("core read area: input ends inside response {}", kept.len() + 1));
    }
    black_box(&kept);
    Ok(kept.len())
}

/// What one parse attempt at the start of the unconsumed bytes gave.
enum Step {
    /// A response of this many bytes.
    Parsed(usize),
    /// More bytes are needed.
    Incomplete,
    /// The parser rejected the bytes.
    Failed(String),
}

fn proto_step(bytes: &[u8]) -> Step {
    match imap_proto::Response::parse(bytes) {
        Ok((rest, response)) => {
            black_box(response);
            Step::Parsed(bytes.len() - rest.len())
        }
        Err(nom::Err::Incomplete(_)) => Step::Incomplete,
        Err(e) => Step::Failed(format!("imap-proto: {e:?}")),
    }
}

fn codec_step(codec: &ResponseCodec, bytes: &[u8]) -> Step {
    match codec.decode(bytes) {
        Ok((rest, response)) => {
            black_box(response);
            Step::Parsed(bytes.len() - rest.len())
        }
        // A literal announcement at the very end of the buffer: a client
        // just reads on (the server sends the literal without waiting).
        Err(ResponseDecodeError::Incomplete | ResponseDecodeError::LiteralFound { .. }) => Step::Incomplete,
        Err(e) => Step::Failed(format!("imap-codec: {e:?}")),
    }
}

/// Feeds a parser that takes a byte slice and says how much it consumed.
/// Fed in chunks, the bytes go into a `Vec` and the parser retries from the
/// first unconsumed byte after every chunk; the consumed prefix is dropped
/// once per chunk, after the parse loop.
fn reparse(input: &[u8], feed: Feed, mut step: impl FnMut(&[u8]) -> Step) -> Result<usize, String> {
    let mut count = 0;
    if feed == Feed::Whole {
        let mut at = 0;
        while at < input.len() {
            match step(&input[at..]) {
                Step::Parsed(n) => at += n,
                Step::Incomplete => return Err(format!("input ends inside response {}", count + 1)),
                Step::Failed(e) => return Err(format!("response {} at byte {at}: {e}", count + 1)),
            }
            count += 1;
        }
        return Ok(count);
    }
    let mut buf = Vec::new();
    let mut consumed_total = 0;
    for piece in feed.pieces(input) {
        buf.extend_from_slice(piece);
        let mut at = 0;
        while at < buf.len() {
            match step(&buf[at..]) {
                Step::Parsed(n) => at += n,
                Step::Incomplete => break,
                Step::Failed(e) => {
                    return Err(format!("response {} at byte {}: {e}", count + 1, consumed_total + at))
                }
            }
            count += 1;
        }
        if at > 0 {
            buf.drain(..at);
            consumed_total += at;
        }
    }
    if !buf.is_empty() {
        return Err(format!("input ends inside response {}", count + 1));
    }
    Ok(count)
}

fn copy(input: &[u8], feed: Feed, buf: &mut Vec<u8>) -> usize {
    for piece in feed.pieces(input) {
        buf.extend_from_slice(piece);
    }
    black_box(&*buf);
    buf.len()
}
