"""The driver conformance suite (conformance/scenarios/*.imap) through
layer 1 (the sans-I/O Engine, driven here by a minimal socket loop) and
layer 2 (imap_core.aio), after conformance/src/flows.rs: the scripted
server checks every byte the client sends, these flows check the results.
"""

import asyncio
import os
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

import imap_core
import imap_core.aio

MESSAGE = b"Subject: draft\r\n\r\nbody"


# ------------------------------------------------------------ layer 1 loop


class Layer1Session:
    """The smallest driver of imap_core.Engine: a blocking socket loop in
    the engine's call order (write, events, read, tick). Methods are the
    engine's request methods, run to completion."""

    def __init__(self, port, security, ca_file, response_timeout):
        self.engine = imap_core.Engine(response_timeout=response_timeout)
        self.context = ssl.create_default_context(cafile=ca_file)
        sock = socket.create_connection(("127.0.0.1", port), 5)
        if security == "tls":
            sock = self.context.wrap_socket(sock, server_hostname="127.0.0.1")
        self.sock = sock
        self.news = []
        self.engine.handle_timeout(time.monotonic())
        self.wait(lambda: self.engine.state != "greeting" and self.engine.capabilities_known)
        if security == "starttls":
            self.run(self.engine.starttls())

    def wait(self, done, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done():
            if self.engine.is_closed:
                raise imap_core.IMAPClientAbortError(self.engine.connection_error)
            if deadline is not None and time.monotonic() >= deadline:
                return
            self.step(deadline)

    def step(self, deadline):
        engine = self.engine
        self.deliver()
        engine.handle_timeout(time.monotonic())
        self.deliver()
        if engine.is_closed:
            return
        now = time.monotonic()
        waits = [t - now for t in (engine.poll_timeout(), deadline) if t is not None]
        self.sock.settimeout(max(0.001, min(waits)) if waits else None)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            data = None
        if data:
            engine.feed(data)
        elif data is not None:
            engine.feed_eof()
        engine.handle_timeout(time.monotonic())
        self.deliver()

    def deliver(self):
        engine = self.engine
        while (out := engine.poll_transmit()) is not None:
            self.sock.sendall(out)
            engine.advance_transmit(len(out))
        while (event := engine.poll_event()) is not None:
            if event.kind == "unsolicited":
                self.news.append(event.data)
            elif event.kind == "starttls":
                self.sock = self.context.wrap_socket(self.sock, server_hostname="127.0.0.1")
                engine.handle_switched()

    def run(self, request_id):
        self.wait(lambda: self.engine.is_ready(request_id))
        return self.engine.take(request_id)

    def run_all(self, request_ids):
        results = []
        for rid in request_ids:
            try:
                results.append(self.run(rid))
            except Exception as e:
                results.append(e)
        return results

    def mailbox(self):
        return self.engine.mailbox()

    def capabilities(self):
        return self.engine.server_capabilities()

    def fetch_some(self, messages, data, n):
        """A streaming FETCH: the first *n* messages, then the rest
        abandoned."""
        rid = self.engine.fetch_stream(messages, data)
        taken = []
        while len(taken) < n:
            self.wait(lambda: self.engine.is_ready(rid))
            item = self.engine.take_fetched(rid)
            if item is not None:
                taken.append(item)
            elif self.engine.is_ready(rid):  # no message waits: the FETCH is over
                self.engine.take(rid)
                return taken
        self.engine.abandon(rid)
        return taken

    def idle_once(self, timeout):
        self.news.clear()
        rid = self.engine.idle()
        self.wait(lambda: self.engine.is_idling or self.engine.is_ready(rid))
        self.wait(lambda: bool(self.news), timeout)
        self.engine.idle_done()
        self.run(rid)
        return self.news

    def __getattr__(self, name):
        method = getattr(self.engine, name)
        return lambda *args, **kwargs: self.run(method(*args, **kwargs))

    def close(self):
        self.sock.close()


class Layer2Session:
    """imap_core.aio, each call run to completion on a private loop."""

    def __init__(self, port, security, ca_file, response_timeout):
        self.loop = asyncio.new_event_loop()
        self.client = self.loop.run_until_complete(
            imap_core.aio.connect("127.0.0.1", port, security=security, ca_file=ca_file, timeout=response_timeout)
        )

    def run_all(self, coroutines):
        async def all_():
            return await asyncio.gather(*coroutines, return_exceptions=True)

        return self.loop.run_until_complete(all_())

    def mailbox(self):
        return self.client.engine.mailbox()

    def capabilities(self):
        return self.client.engine.server_capabilities()

    def fetch_some(self, messages, data, n):
        """``async for`` over fetch_stream, left after *n* messages."""

        async def some():
            taken = []
            async for item in self.client.fetch_stream(messages, data):
                taken.append(item)
                if len(taken) == n:
                    break
            return taken

        return self.loop.run_until_complete(some())

    def idle_once(self, timeout):
        async def once():
            await self.client.idle()
            news = await self.client.idle_check(timeout)
            _, rest = await self.client.idle_done()
            return news + rest

        return self.loop.run_until_complete(once())

    def __getattr__(self, name):
        method = getattr(self.client, name)
        return lambda *args, **kwargs: self.loop.run_until_complete(method(*args, **kwargs))

    def close(self):
        self.client.shutdown()
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()


# ------------------------------------------------------------------ flows


def pipelining_requests(s):
    if isinstance(s, Layer1Session):
        return s.run_all([s.engine.folder_status("INBOX", ["MESSAGES"]), s.engine.list_folders("", "Archive")])
    return s.run_all([s.client.folder_status("INBOX", ["MESSAGES"]), s.client.list_folders("", "Archive")])


def flow(name, security="plain", response_timeout=3.0):
    def decorate(f):
        f.scenario = (name, security, response_timeout)
        return f

    return decorate


@flow("greeting_ok")
def greeting_ok(connect):
    s = connect()
    s.login("alice", "secret")
    s.logout()


@flow("greeting_without_capabilities")
def greeting_without_capabilities(connect):
    s = connect()
    s.login("alice", "secret")
    s.logout()


@flow("greeting_preauth")
def greeting_preauth(connect):
    s = connect()
    inbox = s.select_folder("INBOX", readonly=True)
    assert (inbox[b"EXISTS"], inbox[b"UIDVALIDITY"], b"READ-ONLY" in inbox) == (3, 42, True)
    s.logout()


@flow("greeting_bye")
def greeting_bye(connect):
    with pytest.raises(imap_core.IMAPClientAbortError, match="too many connections"):
        connect()


@flow("greeting_malformed")
def greeting_malformed(connect):
    started = time.monotonic()
    with pytest.raises(imap_core.IMAPClientAbortError, match="greeting cannot be decoded"):
        connect()
    assert time.monotonic() - started < 1


@flow("greeting_silent", response_timeout=0.3)
def greeting_silent(connect):
    started = time.monotonic()
    with pytest.raises((imap_core.IMAPClientAbortError, asyncio.TimeoutError), match="no response|^$"):
        connect()
    assert 0.3 <= time.monotonic() - started < 1.0


@flow("select_examine")
def select_examine(connect):
    s = connect()
    inbox = s.select_folder("INBOX")
    assert (inbox[b"EXISTS"], inbox[b"RECENT"], inbox[b"UNSEEN"]) == (172, 1, [b"12"])
    assert (inbox[b"UIDVALIDITY"], inbox[b"UIDNEXT"]) == (3857529045, 4392)
    assert inbox[b"PERMANENTFLAGS"] == (b"\\Deleted", b"\\Seen", b"\\*")
    assert inbox[b"READ-WRITE"] is True
    archive = s.select_folder("Archive", readonly=True)
    assert (archive[b"EXISTS"], archive[b"UIDVALIDITY"], b"READ-ONLY" in archive) == (17, 7, True)
    assert s.mailbox()[b"EXISTS"] == 17
    s.logout()


@flow("list_status")
def list_status(connect):
    s = connect()
    folders = s.list_folders("", "*")
    assert [f[2] for f in folders][:2] == ["INBOX", "Éléments envoyés"]
    assert b"\\Sent" in folders[1][0] and folders[1][1] == b"/"
    assert b"\\Noselect" in folders[2][0]
    status = s.folder_status("INBOX", ["MESSAGES", "UNSEEN", "UIDNEXT"])
    assert status == {b"MESSAGES": 231, b"UNSEEN": 3, b"UIDNEXT": 44292}
    s.logout()


@flow("search_esearch")
def search_esearch(connect):
    s = connect()
    s.select_folder("INBOX")
    assert s.search(["UNSEEN"]) == [4, 9, 17]
    e = s.esearch("ALL", ["MIN", "MAX", "COUNT"])
    assert e.uid is True
    assert (e.min, e.max, e.count, e.all) == (4, 99, 3, None)
    s.logout()


@flow("fetch_items")
def fetch_items(connect):
    s = connect()
    s.select_folder("INBOX")
    result = s.fetch([7], ["FLAGS", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[]"])
    data = result[7]
    assert data[b"SEQ"] == 1
    assert data[b"FLAGS"] == (b"\\Seen", b"$Forwarded")
    env = data[b"ENVELOPE"]
    assert env.subject == b"IMAP4rev1 WG mtg summary and minutes"
    assert (env.from_[0].mailbox, env.from_[0].host) == (b"gray", b"cac.washington.edu")
    assert len(env.cc) == 2 and env.message_id == b"<B27397-0100000@cac.washington.edu>"
    assert env.date.year == 1996
    body = data[b"BODYSTRUCTURE"]
    assert body.is_multipart and body[1] == b"ALTERNATIVE" and len(body[0]) == 2
    assert data[b"BODY[]"] == b"Subject: hi\r\n\r\nHello world\r\n"
    s.logout()


@flow("fetch_in_pieces")
def fetch_in_pieces(connect):
    s = connect()
    s.select_folder("INBOX")
    assert s.fetch([1], ["BODY.PEEK[]"])[1][b"BODY[]"] == b"Subject: in pieces\r\n\r\nok"
    s.logout()


@flow("store_copy_move_expunge")
def store_copy_move_expunge(connect):
    s = connect()
    s.select_folder("INBOX")
    assert s.add_flags([1, 2], [b"\\Flagged"]) == {1: (b"\\Seen", b"\\Flagged"), 2: (b"\\Flagged",)}
    assert s.copy([1, 2], "Archive") is None  # IMAPClient: UID COPY gives None
    assert s.move([3], "Trash") is None
    assert s.mailbox()[b"EXISTS"] == 3
    text, expunged = s.expunge()
    assert expunged[:1] == [(1, b"EXPUNGE")]
    assert s.mailbox()[b"EXISTS"] == 2
    s.logout()


@flow("append_appenduid")
def append_appenduid(connect):
    s = connect()
    assert b"APPENDUID 38505 3955" in s.append("Sent", MESSAGE, flags=[b"\\Seen"])
    s.logout()


@flow("append_refused")
def append_refused(connect):
    s = connect()
    with pytest.raises(imap_core.IMAPClientError, match="TryCreate|TRYCREATE"):
        s.append("Nope", MESSAGE)
    s.noop()
    s.logout()


@flow("namespace_id_quota")
def namespace_id_quota(connect):
    s = connect()
    ns = s.namespace()
    assert ns.personal == (("", "/"),) and ns.other == (("~", "/"),) and len(ns.shared) == 2
    assert s.id_({"name": "imap-conformance"}) == ((b"name", b"Dovecot", b"version", b"2.3"),)
    roots, quotas = s.get_quota_root("INBOX")
    assert roots.quota_roots == [""]
    assert (quotas[0].resource, quotas[0].usage, quotas[0].limit) == ("STORAGE", 10, 512)
    s.logout()


@flow("move_fallback")
def move_fallback(connect):
    s = connect()
    s.select_folder("INBOX")
    s.move([4], "Trash")
    assert s.mailbox()[b"EXISTS"] == 2
    s.logout()


@flow("no_and_bad")
def no_and_bad(connect):
    s = connect()
    s.select_folder("INBOX")
    with pytest.raises(imap_core.IMAPClientError, match=r"^server said NO \[TryCreate\]: Mailbox doesn't exist: Nope$"):
        s.copy([1], "Nope")
    s.create_folder("Nope")
    assert s.copy([1], "Nope") is None  # IMAPClient: UID COPY gives None, COPYUID unseen
    with pytest.raises(imap_core.IMAPClientError, match=r"^server said BAD \[ClientBug\]"):
        s.check()
    s.logout()


@flow("malformed_response")
def malformed_response(connect):
    s = connect()
    s.select_folder("INBOX")
    s.noop()
    assert s.mailbox()[b"EXISTS"] == 3
    s.logout()


@flow("pipelining")
def pipelining(connect):
    s = connect()
    status, listing = pipelining_requests(s)
    assert status == {b"MESSAGES": 3}
    assert [f[2] for f in listing] == ["Archive"]
    s.logout()


@flow("idle")
def idle(connect):
    s = connect()
    s.select_folder("INBOX")
    started = time.monotonic()
    news = s.idle_once(4)
    assert time.monotonic() - started < 1.5
    assert (4, b"EXISTS") in news
    assert s.mailbox()[b"EXISTS"] == 4
    s.logout()


@flow("idle_timeout")
def idle_timeout(connect):
    s = connect()
    s.select_folder("INBOX")
    started = time.monotonic()
    assert s.idle_once(0.3) == []
    assert 0.3 <= time.monotonic() - started < 0.9
    s.logout()


@flow("starttls", security="starttls")
def starttls(connect):
    s = connect()
    s.login("alice", "secret")
    s.logout()


@flow("starttls_injection", security="starttls")
def starttls_injection(connect):
    with pytest.raises(imap_core.IMAPClientAbortError, match="35 bytes arrived between the STARTTLS OK"):
        connect()


@flow("implicit_tls", security="tls")
def implicit_tls(connect):
    s = connect()
    s.login("alice", "secret")
    s.logout()


@flow("compress")
def compress(connect):
    s = connect()
    s.select_folder("INBOX")
    s.compress()
    s.noop()
    assert s.mailbox()[b"EXISTS"] == 3
    assert s.fetch([3], ["BODY.PEEK[]"])[3][b"BODY[]"] == b"Subject: squeezed\r\n\r\nthrough DEFLATE.\r\n"
    s.logout()


def authenticated(s, mechanism, *args, **kwargs):
    """AUTHENTICATE *mechanism* (the engine's own), checked as the Rust
    flows check it, and the capabilities of the tagged OK learnt."""
    assert s.capabilities() != (b"IMAP4REV1",)
    assert s.authenticate(mechanism, *args, **kwargs) == b"authenticated"
    assert s.capabilities() == (b"IMAP4REV1",)


@flow("sasl_login")
def sasl_login(connect):
    s = connect()
    authenticated(s, "LOGIN", "alice", "secret")
    s.logout()


@flow("sasl_plain_without_ir")
def sasl_plain_without_ir(connect):
    s = connect()
    authenticated(s, "PLAIN", "alice", "secret")
    s.logout()


@flow("sasl_scram")
def sasl_scram(connect):
    """RFC 5802's example: a fixed nonce makes it deterministic; the
    server's signature is verified."""
    s = connect()
    authenticated(s, "SCRAM-SHA-1", "user", "pencil", nonce="fyko+d2lbbFgONRv9qkxdawL")
    s.logout()


@flow("sasl_cram_md5")
def sasl_cram_md5(connect):
    s = connect()
    authenticated(s, "cram-md5", "tim", "tanstaaftanstaaf")
    s.logout()


@flow("fetch_stream_abandoned")
def fetch_stream_abandoned(connect):
    s = connect()
    s.select_folder("INBOX")
    started = time.monotonic()
    first = s.fetch_some([1, 2, 3], ["FLAGS"], 1)
    # The first message, before the server's pause of 200 ms: streamed.
    assert time.monotonic() - started < 0.2
    assert first == [(1, {b"SEQ": 1, b"FLAGS": (b"\\Seen",)})]
    assert s.search(["FLAGGED"]) == [3]
    s.logout()


@flow("close_mid_literal")
def close_mid_literal(connect):
    s = connect()
    s.select_folder("INBOX")
    with pytest.raises(imap_core.IMAPClientAbortError, match="in the middle of a response"):
        s.fetch([1], ["BODY.PEEK[]"])


@flow("server_bye")
def server_bye(connect):
    s = connect()
    with pytest.raises(imap_core.IMAPClientAbortError, match="shutting down for maintenance"):
        s.noop()


@flow("response_timeout", response_timeout=0.3)
def response_timeout(connect):
    s = connect()
    started = time.monotonic()
    with pytest.raises(imap_core.IMAPClientAbortError, match="no response from the server"):
        s.noop()
    assert 0.3 <= time.monotonic() - started < 0.6


FLOWS = [v for v in list(globals().values()) if hasattr(v, "scenario")]


def test_every_scenario_has_a_flow(scenarios_dir):
    """The suite is whole: each scenario of conformance/scenarios (the
    conformance crate's SCENARIOS) has one flow here, run by both layers."""
    scenarios = sorted(f[: -len(".imap")] for f in os.listdir(scenarios_dir) if f.endswith(".imap"))
    assert len(scenarios) >= 33
    assert sorted(f.scenario[0] for f in FLOWS) == scenarios


@pytest.mark.parametrize("layer", [Layer1Session, Layer2Session], ids=["layer1", "layer2"])
@pytest.mark.parametrize("flow_fn", FLOWS, ids=[f.scenario[0] for f in FLOWS])
def test_scenario(flow_fn, layer, conformance_bin, scenarios_dir):
    name, security, response_timeout = flow_fn.scenario
    with tempfile.TemporaryDirectory() as tmp:
        ca = os.path.join(tmp, "ca.pem")
        server = subprocess.Popen(
            [conformance_bin, "serve", os.path.join(scenarios_dir, f"{name}.imap"), "--ca-file", ca],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            port = int(server.stdout.readline())
            sessions = []

            def connect():
                s = layer(port, security, ca, response_timeout)
                sessions.append(s)
                return s

            flow_fn(connect)
            for s in sessions:
                s.close()
            _, err = server.communicate(timeout=20)
            assert server.returncode == 0, f"the scripted server failed {name}:\n{err.decode()}"
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
