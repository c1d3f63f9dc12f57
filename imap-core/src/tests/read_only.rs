//! Read-only mailboxes (RFC 9051 sections 6.3.2, 6.3.3 and 7.1): the
//! application hears the access, and commands that would change the
//! mailbox are refused before anything is sent.

use super::{run_all_chunkings, Harness};
use crate::request::{self, MailboxInfo};
use crate::types::{Command, FetchAttr, Flag, Mailbox, StoreMode};
use crate::{CommandError, Commands, Event, UsageError};

const CAPS: &str = "IMAP4rev1 UIDPLUS MOVE UNSELECT";

fn read_only_event(mailbox: &str, read_only: bool) -> Event {
    Event::MailboxAccess { mailbox: Mailbox::new(mailbox), read_only }
}

/// Logged in, then `Archive` opened with EXAMINE.
fn examined(h: &mut Harness) {
    h.greet(CAPS);
    h.login(CAPS);
    let ex = h.enqueue(Command::examine("Archive"));
    h.expect_client(format!("{ex} EXAMINE Archive\r\n").as_bytes());
    h.server(
        format!("* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{ex} OK [READ-ONLY] EXAMINE completed\r\n")
            .as_bytes(),
    );
    let info: MailboxInfo = h.output(&ex);
    assert!(info.read_only);
    assert_eq!(h.take_events(), [read_only_event("Archive", true)]);
}

/// Every request that would change the mailbox, through the typed API.
#[track_caller]
fn all_changes_refused(h: &mut Harness) {
    let c = &mut h.client;
    let refused = |r: Result<_, UsageError>, command| match r {
        Err(UsageError::ReadOnly { command: got }) => assert_eq!(got, command),
        other => panic!("{command}: {other:?}"),
    };
    refused(c.store(1, StoreMode::Add, &[Flag::Seen]).map(drop), "UID STORE");
    refused(c.add_flags(1..=3, &[Flag::Deleted]).map(drop), "UID STORE");
    refused(c.expunge().map(drop), "EXPUNGE");
    refused(c.uid_expunge(2).map(drop), "UID EXPUNGE");
    refused(c.move_to(1, "INBOX").map(drop), "MOVE");
    refused(c.move_by_copy(1, "INBOX").map(drop), "MOVE");
    refused(c.submit(request::command(Command::Expunge)).map(drop), "EXPUNGE");
    h.expect_silence();
    assert_eq!(h.client.pending_commands(), 0);
}

#[test]
fn examine_refuses_every_change_before_sending() {
    run_all_chunkings(|h| {
        examined(h);
        all_changes_refused(h);
        // Reading, copying out, appending elsewhere and closing are fine.
        let fetch = h.enqueue(request::fetch(true, 1..=3, &[FetchAttr::Flags]));
        let copy = h.enqueue(request::copy(true, 1, "INBOX"));
        let append = h.enqueue(request::append("INBOX", crate::types::AppendMessage::new(&b"hi"[..])));
        h.expect_client(
            format!(
                "{fetch} UID FETCH 1:3 (FLAGS)\r\n{copy} UID COPY 1 INBOX\r\n{append} APPEND INBOX {{2}}\r\n"
            )
            .as_bytes(),
        );
        h.server(format!("{fetch} OK\r\n{copy} OK\r\n{append} NO later\r\n").as_bytes());
        let close = h.enqueue(Command::Close);
        h.expect_client(format!("{close} CLOSE\r\n").as_bytes());
        h.server(format!("{close} OK\r\n").as_bytes());
        h.completed(&close).unwrap();
        assert!(h.client.mailbox().is_none());
    });
}

#[test]
fn select_answered_read_only_is_read_only() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        h.login(CAPS);
        let sel = h.enqueue(Command::select("Shared"));
        h.expect_client(format!("{sel} SELECT Shared\r\n").as_bytes());
        h.server(format!("* 2 EXISTS\r\n{sel} OK [READ-ONLY] SELECT completed\r\n").as_bytes());
        let info: MailboxInfo = h.output(&sel);
        assert!(info.read_only);
        assert_eq!(h.take_events(), [read_only_event("Shared", true)]);
        all_changes_refused(h);
        // SELECTing a writable mailbox ends it, without an event (its
        // result says so).
        h.sent.clear();
        h.select(3);
        assert!(!h.client.mailbox().expect("selected").read_only);
        let store = h.enqueue(request::store_silent(true, 1, StoreMode::Add, &[Flag::Seen]));
        h.expect_client(format!("{store} UID STORE 1 +FLAGS.SILENT (\\Seen)\r\n").as_bytes());
    });
}

#[test]
fn the_access_can_change_while_selected() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        // RFC 9051 7.1: "its access while selected has changed from
        // read-write to read-only".
        let noop = h.enqueue(Command::Noop);
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
        h.server(format!("* OK [READ-ONLY] another session took write access\r\n{noop} OK\r\n").as_bytes());
        h.completed(&noop).unwrap();
        assert!(h.client.mailbox().expect("selected").read_only);
        let events = h.take_events();
        assert_eq!(events[0], read_only_event("INBOX", true));
        assert!(matches!(&events[1..], [Event::Unsolicited(_)]), "the response itself too: {events:?}");
        all_changes_refused(h);
        // A repeated READ-ONLY changes nothing: no second event.
        h.server(b"* OK [READ-ONLY] still\r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::Unsolicited(_)]));
        // And back to read-write.
        h.server(b"* OK [READ-WRITE] yours again\r\n");
        let events = h.take_events();
        assert_eq!(events[0], read_only_event("INBOX", false));
        let expunge = h.enqueue(request::expunge());
        h.expect_client(format!("{expunge} EXPUNGE\r\n").as_bytes());
    });
}

#[test]
fn a_change_behind_an_examine_is_refused_at_submit() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let ex = h.enqueue(Command::examine("Archive"));
        // The mailbox it will run in is read-only: refused now.
        assert_eq!(
            h.client.expunge().map(drop),
            Err(UsageError::ReadOnly { command: "EXPUNGE" }),
            "projected from the EXAMINE in flight"
        );
        // A SELECT behind the EXAMINE makes it writable again.
        let sel = h.enqueue(Command::select("INBOX"));
        let expunge = h.enqueue(request::expunge());
        h.server(format!("{ex} OK [READ-ONLY] done\r\n{sel} OK [READ-WRITE] done\r\n").as_bytes());
        h.expect_client(
            format!("{ex} EXAMINE Archive\r\n{sel} SELECT INBOX\r\n{expunge} EXPUNGE\r\n").as_bytes(),
        );
    });
}

#[test]
fn a_change_queued_behind_a_select_answered_read_only_is_not_sent() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let sel = h.enqueue(Command::select("Shared"));
        let store = h.enqueue(request::store(true, 1, StoreMode::Add, &[Flag::Seen]));
        let moved = h.client.move_by_copy(1, "INBOX").expect("admitted: SELECT may answer read-write");
        h.pump();
        h.expect_client(format!("{sel} SELECT Shared\r\n").as_bytes());
        h.server(format!("* 1 EXISTS\r\n{sel} OK [READ-ONLY] done\r\n").as_bytes());
        h.completed(&sel).unwrap();
        assert_eq!(h.failed(&store), CommandError::NotSent(UsageError::ReadOnly { command: "UID STORE" }));
        // The MOVE fallback is refused as a whole: no COPY without its
        // STORE and EXPUNGE.
        h.pump();
        assert_eq!(
            h.client.take(&moved),
            Some(Err(CommandError::NotSent(UsageError::ReadOnly { command: "MOVE" })))
        );
        h.expect_silence();
    });
}

#[test]
fn a_change_queued_when_the_access_changes_is_not_sent() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        // A raw command runs alone: the STORE waits behind it.
        let raw = h.enqueue(request::raw("XWAIT", vec![]));
        let store = h.enqueue(request::store(true, 1, StoreMode::Add, &[Flag::Seen]));
        h.expect_client(format!("{raw} XWAIT\r\n").as_bytes());
        h.server(format!("* OK [READ-ONLY] now read-only\r\n{raw} OK\r\n").as_bytes());
        assert_eq!(h.failed(&store), CommandError::NotSent(UsageError::ReadOnly { command: "UID STORE" }));
        h.expect_silence();
    });
}
