//! Typed requests, per-request delivery, cancellation and compound
//! operations, through bytes in every chunking.

use std::collections::BTreeMap;

use super::{run_all_chunkings, run_all_chunkings_with, Harness};
use crate::request::{self, Handle, MoveResult};
use crate::types::{
    AppendMessage, FetchAttr, Flag, Mailbox, SearchKey, SequenceSet, SpecialUse, StatusAttr, StoreMode,
};
use crate::{ClientConfig, CommandError, Commands, Event, UsageError};

const CAPS: &str = "IMAP4rev1 IDLE UIDPLUS MOVE ESEARCH LIST-EXTENDED LIST-STATUS SPECIAL-USE MULTIAPPEND \
                    QUOTA ACL NAMESPACE ID ENABLE CONDSTORE SORT THREAD=REFERENCES METADATA LITERAL+";

/// Submits a typed request through the harness and gives its handle.
fn submit<T>(h: &mut Harness, request: crate::request::Request<T>) -> Handle<T> {
    let handle = h.client.submit(request).expect("submit");
    h.pump();
    handle
}

/// The typed result of a ready request.
#[track_caller]
fn take<T: std::fmt::Debug>(h: &mut Harness, handle: &Handle<T>) -> T {
    h.pump();
    assert!(h.events.contains(&Event::Ready(handle.id())), "{:?} not ready: {:?}", handle, h.events);
    h.events.retain(|e| *e != Event::Ready(handle.id()));
    h.client.take(handle).expect("ready").unwrap_or_else(|e| panic!("{handle:?} failed: {e:?}"))
}

/// The line the client sent for `handle`, with its tag.
fn tag_of<T>(handle: &Handle<T>) -> String {
    handle.tag().expect("a single command").to_string()
}

#[test]
fn every_request_yields_its_type() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let caps = submit(h, request::capability());
        h.server(format!("* CAPABILITY {CAPS}\r\n{} OK\r\n", tag_of(&caps)).as_bytes());
        assert!(take(h, &caps).has_name("MOVE"));

        let id = submit(h, request::id(&[("name", "imap-core")]));
        h.server(format!("* ID (\"name\" \"Dovecot\")\r\n{} OK\r\n", tag_of(&id)).as_bytes());
        let expected: BTreeMap<String, Option<String>> = [("name".into(), Some("Dovecot".into()))].into();
        assert_eq!(take(h, &id), expected);

        let ns = submit(h, request::namespace());
        h.server(format!("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{} OK\r\n", tag_of(&ns)).as_bytes());
        assert_eq!(take(h, &ns).personal.len(), 1);

        let list = submit(h, request::list("", "*"));
        h.server(format!("* LIST (\\HasNoChildren) \"/\" INBOX\r\n{} OK\r\n", tag_of(&list)).as_bytes());
        assert_eq!(take(h, &list)[0].mailbox, Mailbox::inbox());

        let status = submit(h, request::status("Sent", &[StatusAttr::Messages]));
        h.server(format!("* STATUS Sent (MESSAGES 4)\r\n{} OK\r\n", tag_of(&status)).as_bytes());
        assert_eq!(take(h, &status).messages, Some(4));

        let search = submit(h, request::search(true, SearchKey::All));
        h.server(format!("* SEARCH 5 7\r\n{} OK\r\n", tag_of(&search)).as_bytes());
        assert_eq!(take(h, &search), vec![5, 7]);

        let es = submit(h, request::esearch(true, SearchKey::All, &[crate::types::SearchReturn::Count]));
        h.server(
            format!("* ESEARCH (TAG \"{}\") UID COUNT 2\r\n{} OK\r\n", tag_of(&es), tag_of(&es)).as_bytes(),
        );
        assert_eq!(take(h, &es).count, Some(2));

        let fetch = submit(h, request::fetch(true, 5, &[FetchAttr::Flags]));
        h.server(format!("* 1 FETCH (UID 5 FLAGS (\\Seen))\r\n{} OK\r\n", tag_of(&fetch)).as_bytes());
        assert_eq!(take(h, &fetch)[0].flags(), Some(&[Flag::Seen][..]));

        let store = submit(h, request::store(true, 5, StoreMode::Add, &[Flag::Flagged]));
        h.server(
            format!("* 1 FETCH (UID 5 FLAGS (\\Seen \\Flagged))\r\n{} OK\r\n", tag_of(&store)).as_bytes(),
        );
        assert_eq!(take(h, &store).len(), 1);

        let copy = submit(h, request::copy(true, 5, "Archive"));
        h.server(format!("{} OK [COPYUID 9 5 101] copied\r\n", tag_of(&copy)).as_bytes());
        assert_eq!(take(h, &copy).copy_uid.expect("COPYUID").pairs(), vec![(5, 101)]);

        let append = submit(h, request::append("INBOX", AppendMessage::new(&b"hi"[..])));
        h.server(format!("{} OK [APPENDUID 9 44] done\r\n", tag_of(&append)).as_bytes());
        assert_eq!(take(h, &append).uids, Some(SequenceSet::from(44)));

        let quota = submit(h, request::get_quota_root("INBOX"));
        h.server(
            format!("* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 10 512)\r\n{} OK\r\n", tag_of(&quota))
                .as_bytes(),
        );
        assert_eq!(take(h, &quota).quotas.len(), 1);

        let rights = submit(h, request::my_rights("INBOX"));
        h.server(format!("* MYRIGHTS INBOX lrswipkxtecda\r\n{} OK\r\n", tag_of(&rights)).as_bytes());
        assert_eq!(take(h, &rights), "lrswipkxtecda");

        let expunge = submit(h, request::expunge());
        h.server(format!("* 2 EXPUNGE\r\n{} OK\r\n", tag_of(&expunge)).as_bytes());
        assert_eq!(take(h, &expunge).expunged, vec![2]);

        let raw = submit(h, request::raw("XFOO", vec![]));
        h.server(format!("* XFOO bar\r\n{} OK\r\n", tag_of(&raw)).as_bytes());
        assert_eq!(take(h, &raw).len(), 1);

        let noop = submit(h, request::noop());
        h.server(format!("{} OK\r\n", tag_of(&noop)).as_bytes());
        take(h, &noop);
    });
}

#[test]
fn the_typed_api_on_the_engine_returns_handles() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        // UIDs by default; sequence numbers when the session says so.
        h.client.set_use_uid(false);
        let b = h.client.fetch(1..=2, &[FetchAttr::Uid]).expect("submit");
        h.client.set_use_uid(true);
        let a = h.client.search(SearchKey::Unseen).expect("submit");
        h.expect_client(
            format!("{} FETCH 1:2 (UID)\r\n{} UID SEARCH UNSEEN\r\n", tag_of(&b), tag_of(&a)).as_bytes(),
        );
        h.server(
            format!("* 1 FETCH (UID 9)\r\n{} OK\r\n* SEARCH 9\r\n{} OK\r\n", tag_of(&b), tag_of(&a))
                .as_bytes(),
        );
        assert_eq!(take(h, &a), vec![9]);
        assert_eq!(take(h, &b)[0].uid(), Some(9));
    });
}

// ---------------------------------------------------------------- readiness

#[test]
fn authenticate_is_ready_once_the_capabilities_are_known() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=PLAIN SASL-IR");
        let auth = submit(h, request::authenticate(crate::ext::sasl::Plain::new("u", "p")));
        let after = submit(h, request::namespace());
        h.sent.clear();
        h.server(format!("{} OK done\r\n", tag_of(&auth)).as_bytes());
        assert!(!h.client.is_ready(auth.id()));
        h.expect_client(b"A3 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1 NAMESPACE\r\nA3 OK\r\n");
        take(h, &auth);
        // NAMESPACE was held for the capabilities and checked against them.
        h.expect_client(format!("{} NAMESPACE\r\n", tag_of(&after)).as_bytes());
    });
}

// ------------------------------------------------------------- cancellation

#[test]
fn an_abandoned_command_not_yet_sent_is_not_sent() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let select = submit(h, request::select("Archive"));
        let fetch = submit(h, request::fetch(true, 1..=3, &[FetchAttr::Flags]));
        let search = submit(h, request::search(true, SearchKey::All));
        h.client.abandon(fetch.id());
        h.expect_client(format!("{} SELECT Archive\r\n", tag_of(&select)).as_bytes());
        h.server(format!("* 2 EXISTS\r\n{} OK [READ-WRITE] ok\r\n", tag_of(&select)).as_bytes());
        take(h, &select);
        // The FETCH is skipped; the SEARCH behind it goes out.
        h.expect_client(format!("{} UID SEARCH ALL\r\n", tag_of(&search)).as_bytes());
        h.server(format!("* SEARCH 1 2\r\n{} OK\r\n", tag_of(&search)).as_bytes());
        assert_eq!(take(h, &search), vec![1, 2]);
        assert_eq!(h.client.take(&fetch), None);
        assert_eq!(h.client.pending_commands(), 0);
    });
}

#[test]
fn an_abandoned_select_still_changes_the_session() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let select = submit(h, request::select("Archive"));
        h.client.abandon(select.id());
        h.expect_client(format!("{} SELECT Archive\r\n", tag_of(&select)).as_bytes());
        h.server(
            format!("* 7 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n{} OK [READ-WRITE] ok\r\n", tag_of(&select))
                .as_bytes(),
        );
        // As if it had been awaited: the mailbox is the new one.
        let mailbox = h.client.mailbox().expect("selected");
        assert_eq!((mailbox.exists, mailbox.uid_validity), (7, Some(42)));
        assert_eq!(mailbox.name, Some(Mailbox::new("Archive")));
        assert!(h.take_events().is_empty(), "nothing is delivered for it");
    });
}

#[test]
fn an_abandoned_fetch_completes_on_the_wire_and_drops_its_data() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let fetch = submit(h, request::fetch_stream(true, 1..=3, &[FetchAttr::body_peek()]));
        let next = submit(h, request::search(true, SearchKey::All));
        h.server(b"* 1 FETCH (UID 1 BODY[] {5}\r\nhello)\r\n");
        assert!(h.take_events().contains(&Event::Fetched(fetch.id())));
        h.client.abandon(fetch.id());
        assert_eq!(h.client.take_fetched(&fetch), None, "what waited is dropped");
        let body = "x".repeat(10_000);
        for uid in 2..=3 {
            h.server(format!("* {uid} FETCH (UID {uid} BODY[] {{{}}}\r\n{body})\r\n", body.len()).as_bytes());
        }
        assert!(h.client.buffered_input() < 1000, "dropped as it arrives");
        h.server(format!("{} OK\r\n* SEARCH 1 3\r\n{} OK\r\n", tag_of(&fetch), tag_of(&next)).as_bytes());
        assert_eq!(take(h, &next), vec![1, 3]);
        let events = h.take_events();
        assert!(events.iter().all(|e| !matches!(e, Event::Fetched(_) | Event::Ready(_))), "{events:?}");
    });
}

#[test]
fn an_abandoned_idle_ends_with_done() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let idle = submit(h, request::idle());
        h.expect_client(format!("{} IDLE\r\n", tag_of(&idle)).as_bytes());
        h.server(b"+ idling\r\n");
        assert_eq!(h.take_events(), [Event::IdleStarted(idle.id())]);
        h.client.abandon(idle.id());
        h.expect_client(b"DONE\r\n");
        h.server(format!("{} OK done\r\n", tag_of(&idle)).as_bytes());
        assert!(h.take_events().is_empty());
        assert!(!h.client.is_idling());
    });
}

#[test]
fn an_abandoned_interactive_authenticate_is_cancelled() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=X-CUSTOM");
        let auth = submit(h, request::authenticate_interactive("X-CUSTOM", None));
        h.expect_client(format!("{} AUTHENTICATE X-CUSTOM\r\n", tag_of(&auth)).as_bytes());
        h.server(b"+ \r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::SaslChallenge { .. }]));
        h.client.abandon(auth.id());
        h.expect_client(b"*\r\n");
        h.server(format!("{} BAD cancelled\r\n", tag_of(&auth)).as_bytes());
        assert!(h.take_events().is_empty());
        noop(h);
    });
}

#[test]
fn a_hundred_abandoned_fetches_keep_memory_bounded() {
    let config = || ClientConfig { max_pending_events: 16, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let body = "y".repeat(4_000);
        for _ in 0..100 {
            let fetch = submit(h, request::fetch(true, 1..=3, &[FetchAttr::body_peek()]));
            h.client.abandon(fetch.id());
            for uid in 1..=3 {
                h.server(
                    format!("* {uid} FETCH (UID {uid} BODY[] {{{}}}\r\n{body})\r\n", body.len()).as_bytes(),
                );
            }
            h.server(format!("{} OK\r\n", tag_of(&fetch)).as_bytes());
            assert!(h.client.buffered_input() < 1000);
        }
        assert!(h.take_events().is_empty());
        let search = submit(h, request::search(true, SearchKey::All));
        h.server(format!("* SEARCH 1 2 3\r\n{} OK\r\n", tag_of(&search)).as_bytes());
        assert_eq!(take(h, &search), vec![1, 2, 3]);
    });
}

// ----------------------------------------------------------- backpressure

#[test]
fn results_nobody_takes_stop_the_reading() {
    let config = || ClientConfig { max_pending_events: 4, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let handles: Vec<_> = (0..6).map(|_| submit(h, request::noop())).collect();
        let mut input = String::new();
        for handle in &handles {
            input.push_str(&format!("{} OK\r\n", tag_of(handle)));
        }
        h.client.handle_input(input.as_bytes());
        h.events.extend(std::iter::from_fn(|| h.client.poll_event()));
        // Events polled, results not taken: reading stops at the limit.
        let ready = h.events.iter().filter(|e| matches!(e, Event::Ready(_))).count();
        assert!(ready < handles.len(), "{ready} ready");
        assert!(!h.client.wants_read());
        // Taking results lets the buffered completions through.
        let mut taken = 0;
        while taken < handles.len() {
            let before = taken;
            for handle in &handles {
                if h.client.take(handle) == Some(Ok(())) {
                    taken += 1;
                }
            }
            h.events.extend(std::iter::from_fn(|| h.client.poll_event()));
            assert!(taken > before, "stuck at {taken}");
        }
        assert!(h.client.wants_read());
    });
}

/// A streaming FETCH holds about `max_pending_bytes` of messages nobody
/// took, however much the server sent: reading stops, and each message
/// taken lets the next ones through. A message larger than the budget
/// still gets through, alone.
#[test]
fn streamed_messages_nobody_takes_stop_the_reading_by_bytes() {
    let config = || ClientConfig { max_pending_bytes: 50_000, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let fetch = submit(h, request::fetch_stream(true, 1..=12, &[FetchAttr::body_peek()]));
        let mut input = String::new();
        for uid in 1..=12u32 {
            // Ten of 20 KB, then two larger than the whole budget.
            let body = "z".repeat(if uid > 10 { 80_000 } else { 20_000 });
            input.push_str(&format!("* {uid} FETCH (UID {uid} BODY[] {{{}}}\r\n{body})\r\n", body.len()));
        }
        input.push_str(&format!("{} OK\r\n", tag_of(&fetch)));
        h.client.handle_input(input.as_bytes());
        assert!(!h.client.wants_read(), "held back");
        let mut got = Vec::new();
        loop {
            // Never more than the budget plus one message waits.
            assert!(h.client.is_ready(fetch.id()) || h.client.wants_read() || got.len() == 12);
            let Some(f) = h.client.take_fetched(&fetch) else { break };
            got.push(f.uid().expect("uid"));
        }
        assert_eq!(got, (1..=12).collect::<Vec<u32>>());
        assert_eq!(h.client.take(&fetch).map(|r| r.is_ok()), Some(true));
        assert!(h.client.wants_read());
    });
}

#[test]
fn streamed_bytes_waiting_are_bounded() {
    let mut client =
        crate::Client::new(ClientConfig { max_pending_bytes: 50_000, ..ClientConfig::default() });
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    let select = client.submit(request::select("INBOX")).expect("select");
    client.handle_input(b"* 12 EXISTS\r\nA1 OK [READ-WRITE] done\r\n");
    assert!(client.take(&select).is_some());
    let fetch = client.submit(request::fetch_stream(true, 1..=10, &[FetchAttr::body_peek()])).expect("fetch");
    let body = "q".repeat(20_000);
    let mut input = String::new();
    for uid in 1..=10u32 {
        input.push_str(&format!("* {uid} FETCH (UID {uid} BODY[] {{{}}}\r\n{body})\r\n", body.len()));
    }
    client.handle_input(input.as_bytes());
    // 50,000 bytes budget: three messages of ~20 KB are handled, the rest
    // waits unparsed in the receive buffer.
    let mut waiting = 0;
    while client.take_fetched(&fetch).is_some() {
        waiting += 1;
        if waiting == 1 {
            assert!(client.buffered_input() > 100_000, "the rest was not parsed yet");
        }
    }
    assert_eq!(waiting, 10, "each take let the next through");
}

// -------------------------------------------------------------------- plans

#[test]
fn move_uses_move_when_the_server_has_it() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let mv = submit(h, request::move_messages(true, 2..=3, "Trash"));
        h.expect_client(b"A3 UID MOVE 2:3 Trash\r\n");
        h.server(b"* OK [COPYUID 7 2:3 10:11] moved\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\nA3 OK done\r\n");
        let result: MoveResult = take(h, &mv);
        assert_eq!(result.expunged, vec![2, 2]);
        assert_eq!(result.copy_uid.expect("COPYUID").pairs(), vec![(2, 10), (3, 11)]);
        assert_eq!(h.client.mailbox().expect("selected").exists, 1);
    });
}

#[test]
fn move_without_move_copies_flags_and_expunges_those_uids() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 UIDPLUS", 3);
        h.sent.clear();
        let mv = submit(h, request::move_messages(false, 2, "Trash"));
        let later = submit(h, request::noop());
        // Sequence numbers become UIDs first.
        h.expect_client(b"A3 FETCH 2 (UID)\r\n");
        h.server(b"* 2 FETCH (UID 17)\r\nA3 OK\r\n");
        h.expect_client(b"A5 UID COPY 17 Trash\r\n");
        h.server(b"A5 OK [COPYUID 5 17 99] copied\r\n");
        h.expect_client(b"A6 UID STORE 17 +FLAGS.SILENT (\\Deleted)\r\n");
        h.server(b"A6 OK\r\n");
        h.expect_client(b"A7 UID EXPUNGE 17\r\n");
        // The NOOP queued behind waits for the whole move.
        h.server(b"* 2 EXPUNGE\r\nA7 OK\r\n");
        let result = take(h, &mv);
        assert_eq!(result.expunged, vec![2]);
        assert_eq!(result.copy_uid.expect("COPYUID").pairs(), vec![(17, 99)]);
        h.expect_client(format!("{} NOOP\r\n", tag_of(&later)).as_bytes());
    });
}

#[test]
fn a_failed_copy_deletes_nothing() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 UIDPLUS", 3);
        h.sent.clear();
        let mv = submit(h, request::move_by_copy(true, 1..=2, "Nowhere"));
        h.expect_client(b"A3 UID COPY 1:2 Nowhere\r\n");
        h.server(b"A3 NO [TRYCREATE] no such mailbox\r\n");
        h.pump();
        assert!(h.sent.is_empty(), "no STORE, no EXPUNGE");
        match h.client.take(&mv) {
            Some(Err(CommandError::No { code: Some(code), .. })) => {
                assert_eq!(code, crate::types::ResponseCode::TryCreate)
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn move_needs_move_or_uidplus() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        h.sent.clear();
        let mv = submit(h, request::move_messages(true, 1, "Trash"));
        h.pump();
        assert!(h.sent.is_empty());
        assert!(matches!(
            h.client.take(&mv),
            Some(Err(CommandError::NotSent(UsageError::MissingCapability { .. })))
        ));
    });
}

#[test]
fn append_many_is_one_multiappend_or_pipelined_appends() {
    let messages = || vec![AppendMessage::new(&b"one"[..]), AppendMessage::new(&b"two"[..])];
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 UIDPLUS MULTIAPPEND LITERAL+", 3);
        h.sent.clear();
        let a = submit(h, request::append_many("Sent", messages()));
        h.expect_client(b"A3 APPEND Sent {3+}\r\none {3+}\r\ntwo\r\n");
        h.server(b"A3 OK [APPENDUID 7 20:21] done\r\n");
        assert_eq!(take(h, &a).uids, Some("20:21".parse().unwrap()));
    });
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 UIDPLUS LITERAL+", 3);
        h.sent.clear();
        let a = submit(h, request::append_many("Sent", messages()));
        h.expect_client(b"A3 APPEND Sent {3+}\r\none\r\nA4 APPEND Sent {3+}\r\ntwo\r\n");
        h.server(b"A4 OK [APPENDUID 7 31] b\r\nA3 OK [APPENDUID 7 30] a\r\n");
        let result = take(h, &a);
        assert_eq!(result.uid_validity, Some(7));
        assert_eq!(result.uids.expect("uids").iter(0).collect::<Vec<_>>(), vec![30, 31], "in message order");
    });
}

#[test]
fn list_status_in_one_command_or_list_then_status() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let l = submit(h, request::list_status("*", &[StatusAttr::Messages]));
        h.expect_client(b"A3 LIST \"\" * RETURN (SPECIAL-USE STATUS (MESSAGES))\r\n");
        h.server(b"* LIST (\\Sent) \"/\" Sent\r\n* STATUS Sent (MESSAGES 2)\r\nA3 OK\r\n");
        let entries = take(h, &l);
        assert_eq!(entries[0].special_use(), Some(SpecialUse::Sent));
        assert_eq!(entries[0].status.as_ref().and_then(|s| s.messages), Some(2));
    });
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        h.sent.clear();
        let l = submit(h, request::list_status("*", &[StatusAttr::Messages]));
        h.expect_client(b"A3 LIST \"\" *\r\n");
        h.server(b"* LIST () \"/\" INBOX\r\n* LIST (\\Noselect) \"/\" Folders\r\n* LIST () \"/\" Gone\r\nA3 OK\r\n");
        h.expect_client(b"A4 STATUS INBOX (MESSAGES)\r\nA5 STATUS Gone (MESSAGES)\r\n");
        h.server(b"* STATUS INBOX (MESSAGES 3)\r\nA4 OK\r\nA5 NO [NONEXISTENT] gone\r\n");
        let entries = take(h, &l);
        let counts: Vec<_> = entries.iter().map(|e| e.status.as_ref().and_then(|s| s.messages)).collect();
        assert_eq!(counts, vec![Some(3), None, None]);
    });
}

#[test]
fn find_special_folder_by_attribute_or_name() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        let f = submit(h, request::find_special_folder(SpecialUse::Trash));
        h.expect_client(b"A3 LIST \"\" * RETURN (SPECIAL-USE)\r\n");
        h.server(b"* LIST (\\Trash) \"/\" Papierkorb\r\n* LIST () \"/\" Trash\r\nA3 OK\r\n");
        assert_eq!(take(h, &f), Some(Mailbox::new("Papierkorb")));
    });
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        h.sent.clear();
        let f = submit(h, request::find_special_folder(SpecialUse::Sent));
        h.expect_client(b"A3 LIST \"\" *\r\n");
        h.server(b"* LIST () \".\" INBOX\r\n* LIST () \".\" \"INBOX.Sent Items\"\r\nA3 OK\r\n");
        assert_eq!(take(h, &f), Some(Mailbox::new("INBOX.Sent Items")));
    });
}

#[test]
fn create_special_folder_needs_create_special_use() {
    // RFC 6154 section 5.3's example.
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        h.login("IMAP4rev1 CREATE-SPECIAL-USE");
        let made = h.client.create_special_folder("MySpecial", SpecialUse::Drafts).unwrap();
        h.expect_client(format!("{} CREATE MySpecial (USE (\\Drafts))\r\n", tag_of(&made)).as_bytes());
        h.server(format!("{} OK MySpecial created\r\n", tag_of(&made)).as_bytes());
        take(h, &made);
        let all = h.client.create_special_use("Everything", &[SpecialUse::All]).unwrap();
        h.expect_client(format!("{} CREATE Everything (USE (\\All))\r\n", tag_of(&all)).as_bytes());
        h.server(format!("{} NO [USEATTR] \\All not supported\r\n", tag_of(&all)).as_bytes());
        h.pump();
        let error = h.client.take(&all).expect("ready").unwrap_err();
        assert!(
            matches!(error.code(), Some(crate::types::ResponseCode::Other { name, .. }) if name == "USEATTR")
        );
    });
    // Without the capability: refused, nothing sent (RFC 6154 section 3:
    // clients MUST NOT use USE then).
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 SPECIAL-USE", 1);
        assert_eq!(
            h.client.create_special_folder("Archive", SpecialUse::Archive).map(drop),
            Err(UsageError::MissingCapability { command: "CREATE", capability: "CREATE-SPECIAL-USE" })
        );
        h.expect_silence();
    });
    // Submitted behind a login: checked against the capabilities it brings.
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        let login = h.enqueue(crate::types::Command::login("u", "p"));
        let made = h.client.create_special_folder("Archive", SpecialUse::Archive).unwrap();
        h.server(format!("{login} OK [CAPABILITY IMAP4rev1 SPECIAL-USE] in\r\n").as_bytes());
        h.expect_client(format!("{login} LOGIN u \"p\"\r\n").as_bytes());
        h.pump();
        let refused = UsageError::MissingCapability { command: "CREATE", capability: "CREATE-SPECIAL-USE" };
        assert_eq!(h.client.take(&made), Some(Err(CommandError::NotSent(refused))));
    });
}

#[test]
fn a_plan_abandoned_before_it_starts_sends_nothing() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        h.sent.clear();
        // The plan waits behind the SELECT; abandoned meanwhile.
        let select = submit(h, request::select("Archive"));
        let mv = submit(h, request::move_messages(true, 1, "Trash"));
        h.client.abandon(mv.id());
        h.expect_client(format!("{} SELECT Archive\r\n", tag_of(&select)).as_bytes());
        h.server(format!("{} OK [READ-WRITE] ok\r\n", tag_of(&select)).as_bytes());
        take(h, &select);
        h.expect_silence();
        assert!(h.take_events().is_empty());
        assert_eq!(h.client.pending_commands(), 0);
    });
}

fn noop(h: &mut Harness) {
    let noop = submit(h, request::noop());
    h.sent.clear();
    h.server(format!("{} OK\r\n", tag_of(&noop)).as_bytes());
    take(h, &noop);
}
