//! A sans-I/O IMAP4 client protocol engine.
//!
//! This crate never touches a socket, a thread or a clock. It turns server
//! bytes into typed responses and typed commands into bytes; drivers such
//! as `imap-blocking` move the bytes.
//!
//! The wire layer, usable on its own:
//!
//! ```
//! use imap_core::{Decoder, Response, Data};
//!
//! let mut decoder = Decoder::default();
//! decoder.push(b"* 3 EXISTS\r\n* 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n");
//! let mut n = 0;
//! while let Some(item) = decoder.next_response() {
//!     let response = item.expect("well-formed");
//!     if let Response::Data(Data::Fetch(fetch)) = &response {
//!         assert_eq!(fetch.uid(), Some(7));
//!         assert_eq!(&fetch.message().unwrap()[..], b"hello");
//!     }
//!     n += 1;
//! }
//! assert_eq!(n, 2);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod chars;
mod client;
pub mod config;
pub mod encode;
pub mod error;
pub mod event;
pub mod ext;
pub mod parse;
pub mod request;
pub mod state;
pub mod types;

#[cfg(test)]
mod tests;

pub use client::{Client, ClientConfig, Direction, TraceLine};
pub use config::{Leniency, Limits, ParseOptions};
pub use encode::{encode_command, EncodeContext, Encoded, Fragment};
pub use error::{
    CommandError, ConnectionError, EncodeError, FramingError, LimitError, ParseError, ProtocolError,
    ResponseError, UsageError,
};
pub use event::{Event, Switch};
pub use parse::{parse_response, Decoder, Framer};
pub use request::{Completion, Output, Request};
pub use state::StateName;
pub use types::{
    ByteStr, Capabilities, Capability, Command, Data, Date, DateTime, Fetch, FetchAttr, FetchItem, Flag,
    Mailbox, Response, ResponseCode, SearchKey, Secret, Section, SequenceSet, Status, StatusKind, Tag,
};
