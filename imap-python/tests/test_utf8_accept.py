"""UTF8=ACCEPT (RFC 6855): after ``ENABLE UTF8=ACCEPT`` folder names
travel as UTF-8 instead of modified UTF-7. Dovecot 2.3 does not offer it,
so through a scripted server: layer 2's ``connect(utf8_accept=True)`` sends
the ENABLE right after the login (which completes after it), layer 3's
``enable_utf8_accept()`` sends it when asked, layer 1 takes both."""

import asyncio

import imap_core
import imap_core.aio

UTF8_SESSION = """\
S: * OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] ready
C: {l} LOGIN alice "secret"
S: {l} OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] logged in
C: {e} ENABLE UTF8=ACCEPT
S: * ENABLED UTF8=ACCEPT
S: {e} OK enabled
C: {s} SELECT "Entwürfe"
S: * 2 EXISTS
S: * OK [UIDVALIDITY 5] UIDs valid
S: {s} OK [READ-WRITE] selected
C: {li} LIST "" *
S: * LIST () "/" INBOX
S: * LIST (\\Sent) "/" "Éléments envoyés"
S: {li} OK done
C: {st} STATUS "Éléments envoyés" (MESSAGES)
S: * STATUS "Éléments envoyés" (MESSAGES 4)
S: {st} OK done
C: {bye} LOGOUT
S: * BYE logging out
S: {bye} OK done
"""

# The same server without UTF8=ACCEPT: no ENABLE, modified UTF-7.
UTF7_SESSION = """\
S: * OK [CAPABILITY IMAP4rev1 ENABLE] ready
C: {l} LOGIN alice "secret"
S: {l} OK [CAPABILITY IMAP4rev1 ENABLE] logged in
C: {s} SELECT Entw&APw-rfe
S: * 2 EXISTS
S: {s} OK [READ-WRITE] selected
C: {li} LIST "" *
S: * LIST (\\Sent) "/" "&AMk-l&AOk-ments envoy&AOk-s"
S: {li} OK done
C: {bye} LOGOUT
S: * BYE logging out
S: {bye} OK done
"""


def test_layer2_enables_it_after_the_login(scripted):
    async def main(port):
        imap = await imap_core.aio.connect("127.0.0.1", port, security="plain", timeout=5, utf8_accept=True)
        assert await imap.login("alice", "secret") == b"logged in"
        # The login completed after the ENABLE.
        assert imap.engine.enabled_capabilities() == (b"UTF8=ACCEPT",)
        assert (await imap.select_folder("Entwürfe"))[b"EXISTS"] == 2
        folders = await imap.list_folders()
        assert [f[2] for f in folders] == ["INBOX", "Éléments envoyés"]
        assert await imap.folder_status(folders[1][2], ["MESSAGES"]) == {b"MESSAGES": 4}
        await imap.logout()

    with scripted(UTF8_SESSION) as port:
        asyncio.run(main(port))


def test_layer2_not_offered(scripted):
    async def main(port):
        imap = await imap_core.aio.connect("127.0.0.1", port, security="plain", timeout=5, utf8_accept=True)
        await imap.login("alice", "secret")
        assert imap.engine.enabled_capabilities() == ()
        await imap.select_folder("Entwürfe")
        assert [f[2] for f in await imap.list_folders()] == ["Éléments envoyés"]
        await imap.logout()

    with scripted(UTF7_SESSION) as port:
        asyncio.run(main(port))


def test_layer3_enables_it_when_asked(scripted):
    with scripted(UTF8_SESSION) as port:
        c = imap_core.IMAPClient("127.0.0.1", port=port, ssl=False)
        c.login("alice", "secret")
        assert c.enable_utf8_accept() is True
        assert c.select_folder("Entwürfe")[b"EXISTS"] == 2
        folders = c.list_folders()
        assert folders[1] == ((b"\\Sent",), b"/", "Éléments envoyés")
        assert c.folder_status("Éléments envoyés", ["MESSAGES"]) == {b"MESSAGES": 4}
        c.logout()
    # IMAPClient's own way, enable("UTF8=ACCEPT"), does the same.
    with scripted(UTF8_SESSION) as port:
        c = imap_core.IMAPClient("127.0.0.1", port=port, ssl=False)
        c.login("alice", "secret")
        assert c.enable("UTF8=ACCEPT") == [b"UTF8=ACCEPT"]
        c.select_folder("Entwürfe")
        c.list_folders()
        c.folder_status("Éléments envoyés", ["MESSAGES"])
        c.logout()


def test_layer1_login_waits_for_the_enable():
    e = imap_core.Engine(utf8_accept=True)
    e.handle_timeout(0.0)
    e.feed(b"* OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] ready\r\n")
    rid = e.login("alice", "secret")
    assert sent(e) == b'A1 LOGIN alice "secret"\r\n'
    e.feed(b"A1 OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] in\r\n")
    assert sent(e) == b"A2 ENABLE UTF8=ACCEPT\r\n"
    assert not e.is_ready(rid)
    e.feed(b"* ENABLED UTF8=ACCEPT\r\nA2 OK done\r\n")
    assert e.take(rid) == b"in"
    e.select_folder("Entwürfe")
    assert sent(e) == 'A3 SELECT "Entwürfe"\r\n'.encode()
    # Off (the default), or not offered: no ENABLE.
    for config, caps in [({}, b"ENABLE UTF8=ACCEPT"), ({"utf8_accept": True}, b"ENABLE")]:
        e = imap_core.Engine(**config)
        e.handle_timeout(0.0)
        e.feed(b"* OK [CAPABILITY IMAP4rev1 %s] ready\r\n" % caps)
        rid = e.login("alice", "secret")
        sent(e)
        e.feed(b"A1 OK [CAPABILITY IMAP4rev1 %s] in\r\n" % caps)
        assert e.take(rid) == b"in" and sent(e) == b""
        e.select_folder("Entwürfe")
        assert sent(e) == b"A2 SELECT Entw&APw-rfe\r\n"


def sent(e):
    out = b""
    while (chunk := e.poll_transmit()) is not None:
        e.advance_transmit(len(chunk))
        out += chunk
    return out
