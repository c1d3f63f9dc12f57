//! Message commands against the project's Dovecot.

mod common;

use imap_blocking::prelude::*;
use std::time::{Duration, Instant};

use common::{login, login_second_user, message, TempMailbox};
use imap_blocking::imap_core::request;
use imap_blocking::imap_core::types::{BodyStructure, Data, QResync, SelectModifiers, SinglePartKind};
use imap_blocking::imap_core::types::{Date, Response};
use imap_blocking::IdleCheck;
use imap_blocking::{
    AppendMessage, FetchAttr, Flag, SearchKey, SearchReturn, Section, SequenceSet, SortKey, StoreMode,
    ThreadAlgorithm,
};

/// A multipart message with an attachment and RFC 2047 headers.
fn multipart(subject: &str) -> Vec<u8> {
    format!(
        "From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.org>\r\nTo: alice@example.org\r\n\
         Subject: {subject}\r\nMessage-ID: <{}@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b1--\r\n",
        common::unique("mp")
    )
    .into_bytes()
}

#[test]
fn five_megabyte_append_and_fetch_are_byte_exact() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "big");
    // 5 MiB of varied bytes (no NUL: a plain literal), CRLF line ends.
    let mut body = Vec::with_capacity(5 << 20);
    body.extend_from_slice(b"From: a@example.org\r\nSubject: big\r\n\r\n");
    let mut x: u32 = 12345;
    while body.len() < (5 << 20) {
        for _ in 0..76 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            body.push(33 + (x >> 16) as u8 % 94);
        }
        body.extend_from_slice(b"\r\n");
    }
    let appended = s.append(&m.name, body.clone()).unwrap();
    let uid = appended.uids.as_ref().and_then(|u| u.iter(0).next()).expect("APPENDUID");
    s.select(&m.name).unwrap();
    let fetched = s.fetch(uid, &[FetchAttr::body_peek(), FetchAttr::Rfc822Size]).unwrap();
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].size(), Some(body.len() as u64));
    let got = fetched[0].message().expect("BODY[]");
    assert_eq!(got.len(), body.len());
    assert!(got[..] == body[..], "5 MB round trip differs");
}

#[test]
fn fetch_typed_envelope_structure_flags_dates() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "fetch");
    let date = imap_blocking::imap_core::types::DateTime::parse(b"17-Jul-1996 02:44:25 -0700").unwrap();
    let appended = s
        .append_with(
            &m.name,
            AppendMessage::new(multipart("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=")).flags(&[Flag::Flagged]).date(date),
        )
        .unwrap();
    assert!(appended.uid_validity.is_some());
    s.select(&m.name).unwrap();
    let attrs = [
        FetchAttr::Uid,
        FetchAttr::Flags,
        FetchAttr::InternalDate,
        FetchAttr::Rfc822Size,
        FetchAttr::Envelope,
        FetchAttr::BodyStructure,
        FetchAttr::section_peek(Section::header_fields(["Subject"])),
        FetchAttr::section_peek(Section::part([2]).mime()),
        FetchAttr::ModSeq,
    ];
    let f = s.fetch(1.., &attrs).unwrap().pop().expect("one message");
    assert_eq!(f.uid(), appended.uids.unwrap().iter(0).next());
    let flags: Vec<&Flag> = f.flags().unwrap().iter().filter(|f| **f != Flag::Recent).collect();
    assert_eq!(flags, vec![&Flag::Flagged]);
    assert_eq!(f.internal_date().map(|d| d.unix_timestamp()), Some(date.unix_timestamp()));
    let env = f.envelope().unwrap();
    assert_eq!(env.subject.as_ref().unwrap(), "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=");
    assert_eq!(env.from[0].email().as_deref(), Some("joerg@example.org"));
    let body = f.body_structure().unwrap();
    let BodyStructure::Multipart(mp) = body else { panic!("{body:?}") };
    assert_eq!(mp.parts.len(), 2);
    assert_eq!(mp.parts[1].filename().map(|f| f.to_str_lossy().into_owned()).as_deref(), Some("report.pdf"));
    assert!(
        matches!(&mp.parts[0], BodyStructure::Single(p) if matches!(p.kind, SinglePartKind::Text { .. }))
    );
    let header = f.section(&Section::header_fields(["Subject"])).unwrap();
    assert!(header.starts_with(b"Subject: =?UTF-8?Q?"));
    let mime = f.section(&Section::part([2]).mime()).unwrap();
    assert!(mime.windows(15).any(|w| w == b"application/pdf"));
    assert!(f.modseq().is_some());
}

#[test]
fn streaming_fetch_yields_each_message() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "stream");
    let msgs: Vec<AppendMessage> =
        (0..20).map(|i| AppendMessage::new(message(&format!("s{i}"), "body"))).collect();
    s.append_many(&m.name, msgs).unwrap();
    s.select(&m.name).unwrap();
    let mut uids = Vec::new();
    for f in s.fetch_stream(1.., &[FetchAttr::Uid, FetchAttr::body_peek()]).unwrap() {
        let f = f.unwrap();
        assert!(f.message().is_some());
        uids.push(f.uid().unwrap());
    }
    assert_eq!(uids, (1..=20).collect::<Vec<_>>());
    // Dropping a stream half-way leaves the session usable.
    let mut stream = s.fetch_stream(1.., &[FetchAttr::Flags]).unwrap();
    stream.next().unwrap().unwrap();
    drop(stream);
    assert_eq!(s.search(SearchKey::All).unwrap().len(), 20);
}

#[test]
fn search_sort_thread_esearch() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "search");
    s.append(&m.name, message("invoice march", "pay me")).unwrap();
    s.append(&m.name, message("Re: invoice march", "paid")).unwrap();
    s.append(&m.name, message("holiday", "sun")).unwrap();
    s.append(&m.name, message("Grüße aus Köln", "hallo")).unwrap();
    s.select(&m.name).unwrap();
    s.add_flags(3, &[Flag::Seen]).unwrap();

    assert_eq!(s.search(SearchKey::subject("invoice")).unwrap(), vec![1, 2]);
    assert_eq!(s.search(SearchKey::Seen.not()).unwrap(), vec![1, 2, 4]);
    assert_eq!(s.search(SearchKey::subject("invoice").or(SearchKey::Seen)).unwrap(), vec![1, 2, 3]);
    assert_eq!(s.search(SearchKey::Since(Date::new(2000, 1, 1).unwrap())).unwrap().len(), 4);
    assert_eq!(s.search(SearchKey::body("paid").and(SearchKey::uid(1..=2))).unwrap(), vec![2]);
    // Non-ASCII: CHARSET UTF-8 and a literal are used automatically.
    assert_eq!(s.search(SearchKey::subject("Köln")).unwrap(), vec![4]);
    assert_eq!(s.search_raw("SUBJECT \"holiday\" SEEN").unwrap(), vec![3]);
    assert!(s.search_raw("ALL\r\nA1 LOGOUT").is_err(), "CRLF cannot be injected");

    let e = s
        .esearch(
            SearchKey::All,
            &[SearchReturn::Min, SearchReturn::Max, SearchReturn::Count, SearchReturn::All],
        )
        .unwrap();
    assert_eq!((e.min, e.max, e.count), (Some(1), Some(4), Some(4)));
    assert!(e.uid);
    assert_eq!(e.all.unwrap().to_string(), "1:4");

    let sorted = s.sort(&[SortKey::Subject.asc()], SearchKey::All).unwrap();
    assert_eq!(sorted, vec![4, 3, 1, 2]);
    let threads = s.thread(ThreadAlgorithm::References, SearchKey::All).unwrap();
    assert_eq!(threads.iter().map(|t| t.ids().len()).sum::<usize>(), 4);

    // Sequence numbers instead of UIDs.
    s.set_use_uid(false);
    assert_eq!(s.search(SearchKey::subject("holiday")).unwrap(), vec![3]);
}

#[test]
fn store_copy_move_and_the_copy_fallback() {
    let mut s = login();
    let src = TempMailbox::new(&mut s, "src");
    let dst = TempMailbox::new(&mut s, "dst");
    for i in 0..6 {
        s.append(&src.name, message(&format!("m{i}"), "x")).unwrap();
    }
    s.select(&src.name).unwrap();
    let stored = s.store(1..=2, StoreMode::Add, &[Flag::Flagged, Flag::keyword("$Label1")]).unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored[0].flags().unwrap().contains(&Flag::keyword("$label1")));
    s.remove_flags(1, &[Flag::Flagged]).unwrap();
    s.set_flags(2, &[Flag::Seen]).unwrap();
    let flags = s.fetch(1..=2, &[FetchAttr::Flags]).unwrap();
    assert!(flags[1].flags().unwrap().contains(&Flag::Seen));
    assert!(!flags[1].flags().unwrap().contains(&Flag::Flagged));

    let copied = s.copy(3, &dst.name).unwrap();
    let cu = copied.copy_uid.expect("COPYUID");
    assert_eq!(cu.pairs(), vec![(3, 1)]);

    let moved = s.move_to(4..=5, &dst.name).unwrap();
    assert_eq!(moved.copy_uid.unwrap().pairs(), vec![(4, 2), (5, 3)]);
    assert_eq!(s.mailbox().unwrap().exists, 4);

    let fell_back = s.move_by_copy(6, &dst.name).unwrap();
    assert_eq!(fell_back.copy_uid.unwrap().pairs(), vec![(6, 4)]);
    assert_eq!(s.mailbox().unwrap().exists, 3);
    assert_eq!(s.status(&dst.name, &[imap_blocking::StatusAttr::Messages]).unwrap().messages, Some(4));
}

#[test]
fn expunge_renumbers() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "expunge");
    for i in 1..=5 {
        s.append(&m.name, message(&format!("m{i}"), "x")).unwrap();
    }
    s.select(&m.name).unwrap();
    s.set_use_uid(false);
    s.add_flags(SequenceSet::from([2, 3]), &[Flag::Deleted]).unwrap();
    let gone = s.expunge().unwrap();
    // Each number is relative to the mailbox after the previous expunge;
    // Dovecot reports the higher one first ([3, 2]), [2, 2] would be as valid.
    assert_eq!(gone.expunged.len(), 2);
    assert_eq!(s.mailbox().unwrap().exists, 3);
    let uids: Vec<u32> = s.fetch(1.., &[FetchAttr::Uid]).unwrap().iter().filter_map(|f| f.uid()).collect();
    assert_eq!(uids, vec![1, 4, 5]);
    // Sequence number 2 is now the message with UID 4.
    let f = s.fetch(2, &[FetchAttr::Uid]).unwrap();
    assert_eq!(f[0].uid(), Some(4));
    s.set_use_uid(true);
    s.add_flags(5, &[Flag::Deleted]).unwrap();
    s.add_flags(1, &[Flag::Deleted]).unwrap();
    let gone = s.uid_expunge(5).unwrap();
    assert_eq!(gone.expunged, vec![3]);
    assert_eq!(s.search(SearchKey::All).unwrap(), vec![1, 4], "UID 1 stays: it was not named");
}

#[test]
fn idle_is_woken_by_an_append_from_another_connection() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "idle");
    s.select(&m.name).unwrap();
    let name = m.name.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let mut other = login();
        other.append(&name, message("wake up", "now")).unwrap();
    });
    let start = Instant::now();
    let IdleCheck::News(news) = s.idle_wait(Duration::from_secs(20)).unwrap() else { panic!("no news") };
    writer.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(news.iter().any(|r| matches!(r, Response::Data(Data::Exists(1)))), "{news:?}");
    assert_eq!(s.mailbox().unwrap().exists, 1);
    // The session is usable right after.
    assert_eq!(s.search(SearchKey::All).unwrap(), vec![1]);
}

#[test]
fn idle_tells_a_timeout_from_an_interrupt() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "idle2");
    s.select(&m.name).unwrap();
    let start = Instant::now();
    assert_eq!(s.idle_wait(Duration::from_millis(400)).unwrap(), IdleCheck::TimedOut);
    assert!(start.elapsed() >= Duration::from_millis(400) && start.elapsed() < Duration::from_secs(5));

    let stop = s.idle_interrupter();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        stop.interrupt();
    });
    let start = Instant::now();
    assert_eq!(s.idle_wait(Duration::from_secs(60)).unwrap(), IdleCheck::Interrupted);
    assert!(start.elapsed() < Duration::from_secs(5), "interrupted, not timed out");
    s.noop().unwrap();

    // Fired while no wait runs: not lost, the next wait ends at once.
    s.idle_interrupter().interrupt();
    let start = Instant::now();
    assert_eq!(s.idle_wait(Duration::from_secs(60)).unwrap(), IdleCheck::Interrupted);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(s.idle_wait(Duration::from_millis(200)).unwrap(), IdleCheck::TimedOut, "used once");
}

/// IMAPClient's shape: one IDLE, checked several times, news as it comes,
/// then DONE; the session goes on.
#[test]
fn idle_check_several_times_without_leaving_idle() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "idle3");
    s.select(&m.name).unwrap();
    s.idle().unwrap();
    assert!(s.idle().is_err(), "already idling");
    assert_eq!(s.idle_check(Duration::from_millis(200)).unwrap(), IdleCheck::TimedOut);
    let mut other = login();
    for n in 1..=2u32 {
        other.append(&m.name, message(&format!("idle {n}"), "x")).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while !seen.contains(&Response::Data(Data::Exists(n))) {
            assert!(Instant::now() < deadline, "no EXISTS {n}: {seen:?}");
            if let IdleCheck::News(news) = s.idle_check(Duration::from_secs(5)).unwrap() {
                assert!(news.iter().all(|r| !r.is_keepalive()), "{news:?}");
                seen.extend(news);
            }
        }
        assert_eq!(s.mailbox().unwrap().exists, n);
    }
    s.idle_done().unwrap();
    assert!(s.idle_check(Duration::from_millis(10)).is_err(), "not idling any more");
    assert!(s.idle_done().is_err());
    assert_eq!(s.search(SearchKey::All).unwrap(), vec![1, 2]);
}

#[test]
fn unsolicited_data_is_applied_and_kept() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "unsol");
    s.select(&m.name).unwrap();
    let mut other = login_second_user_same_account();
    other.append(&m.name, message("one", "1")).unwrap();
    other.append(&m.name, message("two", "2")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    s.noop().unwrap();
    let news = s.take_unsolicited();
    assert!(news.iter().any(|r| matches!(r, Response::Data(Data::Exists(2)))), "{news:?}");
    assert_eq!(s.mailbox().unwrap().exists, 2);
}

fn login_second_user_same_account() -> imap_blocking::Session {
    login()
}

#[test]
fn pipelined_commands() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "pipe");
    // Many small APPENDs pipelined (not MULTIAPPEND).
    let appends = (0..30)
        .map(|i| request::append(m.name.as_str(), AppendMessage::new(message(&format!("p{i}"), "x"))))
        .collect();
    let results = s.pipeline(appends).unwrap();
    assert_eq!(results.len(), 30);
    assert!(results.iter().all(Result::is_ok));
    s.select(&m.name).unwrap();
    // FETCH flags for many sets at once.
    let fetches =
        (0..3).map(|i| request::fetch(true, (i * 10 + 1)..=(i * 10 + 10), &[FetchAttr::Flags])).collect();
    let results = s.pipeline(fetches).unwrap();
    for r in results {
        assert_eq!(r.unwrap().len(), 10);
    }
    // MULTIAPPEND in one command.
    let more: Vec<AppendMessage> =
        (0..5).map(|i| AppendMessage::new(message(&format!("q{i}"), "y"))).collect();
    let r = s.append_many(&m.name, more).unwrap();
    assert_eq!(r.uids.as_ref().unwrap().count(), Some(5));
}

#[test]
fn condstore_and_qresync() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "cs");
    for i in 0..3 {
        s.append(&m.name, message(&format!("c{i}"), "x")).unwrap();
    }
    s.enable(&["QRESYNC"]).unwrap();
    let first = s.select_with(&m.name, false, SelectModifiers { condstore: true, qresync: None }).unwrap();
    let modseq = first.mailbox.highest_modseq.expect("HIGHESTMODSEQ");
    let validity = first.mailbox.uid_validity.unwrap();
    s.add_flags(2, &[Flag::Seen]).unwrap();
    let changed = s.fetch_changed_since(1.., &[FetchAttr::Flags], modseq, false).unwrap();
    assert_eq!(changed.iter().map(|f| f.uid().unwrap()).collect::<Vec<_>>(), vec![2]);
    // UNCHANGEDSINCE: message 2 changed after `modseq`, so it is refused.
    let r = s.store_unchanged_since(1..=2, StoreMode::Add, &[Flag::Flagged], modseq).unwrap();
    assert_eq!(r.modified.unwrap().to_string(), "2");
    s.add_flags(3, &[Flag::Deleted]).unwrap();
    s.uid_expunge(3).unwrap();
    s.unselect().unwrap();
    // QRESYNC: what changed and what vanished since `modseq`.
    let q = QResync {
        uid_validity: validity,
        modseq,
        known_uids: Some(SequenceSet::from(1..=3)),
        seq_match: None,
    };
    let r = s.select_with(&m.name, true, SelectModifiers { condstore: false, qresync: Some(q) }).unwrap();
    assert!(r.mailbox.read_only);
    assert_eq!(r.vanished.to_string(), "3");
    assert!(r.changed.iter().any(|f| f.uid() == Some(2)), "{:?}", r.changed);
}

#[test]
fn check_close_unselect_examine() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "close");
    s.append(&m.name, message("a", "b")).unwrap();
    let info = s.examine(&m.name).unwrap();
    assert!(info.read_only);
    s.unselect().unwrap();
    s.select(&m.name).unwrap();
    s.check().unwrap();
    s.add_flags(1, &[Flag::Deleted]).unwrap();
    s.close().unwrap();
    assert!(s.mailbox().is_none());
    assert_eq!(s.status(&m.name, &[imap_blocking::StatusAttr::Messages]).unwrap().messages, Some(0));
}

#[test]
fn other_user_cannot_see_private_mailboxes() {
    let mut alice = login();
    let m = TempMailbox::new(&mut alice, "private");
    let mut bob = login_second_user();
    assert!(bob.select(&m.name).is_err());
}

#[test]
fn gmail_labels_are_refused_by_a_server_without_them() {
    let mut s = login();
    s.select("INBOX").unwrap();
    match s.add_gmail_labels(1, &["\\Important"]) {
        Err(imap_blocking::Error::Usage(imap_blocking::imap_core::UsageError::MissingCapability {
            capability: "X-GM-EXT-1",
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
    assert!(!s.trace_text().contains("X-GM-LABELS"), "{}", s.trace_text());
}
