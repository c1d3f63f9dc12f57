//! The engine tested through bytes only: a scripted in-memory server and a
//! virtual clock. Every scenario runs fed whole, byte by byte and in random
//! chunks (with partial writes on the client side too).

mod harness;
mod session;

pub(crate) use harness::{run_all_chunkings, Chunking, Harness};
