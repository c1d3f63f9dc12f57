"""Layer 2 against the live Dovecot: many coroutines on one connection,
cancellation, IDLE as an async iterator, automatic IDLE, TLS."""

import asyncio
import ssl
import uuid

import pytest

import imap_core
import imap_core.aio


def message(i: int) -> bytes:
    return (
        f"From: sender{i}@example.org\r\nTo: alice@example.org\r\n"
        f"Subject: message {i}\r\nDate: Mon, 1 Jan 2024 10:00:{i % 60:02d} +0000\r\n\r\nbody {i}\r\n"
    ).encode()


async def fresh_folder(server, count: int):
    imap = await imap_core.aio.connect(server.host, server.port, security="plain", timeout=10)
    await imap.login(server.user, server.password)
    folder = f"Aio{uuid.uuid4().hex[:8]}"
    await imap.create_folder(folder)
    await imap.multiappend(folder, [message(i) for i in range(count)])
    await imap.select_folder(folder)
    return imap, folder


def test_fifty_coroutines_each_get_their_own_result(server):
    async def main():
        imap, folder = await fresh_folder(server, 50)
        uids = await imap.search()
        assert len(uids) == 50

        async def one(uid):
            return uid, await imap.fetch([uid], ["ENVELOPE", "BODY.PEEK[TEXT]"])

        results = await asyncio.gather(*(one(uid) for uid in uids))
        for i, (uid, result) in enumerate(results):
            assert list(result) == [uid]
            assert result[uid][b"ENVELOPE"].subject == f"message {i}".encode()
            assert result[uid][b"BODY[TEXT]"] == f"body {i}\r\n".encode()
        # Mixed kinds at once, too.
        status, flags, found = await asyncio.gather(
            imap.folder_status(folder, ["MESSAGES"]), imap.get_flags(uids[:3]), imap.search(["SUBJECT", "message 7"])
        )
        assert status == {b"MESSAGES": 50}
        assert set(flags) == set(uids[:3])
        assert list(found) == [uids[7]]
        await imap.close_folder()
        await imap.delete_folder(folder)
        await imap.logout()

    asyncio.run(main())


def test_a_cancelled_fetch_leaves_the_session_correct(server):
    async def main():
        imap, folder = await fresh_folder(server, 200)
        uids = await imap.search()
        big = asyncio.ensure_future(imap.fetch(uids, ["BODY.PEEK[]", "ENVELOPE"]))
        await asyncio.sleep(0)  # sent, not yet answered
        big.cancel()
        with pytest.raises(asyncio.CancelledError):
            await big
        # The next commands get their own, right results.
        assert (await imap.fetch(uids[:1], ["FLAGS"]))[uids[0]][b"FLAGS"] == (b"\\Recent",)
        assert list(await imap.search(["SUBJECT", "message 199"])) == [uids[199]]
        # A timeout cancels the same way (when it wins the race; on a fast
        # machine the fetch may complete first, which is fine too).
        try:
            await asyncio.wait_for(imap.fetch(uids, ["BODY.PEEK[]"]), 0.0001)
        except asyncio.TimeoutError:
            pass
        assert (await imap.folder_status(folder, ["MESSAGES"]))[b"MESSAGES"] == 200
        assert imap.engine.pending == 0
        await imap.close_folder()
        await imap.delete_folder(folder)
        await imap.logout()

    asyncio.run(main())


async def append_elsewhere(server, folder):
    other = await imap_core.aio.connect(server.host, server.port, security="plain")
    await other.login(server.user, server.password)
    await other.append(folder, message(999))
    await other.logout()


def test_idle_as_an_async_iterator_woken_by_another_connection(server):
    async def main():
        async with await imap_core.aio.connect(server.host, server.port, security="plain") as imap:
            await imap.login(server.user, server.password)
            folder = f"Aio{uuid.uuid4().hex[:8]}"
            await imap.create_folder(folder)
            await imap.select_folder(folder)
            async with imap.idling(timeout=10) as news:
                asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(append_elsewhere(server, folder)))
                async for response in news:
                    if response[-1:] == (b"EXISTS",):
                        assert response[0] == 1
                        break
                else:
                    pytest.fail("no EXISTS within 10 s")
            assert (await imap.select_folder(folder))[b"EXISTS"] == 1
            await imap.close_folder()
            await imap.delete_folder(folder)

    asyncio.run(main())


def test_automatic_idle_delivers_news_and_commands_still_run(server):
    async def main():
        imap = await imap_core.aio.connect(server.host, server.port, security="plain", auto_idle=0.05)
        await imap.login(server.user, server.password)
        folder = f"Aio{uuid.uuid4().hex[:8]}"
        await imap.create_folder(folder)
        await imap.select_folder(folder)
        await asyncio.sleep(0.3)
        assert imap.engine.is_idling
        await append_elsewhere(server, folder)
        news = imap.unsolicited()
        response = await asyncio.wait_for(news.__anext__(), 10)
        while response[-1:] != (b"EXISTS",):
            response = await asyncio.wait_for(news.__anext__(), 10)
        assert response == (1, b"EXISTS")
        assert len(await imap.search()) == 1  # ends IDLE, runs, IDLE resumes
        imap.set_auto_idle(None)
        await imap.close_folder()
        await imap.delete_folder(folder)
        await imap.logout()

    asyncio.run(main())


def test_tls_starttls_and_verification(server):
    async def main():
        imap = await imap_core.aio.connect("localhost", server.tls_port, ca_file=server.ca_file)
        await imap.login(server.user, server.password)
        await imap.logout()
        imap = await imap_core.aio.connect("localhost", server.port, security="starttls", ca_file=server.ca_file)
        assert b"STARTTLS" not in await imap.capabilities()
        await imap.login(server.user, server.password)
        await imap.logout()
        with pytest.raises(ssl.SSLError):
            await imap_core.aio.connect("localhost", server.tls_port)
        imap = await imap_core.aio.connect("localhost", server.tls_port, insecure_skip_verify=True)
        await imap.logout()

    asyncio.run(main())


def test_errors_are_imapclient_exceptions(server):
    async def main():
        imap = await imap_core.aio.connect(server.host, server.port, security="plain")
        with pytest.raises(imap_core.LoginError):
            await imap.login(server.user, "wrong")
        await imap.login(server.user, server.password)
        with pytest.raises(imap_core.IMAPClientError):
            await imap.select_folder("does not exist")
        with pytest.raises(imap_core.UnsupportedError, match="xlist_folders"):
            imap.xlist_folders
        await imap.logout()

    asyncio.run(main())
