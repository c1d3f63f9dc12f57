"""Layer 2: an asyncio client over the Rust engine.

The coroutine methods have IMAPClient's names, arguments and return shapes
(those of :class:`imap_core.IMAPClient`). Any number of coroutines may run
commands at once over one connection: the engine pipelines what it may and
routes each result to its caller. Cancelling a waiting coroutine (a
timeout, ``asyncio.wait_for``, a task's ``cancel()``) abandons its request:
it still completes on the wire, its data is dropped, the session stays
correct::

    import asyncio, imap_core.aio

    async def main():
        async with await imap_core.aio.connect("imap.example.org") as imap:
            await imap.login("alice", "secret")
            await imap.select_folder("INBOX")
            uids = await imap.search(["UNSEEN"])
            flags, meta = await asyncio.gather(
                imap.get_flags(uids), imap.fetch(uids, ["ENVELOPE"]))

    asyncio.run(main())

This module only moves bytes, wakes waiters and arms the engine's timer.
"""

import asyncio
import socket
import ssl as ssl_lib
import weakref
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from . import _log
from ._core import Engine
from .client import _rearm_quickack, _SaslExchange
from .exceptions import IMAPClientAbortError, IMAPClientError, UnsupportedError

__all__ = ["connect", "AsyncIMAPClient"]


async def connect(
    host: str,
    port: Optional[int] = None,
    *,
    security: str = "tls",
    ca_file: Optional[str] = None,
    ssl_context: Optional[ssl_lib.SSLContext] = None,
    timeout: Optional[float] = None,
    insecure_skip_verify: bool = False,
    use_uid: bool = True,
    auto_idle: Optional[float] = None,
    utf8_accept: bool = False,
    quickack: bool = True,
) -> "AsyncIMAPClient":
    """Connects and waits for the greeting (and STARTTLS).

    *security* is ``"tls"`` (implicit TLS, port 993), ``"starttls"`` (port
    143, then STARTTLS) or ``"plain"`` (port 143, no TLS). Certificates are
    verified with *ssl_context*, else a default context trusting the system
    CAs or *ca_file*; ``insecure_skip_verify=True`` turns verification off
    (test servers only). *timeout* bounds the connection and, afterwards,
    how long the server may stay silent while a command waits. *auto_idle*
    starts IDLE after that many seconds of quiet in a selected folder
    (news then arrives through :meth:`AsyncIMAPClient.unsolicited`).
    *utf8_accept* sends ``ENABLE UTF8=ACCEPT`` (RFC 6855) right after the
    login when the server offers it (the login completes after it): folder
    names then travel as UTF-8 instead of modified UTF-7. *quickack*
    re-arms TCP_QUICKACK after every read (Linux), so a server that leaves
    Nagle on never waits for a delayed ACK (up to 40 ms a response); off is
    for measuring the difference.

    The protocol is logged at DEBUG to the logger ``imap_core.protocol``
    while it is enabled for DEBUG (``C: ...`` sent, ``S: ...`` received,
    redacted).
    """
    if security not in ("tls", "starttls", "plain"):
        raise ValueError(f"security must be 'tls', 'starttls' or 'plain', not {security!r}")
    if port is None:
        port = 993 if security == "tls" else 143
    context = None
    if security != "plain":
        context = ssl_context or _default_context(ca_file, insecure_skip_verify)
    loop = asyncio.get_running_loop()
    client = AsyncIMAPClient(host, use_uid=use_uid, timeout=timeout, auto_idle=auto_idle, utf8_accept=utf8_accept)
    client._context = context
    client._quickack = quickack
    client.port = port
    connecting = loop.create_connection(
        lambda: _Protocol(client),
        host,
        port,
        ssl=context if security == "tls" else None,
        server_hostname=host if security == "tls" else None,
    )
    await asyncio.wait_for(connecting, timeout)
    try:
        await asyncio.wait_for(client._greeted(), timeout)
        if security == "starttls":
            await client.starttls(context)
    except BaseException:
        client.shutdown()
        raise
    return client


def _default_context(ca_file: Optional[str], insecure: bool) -> ssl_lib.SSLContext:
    context = ssl_lib.create_default_context(cafile=ca_file)
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl_lib.CERT_NONE
    return context


class _Protocol(asyncio.Protocol):
    def __init__(self, client: "AsyncIMAPClient") -> None:
        self.client = client
        # The TCP socket (under TLS too, and across STARTTLS) while
        # TCP_QUICKACK is to be re-armed after every read.
        self._sock: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.client._transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:  # asyncio's own loop sets it already; other loops may not
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not TCP
                pass
            if self.client._quickack:
                self._sock = sock
                _rearm_quickack(sock)
        self.client._pump()

    def data_received(self, data: bytes) -> None:
        if self._sock is not None:
            # Before the engine's work: the ACK a Nagle-on server waits for goes out now.
            _rearm_quickack(self._sock)
        self.client._engine.feed(data)
        self.client._pump()

    def eof_received(self) -> bool:
        self.client._engine.feed_eof()
        self.client._pump()
        return False

    def connection_lost(self, exc: Optional[Exception]) -> None:
        engine = self.client._engine
        if exc is not None:
            engine.transport_error(str(exc))
        else:
            engine.feed_eof()
        self.client._pump()


# Methods that are one request each: the engine method of the same name,
# awaited. Their docs are IMAPClient's (see imap_core.IMAPClient).
_SIMPLE = [
    "login", "plain_login", "oauth2_login", "capability", "enable", "id_", "namespace",
    "list_folders", "list_sub_folders", "find_special_folder", "select_folder",
    "unselect_folder", "close_folder", "folder_status", "create_folder", "rename_folder",
    "delete_folder", "folder_exists", "subscribe_folder", "unsubscribe_folder", "search",
    "gmail_search", "sort", "thread", "get_flags", "add_flags", "remove_flags", "set_flags",
    "delete_messages", "undelete_messages", "append", "multiappend", "copy", "move",
    "uid_expunge", "getacl", "setacl", "get_quota_root", "get_quota", "compress",
    "get_gmail_labels", "add_gmail_labels", "remove_gmail_labels", "set_gmail_labels",
    "enable_utf8_accept", "oauthbearer_login", "check", "esearch",
]


class AsyncIMAPClient:
    """An IMAP session on asyncio; make one with :func:`connect`."""

    def __init__(
        self,
        host: str,
        *,
        use_uid: bool = True,
        timeout: Optional[float] = None,
        auto_idle: Optional[float] = None,
        utf8_accept: bool = False,
    ) -> None:
        self.host = host
        self.port: Optional[int] = None
        logging_protocol = _log.wanted()
        self._engine = Engine(
            use_uid=use_uid,
            response_timeout=timeout,
            auto_idle=auto_idle,
            utf8_accept=utf8_accept,
            protocol_log=logging_protocol,
        )
        self._log = _log.ProtocolLog(self._engine, logging_protocol)
        self._loop = asyncio.get_running_loop()
        self._engine.handle_timeout(self._loop.time())
        self._transport: Optional[asyncio.Transport] = None
        self._context: Optional[ssl_lib.SSLContext] = None
        self._quickack = True
        self._waiters: Dict[int, "asyncio.Future[Any]"] = {}
        self._news: Deque[Any] = deque(maxlen=10000)
        self._news_event = asyncio.Event()
        self._state_event = asyncio.Event()
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at: Optional[float] = None
        self._paused = False
        self._idle_id: Optional[int] = None
        self._idle_future: Optional["asyncio.Future[Any]"] = None
        self._switching = False
        self._sasl: Optional[_SaslExchange] = None
        # Streams by request id, weakly: a stream nobody holds any more is
        # gone, and its __del__ has abandoned its FETCH.
        self._streams: "weakref.WeakValueDictionary[int, _FetchStream]" = weakref.WeakValueDictionary()

    # ---------------------------------------------------------- attributes

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
        return self._engine.welcome

    @property
    def engine(self) -> Engine:
        """The engine (state, capabilities, selected mailbox, trace)."""
        return self._engine

    def set_auto_idle(self, delay: Optional[float]) -> None:
        """Automatic IDLE after *delay* seconds of quiet; ``None``: off."""
        self._engine.set_auto_idle(delay)
        self._pump()

    async def __aenter__(self) -> "AsyncIMAPClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self.logout()
        except Exception:
            self.shutdown()

    def __getattr__(self, name: str) -> Any:
        if name in _SIMPLE:
            engine_method = getattr(self._engine, name)

            async def call(*args: Any, **kwargs: Any) -> Any:
                return await self._run(engine_method(*args, **kwargs))

            call.__name__ = name
            return call
        from .client import UNSUPPORTED

        if name in UNSUPPORTED:
            raise UnsupportedError(f"{name} is not supported by imap_core: {UNSUPPORTED[name]}")
        raise AttributeError(name)

    # -------------------------------------------------------------- driver

    async def _run(self, request_id: int) -> Any:
        future = self._loop.create_future()
        self._waiters[request_id] = future
        self._pump()
        try:
            return await future
        except asyncio.CancelledError:
            # IMAP cannot cancel: the command completes on the wire and its
            # data is dropped; later commands are not disturbed.
            if self._waiters.pop(request_id, None) is not None:
                self._engine.abandon(request_id)
                self._pump()
            raise

    async def _greeted(self) -> None:
        engine = self._engine
        while engine.state == "greeting" or not engine.capabilities_known:
            if engine.is_closed:
                raise IMAPClientAbortError(engine.connection_error or "the connection is closed")
            self._state_event.clear()
            await self._state_event.wait()

    def _pump(self) -> None:
        """Write, deliver events, tick, arm the timer: until nothing moves."""
        engine = self._engine
        for _ in range(1000):
            # A tick may end the session or queue bytes: each round ticks,
            # then writes and delivers, until a round moves nothing.
            engine.handle_timeout(self._loop.time())
            moved = False
            if not self._switching and self._transport is not None:
                out = engine.take_transmit()
                if out is not None:
                    self._transport.write(out)
                    moved = True
            self._log.drain()
            while True:
                event = engine.poll_event()
                if event is None:
                    break
                moved = True
                self._deliver(event)
            if not moved:
                break
        self._state_event.set()
        self._arm_timer()
        if self._transport is not None and not self._switching:
            wants = engine.wants_read
            if wants and self._paused:
                self._transport.resume_reading()
                self._paused = False
            elif not wants and not self._paused and not engine.is_closed:
                self._transport.pause_reading()
                self._paused = True

    def _deliver(self, event: Any) -> None:
        kind = event.kind
        stream = self._streams.get(event.id) if kind in ("ready", "fetched") else None
        if stream is not None:
            stream._wakeup.set()
        elif kind == "ready":
            future = self._waiters.pop(event.id, None)
            try:
                result = self._engine.take(event.id)
            except Exception as e:  # a NO, a BAD, the connection's end
                if future is not None and not future.done():
                    future.set_exception(e)
            else:
                if future is not None and not future.done():
                    future.set_result(result)
        elif kind == "unsolicited":
            self._news.append(event.data)
            self._news_event.set()
        elif kind == "sasl_challenge" and self._sasl is not None:
            self._sasl.answer(self._engine, event.data)
        elif kind == "starttls":
            self._switching = True
            self._loop.create_task(self._start_tls())
        elif kind == "connection_lost":
            self._news_event.set()
            for stream in list(self._streams.values()):
                stream._wakeup.set()
            if self._transport is not None:
                self._transport.close()

    async def _start_tls(self) -> None:
        context = self._context or ssl_lib.create_default_context()
        try:
            self._transport = await self._loop.start_tls(
                self._transport, self._transport.get_protocol(), context, server_hostname=self.host
            )
        except Exception as e:
            self._engine.transport_error(str(e))
            self._switching = False
            self._pump()
            return
        self._switching = False
        self._engine.handle_switched()
        self._pump()

    def _arm_timer(self) -> None:
        due = self._engine.poll_timeout()
        if due == self._timer_at:
            return
        if due is not None and self._timer is not None and self._timer_at is not None and due > self._timer_at:
            # Only ever moved earlier: the response timeout's deadline moves
            # on with every response, and a new loop timer per command costs.
            # One that fires early pumps, and the later deadline is armed then.
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = due
        if due is not None:
            self._timer = self._loop.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        self._pump()

    def _take_news(self) -> List[Any]:
        news = list(self._news)
        self._news.clear()
        self._news_event.clear()
        return news

    # ---------------------------------------- methods with more than a call

    async def starttls(self, ssl_context: Optional[ssl_lib.SSLContext] = None) -> bytes:
        """STARTTLS, then TLS with *ssl_context* (default: verified)."""
        if ssl_context is not None:
            self._context = ssl_context
        return await self._run(self._engine.starttls())

    async def sasl_login(self, mech_name: str, mech_callable: Callable[[bytes], Any]) -> bytes:
        """AUTHENTICATE *mech_name*, whose challenges *mech_callable* (a
        plain function) answers: see :meth:`imap_core.IMAPClient.sasl_login`."""
        exchange = _SaslExchange(mech_callable)
        self._sasl = exchange
        try:
            try:
                return await self._run(self._engine.sasl_login(mech_name))
            except IMAPClientError:
                if exchange.error is not None:
                    raise exchange.error from None
                raise
        finally:
            self._sasl = None

    async def authenticate(
        self,
        mechanism: str,
        username: str,
        password: str,
        *,
        authorization_identity: Optional[str] = None,
        nonce: Optional[str] = None,
    ) -> bytes:
        """AUTHENTICATE with one of imap_core's own mechanisms (not in
        IMAPClient): see :meth:`imap_core.IMAPClient.authenticate`."""
        where = {"host": self.host, "port": self.port} if mechanism.upper() == "OAUTHBEARER" else {}
        request_id = self._engine.authenticate(
            mechanism, username, password, authorization_identity=authorization_identity, nonce=nonce, **where
        )
        return await self._run(request_id)

    async def logout(self) -> bytes:
        """LOGOUT, then closes the connection."""
        try:
            return await self._run(self._engine.logout())
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """Closes the connection without LOGOUT."""
        self._engine.disconnect()
        if self._transport is not None:
            self._transport.close()
        self._pump()

    async def capabilities(self) -> Any:
        """The server's capabilities (upper-case bytes)."""
        if self._engine.capabilities_known:
            return self._engine.server_capabilities()
        return await self._run(self._engine.capability())

    def has_capability(self, capability: Any) -> bool:
        return self._engine.has_capability(capability)

    async def noop(self) -> Any:
        """NOOP: the server's text and the untagged responses since."""
        self._take_news()
        text = await self._run(self._engine.noop())
        return text, self._take_news()

    async def fetch(self, messages: Any, data: Any, modifiers: Any = None) -> Dict[int, Dict[bytes, Any]]:
        """FETCH: ``{msgid: {b"SEQ": n, b"FLAGS": (...), ...}}``."""
        if not messages:
            return {}
        return await self._run(self._engine.fetch(messages, data, modifiers))

    def fetch_stream(self, messages: Any, data: Any) -> "_FetchStream":
        """A streaming FETCH (not in IMAPClient): an async iterator of
        ``(msgid, {b"SEQ": n, item: value})`` in arrival order, each message
        read as it is taken, so a large answer never sits in memory whole.
        The FETCH is sent at once. Leaving the loop early (``break``, an
        exception, ``aclose()``, the end of an ``async with`` block, a
        cancelled wait) gives up on the rest: it is read and dropped, the
        session goes on::

            async for uid, data in imap.fetch_stream(uids, ["BODY.PEEK[]"]):
                if await handle(uid, data[b"BODY[]"]):
                    break
        """
        return _FetchStream(self, self._engine.fetch_stream(messages, data))

    async def expunge(self, messages: Any = None) -> Any:
        """EXPUNGE (see :meth:`imap_core.IMAPClient.expunge`)."""
        if messages:
            return await self._run(self._engine.expunge(messages))
        self._take_news()
        text, expunged = await self._run(self._engine.expunge(None))
        return text, expunged + self._take_news()

    async def idle(self) -> None:
        """Starts IDLE; returns once the server accepted it."""
        self._take_news()
        idle_id = self._engine.idle()
        self._idle_id = idle_id
        future = self._loop.create_future()
        self._waiters[idle_id] = future
        self._idle_future = future
        self._pump()
        while not self._engine.is_idling:
            if future.done():
                self._idle_id = None
                future.result()
                raise IMAPClientError("the server did not accept IDLE")
            self._state_event.clear()
            await self._state_event.wait()

    async def idle_check(self, timeout: Optional[float] = None) -> List[Any]:
        """Waits up to *timeout* seconds for news in IDLE; what arrived."""
        if not self._news:
            try:
                await asyncio.wait_for(self._news_event.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        return self._take_news()

    async def idle_done(self) -> Any:
        """Ends IDLE: the server's text and the responses not yet returned."""
        idle_id, self._idle_id = self._idle_id, None
        if idle_id is None:
            raise IMAPClientError("IDLE is not running")
        if self._engine.is_idling:
            self._engine.idle_done()
        self._pump()
        text = await self._idle_future
        return text, self._take_news()

    def idling(self, timeout: Optional[float] = None) -> "_IdleStream":
        """IDLE as an async iterator of news, ended (DONE) when the
        ``async with`` block is left::

            async with imap.idling() as news:
                async for response in news:
                    print(response)      # e.g. (5, b"EXISTS")
                    break

        With *timeout*, the iteration also ends after that many seconds
        without news.
        """
        return _IdleStream(self, timeout)

    async def unsolicited(self) -> Any:
        """News the server sends on its own (with automatic IDLE, as it
        arrives), as an async iterator of IMAPClient's tuples."""
        while True:
            while self._news:
                yield self._news.popleft()
            if self._engine.is_closed:
                return
            self._news_event.clear()
            await self._news_event.wait()


class _IdleStream:
    def __init__(self, client: AsyncIMAPClient, timeout: Optional[float]) -> None:
        self.client = client
        self.timeout = timeout

    async def __aenter__(self) -> "_IdleStream":
        await self.client.idle()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self.client._idle_id is not None and not self.client._engine.is_closed:
            await self.client.idle_done()

    def __aiter__(self) -> "_IdleStream":
        return self

    async def __anext__(self) -> Any:
        client = self.client
        if not client._news:
            try:
                await asyncio.wait_for(client._news_event.wait(), self.timeout)
            except asyncio.TimeoutError:
                raise StopAsyncIteration from None
        if not client._news:
            raise StopAsyncIteration
        item = client._news.popleft()
        if not client._news:
            client._news_event.clear()
        return item


class _FetchStream:
    """:meth:`AsyncIMAPClient.fetch_stream`'s async iterator."""

    def __init__(self, client: AsyncIMAPClient, request_id: int) -> None:
        self._client = client
        self._id: Optional[int] = request_id
        self._wakeup = asyncio.Event()
        client._streams[request_id] = self
        client._pump()

    def __aiter__(self) -> "_FetchStream":
        return self

    async def __anext__(self) -> Tuple[int, Dict[bytes, Any]]:
        client = self._client
        engine = client._engine
        try:
            while self._id is not None:
                request_id = self._id
                item = engine.take_fetched(request_id)
                if item is not None:
                    client._pump()  # taking it may let the engine read on
                    return item
                if engine.is_ready(request_id):
                    # No message waits: the FETCH is over (a NO, a BAD or
                    # the connection's end raise here).
                    self._id = None
                    engine.take(request_id)
                    break
                if engine.is_closed:
                    raise IMAPClientAbortError(engine.connection_error or "the connection is closed")
                self._wakeup.clear()
                await self._wakeup.wait()
        except BaseException:
            self.abandon()
            raise
        raise StopAsyncIteration

    def abandon(self) -> None:
        """Gives up on the messages not yet taken (at once; ``aclose`` is
        its coroutine form)."""
        if self._give_up():
            self._client._pump()

    async def aclose(self) -> None:
        self.abandon()

    async def __aenter__(self) -> "_FetchStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.abandon()

    def _give_up(self) -> bool:
        request_id, self._id = self._id, None
        if request_id is None:
            return False
        self._client._streams.pop(request_id, None)
        self._client._engine.abandon(request_id)
        return True

    def __del__(self) -> None:
        # The last reference went (a `break` out of `async for`): abandon
        # now, and let the loop write and read on as soon as it runs, not
        # from inside whatever code the collector interrupted.
        try:
            if self._give_up():
                self._client._loop.call_soon(self._client._pump)
        except Exception:  # pragma: no cover - the loop is closed
            pass
