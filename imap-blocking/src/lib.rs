//! A blocking IMAP4 client over std sockets and rustls, with a fully typed
//! API: every command returns Rust values (`u32`, `Vec<u32>`, `String`,
//! `Bytes`, structs), message ids are UIDs by default, folder names are
//! plain Rust strings (modified UTF-7 is handled for you), certificates are
//! verified by default, and server NO/BAD answers are typed errors.
//!
//! The typed methods are those of [`Commands`], written once in
//! [`imap_core`] for every driver; this crate only moves bytes and waits.
//!
//! ```no_run
//! use imap_blocking::prelude::*;
//! use imap_blocking::{ConnectOptions, FetchAttr, SearchKey};
//!
//! let mut imap = ConnectOptions::new("imap.example.org").connect()?;
//! imap.login("alice", "secret")?;
//! let inbox = imap.select("INBOX")?;
//! println!("{} messages", inbox.exists);
//! let unseen = imap.search(SearchKey::Unseen)?;
//! for msg in imap.fetch(unseen, &[FetchAttr::Envelope, FetchAttr::body_peek()])? {
//!     let subject = msg.envelope().and_then(|e| e.subject.clone()).unwrap_or_default();
//!     println!("{} {subject} ({} bytes)", msg.uid().unwrap_or(0), msg.message().map_or(0, |b| b.len()));
//! }
//! imap.logout()?;
//! # Ok::<(), imap_blocking::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod connect;
mod session;
mod shared;
mod transport;

pub use api::FetchStream;
pub use connect::Connect;
#[doc(inline)]
pub use imap_core::request::{
    AppendResult, CopyResult, CopyUid, ExpungeResult, ListEntry, ListRightsResult, MailboxInfo,
    MailboxStatus, MoveResult, QuotaResult, SearchResult, SelectResult, StoreResult,
};
#[doc(inline)]
pub use imap_core::types::{
    Address, AppendMessage, BodyStructure, Capabilities, Capability, Date, DateTime, Envelope, Fetch,
    FetchAttr, Flag, ListAttribute, ListCommand, Mailbox, Response, SearchKey, SearchReturn, Section,
    SequenceSet, SortCriterion, SortKey, SpecialUse, StateName, StatusAttr, StoreMode, Thread,
    ThreadAlgorithm,
};
#[doc(inline)]
pub use imap_core::{Commands, Engine};
#[doc(inline)]
pub use imap_net::{
    ConnectError, ConnectOptions, Error, Result, Security, TlsConfigError, TlsError, TlsOptions, Warning,
};
pub use session::{IdleCheck, IdleInterrupter, Session};
pub use shared::SharedSession;
pub use {imap_core, imap_net};

/// `use imap_blocking::prelude::*;` brings the typed methods
/// ([`Commands`], [`Engine`]) and [`Connect::connect`] into scope.
pub mod prelude {
    pub use crate::Connect;
    pub use imap_core::{Commands, Engine};
}
