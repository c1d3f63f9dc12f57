//! Typed requests and results.
//!
//! Every command is paired with a collector that turns the untagged data
//! routed to it and its tagged OK into a typed [`Output`]; drivers never
//! hold result logic. Convert an output to the type you expect with
//! `TryFrom`:
//!
//! ```
//! use imap_core::request::{Output, SearchResult};
//! let out = Output::Search(SearchResult::default());
//! let result: SearchResult = out.try_into().unwrap();
//! assert!(result.ids.is_empty());
//! ```

mod collect;
mod results;

pub(crate) use collect::{Collector, RouteCtx};
pub use results::{
    AppendResult, CopyResult, CopyUid, ExpungeResult, ListEntry, ListRightsResult, MailboxInfo,
    MailboxStatus, MoveResult, Output, QuotaResult, SearchResult, SelectResult, StoreResult, WrongOutput,
};

use crate::types::{Command, Status};

/// A command and how to deliver its results.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub(crate) command: Command,
    pub(crate) streaming: bool,
}

impl Request {
    /// A request for this command.
    pub fn new(command: Command) -> Self {
        Self { command, streaming: false }
    }

    /// For FETCH: deliver each message as an [`Event::Fetched`](crate::Event::Fetched)
    /// as it arrives instead of collecting them (the result is then
    /// [`Output::Streamed`] with the count). Memory stays bounded by one
    /// message whatever the number of messages.
    pub fn streaming(mut self) -> Self {
        self.streaming = true;
        self
    }

    /// The command.
    pub fn command(&self) -> &Command {
        &self.command
    }
}

impl From<Command> for Request {
    fn from(command: Command) -> Self {
        Self::new(command)
    }
}

/// A successful command: its tagged OK and its typed output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Completion {
    /// The tagged OK (response code and text).
    pub status: Status,
    /// The typed output.
    pub output: Output,
}
