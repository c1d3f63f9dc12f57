"""SASL, streaming FETCH, ESEARCH and CHECK in layers 2 and 3, against the
live Dovecot and, where IMAPClient has the method too (``sasl_login``,
``oauthbearer_login``), compared with IMAPClient 4.1.0 on the same server
or the same script. The conformance flows (test_conformance.py) run the
same requests through layers 1 and 2 on scripted servers."""

import asyncio
import base64
import uuid

import imapclient
import pytest

import imap_core
import imap_core.aio

MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]


def message(i):
    return f"From: x@example.org\r\nSubject: stream {i}\r\n\r\nbody {i}\r\n".encode()


def fresh_folder(server, count):
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.user, server.password)
    folder = f"Stream{uuid.uuid4().hex[:8]}"
    c.create_folder(folder)
    c.multiappend(folder, [message(i) for i in range(count)])
    c.select_folder(folder)
    return c, folder


def drop(c, folder):
    c.close_folder()
    c.delete_folder(folder)
    c.logout()


# ------------------------------------------------------------------- SASL


def test_sasl_login_with_a_callable_as_imapclient(server):
    """The application answers the challenges: PLAIN (one empty
    challenge) and LOGIN (two), the same results as IMAPClient's."""
    plain = lambda challenge: f"\0{server.user}\0{server.password}"  # noqa: E731
    seen = []

    def login(challenge):
        seen.append(challenge)
        return {b"Username:": server.user.encode(), b"Password:": server.password.encode()}[challenge]

    for mech, answer in [("PLAIN", plain), ("LOGIN", login)]:
        ours = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
        theirs = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
        try:
            assert ours.sasl_login(mech, answer) == theirs.sasl_login(mech, answer) == b"Logged in"
            assert ours.list_folders("", "INBOX") == theirs.list_folders("", "INBOX")
        finally:
            ours.logout()
            theirs.logout()
    assert seen == [b"Username:", b"Password:"] * 2


def test_sasl_login_refusals_and_a_failing_callable(server):
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    try:
        with pytest.raises(imap_core.LoginError):
            c.sasl_login("PLAIN", lambda _: f"\0{server.user}\0wrong")

        class Oops(Exception):
            pass

        def fails(challenge):
            raise Oops("no answer")

        # The exchange is cancelled ("*"); the callable's exception is
        # raised once the server refused the cancellation.
        with pytest.raises(Oops, match="no answer"):
            c.sasl_login("PLAIN", fails)
        with pytest.raises(imap_core.LoginError):
            c.sasl_login("PLAIN", lambda _: None)  # None cancels
        # The session goes on.
        assert c.sasl_login("PLAIN", lambda _: f"\0{server.user}\0{server.password}") == b"Logged in"
        assert c.folder_exists("INBOX")
    finally:
        c.logout()


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_built_in_mechanisms_against_dovecot(server, mechanism):
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    try:
        assert c.has_capability(f"AUTH={mechanism}")
        assert c.authenticate(mechanism, server.user, server.password) == b"Logged in"
        assert c.folder_exists("INBOX")
    finally:
        c.logout()
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    try:
        with pytest.raises(imap_core.LoginError):
            c.authenticate(mechanism, server.user, "wrong")
    finally:
        c.logout()


def test_authenticate_refuses_what_it_does_not_know(server):
    c = imap_core.IMAPClient(server.host, port=server.port, ssl=False)
    try:
        with pytest.raises(ValueError, match="sasl_login"):
            c.authenticate("GSSAPI", server.user, server.password)
        with pytest.raises(ValueError, match="SCRAM"):
            c.authenticate("PLAIN", server.user, server.password, nonce="abc")
        assert c.authenticate("PLAIN", server.user, server.password) == b"Logged in"
    finally:
        c.logout()


def test_layer2_sasl(server):
    async def main():
        for mechanism in ("SCRAM-SHA-256", "callable"):
            imap = await imap_core.aio.connect(server.host, server.port, security="plain", timeout=10)
            if mechanism == "callable":
                text = await imap.sasl_login("PLAIN", lambda _: f"\0{server.user}\0{server.password}")
            else:
                text = await imap.authenticate(mechanism, server.user, server.password)
            assert text == b"Logged in"
            assert await imap.folder_exists("INBOX")
            await imap.logout()
        imap = await imap_core.aio.connect(server.host, server.port, security="plain", timeout=10)
        with pytest.raises(ZeroDivisionError):
            await imap.sasl_login("PLAIN", lambda _: 1 / 0)
        with pytest.raises(imap_core.LoginError):
            await imap.authenticate("SCRAM-SHA-1", server.user, "wrong")
        await imap.logout()

    asyncio.run(main())


OAUTHBEARER = """\
S: * OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER] ready
C: {a} AUTHENTICATE OAUTHBEARER
S: + \r\n
C: {response}
S: {a} OK Success
C: {bye} LOGOUT
S: * BYE logging out
S: {bye} OK LOGOUT completed
"""


def test_oauthbearer_login_sends_what_imapclient_sends(scripted):
    """Both clients on the same script: the same bytes, the same result."""
    sent = base64.b64encode(b"n,a=a=3Db=2Cc@example.org,\x01auth=Bearer tok3n\x01\x01").decode()
    script = OAUTHBEARER.replace("S: + \r\n", "SB: + \\r\\n").replace("{response}", sent)
    # imaplib asks for the capabilities before, whatever the greeting said;
    # imap_core after (the OK brought none, and they change on login).
    capability = "C: {c} CAPABILITY\nS: * CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER\nS: {c} OK done\n"
    imapclient_script = script.replace("C: {a}", capability + "C: {a}", 1)
    script = script.replace("C: {bye}", capability.replace(" AUTH=OAUTHBEARER", "") + "C: {bye}", 1)
    results = []
    for client, script in ((imapclient.IMAPClient, imapclient_script), (imap_core.IMAPClient, script)):
        with scripted(script) as port:
            c = client("127.0.0.1", port=port, ssl=False)
            results.append(c.oauthbearer_login("a=b,c@example.org", "tok3n"))
            c.logout()
    assert results[0] == results[1] == [b"Success"]


OAUTHBEARER_REFUSED = """\
S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready
C: {a} AUTHENTICATE OAUTHBEARER bixhPWFsaWNlLAFhdXRoPUJlYXJlciBvbGQBAQ==
# {"status":"invalid_token"}: RFC 7628 3.2.3, answered with a dummy ^A
S: + eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=
C: AQ==
S: {a} NO [AUTHENTICATIONFAILED] invalid token
C: {bye} LOGOUT
S: * BYE logging out
S: {bye} OK LOGOUT completed
"""


def test_oauthbearer_error_challenge(scripted):
    """With SASL-IR the token goes with the command; an error challenge is
    answered with ^A and the refusal is a LoginError."""
    with scripted(OAUTHBEARER_REFUSED) as port:
        c = imap_core.IMAPClient("127.0.0.1", port=port, ssl=False)
        with pytest.raises(imap_core.LoginError, match="invalid token"):
            c.oauthbearer_login("alice", "old")
        c.logout()


# ------------------------------------------------- streaming FETCH, ESEARCH


def test_fetch_stream_layer3(server):
    c, folder = fresh_folder(server, 5)
    try:
        uids = c.search()
        got = [(uid, data[b"BODY[TEXT]"]) for uid, data in c.fetch_stream(uids, ["BODY.PEEK[TEXT]"])]
        assert got == [(uid, f"body {i}\r\n".encode()) for i, uid in enumerate(uids)]
        # Left after two: the rest is read and dropped, the session goes on.
        taken = []
        for uid, data in c.fetch_stream(uids, ["FLAGS", "BODY.PEEK[TEXT]"]):
            taken.append(uid)
            if len(taken) == 2:
                break
        assert taken == uids[:2]
        assert c.search(["SUBJECT", "stream 4"]) == [uids[4]]
        with c.fetch_stream(uids, ["FLAGS"]) as stream:
            assert next(stream)[0] == uids[0]
        assert list(c.get_flags(uids[:1])) == uids[:1]
        assert list(c.fetch_stream([999999], ["FLAGS"])) == []
    finally:
        drop(c, folder)


def test_fetch_stream_layer2(server):
    async def main():
        imap = await imap_core.aio.connect(server.host, server.port, security="plain", timeout=10)
        await imap.login(server.user, server.password)
        folder = f"Stream{uuid.uuid4().hex[:8]}"
        await imap.create_folder(folder)
        await imap.multiappend(folder, [message(i) for i in range(5)])
        await imap.select_folder(folder)
        uids = await imap.search()
        got = [(uid, data[b"BODY[TEXT]"]) async for uid, data in imap.fetch_stream(uids, ["BODY.PEEK[TEXT]"])]
        assert got == [(uid, f"body {i}\r\n".encode()) for i, uid in enumerate(uids)]
        async with imap.fetch_stream(uids, ["BODY.PEEK[TEXT]"]) as stream:
            async for uid, _ in stream:
                break
        assert uid == uids[0]
        # Another coroutine's command runs while a stream is left early.
        found, flags = await asyncio.gather(imap.search(["SUBJECT", "stream 3"]), imap.get_flags(uids[-1:]))
        assert (list(found), list(flags)) == ([uids[3]], uids[-1:])
        await imap.close_folder()
        await imap.delete_folder(folder)
        await imap.logout()

    asyncio.run(main())


def test_esearch_and_check(server):
    c, folder = fresh_folder(server, 5)
    try:
        assert c.has_capability("ESEARCH")
        uids = c.search()
        c.add_flags(uids[1:3], [imap_core.SEEN])
        e = c.esearch(["UNSEEN"], ["MIN", "MAX", "COUNT", "ALL"])
        assert e.uid is True
        assert (e.min, e.max, e.count) == (uids[0], uids[4], 3)
        assert e.all == f"{uids[0]},{uids[3]}:{uids[4]}"
        assert sorted(c.fetch(e.all, ["FLAGS"])) == [uids[0], uids[3], uids[4]]
        assert c.esearch("SEEN", ["COUNT"]) == (True, None, None, 2, None, None)
        with pytest.raises(ValueError, match="unknown ESEARCH return option"):
            c.esearch("ALL", ["MEDIAN"])
        assert c.check().startswith(b"Check completed")
    finally:
        drop(c, folder)
