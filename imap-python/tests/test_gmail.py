"""Gmail labels (X-GM-LABELS, X-GM-EXT-1) in the three layers.

Dovecot has no X-GM-EXT-1, so the labels travel through a fake Gmail that
answers with Gmail's documented responses (developers.google.com/gmail/
imap/imap-extensions); the same calls run on IMAPClient against it and the
results must be equal, value by value and type by type. Against Dovecot:
the refusal without X-GM-EXT-1.
"""

import asyncio
import logging
import socket
import threading

import imapclient
import pytest

import imap_core
import imap_core.aio
from test_imapclient_compat import assert_same

CAPS = b"IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID CHILDREN X-GM-EXT-1 UIDPLUS ENABLE MOVE"

# Gmail's FETCH 1:4 (X-GM-LABELS) example; UIDs are 100 + the number.
LABELS = [
    b'(\\Inbox \\Sent Important "Muy Importante")',
    b"(foo)",
    b"()",
    b"(\\Drafts &AOk-t&AOk-)",
]
# What each kind of STORE answers for message 1.
STORED = {
    b"+X-GM-LABELS": b'(\\Inbox \\Sent Important "Muy Importante" foo)',
    b"-X-GM-LABELS": b'(\\Inbox \\Sent Important "Muy Importante")',
    b"X-GM-LABELS": b"(\\Starred &AOk-t&AOk-)",
}


class FakeGmail:
    """Answers each command line with Gmail's responses; remembers the
    lines each session sent. One session at a time."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sessions = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                self.session(conn)

    def session(self, conn):
        lines = []
        self.sessions.append(lines)
        conn.sendall(b"* OK Gimap ready for requests from 127.0.0.1 h5mb\r\n")
        buffered = b""
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buffered += data
            while b"\r\n" in buffered:
                line, buffered = buffered.split(b"\r\n", 1)
                lines.append(line)
                conn.sendall(self.answer(line))

    def answer(self, line):
        tag, rest = line.split(b" ", 1)
        words = rest.split(b" ")
        uid = words[0].upper() == b"UID"
        if uid:
            words = words[1:]
        verb = words[0].upper()
        untagged, text = [], b"OK Success"
        if verb == b"CAPABILITY":
            untagged = [b"* CAPABILITY " + CAPS]
        elif verb == b"LOGIN":
            untagged = [b"* CAPABILITY " + CAPS]
            text = b"OK alice@gmail.com authenticated (Success)"
        elif verb == b"SELECT":
            untagged = [
                b"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Phishing)",
                b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Phishing \\*)] Flags permitted.",
                b"* OK [UIDVALIDITY 11] UIDs valid.",
                b"* 4 EXISTS",
                b"* 0 RECENT",
                b"* OK [UIDNEXT 105] Predicted next UID.",
                b"* OK [HIGHESTMODSEQ 4242]",
            ]
            text = b"OK [READ-WRITE] [Gmail]/All Mail selected. (Success)"
        elif verb == b"FETCH":
            for n, labels in enumerate(LABELS, 1):
                suffix = b" UID %d" % (100 + n) if uid else b""
                untagged.append(b"* %d FETCH (X-GM-LABELS %s%s)" % (n, labels, suffix))
        elif verb == b"STORE":
            item = words[2].upper()
            if not item.endswith(b".SILENT"):
                suffix = b" UID 101" if uid else b""
                untagged = [b"* 1 FETCH (X-GM-LABELS %s%s)" % (STORED[item], suffix)]
            text = b"OK STORE (Success)"
        elif verb == b"SEARCH":
            untagged = [b"* SEARCH 101 104" if uid else b"* SEARCH 1 4"]
            text = b"OK SEARCH completed (Success)"
        elif verb == b"LOGOUT":
            untagged = [b"* BYE LOGOUT Requested"]
            text = b"OK 73 good day (Success)"
        elif verb != b"NOOP":
            text = b"BAD Unknown command"
        return b"".join(u + b"\r\n" for u in untagged) + tag + b" " + text + b"\r\n"

    def close(self):
        self.listener.close()


@pytest.fixture
def gmail():
    server = FakeGmail()
    yield server
    server.close()


def label_calls(c, record):
    """The calls, the same for IMAPClient and imap_core.IMAPClient."""
    record("login", c.login("alice@gmail.com", "app password"))
    c.select_folder("[Gmail]/All Mail")
    record("get all", c.get_gmail_labels([101, 102, 103, 104]))
    record("get one", c.get_gmail_labels(101))
    record("add", c.add_gmail_labels([101], ["foo"]))
    record("add silent", c.add_gmail_labels(101, "foo", silent=True))
    record("remove bytes", c.remove_gmail_labels([101], [b"foo"]))
    record("set", c.set_gmail_labels("101", ["\\Starred", "été"]))
    record("add nothing", c.add_gmail_labels([], "foo"))
    record("get nothing", c.get_gmail_labels([]))
    record("raw fetch", c.fetch([101, 104], ["X-GM-LABELS"]))
    record("gmail search", c.gmail_search("label:Muy-Importante"))
    c.use_uid = False
    record("get by number", c.get_gmail_labels([1, 2, 3, 4]))
    record("add by number", c.add_gmail_labels(1, "foo"))
    c.logout()


def test_labels_as_imapclient_gives_them(gmail):
    theirs, ours = [], []
    label_calls(imapclient.IMAPClient("127.0.0.1", port=gmail.port, ssl=False), lambda n, v: theirs.append((n, v)))
    label_calls(imap_core.IMAPClient("127.0.0.1", port=gmail.port, ssl=False), lambda n, v: ours.append((n, v)))
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    for (name, a), (_, b) in zip(ours, theirs):
        assert_same(a, b, name)
    # The values themselves (IMAPClient's shapes: lists of str).
    got = dict(ours)
    assert got["get all"] == {
        101: ["\\Inbox", "\\Sent", "Important", "Muy Importante"],
        102: ["foo"],
        103: [],
        104: ["\\Drafts", "été"],
    }
    assert got["add silent"] is None and got["add nothing"] is None and got["get nothing"] == {}
    assert got["set"] == {101: ["\\Starred", "été"]}
    assert got["raw fetch"][104][b"X-GM-LABELS"] == (b"\\Drafts", b"&AOk-t&AOk-")
    # On the wire: system labels as Gmail shows them, names like folder
    # names (modified UTF-7), .SILENT when asked; nothing for no messages.
    sent = [line.split(b" ", 1)[1] for line in gmail.sessions[1]]
    assert [s for s in sent if b"X-GM-" in s] == [
        b"UID FETCH 101:104 (X-GM-LABELS)",
        b"UID FETCH 101 (X-GM-LABELS)",
        b"UID STORE 101 +X-GM-LABELS (foo)",
        b"UID STORE 101 +X-GM-LABELS.SILENT (foo)",
        b"UID STORE 101 -X-GM-LABELS (foo)",
        b"UID STORE 101 X-GM-LABELS (\\Starred &AOk-t&AOk-)",
        b"UID FETCH 101,104 (X-GM-LABELS)",
        b'UID SEARCH X-GM-RAW "label:Muy-Importante"',
        b"FETCH 1:4 (X-GM-LABELS)",
        b"STORE 1 +X-GM-LABELS (foo)",
    ]


def test_labels_in_layer_2(gmail):
    async def main():
        imap = await imap_core.aio.connect("127.0.0.1", gmail.port, security="plain", timeout=5)
        await imap.login("alice@gmail.com", "app password")
        await imap.select_folder("[Gmail]/All Mail")
        got, added = await asyncio.gather(
            imap.get_gmail_labels([101, 104]), imap.add_gmail_labels([101], ["foo"])
        )
        assert got == {101: ["\\Inbox", "\\Sent", "Important", "Muy Importante"], 104: ["\\Drafts", "été"]}
        assert added == {101: ["\\Inbox", "\\Sent", "Important", "Muy Importante", "foo"]}
        assert await imap.remove_gmail_labels(101, "foo", silent=True) is None
        await imap.logout()

    asyncio.run(main())


def test_labels_through_layer_1_bytes():
    """Gmail's transcript fed to the engine, byte by byte."""
    e = imap_core.Engine()
    e.handle_timeout(0.0)
    e.feed(b"* OK [CAPABILITY IMAP4rev1 X-GM-EXT-1] Gimap ready\r\n")
    e.login("alice", "pw")
    sent(e)
    e.feed(b"A1 OK [CAPABILITY IMAP4rev1 X-GM-EXT-1] in\r\n")
    e.use_uid = False
    e.select_folder("INBOX")
    assert sent(e) == b"A2 SELECT INBOX\r\n"
    e.feed(b"* 4 EXISTS\r\nA2 OK [READ-WRITE] ok\r\n")
    drain(e)
    rid = e.get_gmail_labels("1:4")
    assert sent(e) == b"A3 FETCH 1:4 (X-GM-LABELS)\r\n"
    transcript = (
        b'* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important "Muy Importante"))\r\n'
        b"* 2 FETCH (X-GM-LABELS (foo))\r\n"
        b"* 3 FETCH (X-GM-LABELS ())\r\n"
        b"* 4 FETCH (X-GM-LABELS (\\Drafts))\r\n"
        b"A3 OK FETCH (Success)\r\n"
    )
    for byte in transcript:
        e.feed(bytes([byte]))
    drain(e)
    assert e.take(rid) == {1: ["\\Inbox", "\\Sent", "Important", "Muy Importante"], 2: ["foo"], 3: [], 4: ["\\Drafts"]}
    rid = e.add_gmail_labels(1, ["\\Important", "Muy Importante", "Entwürfe"])
    assert sent(e) == b'A4 STORE 1 +X-GM-LABELS (\\Important "Muy Importante" Entw&APw-rfe)\r\n'
    e.feed(b'* 1 FETCH (X-GM-LABELS (\\Inbox \\Important "Muy Importante" Entw&APw-rfe))\r\nA4 OK STORE (Success)\r\n')
    drain(e)
    assert e.take(rid) == {1: ["\\Inbox", "\\Important", "Muy Importante", "Entwürfe"]}


def test_label_changes_refused_without_x_gm_ext_1(server, caplog):
    """Dovecot has no X-GM-EXT-1: changing labels raises CapabilityError
    before anything is sent; reading them is the server's to refuse (a BAD,
    IMAPClientError), as with IMAPClient."""
    caplog.set_level(logging.DEBUG, logger="imap_core.protocol")
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.user, server.password)
    c.select_folder("INBOX")
    for method in (c.add_gmail_labels, c.remove_gmail_labels, c.set_gmail_labels):
        with pytest.raises(imap_core.CapabilityError, match="X-GM-EXT-1"):
            method([1], ["foo"])
    with pytest.raises(imap_core.CapabilityError, match="X-GM-EXT-1"):  # as IMAPClient's
        c.gmail_search("has:attachment")
    with pytest.raises(imap_core.IMAPClientError, match="X-GM-LABELS"):
        c.get_gmail_labels([1])
    c.noop()
    c.logout()
    sent = [r.getMessage() for r in caplog.records if r.getMessage().startswith("C: ")]
    assert [line for line in sent if "STORE" in line or "SEARCH" in line] == []
    assert any("FETCH 1 (X-GM-LABELS)" in line for line in sent)

    # IMAPClient sends them and Dovecot says BAD: an IMAPClientError too.
    theirs = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
    theirs.login(server.user, server.password)
    theirs.select_folder("INBOX")
    with pytest.raises(imap_core.IMAPClientError):
        theirs.add_gmail_labels([1], ["foo"])
    with pytest.raises(imapclient.exceptions.CapabilityError, match="X-GM-EXT-1"):
        theirs.gmail_search("has:attachment")
    theirs.logout()


def sent(e):
    out = b""
    while (chunk := e.poll_transmit()) is not None:
        e.advance_transmit(len(chunk))
        out += chunk
    return out


def drain(e):
    events = []
    while (ev := e.poll_event()) is not None:
        events.append(ev)
    return events
