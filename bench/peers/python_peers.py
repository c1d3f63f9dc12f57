"""The Python rows of peers-bench: the peers imaplib (standard library),
IMAPClient and aioimaplib (pinned in scripts/bench, installed in its venv),
and this project's Python layers (imap-python, the package imap_core, built
into the same venv by scripts/bench): imap_core.IMAPClient (IMAPClient's
API) and imap_core.aio (asyncio).

    python_peers.py worker CLIENT OP MAILBOX UID-LO UID-HI

Started by `peers-bench` (bench/peers/src/runner.rs) with the server in
IMAP_HOST, IMAP_PORT, IMAP_USER and IMAP_PASSWORD (plain TCP). The same
line protocol as the Rust workers: {"ready": true} once logged in and the
mailbox EXAMINEd, then for each `run` on stdin one JSON line
{"ms": .., "messages": .., "bytes": ..} (or {"error": ..}); `quit` or the
end of input logs out. Only the operation is timed; counting what came back
(to check it against the raw floor) is not.

CLIENT is imaplib, imapclient, aioimaplib, imap-python (imap_core.IMAPClient)
or imap-python-aio (imap_core.aio); OP is full (UID FETCH 1:* (BODY.PEEK[])),
meta (UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)), seq (UID
FETCH <uid> (BODY.PEEK[]) for each UID from UID-LO to UID-HI, one after
another) or pipe (the same at once: asyncio.gather, the asyncio clients
only).
"""

import asyncio
import json
import os
import re
import sys
import time

META = "(FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)"
BODY = "(BODY.PEEK[])"
# The same, as IMAPClient's API takes them.
ITEMS = {"meta": ["FLAGS", "ENVELOPE", "BODYSTRUCTURE", "RFC822.SIZE"], "body": ["BODY.PEEK[]"]}
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
FETCH_START = re.compile(rb"^\d+ (FETCH )?\(")
LITERAL = re.compile(rb"\{(\d+)\}$")


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def server():
    env = os.environ
    return env["IMAP_HOST"], int(env["IMAP_PORT"]), env["IMAP_USER"], env["IMAP_PASSWORD"]


def count_imaplib(data, op):
    """imaplib's untyped answer: tuples (line ending in a literal's {n}, the
    literal) and bytes lines (a response's rest or a whole response)."""
    pieces = []
    for item in data:
        if isinstance(item, tuple):
            pieces.append((item[0], item[1]))
        elif item is not None:
            pieces.append((item, None))
    return count_responses(pieces, op)


def count_responses(pieces, op):
    """Counts (text, literal-or-None) pieces the way the Rust workers count
    typed results: responses with a body and its bytes, or responses with
    flags, envelope, body structure and size and the sum of the sizes."""
    messages = total = 0
    text, body = None, None

    def close():
        nonlocal messages, total
        if text is None:
            return
        if op == "meta":
            sizes = SIZE.findall(text)
            if sizes and all(k in text for k in (b"FLAGS", b"ENVELOPE", b"BODYSTRUCTURE")):
                messages += 1
                total += sum(int(s) for s in sizes)
        elif body is not None:
            messages += 1
            total += len(body)

    for line, literal in pieces:
        line = bytes(line)
        if FETCH_START.match(line):
            close()
            text, body = b"", None
        if text is None:
            continue
        text += line
        if literal is not None and line.rstrip().endswith(b"}") and b"BODY[] {" in line[-40:]:
            body = literal
    close()
    return messages, total


def count_dicts(answers, op):
    """IMAPClient's answer shape, {msgid: {b"BODY[]": .., ...}}, counted as
    the Rust workers count typed results."""
    messages = total = 0
    for answer in answers:
        for data in answer.values():
            if op == "meta":
                if b"ENVELOPE" in data and b"BODYSTRUCTURE" in data and b"FLAGS" in data:
                    messages += 1
                    total += data[b"RFC822.SIZE"]
            elif data.get(b"BODY[]") is not None:
                messages += 1
                total += len(data[b"BODY[]"])
    return messages, total


class Imaplib:
    def __init__(self, mailbox):
        import imaplib

        host, port, user, password = server()
        self.imap = imaplib.IMAP4(host, port)
        self.imap.login(user, password)
        typ, _ = self.imap.select(quote(mailbox), readonly=True)
        if typ != "OK":
            raise RuntimeError("EXAMINE failed")

    def run(self, op, lo, hi):
        what = META if op == "meta" else BODY
        start = time.perf_counter()
        if op in ("full", "meta"):
            typ, data = self.imap.uid("FETCH", "1:*", what)
            answers = [(typ, data)]
        elif op == "seq":
            answers = [self.imap.uid("FETCH", str(uid), what) for uid in range(lo, hi + 1)]
        else:
            raise RuntimeError("no pipelining")
        elapsed = time.perf_counter() - start
        messages = total = 0
        for typ, data in answers:
            if typ != "OK":
                raise RuntimeError("FETCH failed")
            m, b = count_imaplib(data, op)
            messages, total = messages + m, total + b
        return elapsed, messages, total

    def quit(self):
        self.imap.logout()


class ImapClient:
    def __init__(self, mailbox):
        from imapclient import IMAPClient

        host, port, user, password = server()
        self.imap = IMAPClient(host, port=port, ssl=False)
        self.imap.login(user, password)
        self.imap.select_folder(mailbox, readonly=True)
        # IMAPClient 4 takes message ids, not "1:*" (it keeps only the
        # messages asked for): the whole mailbox is its UIDs, searched once.
        self.all = self.imap.search("ALL")

    def run(self, op, lo, hi):
        items = ITEMS["meta" if op == "meta" else "body"]
        start = time.perf_counter()
        if op in ("full", "meta"):
            answers = [self.imap.fetch(self.all, items)]
        elif op == "seq":
            answers = [self.imap.fetch([uid], items) for uid in range(lo, hi + 1)]
        else:
            raise RuntimeError("no pipelining")
        elapsed = time.perf_counter() - start
        return (elapsed,) + count_dicts(answers, op)

    def quit(self):
        self.imap.logout()


def count_aioimaplib(lines, op):
    """aioimaplib's untyped answer: a list of lines where a line ending in
    {n} is followed by the literal; the last line is the tagged status text."""
    pieces = []
    i = 0
    while i < len(lines):
        line = bytes(lines[i])
        if LITERAL.search(line) and i + 1 < len(lines):
            pieces.append((line, lines[i + 1]))
            i += 2
        else:
            pieces.append((line, None))
            i += 1
    return count_responses(pieces, op)


class Aioimaplib:
    def __init__(self, mailbox):
        import aioimaplib

        host, port, user, password = server()
        self.loop = asyncio.new_event_loop()

        async def connect():
            self.imap = aioimaplib.IMAP4(host=host, port=port, timeout=600)
            await self.imap.wait_hello_from_server()
            r = await self.imap.login(user, password)
            if r.result != "OK":
                raise RuntimeError("login failed")
            # aioimaplib's examine() leaves it in the AUTH state, where it
            # refuses UID FETCH; select() is its way in (PEEK sets no flag).
            r = await self.imap.select(quote(mailbox))
            if r.result != "OK":
                raise RuntimeError("EXAMINE failed")

        self.loop.run_until_complete(connect())

    def run(self, op, lo, hi):
        what = META if op == "meta" else BODY

        async def fetch():
            start = time.perf_counter()
            if op in ("full", "meta"):
                answers = [await self.imap.uid("fetch", "1:*", what)]
            elif op == "seq":
                answers = [await self.imap.uid("fetch", str(uid), what) for uid in range(lo, hi + 1)]
            else:
                answers = await asyncio.gather(*(self.imap.uid("fetch", str(uid), what) for uid in range(lo, hi + 1)))
            return time.perf_counter() - start, answers

        elapsed, answers = self.loop.run_until_complete(fetch())
        messages = total = 0
        for r in answers:
            if r.result != "OK":
                raise RuntimeError("FETCH failed: %r" % (r.lines[-1:],))
            m, b = count_aioimaplib(r.lines, op)
            messages, total = messages + m, total + b
        return elapsed, messages, total

    def quit(self):
        self.loop.run_until_complete(self.imap.logout())


class ImapCoreClient:
    """imap_core.IMAPClient: IMAPClient's API on the Rust engine, over a
    blocking socket. It takes "1:*" (IMAPClient 4 does not)."""

    def __init__(self, mailbox):
        from imap_core import IMAPClient

        host, port, user, password = server()
        self.imap = IMAPClient(host, port=port, ssl=False)
        self.imap.login(user, password)
        self.imap.select_folder(mailbox, readonly=True)

    def run(self, op, lo, hi):
        items = ITEMS["meta" if op == "meta" else "body"]
        start = time.perf_counter()
        if op in ("full", "meta"):
            answers = [self.imap.fetch("1:*", items)]
        elif op == "seq":
            answers = [self.imap.fetch([uid], items) for uid in range(lo, hi + 1)]
        else:
            raise RuntimeError("no pipelining")
        elapsed = time.perf_counter() - start
        return (elapsed,) + count_dicts(answers, op)

    def quit(self):
        self.imap.logout()


class ImapCoreAio:
    """imap_core.aio: the same engine on asyncio; concurrent coroutines
    pipeline over the one connection."""

    def __init__(self, mailbox):
        import imap_core.aio

        host, port, user, password = server()
        self.loop = asyncio.new_event_loop()

        async def connect():
            self.imap = await imap_core.aio.connect(host, port, security="plain", timeout=600)
            await self.imap.login(user, password)
            await self.imap.select_folder(mailbox, readonly=True)

        self.loop.run_until_complete(connect())

    def run(self, op, lo, hi):
        items = ITEMS["meta" if op == "meta" else "body"]

        async def fetch():
            start = time.perf_counter()
            if op in ("full", "meta"):
                answers = [await self.imap.fetch("1:*", items)]
            elif op == "seq":
                answers = [await self.imap.fetch([uid], items) for uid in range(lo, hi + 1)]
            else:
                answers = await asyncio.gather(*(self.imap.fetch([uid], items) for uid in range(lo, hi + 1)))
            return time.perf_counter() - start, answers

        elapsed, answers = self.loop.run_until_complete(fetch())
        return (elapsed,) + count_dicts(answers, op)

    def quit(self):
        self.loop.run_until_complete(self.imap.logout())


def quote(mailbox):
    return '"%s"' % mailbox.replace("\\", "\\\\").replace('"', '\\"')


CLIENTS = {
    "imaplib": Imaplib,
    "imapclient": ImapClient,
    "aioimaplib": Aioimaplib,
    "imap-python": ImapCoreClient,
    "imap-python-aio": ImapCoreAio,
}


def versions():
    from importlib.metadata import version

    try:
        ours = "imap_core %s" % version("imap-core")
    except Exception:
        ours = "no imap_core"
    return "Python %s, IMAPClient %s, aioimaplib %s; %s" % (
        sys.version.split()[0], version("IMAPClient"), version("aioimaplib"), ours)


def main(argv):
    if argv == ["versions"]:
        print(versions())
        return 0
    if len(argv) != 6 or argv[0] != "worker" or argv[1] not in CLIENTS:
        sys.stderr.write(__doc__)
        return 2
    _, client, op, mailbox, lo, hi = argv
    lo, hi = int(lo), int(hi)
    try:
        worker = CLIENTS[client](mailbox)
    except Exception as e:  # reported to the orchestrator, which prints it in the row
        say({"error": "%s: %s" % (type(e).__name__, e)})
        return 1
    say({"ready": True})
    for line in sys.stdin:
        if line.strip() != "run":
            break
        try:
            elapsed, messages, total = worker.run(op, lo, hi)
            say({"ms": elapsed * 1e3, "messages": messages, "bytes": total})
        except Exception as e:
            say({"error": "%s: %s" % (type(e).__name__, e)})
    try:
        worker.quit()
    except Exception:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
