"""Delayed ACK against a server that leaves Nagle on (Cyrus does).

Such a server writes a response's untagged lines, then its tagged line a
moment later as a small segment of its own, which Nagle holds until the
client acknowledges the first. Linux delays that ACK (up to 40 ms) once a
connection looks interactive, so a client that does not re-arm
TCP_QUICKACK after its reads waits ~40 ms for most such responses.

The server here (loopback, in a thread) measures what the bench's proxy
(bench/src/nagle_proxy.rs) measures: after writing each tagged line, how
long until its send queue is empty (SIOCOUTQ: bytes not yet acknowledged).
A client that acknowledges at once empties it within a millisecond or so;
without re-arming, most of the 20 NOOPs below are held ~40 ms. The
assertion allows one slow one (a loaded machine may delay the client's
read), so it is not flaky, yet fails without re-arming.
"""

import asyncio
import fcntl
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

import imap_core
import imap_core.aio

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(socket, "TCP_QUICKACK"),
    reason="TCP_QUICKACK and SIOCOUTQ are Linux's",
)

COMMANDS = 20
PAUSE = 0.003  # between a response's untagged lines and its tagged line
STALL = 0.030  # a hold this long is a delayed ACK (Linux: ~40 ms)
HOLD_LIMIT = 0.5


def _unacked(sock: socket.socket) -> int:
    """Bytes written to *sock* and not yet acknowledged (SIOCOUTQ)."""
    out = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
    return struct.unpack("i", out)[0]


class NagleServer:
    """One IMAP session on a loopback port, answered the way Cyrus does
    (Nagle on, each tagged line written on its own after a pause);
    ``holds`` gets how long each NOOP's tagged line waited for its ACK."""

    def __init__(self, context: "ssl.SSLContext | None" = None) -> None:
        self.context = context
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.holds = []
        self.error = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            self.listener.settimeout(30)
            raw, _ = self.listener.accept()
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)  # Nagle on
            raw.settimeout(30)
            # (wrap_socket takes raw's descriptor over: use conn from here on.)
            conn = self.context.wrap_socket(raw, server_side=True) if self.context else raw
            with conn:
                self._session(conn)
        except Exception as e:  # reported by close()
            self.error = e
        finally:
            self.listener.close()

    def _session(self, conn: socket.socket) -> None:
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
        buf = b""
        while True:
            while b"\r\n" not in buf:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
            line, buf = buf.split(b"\r\n", 1)
            tag, _, rest = line.partition(b" ")
            command = rest.split(b" ", 1)[0].upper()
            if command == b"NOOP":
                conn.sendall(b"* 1 EXISTS\r\n")
                time.sleep(PAUSE)
                conn.sendall(tag + b" OK NOOP completed\r\n")
                start = time.monotonic()
                while _unacked(conn) and time.monotonic() - start < HOLD_LIMIT:
                    time.sleep(0.0001)
                self.holds.append(time.monotonic() - start)
            elif command == b"CAPABILITY":
                conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
            elif command == b"LOGOUT":
                conn.sendall(b"* BYE bye\r\n" + tag + b" OK done\r\n")
                return
            else:
                conn.sendall(tag + b" OK done\r\n")

    def close(self) -> None:
        self.thread.join(30)
        if self.error is not None:
            raise self.error

    def stalls(self):
        assert len(self.holds) == COMMANDS, self.holds
        return [round(h * 1000, 1) for h in self.holds if h >= STALL]


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    """(server context, client context) with a fresh self-signed certificate
    for 127.0.0.1 (the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    d = tmp_path_factory.mktemp("cert")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(cert), str(key))
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def _blocking_noops(server: NagleServer, client_context, **options) -> None:
    client = imap_core.IMAPClient(
        "127.0.0.1", server.port, ssl=client_context is not None, ssl_context=client_context, timeout=10, **options
    )
    for _ in range(COMMANDS):
        client.noop()
    client.logout()


def _aio_noops(server: NagleServer, client_context, **options) -> None:
    async def run():
        imap = await imap_core.aio.connect(
            "127.0.0.1", server.port, security="tls" if client_context else "plain",
            ssl_context=client_context, timeout=10, **options,
        )
        for _ in range(COMMANDS):
            await imap.noop()
        await imap.logout()

    asyncio.run(run())


LAYERS = {"IMAPClient": _blocking_noops, "aio": _aio_noops}


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
@pytest.mark.parametrize("layer", list(LAYERS))
def test_no_delayed_ack_against_a_nagle_server(layer, tls, request):
    contexts = request.getfixturevalue("tls_pair") if tls else (None, None)
    server = NagleServer(contexts[0])
    LAYERS[layer](server, contexts[1])
    server.close()
    stalls = server.stalls()
    assert len(stalls) <= 1, f"{len(stalls)} of {COMMANDS} tagged lines held >= 30 ms for the ACK: {stalls} ms"


@pytest.mark.parametrize("layer", list(LAYERS))
def test_the_server_provokes_the_stall_when_quickack_is_off(layer):
    """The check on the test above: with ``quickack=False`` (as before the
    re-arming existed) this server makes most NOOPs wait ~40 ms (16-20 of 20
    on Linux 6.18), so the test above passing means something."""
    server = NagleServer()
    LAYERS[layer](server, None, quickack=False)
    server.close()
    stalls = server.stalls()
    assert len(stalls) >= 5, f"only {len(stalls)} of {COMMANDS} tagged lines held >= 30 ms with quickack off: {stalls}"
