//! An async IMAP4 client over the `futures-io` traits: the same code runs on
//! smol and async-std, and on tokio through `tokio-util`'s compat layer.
//!
//! One [`Connection`] future does all reading and writing; the [`Session`]
//! handle is `Clone + Send`, so any number of tasks call typed methods at
//! once, each awaiting its own result (imaplib2's parallel commands), with
//! the engine's pipelining rules deciding what goes out together. The typed
//! methods are those of [`Commands`], written once in [`imap_core`]; every
//! protocol decision is the engine's, this crate only moves bytes, waits
//! and wakes.
//!
//! ```no_run
//! use imap_smol::prelude::*;
//! use imap_smol::{ConnectOptions, FetchAttr, SearchKey};
//!
//! smol::block_on(async {
//!     let (mut imap, connection) = imap_smol::connect(ConnectOptions::new("imap.example.org")).await?;
//!     smol::spawn(connection).detach();
//!     imap.login("alice", "secret").await?;
//!     imap.select("INBOX").await?;
//!     // Two tasks, one connection: the commands are pipelined.
//!     let (mut a, mut b) = (imap.clone(), imap.clone());
//!     let unseen = smol::spawn(async move { a.search(SearchKey::Unseen).await });
//!     let recent = smol::spawn(async move { b.fetch(1.., &[FetchAttr::Envelope]).await });
//!     println!("{} unseen, {} messages", unseen.await?.len(), recent.await?.len());
//!     imap.logout().await
//! })?;
//! # Ok::<(), imap_smol::Error>(())
//! ```
//!
//! Cancellation is safe: dropping any method's future (a timeout, a
//! `select!`) abandons the request in the engine; it still completes on the
//! wire, its data is dropped as it arrives, and later requests get their
//! own results.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod connect;
mod connection;
mod shared;
mod streams;

pub use connect::{connect, connect_with};
pub use connection::Connection;
#[doc(inline)]
pub use imap_core::request::{
    AppendResult, CopyResult, ExpungeResult, ListEntry, MailboxInfo, MailboxStatus, MoveResult, SelectResult,
    StoreResult,
};
#[doc(inline)]
pub use imap_core::types::{
    AppendMessage, Fetch, FetchAttr, Flag, Mailbox, Response, SearchKey, SequenceSet, SpecialUse, StatusAttr,
    StoreMode,
};
#[doc(inline)]
pub use imap_core::{Commands, Engine};
#[doc(inline)]
pub use imap_net::{ConnectOptions, Error, Result, Security, TlsOptions, Warning};
pub use shared::{Pending, Session};
pub use streams::{FetchStream, Idle, IdleStop, Unsolicited};
pub use {imap_core, imap_net};

/// `use imap_smol::prelude::*;` brings the typed methods ([`Commands`],
/// [`Engine`]) and the stream combinators (`StreamExt`) into scope.
pub mod prelude {
    pub use futures_lite::StreamExt as _;
    pub use imap_core::{Commands, Engine};
}

/// README.md's Rust examples (the blocking, async, tokio and sans-I/O
/// ones), compiled and run as doctests so they never drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
