"""Shared fixtures: the project's Dovecot (``scripts/dovecot env``) and the
``imap-conformance`` binary, both located through environment variables
that ``scripts/python-test`` sets."""

import os
import shutil

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
    path = os.environ.get("IMAP_CONFORMANCE_BIN") or shutil.which("imap-conformance")
    if not path or not os.path.exists(path):
        pytest.skip("imap-conformance binary not found (IMAP_CONFORMANCE_BIN)")
    return path


@pytest.fixture(scope="session")
def scenarios_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "conformance", "scenarios")
