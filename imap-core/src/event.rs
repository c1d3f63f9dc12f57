//! What the engine reports to the driver.

use bytes::Bytes;

use crate::error::{ConnectionError, ProtocolError, ResponseError};
use crate::request::CommandId;
use crate::types::{Mailbox, Response, Status};

/// Something that happened on the connection. Poll with
/// [`Client::poll_event`](crate::Client::poll_event).
///
/// Results are not in events: [`Ready`](Event::Ready) and
/// [`Fetched`](Event::Fetched) say *which* request has something to take,
/// so an async driver wakes exactly the task waiting for it, and what
/// nobody takes yet stays in the engine (and counts toward backpressure).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The server's greeting (OK or PREAUTH).
    Greeting(Status),
    /// A request finished: take its result with
    /// [`Client::take`](crate::Client::take). Every submitted request
    /// becomes ready exactly once, unless it was abandoned.
    Ready(CommandId),
    /// Messages of a streaming FETCH wait: take them with
    /// [`Client::take_fetched`](crate::Client::take_fetched) until it gives
    /// `None` (the event comes again when more arrive after that).
    Fetched(CommandId),
    /// Data no command asked for: new messages (EXISTS), expunges, flag
    /// changes, ALERTs, warnings. Already applied to
    /// [`Client::mailbox`](crate::Client::mailbox).
    Unsolicited(Response),
    /// The selected mailbox is read-only, or its access changed while it
    /// was selected (RFC 9051 section 7.1, `READ-ONLY` and `READ-WRITE`):
    /// it was opened with EXAMINE or its SELECT completed with
    /// `[READ-ONLY]`, or the server said `* OK [READ-ONLY]` (or
    /// `[READ-WRITE]`) later, e.g. because another session took write
    /// access. Already applied to [`Client::mailbox`](crate::Client::mailbox);
    /// while it is read-only, requests that would change it (STORE,
    /// EXPUNGE, MOVE) are refused with
    /// [`UsageError::ReadOnly`](crate::UsageError::ReadOnly).
    MailboxAccess {
        /// The selected mailbox.
        mailbox: Mailbox,
        /// Whether it is now read-only.
        read_only: bool,
    },
    /// The server sent a SASL challenge for an interactive AUTHENTICATE;
    /// answer with [`Client::sasl_respond`](crate::Client::sasl_respond).
    SaslChallenge {
        /// The AUTHENTICATE request.
        id: CommandId,
        /// The decoded challenge.
        data: Bytes,
    },
    /// IDLE is running (the server sent `+`); untagged data now flows as
    /// [`Event::Unsolicited`] until [`Client::idle_done`](crate::Client::idle_done).
    IdleStarted(CommandId),
    /// The driver must switch the transport now; the engine is paused until
    /// [`Client::handle_switched`](crate::Client::handle_switched).
    Switch(Switch),
    /// A response could not be decoded (malformed or over a limit). It is
    /// dropped; the session goes on.
    ResponseError(ResponseError),
    /// The server broke the protocol without ending the session (an unknown
    /// tag, an unexpected `+`); the response is dropped.
    ProtocolError(ProtocolError),
    /// LOGOUT completed: the session ended cleanly.
    LoggedOut,
    /// The connection is over (delivered once, after every open request
    /// became ready with the error).
    ConnectionLost(ConnectionError),
}

/// A transport switch the driver must perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Switch {
    /// STARTTLS was accepted: do the TLS handshake on the same socket, then
    /// call `handle_switched`. No byte may be read in between.
    StartTls,
}
