//! The full session of the issue: greeting, CAPABILITY, STARTTLS switch,
//! AUTHENTICATE PLAIN with SASL-IR, SELECT, pipelined SEARCH + FETCH +
//! STORE, IDLE with an EXISTS arriving, APPEND with a synchronising literal
//! refused by NO [TRYCREATE] then CREATE and APPEND again, COMPRESS, LOGOUT.

use super::{run_all_chunkings, Harness};
use crate::ext::sasl::Plain;
use crate::request::{AppendResult, MailboxInfo, Output, SearchResult};
use crate::types::{
    AppendMessage, Capability, Command, Data, FetchAttr, Flag, Mailbox, ResponseCode, SearchKey, SequenceSet,
    StoreMode,
};
use crate::types::{Response, StateName};
use crate::{CommandError, Event, Switch};

fn full_session(h: &mut Harness) {
    // Greeting without capabilities: the engine asks for them itself.
    h.server(b"* OK IMAP4rev1 Service Ready\r\n");
    assert!(matches!(h.take_events().as_slice(), [Event::Greeting(_)]));
    h.expect_client(b"A1 CAPABILITY\r\n");
    h.server(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR LOGINDISABLED\r\nA1 OK done\r\n");
    assert!(h.take_events().is_empty(), "the engine's own CAPABILITY completes silently");
    assert!(h.client.capabilities().has(&Capability::StartTls));

    // The application's CAPABILITY, with a typed result.
    let cap = h.enqueue(Command::Capability);
    h.expect_client(b"A2 CAPABILITY\r\n");
    h.server(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR LOGINDISABLED\r\nA2 OK done\r\n");
    let caps: crate::types::Capabilities = h.output(&cap);
    assert!(caps.has_auth("PLAIN"));
    // LOGIN is refused by the capability check while LOGINDISABLED.
    assert!(h.try_enqueue(Command::login("a", "b")).is_err());

    // STARTTLS: the engine pauses until the driver has switched.
    let tls = h.enqueue(Command::StartTls);
    h.expect_client(b"A3 STARTTLS\r\n");
    h.server(b"A3 OK Begin TLS negotiation now\r\n");
    // Ready only once the capabilities of the TLS session are known.
    let events = h.take_events();
    assert_eq!(events, [Event::Switch(Switch::StartTls)]);
    assert!(!h.client.wants_read());
    assert!(h.client.capabilities().is_empty(), "capabilities are forgotten at STARTTLS");
    h.client.handle_switched();
    h.expect_client(b"A4 CAPABILITY\r\n");
    h.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\nA4 OK done\r\n");
    assert!(!h.client.capabilities().has(&Capability::StartTls));
    assert!(h.completed(&tls).is_ok(), "STARTTLS is ready with the new capabilities");

    // AUTHENTICATE PLAIN with SASL-IR: one round trip.
    let auth = h.try_enqueue(crate::request::authenticate(Plain::new("alice", "wonderland"))).unwrap();
    h.expect_client(b"A5 AUTHENTICATE PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\n");
    h.server(b"A5 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS MOVE COMPRESS=DEFLATE ESEARCH] Logged in\r\n");
    assert!(h.completed(&auth).is_ok());
    assert_eq!(h.client.state(), StateName::Authenticated);
    assert!(h.client.capabilities().has(&Capability::Idle));
    assert!(
        h.client.trace().all(|l| !l.text.contains("AGFsaWNl")),
        "the SASL initial response never reaches the trace"
    );

    // SELECT.
    let sel = h.enqueue(Command::select("INBOX"));
    h.expect_client(b"A6 SELECT INBOX\r\n");
    h.server(
        b"* 3 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Answered \\Seen \\Deleted)\r\n\
          * OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n\
          * OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] Limited\r\nA6 OK [READ-WRITE] SELECT completed\r\n",
    );
    let info: MailboxInfo = h.output(&sel);
    assert_eq!(info.exists, 3);
    assert_eq!(info.uid_validity, Some(3857529045));
    assert_eq!(info.uid_next, Some(4));
    assert!(!info.read_only);
    assert!(info.permanent_flags.contains(&Flag::MayCreate));
    assert_eq!(h.client.state(), StateName::Selected);
    assert_eq!(h.client.mailbox().unwrap().name, Some(Mailbox::inbox()));

    // Pipelined SEARCH + FETCH + STORE: all three go out before any answer.
    let search = h.enqueue(Command::search(false, SearchKey::Unseen));
    let fetch = h.enqueue(Command::fetch(false, 1..=2, [FetchAttr::Flags]));
    let store = h.enqueue(Command::Store {
        uid: false,
        set: SequenceSet::from(3),
        mode: StoreMode::Add,
        silent: true,
        flags: vec![Flag::Seen],
        unchanged_since: None,
    });
    h.expect_client(b"A7 SEARCH UNSEEN\r\nA8 FETCH 1:2 (FLAGS)\r\nA9 STORE 3 +FLAGS.SILENT (\\Seen)\r\n");
    h.server(b"* SEARCH 2 3\r\n* 1 FETCH (FLAGS (\\Seen))\r\nA7 OK SEARCH done\r\n");
    h.not_completed(&fetch);
    h.server(b"* 2 FETCH (FLAGS ())\r\nA9 OK STORE done\r\nA8 OK FETCH done\r\n");
    let found: SearchResult = h.output(&search);
    assert_eq!(found.ids, vec![2, 3]);
    let fetched: Vec<crate::types::Fetch> = h.output(&fetch);
    assert_eq!(fetched.len(), 2);
    assert_eq!(fetched[0].flags(), Some(&[Flag::Seen][..]));
    assert!(h.completed(&store).is_ok());
    assert!(h.take_events().is_empty(), "every FETCH was routed to its command");

    // IDLE with an EXISTS arriving.
    let idle = h.try_enqueue(crate::request::idle()).unwrap();
    h.expect_client(b"A10 IDLE\r\n");
    h.server(b"+ idling\r\n");
    assert!(matches!(h.take_events().as_slice(), [Event::IdleStarted { .. }]));
    assert!(h.client.is_idling());
    h.advance(std::time::Duration::from_secs(600));
    h.expect_silence();
    h.server(b"* 4 EXISTS\r\n");
    let events = h.take_events();
    assert!(matches!(events.as_slice(), [Event::Unsolicited(Response::Data(Data::Exists(4)))]), "{events:?}");
    assert_eq!(h.client.mailbox().unwrap().exists, 4);
    h.client.idle_done().unwrap();
    h.expect_client(b"DONE\r\n");
    h.server(b"A10 OK IDLE terminated\r\n");
    assert!(h.completed(&idle).is_ok());

    // APPEND with a synchronising literal, refused with TRYCREATE: the
    // literal is never sent and the queue moves on.
    let msg = b"From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n";
    let append = |mailbox: &str| Command::Append {
        mailbox: Mailbox::new(mailbox),
        messages: vec![AppendMessage { flags: vec![Flag::Seen], date: None, data: msg[..].into() }],
    };
    let first = h.enqueue(append("Drafts"));
    h.expect_client(format!("A11 APPEND Drafts (\\Seen) {{{}}}\r\n", msg.len()).as_bytes());
    h.server(b"A11 NO [TRYCREATE] Mailbox doesn't exist: Drafts\r\n");
    match h.completed(&first) {
        Err(CommandError::No { code: Some(ResponseCode::TryCreate), .. }) => {}
        other => panic!("{other:?}"),
    }
    let create = h.enqueue(Command::Create { mailbox: Mailbox::new("Drafts"), special_use: vec![] });
    h.expect_client(b"A12 CREATE Drafts\r\n");
    h.server(b"A12 OK created\r\n");
    assert!(matches!(h.completed(&create).unwrap().output, Output::Done));
    let second = h.enqueue(append("Drafts"));
    h.expect_client(format!("A13 APPEND Drafts (\\Seen) {{{}}}\r\n", msg.len()).as_bytes());
    h.server(b"+ Ready for literal data\r\n");
    let mut expected = msg.to_vec();
    expected.extend_from_slice(b"\r\n");
    h.expect_client(&expected);
    h.server(b"A13 OK [APPENDUID 3857529045 7] APPEND completed\r\n");
    let appended: AppendResult = h.output(&second);
    assert_eq!(appended.uids, Some(SequenceSet::from(7)));

    // COMPRESS: everything after the OK is deflated, both ways.
    #[cfg(feature = "compress")]
    {
        let compress = h.enqueue(Command::Compress);
        h.expect_client(b"A14 COMPRESS DEFLATE\r\n");
        h.server(b"A14 OK DEFLATE active\r\n");
        assert!(h.completed(&compress).is_ok());
        h.server_starts_compression();
        let noop = h.enqueue(Command::Noop);
        h.expect_client(b"A15 NOOP\r\n");
        h.server(b"* 5 EXISTS\r\nA15 OK NOOP completed\r\n");
        assert!(h.completed(&noop).is_ok());
        assert_eq!(h.client.mailbox().unwrap().exists, 5);
        let events = h.take_events();
        assert!(
            matches!(events.as_slice(), [Event::Unsolicited(Response::Data(Data::Exists(5)))]),
            "{events:?}"
        );
    }

    // LOGOUT: BYE then OK, then EOF: a clean end, no error.
    let logout = h.enqueue(Command::Logout);
    let n = if cfg!(feature = "compress") { 16 } else { 14 };
    h.expect_client(format!("A{n} LOGOUT\r\n").as_bytes());
    h.server(format!("* BYE IMAP4rev1 Server logging out\r\nA{n} OK LOGOUT completed\r\n").as_bytes());
    assert!(h.completed(&logout).is_ok());
    h.client.handle_eof();
    let events = h.take_events();
    assert!(matches!(events.as_slice(), [Event::LoggedOut]), "{events:?}");
    assert_eq!(h.client.state(), StateName::Logout);
    assert!(h.client.connection_error().is_none());
}

#[test]
fn full_session_in_every_chunking() {
    run_all_chunkings(full_session);
}
