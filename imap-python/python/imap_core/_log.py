"""The live protocol log through :mod:`logging`, for layers 2 and 3.

IMAPClient shows the protocol when its loggers are set to DEBUG; here the
logger is ``imap_core.protocol``: while it is enabled for DEBUG, every line
sent (``C: ...``) and received (``S: ...``) is logged, in order, redacted by
the engine (passwords and SASL data never appear, literal data shows as its
size). While it is not, the engine keeps no log at all.
"""

import logging

from ._core import Engine

logger = logging.getLogger("imap_core.protocol")


def wanted() -> bool:
    """Whether the protocol logger takes DEBUG records now."""
    return logger.isEnabledFor(logging.DEBUG)


class ProtocolLog:
    """Moves an engine's protocol log to :data:`logger`; :meth:`drain` after
    each input and request (with the events)."""

    def __init__(self, engine: Engine, on: bool) -> None:
        self._engine = engine
        self._on = on
        self._dropped = 0

    def drain(self) -> None:
        on = wanted()
        if on != self._on:
            self._engine.set_protocol_log(on)
            self._on = on
        if not on:
            return
        engine = self._engine
        # Dropped lines are the oldest of those waiting: the gap comes first.
        dropped = engine.log_dropped
        if dropped != self._dropped:
            logger.debug("(%d lines not logged: too many waited)", dropped - self._dropped)
            self._dropped = dropped
        while True:
            line = engine.poll_log()
            if line is None:
                break
            logger.debug("%s", line)
