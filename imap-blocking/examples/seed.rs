//! Fills a mailbox with realistic messages: plain, multipart/alternative,
//! attachments, RFC 2047 headers, forwarded messages, reply threads, and
//! folders with non-ASCII names ("Entwürfe", "日本語").
//!
//! `cargo run -p imap-blocking --example seed -- [--count N] [--mailbox NAME] [--reset]`

mod common;

use imap_blocking::imap_core::types::{AppendMessage, DateTime};
use imap_blocking::prelude::*;
use imap_blocking::{Flag, SearchKey, Session};

const USAGE: &str = "seed: fill the test account with realistic messages
usage: seed [--count N] [--mailbox NAME] [--reset] [server options]
  --count N         messages for INBOX (default 40)
  --mailbox NAME    put them in NAME (created if missing) instead of INBOX
  --reset           INBOX: empty it and remove the seeded folders first;
                    another mailbox: delete it first (the folders stay)";

const FOLDERS: [&str; 3] = ["Entwürfe", "日本語", "Archive/2023"];

fn main() {
    let settings = common::settings(USAGE);
    let count: usize = common::flag(&settings, "--count")
        .map_or(40, |c| c.parse().unwrap_or_else(|_| common::fail("bad --count")));
    let target = common::flag(&settings, "--mailbox").unwrap_or_else(|| "INBOX".into());
    let mut s = common::login(&settings);
    if settings.switch("--reset") {
        reset(&mut s, &target);
    }
    if target != "INBOX" && s.create(&target).is_err() && !s.list("", &target).is_ok_and(|l| !l.is_empty()) {
        common::fail(&format!("cannot create mailbox {target}"));
    }
    for f in FOLDERS {
        if s.create(f).is_err() && !s.list("", f).map(|l| !l.is_empty()).unwrap_or(false) {
            common::fail(&format!("cannot create folder {f}"));
        }
    }
    let inbox: Vec<AppendMessage> = (0..count).map(message).collect();
    check!(s, "append", s.append_many(&target, inbox));
    let drafts = (0..3).map(draft).collect();
    check!(s, "append to Entwürfe", s.append_many("Entwürfe", drafts));
    let japanese = (0..3).map(japanese).collect();
    check!(s, "append to 日本語", s.append_many("日本語", japanese));
    let archive = (0..10).map(|i| message(1000 + i)).collect();
    check!(s, "append to Archive/2023", s.append_many("Archive/2023", archive));
    let status = check!(s, "status", s.status(&target, &[imap_blocking::StatusAttr::Messages]));
    println!(
        "seeded {} messages into {target} ({} in all) and folders {}",
        count,
        status.messages.unwrap_or(0),
        FOLDERS.join(", ")
    );
}

/// INBOX: emptied, and the seeded folders removed; another mailbox: deleted
/// (and made again by the caller), the rest left alone.
fn reset(s: &mut Session, target: &str) {
    if target != "INBOX" {
        let _ = s.delete(target);
        return;
    }
    for f in FOLDERS.iter().rev() {
        let _ = s.delete(f);
    }
    let _ = s.delete("Archive");
    check!(s, "select INBOX", s.select("INBOX"));
    let all = check!(s, "search", s.search(SearchKey::All));
    if !all.is_empty() {
        check!(s, "flag", s.add_flags(all, &[Flag::Deleted]));
        check!(s, "expunge", s.expunge());
    }
    check!(s, "unselect", s.unselect());
}

const PEOPLE: [(&str, &str); 6] = [
    ("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=", "joerg@example.org"),
    ("Fred Foobar", "foobar@blurdybloop.example"),
    ("=?ISO-8859-1?Q?Andr=E9_Pirard?=", "pirard@example.be"),
    ("Ada Lovelace", "ada@analytical.example"),
    ("=?UTF-8?B?5bGx55Sw5aSq6YOO?=", "yamada@example.jp"),
    ("Newsletter", "news@shop.example"),
];

const SUBJECTS: [&str; 8] = [
    "Quarterly report",
    "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=",
    "Lunch on Friday?",
    "Invoice 2024-0042",
    "=?UTF-8?B?8J+OiSBQYXJ0eSBpbnZpdGF0aW9u?=",
    "Build failed on main",
    "Your order has shipped",
    "Meeting notes",
];

fn date(i: usize) -> (String, DateTime) {
    let ts = 1_704_067_200 + (i as i64) * 37_000; // from 2024-01-01, ~10 h apart
    let dt = DateTime::from_unix_timestamp(ts, 60).expect("valid date");
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let day = DAYS[((ts + 3600) / 86_400 % 7) as usize];
    let (h, m, s) = dt.time();
    let d = dt.date();
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let header = format!(
        "{day}, {} {} {} {h:02}:{m:02}:{s:02} +0100",
        d.day(),
        MONTHS[usize::from(d.month()) - 1],
        d.year()
    );
    (header, dt)
}

fn headers(i: usize, subject: &str, extra: &str) -> String {
    let (name, addr) = PEOPLE[i % PEOPLE.len()];
    let (date, _) = date(i);
    format!(
        "From: {name} <{addr}>\r\nTo: Alice <alice@example.org>\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <seed-{i}@example.org>\r\nMIME-Version: 1.0\r\n{extra}"
    )
}

fn message(i: usize) -> AppendMessage {
    let subject = SUBJECTS[i % SUBJECTS.len()];
    let body = match i % 5 {
        0 => format!(
            "{}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
             Hello Alice,\r\n\r\nthis is message {i}. Grüße, Jörg\r\n",
            headers(i, subject, "")
        ),
        1 => format!(
            "{}Content-Type: multipart/alternative; boundary=\"alt{i}\"\r\n\r\n\
             --alt{i}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlain version of {i}.\r\n\
             --alt{i}\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>HTML version of <b>{i}</b>.</p>\r\n\
             --alt{i}--\r\n",
            headers(i, subject, "")
        ),
        2 => {
            let pdf: Vec<u8> = (0..3000u32).map(|n| (n.wrapping_mul(2654435761) >> 24) as u8).collect();
            use base64::Engine as _;
            let b64 = base64::engine::general_purpose::STANDARD.encode(pdf);
            let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
            format!(
                "{}Content-Type: multipart/mixed; boundary=\"mix{i}\"\r\n\r\n\
                 --mix{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe report is attached.\r\n\
                 --mix{i}\r\nContent-Type: application/pdf; name=\"report-{i}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\r\n{}\r\n--mix{i}--\r\n",
                headers(i, subject, ""),
                lines.join("\r\n")
            )
        }
        3 => format!(
            "{}Content-Type: multipart/mixed; boundary=\"fwd{i}\"\r\n\r\n\
             --fwd{i}\r\nContent-Type: text/plain\r\n\r\nForwarding this.\r\n\
             --fwd{i}\r\nContent-Type: message/rfc822\r\n\r\n\
             From: Fred Foobar <foobar@blurdybloop.example>\r\nSubject: afternoon meeting\r\n\
             Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <orig-{i}@blurdybloop.example>\r\n\r\n\
             Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n--fwd{i}--\r\n",
            headers(i, &format!("Fwd: {subject}"), "")
        ),
        _ => format!(
            "{}Content-Type: text/plain; charset=us-ascii\r\n\r\n> earlier message\r\n\r\nAgreed.\r\n",
            headers(
                i,
                &format!("Re: {subject}"),
                &format!("In-Reply-To: <seed-{}@example.org>\r\nReferences: <seed-{}@example.org>\r\n", i - 1, i - 1)
            )
        ),
    };
    let mut flags = Vec::new();
    if i % 3 == 0 {
        flags.push(Flag::Seen);
    }
    if i % 7 == 0 {
        flags.push(Flag::Flagged);
    }
    AppendMessage::new(body.into_bytes()).flags(&flags).date(date(i).1)
}

fn draft(i: usize) -> AppendMessage {
    let body = format!(
        "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: =?UTF-8?Q?Entwurf_{i}:_=C3=9Cberlegungen?=\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNoch nicht fertig …\r\n"
    );
    AppendMessage::new(body.into_bytes()).flags(&[Flag::Draft])
}

fn japanese(i: usize) -> AppendMessage {
    let body = format!(
        "From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <yamada@example.jp>\r\nTo: alice@example.org\r\n\
         Subject: =?UTF-8?B?5LyP6K2w44Gu44GK55+l44KJ44Gb?= {i}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         こんにちは、会議は明日の午後3時です。\r\n"
    );
    AppendMessage::new(body.into_bytes())
}
