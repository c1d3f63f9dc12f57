//! Pipelining rules (which commands share the wire) and the routing of
//! untagged data among the commands in flight.

use super::{run_all_chunkings, Harness};
use crate::request::{MailboxStatus, SearchResult};
use crate::types::Fetch;
use crate::types::{
    Capability, Command, Data, ESearch, FetchAttr, Flag, Mailbox, Response, SearchKey, SearchReturn,
    SequenceSet, SortKey, StatusAttr, StoreMode, Thread, ThreadAlgorithm,
};
use crate::Event;

const CAPS: &str = "IMAP4rev1 IDLE UNSELECT ENABLE CONDSTORE UIDPLUS MOVE ESEARCH SORT THREAD=REFERENCES \
                    LIST-STATUS COMPRESS=DEFLATE AUTH=PLAIN SASL-IR STARTTLS";

fn fetch(set: &str) -> Command {
    Command::fetch(false, set.parse::<SequenceSet>().unwrap(), [FetchAttr::Flags])
}

fn uid_fetch(set: &str) -> Command {
    Command::fetch(true, set.parse::<SequenceSet>().unwrap(), [FetchAttr::Flags])
}

fn status(mailbox: &str) -> Command {
    Command::Status { mailbox: Mailbox::new(mailbox), items: vec![StatusAttr::Messages] }
}

/// `barrier` waits for a command in flight and holds one enqueued after it;
/// `reply` is the server's untagged data for it.
fn holds_both_ways(h: &mut Harness, barrier: Command, line: &str, reply: &str) {
    holds_both_ways_ok(h, barrier, line, reply, "OK done");
}

fn holds_both_ways_ok(h: &mut Harness, barrier: Command, line: &str, reply: &str, ok: &str) {
    let first = h.enqueue(Command::Noop);
    h.expect_client(format!("{first} NOOP\r\n").as_bytes());
    let b = h.enqueue(barrier);
    h.expect_silence();
    let after = h.enqueue(Command::Noop);
    h.expect_silence();
    h.server(format!("{first} OK\r\n").as_bytes());
    h.expect_client(format!("{b} {line}\r\n").as_bytes());
    h.server(reply.as_bytes());
    h.expect_silence();
    h.server(format!("{b} {ok}\r\n").as_bytes());
    h.expect_client(format!("{after} NOOP\r\n").as_bytes());
    h.server(format!("{after} OK\r\n").as_bytes());
    for t in [&first, &b, &after] {
        h.completed(t).unwrap();
    }
}

#[test]
fn select_examine_close_unselect_are_barriers() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 5);
        holds_both_ways(h, Command::select("Drafts"), "SELECT Drafts", "* 2 EXISTS\r\n");
        holds_both_ways(h, Command::examine("INBOX"), "EXAMINE INBOX", "* 5 EXISTS\r\n");
        let access = crate::Event::MailboxAccess { mailbox: crate::types::Mailbox::inbox(), read_only: true };
        assert_eq!(h.take_events(), [access]);
        holds_both_ways(h, Command::Unselect, "UNSELECT", "");
        h.select(3);
        holds_both_ways(h, Command::Close, "CLOSE", "");
        holds_both_ways(
            h,
            Command::Enable(vec![Capability::CondStore]),
            "ENABLE CONDSTORE",
            "* ENABLED CONDSTORE\r\n",
        );
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn login_and_authenticate_are_barriers() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        let ok = format!("OK [CAPABILITY {CAPS}] in");
        holds_both_ways_ok(h, Command::login("u", "p"), "LOGIN u \"p\"", "", &ok);
        let mut h2 = Harness::new(h.chunking());
        h2.greet(CAPS);
        let ir = Some(crate::types::Secret::new(b"\0u\0p".to_vec()));
        holds_both_ways_ok(
            &mut h2,
            Command::Authenticate { mechanism: "PLAIN".into(), initial_response: ir },
            "AUTHENTICATE PLAIN AHUAcA==",
            "",
            &ok,
        );
        assert_eq!(h2.client.state(), crate::types::StateName::Authenticated);
    });
}

#[test]
fn idle_is_a_barrier() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 5);
        let first = h.enqueue(Command::Noop);
        h.expect_client(format!("{first} NOOP\r\n").as_bytes());
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_silence();
        h.server(format!("{first} OK\r\n").as_bytes());
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        let after = h.enqueue(Command::Noop);
        h.expect_silence();
        // The waiting NOOP ends IDLE as soon as the server accepted it.
        h.server(b"+ idling\r\n");
        h.expect_client(b"DONE\r\n");
        h.server(format!("{idle} OK IDLE terminated\r\n").as_bytes());
        h.expect_client(format!("{after} NOOP\r\n").as_bytes());
        h.completed(&idle).unwrap();
    });
}

#[test]
fn logout_waits_for_everything_before_it() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 5);
        let f = h.enqueue(fetch("1"));
        h.expect_client(format!("{f} FETCH 1 (FLAGS)\r\n").as_bytes());
        let logout = h.enqueue(Command::Logout);
        h.expect_silence();
        h.server(format!("{f} OK\r\n").as_bytes());
        h.expect_client(format!("{logout} LOGOUT\r\n").as_bytes());
    });
}

#[test]
fn starttls_and_compress_wait_for_the_engines_own_command_and_hold_later_ones() {
    run_all_chunkings(|h| {
        // The engine's CAPABILITY is in flight: STARTTLS is not refused, it waits.
        h.server(b"* OK ready\r\n");
        h.expect_client(b"A1 CAPABILITY\r\n");
        let tls = h.enqueue(Command::StartTls);
        let noop = h.enqueue(Command::Noop);
        h.expect_silence();
        h.server(b"* CAPABILITY IMAP4rev1 STARTTLS\r\nA1 OK\r\n");
        h.expect_client(format!("{tls} STARTTLS\r\n").as_bytes());
        h.server(format!("{tls} OK go\r\n").as_bytes());
        h.expect_silence();
        h.client.handle_switched();
        // After the switch: the engine's CAPABILITY first; the NOOP waits
        // for the capabilities it is checked against.
        h.expect_client(b"A4 CAPABILITY\r\n");
        h.server(b"* CAPABILITY IMAP4rev1\r\nA4 OK\r\n");
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
    });
    #[cfg(feature = "compress")]
    run_all_chunkings(|h| {
        h.selected(CAPS, 1);
        let c = h.enqueue(Command::Compress);
        let noop = h.enqueue(Command::Noop);
        h.expect_client(format!("{c} COMPRESS DEFLATE\r\n").as_bytes());
        h.expect_silence();
        h.client.handle_input(format!("{c} OK DEFLATE active\r\n").as_bytes());
        h.server_starts_compression();
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
    });
}

#[test]
fn commands_expecting_the_same_data_are_serialised() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let s1 = h.enqueue(Command::search(false, SearchKey::Seen));
        let s2 = h.enqueue(Command::search(true, SearchKey::Deleted));
        h.expect_client(format!("{s1} SEARCH SEEN\r\n").as_bytes());
        h.server(format!("* SEARCH 1 2\r\n{s1} OK\r\n").as_bytes());
        h.expect_client(format!("{s2} UID SEARCH DELETED\r\n").as_bytes());
        h.server(format!("* SEARCH 9\r\n{s2} OK\r\n").as_bytes());
        assert_eq!(h.output::<SearchResult>(&s1).ids, vec![1, 2]);
        assert_eq!(h.output::<SearchResult>(&s2).ids, vec![9]);
        // SEARCH and ESEARCH each take the other's data: serialised too.
        let s3 = h.enqueue(Command::Search {
            uid: false,
            criteria: SearchKey::All,
            returns: Some(vec![SearchReturn::All]),
        });
        let s4 = h.enqueue(Command::search(false, SearchKey::Flagged));
        h.expect_client(format!("{s3} SEARCH RETURN (ALL) ALL\r\n").as_bytes());
        h.server(format!("* ESEARCH (TAG \"{s3}\") ALL 1:10\r\n{s3} OK\r\n").as_bytes());
        h.expect_client(format!("{s4} SEARCH FLAGGED\r\n").as_bytes());
        h.server(format!("* SEARCH 4\r\n{s4} OK\r\n").as_bytes());
        assert_eq!(h.output::<ESearch>(&s3).all, Some("1:10".parse().unwrap()));
        assert_eq!(h.output::<SearchResult>(&s4).ids, vec![4]);
        // Two SORTs, two THREADs.
        let sort = |uid| Command::Sort { uid, criteria: vec![SortKey::Date.asc()], search: SearchKey::All };
        let (t1, t2) = (h.enqueue(sort(false)), h.enqueue(sort(true)));
        h.expect_client(format!("{t1} SORT (DATE) UTF-8 ALL\r\n").as_bytes());
        h.server(format!("{t1} OK\r\n").as_bytes());
        h.expect_client(format!("{t2} UID SORT (DATE) UTF-8 ALL\r\n").as_bytes());
        h.server(format!("{t2} OK\r\n").as_bytes());
        let thread =
            |uid| Command::Thread { uid, algorithm: ThreadAlgorithm::References, search: SearchKey::All };
        let (t1, t2) = (h.enqueue(thread(true)), h.enqueue(thread(true)));
        h.expect_client(format!("{t1} UID THREAD REFERENCES UTF-8 ALL\r\n").as_bytes());
        h.server(format!("{t1} OK\r\n").as_bytes());
        h.expect_client(format!("{t2} UID THREAD REFERENCES UTF-8 ALL\r\n").as_bytes());
        h.server(format!("{t2} OK\r\n").as_bytes());
        // STATUS of one mailbox twice, and LIST-STATUS with any STATUS.
        let (a, b) = (h.enqueue(status("a")), h.enqueue(status("a")));
        h.expect_client(format!("{a} STATUS a (MESSAGES)\r\n").as_bytes());
        h.server(format!("{a} OK\r\n").as_bytes());
        h.expect_client(format!("{b} STATUS a (MESSAGES)\r\n").as_bytes());
        h.server(format!("{b} OK\r\n").as_bytes());
        let list = crate::types::ListCommand {
            patterns: vec!["*".into()],
            returns: vec![crate::types::ListReturn::Status(vec![StatusAttr::Messages])],
            ..Default::default()
        };
        let (l, s) = (h.enqueue(Command::List(list)), h.enqueue(status("b")));
        h.expect_client(format!("{l} LIST \"\" * RETURN (STATUS (MESSAGES))\r\n").as_bytes());
        h.server(format!("{l} OK\r\n").as_bytes());
        h.expect_client(format!("{s} STATUS b (MESSAGES)\r\n").as_bytes());
        h.server(format!("{s} OK\r\n").as_bytes());
    });
}

#[test]
fn different_kinds_of_data_share_the_wire() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let f = h.enqueue(fetch("1:3"));
        let s = h.enqueue(Command::search(false, SearchKey::Seen));
        let st = h.enqueue(status("Archive"));
        let st2 = h.enqueue(status("Sent"));
        // SORT and THREAD may expunge (only FETCH, STORE and SEARCH may not):
        // the UID forms do not wait for that.
        let o = h.enqueue(Command::Sort {
            uid: true,
            criteria: vec![SortKey::Size.asc()],
            search: SearchKey::All,
        });
        let t = h.enqueue(Command::Thread {
            uid: true,
            algorithm: ThreadAlgorithm::References,
            search: SearchKey::All,
        });
        h.expect_client(
            format!(
                "{f} FETCH 1:3 (FLAGS)\r\n{s} SEARCH SEEN\r\n{st} STATUS Archive (MESSAGES)\r\n\
                 {st2} STATUS Sent (MESSAGES)\r\n{o} UID SORT (SIZE) UTF-8 ALL\r\n{t} UID THREAD REFERENCES UTF-8 ALL\r\n"
            )
            .as_bytes(),
        );
        // Answers in any order, each routed by its kind (or mailbox).
        h.server(
            format!(
                "* STATUS Sent (MESSAGES 2)\r\n* THREAD (3)(1 2)\r\n* 2 FETCH (FLAGS ())\r\n* SORT 3 1 2\r\n\
                 * STATUS Archive (MESSAGES 1)\r\n* SEARCH 2\r\n{st2} OK\r\n{t} OK\r\n{st} OK\r\n{o} OK\r\n{s} OK\r\n{f} OK\r\n"
            )
            .as_bytes(),
        );
        assert_eq!(h.output::<SearchResult>(&s).ids, vec![2]);
        assert_eq!(h.output::<SearchResult>(&o).ids, vec![3, 1, 2]);
        assert_eq!(h.output::<Vec<Thread>>(&t).len(), 2);
        assert_eq!(h.output::<Vec<Fetch>>(&f).len(), 1);
        assert_eq!(h.output::<MailboxStatus>(&st).messages, Some(1));
        assert_eq!(h.output::<MailboxStatus>(&st2).messages, Some(2));
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn fetches_with_disjoint_sets_go_together_overlapping_ones_wait() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let a = h.enqueue(fetch("1:3"));
        let b = h.enqueue(fetch("5:7,9"));
        h.expect_client(format!("{a} FETCH 1:3 (FLAGS)\r\n{b} FETCH 5:7,9 (FLAGS)\r\n").as_bytes());
        let c = h.enqueue(fetch("3:4"));
        h.expect_silence();
        // Order is kept: a disjoint FETCH behind a waiting one waits too.
        let d = h.enqueue(fetch("10"));
        h.expect_silence();
        h.server(format!("{a} OK\r\n").as_bytes());
        h.expect_client(format!("{c} FETCH 3:4 (FLAGS)\r\n{d} FETCH 10 (FLAGS)\r\n").as_bytes());
        // `*` can be anything: serialised with every other FETCH.
        let e = h.enqueue(fetch("8:*"));
        h.expect_silence();
        h.server(format!("{b} OK\r\n{c} OK\r\n{d} OK\r\n").as_bytes());
        h.expect_client(format!("{e} FETCH 8:* (FLAGS)\r\n").as_bytes());
        // A UID FETCH and a FETCH could be confused: serialised.
        let u = h.enqueue(uid_fetch("100"));
        h.expect_silence();
        h.server(format!("{e} OK\r\n").as_bytes());
        h.expect_client(format!("{u} UID FETCH 100 (FLAGS)\r\n").as_bytes());
        // A STORE's FETCH responses overlap a FETCH's, even with .SILENT
        // (CONDSTORE servers still send MODSEQ for it).
        let s = h.enqueue(Command::Store {
            uid: true,
            set: "100:101".parse().unwrap(),
            mode: StoreMode::Add,
            silent: true,
            flags: vec![Flag::Seen],
            unchanged_since: None,
        });
        h.expect_silence();
        h.server(format!("{u} OK\r\n").as_bytes());
        h.expect_client(format!("{s} UID STORE 100:101 +FLAGS.SILENT (\\Seen)\r\n").as_bytes());
        h.server(format!("{s} OK\r\n").as_bytes());
        for t in [&a, &b, &c, &d, &e, &u, &s] {
            h.completed(t).unwrap();
        }
    });
}

#[test]
fn a_silent_store_never_takes_another_fetchs_data() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let s = h.enqueue(Command::Store {
            uid: false,
            set: "1:2".parse().unwrap(),
            mode: StoreMode::Add,
            silent: true,
            flags: vec![Flag::Seen],
            unchanged_since: None,
        });
        let f = h.enqueue(fetch("1:2"));
        h.expect_client(format!("{s} STORE 1:2 +FLAGS.SILENT (\\Seen)\r\n").as_bytes());
        h.server(format!("{s} OK\r\n").as_bytes());
        h.expect_client(format!("{f} FETCH 1:2 (FLAGS)\r\n").as_bytes());
        h.server(
            format!("* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Seen))\r\n{f} OK\r\n").as_bytes(),
        );
        assert_eq!(h.output::<Vec<Fetch>>(&f).len(), 2);
    });
}

#[test]
fn sequence_numbers_wait_for_commands_that_may_expunge() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        for (blocker, line) in [
            (Command::Expunge, "EXPUNGE".to_owned()),
            (Command::Noop, "NOOP".to_owned()),
            (uid_fetch("5"), "UID FETCH 5 (FLAGS)".to_owned()),
            (
                Command::Move { uid: true, set: SequenceSet::from(9), mailbox: Mailbox::new("x") },
                "UID MOVE 9 x".to_owned(),
            ),
            (Command::UidExpunge(SequenceSet::from(9)), "UID EXPUNGE 9".to_owned()),
            (Command::Check, "CHECK".to_owned()),
        ] {
            let b = h.enqueue(blocker);
            h.expect_client(format!("{b} {line}\r\n").as_bytes());
            let f = h.enqueue(fetch("1"));
            let s = h.enqueue(Command::Store {
                uid: false,
                set: SequenceSet::from(2),
                mode: StoreMode::Add,
                silent: true,
                flags: vec![Flag::Seen],
                unchanged_since: None,
            });
            let c = h.enqueue(Command::Copy {
                uid: false,
                set: SequenceSet::from(3),
                mailbox: Mailbox::new("y"),
            });
            h.expect_silence();
            h.server(format!("{b} OK\r\n").as_bytes());
            // Released together, in order, as soon as the rule allows.
            h.expect_client(
                format!("{f} FETCH 1 (FLAGS)\r\n{s} STORE 2 +FLAGS.SILENT (\\Seen)\r\n{c} COPY 3 y\r\n")
                    .as_bytes(),
            );
            h.server(format!("{f} OK\r\n{s} OK\r\n{c} OK\r\n").as_bytes());
            for t in [&b, &f, &s, &c] {
                h.completed(t).unwrap();
            }
        }
    });
}

#[test]
fn uid_commands_and_non_expunging_commands_do_not_wait() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        // While an EXPUNGE runs, UID commands go out at once.
        let x = h.enqueue(Command::Expunge);
        let u = h.enqueue(uid_fetch("7"));
        let us = h.enqueue(Command::search(true, SearchKey::All));
        h.expect_client(
            format!("{x} EXPUNGE\r\n{u} UID FETCH 7 (FLAGS)\r\n{us} UID SEARCH ALL\r\n").as_bytes(),
        );
        h.server(format!("{x} OK\r\n{u} OK\r\n{us} OK\r\n").as_bytes());
        // FETCH, STORE and SEARCH by number cannot cause expunges: they pipeline.
        let f = h.enqueue(fetch("1"));
        let s = h.enqueue(Command::search(false, SearchKey::All));
        let st = h.enqueue(Command::Store {
            uid: false,
            set: SequenceSet::from(2),
            mode: StoreMode::Remove,
            silent: false,
            flags: vec![Flag::Seen],
            unchanged_since: None,
        });
        h.expect_client(
            format!("{f} FETCH 1 (FLAGS)\r\n{s} SEARCH ALL\r\n{st} STORE 2 -FLAGS (\\Seen)\r\n").as_bytes(),
        );
    });
}

#[test]
fn fetch_responses_are_routed_by_set() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let a = h.enqueue(fetch("1:2"));
        let b = h.enqueue(fetch("3,4"));
        h.sent.clear();
        h.server(
            format!(
                "* 3 FETCH (FLAGS (\\Seen))\r\n* 1 FETCH (FLAGS ())\r\n* 4 FETCH (FLAGS ())\r\n\
                 * 7 FETCH (FLAGS (\\Deleted))\r\n* 2 FETCH (FLAGS ())\r\n{b} OK\r\n{a} OK\r\n"
            )
            .as_bytes(),
        );
        let seqs = |v: Vec<Fetch>| v.iter().map(|f| f.seq).collect::<Vec<_>>();
        assert_eq!(seqs(h.output(&a)), vec![1, 2]);
        assert_eq!(seqs(h.output(&b)), vec![3, 4]);
        // The FETCH nobody asked for is unsolicited (another client's flag change).
        match h.unsolicited().as_slice() {
            [Response::Data(Data::Fetch(f))] => assert_eq!(f.seq, 7),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn uid_fetch_responses_are_routed_by_uid() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let a = h.enqueue(uid_fetch("100:101"));
        let b = h.enqueue(uid_fetch("200"));
        h.expect_client(format!("{a} UID FETCH 100:101 (FLAGS)\r\n{b} UID FETCH 200 (FLAGS)\r\n").as_bytes());
        h.server(
            format!(
                "* 5 FETCH (UID 200 FLAGS ())\r\n* 1 FETCH (UID 101 FLAGS ())\r\n* 3 FETCH (UID 100 FLAGS ())\r\n\
                 {a} OK\r\n{b} OK\r\n"
            )
            .as_bytes(),
        );
        let uids = |v: Vec<Fetch>| v.iter().map(|f| f.uid().unwrap()).collect::<Vec<_>>();
        assert_eq!(uids(h.output(&a)), vec![101, 100]);
        assert_eq!(uids(h.output(&b)), vec![200]);
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn esearch_is_routed_by_its_tag() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let ret = || Some(vec![SearchReturn::Count]);
        let a = h.enqueue(Command::Search { uid: false, criteria: SearchKey::Seen, returns: ret() });
        let b = h.enqueue(Command::Search { uid: true, criteria: SearchKey::Deleted, returns: ret() });
        h.expect_client(
            format!("{a} SEARCH RETURN (COUNT) SEEN\r\n{b} UID SEARCH RETURN (COUNT) DELETED\r\n").as_bytes(),
        );
        h.server(
            format!("* ESEARCH (TAG \"{b}\") UID COUNT 2\r\n* ESEARCH (TAG \"{a}\") COUNT 7\r\n{b} OK\r\n{a} OK\r\n").as_bytes(),
        );
        assert_eq!(h.output::<ESearch>(&a).count, Some(7));
        assert_eq!(h.output::<ESearch>(&b).count, Some(2));
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn status_is_routed_by_mailbox() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let a = h.enqueue(status("Archive"));
        let b = h.enqueue(status("INBOX"));
        h.expect_client(
            format!("{a} STATUS Archive (MESSAGES)\r\n{b} STATUS INBOX (MESSAGES)\r\n").as_bytes(),
        );
        h.server(
            format!("* STATUS inbox (MESSAGES 10)\r\n* STATUS Archive (MESSAGES 3)\r\n{b} OK\r\n{a} OK\r\n")
                .as_bytes(),
        );
        assert_eq!(h.output::<MailboxStatus>(&a).messages, Some(3));
        assert_eq!(h.output::<MailboxStatus>(&b).messages, Some(10));
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn everything_else_is_unsolicited() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let f = h.enqueue(fetch("1"));
        let s = h.enqueue(Command::search(false, SearchKey::All));
        h.sent.clear();
        h.server(
            format!(
                "* 11 EXISTS\r\n* OK [ALERT] System shutdown in 10 minutes\r\n* FLAGS (\\Seen $X)\r\n\
                 * STATUS Other (MESSAGES 1)\r\n* NO Disk is 90% full\r\n* 1 RECENT\r\n{f} OK\r\n{s} OK\r\n"
            )
            .as_bytes(),
        );
        h.completed(&f).unwrap();
        h.completed(&s).unwrap();
        let events = h.take_events();
        assert_eq!(events.len(), 6, "{events:?}");
        assert!(events.iter().all(|e| matches!(e, Event::Unsolicited(_))));
        assert_eq!(h.client.mailbox().unwrap().exists, 11);
    });
}
