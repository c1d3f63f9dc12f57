//! Outbound literals: synchronising literals wait for `+`, a tagged
//! completion while waiting ends the command cleanly, LITERAL+ and
//! LITERAL- skip the round trip, and where a `+` goes.

use super::run_all_chunkings;
use crate::request::AppendResult;
use crate::types::{AppendMessage, Command, FetchAttr, Mailbox, ResponseCode, SearchKey};
use crate::{CommandError, Event, ProtocolError};

fn append(mailbox: &str, messages: &[&[u8]]) -> Command {
    Command::Append {
        mailbox: Mailbox::new(mailbox),
        messages: messages.iter().map(|m| AppendMessage::new(bytes::Bytes::copy_from_slice(m))).collect(),
    }
}

#[test]
fn a_sync_literal_waits_for_the_continuation() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let a = h.enqueue(append("Drafts", &[b"hello"]));
        h.expect_client(format!("{a} APPEND Drafts {{5}}\r\n").as_bytes());
        // The literal owns the wire: a later command waits for it.
        let noop = h.enqueue(Command::Noop);
        h.advance(std::time::Duration::from_secs(5));
        h.expect_silence();
        h.server(b"+ Ready for literal data\r\n");
        h.expect_client(format!("hello\r\n{noop} NOOP\r\n").as_bytes());
        h.server(format!("{noop} OK\r\n{a} OK APPEND completed\r\n").as_bytes());
        h.completed(&a).unwrap();
        h.completed(&noop).unwrap();
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn a_literal_in_the_middle_of_a_line() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let s = h.enqueue(Command::search(false, SearchKey::subject("caf\u{e9}").and(SearchKey::Unseen)));
        h.expect_client(format!("{s} SEARCH CHARSET UTF-8 SUBJECT {{5}}\r\n").as_bytes());
        h.server(b"+ go ahead\r\n");
        h.expect_client("caf\u{e9} UNSEEN\r\n".as_bytes());
        h.server(format!("* SEARCH 3\r\n{s} OK\r\n").as_bytes());
        assert_eq!(h.output::<crate::request::SearchResult>(&s).ids, vec![3]);
    });
}

#[test]
fn no_trycreate_while_waiting_ends_the_command_cleanly() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let a = h.enqueue(append("Nope", &[b"hello"]));
        let noop = h.enqueue(Command::Noop);
        h.expect_client(format!("{a} APPEND Nope {{5}}\r\n").as_bytes());
        h.server(format!("{a} NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n").as_bytes());
        match h.failed(&a) {
            CommandError::No { code: Some(ResponseCode::TryCreate), .. } => {}
            other => panic!("{other:?}"),
        }
        // The literal is never sent; the queue moves on.
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
        // A late `+` now has nobody to go to.
        h.server(b"+ Ready\r\n");
        assert!(matches!(
            h.take_events().as_slice(),
            [Event::ProtocolError(ProtocolError::UnexpectedContinuation)]
        ));
        h.expect_silence();
        h.server(format!("{noop} OK\r\n").as_bytes());
        h.completed(&noop).unwrap();
    });
}

#[test]
fn bad_while_waiting_ends_the_command_cleanly() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 MULTIAPPEND", 3);
        let a = h.enqueue(append("Drafts", &[b"one", b"two"]));
        h.expect_client(format!("{a} APPEND Drafts {{3}}\r\n").as_bytes());
        h.server(b"+ ok\r\n");
        h.expect_client(b"one {3}\r\n");
        // Refused at the second literal: the rest is dropped.
        h.server(format!("{a} BAD [TOOBIG] message too large\r\n").as_bytes());
        assert!(matches!(h.failed(&a), CommandError::Bad { code: Some(ResponseCode::TooBig), .. }));
        let noop = h.enqueue(Command::Noop);
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
    });
}

#[test]
fn other_completions_while_waiting_do_not_disturb() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        let a = h.enqueue(append("Drafts", &[b"hello"]));
        h.expect_client(format!("{f} FETCH 1 (FLAGS)\r\n{a} APPEND Drafts {{5}}\r\n").as_bytes());
        h.server(format!("* 1 FETCH (FLAGS ())\r\n{f} OK\r\n").as_bytes());
        h.expect_silence();
        h.completed(&f).unwrap();
        h.server(b"+ \r\n");
        h.expect_client(b"hello\r\n");
        h.server(format!("{a} OK [APPENDUID 1 9] done\r\n").as_bytes());
        assert_eq!(h.output::<AppendResult>(&a).uid_validity, Some(1));
    });
}

#[test]
fn multiappend_gets_one_continuation_per_literal() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 MULTIAPPEND", 3);
        let a = h.enqueue(append("Drafts", &[b"first", b"second", b"third"]));
        h.expect_client(format!("{a} APPEND Drafts {{5}}\r\n").as_bytes());
        h.server(b"+ Ready\r\n");
        h.expect_client(b"first {6}\r\n");
        h.server(b"+ Ready\r\n");
        h.expect_client(b"second {5}\r\n");
        h.server(b"+ Ready\r\n");
        h.expect_client(b"third\r\n");
        // A `+` too many.
        h.server(b"+ Ready\r\n");
        assert!(matches!(
            h.take_events().as_slice(),
            [Event::ProtocolError(ProtocolError::UnexpectedContinuation)]
        ));
        h.expect_silence();
        h.server(format!("{a} OK [APPENDUID 7 10:12] done\r\n").as_bytes());
        assert_eq!(h.output::<AppendResult>(&a).uids, Some("10:12".parse().unwrap()));
    });
}

#[test]
fn literal_plus_sends_at_once() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 LITERAL+ MULTIAPPEND", 3);
        let big = vec![b'x'; 10_000];
        let a = h.enqueue(append("Drafts", &[b"hello", &big]));
        let noop = h.enqueue(Command::Noop);
        let mut want = format!("{a} APPEND Drafts {{5+}}\r\nhello {{10000+}}\r\n").into_bytes();
        want.extend_from_slice(&big);
        want.extend_from_slice(format!("\r\n{noop} NOOP\r\n").as_bytes());
        h.expect_client(&want);
        h.server(format!("{a} OK\r\n{noop} OK\r\n").as_bytes());
        h.completed(&a).unwrap();
    });
}

#[test]
fn literal_minus_only_for_small_literals() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 LITERAL- MULTIAPPEND", 3);
        let small = vec![b's'; 4096];
        let big = vec![b'b'; 4097];
        let a = h.enqueue(append("Drafts", &[&small, &big]));
        let mut want = format!("{a} APPEND Drafts {{4096+}}\r\n").into_bytes();
        want.extend_from_slice(&small);
        want.extend_from_slice(b" {4097}\r\n");
        h.expect_client(&want);
        h.server(b"+ go\r\n");
        let mut want = big.to_vec();
        want.extend_from_slice(b"\r\n");
        h.expect_client(&want);
        h.server(format!("{a} OK\r\n").as_bytes());
        h.completed(&a).unwrap();
    });
}

#[test]
fn a_login_password_literal_waits_too() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        let l = h.enqueue(Command::login("j\u{f6}rg", "p\u{e4}ss\r\nA2 DELETE INBOX"));
        let pw = "p\u{e4}ss\r\nA2 DELETE INBOX".as_bytes();
        h.expect_client(format!("{l} LOGIN {{5}}\r\n").as_bytes());
        h.server(b"+ \r\n");
        h.expect_client(format!("j\u{f6}rg {{{}}}\r\n", pw.len()).as_bytes());
        h.server(b"+ \r\n");
        let mut want = pw.to_vec();
        want.extend_from_slice(b"\r\n");
        h.expect_client(&want);
        h.server(format!("{l} OK [CAPABILITY IMAP4rev1] hi\r\n").as_bytes());
        h.completed(&l).unwrap();
        assert_eq!(h.client.state(), crate::types::StateName::Authenticated);
    });
}

#[test]
fn continuations_go_to_the_waiting_literal_before_a_queued_idle() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 IDLE", 3);
        let a = h.enqueue(append("Drafts", &[b"hello"]));
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_client(format!("{a} APPEND Drafts {{5}}\r\n").as_bytes());
        h.server(b"+ Ready\r\n");
        h.expect_client(b"hello\r\n");
        assert!(h.take_events().is_empty(), "no IdleStarted for the literal's `+`");
        h.server(format!("{a} OK\r\n").as_bytes());
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        h.server(b"+ idling\r\n");
        h.completed(&a).unwrap();
        assert!(matches!(h.take_events().as_slice(), [Event::IdleStarted(id)] if *id == h.id(&idle)));
    });
}

#[test]
fn an_unexpected_continuation_does_not_stop_the_session() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        h.server(b"+ what?\r\n");
        assert!(matches!(
            h.take_events().as_slice(),
            [Event::ProtocolError(ProtocolError::UnexpectedContinuation)]
        ));
        // Nor while a command without literal runs.
        let noop = h.enqueue(Command::Noop);
        h.sent.clear();
        h.server(b"+\r\n");
        assert!(matches!(
            h.take_events().as_slice(),
            [Event::ProtocolError(ProtocolError::UnexpectedContinuation)]
        ));
        h.server(format!("{noop} OK\r\n").as_bytes());
        h.completed(&noop).unwrap();
        h.expect_silence();
    });
}

#[test]
fn continuations_go_to_a_running_authenticate_before_a_queued_idle() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=X-CUSTOM IDLE");
        let auth = h.try_enqueue_interactive("X-CUSTOM", None).unwrap();
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_client(format!("{auth} AUTHENTICATE X-CUSTOM\r\n").as_bytes());
        h.server(b"+ \r\n");
        assert!(
            matches!(h.take_events().as_slice(), [Event::SaslChallenge { id, .. }] if *id == h.id(&auth))
        );
        h.client.sasl_respond(Some(b"x")).unwrap();
        h.expect_client(b"eA==\r\n");
        h.server(format!("{auth} OK [CAPABILITY IMAP4rev1 IDLE] in\r\n").as_bytes());
        h.completed(&auth).unwrap();
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        h.server(b"+ idling\r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::IdleStarted(id)] if *id == h.id(&idle)));
    });
}
