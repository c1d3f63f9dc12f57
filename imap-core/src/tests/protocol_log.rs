//! The live protocol log: every line in and out, redacted, in order, as it
//! passes; bounded when nobody takes it. And the failure report.

use super::{run_all_chunkings_with, Chunking, Harness};
use crate::client::{ClientConfig, Direction, TraceLine};
use crate::types::{Command, FetchAttr};
use crate::{request, Engine};

fn logged() -> ClientConfig {
    ClientConfig { protocol_log: true, trace_lines: 2, ..ClientConfig::default() }
}

fn drain(h: &mut Harness) -> Vec<String> {
    std::iter::from_fn(|| h.client.poll_log()).map(|l| l.to_string()).collect()
}

#[test]
fn every_line_in_and_out_in_order() {
    run_all_chunkings_with(logged, |h| {
        h.server(b"* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] ready\r\n");
        let login = h.enqueue(Command::login("alice", "hunter2"));
        h.server(format!("{login} OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] in\r\n").as_bytes());
        let sel = h.enqueue(Command::select("INBOX"));
        h.server(
            format!("* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{sel} OK [READ-WRITE] done\r\n").as_bytes(),
        );
        let fetch = h.enqueue(request::fetch(true, 1, &[FetchAttr::body_peek()]));
        h.server(format!("* 1 FETCH (UID 1 BODY[] {{11}}\r\nhello world)\r\n{fetch} OK\r\n").as_bytes());
        let append =
            h.enqueue(request::append("Sent", crate::types::AppendMessage::new(&b"secret body"[..])));
        h.server(format!("{append} OK appended\r\n").as_bytes());
        let idle = h.enqueue(request::idle());
        h.server(b"+ idling\r\n* 3 EXISTS\r\n");
        h.client.idle_done().unwrap();
        h.server(format!("{idle} OK done\r\n").as_bytes());
        let expected = [
            "S: * OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] ready".to_owned(),
            format!("C: {login} LOGIN alice \"<password>\""),
            format!("S: {login} OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] in"),
            format!("C: {sel} SELECT INBOX"),
            "S: * 2 EXISTS".to_owned(),
            "S: * OK [UIDVALIDITY 7] ok".to_owned(),
            format!("S: {sel} OK [READ-WRITE] done"),
            format!("C: {fetch} UID FETCH 1 (BODY.PEEK[])"),
            "S: * 1 FETCH (UID 1 BODY[] {11} <11 bytes> )".to_owned(),
            format!("S: {fetch} OK"),
            format!("C: {append} APPEND Sent {{11+}} <11 bytes>"),
            format!("S: {append} OK appended"),
            format!("C: {idle} IDLE"),
            "S: + idling".to_owned(),
            "S: * 3 EXISTS".to_owned(),
            "C: DONE".to_owned(),
            format!("S: {idle} OK done"),
        ];
        assert_eq!(drain(h), expected, "{:?}", h.chunking());
        // Taken once: nothing is left, and the trace still has its last two.
        assert!(h.client.poll_log().is_none());
        assert_eq!(h.client.trace().count(), 2);
        assert_eq!(h.client.log_dropped(), 0);
    });
}

#[test]
fn the_log_is_off_by_default_and_can_be_turned_on_and_off() {
    let mut h = Harness::new(Chunking::Whole);
    h.greet("IMAP4rev1");
    assert!(h.client.poll_log().is_none(), "off by default");
    h.client.set_protocol_log(true);
    let noop = h.enqueue(Command::Noop);
    h.server(format!("{noop} OK\r\n").as_bytes());
    assert_eq!(
        h.client.take_protocol_log(),
        [
            TraceLine { direction: Direction::Sent, text: format!("{noop} NOOP") },
            TraceLine { direction: Direction::Received, text: format!("{noop} OK") },
        ]
    );
    let noop = h.enqueue(Command::Noop);
    h.client.set_protocol_log(false);
    assert!(h.client.poll_log().is_none(), "turning it off drops what waits");
    h.server(format!("{noop} OK\r\n").as_bytes());
    assert!(h.client.poll_log().is_none());
}

#[test]
fn a_log_nobody_takes_stays_bounded() {
    let config = || ClientConfig { protocol_log: true, protocol_log_limit: 2_000, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.greet("IMAP4rev1");
        let mut last = None;
        for _ in 0..200 {
            let t = h.enqueue(Command::Noop);
            h.server(format!("{t} OK noop {t}\r\n").as_bytes());
            last = Some(t);
        }
        let dropped = h.client.log_dropped();
        let lines = drain(h);
        // 401 lines were logged; what is left fits the limit, the newest kept.
        assert_eq!(dropped + lines.len() as u64, 401, "{lines:?}");
        assert!(lines.iter().map(|l| l.len() - 3 + 64).sum::<usize>() <= 2_000);
        let last = last.unwrap();
        assert_eq!(lines.last().unwrap(), &format!("S: {last} OK noop {last}"));
    });
}

#[test]
fn a_driver_draining_after_each_read_loses_nothing() {
    // One read of 64 KiB of the shortest responses, drained once after it.
    let mut h = Harness::with_config(Chunking::Whole, logged());
    h.selected("IMAP4rev1", 40_000);
    let _ = drain(&mut h);
    let mut input = Vec::new();
    while input.len() < 64 * 1024 {
        input.extend_from_slice(b"* 1 EXPUNGE\r\n");
    }
    let n = input.len() / 13;
    h.server(&input);
    assert_eq!(drain(&mut h).len(), n);
    assert_eq!(h.client.log_dropped(), 0);
}

#[test]
fn a_long_line_is_cut_and_marked() {
    let mut h = Harness::with_config(Chunking::Whole, logged());
    h.selected("IMAP4rev1", 3);
    let _ = drain(&mut h);
    let search = h.enqueue(request::search(true, crate::types::SearchKey::All));
    let ids: Vec<String> = (1..=50_000).map(|i| i.to_string()).collect();
    h.server(format!("* SEARCH {}\r\n{search} OK\r\n", ids.join(" ")).as_bytes());
    let lines = drain(&mut h);
    let long = &lines[1];
    assert!(long.starts_with("S: * SEARCH 1 2 3 "), "{long:.40}");
    assert!(long.ends_with(" ..."), "{}", &long[long.len() - 20..]);
    assert!(long.len() < 17 * 1024, "{}", long.len());
    // The trace cuts shorter.
    let traced = h.client.trace().find(|l| l.text.starts_with("* SEARCH")).unwrap();
    assert!(traced.text.len() < 400 && traced.text.ends_with(" ..."));
}

#[test]
fn the_failure_report_ends_with_the_last_lines() {
    run_all_chunkings_with(ClientConfig::default, |h| {
        h.greet("IMAP4rev1");
        assert_eq!(h.client.failure_report(), None, "nothing failed");
        let noop = h.enqueue(Command::Noop);
        h.server(format!("* 1 EXISTS\r\n* BYE going down\r\n{noop} OK\r\n").as_bytes());
        let report = h.client.failure_report().expect("the connection ended");
        assert_eq!(
            report,
            format!(
                "the server closed the connection: going down\nlast lines exchanged (redacted):\n\
                 S: * OK [CAPABILITY IMAP4rev1] ready\nC: {noop} NOOP\nS: * 1 EXISTS\nS: * BYE going down\n"
            )
        );
        assert_eq!(h.client.trace_text(), Engine::trace_text(&h.client));
    });
}
