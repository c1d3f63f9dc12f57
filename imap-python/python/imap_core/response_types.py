"""The result types of IMAPClient, with its names and fields.

``Envelope`` and ``Address`` are built in Rust (they are made by the
thousand); ``BodyData``, ``SearchIds``, ``Namespace`` and the quota tuples
are the small Python classes IMAPClient has.
"""

from collections import namedtuple
from typing import Any, List, Optional

from ._core import Address, Envelope

__all__ = ["Address", "Envelope", "BodyData", "SearchIds", "ESearch", "Namespace", "Quota", "MailboxQuotaRoots"]


class SearchIds(List[int]):
    """The message ids a search returned; ``modseq`` is the MODSEQ the
    server reported (CONDSTORE searches), else ``None``."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.modseq: Optional[int] = None


class BodyData(tuple):
    """A BODY or BODYSTRUCTURE: nested tuples as the server sent them, with
    the parts of a multipart gathered in a list first."""

    @classmethod
    def create(cls, response: tuple) -> "BodyData":
        if isinstance(response[0], tuple):
            parts = []
            for i, part in enumerate(response):
                if isinstance(part, bytes):
                    break
                parts.append(part)
            return cls(([cls.create(part) for part in parts],) + response[i:])
        return cls(response)

    @property
    def is_multipart(self) -> bool:
        return isinstance(self[0], list)


class Namespace(tuple):
    """NAMESPACE: ``personal``, ``other`` and ``shared``, each a tuple of
    ``(prefix, separator)`` or ``None``."""

    def __new__(cls, personal: Any, other: Any, shared: Any) -> "Namespace":
        return tuple.__new__(cls, (personal, other, shared))

    personal = property(lambda self: self[0])
    other = property(lambda self: self[1])
    shared = property(lambda self: self[2])


#: A quota: root, resource, usage, limit.
Quota = namedtuple("Quota", "quota_root resource usage limit")
#: A mailbox's quota roots.
MailboxQuotaRoots = namedtuple("MailboxQuotaRoots", "mailbox quota_roots")
#: An ESEARCH result (RFC 4731; not in IMAPClient): whether the numbers are
#: UIDs, then ``min``, ``max``, ``count``, ``all`` and ``modseq``, each
#: ``None`` unless asked for and sent. ``all`` is a sequence-set string
#: (``"4:9,17"``) that ``fetch`` and the other commands take as it is.
ESearch = namedtuple("ESearch", "uid min max count all modseq")
