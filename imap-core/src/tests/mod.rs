//! The engine tested through bytes only: a scripted in-memory server and a
//! virtual clock. Every scenario runs fed whole, byte by byte and in random
//! chunks (with partial writes on the client side too).

mod flows;
mod gmail;
mod harness;
mod idle;
mod literals;
mod memory;
mod pipelining;
mod props;
mod protocol_log;
mod read_only;
mod redaction;
mod requests;
mod results;
mod sasl;
mod session;
mod switch;
mod timeouts;
mod traces;
mod utf8;

pub(crate) use harness::{all_chunkings, run_all_chunkings, run_all_chunkings_with, Chunking, Harness};
