"""The live protocol log: layer 1's ``poll_log`` (through bytes), and the
``imap_core.protocol`` logger of layers 2 and 3 (against Dovecot). Every
line, in order, redacted: passwords and SASL data never appear, message
bodies show as their size."""

import asyncio
import base64
import logging
import re
import uuid

import pytest

import imap_core
import imap_core.aio

PASSWORD = "hunter2 secret"
BODY = b"Subject: logged\r\n\r\nthe body is not logged\r\n"


def sent(e):
    out = b""
    while (chunk := e.poll_transmit()) is not None:
        e.advance_transmit(len(chunk))
        out += chunk
    return out


def drain(e):
    while e.poll_event() is not None:
        pass


def log_of(e):
    lines = []
    while (line := e.poll_log()) is not None:
        lines.append(line)
    return lines


def secrets(password, user="alice"):
    """The password and every form it travels in."""
    plain = f"\0{user}\0{password}".encode()
    return [password, base64.b64encode(plain).decode(), base64.b64encode(password.encode()).decode()]


def test_layer1_every_line_in_order_redacted():
    e = imap_core.Engine(protocol_log=True)
    e.handle_timeout(0.0)
    e.feed(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+] ready\r\n")
    rid = e.login("alice", PASSWORD)
    sent(e)
    e.feed(b"A1 NO [AUTHENTICATIONFAILED] try again\r\n")
    drain(e)
    with pytest.raises(imap_core.LoginError):
        e.take(rid)
    rid = e.plain_login("alice", PASSWORD)
    assert base64.b64encode(f"\0alice\0{PASSWORD}".encode()) in sent(e)
    e.feed(b"A2 OK [CAPABILITY IMAP4rev1 LITERAL+] in\r\n")
    e.select_folder("INBOX")
    sent(e)
    e.feed(b"* 1 EXISTS\r\nA3 OK [READ-WRITE] ok\r\n")
    e.fetch([7], ["BODY.PEEK[]"])
    sent(e)
    e.feed(b"* 1 FETCH (UID 7 BODY[] {%d}\r\n%s)\r\nA4 OK done\r\n" % (len(BODY), BODY))
    e.append("INBOX", BODY)
    sent(e)
    e.feed(b"A5 OK [APPENDUID 1 8] appended\r\n")
    drain(e)
    n = len(BODY)
    assert log_of(e) == [
        "S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN LITERAL+] ready",
        'C: A1 LOGIN alice "<password>"',
        "S: A1 NO [AUTHENTICATIONFAILED] try again",
        "C: A2 AUTHENTICATE PLAIN PHJlZGFjdGVkPg==",  # base64 of "<redacted>"
        "S: A2 OK [CAPABILITY IMAP4rev1 LITERAL+] in",
        "C: A3 SELECT INBOX",
        "S: * 1 EXISTS",
        "S: A3 OK [READ-WRITE] ok",
        "C: A4 UID FETCH 7 (BODY.PEEK[])",
        f"S: * 1 FETCH (UID 7 BODY[] {{{n}}} <{n} bytes> )",
        "S: A4 OK done",
        f"C: A5 APPEND INBOX {{{n}+}} <{n} bytes>",
        "S: A5 OK [APPENDUID 1 8] appended",
    ]
    assert e.poll_log() is None and e.log_dropped == 0


def test_layer1_log_switches_limits_and_failure_report():
    e = imap_core.Engine()  # off by default: nothing is kept
    e.handle_timeout(0.0)
    e.feed(b"* OK [CAPABILITY IMAP4rev1] ready\r\n")
    assert e.poll_log() is None
    e.set_protocol_log(True)
    e.noop()
    sent(e)
    assert log_of(e) == ["C: A1 NOOP"]
    e.noop()
    sent(e)
    e.set_protocol_log(False)  # drops what waits
    e.set_protocol_log(True)
    assert e.poll_log() is None
    # A bounded log: the oldest lines go and are counted.
    small = imap_core.Engine(protocol_log=True, protocol_log_limit=300)
    small.handle_timeout(0.0)
    small.feed(b"* OK [CAPABILITY IMAP4rev1] ready\r\n")
    small.noop()
    sent(small)
    small.feed(b"".join(b"* %d EXISTS\r\n" % i for i in range(20)) + b"A1 OK done\r\n")
    kept = log_of(small)
    assert small.log_dropped == 23 - len(kept) > 0  # greeting, NOOP, 20 EXISTS, OK
    assert kept[-2:] == ["S: * 19 EXISTS", "S: A1 OK done"]
    # The failure report: the error and the last lines, redacted.
    assert e.failure_report is None
    e.feed(b"A1 OK done\r\nA2 OK done\r\n")
    e.login("alice", PASSWORD)
    sent(e)
    e.feed(b"* BYE going down\r\n")
    report = e.failure_report
    assert report.startswith("the server closed the connection: going down\n")
    assert 'C: A3 LOGIN alice "<password>"\nS: * BYE going down\n' in report
    assert not any(s in report for s in secrets(PASSWORD))


def test_layer3_logs_through_logging(server, caplog):
    caplog.set_level(logging.DEBUG, logger="imap_core.protocol")
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.user, server.password)
    folder = f"Log{uuid.uuid4().hex[:8]}"
    c.create_folder(folder)
    c.append(folder, BODY)
    c.select_folder(folder)
    uid = c.search()[0]
    assert c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"] == BODY
    c.close_folder()
    c.delete_folder(folder)
    c.logout()
    records = [r for r in caplog.records if r.name == "imap_core.protocol"]
    assert {r.levelno for r in records} == {logging.DEBUG}
    lines = [r.getMessage() for r in records]
    assert lines[0].startswith("S: * OK [CAPABILITY IMAP4rev1 ")
    assert lines[1] == f'C: A1 LOGIN {server.user} "<password>"'
    assert lines[-3:-1] == ["C: A9 LOGOUT", "S: * BYE Logging out"]
    assert lines[-1].startswith("S: A9 OK Logout completed")
    assert_in_order(lines)
    everything = "\n".join(lines)
    assert not any(s in everything for s in secrets(server.password, server.user))
    assert "the body is not logged" not in everything
    assert f"<{len(BODY)} bytes>" in everything


def test_layer3_logs_nothing_unless_debug_is_on(server, caplog):
    caplog.set_level(logging.INFO, logger="imap_core.protocol")
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.user, server.password)
    assert c._engine.poll_log() is None  # the engine keeps no log either
    assert [r for r in caplog.records if r.name == "imap_core.protocol"] == []
    # Turned on mid-session, it logs from the next exchange on.
    caplog.set_level(logging.DEBUG, logger="imap_core.protocol")
    c.noop()
    c.noop()
    c.logout()
    lines = [r.getMessage() for r in caplog.records if r.name == "imap_core.protocol"]
    assert "C: A3 NOOP" in lines and "C: A4 LOGOUT" in lines


def test_layer2_logs_through_logging(server, caplog):
    caplog.set_level(logging.DEBUG, logger="imap_core.protocol")

    async def main():
        imap = await imap_core.aio.connect(server.host, server.port, security="plain", timeout=10)
        await imap.plain_login(server.user, server.password)
        await asyncio.gather(imap.folder_status("INBOX", ["MESSAGES"]), imap.list_folders("", "INBOX"), imap.noop())
        await imap.logout()

    asyncio.run(main())
    lines = [r.getMessage() for r in caplog.records if r.name == "imap_core.protocol"]
    assert lines[1] == "C: A1 AUTHENTICATE PLAIN PHJlZGFjdGVkPg=="
    assert [line.split()[2] for line in lines if line.startswith("C: ")] == [
        "AUTHENTICATE", "STATUS", "LIST", "NOOP", "LOGOUT"
    ]
    assert_in_order(lines)
    everything = "\n".join(lines)
    assert not any(s in everything for s in secrets(server.password, server.user))


def assert_in_order(lines):
    """Each command's tagged answer comes after it, and tags go up."""
    sent = [int(m.group(1)) for line in lines if (m := re.match(r"C: A(\d+) ", line))]
    assert sent == sorted(sent) and len(set(sent)) == len(sent)
    for tag in sent:
        asked = lines.index(next(line for line in lines if line.startswith(f"C: A{tag} ")))
        answered = [i for i, line in enumerate(lines) if line.startswith(f"S: A{tag} ")]
        assert len(answered) == 1 and answered[0] > asked, f"A{tag}"
