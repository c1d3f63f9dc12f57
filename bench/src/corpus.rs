//! Deterministic server byte streams to parse: generated in code from a
//! fixed seed, so every run and every machine parses the same bytes.

use std::fmt::Write as _;

/// A named server byte stream and how many responses it holds.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Short name for the table.
    pub name: &'static str,
    /// What it is, for the table's legend.
    pub description: &'static str,
    /// The bytes, as a server would send them.
    pub bytes: Vec<u8>,
    /// How many responses the bytes hold.
    pub responses: usize,
}

/// Builds a corpus.
pub type Build = fn() -> Corpus;

/// The corpora of the benchmark at their full sizes, by name, built on
/// demand.
pub const ALL: [(&str, Build); 5] = [
    ("headers", || headers(1_500)),
    ("bodies", || bodies(20_000_000)),
    ("zero-lit 1 resp", || zero_literals_one_response(100 * 1024)),
    ("zero-lit 8/resp", || zero_literals_many_responses(100 * 1024)),
    ("zero-lit 1 resp, 1 MiB", || zero_literals_one_response(1024 * 1024)),
];

/// A mail client's header sync: `UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
/// BODYSTRUCTURE` for `messages` messages, then the tagged OK. Multiparts
/// with attachments, forwarded messages, MIME-encoded subjects and the odd
/// 8-bit subject sent as a literal, as Dovecot does (see
/// imap-core/tests/data/dovecot-session.bin). About 0.9 KB a message.
pub fn headers(messages: u32) -> Corpus {
    let mut rng = Rng::new(0x01ea_de25);
    let mut out = String::with_capacity(messages as usize * 1200);
    let mut uid = 4_000;
    for seq in 1..=messages {
        uid += 1 + rng.below(3) as u32;
        let flags = FLAG_SETS[rng.below(FLAG_SETS.len() as u64) as usize];
        let size = 2_000 + rng.below(180_000);
        let _ = write!(
            out,
            "* {seq} FETCH (UID {uid} FLAGS ({flags}) INTERNALDATE \"{}\" RFC822.SIZE {size} ENVELOPE ",
            internal_date(&mut rng)
        );
        envelope(&mut rng, &mut out);
        out.push_str(" BODYSTRUCTURE ");
        body_structure(&mut rng, &mut out, size);
        out.push_str(")\r\n");
    }
    out.push_str("A5 OK Fetch completed (0.041 + 0.000 + 0.040 secs).\r\n");
    Corpus {
        name: "headers",
        description: "FETCH (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE), ~0.9 KB each",
        bytes: out.into_bytes(),
        responses: messages as usize + 1,
    }
}

/// Whole messages: `* n FETCH (UID u RFC822.SIZE s FLAGS (\Seen) BODY[] {s}`
/// with sizes spread log-uniformly from 2 KiB to 200 KiB, up to `total`
/// bytes, then the tagged OK.
pub fn bodies(total: usize) -> Corpus {
    let mut rng = Rng::new(0xb0d1e5);
    let filler = base64_lines(&mut rng, 256 * 1024);
    let mut out = Vec::with_capacity(total + 256 * 1024);
    let mut seq = 0;
    while out.len() < total {
        seq += 1;
        let target = log_uniform(&mut rng, 2 * 1024, 200 * 1024);
        let message = message(&mut rng, &filler, target);
        let uid = 7_000 + seq * 2;
        let head = format!(
            "* {seq} FETCH (UID {uid} RFC822.SIZE {len} FLAGS (\\Seen) BODY[] {{{len}}}\r\n",
            len = message.len()
        );
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&message);
        out.extend_from_slice(b")\r\n");
    }
    out.extend_from_slice(b"A9 OK Fetch completed (0.412 + 0.000 + 0.411 secs).\r\n");
    Corpus {
        name: "bodies",
        description: "FETCH (UID RFC822.SIZE FLAGS BODY[] {2 KiB..200 KiB}), log-uniform sizes",
        bytes: out,
        responses: seq + 1,
    }
}

/// One response made of `{0}` literals: `* 1 FETCH (BODY[1] {0}\r\n BODY[2]
/// {0}\r\n ...)`, about `size` bytes. The worst case for a parser that
/// re-parses a response from its start after every read.
pub fn zero_literals_one_response(size: usize) -> Corpus {
    let mut out = String::with_capacity(size + 64);
    out.push_str("* 1 FETCH (");
    let mut part = 1;
    while out.len() < size {
        if part > 1 {
            out.push(' ');
        }
        let _ = write!(out, "BODY[{part}] {{0}}\r\n");
        part += 1;
    }
    out.push_str(")\r\n");
    let name = if size >= 1024 * 1024 { "zero-lit 1 resp, 1 MiB" } else { "zero-lit 1 resp" };
    Corpus {
        name,
        description: "one FETCH of `BODY[n] {0}` items: every line ends in an empty literal",
        bytes: out.into_bytes(),
        responses: 1,
    }
}

/// The same `{0}` items, eight to a response, about `size` bytes in all.
pub fn zero_literals_many_responses(size: usize) -> Corpus {
    let mut out = String::with_capacity(size + 256);
    let mut seq = 0;
    while out.len() < size {
        seq += 1;
        let _ = write!(out, "* {seq} FETCH (");
        for part in 1..=8 {
            if part > 1 {
                out.push(' ');
            }
            let _ = write!(out, "BODY[{part}] {{0}}\r\n");
        }
        out.push_str(")\r\n");
    }
    Corpus {
        name: "zero-lit 8/resp",
        description: "FETCH responses of eight `BODY[n] {0}` items each",
        bytes: out.into_bytes(),
        responses: seq,
    }
}

/// The messages of a mailbox as a mail client sees it, `count` of them: a
/// fifth are large (100–200 KiB, uniform), the rest spread log-uniformly
/// from 2 KiB to 200 KiB. Below 12 KiB a message is text (plain, or
/// multipart/alternative with an HTML part); above, multipart/mixed with a
/// base64 attachment. About 66 KB a message on average, so 2,000 of them
/// make ~130 MB.
pub fn mailbox(count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(0x6d61_1b0c);
    let filler = base64_lines(&mut rng, 256 * 1024);
    (0..count)
        .map(|_| {
            let size = if rng.below(5) == 0 {
                100 * 1024 + rng.below(100 * 1024) as usize
            } else {
                log_uniform(&mut rng, 2 * 1024, 200 * 1024)
            };
            if size < 12 * 1024 {
                text_message(&mut rng, size)
            } else {
                message(&mut rng, &filler, size)
            }
        })
        .collect()
}

/// A small message (0.7–2 KB), the `i`th of a mailbox whose headers vary
/// the way ENVELOPE and BODYSTRUCTURE see it: four kinds of subject (one
/// MIME-encoded), 37 senders, and by turns text/plain,
/// multipart/alternative and multipart/mixed with a base64 attachment. The
/// same for the same `i`, so a mailbox filled once serves every run.
pub fn small_message(i: u32) -> Vec<u8> {
    let subject = match i % 4 {
        0 => format!("Quarterly report {i}"),
        1 => format!("=?UTF-8?Q?R=C3=A9union_du_lundi_{i}?="),
        2 => format!("Re: [list] thread number {} with a longer subject line", i / 3),
        _ => format!("Invoice #{i} from \"Example, Inc.\""),
    };
    let mut m = format!(
        "From: Sender {} <sender{}@example.org>\r\nTo: Alice <alice@example.net>\r\n\
         Cc: team{}@example.com\r\nSubject: {subject}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\
         Message-ID: <{i}.bench@example.org>\r\nMIME-Version: 1.0\r\n",
        i % 37,
        i % 37,
        i % 5
    );
    let text = "The quick brown fox jumps over the lazy dog, again and again.\r\n".repeat(8);
    match i % 3 {
        0 => m.push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{text}")),
        1 => m.push_str(&format!(
            "Content-Type: multipart/alternative; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{text}--b{i}\r\n\
             Content-Type: text/html; charset=utf-8\r\n\r\n<p>{text}</p>\r\n--b{i}--\r\n"
        )),
        _ => m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"m{i}\"\r\n\r\n--m{i}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{text}--m{i}\r\n\
             Content-Type: application/pdf; name=\"report-{i}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--m{i}--\r\n",
            "SGVsbG8sIHdvcmxkIQ==".repeat(40)
        )),
    }
    m.into_bytes()
}

/// A text message of about `size` bytes: plain, or plain and HTML as
/// multipart/alternative.
fn text_message(rng: &mut Rng, size: usize) -> Vec<u8> {
    let id = rng.next();
    let first = pick(rng, FIRST_NAMES);
    let host = pick(rng, DOMAINS);
    let mut m = String::with_capacity(size + 256);
    let _ = write!(
        m,
        "Received: from mx{n}.{host} (mx{n}.{host} [192.0.2.{n}])\r\n\tby imap.example.com with ESMTPS id {id:x}\r\n\
         From: {first} <{mailbox}@{host}>\r\n\
         To: Alice <alice@example.com>\r\n\
         Subject: ",
        n = 1 + rng.below(200),
        mailbox = first.to_ascii_lowercase(),
    );
    subject_line(rng, &mut m);
    let _ = write!(
        m,
        "\r\nDate: {}, {} Mar 2024 {:02}:{:02}:{:02} +0100\r\nMessage-ID: <{id:016x}@{host}>\r\nMIME-Version: 1.0\r\n",
        pick(rng, DAYS),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
    );
    let alternative = rng.below(2) == 0;
    if alternative {
        let _ = write!(
            m,
            "Content-Type: multipart/alternative; boundary=\"alt_{id:x}\"\r\n\r\n\
             --alt_{id:x}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        );
    } else {
        m.push_str("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    }
    let text_end = if alternative { size / 2 } else { size };
    m.push_str("Hello Alice,\r\n\r\n");
    prose(rng, &mut m, text_end);
    if alternative {
        let _ = write!(
            m,
            "\r\n--alt_{id:x}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hello Alice,</p>\r\n<p>"
        );
        prose(rng, &mut m, size);
        let _ = write!(m, "</p></body></html>\r\n--alt_{id:x}--\r\n");
    }
    m.into_bytes()
}

/// Lines of words up to `until` bytes of `m`.
fn prose(rng: &mut Rng, m: &mut String, until: usize) {
    let mut line = 0;
    while m.len() < until {
        let word = pick(rng, WORDS);
        if line + word.len() > 72 {
            m.push_str("\r\n");
            line = 0;
        } else if line > 0 {
            m.push(' ');
            line += 1;
        }
        m.push_str(word);
        line += word.len();
    }
    m.push_str("\r\n");
}

/// A Subject header's value: words, sometimes MIME-encoded.
fn subject_line(rng: &mut Rng, out: &mut String) {
    let words: Vec<&str> = (0..2 + rng.below(6)).map(|_| pick(rng, WORDS)).collect();
    match rng.below(4) {
        0 => {
            let _ = write!(out, "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_{}?=", words.join("_"));
        }
        1 => {
            let _ = write!(out, "Re: {}", words.join(" "));
        }
        _ => out.push_str(&words.join(" ")),
    }
}

const FLAG_SETS: &[&str] = &[
    "\\Seen $Forwarded",
    "\\Seen",
    "\\Seen",
    "\\Seen",
    "",
    "\\Answered \\Seen",
    "\\Flagged \\Seen $NotJunk",
    "\\Seen $Label1 $MDNSent",
    "$Junk",
];

const FIRST_NAMES: &[&str] =
    &["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj"];
const LAST_NAMES: &[&str] =
    &["Smith", "Jones", "Miller", "Garcia", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Tanaka", "O'Brien"];
const DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "lists.example.net",
    "corp.example.co.uk",
    "news.example.io",
    "notifications.example.com",
];
const WORDS: &[&str] = &[
    "quarterly",
    "report",
    "meeting",
    "invoice",
    "update",
    "release",
    "notes",
    "agenda",
    "review",
    "draft",
    "budget",
    "travel",
    "plans",
    "weekly",
    "digest",
    "security",
    "alert",
    "order",
    "shipped",
    "your",
];
const MONTHS: &[&str] = &["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn internal_date(rng: &mut Rng) -> String {
    format!(
        "{:02}-{}-2024 {:02}:{:02}:{:02} +0000",
        1 + rng.below(28),
        MONTHS[rng.below(12) as usize],
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// `ENVELOPE (date subject from sender reply-to to cc bcc in-reply-to message-id)`.
fn envelope(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "(\"{}, {} {} 2024 {:02}:{:02}:{:02} {}\" ",
        pick(rng, DAYS),
        1 + rng.below(28),
        pick(rng, MONTHS),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        ["+0000", "-0800", "+0100", "+0530"][rng.below(4) as usize]
    );
    subject(rng, out);
    let from = address(rng);
    let _ = write!(out, " ({from}) ({from}) ({from}) (");
    for _ in 0..1 + rng.below(3) {
        out.push_str(&address(rng));
    }
    out.push_str(") ");
    if rng.below(3) == 0 {
        out.push('(');
        for _ in 0..1 + rng.below(2) {
            out.push_str(&address(rng));
        }
        out.push(')');
    } else {
        out.push_str("NIL");
    }
    out.push_str(" NIL ");
    if rng.below(2) == 0 {
        let _ = write!(out, "\"<{:x}.{}@{}>\"", rng.next(), rng.below(1000), pick(rng, DOMAINS));
    } else {
        out.push_str("NIL");
    }
    let _ = write!(out, " \"<{:016x}.{}@{}>\")", rng.next(), rng.below(100_000), pick(rng, DOMAINS));
}

fn subject(rng: &mut Rng, out: &mut String) {
    let mut words = String::new();
    for i in 0..2 + rng.below(7) {
        if i > 0 {
            words.push(' ');
        }
        words.push_str(pick(rng, WORDS));
    }
    match rng.below(10) {
        // 8-bit text: Dovecot sends such strings as literals.
        0 => {
            let text = format!("Grüße aus Köln — {words}");
            let _ = write!(out, "{{{}}}\r\n{text}", text.len());
        }
        1 => {
            let _ = write!(
                out,
                "\"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_{}?= =?UTF-8?B?IOKAlCBBbmhhbmc=?=\"",
                words.replace(' ', "_")
            );
        }
        2 => {
            let _ = write!(out, "\"Re: \\\"{words}\\\" (was: {})\"", pick(rng, WORDS));
        }
        3 => out.push_str("NIL"),
        _ => {
            let prefix = ["", "Re: ", "Fwd: ", "[list] "][rng.below(4) as usize];
            let _ = write!(out, "\"{prefix}{words}\"");
        }
    }
}

/// `("Name" NIL "mailbox" "host")`.
fn address(rng: &mut Rng) -> String {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let host = pick(rng, DOMAINS);
    let mailbox = format!("{}.{}", first.to_ascii_lowercase(), last.to_ascii_lowercase().replace('\'', ""));
    if rng.below(4) == 0 {
        format!("(NIL NIL \"{mailbox}\" \"{host}\")")
    } else {
        format!("(\"{first} {last}\" NIL \"{mailbox}\" \"{host}\")")
    }
}

/// One of the shapes mail clients see most, with realistic parameters.
fn body_structure(rng: &mut Rng, out: &mut String, size: u64) {
    match rng.below(10) {
        0..=2 => text_part(rng, out, "plain", size),
        3..=5 => alternative(rng, out, size),
        6..=7 => {
            // Mixed: the text as alternative, then one to three attachments.
            out.push('(');
            alternative(rng, out, size / 4);
            for _ in 0..1 + rng.below(3) {
                attachment(rng, out, size / 3);
            }
            let _ = write!(out, " \"mixed\" (\"boundary\" \"b1_{:x}\") NIL NIL NIL)", rng.next());
        }
        8 => {
            // Related: HTML with inline images, inside alternative.
            out.push('(');
            text_part(rng, out, "plain", size / 8);
            out.push('(');
            text_part(rng, out, "html", size / 4);
            for i in 0..1 + rng.below(2) {
                let _ = write!(
                    out,
                    "(\"image\" \"png\" (\"name\" \"logo{i}.png\") \"<logo{i}.{:x}@example.com>\" NIL \"base64\" {} NIL (\"inline\" (\"filename\" \"logo{i}.png\")) NIL NIL)",
                    rng.next() & 0xffff_ffff,
                    4_000 + rng.below(40_000)
                );
            }
            let _ = write!(
                out,
                " \"related\" (\"boundary\" \"rel_{:x}\" \"type\" \"text/html\") NIL NIL NIL) \"alternative\" (\"boundary\" \"alt_{:x}\") NIL NIL NIL)",
                rng.next(),
                rng.next()
            );
        }
        _ => {
            // A forwarded message: message/rfc822 with its own envelope.
            out.push('(');
            text_part(rng, out, "plain", 600);
            let _ = write!(out, "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" {} ", size / 2);
            envelope(rng, out);
            out.push(' ');
            text_part(rng, out, "plain", size / 2 - 500);
            let _ = write!(
                out,
                " {} NIL (\"attachment\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"fwd_{:x}\") NIL NIL NIL)",
                size / 140,
                rng.next()
            );
        }
    }
}

fn text_part(rng: &mut Rng, out: &mut String, subtype: &str, size: u64) {
    let (charset, encoding) =
        [("utf-8", "quoted-printable"), ("us-ascii", "7bit"), ("iso-8859-1", "8bit"), ("utf-8", "base64")]
            [rng.below(4) as usize];
    let size = size.max(64);
    let _ = write!(
        out,
        "(\"text\" \"{subtype}\" (\"charset\" \"{charset}\") NIL NIL \"{encoding}\" {size} {} NIL NIL NIL NIL)",
        size / 60 + 1
    );
}

fn alternative(rng: &mut Rng, out: &mut String, size: u64) {
    out.push('(');
    text_part(rng, out, "plain", size / 3);
    text_part(rng, out, "html", size / 2);
    let _ = write!(
        out,
        " \"alternative\" (\"boundary\" \"----=_Part_{}_{:x}\") NIL NIL NIL)",
        rng.below(1 << 20),
        rng.next()
    );
}

fn attachment(rng: &mut Rng, out: &mut String, size: u64) {
    let (media, subtype, name) = [
        ("application", "pdf", "Invoice 2024-03.pdf"),
        ("image", "jpeg", "IMG_20240312_101544.jpg"),
        ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Q1 figures.xlsx"),
        ("application", "zip", "project-export.zip"),
        ("text", "calendar", "invite.ics"),
    ][rng.below(5) as usize];
    let octets = size.max(512) * 4 / 3;
    let lines = if media == "text" { format!(" {}", octets / 70) } else { String::new() };
    let _ = write!(
        out,
        "(\"{media}\" \"{subtype}\" (\"name\" \"{name}\") NIL NIL \"base64\" {octets}{lines} NIL (\"attachment\" (\"filename\" \"{name}\" \"size\" \"{}\")) NIL NIL)",
        octets * 3 / 4
    );
}

/// A plausible message of about `size` bytes: headers, a text part, then a
/// base64 attachment cut from `filler`.
fn message(rng: &mut Rng, filler: &[u8], size: usize) -> Vec<u8> {
    let id = rng.next();
    let mut m = String::with_capacity(1024);
    let _ = write!(
        m,
        "Return-Path: <{first}@{host}>\r\n\
         Received: from mx{n}.{host} (mx{n}.{host} [192.0.2.{n}])\r\n\tby imap.example.com with ESMTPS id {id:x}\r\n\tfor <alice@example.com>; {day}, 12 Mar 2024 10:{mm:02}:{ss:02} +0000\r\n\
         From: {First} <{first}@{host}>\r\n\
         To: Alice <alice@example.com>\r\n\
         Subject: {w1} {w2} {w3}\r\n\
         Date: {day}, 12 Mar 2024 10:{mm:02}:{ss:02} +0000\r\n\
         Message-ID: <{id:016x}@{host}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1_{id:x}\"\r\n\r\n\
         --b1_{id:x}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello Alice,\r\n\r\nplease find the {w1} {w2} attached.\r\n\r\nRegards,\r\n{First}\r\n\r\n\
         --b1_{id:x}\r\nContent-Type: application/pdf; name=\"{w1}.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"{w1}.pdf\"\r\n\r\n",
        first = pick(rng, FIRST_NAMES).to_ascii_lowercase(),
        First = pick(rng, FIRST_NAMES),
        host = pick(rng, DOMAINS),
        n = 1 + rng.below(200),
        day = pick(rng, DAYS),
        mm = rng.below(60),
        ss = rng.below(60),
        w1 = pick(rng, WORDS),
        w2 = pick(rng, WORDS),
        w3 = pick(rng, WORDS),
    );
    let mut m = m.into_bytes();
    let closing = format!("\r\n--b1_{id:x}--\r\n");
    let want = size.saturating_sub(m.len() + closing.len()).max(78);
    // Start at a line boundary of the filler; wrap around if needed.
    let lines = filler.len() / 78;
    let mut at = rng.below(lines as u64) as usize * 78;
    let mut left = want;
    while left > 0 {
        let take = left.min(filler.len() - at);
        m.extend_from_slice(&filler[at..at + take]);
        left -= take;
        at = 0;
    }
    m.extend_from_slice(closing.as_bytes());
    m
}

/// `size` bytes of 76-character base64 lines with CRLF.
fn base64_lines(rng: &mut Rng, size: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(size);
    while out.len() + 78 <= size {
        for _ in 0..76 {
            out.push(ALPHABET[rng.below(64) as usize]);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn log_uniform(rng: &mut Rng, low: usize, high: usize) -> usize {
    let (l, h) = ((low as f64).ln(), (high as f64).ln());
    let u = rng.below(1 << 30) as f64 / f64::from(1u32 << 30);
    (l + (h - l) * u).exp() as usize
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

/// splitmix64: small, fast and the same everywhere.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
