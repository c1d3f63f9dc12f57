//! Typed results: each command's untagged data and tagged status turned
//! into its `Output`, through bytes only.

use super::{run_all_chunkings, Harness};
use crate::request::{
    AppendResult, CopyResult, ExpungeResult, ListEntry, ListRightsResult, MailboxStatus, MoveResult, Output,
    QuotaResult, SearchResult, SelectResult, StoreResult,
};
use crate::types::{
    AclEntry, AppendMessage, BodyStructure, ByteStr, Capability, Command, ESearch, FetchAttr, Flag,
    ListAttribute, ListCommand, ListReturn, Mailbox, MetadataDepth, MetadataEntry, Namespaces, QResync,
    ResponseCode, SearchKey, SearchReturn, Section, SelectModifiers, SequenceSet, SinglePartKind, SortKey,
    SpecialUse, StatusAttr, StoreMode, Thread, ThreadAlgorithm,
};
use crate::types::{Fetch, FetchItem};
use crate::CommandError;

const CAPS: &str = "IMAP4rev1 UIDPLUS MOVE CONDSTORE QRESYNC ESEARCH SORT THREAD=REFERENCES QUOTA ACL \
                    NAMESPACE METADATA ID ENABLE LIST-EXTENDED LIST-STATUS SPECIAL-USE X-GM-EXT-1 MULTIAPPEND";

/// Sends `cmd`, checks its line, answers with `reply` (the tagged line is
/// `<tag> <status>`), and returns the tag.
fn exchange(h: &mut Harness, cmd: Command, line: &str, reply: &str, status: &str) -> crate::types::Tag {
    let tag = h.enqueue(cmd);
    h.expect_client(format!("{tag} {line}\r\n").as_bytes());
    h.server(format!("{reply}{tag} {status}\r\n").as_bytes());
    tag
}

fn nothing_left(h: &mut Harness) {
    let left = h.take_events();
    assert!(left.is_empty(), "unrouted: {left:?}");
}

// ------------------------------------------------------------ SELECT/EXAMINE

#[test]
fn select_result() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        h.login(CAPS);
        let tag = exchange(
            h,
            Command::select("INBOX"),
            "SELECT INBOX",
            "* 172 EXISTS\r\n* 1 RECENT\r\n* OK [UNSEEN 12] Message 12 is first unseen\r\n\
             * OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT 4392] Predicted next UID\r\n\
             * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
             * OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n* OK [HIGHESTMODSEQ 715194045007] ok\r\n\
             * OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\n",
            "OK [READ-WRITE] SELECT completed",
        );
        let r: SelectResult = h.output(&tag);
        let m = &r.mailbox;
        assert_eq!(m.name, Some(Mailbox::inbox()));
        assert_eq!((m.exists, m.recent, m.unseen), (172, 1, Some(12)));
        assert_eq!((m.uid_validity, m.uid_next), (Some(3857529045), Some(4392)));
        assert_eq!(m.flags.len(), 5);
        assert_eq!(m.permanent_flags, vec![Flag::Deleted, Flag::Seen, Flag::MayCreate]);
        assert_eq!(m.highest_modseq, Some(715194045007));
        assert!(!m.no_modseq && !m.read_only);
        assert!(m.mailbox_id.is_some());
        assert!(r.vanished.is_empty() && r.changed.is_empty());
        assert_eq!(h.client.mailbox(), Some(m));
        nothing_left(h);
    });
}

#[test]
fn examine_is_read_only_and_nomodseq() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        h.login(CAPS);
        let tag = exchange(
            h,
            Command::Select {
                mailbox: Mailbox::new("Sent"),
                modifiers: SelectModifiers { condstore: true, qresync: None },
            },
            "SELECT Sent (CONDSTORE)",
            "* 3 EXISTS\r\n* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
            "OK [READ-ONLY] SELECT completed",
        );
        let r: SelectResult = h.output(&tag);
        assert!(r.mailbox.read_only, "READ-ONLY in the tagged OK");
        assert!(r.mailbox.no_modseq);
        assert_eq!(r.mailbox.highest_modseq, None);
        let tag = exchange(h, Command::examine("INBOX"), "EXAMINE INBOX", "* 9 EXISTS\r\n", "OK done");
        let r: SelectResult = h.output(&tag);
        assert!(r.mailbox.read_only, "EXAMINE is read-only");
        assert_eq!(r.mailbox.exists, 9);
    });
}

#[test]
fn qresync_select_collects_vanished_and_changes() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        h.login(CAPS);
        let qresync = QResync {
            uid_validity: 67890007,
            modseq: 90060115194045000,
            known_uids: Some("41:211,214:541".parse().unwrap()),
            seq_match: None,
        };
        let cmd = Command::Select {
            mailbox: Mailbox::inbox(),
            modifiers: SelectModifiers { condstore: false, qresync: Some(qresync) },
        };
        let tag = exchange(
            h,
            cmd,
            "SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))",
            "* OK [CLOSED]\r\n* 100 EXISTS\r\n* 11 RECENT\r\n* OK [UIDVALIDITY 67890007] UIDVALIDITY\r\n\
             * OK [UIDNEXT 600] Predicted next UID\r\n* OK [HIGHESTMODSEQ 90060115205545359] Highest\r\n\
             * FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n\
             * VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n\
             * 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n\
             * 50 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))\r\n",
            "OK [READ-WRITE] mailbox selected",
        );
        let r: SelectResult = h.output(&tag);
        assert_eq!(r.mailbox.exists, 100);
        assert!(r.closed, "the previous mailbox was closed");
        assert_eq!(r.mailbox.highest_modseq, Some(90060115205545359));
        assert_eq!(r.vanished.count(), Some(1 + 74 + 1 + 92 + 327));
        assert!(r.vanished.contains(43, 0) && !r.vanished.contains(117, 0));
        assert_eq!(r.changed.iter().map(|f| f.uid()).collect::<Vec<_>>(), vec![Some(117), Some(119)]);
        assert_eq!(h.client.mailbox().unwrap().exists, 100, "VANISHED (EARLIER) does not count down");
        nothing_left(h);
    });
}

// --------------------------------------------------------- SEARCH and SORT

#[test]
fn search_sort_and_esearch_results() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 20);
        let s = exchange(
            h,
            Command::search(false, SearchKey::Flagged),
            "SEARCH FLAGGED",
            "* SEARCH 2 84 882\r\n",
            "OK SEARCH completed",
        );
        assert_eq!(h.output::<SearchResult>(&s).ids, vec![2, 84, 882]);
        let s = exchange(
            h,
            Command::search(true, SearchKey::Deleted),
            "UID SEARCH DELETED",
            "* SEARCH\r\n",
            "OK",
        );
        assert!(h.output::<SearchResult>(&s).ids.is_empty());
        let s = exchange(
            h,
            Command::search(false, SearchKey::ModSeq(620162338)),
            "SEARCH MODSEQ 620162338",
            "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
            "OK Search complete",
        );
        let r: SearchResult = h.output(&s);
        assert_eq!(r.ids.len(), 10);
        assert_eq!(r.modseq, Some(917162500));
        let s = exchange(
            h,
            Command::Sort {
                uid: false,
                criteria: vec![SortKey::Subject.asc(), SortKey::Date.desc()],
                search: SearchKey::All,
            },
            "SORT (SUBJECT REVERSE DATE) UTF-8 ALL",
            "* SORT 5 3 4 1 2\r\n",
            "OK SORT completed",
        );
        match h.completed(&s).unwrap().output {
            Output::Sort(r) => assert_eq!(r.ids, vec![5, 3, 4, 1, 2]),
            other => panic!("{other:?}"),
        }
        let s = exchange(
            h,
            Command::Search {
                uid: false,
                criteria: SearchKey::Unseen,
                returns: Some(vec![SearchReturn::Min, SearchReturn::Count, SearchReturn::All]),
            },
            "SEARCH RETURN (MIN COUNT ALL) UNSEEN",
            "",
            "OK done",
        );
        let e: ESearch = h.output(&s);
        assert_eq!(e, ESearch::default(), "no ESEARCH at all: an empty result");
        let tag = h.enqueue(Command::Search {
            uid: true,
            criteria: SearchKey::All,
            returns: Some(vec![SearchReturn::Max]),
        });
        h.sent.clear();
        h.server(
            format!("* ESEARCH (TAG \"{tag}\") UID MIN 4 MAX 99 COUNT 3 ALL 4,7,99\r\n{tag} OK\r\n")
                .as_bytes(),
        );
        let e: ESearch = h.output(&tag);
        assert!(e.uid);
        assert_eq!((e.min, e.max, e.count), (Some(4), Some(99), Some(3)));
        assert_eq!(e.all, Some("4,7,99".parse().unwrap()));
        nothing_left(h);
    });
}

#[test]
fn search_answered_with_esearch_by_an_imap4rev2_server() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev2", 20);
        let s = h.enqueue(Command::search(false, SearchKey::Unseen));
        h.sent.clear();
        h.server(format!("* ESEARCH (TAG \"{s}\") ALL 1:3,5\r\n{s} OK done\r\n").as_bytes());
        assert_eq!(h.output::<SearchResult>(&s).ids, vec![1, 2, 3, 5]);
        nothing_left(h);
    });
}

#[test]
fn thread_result_is_a_tree() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 100);
        let t = exchange(
            h,
            Command::Thread { uid: false, algorithm: ThreadAlgorithm::References, search: SearchKey::All },
            "THREAD REFERENCES UTF-8 ALL",
            "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
            "OK Thread completed",
        );
        let threads: Vec<Thread> = h.output(&t);
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].messages, vec![2]);
        assert_eq!(threads[1].messages, vec![3, 6]);
        assert_eq!(threads[1].children.len(), 2);
        assert_eq!(threads[1].children[1].messages, vec![44, 7, 96]);
        assert_eq!(threads[1].ids(), vec![3, 6, 4, 23, 44, 7, 96]);
    });
}

// --------------------------------------------------------------------- FETCH

#[test]
fn fetch_items_are_typed() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 20);
        let attrs = vec![
            FetchAttr::Uid,
            FetchAttr::Flags,
            FetchAttr::Envelope,
            FetchAttr::BodyStructure,
            FetchAttr::InternalDate,
            FetchAttr::Rfc822Size,
            FetchAttr::ModSeq,
            FetchAttr::GmLabels,
            FetchAttr::body_peek(),
        ];
        let tag = h.enqueue(Command::fetch(false, 12u32, attrs));
        h.expect_client(
            format!(
                "{tag} FETCH 12 (UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE MODSEQ X-GM-LABELS BODY.PEEK[])\r\n"
            )
            .as_bytes(),
        );
        h.server(
            b"* 12 FETCH (UID 4827313 FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
              RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
              \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
              ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
              ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
              (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") \
              BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) \
              MODSEQ (624140003) X-GM-LABELS (\\Inbox \"Work stuff\") BODY[] {10}\r\nHello\r\nJoe)\r\n",
        );
        // A second FETCH for the same message (a flag change) is merged in.
        h.server(format!("* 12 FETCH (FLAGS (\\Seen))\r\n{tag} OK FETCH completed\r\n").as_bytes());
        let fetched: Vec<Fetch> = h.output(&tag);
        assert_eq!(fetched.len(), 1);
        let f = &fetched[0];
        assert_eq!(f.seq, 12);
        assert_eq!(f.uid(), Some(4827313));
        assert_eq!(f.flags(), Some(&[Flag::Seen, Flag::Keyword("$Forwarded".into())][..]));
        assert_eq!(f.size(), Some(4286));
        assert_eq!(f.modseq(), Some(624140003));
        let date = f.internal_date().unwrap();
        assert_eq!((date.date().year(), date.date().month(), date.date().day()), (1996, 7, 17));
        assert_eq!(date.offset_minutes(), -420);
        let env = f.envelope().unwrap();
        assert_eq!(env.subject.as_ref().unwrap(), "IMAP4rev1 WG mtg summary and minutes");
        assert_eq!(env.from[0].email().as_deref(), Some("gray@cac.washington.edu"));
        assert_eq!(env.cc.len(), 2);
        assert_eq!(env.message_id.as_ref().unwrap(), "<B27397-0100000@cac.washington.edu>");
        match f.body_structure().unwrap() {
            BodyStructure::Single(p) => {
                assert_eq!(
                    (p.media_type.as_bytes(), p.media_subtype.as_bytes()),
                    (&b"TEXT"[..], &b"PLAIN"[..])
                );
                assert_eq!(p.fields.octets, 3028);
                assert_eq!(p.kind, SinglePartKind::Text { lines: 92 });
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(&f.message().unwrap()[..], b"Hello\r\nJoe");
        assert_eq!(f.section(&Section::full()).map(|b| &b[..]), Some(&b"Hello\r\nJoe"[..]));
        let labels = f.items.iter().find_map(|i| match i {
            FetchItem::GmLabels(l) => Some(l.clone()),
            _ => None,
        });
        assert_eq!(labels.unwrap(), vec![Mailbox::new("\\Inbox"), Mailbox::new("Work stuff")]);
        assert_eq!(f.gmail_labels().unwrap(), ["\\Inbox", "Work stuff"]);
        assert_eq!(h.client.mailbox().unwrap().highest_modseq, Some(624140003));
        nothing_left(h);
    });
}

#[test]
fn uid_fetch_collects_by_uid_and_vanished_earlier() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 5);
        let tag = h.enqueue(Command::Fetch {
            uid: true,
            set: "300:500".parse().unwrap(),
            attrs: vec![FetchAttr::Flags],
            changed_since: Some(12345),
            vanished: true,
        });
        h.expect_client(
            format!("{tag} UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n").as_bytes(),
        );
        h.server(
            format!(
                "* VANISHED (EARLIER) 300:310,405,411\r\n* 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\\Seen))\r\n\
                 * 2 FETCH (UID 406 MODSEQ (75403) FLAGS (\\Deleted))\r\n* 3 FETCH (FLAGS (\\Seen))\r\n{tag} OK\r\n"
            )
            .as_bytes(),
        );
        let fetched: Vec<Fetch> = h.output(&tag);
        assert_eq!(fetched.iter().map(|f| f.uid().unwrap()).collect::<Vec<_>>(), vec![404, 406]);
        // The FETCH without a UID cannot belong to a UID FETCH.
        assert_eq!(h.unsolicited().len(), 1);
        nothing_left(h);
    });
}

#[test]
fn store_result_with_modified() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 10);
        let store = |set: &str, silent: bool, unchanged_since: Option<u64>| Command::Store {
            uid: false,
            set: set.parse().unwrap(),
            mode: StoreMode::Add,
            silent,
            flags: vec![Flag::Deleted],
            unchanged_since,
        };
        let t = exchange(
            h,
            store("2:4", false, None),
            "STORE 2:4 +FLAGS (\\Deleted)",
            "* 2 FETCH (FLAGS (\\Deleted \\Seen))\r\n* 3 FETCH (FLAGS (\\Deleted))\r\n* 4 FETCH (FLAGS (\\Deleted \\Flagged \\Seen))\r\n",
            "OK STORE completed",
        );
        let r: StoreResult = h.output(&t);
        assert_eq!(r.fetches.len(), 3);
        assert_eq!(r.modified, None);
        let t = exchange(
            h,
            store("5,7,9", true, Some(320162338)),
            "STORE 5,7,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)",
            "* 5 FETCH (MODSEQ (320162350))\r\n",
            "OK [MODIFIED 7,9] Conditional STORE failed",
        );
        match h.completed(&t).unwrap().output {
            Output::Store(r) => assert_eq!(r.modified, Some("7,9".parse().unwrap())),
            other => panic!("{other:?}"),
        }
        h.unsolicited();
        nothing_left(h);
    });
}

// ------------------------------------------------------------- LIST, STATUS

#[test]
fn list_result() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 1);
        let t = exchange(
            h,
            Command::List(ListCommand::new("*")),
            "LIST \"\" *",
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
             * LIST (\\HasNoChildren \\Sent) \"/\" \"&AMk-l&AOk-ments envoy&AOk-s\"\r\n\
             * LIST (\\Noselect \\HasChildren) \".\" \"[Gmail]\"\r\n\
             * LIST (\\HasNoChildren) NIL Flat\r\n",
            "OK LIST completed",
        );
        let list: Vec<ListEntry> = h.output(&t);
        assert_eq!(list.len(), 4);
        assert!(list[0].mailbox.is_inbox());
        assert_eq!(list[1].mailbox.as_str(), "\u{c9}l\u{e9}ments envoy\u{e9}s");
        assert_eq!(list[1].special_use(), Some(SpecialUse::Sent));
        assert_eq!(list[1].delimiter, Some('/'));
        assert!(list[2].has(&ListAttribute::NoSelect));
        assert_eq!(list[2].delimiter, Some('.'));
        assert_eq!(list[3].delimiter, None);
        assert!(list.iter().all(|e| e.status.is_none()));
        let t = exchange(
            h,
            Command::Lsub { reference: "".into(), pattern: "%".into() },
            "LSUB \"\" %",
            "* LSUB () \"/\" Drafts\r\n",
            "OK",
        );
        assert_eq!(h.output::<Vec<ListEntry>>(&t)[0].mailbox, Mailbox::new("Drafts"));
        nothing_left(h);
    });
}

#[test]
fn list_status_attaches_status_to_entries() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 1);
        let cmd = ListCommand {
            patterns: vec!["*".into()],
            returns: vec![
                ListReturn::SpecialUse,
                ListReturn::Status(vec![StatusAttr::Messages, StatusAttr::Unseen]),
            ],
            ..Default::default()
        };
        let t = exchange(
            h,
            Command::List(cmd),
            "LIST \"\" * RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))",
            "* LIST () \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 17 UNSEEN 16)\r\n\
             * LIST (\\Trash) \"/\" Trash\r\n* STATUS Trash (MESSAGES 2 UNSEEN 0)\r\n* LIST (\\Noselect) \"/\" Shared\r\n",
            "OK List completed",
        );
        let list: Vec<ListEntry> = h.output(&t);
        assert_eq!(list.len(), 3);
        let s = list[0].status.as_ref().unwrap();
        assert_eq!((s.messages, s.unseen), (Some(17), Some(16)));
        assert_eq!(list[1].status.as_ref().unwrap().messages, Some(2));
        assert_eq!(list[1].special_use(), Some(SpecialUse::Trash));
        assert!(list[2].status.is_none());
        nothing_left(h);
    });
}

#[test]
fn status_result() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 1);
        let t = exchange(
            h,
            Command::Status {
                mailbox: Mailbox::new("blurdybloop"),
                items: vec![StatusAttr::UidNext, StatusAttr::Messages, StatusAttr::HighestModSeq],
            },
            "STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)",
            "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n",
            "OK STATUS completed",
        );
        let s: MailboxStatus = h.output(&t);
        assert_eq!(s.mailbox, Some(Mailbox::new("blurdybloop")));
        assert_eq!((s.messages, s.uid_next, s.highest_modseq), (Some(231), Some(44292), Some(7011231777)));
        assert_eq!((s.unseen, s.recent), (None, None));
        nothing_left(h);
    });
}

// ---------------------------------------------------- APPEND, COPY, MOVE

#[test]
fn append_copy_and_move_results() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 30);
        let t = h.enqueue(Command::Append {
            mailbox: Mailbox::new("saved"),
            messages: vec![AppendMessage::new(&b"hi"[..])],
        });
        h.expect_client(format!("{t} APPEND saved {{2}}\r\n").as_bytes());
        h.server(b"+ go\r\n");
        h.expect_client(b"hi\r\n");
        h.server(format!("{t} OK [APPENDUID 38505 3955] APPEND completed\r\n").as_bytes());
        let r: AppendResult = h.output(&t);
        assert_eq!((r.uid_validity, r.uids), (Some(38505), Some(SequenceSet::from(3955))));

        let t = exchange(
            h,
            Command::Copy { uid: false, set: "2:4".parse().unwrap(), mailbox: Mailbox::new("meeting") },
            "COPY 2:4 meeting",
            "",
            "OK [COPYUID 38505 304,319:320 3956:3958] Done",
        );
        let r: CopyResult = h.output(&t);
        let cu = r.copy_uid.unwrap();
        assert_eq!(cu.uid_validity, 38505);
        assert_eq!(cu.pairs(), vec![(304, 3956), (319, 3957), (320, 3958)]);
        let t = exchange(
            h,
            Command::Copy { uid: true, set: "305:310".parse().unwrap(), mailbox: Mailbox::new("meeting") },
            "UID COPY 305:310 meeting",
            "",
            "OK No matching messages, so nothing copied",
        );
        assert_eq!(h.output::<CopyResult>(&t).copy_uid, None);

        // MOVE: the COPYUID comes in an untagged OK before the EXPUNGEs.
        let t = exchange(
            h,
            Command::Move { uid: true, set: "42:44".parse().unwrap(), mailbox: Mailbox::new("foo") },
            "UID MOVE 42:44 foo",
            "* OK [COPYUID 432432 42:44 1202:1204]\r\n* 22 EXPUNGE\r\n* 22 EXPUNGE\r\n* 22 EXPUNGE\r\n",
            "OK Done",
        );
        let r: MoveResult = h.output(&t);
        assert_eq!(r.copy_uid.unwrap().pairs(), vec![(42, 1202), (43, 1203), (44, 1204)]);
        assert_eq!(r.expunged, vec![22, 22, 22]);
        assert_eq!(h.client.mailbox().unwrap().exists, 27, "the expunges are applied too");
        nothing_left(h);
    });
}

#[test]
fn multiappend_result() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 1);
        let t = h.enqueue(Command::Append {
            mailbox: Mailbox::new("saved"),
            messages: vec![AppendMessage::new(&b"one"[..]), AppendMessage::new(&b"two"[..])],
        });
        h.expect_client(format!("{t} APPEND saved {{3}}\r\n").as_bytes());
        h.server(b"+ Ready for literal data\r\n");
        h.expect_client(b"one {3}\r\n");
        h.server(b"+ Ready for literal data\r\n");
        h.expect_client(b"two\r\n");
        h.server(format!("{t} OK [APPENDUID 38505 3955:3956] APPEND completed\r\n").as_bytes());
        let r: AppendResult = h.output(&t);
        assert_eq!(r.uids, Some("3955:3956".parse().unwrap()));
    });
}

#[test]
fn expunge_results() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 11);
        let t = exchange(
            h,
            Command::Expunge,
            "EXPUNGE",
            "* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 5 EXPUNGE\r\n* 8 EXPUNGE\r\n",
            "OK",
        );
        assert_eq!(h.output::<ExpungeResult>(&t).expunged, vec![3, 3, 5, 8]);
        assert_eq!(h.client.mailbox().unwrap().exists, 7);
        let t = exchange(
            h,
            Command::Expunge,
            "EXPUNGE",
            "* VANISHED 505,507,510,625\r\n",
            "OK EXPUNGE completed",
        );
        let r: ExpungeResult = h.output(&t);
        assert_eq!(r.vanished.count(), Some(4));
        assert!(r.expunged.is_empty());
        assert_eq!(h.client.mailbox().unwrap().exists, 3);
        let t = exchange(
            h,
            Command::UidExpunge("3000:3002".parse().unwrap()),
            "UID EXPUNGE 3000:3002",
            "* 3 EXPUNGE\r\n* 1 EXPUNGE\r\n",
            "OK UID EXPUNGE completed",
        );
        assert_eq!(h.output::<ExpungeResult>(&t).expunged, vec![3, 1]);
        assert_eq!(h.client.mailbox().unwrap().exists, 1);
        nothing_left(h);
    });
}

// ------------------------------------------- QUOTA, ACL, NAMESPACE, etc.

#[test]
fn quota_acl_namespace_metadata_id_enable() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        h.login(CAPS);
        let t = exchange(
            h,
            Command::GetQuotaRoot(Mailbox::inbox()),
            "GETQUOTAROOT INBOX",
            "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 10 512)\r\n",
            "OK Getquota completed",
        );
        let q: QuotaResult = h.output(&t);
        assert_eq!(q.roots, vec![ByteStr::from("")]);
        assert_eq!(q.quotas[0].resources[0].name, "STORAGE");
        assert_eq!((q.quotas[0].resources[0].usage, q.quotas[0].resources[0].limit), (10, 512));
        let t = exchange(
            h,
            Command::GetQuota("".into()),
            "GETQUOTA \"\"",
            "* QUOTA \"\" (MESSAGE 3 100)\r\n",
            "OK",
        );
        assert_eq!(h.output::<QuotaResult>(&t).quotas[0].resources[0].usage, 3);

        let t = exchange(
            h,
            Command::GetAcl(Mailbox::inbox()),
            "GETACL INBOX",
            "* ACL INBOX Fred rwipsldexta owner lr\r\n",
            "OK Getacl complete",
        );
        let acl: Vec<AclEntry> = h.output(&t);
        assert_eq!(acl.len(), 2);
        assert_eq!(
            (acl[0].identifier.as_bytes(), acl[0].rights.as_bytes()),
            (&b"Fred"[..], &b"rwipsldexta"[..])
        );
        let t = exchange(
            h,
            Command::ListRights { mailbox: Mailbox::new("~/Mail/saved"), identifier: "smith".into() },
            "LISTRIGHTS ~/Mail/saved smith",
            "* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n",
            "OK Listrights completed",
        );
        let lr: ListRightsResult = h.output(&t);
        assert_eq!(lr.required, "la");
        assert_eq!(lr.optional, vec![ByteStr::from("r"), ByteStr::from("swicdkxte")]);
        let t = exchange(
            h,
            Command::MyRights(Mailbox::inbox()),
            "MYRIGHTS INBOX",
            "* MYRIGHTS INBOX rwiptsldaex\r\n",
            "OK",
        );
        match h.completed(&t).unwrap().output {
            Output::MyRights(r) => assert_eq!(r, "rwiptsldaex"),
            other => panic!("{other:?}"),
        }

        let t = exchange(
            h,
            Command::Namespace,
            "NAMESPACE",
            "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n",
            "OK NAMESPACE command completed",
        );
        let ns: Namespaces = h.output(&t);
        assert_eq!(ns.personal[0].delimiter, Some('/'));
        assert_eq!(ns.other_users[0].prefix.as_str(), "~");
        assert_eq!(ns.shared.len(), 2);

        let t = exchange(
            h,
            Command::GetMetadata {
                mailbox: Some(Mailbox::inbox()),
                entries: vec!["/private/comment".into(), "/shared/comment".into()],
                max_size: None,
                depth: MetadataDepth::Zero,
            },
            "GETMETADATA INBOX (/private/comment /shared/comment)",
            "* METADATA INBOX (/private/comment \"My own comment\" /shared/comment NIL)\r\n",
            "OK GETMETADATA complete",
        );
        let md: Vec<MetadataEntry> = h.output(&t);
        assert_eq!(md[0].name, "/private/comment");
        assert_eq!(md[0].value.as_deref(), Some(&b"My own comment"[..]));
        assert_eq!(md[1].value, None);

        let t = exchange(
            h,
            Command::Id(Some(vec![("name".into(), Some("test".into()))])),
            "ID (\"name\" \"test\")",
            "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\")\r\n",
            "OK Success",
        );
        match h.completed(&t).unwrap().output {
            Output::Id(Some(params)) => {
                assert_eq!(params.len(), 2);
                assert_eq!(params[0], ("name".into(), Some("Cyrus".into())));
            }
            other => panic!("{other:?}"),
        }

        let t = exchange(
            h,
            Command::Enable(vec![Capability::CondStore, Capability::Utf8Accept]),
            "ENABLE CONDSTORE UTF8=ACCEPT",
            "* ENABLED CONDSTORE\r\n",
            "OK Enabled",
        );
        let enabled: crate::types::Capabilities = h.output(&t);
        assert!(enabled.has(&Capability::CondStore));
        assert!(!enabled.has(&Capability::Utf8Accept));
        assert!(h.client.enabled().has(&Capability::CondStore));
        nothing_left(h);
    });
}

// --------------------------------------------------------------- NO / BAD

#[test]
fn tagged_no_and_bad_are_typed_errors() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 5);
        let t = exchange(
            h,
            Command::Copy { uid: false, set: SequenceSet::from(1), mailbox: Mailbox::new("Nope") },
            "COPY 1 Nope",
            "",
            "NO [TRYCREATE] Mailbox doesn't exist: Nope",
        );
        let e = h.failed(&t);
        assert_eq!(e.code(), Some(&ResponseCode::TryCreate));
        match e {
            CommandError::No { text, .. } => assert_eq!(text, "Mailbox doesn't exist: Nope"),
            other => panic!("{other:?}"),
        }
        let t = exchange(h, Command::Check, "CHECK", "", "BAD [CLIENTBUG] Unknown command");
        match h.failed(&t) {
            CommandError::Bad { code: Some(ResponseCode::ClientBug), text } => {
                assert_eq!(text, "Unknown command")
            }
            other => panic!("{other:?}"),
        }
        let t = exchange(h, Command::Noop, "NOOP", "", "NO");
        assert!(matches!(h.failed(&t), CommandError::No { code: None, .. }));
        // The untagged data of a failed command does not leak.
        let t = exchange(
            h,
            Command::search(false, SearchKey::All),
            "SEARCH ALL",
            "* SEARCH 1 2\r\n",
            "NO [LIMIT] too many",
        );
        assert!(matches!(h.failed(&t), CommandError::No { code: Some(ResponseCode::Limit), .. }));
        nothing_left(h);
    });
}
