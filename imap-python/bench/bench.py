"""End-to-end benchmark of the Python IMAP clients against the project's
Dovecot: the meta fetch (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE) and the
full-body fetch (BODY.PEEK[]) of every message in INBOX, in one run, for
imap_core.IMAPClient, imap_core.aio, IMAPClient, imaplib, aioimaplib and a
raw socket that only reads the reply. Prints a table of medians.

    eval "$(scripts/dovecot env)"
    .run/venv/bin/python imap-python/bench/bench.py [--rounds 5] [--count 2000]

Seeds INBOX with `cargo run -p imap-blocking --example seed` when it does
not hold --count messages. Not a test: nothing here passes or fails.
"""

import argparse
import asyncio
import imaplib
import os
import socket
import statistics
import subprocess
import time

import aioimaplib
import imapclient

import imap_core
import imap_core.aio

HOST = os.environ.get("IMAP_HOST", "127.0.0.1")
PORT = int(os.environ.get("IMAP_PORT", "14143"))
USER = os.environ.get("IMAP_USER", "alice")
PASSWORD = os.environ.get("IMAP_PASSWORD", "alice-password-1")
META = ["FLAGS", "ENVELOPE", "BODYSTRUCTURE", "RFC822.SIZE"]
FULL = ["BODY.PEEK[]"]


def ensure_seeded(count: int) -> None:
    c = imap_core.IMAPClient(HOST, port=PORT, ssl=False)
    c.login(USER, PASSWORD)
    exists = c.select_folder("INBOX", readonly=True)[b"EXISTS"]
    c.logout()
    if exists != count:
        print(f"seeding INBOX with {count} messages (it has {exists})")
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "imap-blocking", "--example", "seed", "--", "--count", str(count), "--reset"],
            cwd=root,
            check=True,
        )


# Each runner: (setup, one fetch -> number of messages seen, teardown).


def run_imap_core(items):
    c = imap_core.IMAPClient(HOST, port=PORT, ssl=False)
    c.login(USER, PASSWORD)
    c.select_folder("INBOX", readonly=True)
    uids = c.search()
    return (lambda: len(c.fetch(uids, items))), c.logout


def run_imapclient(items):
    c = imapclient.IMAPClient(HOST, port=PORT, ssl=False)
    c.login(USER, PASSWORD)
    c.select_folder("INBOX", readonly=True)
    uids = c.search()
    return (lambda: len(c.fetch(uids, items))), c.logout


def run_imaplib(items):
    m = imaplib.IMAP4(HOST, PORT)
    m.login(USER, PASSWORD)
    m.select("INBOX", readonly=True)
    spec = "(" + " ".join(items) + ")"

    def once():
        typ, data = m.uid("FETCH", "1:*", spec)
        return sum(1 for d in data if isinstance(d, tuple) or (isinstance(d, bytes) and d[:1].isdigit()))

    return once, m.logout


class AsyncRunner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)


def run_imap_core_aio(items):
    r = AsyncRunner()

    async def setup():
        c = await imap_core.aio.connect(HOST, PORT, security="plain")
        await c.login(USER, PASSWORD)
        await c.select_folder("INBOX", readonly=True)
        return c, await c.search()

    c, uids = r.run(setup())
    return (lambda: len(r.run(c.fetch(uids, items)))), (lambda: r.run(c.logout()))


def run_aioimaplib(items):
    r = AsyncRunner()

    async def setup():
        c = aioimaplib.IMAP4(host=HOST, port=PORT, timeout=60)
        await c.wait_hello_from_server()
        await c.login(USER, PASSWORD)
        await c.select("INBOX")
        return c

    c = r.run(setup())
    spec = "(" + " ".join(items) + ")"

    def once():
        response = r.run(c.uid("fetch", "1:*", spec))
        return sum(1 for line in response.lines if b" FETCH " in line[:40])

    return once, (lambda: r.run(c.logout()))


def run_raw(items):
    """Sends the command and reads until the tagged completion: the floor."""
    sock = socket.create_connection((HOST, PORT))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = bytearray()

    def until(marker: bytes) -> None:
        while marker not in buf[-200:]:
            chunk = sock.recv(1 << 18)
            if not chunk:
                raise EOFError
            buf.extend(chunk)

    until(b"\r\n")
    sock.sendall(f'a LOGIN {USER} "{PASSWORD}"\r\nb EXAMINE INBOX\r\n'.encode())
    until(b"b OK")
    counter = [0]

    def once():
        counter[0] += 1
        tag = f"f{counter[0]}".encode()
        buf.clear()
        sock.sendall(tag + b" UID FETCH 1:* (" + " ".join(items).encode() + b")\r\n")
        until(b"\r\n" + tag + b" OK")
        return buf.count(b" FETCH (")

    return once, sock.close


RUNNERS = [
    ("imap_core.IMAPClient", run_imap_core),
    ("imap_core.aio", run_imap_core_aio),
    ("IMAPClient", run_imapclient),
    ("imaplib", run_imaplib),
    ("aioimaplib", run_aioimaplib),
    ("raw socket drain", run_raw),
]


def measure(runner, items, rounds):
    once, teardown = runner(items)
    once()  # warm up (connection, caches)
    times, seen = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        seen = once()
        times.append(time.perf_counter() - started)
    teardown()
    return statistics.median(times), seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    ensure_seeded(args.count)
    results = {}
    for name, runner in RUNNERS:
        for label, items in (("meta", META), ("full", FULL)):
            results[(name, label)] = measure(runner, items, args.rounds)
    raw = {label: results[("raw socket drain", label)][0] for label in ("meta", "full")}
    ours = results[("imap_core.IMAPClient", "meta")][0]
    print(f"\n{args.count} messages, median of {args.rounds} rounds, Dovecot on {HOST}:{PORT}\n")
    print(f"| client | meta fetch (ms) | x raw | full-body fetch (ms) | x raw | messages |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, _ in RUNNERS:
        meta, n = results[(name, "meta")]
        full, _ = results[(name, "full")]
        print(f"| {name} | {meta * 1e3:.1f} | {meta / raw['meta']:.2f} | {full * 1e3:.1f} | {full / raw['full']:.2f} | {n} |")
    print(f"\nIMAPClient / imap_core.IMAPClient on the meta fetch: {results[('IMAPClient', 'meta')][0] / ours:.1f}x")


if __name__ == "__main__":
    main()
