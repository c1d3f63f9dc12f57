"""Layer 3: :class:`IMAPClient`, IMAPClient's public API over Python
sockets and the Rust engine.

Code written for IMAPClient moves over by changing the import::

    from imap_core import IMAPClient

    with IMAPClient("imap.example.org") as client:
        client.login("alice", "secret")
        client.select_folder("INBOX")
        for uid, data in client.fetch(client.search(["UNSEEN"]), ["ENVELOPE"]).items():
            print(uid, data[b"ENVELOPE"].subject)

This file only moves bytes: every command is encoded, every response
parsed and every result built by the engine (:class:`imap_core.Engine`).
"""

import dataclasses
import logging
import socket as socket_lib
import ssl as ssl_lib
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from . import _log
from ._core import Engine
from .exceptions import IMAPClientAbortError, IMAPClientError, IMAPClientReadOnlyError, UnsupportedError

__all__ = ["IMAPClient", "SocketTimeout", "UNSUPPORTED"]

logger = logging.getLogger(__name__)

# Flags and special-folder roles, as IMAPClient exports them.
DELETED = rb"\Deleted"
SEEN = rb"\Seen"
ANSWERED = rb"\Answered"
FLAGGED = rb"\Flagged"
DRAFT = rb"\Draft"
RECENT = rb"\Recent"
ALL = rb"\All"
ARCHIVE = rb"\Archive"
DRAFTS = rb"\Drafts"
JUNK = rb"\Junk"
SENT = rb"\Sent"
TRASH = rb"\Trash"

#: IMAPClient methods this client does not offer, and why. Each raises
#: :class:`UnsupportedError` naming itself.
UNSUPPORTED: Dict[str, str] = {
    "xlist_folders": "XLIST is obsolete (Gmail's pre-SPECIAL-USE listing); use list_folders",
    "set_quota": "SETQUOTA (administrators)",
    "_get_quota": "GETQUOTA of a root; use get_quota_root",
}

_READ_SIZE = 1 << 18

_TCP_QUICKACK = getattr(socket_lib, "TCP_QUICKACK", None)  # Linux only


def _rearm_quickack(sock: Any) -> None:
    """Sets TCP_QUICKACK on *sock*, as the Rust drivers do after every read
    (imap-net's ``rearm_quickack``). Linux delays ACKs (up to 40 ms) on a
    connection that looks interactive and drops the option again by itself,
    so it is set anew after each read: a server that leaves Nagle on (Cyrus)
    holds a response's last small segment until the ACK of the one before.
    Does nothing where the option does not exist or does not apply."""
    if _TCP_QUICKACK is not None:
        try:
            sock.setsockopt(socket_lib.IPPROTO_TCP, _TCP_QUICKACK, 1)
        except OSError:  # not TCP, or closed
            pass


@dataclasses.dataclass
class SocketTimeout:
    """Timeouts: ``connect`` for establishing the connection, ``read`` for
    each wait on the server (IMAPClient's class)."""

    connect: Optional[float] = None
    read: Optional[float] = None


class IMAPClient:
    """A connection to an IMAP server, with IMAPClient's methods, arguments
    and return shapes.

    *ssl* (default ``True``) connects with TLS, verified by *ssl_context*
    (default: :func:`ssl.create_default_context`); *timeout* is a number of
    seconds or a :class:`SocketTimeout`. *use_uid*, *folder_encode* and
    *normalise_times* behave as IMAPClient's attributes of the same names.

    The protocol is logged as IMAPClient's is, at DEBUG, to the logger
    ``imap_core.protocol`` (``C: ...`` sent, ``S: ...`` received, redacted):
    ``logging.basicConfig(level=logging.DEBUG)`` shows it.

    *quickack* (not in IMAPClient; default ``True``) re-arms TCP_QUICKACK
    after every read (Linux), so a server that leaves Nagle on never waits
    for a delayed ACK (up to 40 ms a response); off is for measuring the
    difference.
    """

    Error = IMAPClientError
    AbortError = IMAPClientAbortError
    ReadOnlyError = IMAPClientReadOnlyError

    def __init__(
        self,
        host: str,
        port: Optional[int] = None,
        use_uid: bool = True,
        ssl: bool = True,
        stream: bool = False,
        ssl_context: Optional[ssl_lib.SSLContext] = None,
        timeout: Any = None,
        *,
        quickack: bool = True,
    ) -> None:
        if stream:
            raise UnsupportedError("IMAPClient(stream=True) is not supported: connect over TCP")
        if port is None:
            port = 993 if ssl else 143
        if not isinstance(timeout, SocketTimeout):
            timeout = SocketTimeout(timeout, timeout)
        self.host = host
        self.port = port
        self.ssl = ssl
        self.ssl_context = ssl_context
        self.stream = stream
        self._timeout = timeout
        self._quickack = quickack
        logging_protocol = _log.wanted()
        self._engine = Engine(use_uid=use_uid, response_timeout=timeout.read, protocol_log=logging_protocol)
        self._log = _log.ProtocolLog(self._engine, logging_protocol)
        self._unsolicited: List[Any] = []
        self._idle_id: Optional[int] = None
        self._sasl: Optional[_SaslExchange] = None
        self._sock = self._connect(timeout.connect)
        self._engine.handle_timeout(time.monotonic())
        self._wait(lambda: self._engine.state != "greeting" and self._engine.capabilities_known)

    # ----------------------------------------------------------- attributes

    @property
    def use_uid(self) -> bool:
        return self._engine.use_uid

    @use_uid.setter
    def use_uid(self, value: bool) -> None:
        self._engine.use_uid = value

    @property
    def folder_encode(self) -> bool:
        return self._engine.folder_encode

    @folder_encode.setter
    def folder_encode(self, value: bool) -> None:
        self._engine.folder_encode = value

    @property
    def normalise_times(self) -> bool:
        return self._engine.normalise_times

    @normalise_times.setter
    def normalise_times(self, value: bool) -> None:
        self._engine.normalise_times = value

    @property
    def welcome(self) -> Optional[bytes]:
        """The server's greeting line, as IMAPClient gives it:
        ``b"* OK [CAPABILITY ...] Dovecot ready."``."""
        return self._engine.welcome

    def socket(self) -> socket_lib.socket:
        """The socket, for polling only (reading or writing it breaks the
        session)."""
        return self._sock

    def __enter__(self) -> "IMAPClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.logout()
        except Exception:
            try:
                self.shutdown()
            except Exception as e:  # pragma: no cover - best effort
                logger.info("Could not close the connection cleanly: %s", e)

    def __getattr__(self, name: str) -> Any:
        if name in UNSUPPORTED:
            raise UnsupportedError(f"IMAPClient.{name} is not supported by imap_core: {UNSUPPORTED[name]}")
        raise AttributeError(name)

    # --------------------------------------------------------------- driver

    def _connect(self, timeout: Optional[float]) -> socket_lib.socket:
        sock = socket_lib.create_connection((self.host, self.port), timeout)
        sock.setsockopt(socket_lib.IPPROTO_TCP, socket_lib.TCP_NODELAY, 1)
        if self._quickack:
            _rearm_quickack(sock)
        if self.ssl:
            context = self.ssl_context or ssl_lib.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self.host)
        return sock

    def _run(self, request_id: int) -> Any:
        """Waits for request *request_id* and returns its result."""
        engine = self._engine
        while not engine.is_ready(request_id):
            self._step(None)
        return engine.take(request_id)

    def _wait(self, done: Callable[[], bool], timeout: Optional[float] = None) -> bool:
        """Turns the loop until *done()* or *timeout* seconds pass."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done():
            if self._engine.is_closed:
                raise IMAPClientAbortError(self._engine.connection_error or "the connection is closed")
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            self._step(left)
        return True

    def _step(self, max_wait: Optional[float]) -> None:
        """One turn: write, take events, read once, tick the clock."""
        engine = self._engine
        self._flush()
        self._absorb()
        if engine.is_closed:
            return
        now = time.monotonic()
        due = engine.poll_timeout()
        wait = None if due is None else max(0.0, due - now)
        if max_wait is not None:
            wait = max_wait if wait is None else min(wait, max_wait)
        if engine.wants_read and (wait is None or wait > 0):
            try:
                self._sock.settimeout(wait)
                data = self._sock.recv(_READ_SIZE)
            except (socket_lib.timeout, BlockingIOError, ssl_lib.SSLWantReadError):
                data = None
            except OSError as e:
                engine.transport_error(str(e))
                self._absorb()
                raise IMAPClientAbortError(f"the connection failed: {e}") from e
            if data:
                if self._quickack:
                    _rearm_quickack(self._sock)
                engine.feed(data)
            elif data is not None:
                engine.feed_eof()
        engine.handle_timeout(time.monotonic())
        self._flush()
        self._absorb()

    def _flush(self) -> None:
        engine = self._engine
        while True:
            out = engine.poll_transmit()
            if out is None:
                return
            try:
                self._sock.settimeout(self._timeout.read)
                self._sock.sendall(out)
            except OSError as e:
                engine.transport_error(str(e))
                raise IMAPClientAbortError(f"the connection failed: {e}") from e
            engine.advance_transmit(len(out))

    def _absorb(self) -> None:
        engine = self._engine
        self._log.drain()
        while True:
            event = engine.poll_event()
            if event is None:
                return
            kind = event.kind
            if kind == "unsolicited":
                self._unsolicited.append(event.data)
                del self._unsolicited[:-10000]
            elif kind == "starttls":
                context = self._starttls_context or ssl_lib.create_default_context()
                self._sock = context.wrap_socket(self._sock, server_hostname=self.host)
                engine.handle_switched()
            elif kind == "sasl_challenge" and self._sasl is not None:
                self._sasl.answer(engine, event.data)
            elif kind in ("response_error", "protocol_error"):
                logger.warning("imap_core: %s", event.data)

    def _take_unsolicited(self) -> List[Any]:
        news, self._unsolicited = self._unsolicited, []
        return news

    # ----------------------------------------------------- authentication

    def starttls(self, ssl_context: Optional[ssl_lib.SSLContext] = None) -> bytes:
        """STARTTLS, then TLS verified by *ssl_context* (default context if
        ``None``)."""
        if self.ssl or self._engine.state != "not_authenticated":
            raise IMAPClientAbortError("TLS session already established")
        self._starttls_context = ssl_context
        result = self._run(self._engine.starttls())
        self.ssl = True
        return result

    _starttls_context: Optional[ssl_lib.SSLContext] = None

    def login(self, username: str, password: str) -> bytes:
        """LOGIN; returns the server's text. Raises :class:`LoginError`."""
        return self._run(self._engine.login(username, password))

    def plain_login(self, identity: str, password: str, authorization_identity: Optional[str] = None) -> bytes:
        """AUTHENTICATE PLAIN."""
        return self._run(self._engine.plain_login(identity, password, authorization_identity))

    def oauth2_login(self, user: str, access_token: str, mech: str = "XOAUTH2", vendor: Optional[str] = None) -> bytes:
        """AUTHENTICATE XOAUTH2."""
        return self._run(self._engine.oauth2_login(user, access_token, mech, vendor))

    def oauthbearer_login(self, identity: str, access_token: str) -> List[bytes]:
        """AUTHENTICATE OAUTHBEARER (RFC 7628) with a bearer token, as
        IMAPClient sends it (no host and port; ``authenticate`` sends
        them); returns ``[text]``."""
        return self._run(self._engine.oauthbearer_login(identity, access_token))

    def sasl_login(self, mech_name: str, mech_callable: Callable[[bytes], Any]) -> bytes:
        """AUTHENTICATE *mech_name*, whose challenges *mech_callable*
        answers (IMAPClient's): it is called with each challenge (bytes,
        ``b""`` first for a client-first mechanism such as PLAIN) and
        returns the response (bytes or str), or ``None`` to cancel. Returns
        the server's text; a refusal raises :class:`LoginError`. An
        exception in *mech_callable* cancels the exchange and is raised
        once the server answered the cancellation."""
        exchange = _SaslExchange(mech_callable)
        self._sasl = exchange
        try:
            return exchange.result(lambda: self._run(self._engine.sasl_login(mech_name)))
        finally:
            self._sasl = None

    def authenticate(
        self,
        mechanism: str,
        username: str,
        password: str,
        *,
        authorization_identity: Optional[str] = None,
        nonce: Optional[str] = None,
    ) -> bytes:
        """AUTHENTICATE with one of imap_core's own mechanisms (not in
        IMAPClient): ``"PLAIN"``, ``"LOGIN"``, ``"CRAM-MD5"``,
        ``"SCRAM-SHA-1"``, ``"SCRAM-SHA-256"`` (the server's signature is
        verified), ``"XOAUTH2"`` or ``"OAUTHBEARER"`` (*password* is then
        the access token; host and port are this connection's). SCRAM's
        nonce comes from the operating system; *nonce* is for tests that
        replay a known exchange. Returns the server's text; a refusal
        raises :class:`LoginError`."""
        where = {"host": self.host, "port": self.port} if mechanism.upper() == "OAUTHBEARER" else {}
        return self._run(
            self._engine.authenticate(
                mechanism, username, password, authorization_identity=authorization_identity, nonce=nonce, **where
            )
        )

    def logout(self) -> bytes:
        """LOGOUT, then closes the connection."""
        try:
            return self._run(self._engine.logout())
        finally:
            self._close_socket()

    def shutdown(self) -> None:
        """Closes the connection without LOGOUT."""
        self._engine.disconnect()
        self._close_socket()

    def _close_socket(self) -> None:
        self._log.drain()
        try:
            self._sock.close()
        except OSError:
            pass

    # -------------------------------------------------------- information

    def capabilities(self) -> Tuple[bytes, ...]:
        """The server's capabilities (upper-case bytes)."""
        if self._engine.capabilities_known:
            return self._engine.server_capabilities()
        return self._run(self._engine.capability())

    def has_capability(self, capability: Any) -> bool:
        """Whether the server announces *capability*."""
        return self._engine.has_capability(capability)

    def enable(self, *capabilities: Any) -> List[bytes]:
        """ENABLE; the list of what the server enabled."""
        if self._engine.state != "authenticated":
            from .exceptions import IllegalStateError

            raise IllegalStateError(f"ENABLE command illegal in state {self._engine.state}")
        return self._run(self._engine.enable(*capabilities))

    def enable_utf8_accept(self) -> bool:
        """ENABLE UTF8=ACCEPT (RFC 6855), after login and before selecting
        a folder: from then on folder names travel as UTF-8 instead of
        modified UTF-7 (the names given and returned stay ``str``). Returns
        whether the server enabled it. IMAPClient's way,
        ``enable("UTF8=ACCEPT")``, does the same."""
        return self._run(self._engine.enable_utf8_accept())

    def id_(self, parameters: Optional[Dict[str, str]] = None) -> Any:
        """ID: what the server says about itself."""
        if parameters is not None and not isinstance(parameters, dict):
            raise TypeError("'parameters' should be a dictionary")
        return self._run(self._engine.id_(parameters))

    def namespace(self) -> Any:
        """NAMESPACE: ``Namespace(personal, other, shared)``."""
        return self._run(self._engine.namespace())

    def noop(self) -> Tuple[bytes, List[Any]]:
        """NOOP: the server's text and the untagged responses it sent."""
        self._take_unsolicited()
        text = self._run(self._engine.noop())
        return text, self._take_unsolicited()

    def check(self) -> bytes:
        """CHECK (not in IMAPClient): a checkpoint of the selected folder
        (RFC 3501; IMAP4rev2 dropped it); the server's text."""
        return self._run(self._engine.check())

    # ------------------------------------------------------------ folders

    def list_folders(self, directory: str = "", pattern: str = "*") -> List[Tuple[Tuple[bytes, ...], Optional[bytes], Any]]:
        """LIST: ``[(flags, delimiter, name)]``."""
        return self._run(self._engine.list_folders(directory, pattern))

    def list_sub_folders(self, directory: str = "", pattern: str = "*") -> List[Tuple[Tuple[bytes, ...], Optional[bytes], Any]]:
        """LSUB: ``[(flags, delimiter, name)]``."""
        return self._run(self._engine.list_sub_folders(directory, pattern))

    def find_special_folder(self, folder_flag: bytes) -> Optional[str]:
        """The folder with a special-use role (``imap_core.SENT``...), by
        SPECIAL-USE or common names; ``None`` if there is none."""
        return self._run(self._engine.find_special_folder(folder_flag))

    def select_folder(self, folder: Any, readonly: bool = False) -> Dict[bytes, Any]:
        """SELECT (EXAMINE with *readonly*): the folder's state.

        While the folder is read-only (*readonly*, or the server said so),
        STORE, EXPUNGE and MOVE raise :class:`IMAPClientReadOnlyError`
        without sending anything. A SELECT the server answers read-only
        raises it too, as IMAPClient (imaplib) does; the folder is selected
        all the same."""
        return self._run(self._engine.select_folder(folder, readonly))

    def unselect_folder(self) -> bytes:
        """UNSELECT."""
        return self._run(self._engine.unselect_folder())

    def close_folder(self) -> bytes:
        """CLOSE."""
        return self._run(self._engine.close_folder())

    def folder_status(self, folder: Any, what: Any = None) -> Dict[bytes, int]:
        """STATUS."""
        return self._run(self._engine.folder_status(folder, what))

    def create_folder(self, folder: Any) -> bytes:
        """CREATE."""
        return self._run(self._engine.create_folder(folder))

    def rename_folder(self, old_name: Any, new_name: Any) -> bytes:
        """RENAME."""
        return self._run(self._engine.rename_folder(old_name, new_name))

    def delete_folder(self, folder: Any) -> bytes:
        """DELETE."""
        return self._run(self._engine.delete_folder(folder))

    def folder_exists(self, folder: Any) -> bool:
        """Whether *folder* exists."""
        return self._run(self._engine.folder_exists(folder))

    def subscribe_folder(self, folder: Any) -> bytes:
        """SUBSCRIBE."""
        return self._run(self._engine.subscribe_folder(folder))

    def unsubscribe_folder(self, folder: Any) -> bytes:
        """UNSUBSCRIBE."""
        return self._run(self._engine.unsubscribe_folder(folder))

    # ----------------------------------------------------------- messages

    def search(self, criteria: Any = "ALL", charset: Optional[str] = None) -> Any:
        """SEARCH: a ``SearchIds`` list."""
        return self._run(self._engine.search(criteria, charset))

    def esearch(self, criteria: Any = "ALL", returns: Any = ("ALL",), charset: Optional[str] = None) -> Any:
        """SEARCH RETURN (ESEARCH, RFC 4731; not in IMAPClient): *returns*
        names what to return of the matches, any of ``"MIN"``, ``"MAX"``,
        ``"COUNT"``, ``"ALL"``, ``"SAVE"``, without a number per match on
        the wire. Returns an :class:`~imap_core.response_types.ESearch`
        (``uid``, ``min``, ``max``, ``count``, ``all``, ``modseq``); ``all``
        is a sequence-set string (``"4:9,17"``) that :meth:`fetch` takes."""
        return self._run(self._engine.esearch(criteria, returns, charset))

    def gmail_search(self, query: Any, charset: str = "UTF-8") -> Any:
        """SEARCH X-GM-RAW (Gmail)."""
        return self._run(self._engine.gmail_search(query, charset))

    def sort(self, sort_criteria: Any, criteria: Any = "ALL", charset: str = "UTF-8") -> List[int]:
        """SORT."""
        return self._run(self._engine.sort(sort_criteria, criteria, charset))

    def thread(self, algorithm: str = "REFERENCES", criteria: Any = "ALL", charset: str = "UTF-8") -> Any:
        """THREAD."""
        return self._run(self._engine.thread(algorithm, criteria, charset))

    def fetch(self, messages: Any, data: Any, modifiers: Any = None) -> Dict[int, Dict[bytes, Any]]:
        """FETCH: ``{msgid: {b"SEQ": n, b"FLAGS": (...), ...}}``."""
        if not messages:
            return {}
        return self._run(self._engine.fetch(messages, data, modifiers))

    def fetch_stream(self, messages: Any, data: Any) -> "_FetchStream":
        """A streaming FETCH (not in IMAPClient): an iterator of
        ``(msgid, {b"SEQ": n, item: value})`` in arrival order, each message
        read as it is taken, so a large answer never sits in memory whole.
        Leaving the loop early (``break``, an exception, ``close()``, the
        end of a ``with`` block) gives up on the rest: it is read and
        dropped, and the session goes on::

            for uid, data in client.fetch_stream(uids, ["BODY.PEEK[]"]):
                if handle(uid, data[b"BODY[]"]):
                    break
        """
        return _FetchStream(self, self._engine.fetch_stream(messages, data))

    def get_flags(self, messages: Any) -> Dict[int, Tuple[bytes, ...]]:
        """``{msgid: flags}``."""
        return self._run(self._engine.get_flags(messages))

    def add_flags(self, messages: Any, flags: Any, silent: bool = False) -> Optional[Dict[int, Tuple[bytes, ...]]]:
        """STORE +FLAGS; the new flags, or ``None`` with *silent*."""
        if not messages:
            return {}
        return self._run(self._engine.add_flags(messages, flags, silent))

    def remove_flags(self, messages: Any, flags: Any, silent: bool = False) -> Optional[Dict[int, Tuple[bytes, ...]]]:
        """STORE -FLAGS."""
        if not messages:
            return {}
        return self._run(self._engine.remove_flags(messages, flags, silent))

    def set_flags(self, messages: Any, flags: Any, silent: bool = False) -> Optional[Dict[int, Tuple[bytes, ...]]]:
        """STORE FLAGS."""
        if not messages:
            return {}
        return self._run(self._engine.set_flags(messages, flags, silent))

    def get_gmail_labels(self, messages: Any) -> Dict[int, List[str]]:
        """The Gmail labels of each message: ``{msgid: [label, ...]}``
        (X-GM-LABELS; Gmail and servers with X-GM-EXT-1)."""
        if not messages:
            return {}
        return self._run(self._engine.get_gmail_labels(messages))

    def add_gmail_labels(self, messages: Any, labels: Any, silent: bool = False) -> Optional[Dict[int, List[str]]]:
        """Adds *labels* (a string or a sequence) to *messages*; their
        labels afterwards (see :meth:`get_gmail_labels`), or ``None`` with
        *silent*. Without X-GM-EXT-1 raises :class:`CapabilityError`,
        nothing sent."""
        if not messages:
            return None
        return self._run(self._engine.add_gmail_labels(messages, labels, silent))

    def remove_gmail_labels(self, messages: Any, labels: Any, silent: bool = False) -> Optional[Dict[int, List[str]]]:
        """Removes *labels* from *messages* (see :meth:`add_gmail_labels`)."""
        if not messages:
            return None
        return self._run(self._engine.remove_gmail_labels(messages, labels, silent))

    def set_gmail_labels(self, messages: Any, labels: Any, silent: bool = False) -> Optional[Dict[int, List[str]]]:
        """Replaces the labels of *messages* (see :meth:`add_gmail_labels`)."""
        if not messages:
            return None
        return self._run(self._engine.set_gmail_labels(messages, labels, silent))

    def delete_messages(self, messages: Any, silent: bool = False) -> Optional[Dict[int, Tuple[bytes, ...]]]:
        """Marks messages ``\\Deleted``."""
        return self._run(self._engine.delete_messages(messages, silent))

    def undelete_messages(self, messages: Any, silent: bool = False) -> Optional[Dict[int, Tuple[bytes, ...]]]:
        """Clears ``\\Deleted``."""
        return self._run(self._engine.undelete_messages(messages, silent))

    def append(self, folder: Any, msg: Any, flags: Any = (), msg_time: Any = None) -> bytes:
        """APPEND; the server's text (with APPENDUID)."""
        return self._run(self._engine.append(folder, msg, flags, msg_time))

    def multiappend(self, folder: Any, msgs: Any) -> bytes:
        """MULTIAPPEND (pipelined APPENDs without it)."""
        return self._run(self._engine.multiappend(folder, msgs))

    def copy(self, messages: Any, folder: Any) -> bytes:
        """COPY; the server's text (with COPYUID)."""
        return self._run(self._engine.copy(messages, folder))

    def move(self, messages: Any, folder: Any) -> bytes:
        """MOVE (COPY + STORE + UID EXPUNGE without it)."""
        return self._run(self._engine.move(messages, folder))

    def expunge(self, messages: Any = None) -> Any:
        """EXPUNGE: ``(text, [(n, b"EXPUNGE"), ...])``; with *messages*,
        UID EXPUNGE of those."""
        if messages:
            return self._run(self._engine.expunge(messages))
        # IMAPClient returns every untagged response the command brought.
        self._take_unsolicited()
        text, expunged = self._run(self._engine.expunge(None))
        return text, expunged + self._take_unsolicited()

    def uid_expunge(self, messages: Any) -> Any:
        """UID EXPUNGE."""
        return self._run(self._engine.uid_expunge(messages))

    def getacl(self, folder: Any) -> List[Tuple[bytes, bytes]]:
        """GETACL."""
        return self._run(self._engine.getacl(folder))

    def setacl(self, folder: Any, who: Any, what: Any) -> bytes:
        """SETACL (DELETEACL for an empty *what*)."""
        return self._run(self._engine.setacl(folder, who, what))

    def get_quota_root(self, mailbox: Any) -> Any:
        """GETQUOTAROOT: ``(MailboxQuotaRoots, [Quota])``."""
        roots, quotas = self._run(self._engine.get_quota_root(mailbox))
        return roots._replace(mailbox=mailbox), quotas

    def get_quota(self, mailbox: Any = "INBOX") -> Any:
        """The quotas of *mailbox*: ``[Quota]``."""
        return self._run(self._engine.get_quota(mailbox))

    # --------------------------------------------------------------- IDLE

    def idle(self) -> None:
        """Starts IDLE; returns once the server accepted it."""
        self._take_unsolicited()
        self._idle_id = self._engine.idle()
        engine = self._engine
        idle_id = self._idle_id
        self._wait(lambda: engine.is_idling or engine.is_ready(idle_id))
        if not engine.is_idling:
            self._idle_id = None
            self._engine.take(idle_id)
            raise IMAPClientError("the server did not accept IDLE")

    def idle_check(self, timeout: Optional[float] = None) -> List[Any]:
        """Waits up to *timeout* seconds (forever if ``None``) for news in
        IDLE; returns what arrived (IMAPClient's tuples)."""
        if not self._unsolicited:
            self._wait(lambda: bool(self._unsolicited), timeout)
        # What else arrived in the same read is returned together.
        return self._take_unsolicited()

    def idle_done(self) -> Tuple[bytes, List[Any]]:
        """Ends IDLE: the server's text and the responses not yet returned."""
        if self._idle_id is None:
            raise IMAPClientError("IDLE is not running")
        idle_id, self._idle_id = self._idle_id, None
        if self._engine.is_idling:
            self._engine.idle_done()
        text = self._run(idle_id)
        return text, self._take_unsolicited()


class _SaslExchange:
    """The application's answerer of one AUTHENTICATE (``sasl_login``): each
    challenge goes to the callable and its answer to the engine; an
    exception in the callable cancels the exchange and is raised in place
    of the server's refusal of the cancellation."""

    def __init__(self, answer: Callable[[bytes], Any]) -> None:
        self.answer_with = answer
        self.error: Optional[BaseException] = None

    def answer(self, engine: Engine, challenge: bytes) -> None:
        if self.error is None:
            try:
                engine.sasl_respond(self.answer_with(challenge))
                return
            except Exception as e:  # the callable's, or an answer not bytes or str
                self.error = e
        engine.sasl_respond(None)

    def result(self, run: Callable[[], Any]) -> Any:
        try:
            result = run()
        except IMAPClientError:
            if self.error is not None:
                raise self.error from None
            raise
        return result


class _FetchStream:
    """:meth:`IMAPClient.fetch_stream`'s iterator."""

    def __init__(self, client: IMAPClient, request_id: int) -> None:
        self._client = client
        self._id: Optional[int] = request_id

    def __iter__(self) -> Iterator[Tuple[int, Dict[bytes, Any]]]:
        return self

    def __next__(self) -> Tuple[int, Dict[bytes, Any]]:
        request_id = self._id
        if request_id is None:
            raise StopIteration
        engine = self._client._engine
        try:
            while True:
                self._client._wait(lambda: engine.is_ready(request_id))
                item = engine.take_fetched(request_id)
                if item is not None:
                    return item
                # Only data of other messages waited (skipped): read on.
                # Else no message waits: the FETCH is over (a NO, a BAD
                # or the connection's end raise here).
                if engine.is_ready(request_id):
                    break
            self._id = None
            engine.take(request_id)
        except BaseException:
            self.close()
            raise
        raise StopIteration

    def close(self) -> None:
        """Gives up on the messages not yet taken."""
        request_id, self._id = self._id, None
        if request_id is not None:
            self._client._engine.abandon(request_id)

    def __enter__(self) -> "_FetchStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass
