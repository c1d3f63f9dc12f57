"""IMAPClient's exception classes, the same hierarchy: the three base
classes are imaplib's, as IMAPClient's are, so ``except imaplib.IMAP4.error``
still catches them."""

import imaplib

__all__ = [
    "IMAPClientError",
    "IMAPClientAbortError",
    "IMAPClientReadOnlyError",
    "CapabilityError",
    "LoginError",
    "IllegalStateError",
    "InvalidCriteriaError",
    "ProtocolError",
    "UnsupportedError",
]

#: A command failed (the server said NO or BAD), or the caller asked for
#: something impossible.
IMAPClientError = imaplib.IMAP4.error
#: The connection is over: the server closed it, broke the protocol, or did
#: not answer in time.
IMAPClientAbortError = imaplib.IMAP4.abort
#: The mailbox became read-only.
IMAPClientReadOnlyError = imaplib.IMAP4.readonly


class CapabilityError(IMAPClientError):
    """The server lacks a capability the command needs."""


class LoginError(IMAPClientError):
    """Authentication failed."""


class IllegalStateError(IMAPClientError):
    """The command is not valid in the session's state."""


class InvalidCriteriaError(IMAPClientError):
    """The search criteria are invalid."""


class ProtocolError(IMAPClientError):
    """The server's response does not follow the protocol."""


class UnsupportedError(IMAPClientError, NotImplementedError):
    """IMAPClient has this method; imap_core does not (the message names it)."""
