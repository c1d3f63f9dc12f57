//! Python bindings of `imap-core`: the package `imap_core` (built with
//! maturin, see `pyproject.toml`). Three layers, one engine:
//!
//! - `imap_core.Engine`: the sans-I/O engine for any Python loop (feed
//!   bytes, take bytes to send, take events and results, pass time in),
//!   the call order of [`imap_core::Client`];
//! - `imap_core.aio`: an asyncio client, many coroutines over one
//!   connection;
//! - `imap_core.IMAPClient`: IMAPClient's API over Python sockets.
//!
//! No Python code reads IMAP: framing, parsing, encoding, state and the
//! conversion of results into Python objects happen in Rust. The PyO3 glue
//! is behind the `python` feature (which maturin turns on), so that
//! `cargo build --workspace` needs no Python; [`args`] and [`sasl`] are
//! plain Rust.
#![warn(missing_docs)]

pub mod args;
pub mod sasl;

#[cfg(feature = "python")]
mod py;
