"""Layer 3 against the real IMAPClient (from PyPI): one sequence of calls
runs on both against the live Dovecot, and every result is compared
equal, value by value and type by type.

Values that differ between two runs by nature (UIDVALIDITY, the server's
timings in response texts) are masked the same way on both sides.
"""

import datetime
import re
import threading
import time
import uuid

import imapclient
import pytest

import imap_core

# Messages of several shapes: plain, multipart/alternative, an attachment,
# a forwarded message, encoded words, groups, Cc and Bcc.
PLAIN = (
    b"From: Alice Example <alice@example.org>\r\n"
    b"To: Bob <bob@example.org>, carol@example.org\r\n"
    b"Cc: \"Dan, the Man\" <dan@example.org>\r\n"
    b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
    b"Date: Wed, 17 Jul 1996 02:23:25 -0700\r\n"
    b"Message-ID: <plain-1@example.org>\r\n"
    b"\r\n"
    b"Hello Bob,\r\nfoo bar baz.\r\n"
)
ALTERNATIVE = (
    b"From: bob@example.org\r\n"
    b"To: undisclosed-recipients:;\r\n"
    b"Subject: alternative parts\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0100\r\n"
    b"In-Reply-To: <plain-1@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n"
    b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html</p>\r\n"
    b"--b1--\r\n"
)
ATTACHMENT = (
    b"From: Carol <carol@example.org>\r\n"
    b"To: A group: a@example.org, B <b@example.org>;\r\n"
    b"Bcc: hidden@example.org\r\n"
    b"Subject: with attachment\r\n"
    b"Date: Tue, 2 Jan 2024 23:59:59 -0000\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="m1"\r\n'
    b"\r\n"
    b"--m1\r\nContent-Type: text/plain\r\nContent-Language: en\r\n\r\nsee attached\r\n"
    b"--m1\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n"
    b'Content-Disposition: attachment; filename="a.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\nContent-ID: <pdf1>\r\nContent-Description: a file\r\n\r\n"
    b"JVBERi0xLjQKJcfsj6IK\r\n"
    b"--m1--\r\n"
)
FORWARDED = (
    b"From: dan@example.org\r\n"
    b"To: alice@example.org\r\n"
    b"Subject: Fwd: hello\r\n"
    b"Date: Thu, 4 Jan 2024 08:00:00 +0000\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="f1"\r\n'
    b"\r\n"
    b"--f1\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n"
    b"--f1\r\nContent-Type: message/rfc822\r\n\r\n" + PLAIN + b"\r\n--f1--\r\n"
)
NO_DATE = b"From: x@example.org\r\nSubject: no date, odd header\r\n\r\nbody\r\n"

# Where imap_core differs from IMAPClient on purpose: (ours, theirs).
DIFFERENT = {
    # IMAPClient sends a STORE to a read-only (EXAMINEd) folder and Dovecot
    # ignores it ("OK Store ignored with read-only mailbox"): {}. imap_core
    # refuses it before sending with IMAPClientReadOnlyError (imaplib's
    # `readonly`, so `except IMAPClientError` still catches it).
    "store read-only": (("raised", "readonly"), {}),
}

TIMINGS = re.compile(rb" \(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)")


def mask(value, uidvalidities):
    """Masks what differs between two runs by nature, keeping types."""
    if isinstance(value, bytes):
        value = TIMINGS.sub(b" (timings)", value)
        for uv in uidvalidities:
            value = value.replace(str(uv).encode(), b"<uidvalidity>")
        return value
    if isinstance(value, dict):
        return {k: (b"<uidvalidity>" if k == b"UIDVALIDITY" else mask(v, uidvalidities)) for k, v in value.items()}
    if type(value) in (tuple, list):
        return type(value)(mask(v, uidvalidities) for v in value)
    return value


def assert_same(ours, theirs, path="result"):
    """Equal value by value and type by type (classes compared by name:
    ours are imap_core's, theirs imapclient's)."""
    assert type(ours).__name__ == type(theirs).__name__, f"{path}: {type(ours).__name__} != {type(theirs).__name__}: {ours!r} vs {theirs!r}"
    if isinstance(theirs, dict):
        assert sorted(ours, key=repr) == sorted(theirs, key=repr), f"{path}: keys {sorted(ours, key=repr)} != {sorted(theirs, key=repr)}"
        for k in theirs:
            assert_same(ours[k], theirs[k], f"{path}[{k!r}]")
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), f"{path}: {ours!r} != {theirs!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{path}[{i}]")
        if hasattr(theirs, "modseq"):
            assert ours.modseq == theirs.modseq, f"{path}.modseq"
    elif type(theirs).__name__ in ("Envelope", "Address"):
        for field in theirs.__dataclass_fields__:
            assert_same(getattr(ours, field), getattr(theirs, field), f"{path}.{field}")
    else:
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"


def scenario(cls, server, root, record):
    """The calls, the same for both clients; *record(name, value)* keeps
    each result (or the exception's class name)."""

    def call(name, f, *args, **kwargs):
        try:
            record(name, f(*args, **kwargs))
        except Exception as e:  # the class of the error is the result
            record(name, ("raised", type(e).__name__))

    c = cls(server.host, port=server.port, ssl=False)
    record("welcome", c.welcome)
    call("login", c.login, server.user, server.password)
    a, sub, jp = f"{root} Élément & Co", f"{root} Élément & Co/Sub", f"{root} 日本"
    for folder in (a, sub, jp):
        call(f"create {folder}", c.create_folder, folder)
    call("create existing", c.create_folder, a)
    call("list", c.list_folders, "", f"{root}*")
    call("list pattern", c.list_folders, f"{root} Élément & Co/", "%")
    call("exists", c.folder_exists, sub)
    call("not exists", c.folder_exists, f"{root} nope")
    call("subscribe", c.subscribe_folder, jp)
    call("lsub", c.list_sub_folders, "", f"{root}*")
    call("status empty", c.folder_status, a)

    when = datetime.datetime(2024, 2, 29, 13, 14, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    naive = datetime.datetime(2023, 12, 31, 23, 0, 0)
    call("append plain", c.append, a, PLAIN, flags=(imap_core.SEEN, "$Forwarded"), msg_time=when)
    call("append alternative", c.append, a, ALTERNATIVE, flags=[imap_core.FLAGGED], msg_time=naive)
    call("append attachment", c.append, a, ATTACHMENT, msg_time=when)
    call("append forwarded", c.append, a, FORWARDED, flags=(), msg_time=when)
    call("append no date", c.append, a, NO_DATE, msg_time=when)
    call("multiappend", c.multiappend, jp, [PLAIN, {"msg": ALTERNATIVE, "flags": [imap_core.SEEN], "date": when}])
    call("status", c.folder_status, a, ["MESSAGES", "UNSEEN", "UIDNEXT"])

    call("select", c.select_folder, a)
    for name, criteria, charset in [
        ("search default", "ALL", None),
        ("search string", "UNSEEN", None),
        ("search list", ["FLAGGED"], None),
        ("search from", ["FROM", "alice"], None),
        ("search since", ["SINCE", datetime.date(2024, 1, 2)], None),
        ("search sentsince", ["SENTSINCE", datetime.date(2024, 1, 2)], None),
        ("search not", ["NOT", "SEEN"], None),
        ("search nested", ["NOT", ["SUBJECT", "alternative", "FLAGGED"]], None),
        ("search or", ["OR", "SEEN", "FLAGGED"], None),
        ("search text", ["TEXT", "foo bar"], None),
        ("search smaller", ["SMALLER", 600], None),
        ("search bytes", [b"NOT", b"DELETED"], None),
        ("search utf8", ["BODY", "Bob"], "UTF-8"),
        ("search header", ["HEADER", "Message-ID", "<plain-1@example.org>"], None),
        ("search uid", ["UID", "2:4"], None),
        ("search raw", "SUBJECT \"with attachment\"", None),
        ("search bad", ["NOSUCHKEY"], None),
    ]:
        call(name, c.search, criteria, charset)
    ids = c.search()
    call("fetch meta", c.fetch, ids, ["FLAGS", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE", "RFC822.SIZE"])
    # INTERNALDATE with the server's offset (aware) as well as naive local.
    c.normalise_times = False
    call("fetch internaldate aware", c.fetch, ids, ["INTERNALDATE"])
    call(
        "internaldate offsets",
        lambda: [d[b"INTERNALDATE"].isoformat() for d in c.fetch(ids, ["INTERNALDATE"]).values()],
    )
    c.normalise_times = True
    call("fetch body", c.fetch, ids, ["BODY.PEEK[]"])
    call("fetch partial", c.fetch, ids[:2], ["BODY.PEEK[]<0.20>", "BODY.PEEK[TEXT]<5.10>"])
    call("fetch sections", c.fetch, ids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", "BODY.PEEK[1]", "BODY.PEEK[HEADER]"])
    call("fetch body structure", c.fetch, ids, ["BODY"])
    call("fetch uid string", c.fetch, ids[1], "FLAGS UID")
    call("fetch rfc822", c.fetch, ids[-1:], ["RFC822", "RFC822.HEADER"])
    call("get flags", c.get_flags, ids)
    call("add flags", c.add_flags, ids[:2], [imap_core.ANSWERED, "Custom1"])
    call("remove flags", c.remove_flags, ids[:1], imap_core.SEEN)
    call("set flags", c.set_flags, ids[2:3], [imap_core.DRAFT])
    call("add flags silent", c.add_flags, ids[3:4], [imap_core.FLAGGED], silent=True)
    call("flags after", c.get_flags, ids)
    call("copy", c.copy, ids[:2], jp)
    call("move", c.move, ids[2:3], sub)
    call("after move", c.search)
    call("delete", c.delete_messages, ids[:1])
    call("expunge", c.expunge)
    call("status after", c.folder_status, jp)
    call("noop", c.noop)

    # Read-only: EXAMINE, then a STORE (see DIFFERENT).
    call("examine", c.select_folder, jp, readonly=True)
    call("store read-only", c.add_flags, c.search(), [imap_core.DELETED])
    call("fetch read-only", c.fetch, c.search(), ["FLAGS"])

    # IDLE woken by a second connection's APPEND.
    call("select for idle", c.select_folder, jp)
    c.idle()
    waker = threading.Timer(0.3, lambda: append_from_elsewhere(server, jp))
    waker.start()
    news = []
    deadline = time.monotonic() + 10
    while not any(isinstance(r, tuple) and r[-1:] == (b"EXISTS",) for r in news) and time.monotonic() < deadline:
        news += c.idle_check(timeout=2)
    waker.join()
    record("idle news", [r for r in news if r[-1:] == (b"EXISTS",)])
    text, rest = c.idle_done()
    record("idle done", text)

    # Errors: each the same exception class.
    call("select missing", c.select_folder, f"{root} missing")
    call("reselect", c.select_folder, jp)
    call("copy missing", c.copy, c.search(), f"{root} missing")
    call("fetch bad item", c.fetch, c.search(), ["NOSUCHITEM"])
    call("find sent", c.find_special_folder, imap_core.SENT)
    call("namespace", c.namespace)
    call("capabilities", lambda: "IDLE".encode() in c.capabilities())
    call("has capability", c.has_capability, "MOVE")
    call("close", c.close_folder)
    call("rename", c.rename_folder, jp, f"{root} renamed")
    call("delete folders", lambda: [c.delete_folder(f) for f in (sub, a, f"{root} renamed")])
    call("logout", lambda: type(c.logout()).__name__)

    bad = cls(server.host, port=server.port, ssl=False)
    call("bad login", bad.login, server.user, "wrong password")
    bad.shutdown()


def append_from_elsewhere(server, folder):
    other = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
    other.login(server.user, server.password)
    other.append(folder, b"Subject: wake up\r\n\r\nnews\r\n")
    other.logout()


def test_same_results_as_imapclient(server):
    root = f"Cmp{uuid.uuid4().hex[:8]}"
    theirs, ours = [], []
    scenario(imapclient.IMAPClient, server, root, lambda n, v: theirs.append((n, v)))
    scenario(imap_core.IMAPClient, server, root, lambda n, v: ours.append((n, v)))
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    uidvalidities = set()
    for _, v in theirs + ours:
        if isinstance(v, dict) and isinstance(v.get(b"UIDVALIDITY"), int):
            uidvalidities.add(v[b"UIDVALIDITY"])
        if isinstance(v, bytes):
            uidvalidities.update(int(m) for m in re.findall(rb"(?:APPENDUID|COPYUID) (\d+)", v))
    failures = []
    for (name, a), (_, b) in zip(ours, theirs):
        if name in DIFFERENT:
            if (a, b) != DIFFERENT[name]:
                failures.append(f"{name}: expected {DIFFERENT[name]!r}, got {(a, b)!r}")
            continue
        try:
            assert_same(mask(a, uidvalidities), mask(b, uidvalidities), name)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_unsupported_methods_name_themselves(server):
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    try:
        for name in imap_core.UNSUPPORTED:
            with pytest.raises(imap_core.UnsupportedError, match=name):
                getattr(c, name)
    finally:
        c.shutdown()


def test_tls_and_starttls_verify_with_the_test_ca(server):
    import ssl

    context = ssl.create_default_context(cafile=server.ca_file)
    with imap_core.IMAPClient("localhost", port=server.tls_port, ssl_context=context) as c:
        c.login(server.user, server.password)
        assert isinstance(c.select_folder("INBOX")[b"EXISTS"], int)
    c = imap_core.IMAPClient("localhost", port=server.port, ssl=False)
    c.starttls(context)
    c.login(server.user, server.password)
    c.logout()
    with pytest.raises(ssl.SSLError):
        imap_core.IMAPClient("localhost", port=server.tls_port)  # the system CAs do not know the test CA
