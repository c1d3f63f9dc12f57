#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/.

Seeds come from RFC 3501 / RFC 9051 (and extension RFC) examples, the
Dovecot capture in imap-core/tests/data/, and edge cases (literals of every
kind, {0}, deep nesting, NUL and 8-bit bytes). The input layouts are
documented in fuzz/src/checks/<target>.rs. Run once, then minimise:

    python3 fuzz/seeds.py && scripts/fuzz --cmin
"""

import hashlib
import os
import re
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(ROOT, "..", "imap-core", "tests", "data")


def write(target, data):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frames(stream):
    """Splits a server stream into responses (lines plus their literals)."""
    out, at, start = [], 0, 0
    while at < len(stream):
        lf = stream.find(b"\n", at)
        if lf < 0:
            break
        line = stream[at : lf + 1]
        m = re.search(rb"~?\{(\d+)\+?\}\r?\n$", line)
        # As the framer: `{N}` ending a status response's first line is
        # text (servers echo mailbox names there), not a literal.
        status = at == start and re.match(rb"\S+ (OK|NO|BAD|BYE|PREAUTH)\b", line, re.I)
        at = lf + 1
        if m and not status:
            at += int(m.group(1))
            continue
        out.append(stream[start:at])
        start = at
    return out


DOVECOT = open(os.path.join(DATA, "dovecot-session.bin"), "rb").read()

CAPS = (
    b"IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    b"THREAD=ORDEREDSUBJECT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED "
    b"CONDSTORE QRESYNC ESEARCH SEARCHRES LIST-STATUS BINARY MOVE LITERAL+ METADATA "
    b"SPECIAL-USE COMPRESS=DEFLATE QUOTA ACL RIGHTS=texk UTF8=ACCEPT STARTTLS AUTH=PLAIN "
    b"AUTH=LOGIN AUTH=XOAUTH2 AUTH=OAUTHBEARER"
)

RFC = [
    b"* OK IMAP4rev2 Service Ready\r\n",
    b"* OK [ALERT] System shutdown in 10 minutes\r\n",
    b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n",
    b"* BYE Autologout; idle for too long\r\n",
    b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n",
    b"* CAPABILITY " + CAPS + b"\r\n",
    b"* OK [CAPABILITY " + CAPS + b"] ready\r\n",
    b"* 172 EXISTS\r\n",
    b"* 1 RECENT\r\n",
    b"* OK [UNSEEN 12] Message 12 is first unseen\r\n",
    b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
    b"* OK [UIDNEXT 4392] Predicted next UID\r\n",
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
    b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
    b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
    b"A142 OK [READ-WRITE] SELECT completed\r\n",
    b"A932 OK [READ-ONLY] EXAMINE completed\r\n",
    b"A003 NO [TRYCREATE] No such mailbox\r\n",
    b"A001 BAD [PARSE] Command unknown\r\n",
    b"A002 NO [AUTHENTICATIONFAILED] Authentication failed\r\n",
    b"* LIST (\\Noselect) \"/\" \"\"\r\n",
    b"* LIST (\\Noselect) \".\" #news.\r\n",
    b"* LIST () \"/\" \"~/Mail/foo\"\r\n",
    b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n",
    b"* LIST () \"/\" \"Fruit/Peach\" (\"CHILDINFO\" (\"SUBSCRIBED\") \"OLDNAME\" (\"Fruit/Banana\"))\r\n",
    b"* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n",
    b"* LIST () NIL inbox\r\n",
    b"* LIST () \"/\" {7}\r\nfoo\"bar\r\n",
    b"* LIST () \"/\" ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n",
    b"* LSUB () \".\" #news.comp.mail.misc\r\n",
    b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
    b"* STATUS \"Entw&APw-rfe\" (MESSAGES 1 SIZE 12345 HIGHESTMODSEQ 7 APPENDLIMIT 100 MAILBOXID (F2212ea87))\r\n",
    b"* SEARCH 2 84 882\r\n",
    b"* SEARCH\r\n",
    b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
    b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
    b"* ESEARCH (TAG \"A283\") UID ALL 4:18,21,28\r\n",
    b"* SORT 2 3 6\r\n",
    b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
    b"* THREAD ((3)(5))\r\n",
    b"* 22 EXPUNGE\r\n",
    b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n",
    b"* VANISHED 405,407,410,425\r\n",
    b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n",
    b"* 12 FETCH (BODY[HEADER] {342}\r\n" + b"H" * 340 + b"\r\n)\r\n",
    b"* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n",
    b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
    b"ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
    b"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
    b"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
    b"((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
    b"\"<B27397-0100000@cac.washington.edu>\") "
    b"BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
    b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)"
    b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
    b"\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n",
    b"* 2 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 (\"date\" \"subj\" NIL NIL NIL NIL NIL NIL NIL NIL) "
    b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 12 NIL (\"inline\" NIL) NIL NIL))\r\n",
    b"* 1 FETCH (BINARY[] ~{5}\r\nab\x00cd)\r\n",
    b"* 1 FETCH (BINARY.SIZE[2] 45)\r\n",
    b"* 1 FETCH (BODY[1]<0> {0}\r\n)\r\n",
    b"* 3 FETCH (X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888 X-GM-LABELS (\\Inbox \"Muy Importante\"))\r\n",
    b"* 5 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) SAVEDATE \"01-Jan-2024 00:00:00 +0000\" PREVIEW \"Hi\")\r\n",
    b"+ Ready for additional command text\r\n",
    b"+ idling\r\n",
    b"+ \r\n",
    b"+\r\n",
    b"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39IxmRBOhXRKdDA0uHTCOT9Bq3\r\n",
    b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n",
    b"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
    b"* ENABLED CONDSTORE QRESYNC\r\n",
    b"* QUOTAROOT INBOX \"\"\r\n",
    b"* QUOTA \"\" (STORAGE 10 512)\r\n",
    b"* ACL INBOX Fred rwipslxetad\r\n",
    b"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n",
    b"* MYRIGHTS INBOX rwiptsldaex\r\n",
    b"* METADATA \"\" (/shared/comment \"Shared comment\")\r\n",
    b"* METADATA INBOX /shared/comment /private/comment\r\n",
    b"* METADATA INBOX (/private/comment {7}\r\nMy\r\nnew)\r\n",
    b"* ANNOTATION INBOX \"/comment\" (\"value.priv\" \"My comment\" \"value.shared\" NIL)\r\n",
    b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\")\r\n",
    b"* ID NIL\r\n",
    b"A001 OK [APPENDUID 38505 3955] APPEND completed\r\n",
    b"A003 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
    b"A004 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
    b"A005 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n",
    b"* OK [CLOSED] Previous mailbox closed\r\n",
    b"* BYE IMAP4rev1 Server logging out\r\n",
    b"A023 OK LOGOUT completed\r\n",
    b"* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 5 EXPUNGE\r\n* 8 EXPUNGE\r\nA202 OK EXPUNGE completed\r\n",
    b"* OK [BADCHARSET (UTF-8 US-ASCII)] bad charset\r\n",
    b"* NO [OVERQUOTA] Sorry\r\n",
    b"* XUNKNOWN 1 (2 (3)) {3}\r\nabc \"q\"\r\n",
    b"* 5 XNUMBERED stuff\r\n",
    b"* OK [XEXT 1 2 3] unknown code\r\n",
]

EDGE = [
    b"* OK\r\n",
    b"* OK \r\n",
    b"* OK [UIDNEXT 5]\r\n",
    b"* SEARCH 1 2 \r\n",
    b"* FLAGS (\\Seen )\r\n",
    b"* 1 FETCH (FLAGS (\\Seen \\*))\r\n",
    b"* 1 FETCH (BODYSTRUCTURE (NIL NIL NIL NIL NIL NIL -1))\r\n",
    b"* OK [UNSEEN 0] none\r\n",
    b"A1 BYE going away\r\n",
    b"* 1 FETCH (ENVELOPE (NIL \"Gr\xc3\xbc\xc3\x9fe\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
    b"* 1 FETCH (ENVELOPE (NIL \"a\x00b\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
    b"* LIST () \"/\" \"bad\xff\xfename\"\r\n",
    b"* OK status with \x00 NUL and \xff bytes\r\n",
    b"* 1 FETCH (BODY[] {0}\r\n)\r\n",
    b"* 1 FETCH (BODY[] {3+}\r\nabc)\r\n",
    b"* 1 FETCH (BODY[] {99999999999999}\r\n)\r\n",
    b"* 1 FETCH (BODY[] {99999999999999999999999999}\r\n)\r\n",
    b"* 1 FETCH (BODY[] {3}\nabc)\n",
    b"* 1 EXISTS\n",
    b"* 1 FETCH (BODYSTRUCTURE " + b"(" * 120 + b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1" + b")" * 120 + b")\r\n",
    b"* XNEST " + b"(" * 500 + b")" * 500 + b"\r\n",
    b"* 1 FETCH " + b"(" * 300 + b"\r\n",
    b"* 4294967295 EXISTS\r\n",
    b"* 4294967296 EXISTS\r\n",
    b"* 0 FETCH (UID 1)\r\n",
    b"* 0 EXPUNGE\r\n",
    b"\r\n",
    b"\n",
    b"*\r\n",
    b"+",
    b"A1",
]

# ----------------------------------------------------------------- response

dovecot_frames = frames(DOVECOT)
for f in RFC + EDGE + dovecot_frames:
    write("response", b"\x00" + f)
for f in RFC[:40:3] + EDGE[:12]:
    write("response", b"\x01" + f)  # strict
write("response", b"\x02* LIST () \"/\" \"Gr\xc3\xbc\xc3\x9fe\"\r\n")  # UTF-8 names
write("response", b"\x08" + EDGE[19])  # nesting limit 3

# ------------------------------------------------------------------- framer

DEFAULT = b"\xff\x00\x00"
write("framer", DEFAULT + b"\x00" + DOVECOT)
for i in range(0, len(dovecot_frames), 8):
    write("framer", DEFAULT + bytes([i % 256]) + b"".join(dovecot_frames[i : i + 8]))
write("framer", DEFAULT + b"\x07" + b"".join(RFC))
write("framer", DEFAULT + b"\x09" + b"".join(EDGE))
for limits in [b"\x20\x10\x40", b"\x08\x02\x10", b"\x40\xff\xff", b"\x01\x00\x00"]:
    write("framer", limits + b"\x03" + b"".join(RFC[40:60]))
    write("framer", limits + b"\x05" + b"".join(EDGE))
write("framer", b"\x10\x04\x20\x01* 1 FETCH (BODY[] {300}\r\n" + b"x" * 300 + b")\r\n* 2 EXISTS\r\n")
write("framer", b"\x10\x04\x20\x02* " + b"a" * 100 + b" {5}\r\nhello)\r\n* 2 EXISTS\r\n")
write("framer", b"\x10\x04\x20\x02* " + b"a" * 100 + b" {0005}\r\nhello)\r\n* 2 EXISTS\r\n")

# ------------------------------------------------------------------- encode

STRINGS = [
    b"alice", b"INBOX", b"inbox", "Entwürfe".encode(), "~peter/mail/台北/日本語".encode(),
    b"a\"b\\c", b"NIL", b"nil", b"", b"a b", b"x\r\ny", b"\r\n", b"\x00", b"a\x00b", b"{5}",
    b"{5}\r\nA2 LOGOUT", "pa ss wörd".encode(), "日本語".encode(), b"&", b"A&B", b"%*", b"]", b"(a)",
    b"a" * 1100, b"A1 OK", b"\xff\xfe", b"\x7f", b"\t", b"~{3}", b"\\Seen", b"$Forwarded",
    "😀".encode(), b"/shared/comment", b"Fred", b"foo]bar",
]
for i, s in enumerate(STRINGS):
    write("encode", bytes([i % 16]) + s)
    write("encode", b"\x00" + s)
    write("encode", b"\x0f" + s)

# --------------------------------------------------------------------- utf7

for s in [
    b"~peter/mail/&U,BTFw-/&ZeVnLIqe-", b"&-", b"Entw&APw-rfe", b"&2D3eAA-", b"INBOX", b"Tom &- Jerry",
    b"&AGE-", b"&AOk-&AOk-", b"&Jjo", b"&AO-", b"&AOl-", b"&2D0-", b"a/b&AOk/-", b"",
    "Entwürfe".encode(), "日本語".encode(), "😀".encode(), b"\xff", b"&ZeVnLIqe-&-", b"a\x00b",
]:
    write("utf7", s)

# ------------------------------------------------------------------- client

FEED_LINE, EOF, IDLE, IDLE_DONE, SWITCHED, DRAIN, CLOSE = b"\x00\x00", b"\x03", b"\x04", b"\x05", b"\x07", b"\x08", b"\x0b"


def feed(n):
    out = b""
    while n > 0:
        k = min(n, 254)
        out += bytes([0, k])
        n -= k
    return out


def enq(c):
    return bytes([1, c])


def stream(c):
    return bytes([12, c])


def timeout(s):
    return bytes([2, s])


def sasl(k):
    return bytes([6, k])


def write_n(n):
    return bytes([9, n])


def auth(m):
    return bytes([10, m])


def client(options, steps):
    """steps: (ops, server bytes fed by them); feeds are added for the bytes."""
    script, server = b"", b""
    for ops, data in steps:
        script += ops + feed(len(data))
        server += data
    write("client", bytes([options]) + len(script).to_bytes(2, "little") + script + server)


GREETING = b"* OK [CAPABILITY " + CAPS + b"] ready\r\n"
GREETING_PLAIN = b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 IDLE] ready\r\n"
LOGIN = (enq(2), b"A1 OK [CAPABILITY " + CAPS + b"] Logged in\r\n")
SELECT = (
    enq(3),
    b"* 3 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Deleted)\r\n* OK [UIDVALIDITY 7] ok\r\n"
    b"* OK [UIDNEXT 4] ok\r\nA2 OK [READ-WRITE] Select completed\r\n",
)

for options in [0x06, 0x00, 0x0e, 0x47, 0x16]:
    client(options, [(b"", GREETING), LOGIN, SELECT,
        (enq(6), b"* 1 FETCH (UID 1 BODY[] {5}\r\nhello)\r\n* 2 FETCH (UID 2 BODY[] {0}\r\n)\r\nA3 OK done\r\n"),
        (enq(7), b"* SEARCH 1 2 3\r\nA4 OK done\r\n"),
        (enq(8), b"* 1 FETCH (UID 1 FLAGS (\\Seen))\r\nA5 OK done\r\n"),
        (enq(10), b"* BYE logging out\r\nA6 OK done\r\n")])

# Pipelined commands answered in one go; unsolicited data interleaved.
client(0x06, [(b"", GREETING), LOGIN, SELECT,
    (enq(5) + enq(14) + enq(15) + enq(24) + enq(0), b""),
    (b"", b"* 1 FETCH (UID 1 FLAGS ())\r\n* 4 EXISTS\r\nA3 OK f\r\n* LIST () \"/\" INBOX\r\nA4 OK l\r\n"
          b"* STATUS INBOX (MESSAGES 4 UIDNEXT 5)\r\nA5 OK s\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nA6 OK n\r\n"
          b"* 2 EXPUNGE\r\nA7 OK noop\r\n")])

# Streaming FETCH, ESEARCH, SORT, THREAD, MOVE with COPYUID, EXPUNGE.
client(0x06, [(b"", GREETING), LOGIN, SELECT,
    (stream(6), b"* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n* 2 FETCH (FLAGS (\\Seen))\r\nA3 OK\r\n"),
    (enq(40), b"* ESEARCH (TAG \"A4\") UID ALL 1:3\r\nA4 OK\r\n"),
    (enq(35), b"* SORT 3 1 2\r\nA5 OK\r\n"),
    (enq(36), b"* THREAD (1)(2 3)\r\nA6 OK\r\n"),
    (enq(19), b"* OK [COPYUID 9 1 7] moved\r\n* 1 EXPUNGE\r\nA7 OK done\r\n"),
    (enq(16), b"* 1 EXPUNGE\r\nA8 OK\r\n"),
    (enq(17), b"A9 OK closed\r\n")])

# Synchronising literals: APPEND, MULTIAPPEND, non-ASCII SEARCH, literal password.
GREETING_NOPLUS = b"* OK [CAPABILITY IMAP4rev1 MULTIAPPEND UIDPLUS AUTH=PLAIN] ready\r\n"
client(0x06, [(b"", GREETING_NOPLUS), (enq(27), b"+ go\r\nA1 OK in\r\n"),
    (b"", b"* CAPABILITY IMAP4rev1 MULTIAPPEND UIDPLUS\r\nA2 OK\r\n"),
    (enq(9), b"+ Ready\r\nA3 OK [APPENDUID 1 2] done\r\n"),
    (enq(46), b"+ one\r\n+ two\r\nA4 OK [APPENDUID 1 3:4] done\r\n"),
    (enq(3), b"* 2 EXISTS\r\nA5 OK\r\n"),
    (enq(26), b"+ more\r\n* SEARCH 1\r\nA6 OK\r\n"),
    (enq(9), b"A7 NO [TRYCREATE] no literal for you\r\n")])

# STARTTLS, then capabilities re-read; and the injection variants.
client(0x06, [(b"", GREETING_PLAIN), (enq(11), b"A1 OK Begin TLS\r\n"), (SWITCHED, b""),
    (b"", b"* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\nA2 OK\r\n"), (enq(2), b"A3 OK logged in\r\n")])
client(0x06, [(b"", GREETING_PLAIN), (enq(11), b"A1 OK Begin TLS\r\n* OK injected\r\n")])
client(0x06, [(b"", GREETING_PLAIN), (enq(11), b"A1 OK Begin TLS\r\n"), (b"", b"* OK injected\r\n")])

# AUTHENTICATE: mechanisms with and without SASL-IR, interactive, cancelled.
for m in range(6):
    client(0x06, [(b"", GREETING_PLAIN), (auth(m), b"+ \r\n"), (sasl(4), b"+ dXNlcg==\r\n"),
        (sasl(0), b"A1 OK [CAPABILITY IMAP4rev1 IDLE] authenticated\r\n")])
    client(0x06, [(b"", GREETING), (auth(m), b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"), (sasl(0), b"A1 NO failed\r\n")])

# IDLE: start, data, done; refresh by timeout; command enqueued during IDLE.
client(0x06, [(b"", GREETING), LOGIN, SELECT, (IDLE, b"+ idling\r\n"), (b"", b"* 4 EXISTS\r\n* 1 RECENT\r\n"),
    (IDLE_DONE, b"A3 OK Idle completed\r\n")])
client(0x06, [(b"", GREETING), LOGIN, SELECT, (IDLE, b"+ idling\r\n"), (timeout(10) + timeout(42), b"A3 OK\r\n"),
    (b"", b"+ idling again\r\n"), (enq(0), b"A4 OK\r\n"), (b"", b"A5 OK noop\r\n")])

# COMPRESS=DEFLATE: the OK, then a deflate stream in the same and later chunks.
z = zlib.compressobj(6, zlib.DEFLATED, -15)
part1 = z.compress(b"* 5 EXISTS\r\n") + z.flush(zlib.Z_SYNC_FLUSH)
part2 = z.compress(b"* 1 FETCH (FLAGS (\\Seen))\r\nA4 OK noop\r\n") + z.flush(zlib.Z_SYNC_FLUSH)
client(0x06, [(b"", GREETING), LOGIN, SELECT, (enq(12), b"A3 OK DEFLATE active\r\n" + part1), (enq(0), part2)])
client(0x06, [(b"", GREETING), LOGIN, (enq(12), b"A2 OK DEFLATE active\r\n\xff\xff\xff\xff")])

# Hostile: BYE mid-FETCH, EOF mid-literal, unknown tag, double completion,
# unexpected +, every command BAD, timeout, huge literal, deep nesting.
client(0x06, [(b"", GREETING), LOGIN, SELECT, (enq(38), b"* 1 FETCH (UID 1)\r\n* BYE shutting down\r\n")])
client(0x0e, [(b"", GREETING), LOGIN, SELECT, (enq(6) + EOF, b"* 1 FETCH (BODY[] {100}\r\nabc")])
client(0x06, [(b"", GREETING), LOGIN, (enq(0), b"A99 OK who?\r\n+ nobody asked\r\nA2 OK\r\nA2 OK again\r\n"),
    (enq(0), b"A3 OK\r\n")])
client(0x06, [(b"", GREETING)] + [(enq(c), b"A%d BAD no\r\n" % (i + 1)) for i, c in enumerate([2, 0, 1, 23, 10])])
client(0x06, [(b"", GREETING), LOGIN, (enq(0) + timeout(8), b"")])
client(0x07, [(b"", GREETING), LOGIN, SELECT, (enq(6), b"* 1 FETCH (BODY[] {99999999999999}\r\n" + b"x" * 200)])
client(0x26, [(b"", GREETING), LOGIN, SELECT,
    (enq(38), b"* 1 FETCH (BODYSTRUCTURE " + b"(" * 50 + b")" * 50 + b")\r\nA3 OK\r\n"), (enq(0), b"A4 OK\r\n")])
client(0x05, [(b"", GREETING), LOGIN, SELECT, (b"", b"* 9 EXISTS\r\n" * 30 + b"* 1 EXPUNGE\r\n" * 10), (DRAIN, b"")])
client(0x06, [(b"* BYE too busy\r\n", b"")])
client(0x06, [(b"", b"* PREAUTH [CAPABILITY " + CAPS + b"] welcome\r\n"), SELECT[0:1] + (b"A1 OK\r\n",)])
client(0x06, [(b"", GREETING), LOGIN, (enq(10), b"* BYE bye\r\n"), (EOF, b"")])
client(0x0e, [(b"", GREETING), LOGIN, (enq(0) + write_n(3) + CLOSE, b"")])

# The Dovecot capture, replayed with our tags (A001 -> A1).
resp = frames(DOVECOT)
trace = open(os.path.join(DATA, "dovecot-session.trace"), "rb").read().decode("utf-8")
MAP = [("UID SEARCH", 7), ("UID SORT", 35), ("UID THREAD", 36), ("UID FETCH", 5), ("UID STORE", 8),
    ("UID MOVE", 19), ("UID EXPUNGE", 20), ("CAPABILITY", 1), ("LOGIN", 2), ("ID", 23), ("NAMESPACE", 24),
    ("CREATE", 31), ("SUBSCRIBE", 41), ("LIST", 14), ("LSUB", 30), ("APPEND", 9), ("STATUS", 15),
    ("SELECT", 3), ("SEARCH", 40), ("SORT", 35), ("FETCH", 38), ("STORE", 8), ("COPY", 18), ("EXPUNGE", 16),
    ("NOOP", 0), ("GETQUOTAROOT", 34), ("GETQUOTA", 34), ("GETACL", 42), ("MYRIGHTS", 43),
    ("LISTRIGHTS", 43), ("SETMETADATA", 37), ("GETMETADATA", 37), ("ENABLE", 21), ("UNSELECT", 25),
    ("FROBNICATE", 28), ("UNSUBSCRIBE", 41), ("DELETE", 32), ("LOGOUT", 10)]
steps, at = [(b"", resp[0])], 1
for line in trace.splitlines():
    m = re.match(r"C: A0(\d\d) (.*)", line)
    if not m:
        if line == "C: DONE":
            steps.append((IDLE_DONE, b""))
        continue
    n, rest = int(m.group(1)), m.group(2)
    if rest.startswith("IDLE"):
        ops = IDLE
    elif n == 3:
        ops = b""  # our engine's own CAPABILITY after LOGIN takes A3
    else:
        ops = next((enq(c) for name, c in MAP if rest.startswith(name)), enq(0))
    data = b""
    tag = b"A0%02d " % n
    while at < len(resp):
        r = resp[at]
        at += 1
        data += re.sub(rb"^A0(\d\d) ", lambda m: b"A%d " % int(m.group(1)), r)
        if r.startswith(tag) or r.startswith(b"+ idling"):
            break
    steps.append((ops, data))
client(0x06, steps)
client(0x00, steps)
