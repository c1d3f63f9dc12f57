//! The connection code every Rust IMAP driver shares, written once: connect
//! options and [`Security`] with its default ports, the rustls configuration
//! ([`TlsOptions`]), socket tuning against delayed-ACK stalls, the SCRAM
//! nonce source, and errors that name the fix.
//!
//! No driver logic lives here: each driver (blocking, async, mio) connects,
//! reads and writes in its own way and calls these pieces in this order:
//!
//! 1. **Settings first.** [`ConnectOptions::tls_config`] builds the rustls
//!    configuration and the name to verify, so that a missing CA file fails
//!    before any packet is sent. `None` for [`Security::Plain`].
//! 2. **Reach the server.** [`resolve`] the host, connect with the driver's
//!    own sockets and [`connect_timeout`](ConnectOptions::connect_timeout),
//!    and turn a failure into a [`ConnectError`] with
//!    [`ConnectError::from_connect`].
//! 3. **Tune the socket**: [`tune_socket`] once (TCP_NODELAY and a first
//!    TCP_QUICKACK), then [`rearm_quickack`] after every read that returned
//!    data, while [`quickack`](ConnectOptions::quickack) is on.
//! 4. **TLS** (at once for [`Security::Tls`], after the STARTTLS command for
//!    [`Security::StartTls`]): a rustls connection from the [`TlsConfig`];
//!    turn a handshake failure into a [`TlsError`] (`From<rustls::Error>`, or
//!    [`TlsError::from_io`] for drivers that see `io::Error`s).
//! 5. **The engine**: `imap_core::Client::new(options.engine.clone())`.
//!
//! A blocking driver, in short:
//!
//! ```no_run
//! use std::io::Read;
//! use std::net::TcpStream;
//!
//! use imap_net::{ConnectError, ConnectOptions, Security, TlsError};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let options = ConnectOptions::new("imap.example.org").security(Security::Tls);
//! let tls = options.tls_config()?.expect("Security::Tls has TLS settings");
//! let (host, port) = (options.host.as_str(), options.server_port());
//! let addr = imap_net::resolve(host, port)?[0];
//! let tcp = TcpStream::connect_timeout(&addr, options.connect_timeout)
//!     .map_err(|e| ConnectError::from_connect(host, port, options.connect_timeout, e))?;
//! imap_net::tune_socket(&tcp, options.quickack)?;
//! let mut tls_stream = rustls::StreamOwned::new(tls.connection()?, tcp);
//! let mut greeting = [0u8; 1024];
//! // The first read drives the handshake; a failure says what to fix, e.g.
//! // "the server answered in plain text: is this the STARTTLS port? ...".
//! let n = tls_stream.read(&mut greeting).map_err(|e| TlsError::from_io(e, options.connect_timeout))?;
//! if options.quickack {
//!     imap_net::rearm_quickack(&tls_stream.sock)?;
//! }
//! let mut engine = imap_core::Client::new(options.engine.clone());
//! engine.handle_input(&greeting[..n]);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod driver;
mod error;
mod nonce;
mod options;
mod settings;
mod socket;
mod tls;

pub use driver::{Backlog, Error, ProtocolLog, Result, Warning};
pub use error::{ConnectError, PemOrigin, TlsConfigError, TlsError};
pub use nonce::{scram, scram_nonce, NonceError};
pub use options::{ConnectOptions, ParseSecurityError, Security};
pub use settings::{Settings, SettingsError, SETTINGS_USAGE};
pub use socket::{rearm_quickack, resolve, tune_socket, QUICKACK_SUPPORTED};
pub use tls::{server_name, TlsConfig, TlsOptions};

/// The rustls this crate builds its configurations with: use it, not a
/// rustls of another version, for the connection.
pub use rustls;
