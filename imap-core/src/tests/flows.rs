//! Greeting, session states, capabilities, tags, the end of the connection
//! and malformed responses.

use super::{run_all_chunkings, run_all_chunkings_with, Chunking, Harness};
use crate::client::ClientConfig;
use crate::request::{MailboxInfo, Output};
use crate::types::StateName;
use crate::types::{
    Capability, Command, Data, FetchAttr, Mailbox, Response, ResponseCode, SearchKey, SearchReturn,
    SequenceSet, StatusKind, ThreadAlgorithm,
};
use crate::{CommandError, ConnectionError, Event, ProtocolError, UsageError};

// ------------------------------------------------------------------ greeting

#[test]
fn greeting_ok_with_capabilities_sends_nothing() {
    run_all_chunkings(|h| {
        h.server(b"* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] Dovecot ready.\r\n");
        let events = h.take_events();
        match events.as_slice() {
            [Event::Greeting(s)] => {
                assert_eq!(s.kind, StatusKind::Ok);
                assert_eq!(s.text, "Dovecot ready.");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(h.client.state(), StateName::NotAuthenticated);
        assert!(h.client.capabilities_known());
        assert!(h.client.capabilities().has(&Capability::Idle));
        assert!(h.client.capabilities().has_auth("plain"));
        // Kept for the application (IMAPClient's `welcome`).
        let greeting = h.client.greeting().expect("kept");
        assert_eq!(greeting.text, "Dovecot ready.");
        assert!(matches!(greeting.code, Some(ResponseCode::Capability(_))));
        assert_eq!(crate::Engine::welcome(&h.client).as_deref(), Some("Dovecot ready."));
        h.expect_silence();
    });
}

#[test]
fn greeting_ok_without_capabilities_asks_silently() {
    run_all_chunkings(|h| {
        h.server(b"* OK ready\r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::Greeting(_)]));
        assert!(!h.client.capabilities_known());
        h.expect_client(b"A1 CAPABILITY\r\n");
        assert_eq!(h.client.pending_commands(), 0, "the engine's own command is not the application's");
        h.server(b"* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK done\r\n");
        assert!(h.take_events().is_empty(), "no Completed for the engine's own CAPABILITY");
        assert!(h.client.capabilities_known());
        assert!(h.client.capabilities().has(&Capability::Idle));
        // The counter goes on after the engine's tag.
        let noop = h.enqueue(Command::Noop);
        assert_eq!(noop.as_str(), "A2");
    });
}

#[test]
fn greeting_preauth_goes_straight_to_authenticated() {
    run_all_chunkings(|h| {
        h.server(b"* PREAUTH [CAPABILITY IMAP4rev1] IMAP4rev1 server logged in as Smith\r\n");
        match h.take_events().as_slice() {
            [Event::Greeting(s)] => assert_eq!(s.kind, StatusKind::PreAuth),
            other => panic!("{other:?}"),
        }
        let greeting = crate::Engine::greeting(&h.client).expect("kept");
        assert_eq!(greeting.kind, StatusKind::PreAuth);
        assert_eq!(greeting.text, "IMAP4rev1 server logged in as Smith");
        assert_eq!(h.client.state(), StateName::Authenticated);
        assert!(matches!(
            h.try_enqueue(Command::login("a", "b")),
            Err(UsageError::WrongState { state: StateName::Authenticated, .. })
        ));
        let sel = h.enqueue(Command::select("INBOX"));
        h.expect_client(b"A1 SELECT INBOX\r\n");
        h.server(b"* 2 EXISTS\r\nA1 OK [READ-WRITE] done\r\n");
        h.completed(&sel).unwrap();
        assert_eq!(h.client.state(), StateName::Selected);
    });
}

#[test]
fn greeting_preauth_without_capabilities_asks() {
    run_all_chunkings(|h| {
        h.server(b"* PREAUTH welcome back\r\n");
        assert_eq!(h.client.state(), StateName::Authenticated);
        h.expect_client(b"A1 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK done\r\n");
        assert!(h.client.capabilities().has(&Capability::Idle));
        assert!(matches!(h.take_events().as_slice(), [Event::Greeting(_)]));
    });
}

#[test]
fn greeting_bye_refuses_the_connection() {
    run_all_chunkings(|h| {
        h.server(b"* BYE Autologout; idle for too long\r\n");
        let lost = h.connection_lost();
        assert!(
            matches!(lost.as_slice(), [ConnectionError::Refused(t)] if t == "Autologout; idle for too long"),
            "{lost:?}"
        );
        assert!(h.take_events().is_empty(), "no Greeting event for a BYE");
        assert_eq!(h.client.greeting(), None, "a refusal is the connection error");
        assert_eq!(h.client.state(), StateName::Logout);
        assert!(h.client.is_closed());
        assert!(!h.client.wants_read());
        assert_eq!(h.try_enqueue(Command::Noop), Err(UsageError::Closed));
        assert_eq!(h.try_enqueue(Command::Capability), Err(UsageError::Closed));
        assert_eq!(h.try_enqueue(crate::request::idle()), Err(UsageError::Closed));
        assert!(h.client.poll_transmit().is_none());
        assert!(h.client.poll_timeout().is_none());
        // Sticky: more input, EOF and time change nothing.
        h.server(b"* OK hello again\r\n");
        h.client.handle_eof();
        h.advance(std::time::Duration::from_secs(3600));
        assert!(h.take_events().is_empty());
        assert!(matches!(h.client.connection_error(), Some(ConnectionError::Refused(_))));
    });
}

#[test]
fn data_before_the_greeting_is_a_protocol_error() {
    run_all_chunkings(|h| {
        h.server(b"* 3 EXISTS\r\n");
        let events = h.take_events();
        assert!(
            matches!(events.as_slice(), [Event::ProtocolError(ProtocolError::UnexpectedGreeting)]),
            "{events:?}"
        );
        assert_eq!(h.client.state(), StateName::Greeting);
        assert!(matches!(
            h.try_enqueue(Command::Noop),
            Err(UsageError::WrongState { state: StateName::Greeting, .. })
        ));
        h.greet("IMAP4rev1");
        assert_eq!(h.client.state(), StateName::NotAuthenticated);
        let noop = h.enqueue(Command::Noop);
        h.expect_client(b"A1 NOOP\r\n");
        h.server(b"A1 OK\r\n");
        h.completed(&noop).unwrap();
    });
}

#[test]
fn a_second_greeting_is_a_protocol_error() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        h.server(b"* PREAUTH again\r\n");
        assert!(matches!(
            h.take_events().as_slice(),
            [Event::ProtocolError(ProtocolError::UnexpectedGreeting)]
        ));
        assert_eq!(h.client.state(), StateName::NotAuthenticated);
    });
}

// -------------------------------------------------------------------- states

const ALL_CAPS: &str = "IMAP4rev1 IDLE UIDPLUS MOVE ENABLE ID NAMESPACE UNSELECT SORT THREAD=REFERENCES \
                        QUOTA ACL METADATA CONDSTORE QRESYNC ESEARCH STARTTLS AUTH=PLAIN COMPRESS=DEFLATE";

fn wrong_state(h: &mut Harness, cmd: Command, state: StateName) {
    let name = cmd.name();
    let before = (h.client.pending_transmit(), h.client.pending_commands());
    match h.try_enqueue(cmd) {
        Err(UsageError::WrongState { command, state: s }) => {
            assert_eq!(command, name);
            assert_eq!(s, state, "{name}");
        }
        other => panic!("{name} in {state}: {other:?}"),
    }
    assert_eq!((h.client.pending_transmit(), h.client.pending_commands()), before, "nothing queued");
}

/// After refusals the session goes on: a NOOP still round-trips.
fn noop_round_trip(h: &mut Harness) {
    let noop = h.enqueue(Command::Noop);
    h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
    h.server(format!("{noop} OK done\r\n").as_bytes());
    h.completed(&noop).unwrap();
}

fn selected_only() -> Vec<Command> {
    vec![
        Command::fetch(false, 1u32, [FetchAttr::Flags]),
        Command::search(false, SearchKey::All),
        Command::Expunge,
        Command::UidExpunge(SequenceSet::from(1)),
        Command::Close,
        Command::Unselect,
        Command::Check,
        Command::Copy { uid: true, set: SequenceSet::from(1), mailbox: Mailbox::new("x") },
        Command::Move { uid: false, set: SequenceSet::from(1), mailbox: Mailbox::new("x") },
        Command::Sort { uid: false, criteria: vec![], search: SearchKey::All },
        Command::Thread { uid: false, algorithm: ThreadAlgorithm::References, search: SearchKey::All },
    ]
}

#[test]
fn commands_illegal_in_not_authenticated() {
    run_all_chunkings(|h| {
        h.greet(ALL_CAPS);
        let s = StateName::NotAuthenticated;
        for cmd in selected_only() {
            wrong_state(h, cmd, s);
        }
        wrong_state(h, Command::select("INBOX"), s);
        wrong_state(h, Command::examine("INBOX"), s);
        wrong_state(h, Command::Enable(vec![Capability::CondStore]), s);
        wrong_state(h, Command::Namespace, s);
        wrong_state(h, Command::Create { mailbox: Mailbox::new("x"), special_use: vec![] }, s);
        assert!(matches!(h.try_enqueue(crate::request::idle()), Err(UsageError::WrongState { .. })));
        noop_round_trip(h);
        assert_eq!(h.client.state(), s);
    });
}

#[test]
fn commands_illegal_in_authenticated() {
    run_all_chunkings(|h| {
        h.greet(ALL_CAPS);
        h.login(ALL_CAPS);
        let s = StateName::Authenticated;
        for cmd in selected_only() {
            wrong_state(h, cmd, s);
        }
        wrong_state(h, Command::login("u", "p"), s);
        wrong_state(h, Command::Authenticate { mechanism: "PLAIN".into(), initial_response: None }, s);
        wrong_state(h, Command::StartTls, s);
        noop_round_trip(h);
    });
}

#[test]
fn commands_illegal_in_selected() {
    run_all_chunkings(|h| {
        h.selected(ALL_CAPS, 3);
        let s = StateName::Selected;
        wrong_state(h, Command::login("u", "p"), s);
        wrong_state(h, Command::StartTls, s);
        wrong_state(h, Command::Enable(vec![Capability::CondStore]), s);
        noop_round_trip(h);
        assert_eq!(h.client.state(), s);
    });
}

#[test]
fn validity_follows_the_projected_state() {
    run_all_chunkings(|h| {
        h.greet(ALL_CAPS);
        // LOGIN in flight: SELECT is legal behind it, a second LOGIN is not.
        let login = h.enqueue(Command::login("u", "p"));
        let select = h.enqueue(Command::select("INBOX"));
        let fetch = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        h.expect_client(b"A1 LOGIN u \"p\"\r\n");
        wrong_state(h, Command::login("u", "p"), StateName::Selected);
        h.server(format!("A1 OK [CAPABILITY {ALL_CAPS}] done\r\n").as_bytes());
        h.expect_client(b"A2 SELECT INBOX\r\n");
        h.server(b"* 1 EXISTS\r\nA2 OK done\r\n");
        h.expect_client(b"A3 FETCH 1 (FLAGS)\r\n");
        h.server(b"A3 OK done\r\n");
        for t in [&login, &select, &fetch] {
            h.completed(t).unwrap();
        }
        // CLOSE queued: FETCH behind it would run in Authenticated.
        let close = h.enqueue(Command::Close);
        wrong_state(h, Command::fetch(false, 1u32, [FetchAttr::Flags]), StateName::Authenticated);
        h.expect_client(b"A4 CLOSE\r\n");
        h.server(b"A4 OK done\r\n");
        h.completed(&close).unwrap();
        // LOGOUT queued: nothing may follow it.
        let _logout = h.enqueue(Command::Logout);
        wrong_state(h, Command::Noop, StateName::Logout);
    });
}

#[test]
fn commands_behind_a_failed_login_are_not_sent() {
    run_all_chunkings(|h| {
        h.greet(ALL_CAPS);
        let login = h.enqueue(Command::login("u", "wrong"));
        let select = h.enqueue(Command::select("INBOX"));
        let list = h.enqueue(Command::List(crate::types::ListCommand::new("*")));
        let noop = h.enqueue(Command::Noop);
        h.expect_client(b"A1 LOGIN u \"wrong\"\r\n");
        h.server(b"A1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
        match h.failed(&login) {
            CommandError::No { code: Some(ResponseCode::AuthenticationFailed), text } => {
                assert_eq!(text, "Invalid credentials")
            }
            other => panic!("{other:?}"),
        }
        for t in [&select, &list] {
            match h.failed(t) {
                CommandError::NotSent(UsageError::WrongState {
                    state: StateName::NotAuthenticated, ..
                }) => {}
                other => panic!("{other:?}"),
            }
        }
        // Only the NOOP, legal in any state, goes out.
        h.expect_client(b"A4 NOOP\r\n");
        h.server(b"A4 OK\r\n");
        h.completed(&noop).unwrap();
        assert_eq!(h.client.state(), StateName::NotAuthenticated);
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn missing_capabilities_are_refused_at_enqueue() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 LOGINDISABLED");
        let refused = |h: &mut Harness, cmd: Command| {
            let name = cmd.name();
            match h.try_enqueue(cmd) {
                Err(UsageError::MissingCapability { command, .. }) => assert_eq!(command, name),
                other => panic!("{name}: {other:?}"),
            }
        };
        refused(h, Command::login("u", "p"));
        refused(h, Command::StartTls);
        refused(h, Command::Authenticate { mechanism: "PLAIN".into(), initial_response: None });
        refused(h, Command::Id(None));
        h.expect_silence();
        // PREAUTH-like: log in through a server without extensions.
        let mut h2 = Harness::new(h.chunking());
        h2.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
        h2.take_events();
        let h = &mut h2;
        refused(h, Command::Namespace);
        refused(h, Command::Enable(vec![Capability::CondStore]));
        refused(h, Command::Compress);
        refused(h, Command::GetQuotaRoot(Mailbox::inbox()));
        refused(h, Command::GetAcl(Mailbox::inbox()));
        refused(h, Command::MyRights(Mailbox::inbox()));
        refused(
            h,
            Command::GetMetadata {
                mailbox: Some(Mailbox::inbox()),
                entries: vec!["/private/comment".into()],
                max_size: None,
                depth: Default::default(),
            },
        );
        assert!(matches!(
            h.try_enqueue(crate::request::idle()),
            Err(UsageError::MissingCapability { command: "IDLE", .. })
        ));
        h.select(5);
        refused(h, Command::Move { uid: true, set: SequenceSet::from(1), mailbox: Mailbox::new("x") });
        refused(h, Command::UidExpunge(SequenceSet::from(1)));
        refused(h, Command::Unselect);
        refused(h, Command::Sort { uid: false, criteria: vec![], search: SearchKey::All });
        refused(
            h,
            Command::Thread { uid: false, algorithm: ThreadAlgorithm::References, search: SearchKey::All },
        );
        refused(
            h,
            Command::Search { uid: false, criteria: SearchKey::All, returns: Some(vec![SearchReturn::All]) },
        );
        refused(
            h,
            Command::Fetch {
                uid: false,
                set: SequenceSet::from(1),
                attrs: vec![FetchAttr::Flags],
                changed_since: Some(5),
                vanished: false,
            },
        );
        h.expect_silence();
        noop_round_trip(h);
    });
}

#[test]
fn imap4rev2_implies_the_extensions_it_folded_in() {
    run_all_chunkings(|h| {
        h.server(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n");
        h.take_events();
        let ns = h.enqueue(Command::Namespace);
        h.expect_client(b"A1 NAMESPACE\r\n");
        h.server(b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nA1 OK\r\n");
        h.completed(&ns).unwrap();
        let en = h.enqueue(Command::Enable(vec![Capability::Utf8Accept]));
        h.expect_client(b"A2 ENABLE UTF8=ACCEPT\r\n");
        h.server(b"A2 OK\r\n");
        h.completed(&en).unwrap();
        h.select(5);
        let mv =
            h.enqueue(Command::Move { uid: true, set: SequenceSet::from(1), mailbox: Mailbox::new("x") });
        h.expect_client(format!("{mv} UID MOVE 1 x\r\n").as_bytes());
        h.server(format!("{mv} OK\r\n").as_bytes());
        h.completed(&mv).unwrap();
        let ex = h.enqueue(Command::UidExpunge(SequenceSet::from(3)));
        h.expect_client(format!("{ex} UID EXPUNGE 3\r\n").as_bytes());
        h.server(format!("{ex} OK\r\n").as_bytes());
        h.completed(&ex).unwrap();
        let es = h.enqueue(Command::Search { uid: false, criteria: SearchKey::All, returns: Some(vec![]) });
        h.server(format!("{es} OK\r\n").as_bytes());
        h.completed(&es).unwrap();
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.pump();
        h.sent.clear();
        h.server(b"+ idling\r\n");
        h.client.idle_done().unwrap();
        h.server(format!("{idle} OK\r\n").as_bytes());
        h.completed(&idle).unwrap();
        let un = h.enqueue(Command::Unselect);
        h.server(format!("{un} OK\r\n").as_bytes());
        h.completed(&un).unwrap();
    });
}

// -------------------------------------------------------------- capabilities

#[test]
fn capabilities_from_a_capability_response() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        let cap = h.enqueue(Command::Capability);
        h.expect_client(b"A1 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1 IDLE X-CUSTOM\r\nA1 OK done\r\n");
        let caps: crate::types::Capabilities = h.output(&cap);
        assert!(caps.has(&Capability::Idle));
        assert!(caps.has_name("X-CUSTOM"));
        assert_eq!(h.client.capabilities(), &caps);
        assert!(h.take_events().is_empty(), "the CAPABILITY data went to the command");
    });
}

#[test]
fn capabilities_from_the_login_ok_code() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 STARTTLS");
        let login = h.enqueue(Command::login("u", "p"));
        h.server(b"A1 OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in\r\n");
        match h.completed(&login).unwrap().output {
            Output::Authenticated(Some(caps)) => assert!(caps.has(&Capability::Move)),
            other => panic!("{other:?}"),
        }
        assert!(h.client.capabilities().has(&Capability::Move));
        assert!(!h.client.capabilities().has(&Capability::StartTls));
        assert!(h.client.capabilities_known());
        h.sent.clear();
        h.expect_silence();
    });
}

#[test]
fn capabilities_from_an_untagged_capability_or_ok_code() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        h.server(b"* CAPABILITY IMAP4rev1 IDLE\r\n");
        assert!(h.client.capabilities().has(&Capability::Idle));
        h.server(b"* OK [CAPABILITY IMAP4rev1 MOVE] changed\r\n");
        assert!(h.client.capabilities().has(&Capability::Move));
        assert!(!h.client.capabilities().has(&Capability::Idle));
        // Both are also reported: nobody asked for them.
        assert_eq!(h.unsolicited().len(), 2);
    });
}

#[test]
fn capabilities_are_forgotten_after_a_login_without_code() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 STARTTLS AUTH=PLAIN");
        let login = h.enqueue(Command::login("u", "p"));
        h.expect_client(b"A1 LOGIN u \"p\"\r\n");
        h.server(b"A1 OK Logged in\r\n");
        // LOGIN is ready only once the new capabilities are known.
        h.not_completed(&login);
        assert!(!h.client.capabilities_known());
        assert!(!h.client.capabilities().has(&Capability::StartTls), "pre-login capabilities are forgotten");
        h.expect_client(b"A2 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1 IDLE\r\nA2 OK\r\n");
        assert!(h.client.capabilities_known());
        assert!(h.client.capabilities().has(&Capability::Idle));
        assert!(matches!(h.completed(&login).unwrap().output, Output::Authenticated(None)));
        assert!(h.take_events().is_empty());
    });
}

/// The CAPABILITY after a login refused (NO or BAD): the login's result is
/// delivered anyway (found by the `client` fuzz target: it waited until a
/// LOGOUT, and then forever).
#[test]
fn a_refused_capability_after_login_still_delivers_the_login() {
    for answer in ["NO not now", "BAD what"] {
        run_all_chunkings(|h| {
            h.greet("IMAP4rev1 AUTH=PLAIN");
            let login = h.enqueue(Command::login("u", "p"));
            h.expect_client(b"A1 LOGIN u \"p\"\r\n");
            h.server(b"A1 OK Logged in\r\n");
            h.not_completed(&login);
            h.expect_client(b"A2 CAPABILITY\r\n");
            h.server(format!("A2 {answer}\r\n").as_bytes());
            assert!(h.completed(&login).is_ok(), "{answer}");
            assert!(h.client.capabilities_known(), "as known as they will be");
            noop_round_trip(h);
        });
    }
}

#[test]
fn capability_checks_wait_for_a_login_in_flight() {
    run_all_chunkings(|h| {
        // Pre-login capabilities are short; NAMESPACE comes with the login.
        h.greet("IMAP4rev1 AUTH=PLAIN");
        let login = h.enqueue(Command::login("u", "p"));
        let ns = h.enqueue(Command::Namespace);
        let idle = h.try_enqueue(crate::request::idle()).expect("IDLE may come with the login");
        h.expect_client(b"A1 LOGIN u \"p\"\r\n");
        h.server(b"A1 OK [CAPABILITY IMAP4rev1 NAMESPACE] in\r\n");
        h.completed(&login).unwrap();
        h.expect_client(b"A2 NAMESPACE\r\n");
        h.server(b"* NAMESPACE NIL NIL NIL\r\nA2 OK\r\n");
        h.completed(&ns).unwrap();
        // The login did not bring IDLE: the queued IDLE is refused unsent.
        match h.failed(&idle) {
            CommandError::NotSent(UsageError::MissingCapability { command: "IDLE", .. }) => {}
            other => panic!("{other:?}"),
        }
        h.expect_silence();
    });
}

// ---------------------------------------------------------------------- tags

#[test]
fn tags_use_the_configured_prefix_and_a_counter() {
    let config = || ClientConfig { tag_prefix: "xyz.".to_owned(), ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.server(b"* OK ready\r\n");
        h.expect_client(b"xyz.1 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1\r\nxyz.1 OK\r\n");
        let a = h.enqueue(Command::Noop);
        let b = h.enqueue(Command::Noop);
        assert_eq!((a.as_str(), b.as_str()), ("xyz.2", "xyz.3"));
        h.expect_client(b"xyz.2 NOOP\r\nxyz.3 NOOP\r\n");
    });
}

#[test]
fn tags_in_flight_are_unique_and_complete_in_any_order() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        let tags: Vec<_> = (0..300).map(|_| h.try_enqueue(Command::Noop).unwrap()).collect();
        let unique: std::collections::HashSet<_> = tags.iter().collect();
        assert_eq!(unique.len(), tags.len());
        let expected: String = tags.iter().map(|t| format!("{t} NOOP\r\n")).collect();
        h.expect_client(expected.as_bytes());
        // Complete them in reverse order.
        let replies: String = tags.iter().rev().map(|t| format!("{t} OK\r\n")).collect();
        h.server(replies.as_bytes());
        for t in &tags {
            h.completed(t).unwrap();
        }
        assert!(h.take_events().is_empty());
        let next = h.try_enqueue(Command::Noop).unwrap();
        assert!(!tags.contains(&next));
    });
}

#[test]
fn a_completion_for_an_unknown_tag_is_a_protocol_error() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        let noop = h.enqueue(Command::Noop);
        h.server(b"Z9 OK who?\r\nA1 OK\r\n");
        let events = h.take_events();
        assert!(
            matches!(&events[0], Event::ProtocolError(ProtocolError::UnknownTag(t)) if t.as_str() == "Z9"),
            "{events:?}"
        );
        assert_eq!(events[1], Event::Ready(h.id(&noop)));
        assert!(h.client.take_completion(h.id(&noop)).unwrap().is_ok());
        // A completion arriving twice: the second is unknown too.
        h.server(b"A1 OK again\r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::ProtocolError(ProtocolError::UnknownTag(_))]));
    });
}

// ------------------------------------------------------- end of connection

/// Three commands: one in flight, one waiting behind a SELECT barrier.
fn busy_session(h: &mut Harness) -> Vec<crate::types::Tag> {
    h.selected("IMAP4rev1", 3);
    let fetch = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
    let select = h.enqueue(Command::select("Archive"));
    let noop = h.enqueue(Command::Noop);
    h.expect_client(format!("{fetch} FETCH 1 (FLAGS)\r\n").as_bytes());
    vec![fetch, select, noop]
}

fn all_failed_once(h: &mut Harness, tags: &[crate::types::Tag], want: &ConnectionError) {
    for t in tags {
        assert_eq!(h.completions_of(t), 1, "{t}");
        match h.failed(t) {
            CommandError::Connection(e) => assert_eq!(&e, want),
            other => panic!("{other:?}"),
        }
    }
}

fn closed_for_good(h: &mut Harness) {
    assert!(h.client.poll_transmit().is_none());
    assert!(!h.client.wants_write());
    assert!(!h.client.wants_read());
    assert!(h.client.poll_timeout().is_none());
    assert_eq!(h.try_enqueue(Command::Noop), Err(UsageError::Closed));
    assert_eq!(h.client.pending_commands(), 0);
    h.server(b"* 4 EXISTS\r\nA9 OK late\r\n");
    h.client.handle_eof();
    h.advance(std::time::Duration::from_secs(3600));
    assert!(h.take_events().is_empty(), "nothing after the end");
    h.expect_silence();
}

#[test]
fn untagged_bye_ends_the_session_once() {
    run_all_chunkings(|h| {
        let tags = busy_session(h);
        h.server(b"* BYE Server shutting down\r\n");
        let want = ConnectionError::Bye("Server shutting down".into());
        assert_eq!(h.connection_lost(), vec![want.clone()]);
        all_failed_once(h, &tags, &want);
        assert!(h.take_events().is_empty());
        assert_eq!(h.client.connection_error(), Some(&want));
        assert_eq!(h.client.state(), StateName::Logout);
        closed_for_good(h);
    });
}

#[test]
fn tagged_bye_ends_the_session_once() {
    run_all_chunkings(|h| {
        let tags = busy_session(h);
        h.server(format!("{} BYE go away\r\n", tags[0]).as_bytes());
        let want = ConnectionError::Bye("go away".into());
        assert_eq!(h.connection_lost(), vec![want.clone()]);
        all_failed_once(h, &tags, &want);
        closed_for_good(h);
    });
}

#[test]
fn eof_ends_the_session_once() {
    run_all_chunkings(|h| {
        let tags = busy_session(h);
        h.client.handle_eof();
        let want = ConnectionError::Eof { mid_response: false };
        assert_eq!(h.connection_lost(), vec![want.clone()]);
        all_failed_once(h, &tags, &want);
        closed_for_good(h);
    });
}

#[test]
fn eof_in_the_middle_of_a_response_is_never_a_short_result() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let fetch = h.enqueue(Command::fetch(false, 1..=2, [FetchAttr::body_peek()]));
        h.sent.clear();
        // The first message arrives whole, the second is cut in its literal.
        h.server(b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n* 2 FETCH (BODY[] {10}\r\nhal");
        h.not_completed(&fetch);
        h.client.handle_eof();
        let want = ConnectionError::Eof { mid_response: true };
        assert_eq!(h.connection_lost(), vec![want.clone()]);
        all_failed_once(h, &[fetch], &want);
        assert!(want.to_string().contains("middle of a response"));
    });
}

#[test]
fn eof_in_the_middle_of_a_line() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let noop = h.enqueue(Command::Noop);
        h.server(format!("{noop} OK NOOP compl").as_bytes());
        h.client.handle_eof();
        assert_eq!(h.connection_lost(), vec![ConnectionError::Eof { mid_response: true }]);
        assert!(matches!(h.failed(&noop), CommandError::Connection(_)));
    });
}

#[test]
fn nothing_is_transmitted_after_a_fatal_error() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        // Queued bytes not yet written by the driver are dropped too.
        let noop = h.enqueue_unsent(Command::Noop);
        assert!(h.client.wants_write());
        h.client.handle_input(b"* BYE bye\r\n");
        assert!(h.client.poll_transmit().is_none());
        assert!(!h.client.wants_write());
        h.sent.clear();
        assert!(matches!(h.failed(&noop), CommandError::Connection(ConnectionError::Bye(_))));
        assert_eq!(h.connection_lost().len(), 1);
        closed_for_good(h);
    });
}

#[test]
fn logout_ends_cleanly() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let logout = h.enqueue(Command::Logout);
        h.expect_client(format!("{logout} LOGOUT\r\n").as_bytes());
        h.server(
            format!("* BYE IMAP4rev1 Server logging out\r\n{logout} OK LOGOUT completed\r\n").as_bytes(),
        );
        h.completed(&logout).unwrap();
        h.client.handle_eof();
        assert!(matches!(h.take_events().as_slice(), [Event::LoggedOut]));
        assert!(h.client.is_closed());
        assert!(!h.client.wants_read(), "the session is over");
        assert!(h.client.connection_error().is_none());
        assert_eq!(h.try_enqueue(Command::Noop), Err(UsageError::Closed));
    });
}

#[test]
fn logout_bye_then_eof_without_the_tagged_ok() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let logout = h.enqueue(Command::Logout);
        h.sent.clear();
        h.server(b"* BYE logging out\r\n");
        h.not_completed(&logout);
        h.client.handle_eof();
        h.completed(&logout).unwrap();
        assert!(matches!(h.take_events().as_slice(), [Event::LoggedOut]));
        assert!(h.client.is_closed());
        assert!(!h.client.wants_read());
        assert!(h.client.connection_error().is_none(), "a clean end, not an error");
        assert_eq!(h.try_enqueue(Command::Noop), Err(UsageError::Closed));
    });
}

#[test]
fn closing_from_the_client_side() {
    run_all_chunkings(|h| {
        let tags = busy_session(h);
        h.client.disconnect();
        let want = ConnectionError::ClosedByClient;
        assert_eq!(h.connection_lost(), vec![want.clone()]);
        all_failed_once(h, &tags, &want);
        closed_for_good(h);
    });
}

// ------------------------------------------------------ malformed responses

#[test]
fn a_malformed_tagged_completion_still_completes_the_command() {
    let config = || ClientConfig { parse: crate::ParseOptions::strict(), ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.selected("IMAP4rev1", 3);
        let noop = h.enqueue(Command::Noop);
        let store =
            h.enqueue(Command::Copy { uid: true, set: SequenceSet::from(1), mailbox: Mailbox::new("x") });
        h.sent.clear();
        // An unknown code whose arguments break the grammar, and a NO with a
        // broken code.
        h.server(format!("{noop} OK [UIDNEXT abc] done\r\n{store} NO [TRYCREATE done\r\n").as_bytes());
        let events = h.take_events();
        let errors = events.iter().filter(|e| matches!(e, Event::ResponseError(_))).count();
        assert_eq!(errors, 2, "{events:?}");
        let ready: Vec<_> = events.iter().filter(|e| matches!(e, Event::Ready(_))).collect();
        assert_eq!(ready, [&Event::Ready(h.id(&noop)), &Event::Ready(h.id(&store))], "{events:?}");
        assert!(h.client.take_completion(h.id(&noop)).unwrap().is_ok());
        assert!(matches!(h.client.take_completion(h.id(&store)).unwrap(), Err(CommandError::No { .. })));
        assert_eq!(h.client.pending_commands(), 0);
        noop_round_trip(h);
    });
}

#[test]
fn a_malformed_untagged_response_does_not_stop_the_session() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let fetch = h.enqueue(Command::fetch(false, 1..=2, [FetchAttr::Flags]));
        h.sent.clear();
        h.server(
            format!(
                "* 1 FETCH (FLAGS (\\Seen)\r\n* 2 FETCH (FLAGS (\\Deleted))\r\n(garbage)\r\n* 1 FETCH (FLAGS (\\Seen))\r\n{fetch} OK done\r\n"
            )
            .as_bytes(),
        );
        let fetched: Vec<crate::types::Fetch> = h.output(&fetch);
        assert_eq!(fetched.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![2, 1]);
        let errors = h.take_events();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|e| matches!(e, Event::ResponseError(_))));
        noop_round_trip(h);
    });
}

#[test]
fn an_oversized_response_is_skipped_and_the_session_goes_on() {
    let config = || {
        let mut c = ClientConfig::default();
        c.parse.limits.max_literal_len = 16;
        c
    };
    run_all_chunkings_with(config, |h| {
        h.selected("IMAP4rev1", 3);
        let fetch = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::body_peek()]));
        h.sent.clear();
        h.server(format!("* 1 FETCH (BODY[] {{40}}\r\n{}\r\n{fetch} OK\r\n", "x".repeat(40)).as_bytes());
        h.completed(&fetch).unwrap();
        assert!(matches!(h.take_events().as_slice(), [Event::ResponseError(crate::ResponseError::Limit(_))]));
    });
}

// --------------------------------------------------------- streaming FETCH

#[test]
fn streaming_fetch_delivers_each_message_as_it_arrives() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let fetch = h.enqueue(crate::request::fetch_stream(false, 1..=3, &[FetchAttr::body_peek()]));
        h.expect_client(format!("{fetch} FETCH 1:3 (BODY.PEEK[])\r\n").as_bytes());
        h.server(b"* 1 FETCH (BODY[] {3}\r\none)\r\n* 2 FETCH (BODY[] {3}\r\ntwo)\r\n");
        let events = h.take_events();
        // One announcement for a run of messages, however it was chunked.
        assert_eq!(events.first(), Some(&Event::Fetched(h.id(&fetch))), "{events:?}");
        assert!(events.iter().all(|e| *e == Event::Fetched(h.id(&fetch))), "{events:?}");
        let bodies: Vec<_> = h.fetched(&fetch).iter().map(|f| f.message().unwrap().clone()).collect();
        assert_eq!(bodies, vec![&b"one"[..], &b"two"[..]]);
        h.server(format!("* 3 FETCH (BODY[] {{5}}\r\nthree)\r\n* 2 EXISTS\r\n{fetch} OK\r\n").as_bytes());
        let events = h.take_events();
        assert_eq!(events[0], Event::Fetched(h.id(&fetch)));
        // Not ready until the stream is drained.
        assert_eq!(h.client.take_completion(h.id(&fetch)), None);
        assert_eq!(h.fetched(&fetch)[0].seq, 3);
        match &events[..] {
            [_, Event::Unsolicited(Response::Data(Data::Exists(2))), Event::Ready(id)] => {
                let c = h.client.take_completion(*id).unwrap().unwrap();
                assert_eq!(c.output, Output::Streamed(3))
            }
            other => panic!("{other:?}"),
        }
    });
}

// ------------------------------------------------------------ mailbox state

#[test]
fn mailbox_state_follows_untagged_data() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 CONDSTORE", 5);
        let m = h.client.mailbox().unwrap().clone();
        assert_eq!((m.exists, m.uid_validity, m.uid_next), (5, Some(1), Some(6)));
        h.server(b"* 7 EXISTS\r\n* 2 RECENT\r\n* FLAGS (\\Seen \\Deleted $Junk)\r\n");
        h.server(b"* OK [UIDNEXT 9] next\r\n* OK [UIDVALIDITY 77] reset\r\n* OK [HIGHESTMODSEQ 100] hms\r\n");
        let m = h.client.mailbox().unwrap().clone();
        assert_eq!((m.exists, m.recent, m.uid_next, m.uid_validity), (7, 2, Some(9), Some(77)));
        assert_eq!(m.flags.len(), 3);
        assert_eq!(m.highest_modseq, Some(100));
        // MODSEQ in FETCH raises HIGHESTMODSEQ, never lowers it.
        h.server(b"* 3 FETCH (MODSEQ (150) FLAGS (\\Seen))\r\n* 4 FETCH (MODSEQ (120))\r\n");
        assert_eq!(h.client.mailbox().unwrap().highest_modseq, Some(150));
        // EXPUNGE and VANISHED are applied as they arrive.
        h.server(b"* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n");
        assert_eq!(h.client.mailbox().unwrap().exists, 5);
        h.server(b"* VANISHED 10,12:13\r\n");
        assert_eq!(h.client.mailbox().unwrap().exists, 2);
        h.server(b"* VANISHED (EARLIER) 1:100\r\n");
        assert_eq!(h.client.mailbox().unwrap().exists, 2, "VANISHED (EARLIER) is history, not news");
        let events = h.unsolicited();
        assert_eq!(events.len(), 12, "{events:?}");
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn a_bad_expunge_is_a_protocol_error_not_a_panic() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 2);
        h.server(
            b"* 5 EXPUNGE\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* VANISHED 1:9\r\n",
        );
        let events = h.take_events();
        let bad: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::ProtocolError(ProtocolError::BadExpunge(n)) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(bad, vec![5, 2, 1]);
        assert_eq!(h.client.mailbox().unwrap().exists, 0);
        noop_round_trip(h);
    });
}

#[test]
fn a_thousand_unsolicited_expunges_are_all_delivered() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 1500);
        let noop = h.enqueue(Command::Noop);
        h.sent.clear();
        let mut script: String = (0..1000).map(|i| format!("* {} EXPUNGE\r\n", 1000 - i)).collect();
        script.push_str(&format!("{noop} OK\r\n"));
        h.server(script.as_bytes());
        h.completed(&noop).unwrap();
        let seqs: Vec<u32> = h
            .unsolicited()
            .into_iter()
            .map(|r| match r {
                Response::Data(Data::Expunge(n)) => n,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(seqs, (1..=1000).rev().collect::<Vec<_>>());
        assert_eq!(h.client.mailbox().unwrap().exists, 500);
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn a_flood_of_exists_keeps_events_bounded() {
    let mut h = Harness::new(super::Chunking::Whole);
    h.selected("IMAP4rev1", 1);
    let flood: String = (2..20_000).map(|n| format!("* {n} EXISTS\r\n")).collect();
    h.client.handle_input(flood.as_bytes());
    assert_eq!(h.client.pending_events(), 1, "only the latest count is kept");
    assert_eq!(h.client.mailbox().unwrap().exists, 19_999);
    // The usual pairs of EXISTS and RECENT too.
    let pairs: String = (20_000..40_000).map(|n| format!("* {n} EXISTS\r\n* {} RECENT\r\n", n % 7)).collect();
    h.client.handle_input(pairs.as_bytes());
    assert!(h.client.pending_events() <= 3, "{}", h.client.pending_events());
    assert_eq!(h.client.mailbox().unwrap().exists, 39_999);
    let mut last_exists = 0;
    while let Some(e) = h.client.poll_event() {
        if let Event::Unsolicited(Response::Data(Data::Exists(n))) = e {
            last_exists = n;
        }
    }
    assert_eq!(last_exists, 39_999);
}

#[test]
fn undrained_events_stop_reading_without_losing_anything() {
    let config = ClientConfig { max_pending_events: 10, ..ClientConfig::default() };
    let mut h = Harness::with_config(super::Chunking::Whole, config);
    h.selected("IMAP4rev1", 100);
    let expunges: String = (0..50).map(|_| "* 1 EXPUNGE\r\n".to_owned()).collect();
    h.client.handle_input(expunges.as_bytes());
    assert!(!h.client.wants_read(), "backpressure");
    let mut n = 0;
    while let Some(e) = h.client.poll_event() {
        assert!(matches!(e, Event::Unsolicited(Response::Data(Data::Expunge(1)))));
        n += 1;
    }
    assert_eq!(n, 50);
    assert!(h.client.wants_read());
    assert_eq!(h.client.mailbox().unwrap().exists, 50);
}

#[test]
fn select_replaces_the_mailbox_and_close_forgets_it() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 UNSELECT", 4);
        let sel = h.enqueue(Command::examine("Archive"));
        h.sent.clear();
        // Data for the new mailbox while EXAMINE runs is its data.
        h.server(
            format!("* 40 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n{sel} OK [READ-ONLY] done\r\n").as_bytes(),
        );
        let info: MailboxInfo = h.output(&sel);
        assert_eq!(info.exists, 40);
        assert_eq!(h.client.mailbox(), Some(&info));
        assert!(info.read_only);
        assert_eq!(info.name, Some(Mailbox::new("Archive")));
        let access = Event::MailboxAccess { mailbox: Mailbox::new("Archive"), read_only: true };
        assert_eq!(h.take_events(), [access]);
        // A failed SELECT leaves no mailbox selected (RFC 9051 6.3.2).
        let bad = h.enqueue(Command::select("Nope"));
        h.expect_client(format!("{bad} SELECT Nope\r\n").as_bytes());
        h.server(format!("{bad} NO [NONEXISTENT] no such mailbox\r\n").as_bytes());
        assert!(matches!(h.failed(&bad), CommandError::No { code: Some(ResponseCode::NonExistent), .. }));
        assert_eq!(h.client.state(), StateName::Authenticated);
        assert!(h.client.mailbox().is_none());
        h.select(2);
        let close = h.enqueue(Command::Close);
        h.server(format!("{close} OK\r\n").as_bytes());
        h.completed(&close).unwrap();
        assert!(h.client.mailbox().is_none());
        assert_eq!(h.client.state(), StateName::Authenticated);
        h.server(b"* 5 EXISTS\r\n");
        assert!(h.client.mailbox().is_none());
    });
}

#[test]
fn commands_behind_a_failed_select_are_not_sent() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        h.login("IMAP4rev1");
        let sel = h.enqueue(Command::select("Nope"));
        let fetch = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        h.expect_client(format!("{sel} SELECT Nope\r\n").as_bytes());
        h.server(format!("{sel} NO no such mailbox\r\n").as_bytes());
        assert!(matches!(h.failed(&sel), CommandError::No { .. }));
        match h.failed(&fetch) {
            CommandError::NotSent(UsageError::WrongState { state: StateName::Authenticated, .. }) => {}
            other => panic!("{other:?}"),
        }
        h.expect_silence();
    });
}

#[test]
fn utf8_accept_changes_how_names_go_both_ways() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 ENABLE UTF8=ACCEPT");
        h.login("IMAP4rev1 ENABLE UTF8=ACCEPT");
        let create = |name: &str| Command::Create { mailbox: Mailbox::new(name), special_use: vec![] };
        let c = h.enqueue(create("Donn\u{e9}es"));
        h.expect_client(format!("{c} CREATE Donn&AOk-es\r\n").as_bytes());
        h.server(format!("{c} OK\r\n").as_bytes());
        let en = h.enqueue(Command::Enable(vec![Capability::Utf8Accept]));
        h.expect_client(format!("{en} ENABLE UTF8=ACCEPT\r\n").as_bytes());
        h.server(format!("* ENABLED UTF8=ACCEPT\r\n{en} OK\r\n").as_bytes());
        assert!(h.client.enabled().has(&Capability::Utf8Accept));
        let sel = h.enqueue(Command::select("Donn\u{e9}es"));
        h.expect_client(format!("{sel} SELECT \"Donn\u{e9}es\"\r\n").as_bytes());
        h.server(format!("{sel} OK\r\n").as_bytes());
        let list = h.enqueue(Command::List(crate::types::ListCommand::new("*")));
        h.sent.clear();
        h.server(format!("* LIST () \"/\" \"Donn\u{e9}es\"\r\n{list} OK\r\n").as_bytes());
        let entries: Vec<crate::request::ListEntry> = h.output(&list);
        assert_eq!(entries[0].mailbox.as_str(), "Donn\u{e9}es");
    });
}

#[test]
fn close_after_a_clean_logout_reports_nothing() {
    let mut h = Harness::new(Chunking::Whole);
    h.greet("IMAP4rev1");
    let tag = h.enqueue(Command::Logout);
    h.expect_client(format!("{tag} LOGOUT\r\n").as_bytes());
    h.server(format!("* BYE bye\r\n{tag} OK done\r\n").as_bytes());
    assert!(h.completed(&tag).is_ok());
    h.client.disconnect();
    let events = h.take_events();
    assert!(matches!(events.as_slice(), [Event::LoggedOut]), "{events:?}");
    assert!(h.client.connection_error().is_none());
}

#[test]
fn a_tagged_bye_to_logout_is_a_clean_logout() {
    // wp.pl answers LOGOUT this way.
    let mut h = Harness::new(Chunking::Bytewise);
    h.greet("IMAP4rev1");
    let tag = h.enqueue(Command::Logout);
    h.expect_client(format!("{tag} LOGOUT\r\n").as_bytes());
    h.server(format!("{tag} BYE IMAP4rev1 Server logging out\r\n").as_bytes());
    assert!(h.completed(&tag).is_ok());
    h.client.handle_eof();
    let events = h.take_events();
    assert!(matches!(events.as_slice(), [Event::LoggedOut]), "{events:?}");
    assert!(h.client.connection_error().is_none());
}
