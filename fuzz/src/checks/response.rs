//! `response`: arbitrary bytes through the response parser.
//!
//! Input: 1 option byte (bit 0 strict, bit 1 UTF-8 mailbox names, bits 2-3
//! a smaller nesting limit, bits 4-7 the chunking seed), then the bytes.
//!
//! Properties:
//! - `parse_response` on the bytes as one frame never panics, and its
//!   result and error render (`Debug`, `Display`) without panicking;
//! - leniency only widens: a single framed response that parses strictly
//!   parses the same leniently;
//! - through [`Decoder`], the sequence of results is the same whole, byte by
//!   byte and in random chunks (limit errors compared by kind, since their
//!   size and head depend on how much had arrived).

use bytes::Bytes;
use imap_core::parse::{parse_response, Decoder};
use imap_core::parse::{parse_response_utf8, DecodeError, Frame, Framer};
use imap_core::types::Response;
use imap_core::{Leniency, LimitKind, ParseOptions, ResponseError};

use super::{chunk_sizes, chunks, Reader};

/// Runs the properties on one input.
pub fn check(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.byte();
    let bytes = r.rest();
    let utf8 = flags & 2 != 0;
    let mut opts = ParseOptions::default();
    opts.leniency = if flags & 1 != 0 { Leniency::strict() } else { Leniency::lenient() };
    opts.limits.max_nesting = match (flags >> 2) & 3 {
        0 => opts.limits.max_nesting,
        1 => 0,
        2 => 3,
        _ => 1000,
    };

    let frame = Bytes::copy_from_slice(bytes);
    let parsed = parse(&frame, &opts, utf8);
    match &parsed {
        Ok(response) => {
            let _ = format!("{response:?}");
        }
        Err(e) => {
            let _ = format!("{e} {e:?}");
        }
    }

    // Leniency only widens (for what the parser is given: one framed response).
    let is_frame = {
        let mut framer = Framer::default();
        framer.push(bytes);
        matches!(framer.next_frame(), Ok(Some(Frame::Response(f))) if f.len() == bytes.len())
    };
    let strict =
        if is_frame { parse(&frame, &with_leniency(opts, Leniency::strict()), utf8).ok() } else { None };
    if let Some(strict) = strict {
        match parse(&frame, &with_leniency(opts, Leniency::lenient()), utf8) {
            Ok(lenient) => assert_eq!(strict, lenient, "strict and lenient parse differ"),
            Err(e) => panic!("parses strictly but not leniently: {e}"),
        }
    }

    let whole = decode(opts, utf8, &[bytes]);
    let bytewise = decode(opts, utf8, &bytes.chunks(1).collect::<Vec<_>>());
    assert_eq!(whole, bytewise, "byte-by-byte decoding differs from whole");
    let sizes = chunk_sizes(u64::from(flags >> 4) + bytes.len() as u64 * 31, bytes.len());
    let random = decode(opts, utf8, &chunks(bytes, &sizes));
    assert_eq!(whole, random, "chunked decoding differs from whole (sizes {sizes:?})");
}

fn with_leniency(mut opts: ParseOptions, leniency: Leniency) -> ParseOptions {
    opts.leniency = leniency;
    opts
}

fn parse(frame: &Bytes, opts: &ParseOptions, utf8: bool) -> Result<Response, ResponseError> {
    if utf8 {
        parse_response_utf8(frame, opts)
    } else {
        parse_response(frame, opts)
    }
}

/// One decoded item, comparable across chunkings.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A response and its raw bytes.
    Ok(Bytes, Response),
    /// A malformed response (the error holds the whole raw response).
    Malformed(ResponseError),
    /// A response over a limit.
    Limit(LimitKind),
    /// The stream could not be framed any more.
    Fatal,
}

/// Decodes `chunks` in order with one [`Decoder`].
pub fn decode(opts: ParseOptions, utf8: bool, chunks: &[&[u8]]) -> Vec<Decoded> {
    let mut decoder = Decoder::new(opts);
    decoder.set_utf8(utf8);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(item) = decoder.next_raw() {
            match item {
                Ok((raw, response)) => {
                    assert_eq!(parse(&raw, &opts, utf8).as_ref(), Ok(&response), "decoder and parser differ");
                    out.push(Decoded::Ok(raw, response));
                }
                Err(DecodeError::Response(ResponseError::Limit(e))) => out.push(Decoded::Limit(e.kind)),
                Err(DecodeError::Response(e)) => out.push(Decoded::Malformed(e)),
                Err(e) => {
                    assert!(e.is_fatal());
                    out.push(Decoded::Fatal);
                    return out;
                }
            }
        }
    }
    out
}
