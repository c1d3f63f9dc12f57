//! An IMAP4 client driver for [mio]: many connections in one event loop,
//! on one thread, each costing a few KiB while it idles.
//!
//! A [`Connection`] owns a non-blocking `mio::net::TcpStream`, a rustls
//! `ClientConnection` driven through rustls's own sans-I/O calls
//! (`read_tls`, `process_new_packets`, `reader`, `writer`, `write_tls`)
//! for implicit TLS and STARTTLS, and the [`imap_core`] engine, which makes
//! every protocol decision. The connection only moves bytes when mio says
//! its socket is ready, computes its `Interest` from what the engine and
//! TLS want, and tells when it must be woken next
//! ([`Connection::next_deadline`]).
//!
//! Requests are the typed methods of [`Commands`] (`use imap_mio::prelude::*`):
//! each returns a [`Handle`](imap_core::request::Handle) at once;
//! [`Progress::Ready`] later names it, and [`Connection::take`] gives its
//! typed result. News the server sends on its own waits in
//! [`Connection::take_unsolicited`]. Nothing calls back into your code.
//!
//! # In your own loop
//!
//! ```no_run
//! use std::time::Instant;
//!
//! use imap_mio::prelude::*;
//! use imap_mio::{ConnectOptions, Connector, Progress, Security};
//! use mio::{Events, Poll, Token};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let connector = Connector::new(ConnectOptions::new("imap.example.org").security(Security::Tls))?;
//! let addr = connector.resolve()?[0]; // DNS blocks: resolve before the loop
//! let mut conn = connector.connect(addr)?; // a non-blocking connect
//! let mut poll = Poll::new()?;
//! conn.register(poll.registry(), Token(7))?;
//! let mut events = Events::with_capacity(64);
//! let mut select = None;
//! loop {
//!     let wait = conn.next_deadline().map(|d| d.saturating_duration_since(Instant::now()));
//!     poll.poll(&mut events, if conn.is_busy() { Some(Default::default()) } else { wait })?;
//!     for event in events.iter() {
//!         conn.handle_event(poll.registry(), event); // read, write, deliver
//!     }
//!     conn.handle_timeout(poll.registry(), Instant::now()); // timers (harmless if early)
//!     while let Some(progress) = conn.poll_progress() {
//!         match progress {
//!             Progress::Connected => {
//!                 conn.login("alice", "secret")?; // pipelined: SELECT waits for LOGIN
//!                 select = Some(conn.select("INBOX")?);
//!             }
//!             Progress::Ready(id) if select.as_ref().is_some_and(|h| h.id() == id) => {
//!                 let inbox = conn.take(select.as_ref().unwrap()).unwrap()?;
//!                 println!("{} messages", inbox.exists);
//!                 conn.logout()?;
//!             }
//!             Progress::Closed => return Ok(()),
//!             _ => {}
//!         }
//!     }
//!     conn.drive(poll.registry()); // sends what was just submitted
//! }
//! # }
//! ```
//!
//! The rules: call [`Connection::handle_event`] for each event of its
//! token, [`Connection::handle_timeout`] once its deadline passes, and
//! [`Connection::drive`] after submitting requests or taking results; then
//! drain [`Connection::poll_progress`]. Poll without sleeping while
//! [`Connection::is_busy`] (its read budget ran out: a server that never
//! stops sending cannot hold the loop).
//!
//! # Without a loop of your own
//!
//! [`Pool`] holds N connections with a `Token` each and does the above;
//! see its example.
//!
//! # Connecting
//!
//! [`Connector`] takes the [`ConnectOptions`] every driver shares and
//! builds the TLS configuration once for any number of connections.
//! Resolving a host name blocks, so it is the caller's
//! ([`Connector::resolve`], or your own resolver); [`Connector::connect`]
//! then starts a non-blocking connect to one address, and a failure to
//! connect, a TLS failure or a timeout (`connect_timeout`, which also
//! bounds the handshake) ends that connection with a typed [`Error`]
//! ([`Progress::Closed`], [`Connection::error`]) and touches no other.
//! [`Connector::connect_stream`] takes a socket you opened yourself.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod connection;
mod pool;

pub use connection::{Connection, Connector, Progress, RELEASE_BUFFERS_AFTER};
#[doc(no_inline)]
pub use imap_core::request::{MailboxInfo, SelectResult};
#[doc(no_inline)]
pub use imap_core::types::{AppendMessage, Fetch, FetchAttr, Flag, Response, SearchKey, SequenceSet};
#[doc(no_inline)]
pub use imap_core::{Commands, Engine};
#[doc(no_inline)]
pub use imap_net::{ConnectOptions, Error, Result, Security, TlsOptions, Warning};
pub use pool::Pool;
pub use {imap_core, imap_net, mio};

/// `use imap_mio::prelude::*;` brings the typed methods ([`Commands`],
/// [`Engine`]) into scope.
pub mod prelude {
    pub use imap_core::{Commands, Engine};
}
