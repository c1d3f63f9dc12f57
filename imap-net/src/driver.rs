//! What every driver reports the same way: its error type, and the warnings
//! of a session that went on.

use std::collections::VecDeque;
use std::io;

use imap_core::types::{Response, ResponseCode};
use imap_core::{CommandError, ConnectionError, Event, ProtocolError, ResponseError, UsageError};

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
    /// The caller stopped waiting for a result after this long; the
    /// command completes on the wire and its result is dropped. The session
    /// goes on.
    #[error("gave up waiting for the result after {0:?} (the command goes on; its result is dropped)")]
    GaveUp(std::time::Duration),
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

/// What a session received for the application and nobody took yet:
/// unsolicited responses and warnings, both bounded. Beyond the limit the
/// oldest unsolicited response is dropped and counted (a
/// [`Warning::UnsolicitedDropped`]), unless the driver keeps everything
/// ([`set_keep_all`](Self::set_keep_all)) and stops reading while
/// [`is_full`](Self::is_full) instead (a slow consumer then slows reading).
///
/// ```
/// use imap_core::types::{Data, Response};
/// use imap_core::Event;
/// let mut backlog = imap_net::Backlog::new(2);
/// for n in 1..=3 {
///     assert!(backlog.absorb(Event::Unsolicited(Response::Data(Data::Exists(n)))).is_none());
/// }
/// assert_eq!(backlog.pop(), Some(Response::Data(Data::Exists(2))));
/// assert_eq!(backlog.take_warnings(), [imap_net::Warning::UnsolicitedDropped(1)]);
/// ```
#[derive(Debug)]
pub struct Backlog {
    unsolicited: VecDeque<Response>,
    warnings: Vec<Warning>,
    limit: usize,
    keep_all: bool,
}

impl Backlog {
    /// Keeps at most `limit` unsolicited responses (and as many warnings).
    pub fn new(limit: usize) -> Self {
        Backlog { unsolicited: VecDeque::new(), warnings: Vec::new(), limit: limit.max(1), keep_all: false }
    }

    /// Keeps every unsolicited response (the driver stops reading while
    /// [`is_full`](Self::is_full)).
    pub fn set_keep_all(&mut self, keep_all: bool) {
        self.keep_all = keep_all;
    }

    /// Takes what is the backlog's from an engine event (unsolicited data,
    /// malformed responses, protocol errors); gives back the others.
    pub fn absorb(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::Unsolicited(r) => self.push(r),
            Event::ResponseError(e) => self.warn(Warning::Response(e)),
            Event::ProtocolError(e) => self.warn(Warning::Protocol(e)),
            other => return Some(other),
        }
        None
    }

    fn push(&mut self, response: Response) {
        if !self.keep_all && self.unsolicited.len() >= self.limit {
            self.unsolicited.pop_front();
            match self.warnings.last_mut() {
                Some(Warning::UnsolicitedDropped(n)) => *n += 1,
                _ => self.warn(Warning::UnsolicitedDropped(1)),
            }
        }
        self.unsolicited.push_back(response);
    }

    fn warn(&mut self, warning: Warning) {
        if self.warnings.len() < self.limit {
            self.warnings.push(warning);
        }
    }

    /// The oldest unsolicited response.
    pub fn pop(&mut self) -> Option<Response> {
        self.unsolicited.pop_front()
    }

    /// Takes the unsolicited responses from the `from`-th on, oldest first.
    pub fn drain_from(&mut self, from: usize) -> Vec<Response> {
        self.unsolicited.drain(from.min(self.unsolicited.len())..).collect()
    }

    /// The unsolicited responses from the `from`-th on, oldest first,
    /// without taking them.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &Response> {
        self.unsolicited.range(from.min(self.unsolicited.len())..)
    }

    /// Unsolicited responses waiting.
    pub fn len(&self) -> usize {
        self.unsolicited.len()
    }

    /// Whether no unsolicited response waits.
    pub fn is_empty(&self) -> bool {
        self.unsolicited.is_empty()
    }

    /// Whether the limit is reached.
    pub fn is_full(&self) -> bool {
        self.unsolicited.len() >= self.limit
    }

    /// Takes the warnings.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }
}

/// The live protocol log written out (imaplib's `debug`, imaplib2's
/// `debug_file`): a driver keeps one while the user asked for it and calls
/// [`drain`](Self::drain) whenever it drains the engine's events. Every line
/// in and out, redacted by the engine (no passwords, no SASL data, literal
/// data as its size), `C: ` or `S: ` first; a gap, if the engine had to
/// drop lines, is said where it happened.
///
/// ```
/// use imap_core::{Client, ClientConfig};
/// let mut client = Client::new(ClientConfig::default());
/// client.set_protocol_log(true);
/// let mut log = imap_net::ProtocolLog::new(Vec::new());
/// client.handle_input(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
/// log.drain(&mut client);
/// assert_eq!(log.writer(), b"S: * OK [CAPABILITY IMAP4rev1] hi\n");
/// ```
pub struct ProtocolLog<W: io::Write = Box<dyn io::Write + Send>> {
    writer: W,
    dropped: u64,
}

impl<W: io::Write> std::fmt::Debug for ProtocolLog<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtocolLog").field("dropped", &self.dropped).finish_non_exhaustive()
    }
}

impl<W: io::Write> ProtocolLog<W> {
    /// Writes to `writer`.
    pub fn new(writer: W) -> Self {
        ProtocolLog { writer, dropped: 0 }
    }

    /// Writes the lines the engine has logged since the last call. A
    /// failing writer loses those lines, not the session.
    pub fn drain(&mut self, core: &mut imap_core::Client) {
        let dropped = core.log_dropped();
        if dropped > self.dropped {
            let _ =
                writeln!(self.writer, "-- {} lines not logged (taken too late) --", dropped - self.dropped);
            self.dropped = dropped;
        }
        let mut any = false;
        while let Some(line) = core.poll_log() {
            let _ = writeln!(self.writer, "{line}");
            any = true;
        }
        if any {
            let _ = self.writer.flush();
        }
    }

    /// The writer.
    pub fn writer(&self) -> &W {
        &self.writer
    }
}
