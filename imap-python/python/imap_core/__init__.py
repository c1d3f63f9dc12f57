"""imap_core: an IMAP4 client on a Rust sans-I/O core.

Three layers over one engine; no Python code here reads IMAP:

- :class:`Engine`: the sans-I/O engine for any loop (feed bytes, send
  what it gives, take events and results, pass time in);
- :mod:`imap_core.aio`: an asyncio client, any number of coroutines over
  one connection;
- :class:`IMAPClient`: IMAPClient's API over Python sockets (change the
  import, keep the code).
"""

from . import exceptions
from ._core import Engine, Event, __version__
from .exceptions import (
    CapabilityError,
    IllegalStateError,
    IMAPClientAbortError,
    IMAPClientError,
    IMAPClientReadOnlyError,
    InvalidCriteriaError,
    LoginError,
    ProtocolError,
    UnsupportedError,
)
from .response_types import Address, BodyData, Envelope, SearchIds
from .client import (
    ALL,
    ANSWERED,
    ARCHIVE,
    DELETED,
    DRAFT,
    DRAFTS,
    FLAGGED,
    IMAPClient,
    JUNK,
    RECENT,
    SEEN,
    SENT,
    SocketTimeout,
    TRASH,
    UNSUPPORTED,
)

__all__ = [
    "Engine",
    "Event",
    "IMAPClient",
    "SocketTimeout",
    "Address",
    "BodyData",
    "Envelope",
    "SearchIds",
    "exceptions",
    "IMAPClientError",
    "IMAPClientAbortError",
    "IMAPClientReadOnlyError",
    "CapabilityError",
    "LoginError",
    "IllegalStateError",
    "InvalidCriteriaError",
    "ProtocolError",
    "UnsupportedError",
    "UNSUPPORTED",
    "DELETED",
    "SEEN",
    "ANSWERED",
    "FLAGGED",
    "DRAFT",
    "RECENT",
    "ALL",
    "ARCHIVE",
    "DRAFTS",
    "JUNK",
    "SENT",
    "TRASH",
    "__version__",
]
