//! What every driver reports the same way: its error type, and the warnings
//! of a session that went on.

use std::io;

use imap_core::types::ResponseCode;
use imap_core::{CommandError, ConnectionError, ProtocolError, ResponseError, UsageError};

use crate::error::{ConnectError, TlsConfigError, TlsError};
use crate::nonce::NonceError;

/// Everything a driver's call can fail with, by whose fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered NO or BAD (with its response code and text), or
    /// the command could not be sent when its turn came.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The request is not possible now (wrong state, missing capability,
    /// unencodable argument). Nothing was sent.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The connection is over: BYE, EOF, timeout, broken framing...
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// The transport failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The server could not be reached (host name, port, timeout); the
    /// message names the likely fix.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The TLS handshake failed (certificate verification included, or TLS
    /// to a plain-text port); the message names the likely fix.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The TLS settings cannot be used (a CA or client certificate file,
    /// the host name to verify). Nothing was sent.
    #[error(transparent)]
    TlsConfig(#[from] TlsConfigError),
    /// No randomness for a SCRAM nonce.
    #[error(transparent)]
    Nonce(#[from] NonceError),
    /// The transport cannot do what was asked (e.g. STARTTLS on a child
    /// process's pipes).
    #[error("not supported: {0}")]
    Unsupported(&'static str),
}

impl Error {
    /// The server's response code, for NO and BAD.
    pub fn code(&self) -> Option<&ResponseCode> {
        match self {
            Error::Command(c) => c.code(),
            _ => None,
        }
    }

    /// Whether the server answered NO.
    pub fn is_no(&self) -> bool {
        matches!(self, Error::Command(CommandError::No { .. }))
    }

    /// Whether the connection is unusable after this error.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::Connection(_)
                | Error::Io(_)
                | Error::Tls(_)
                | Error::Connect(_)
                | Error::Command(CommandError::Connection(_))
        )
    }
}

impl From<rustls::Error> for Error {
    fn from(error: rustls::Error) -> Self {
        Error::Tls(error.into())
    }
}

/// `Result` with the drivers' [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something the server did wrong without ending the session: the response
/// was dropped and the session went on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// A response could not be decoded (malformed, or over a limit).
    #[error(transparent)]
    Response(ResponseError),
    /// The server broke the protocol (an unknown tag, a stray `+`).
    #[error(transparent)]
    Protocol(ProtocolError),
    /// Unsolicited responses nobody took were dropped, oldest first, to keep
    /// memory bounded.
    #[error("{0} unsolicited responses nobody took were dropped")]
    UnsolicitedDropped(usize),
}
