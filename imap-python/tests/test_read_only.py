"""Read-only folders: while the selected folder is read-only (EXAMINE, or
the server said ``[READ-ONLY]``), STORE, EXPUNGE, UID EXPUNGE and MOVE
raise IMAPClientReadOnlyError before anything is sent, in layers 2 and 3;
layer 1 reports the access as a ``"mailbox_access"`` event. Against
Dovecot, and through a scripted server for what Dovecot does not do (a
SELECT answered read-only, access changing mid-session)."""

import asyncio
import logging
import socket
import time
import uuid

import imapclient
import pytest

import imap_core
import imap_core.aio

MESSAGE = b"Subject: read only\r\n\r\nbody\r\n"


def fresh_folder(server, count=2):
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.user, server.password)
    folder = f"Ro{uuid.uuid4().hex[:8]}"
    c.create_folder(folder)
    for _ in range(count):
        c.append(folder, MESSAGE)
    return c, folder


def protocol_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "imap_core.protocol"]


def test_layer3_refuses_changes_before_sending(server, caplog):
    caplog.set_level(logging.DEBUG, logger="imap_core.protocol")
    c, folder = fresh_folder(server)
    assert c.select_folder(folder, readonly=True)[b"READ-ONLY"] == [b""]
    uids = c.search()
    flags = c.get_flags(uids)
    caplog.clear()
    changes = {
        "add_flags": lambda: c.add_flags(uids, [imap_core.DELETED]),
        "remove_flags": lambda: c.remove_flags(uids, [imap_core.SEEN]),
        "set_flags": lambda: c.set_flags(uids, [imap_core.FLAGGED], silent=True),
        "delete_messages": lambda: c.delete_messages(uids),
        "undelete_messages": lambda: c.undelete_messages(uids),
        "expunge": lambda: c.expunge(),
        "expunge uids": lambda: c.expunge(uids),
        "uid_expunge": lambda: c.uid_expunge(uids),
        "move": lambda: c.move(uids, "INBOX"),
        "add_gmail_labels": lambda: c.add_gmail_labels(uids, ["x"]),
    }
    for name, change in changes.items():
        with pytest.raises(imap_core.IMAPClientReadOnlyError, match="read-only"):
            change()
    assert protocol_lines(caplog) == []  # nothing went out, nothing came back
    # IMAPClient's names for the class, and imaplib's hierarchy.
    for cls in (imap_core.IMAPClient.ReadOnlyError, imapclient.exceptions.IMAPClientReadOnlyError, imap_core.IMAPClientError):
        with pytest.raises(cls):
            c.add_flags(uids, [imap_core.SEEN])
    # The session goes on, nothing changed; reading works.
    assert c.get_flags(uids) == flags
    assert c.folder_status(folder, ["MESSAGES"]) == {b"MESSAGES": 2}
    # Selected read-write again, the same STORE goes out.
    c.select_folder(folder)
    assert imap_core.FLAGGED in c.add_flags(uids[:1], [imap_core.FLAGGED])[uids[0]]
    c.close_folder()
    c.delete_folder(folder)
    c.logout()


def test_layer2_refuses_changes_before_sending(server):
    async def main():
        setup, folder = fresh_folder(server)
        setup.logout()
        imap = await imap_core.aio.connect(server.host, server.port, security="plain", timeout=10)
        await imap.login(server.user, server.password)
        await imap.select_folder(folder, readonly=True)
        uids = await imap.search()
        stored, moved, fetched = await asyncio.gather(
            imap.add_flags(uids, [imap_core.DELETED]),
            imap.move(uids, "INBOX"),
            imap.fetch(uids, ["FLAGS"]),
            return_exceptions=True,
        )
        assert isinstance(stored, imap_core.IMAPClientReadOnlyError)
        assert isinstance(moved, imap_core.IMAPClientReadOnlyError)
        assert sorted(fetched) == uids
        with pytest.raises(imap_core.IMAPClientReadOnlyError):
            await imap.expunge()
        assert imap.engine.pending == 0
        await imap.select_folder(folder)
        await imap.delete_messages(uids)
        _, expunged = await imap.expunge()
        assert len([r for r in expunged if r[1] == b"EXPUNGE"]) == 2
        await imap.close_folder()
        await imap.delete_folder(folder)
        await imap.logout()

    asyncio.run(main())


def test_layer1_reports_the_access(server):
    setup, folder = fresh_folder(server)
    setup.logout()
    session = EventLoop(server.port)
    session.run(session.engine.login(server.user, server.password))
    session.run(session.engine.select_folder(folder, readonly=True))
    assert [(e.kind, e.data) for e in session.events if e.kind == "mailbox_access"] == [("mailbox_access", (folder, True))]
    assert session.engine.mailbox()[b"READ-ONLY"] == [b""]
    with pytest.raises(imap_core.IMAPClientReadOnlyError):
        session.engine.add_flags([1], [imap_core.SEEN])
    assert session.engine.poll_transmit() is None
    session.events.clear()
    session.run(session.engine.select_folder(folder))  # read-write: no event
    assert [e.kind for e in session.events if e.kind == "mailbox_access"] == []
    session.run(session.engine.close_folder())
    session.run(session.engine.delete_folder(folder))
    session.run(session.engine.logout())
    session.sock.close()


# A SELECT the server answers read-only, and access changing mid-session,
# as RFC 9051 section 7.1 allows.
SELECT_READ_ONLY = """\
S: * PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS MOVE] logged in as alice
C: {s} SELECT Shared
S: * 3 EXISTS
S: * OK [UIDVALIDITY 9] UIDs valid
S: {s} OK [READ-ONLY] SELECT completed, no write access
C: {n} NOOP
S: * OK [READ-WRITE] write access granted
S: {n} OK NOOP completed
C: {st} UID STORE 1 +FLAGS (\\Seen)
S: * 1 FETCH (UID 1 FLAGS (\\Seen))
S: {st} OK STORE completed
C: {n2} NOOP
S: * OK [READ-ONLY] another session took write access
S: {n2} OK NOOP completed
C: {bye} LOGOUT
S: * BYE logging out
S: {bye} OK LOGOUT completed
"""


def test_layer3_select_answered_read_only(scripted):
    with scripted(SELECT_READ_ONLY) as port:
        c = imap_core.IMAPClient("127.0.0.1", port=port, ssl=False)
        # As imaplib does under IMAPClient; the folder is selected anyway.
        with pytest.raises(imap_core.IMAPClientReadOnlyError, match="Shared is not writable"):
            c.select_folder("Shared")
        with pytest.raises(imap_core.IMAPClientReadOnlyError):
            c.add_flags([1], [imap_core.SEEN])
        c.noop()  # [READ-WRITE]
        assert c.add_flags([1], [imap_core.SEEN]) == {1: (imap_core.SEEN,)}
        text, news = c.noop()  # [READ-ONLY] again
        with pytest.raises(imap_core.IMAPClientReadOnlyError):
            c.move([1], "Archive")
        c.logout()


def test_layer2_select_answered_read_only(scripted):
    async def main(port):
        imap = await imap_core.aio.connect("127.0.0.1", port, security="plain", timeout=5)
        with pytest.raises(imap_core.IMAPClientReadOnlyError):
            await imap.select_folder("Shared")
        assert imap.engine.mailbox()[b"EXISTS"] == 3
        await imap.noop()
        assert await imap.add_flags([1], [imap_core.SEEN]) == {1: (imap_core.SEEN,)}
        await imap.noop()
        with pytest.raises(imap_core.IMAPClientReadOnlyError):
            await imap.expunge()
        await imap.logout()

    with scripted(SELECT_READ_ONLY) as port:
        asyncio.run(main(port))


def test_layer1_access_events(scripted):
    with scripted(SELECT_READ_ONLY) as port:
        session = EventLoop(port)
        with pytest.raises(imap_core.IMAPClientReadOnlyError):
            session.run(session.engine.select_folder("Shared"))
        session.run(session.engine.noop())
        session.run(session.engine.add_flags([1], [imap_core.SEEN]))
        session.run(session.engine.noop())
        accesses = [e.data for e in session.events if e.kind == "mailbox_access"]
        assert accesses == [("Shared", True), ("Shared", False), ("Shared", True)]
        session.run(session.engine.logout())
        session.sock.close()


def test_imapclient_raises_the_same_class(scripted):
    """IMAPClient (imaplib) on a SELECT answered read-only. (imaplib then
    refuses every command, LOGOUT included, until the next SELECT;
    imap_core refuses only those that would change the folder.)"""
    script = """\
S: * PREAUTH [CAPABILITY IMAP4rev1] logged in as alice
C: {c} CAPABILITY
S: * CAPABILITY IMAP4rev1
S: {c} OK CAPABILITY completed
C: {s} SELECT "Shared"
S: * 3 EXISTS
S: {s} OK [READ-ONLY] SELECT completed, no write access
"""
    with scripted(script) as port:
        c = imapclient.IMAPClient("127.0.0.1", port=port, ssl=False)
        with pytest.raises(imapclient.exceptions.IMAPClientReadOnlyError, match="is not writable"):
            c.select_folder("Shared")
        with pytest.raises(imapclient.exceptions.IMAPClientReadOnlyError, match="changed to READ-ONLY"):
            c.noop()
        c.shutdown()
    assert imapclient.exceptions.IMAPClientReadOnlyError is imap_core.IMAPClientReadOnlyError


class EventLoop:
    """A blocking driver of layer 1 that keeps every event."""

    def __init__(self, port):
        self.engine = imap_core.Engine(response_timeout=5.0)
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.events = []
        self.engine.handle_timeout(time.monotonic())
        while self.engine.state == "greeting" or not self.engine.capabilities_known:
            self.step()

    def step(self):
        engine = self.engine
        while (out := engine.poll_transmit()) is not None:
            self.sock.sendall(out)
            engine.advance_transmit(len(out))
        while (event := engine.poll_event()) is not None:
            self.events.append(event)
        if engine.is_closed:
            raise imap_core.IMAPClientAbortError(engine.connection_error)
        data = self.sock.recv(65536)
        if data:
            engine.feed(data)
        else:
            engine.feed_eof()
        engine.handle_timeout(time.monotonic())
        while (event := engine.poll_event()) is not None:
            self.events.append(event)

    def run(self, request_id):
        while not self.engine.is_ready(request_id):
            self.step()
        return self.engine.take(request_id)
