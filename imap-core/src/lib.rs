//! A sans-I/O IMAP4 client: the whole protocol, no I/O.
//!
//! This crate never touches a socket, a thread, a clock or randomness. It
//! turns server bytes into typed responses and typed requests into bytes,
//! and runs the whole client: greeting, states, capabilities, pipelining,
//! literals, IDLE, SASL, STARTTLS and COMPRESS switch-over, timeouts passed
//! in as time, compound operations (MOVE without MOVE, APPEND of many, LIST
//! with STATUS...). Drivers such as `imap-blocking` only move bytes, wait
//! and wake.
//!
//! The call pattern of a driver ([`Client`] documents the order):
//!
//! ```
//! use imap_core::{request, Client, ClientConfig, Event};
//!
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");     // bytes from the socket
//! let fetch = client.submit(request::fetch(true, 1..=2, &[])).err(); // not logged in yet:
//! assert!(fetch.is_some());                                          // refused, nothing sent
//! let login = client.submit(request::login("alice", "secret")).unwrap();
//! while let Some(out) = client.poll_transmit() {                      // bytes for the socket
//!     client.advance_transmit(out.len());
//! }
//! client.handle_input(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n");
//! while let Some(event) = client.poll_event() {
//!     if let Event::Ready(id) = event {                               // wake that waiter
//!         assert_eq!(id, login.id());
//!         assert_eq!(client.take(&login), Some(Ok(())));
//!     }
//! }
//! ```
//!
//! The wire layer, usable on its own:
//!
//! ```
//! use imap_core::parse::Decoder;
//! use imap_core::types::{Data, Response};
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
//!
//! Layers, each using only those below it: [`types`] (the protocol's data
//! types), the wire layer ([`parse`], [`encode`]), the engine ([`Client`],
//! [`request`], [`Commands`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod chars;
mod client;
mod config;
pub mod encode;
mod error;
mod event;
pub mod ext;
pub mod parse;
pub mod request;
mod state;
pub mod types;

#[cfg(test)]
mod tests;

pub use api::{Commands, Engine};
pub use client::{Client, ClientConfig, Direction, TraceLine};
pub use config::{Leniency, Limits, ParseOptions};
pub use error::{
    CommandError, CompressError, ConnectionError, EncodeError, FramingError, LimitError, LimitKind,
    ParseError, ProtocolError, ResponseError, UsageError,
};
pub use event::{Event, Switch};
