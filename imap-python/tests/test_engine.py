"""Layer 1, the sans-I/O engine, without a network: the call order, time
passed in, and hostile server bytes, which must end in a Python exception
carrying the core's message, never a crash and never a hang."""

import random

import pytest

import imap_core


def engine_after_login(**config):
    e = imap_core.Engine(**config)
    e.handle_timeout(100.0)
    e.feed(b"* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] ready\r\n")
    assert e.poll_event().kind == "greeting"
    rid = e.login("alice", "secret")
    assert e.poll_transmit() == b'A1 LOGIN alice "secret"\r\n'
    e.advance_transmit(25)
    e.feed(b"A1 OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] in\r\n")
    events = drain(e)
    assert ("ready", rid) in [(ev.kind, ev.id) for ev in events]
    assert e.take(rid) == b"in"
    return e


def test_event_repr_is_python():
    e = imap_core.Engine()
    e.feed(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")
    assert repr(e.poll_event()) == "Event(kind='greeting', id=None, data=b'[CAPABILITY IMAP4rev1] hi')"
    rid = e.noop()
    e.feed(b"A1 OK done\r\n")
    assert repr([ev for ev in drain(e) if ev.kind == "ready"][0]) == f"Event(kind='ready', id={rid}, data=None)"


def drain(e):
    events = []
    while (ev := e.poll_event()) is not None:
        events.append(ev)
    return events


def sent(e):
    out = b""
    while (chunk := e.poll_transmit()) is not None:
        e.advance_transmit(len(chunk))
        out += chunk
    return out


def test_call_order_results_and_time():
    e = engine_after_login()
    sel = e.select_folder("Entwürfe & more")
    search = e.search(["UNSEEN"])
    assert sent(e) == b'A2 SELECT "Entw&APw-rfe &- more"\r\n'  # SEARCH waits for SELECT
    e.feed(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\nA2 OK [READ-WRITE] done\r\n")
    assert [ev.kind for ev in drain(e)] == ["ready"]
    assert e.take(sel)[b"EXISTS"] == 3
    assert sent(e) == b"A3 UID SEARCH UNSEEN\r\n"
    assert not e.is_ready(search)
    with pytest.raises(LookupError):
        e.take(search)
    for byte in b"* SEARCH 4 9\r\nA3 OK done\r\n":  # any split of the stream
        e.feed(bytes([byte]))
    drain(e)
    assert list(e.take(search)) == [4, 9]
    # Time: the response timeout counts on the caller's clock.
    e.noop()
    sent(e)
    e.handle_timeout(101.0)
    assert e.poll_timeout() == pytest.approx(161.0)
    e.handle_timeout(161.5)
    assert e.is_closed and "no response from the server for 60s" in e.connection_error


def test_fetch_bodies_arrive_as_bytes():
    e = engine_after_login()
    e.select_folder("INBOX")
    e.feed(b"A2 OK [READ-WRITE] ok\r\n")
    f = e.fetch([7], ["BODY.PEEK[]", "RFC822.SIZE"])
    sent(e)
    e.feed(b"* 1 FETCH (UID 7 RFC822.SIZE 5 BODY[] {5}\r\nhello)\r\nA3 OK done\r\n")
    drain(e)
    assert e.take(f) == {7: {b"SEQ": 1, b"RFC822.SIZE": 5, b"BODY[]": b"hello"}}


@pytest.mark.parametrize("enabled", [True, False])
def test_a_large_fetch_is_built_without_collections_and_leaves_the_collector_as_it_was(enabled):
    # Thousands of dicts and tuples would otherwise run collection after
    # collection over the half-built result.
    import gc

    e = engine_after_login()
    e.select_folder("INBOX")
    e.feed(b"A2 OK [READ-WRITE] ok\r\n")
    f = e.fetch("1:1000", ["FLAGS", "ENVELOPE"])
    sent(e)
    envelope = b'("d" "s" (("n" NIL "m" "h")) NIL NIL (("t" NIL "u" "h")) NIL NIL NIL "<id>")'
    wire = b"".join(
        b"* %d FETCH (UID %d FLAGS (\\Seen) ENVELOPE %s)\r\n" % (i, i, envelope) for i in range(1, 1001)
    )
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    was, threshold = gc.isenabled(), gc.get_threshold()
    gc.callbacks.append(count)
    try:
        gc.set_threshold(100, 10, 10)
        (gc.enable if enabled else gc.disable)()
        e.feed(wire + b"A3 OK done\r\n")
        # Built with the collector off: the ~7,000 containers would cost ~70
        # collections at this threshold; one or two come once it is back on.
        assert len(collections) <= (3 if enabled else 0), collections
        assert gc.isenabled() == enabled
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
        (gc.enable if was else gc.disable)()
    drain(e)
    result = e.take(f)
    assert len(result) == 1000 and result[1000][b"FLAGS"] == (b"\\Seen",)


@pytest.mark.parametrize(
    "hostile, message",
    [
        (b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n", "does not fit in 64 bits"),
        (b"* BYE go away\r\n", "the server closed the connection: go away"),
    ],
)
def test_fatal_bytes_end_the_session_with_the_core_message(hostile, message):
    e = engine_after_login()
    rid = e.noop()
    sent(e)
    e.feed(hostile)
    e.feed_eof()
    kinds = [ev.kind for ev in drain(e)]
    assert "connection_lost" in kinds
    with pytest.raises(imap_core.IMAPClientAbortError, match=message):
        e.take(rid)
    with pytest.raises(imap_core.IMAPClientAbortError):
        e.noop()  # and nothing more is accepted


def test_malformed_responses_are_reported_and_the_session_goes_on():
    e = engine_after_login(max_line_length=4096)
    rid = e.noop()
    sent(e)
    e.feed(b"* 1 FETCH (FLAGS (\\Seen) UID)\r\n+ unexpected\r\nA9 OK unknown tag\r\n")
    e.feed(b"* " + b"x" * 200_000 + b"\r\n")
    e.feed(b"A2 OK noop done\r\n")
    events = drain(e)
    kinds = [ev.kind for ev in events]
    assert kinds.count("response_error") == 2 and kinds.count("protocol_error") == 2
    assert any("malformed response" in ev.data for ev in events if ev.kind == "response_error")
    assert any("line length" in ev.data for ev in events if ev.kind == "response_error")
    assert e.take(rid) == b"noop done"


def test_random_bytes_never_crash_nor_hang():
    rng = random.Random(12)
    alphabet = b"* OK NO BAD FETCH ( ) [ ] { } 0123456789 \r\n \"\\ + A1 BODY[] ENVELOPE NIL ~\x00\xff"
    for _ in range(300):
        e = engine_after_login(response_timeout=5.0)
        e.select_folder("INBOX")
        e.feed(b"A2 OK [READ-WRITE] ok\r\n")
        rid = e.fetch([1], ["ENVELOPE", "BODY.PEEK[]"])
        sent(e)
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 400)))
        while data:
            n = rng.randrange(1, 40)
            e.feed(data[:n])
            data = data[n:]
            drain(e)
        e.feed_eof()
        drain(e)
        # Every request ends: a result or an exception, with a message.
        try:
            e.take(rid)
        except imap_core.IMAPClientError as err:
            assert str(err)
        assert e.is_closed
