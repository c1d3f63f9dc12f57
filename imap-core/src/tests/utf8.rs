//! UTF8=ACCEPT (RFC 6855): enabled by the engine right after the login when
//! asked and offered; mailbox names then go both ways as UTF-8.

use super::{run_all_chunkings_with, Harness};
use crate::client::ClientConfig;
use crate::request::{self, ListEntry, MailboxStatus};
use crate::types::{Capability, Command, Mailbox, StatusAttr};
use crate::{Commands, Event};

const NAME: &str = "Entw\u{fc}rfe";

fn utf8() -> ClientConfig {
    ClientConfig { utf8_accept: true, ..ClientConfig::default() }
}

/// Greeting, then LOGIN with a STATUS of [`NAME`] pipelined behind it; the
/// server's answer to LOGIN is `login_ok`. Returns the two tags.
fn login_with_status(h: &mut Harness, login_ok: &str) -> (crate::types::Tag, crate::types::Tag) {
    h.greet("IMAP4rev1 AUTH=PLAIN");
    let login = h.enqueue(Command::login("u", "p"));
    let status = h.enqueue(request::status(NAME, &[StatusAttr::Messages]));
    h.expect_client(format!("{login} LOGIN u \"p\"\r\n").as_bytes());
    h.server(format!("{login} {login_ok}\r\n").as_bytes());
    (login, status)
}

#[test]
fn enabled_right_after_the_login_before_anything_queued() {
    run_all_chunkings_with(utf8, |h| {
        let (login, status) = login_with_status(h, "OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] in");
        // The engine's ENABLE goes first; the login waits for it.
        h.expect_client(b"A3 ENABLE UTF8=ACCEPT\r\n");
        h.not_completed(&login);
        h.server(b"* ENABLED UTF8=ACCEPT\r\nA3 OK enabled\r\n");
        h.completed(&login).unwrap();
        assert!(h.client.enabled().has(&Capability::Utf8Accept));
        // The STATUS behind it goes out in UTF-8, and its answer in UTF-8
        // is routed to it.
        h.expect_client(format!("{status} STATUS \"{NAME}\" (MESSAGES)\r\n").as_bytes());
        h.server(format!("* STATUS \"{NAME}\" (MESSAGES 3)\r\n{status} OK\r\n").as_bytes());
        let found: MailboxStatus = h.output(&status);
        assert_eq!(found.messages, Some(3));
        assert_eq!(found.mailbox, Some(Mailbox::new(NAME)));
        // Names read as UTF-8 (not modified UTF-7: `&` is itself).
        let list = h.enqueue(request::list("", "*"));
        h.expect_client(format!("{list} LIST \"\" *\r\n").as_bytes());
        h.server(format!("* LIST () \"/\" \"{NAME}/R&D\"\r\n{list} OK\r\n").as_bytes());
        let entries: Vec<ListEntry> = h.output(&list);
        assert_eq!(entries[0].mailbox.as_str(), format!("{NAME}/R&D"));
        // And sent back as they came.
        let sel = h.enqueue(Command::select(entries[0].mailbox.clone()));
        h.expect_client(format!("{sel} SELECT \"{NAME}/R&D\"\r\n").as_bytes());
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn a_login_without_capabilities_asks_for_them_then_enables() {
    run_all_chunkings_with(utf8, |h| {
        let (login, status) = login_with_status(h, "OK in");
        h.expect_client(b"A3 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT\r\nA3 OK\r\n");
        h.expect_client(b"A4 ENABLE UTF8=ACCEPT\r\n");
        h.not_completed(&login);
        h.server(b"* ENABLED UTF8=ACCEPT\r\nA4 OK\r\n");
        h.completed(&login).unwrap();
        h.expect_client(format!("{status} STATUS \"{NAME}\" (MESSAGES)\r\n").as_bytes());
    });
}

#[test]
fn a_preauth_session_enables_at_once_utf8_only_too() {
    run_all_chunkings_with(utf8, |h| {
        // UTF8=ONLY implies UTF8=ACCEPT (RFC 6855 section 3).
        h.server(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UTF8=ONLY] welcome\r\n");
        let create = h.enqueue(request::create(NAME));
        h.expect_client(b"A1 ENABLE UTF8=ACCEPT\r\n");
        h.server(b"* ENABLED UTF8=ACCEPT\r\nA1 OK\r\n");
        h.expect_client(format!("{create} CREATE \"{NAME}\"\r\n").as_bytes());
        assert!(matches!(h.take_events().as_slice(), [Event::Greeting(_)]));
    });
}

#[test]
fn a_refused_enable_keeps_modified_utf7() {
    run_all_chunkings_with(utf8, |h| {
        let (login, status) = login_with_status(h, "OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] in");
        h.expect_client(b"A3 ENABLE UTF8=ACCEPT\r\n");
        h.server(b"A3 NO not today\r\n");
        h.completed(&login).unwrap();
        assert!(!h.client.enabled().has(&Capability::Utf8Accept));
        h.expect_client(format!("{status} STATUS Entw&APw-rfe (MESSAGES)\r\n").as_bytes());
        assert!(h.take_events().is_empty(), "the engine's own ENABLE is nobody's result");
    });
}

#[test]
fn not_offered_or_not_asked_nothing_is_enabled() {
    // Offered but not asked for (the default), and asked for but not
    // offered (Dovecot 2.3): modified UTF-7 either way.
    for (asked, caps) in [(false, "ENABLE UTF8=ACCEPT"), (true, "ENABLE IDLE")] {
        let config = || ClientConfig { utf8_accept: asked, ..ClientConfig::default() };
        run_all_chunkings_with(config, |h| {
            let (login, status) = login_with_status(h, &format!("OK [CAPABILITY IMAP4rev1 {caps}] in"));
            h.completed(&login).unwrap();
            h.expect_client(format!("{status} STATUS Entw&APw-rfe (MESSAGES)\r\n").as_bytes());
        });
    }
}

#[test]
fn enable_utf8_accept_yields_whether_it_took() {
    run_all_chunkings_with(ClientConfig::default, |h| {
        h.greet("IMAP4rev1");
        h.login("IMAP4rev1 ENABLE UTF8=ACCEPT");
        let handle = h.client.enable_utf8_accept().unwrap();
        let tag = handle.tag().unwrap().clone();
        h.expect_client(format!("{tag} ENABLE UTF8=ACCEPT\r\n").as_bytes());
        h.server(format!("* ENABLED UTF8=ACCEPT\r\n{tag} OK\r\n").as_bytes());
        assert_eq!(h.client.take(&handle), Some(Ok(true)));
        assert!(h.client.enabled().has(&Capability::Utf8Accept));
    });
}
