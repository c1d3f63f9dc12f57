"""Shared fixtures: the project's Dovecot (``scripts/dovecot env``) and the
``imap-conformance`` binary, both located through environment variables
that ``scripts/python-test`` sets."""

import contextlib
import os
import shutil
import subprocess

import pytest


class Server:
    def __init__(self) -> None:
        self.host = os.environ.get("IMAP_HOST", "127.0.0.1")
        self.port = int(os.environ.get("IMAP_PORT", "14143"))
        self.tls_port = int(os.environ.get("IMAP_TLS_PORT", "14993"))
        self.user = os.environ.get("IMAP_USER", "alice")
        self.password = os.environ.get("IMAP_PASSWORD", "alice-password-1")
        self.user2 = os.environ.get("IMAP_USER2", "bob")
        self.password2 = os.environ.get("IMAP_PASSWORD2", "bob-password-2")
        self.ca_file = os.environ.get("IMAP_CA_FILE")


@pytest.fixture(scope="session")
def server() -> Server:
    if "IMAP_PORT" not in os.environ:
        pytest.skip("no Dovecot: run through scripts/python-test (IMAP_* unset)")
    return Server()


@pytest.fixture(scope="session")
def conformance_bin() -> str:
    named = os.environ.get("IMAP_CONFORMANCE_BIN")
    if named and not os.path.exists(named):
        # scripts/python-test built it there: a wrong path must not turn
        # every conformance test into a skip.
        pytest.fail(f"IMAP_CONFORMANCE_BIN={named} does not exist")
    path = named or shutil.which("imap-conformance")
    if not path:
        pytest.skip("imap-conformance binary not found (IMAP_CONFORMANCE_BIN)")
    return path


@pytest.fixture(scope="session")
def scenarios_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "conformance", "scenarios")


@pytest.fixture
def scripted(conformance_bin, tmp_path):
    """A scripted server: ``with scripted(text) as port:`` serves one
    session of *text* (the scenario format of conformance/src/script.rs:
    ``S:`` lines sent, ``C:`` lines the client must send, ``{tag}``
    captures) with ``imap-conformance serve``, and when the block ends
    (the client closed) checks that the client sent exactly what the
    script expects."""

    @contextlib.contextmanager
    def serve(text):
        path = tmp_path / f"script{len(list(tmp_path.iterdir()))}.imap"
        path.write_text(text, encoding="utf-8")
        server = subprocess.Popen(
            [conformance_bin, "serve", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            yield int(server.stdout.readline())
            _, err = server.communicate(timeout=20)
            assert server.returncode == 0, f"the scripted server failed:\n{err.decode()}"
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()

    return serve
