//! What the engine reports to the application.

use bytes::Bytes;

use crate::error::{CommandError, ConnectionError, ProtocolError, ResponseError};
use crate::request::Completion;
use crate::types::{Fetch, Response, Status, Tag};

/// Something that happened on the connection. Poll with
/// [`Client::poll_event`](crate::Client::poll_event).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
// Completed carries typed results by value so they move to the caller
// without another allocation; the queue is bounded by backpressure.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// The server's greeting (OK or PREAUTH).
    Greeting(Status),
    /// A command finished: its typed result, or why it failed. Every
    /// enqueued command completes exactly once.
    Completed {
        /// The command's tag.
        tag: Tag,
        /// The typed result or the error.
        result: Result<Completion, CommandError>,
    },
    /// One message of a streaming FETCH (see
    /// [`Request::streaming`](crate::request::Request::streaming)).
    Fetched {
        /// The FETCH command's tag.
        tag: Tag,
        /// The message data.
        fetch: Fetch,
    },
    /// Data no command asked for: new messages (EXISTS), expunges, flag
    /// changes, ALERTs, warnings. Already applied to
    /// [`Client::mailbox`](crate::Client::mailbox).
    Unsolicited(Response),
    /// The server sent a SASL challenge for an interactive AUTHENTICATE;
    /// answer with [`Client::sasl_respond`](crate::Client::sasl_respond).
    SaslChallenge {
        /// The AUTHENTICATE command's tag.
        tag: Tag,
        /// The decoded challenge.
        data: Bytes,
    },
    /// IDLE is running (the server sent `+`); untagged data now flows as
    /// [`Event::Unsolicited`] until [`Client::idle_done`](crate::Client::idle_done).
    IdleStarted {
        /// The IDLE command's tag.
        tag: Tag,
    },
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
    /// The connection is over (delivered once).
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
