#!/usr/bin/env python3
"""Capture a real IMAP session against the test Dovecot (scripts/dovecot) as fixtures.

Usage:
    scripts/capture-transcript.py SERVER_BYTES_OUT TRACE_OUT
    e.g. scripts/capture-transcript.py imap-core/tests/data/dovecot-session.bin \\
                                       imap-core/tests/data/dovecot-session.trace

Connects with a raw socket (no imaplib, so the bytes are exactly what the server sent)
to IMAP_HOST:IMAP_PORT (default 127.0.0.1:14143, plain, no TLS), logs in as IMAP_USER /
IMAP_PASSWORD (default alice), and runs a representative command set in a dedicated
temporary mailbox that it creates and deletes again (leftovers of an aborted run are
removed first, on a separate unrecorded connection).

SERVER_BYTES_OUT receives only the server-to-client bytes, unmodified (greeting through
the final LOGOUT reply).  TRACE_OUT receives the whole dialogue, one physical line per
trace line, prefixed "C: " or "S: "; CRLF is dropped, literal contents are split on CRLF
too, and bytes that are not printable UTF-8 are shown as backslash escapes.

The files are only written if every command got the expected tagged status.
Standard library only.
"""

import os
import re
import socket
import sys
import time

HOST = os.environ.get("IMAP_HOST", "127.0.0.1")
PORT = int(os.environ.get("IMAP_PORT", os.environ.get("IMAP_TEST_PORT", "14143")))
USER = os.environ.get("IMAP_USER", "alice")
PASSWORD = os.environ.get("IMAP_PASSWORD", "alice-password-1")

MBOX = "imap-core-capture"
# "Entwürfe" in modified UTF-7 (RFC 3501 5.1.3), as a child of MBOX.
CHILD = MBOX + "/Entw&APw-rfe"

LITERAL_END = re.compile(rb"~?\{(\d+)\+?\}\r\n\Z")


def crlf(text):
    """Message text with LF line ends -> bytes with CRLF line ends."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --- test messages ---------------------------------------------------------------------

MSG_PLAIN = crlf("""\
Date: Mon, 7 Feb 1994 21:52:25 -0800
From: Fred Foobar <foobar@Blurdybloop.example>
Subject: afternoon meeting
To: mooch@owatagu.siam.example
Message-Id: <B27397-0100000@Blurdybloop.example>
MIME-Version: 1.0
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII

Hello Joe, do you think we can meet at 3:30 tomorrow?
""")

# 300 bytes including NUL and high bytes, base64-encoded as an attachment.
_ATTACHMENT = bytes(range(256)) + b"\x00\r\n\xff" * 11
_ATTACHMENT_B64 = __import__("base64").encodebytes(_ATTACHMENT).decode("ascii")

MSG_MULTIPART = crlf("""\
Date: Tue, 8 Feb 1994 09:15:00 +0100
From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>
To: "Fred Foobar" <foobar@Blurdybloop.example>,
 =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>
Cc: undisclosed-recipients:;
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
 =?UTF-8?B?IOKAlCBBbmhhbmc=?=
Message-Id: <20240208091500.1234@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_outer_boundary"

This is a multi-part message in MIME format.

--=_outer_boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hallo Fred,

anbei die Datei. Sch=C3=B6ne Gr=C3=BC=C3=9Fe!
--=_outer_boundary
Content-Type: application/octet-stream; name="=?UTF-8?Q?=C3=BCber.bin?="
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename*=UTF-8''%C3%BCber.bin
Content-Description: binary test data

""" + _ATTACHMENT_B64 + """\
--=_outer_boundary--
""")

MSG_RFC822_ATTACHED = crlf("""\
Date: Wed, 9 Feb 1994 12:00:00 +0000
From: bob@example.net
To: alice@example.net
Subject: Fwd: afternoon meeting
Message-Id: <fwd-1@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

See the forwarded message below.

--b1
Content-Type: message/rfc822

Date: Mon, 7 Feb 1994 21:52:25 -0800
From: Fred Foobar <foobar@Blurdybloop.example>
Subject: afternoon meeting
To: mooch@owatagu.siam.example
Message-Id: <B27397-0100000@Blurdybloop.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b2"

--b2
Content-Type: text/plain; charset=us-ascii

Hello Joe, do you think we can meet at 3:30 tomorrow?
--b2
Content-Type: text/html; charset=us-ascii

<p>Hello Joe, do you think we can meet at 3:30 tomorrow?</p>
--b2--

--b1--
""")

MSG_REPLY = crlf("""\
Date: Tue, 8 Feb 1994 08:01:00 -0800
From: mooch@owatagu.siam.example
To: Fred Foobar <foobar@Blurdybloop.example>
Subject: Re: afternoon meeting
Message-Id: <reply-1@owatagu.siam.example>
In-Reply-To: <B27397-0100000@Blurdybloop.example>
References: <B27397-0100000@Blurdybloop.example>
Content-Type: text/plain; charset=us-ascii

3:30 works for me.
""")

MSG_DURING_IDLE = crlf("""\
Date: Thu, 10 Feb 1994 10:00:00 +0000
From: bob@example.net
To: alice@example.net
Subject: new mail while idling
Message-Id: <idle-1@example.net>

ping
""")


# --- connection ------------------------------------------------------------------------

class Literal:
    def __init__(self, data, sync):
        self.data = data
        self.sync = sync


class Failure(Exception):
    pass


def escape_line(raw):
    out = []
    for ch in raw.decode("utf-8", "backslashreplace"):
        if ch == "\t" or ch == "\\" or (ch.isprintable() and ch != "\x7f"):
            out.append(ch)
        else:
            out.append("\\x%02x" % ord(ch) if ord(ch) < 0x100 else ch)
    return "".join(out)


class Conn:
    def __init__(self, record=True):
        self.sock = socket.create_connection((HOST, PORT), timeout=15)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.record = record
        self.server_bytes = bytearray()
        self.trace = []
        self.tagno = 0
        self.failures = []

    # low level
    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the connection")
        if self.record:
            self.server_bytes += data
        self.buf += data

    def _read_line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[: i + 2], self.buf[i + 2:]
                return line
            self._fill()

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self):
        """One logical server response: a line plus any {N} / ~{N} literals it carries."""
        resp = self._read_line()
        while True:
            m = LITERAL_END.search(resp)
            if not m:
                break
            resp += self._read_exact(int(m.group(1)))
            resp += self._read_line()
        self._trace("S: ", resp)
        return resp

    def _trace(self, prefix, data):
        if not self.record:
            return
        parts = data.split(b"\r\n")
        if parts and parts[-1] == b"":
            parts.pop()
        for p in parts:
            self.trace.append(prefix + escape_line(p))

    def send_raw(self, data):
        self._trace("C: ", data)
        self.sock.sendall(data)

    # commands
    def next_tag(self):
        self.tagno += 1
        return "A%03d" % self.tagno

    def command(self, *parts, expect="OK", on_continue=None):
        """Send a command made of str/bytes pieces and Literal()s; return all responses.

        A synchronizing literal waits for the server's "+" continuation first.
        """
        tag = self.next_tag()
        responses = []
        pending = tag.encode() + b" "
        for p in parts:
            if isinstance(p, Literal):
                pending += b"{%d%s}\r\n" % (len(p.data), b"" if p.sync else b"+")
                if p.sync:
                    self.send_raw(pending)
                    pending = b""
                    while True:
                        r = self.read_response()
                        responses.append(r)
                        if r.startswith(b"+"):
                            break
                        if r.startswith(tag.encode() + b" "):
                            raise Failure("literal refused: %r" % r)
                pending += p.data
            else:
                pending += p.encode() if isinstance(p, str) else p
        self.send_raw(pending + b"\r\n")
        return self.finish(tag, responses, expect, on_continue)

    def finish(self, tag, responses, expect, on_continue=None):
        tagb = tag.encode() + b" "
        while True:
            r = self.read_response()
            responses.append(r)
            if r.startswith(b"+") and on_continue is not None:
                on_continue(r)
            if r.startswith(tagb):
                status = r[len(tagb):].split(b" ", 1)[0].decode()
                if expect is not None and status != expect:
                    self.failures.append("%s: expected %s, got %r" % (tag, expect, r))
                return responses

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def quoted(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find(responses, pattern):
    for r in responses:
        m = re.search(pattern, r)
        if m:
            return m
    raise Failure("no response matched %r in %r" % (pattern, responses))


def side_login():
    c = Conn(record=False)
    c.read_response()
    c.command("LOGIN ", quoted(USER), " ", quoted(PASSWORD))
    if c.failures:
        raise Failure("side connection login failed: %s" % c.failures)
    return c


def cleanup_leftovers():
    c = side_login()
    for name in (CHILD, MBOX):
        c.command("UNSUBSCRIBE ", quoted(name), expect=None)
        c.command("DELETE ", quoted(name), expect=None)
    c.command("LOGOUT", expect=None)
    c.close()


def append_from_other_connection(msg):
    c = side_login()
    c.command("APPEND ", quoted(MBOX), ' "10-Feb-1994 10:00:00 +0000" ', Literal(msg, sync=False))
    c.command("LOGOUT", expect=None)
    c.close()
    return c.failures


def session(c):
    c.read_response()  # greeting
    c.command("CAPABILITY")
    c.command("LOGIN ", quoted(USER), " ", quoted(PASSWORD))
    c.command("CAPABILITY")
    c.command('ID ("name" "imap-core capture-transcript" "version" "0.1.0")')
    c.command("NAMESPACE")
    c.command("CREATE ", quoted(MBOX))
    c.command("CREATE ", quoted(CHILD))
    c.command("SUBSCRIBE ", quoted(MBOX))
    c.command('LIST "" "*"')
    c.command('LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))')
    c.command('LIST (SUBSCRIBED) "" ', quoted(MBOX + "*"), " RETURN (CHILDREN)")
    c.command('LSUB "" ', quoted(MBOX + "*"))
    # APPEND: synchronizing literal (waits for "+ OK"), LITERAL+, then MULTIAPPEND.
    c.command("APPEND ", quoted(MBOX), ' (\\Seen) "07-Feb-1994 21:52:25 -0800" ',
              Literal(MSG_PLAIN, sync=True))
    c.command("APPEND ", quoted(MBOX), ' (\\Flagged $Label1) "08-Feb-1994 09:15:00 +0100" ',
              Literal(MSG_MULTIPART, sync=False))
    c.command("APPEND ", quoted(MBOX), ' () "09-Feb-1994 12:00:00 +0000" ',
              Literal(MSG_RFC822_ATTACHED, sync=False),
              ' "08-Feb-1994 08:01:00 -0800" ', Literal(MSG_REPLY, sync=False))
    c.command("STATUS ", quoted(MBOX),
              " (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE)")
    sel = c.command("SELECT ", quoted(MBOX), " (CONDSTORE)")
    uidvalidity = int(find(sel, rb"\[UIDVALIDITY (\d+)\]").group(1))
    modseq0 = int(find(sel, rb"\[HIGHESTMODSEQ (\d+)\]").group(1))
    c.command("SELECT ", quoted("no-such-mailbox"), expect="NO")
    sel = c.command("SELECT ", quoted(MBOX), " (CONDSTORE)")
    c.command("STATUS ", quoted(CHILD), " (MESSAGES UIDNEXT UNSEEN)")
    c.command("UID SEARCH ALL")
    c.command("UID SEARCH UNSEEN FROM \"foobar\"")
    c.command("UID SEARCH CHARSET UTF-8 SUBJECT ", Literal("Grüße".encode(), sync=False))
    c.command("SEARCH RETURN (MIN MAX COUNT ALL) ALL")
    c.command("UID SEARCH RETURN (ALL) MODSEQ 1")
    c.command("UID SORT (REVERSE DATE) UTF-8 ALL")
    c.command("SORT (SUBJECT ARRIVAL) US-ASCII ALL")
    c.command("UID THREAD REFERENCES UTF-8 ALL")
    c.command("UID FETCH 1:* (FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ "
              "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[])")
    c.command("UID FETCH 2 (BODY BODY.PEEK[1.MIME] BODY.PEEK[1]<0.16> BINARY.PEEK[2] "
              "BINARY.SIZE[2])")
    c.command("FETCH 3 (BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[2.1] "
              "BODYSTRUCTURE)")
    c.command("UID STORE 1 +FLAGS (\\Answered $Forwarded)")
    c.command("STORE 2:3 FLAGS.SILENT (\\Seen)")
    # Conditional STORE: succeeds (message unchanged since modseq0), then fails with
    # "OK [MODIFIED 2]" (message 2 changed after modseq 1).
    c.command("UID STORE 4 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % modseq0)
    c.command("UID STORE 2 (UNCHANGEDSINCE 1) +FLAGS (\\Draft)")
    c.command("COPY 1 ", quoted(CHILD))
    c.command("UID MOVE 2 ", quoted(CHILD))
    c.command("UID STORE 3 +FLAGS.SILENT (\\Deleted)")
    c.command("EXPUNGE")
    c.command("NOOP")
    c.command("GETQUOTAROOT ", quoted(MBOX))
    c.command('GETQUOTA "User quota"')
    c.command("GETACL ", quoted(MBOX))
    c.command("MYRIGHTS ", quoted(MBOX))
    c.command("LISTRIGHTS ", quoted(MBOX), " ", quoted(USER))
    c.command("SETMETADATA ", quoted(MBOX), ' (/private/comment "capture test")')
    c.command("GETMETADATA ", quoted(MBOX), " (/private/comment /shared/comment)")
    c.command('GETMETADATA "" /shared/comment')
    c.command("ENABLE QRESYNC")
    # Re-select with QRESYNC: * OK [CLOSED], VANISHED (EARLIER), changed FETCHes.
    c.command("SELECT ", quoted(MBOX),
              " (QRESYNC (%d %d 1:10))" % (uidvalidity, modseq0))

    # IDLE: another connection appends a message; wait for "* N EXISTS", then DONE.
    tag = c.next_tag()
    c.send_raw(tag.encode() + b" IDLE\r\n")
    first = c.read_response()
    responses = [first]
    if not first.startswith(b"+"):
        raise Failure("IDLE not accepted: %r" % first)
    c.failures += append_from_other_connection(MSG_DURING_IDLE)
    deadline = time.time() + 10
    got_exists = False
    while not got_exists and time.time() < deadline:
        c.sock.settimeout(max(0.1, deadline - time.time()))
        try:
            r = c.read_response()
        except socket.timeout:
            break
        responses.append(r)
        got_exists = re.match(rb"\* \d+ EXISTS", r) is not None
    if not got_exists:
        c.failures.append("no EXISTS within 10 s of IDLE")
    c.sock.settimeout(15)
    c.send_raw(b"DONE\r\n")
    c.finish(tag, responses, "OK")

    c.command("UID FETCH 5 (FLAGS ENVELOPE)")
    c.command("UID STORE 5 +FLAGS.SILENT (\\Deleted)")
    c.command("UID EXPUNGE 5")  # -> * VANISHED 5
    c.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    c.command("SETMETADATA ", quoted(MBOX), " (/private/comment NIL)")
    c.command("UNSELECT")
    c.command("FROBNICATE", expect="BAD")
    c.command("UNSUBSCRIBE ", quoted(MBOX))
    c.command("DELETE ", quoted(CHILD))
    c.command("DELETE ", quoted(MBOX))
    # LOGOUT: read everything up to EOF so the recording ends with the server's last byte.
    c.command("LOGOUT")
    try:
        while True:
            c._fill()
    except (EOFError, OSError):
        pass
    if c.buf.strip():
        c._trace("S: ", c.buf)


def main(argv):
    if len(argv) != 3 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    bin_out, trace_out = argv[1], argv[2]
    cleanup_leftovers()
    c = Conn(record=True)
    try:
        session(c)
    finally:
        c.close()
    if c.failures:
        for f in c.failures:
            print("capture-transcript: unexpected reply: " + f, file=sys.stderr)
        print("capture-transcript: not writing %s / %s" % (bin_out, trace_out), file=sys.stderr)
        return 1
    for path in (bin_out, trace_out):
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
    with open(bin_out, "wb") as f:
        f.write(bytes(c.server_bytes))
    with open(trace_out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(c.trace) + "\n")
    print("capture-transcript: wrote %s (%d bytes) and %s (%d lines)"
          % (bin_out, len(c.server_bytes), trace_out, len(c.trace)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
