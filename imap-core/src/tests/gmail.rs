//! Gmail labels (X-GM-EXT-1): STORE [+-]X-GM-LABELS and FETCH X-GM-LABELS,
//! through the transcript of Gmail's IMAP extensions page
//! (developers.google.com/gmail/imap/imap-extensions).

use std::collections::BTreeMap;

use super::{run_all_chunkings, run_all_chunkings_with, Harness};
use crate::client::ClientConfig;
use crate::request::{GmailLabels, Handle};
use crate::types::{Mailbox, StoreMode};
use crate::{Commands, Event, UsageError};

/// Gmail's capabilities, as its page shows them.
const GMAIL: &str = "IMAP4rev1 UNSELECT LITERAL+ IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1";

fn labels(names: &[&str]) -> Vec<Mailbox> {
    names.iter().map(Mailbox::new).collect()
}

/// The result of a ready request, with the line it sent checked.
#[track_caller]
fn answer<T: std::fmt::Debug>(h: &mut Harness, handle: &Handle<T>, sent: &str, reply: &str) -> T {
    let tag = handle.tag().expect("one command").clone();
    h.expect_client(format!("{tag} {sent}\r\n").as_bytes());
    h.server(reply.replace("{tag}", tag.as_str()).as_bytes());
    assert!(h.take_events().contains(&Event::Ready(handle.id())));
    h.client.take(handle).expect("ready").expect("succeeded")
}

#[test]
fn gmail_documented_fetch_and_store() {
    run_all_chunkings(|h| {
        h.selected(GMAIL, 4);
        h.client.set_use_uid(false);
        let get = h.client.get_gmail_labels(1..=4).unwrap();
        let got = answer(
            h,
            &get,
            "FETCH 1:4 (X-GM-LABELS)",
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n\
             * 2 FETCH (X-GM-LABELS (foo))\r\n* 3 FETCH (X-GM-LABELS ())\r\n\
             * 4 FETCH (X-GM-LABELS (\\Drafts))\r\n{tag} OK FETCH (Success)\r\n",
        );
        let expected: GmailLabels = BTreeMap::from([
            (1, labels(&["\\Inbox", "\\Sent", "Important", "Muy Importante"])),
            (2, labels(&["foo"])),
            (3, vec![]),
            (4, labels(&["\\Drafts"])),
        ]);
        assert_eq!(got, expected);

        let add = h.client.add_gmail_labels(1, &["foo"]).unwrap();
        let got = answer(
            h,
            &add,
            "STORE 1 +X-GM-LABELS (foo)",
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\" foo))\r\n\
             {tag} OK STORE (Success)\r\n",
        );
        assert_eq!(got[&1], ["\\Inbox", "\\Sent", "Important", "Muy Importante", "foo"]);

        let remove = h.client.remove_gmail_labels(1, &["foo"]).unwrap();
        let got = answer(
            h,
            &remove,
            "STORE 1 -X-GM-LABELS (foo)",
            "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n\
             {tag} OK STORE (Success)\r\n",
        );
        assert_eq!(got[&1], ["\\Inbox", "\\Sent", "Important", "Muy Importante"]);
    });
}

#[test]
fn labels_are_encoded_like_folder_names() {
    run_all_chunkings(|h| {
        h.selected(GMAIL, 4);
        // By UID (the default); system labels unquoted, names as folders.
        let add = h
            .client
            .add_gmail_labels(
                7,
                &["\\Important", "Muy Importante", "Donn\u{e9}es", "[Gmail]/Starred", "a\"b"],
            )
            .unwrap();
        let got = answer(
            h,
            &add,
            "UID STORE 7 +X-GM-LABELS (\\Important \"Muy Importante\" Donn&AOk-es [Gmail]/Starred \"a\\\"b\")",
            "* 3 FETCH (X-GM-LABELS (\\Inbox \\Important \"Muy Importante\" Donn&AOk-es \"[Gmail]/Starred\" \
             \"a\\\"b\") UID 7)\r\n{tag} OK STORE (Success)\r\n",
        );
        let expected =
            ["\\Inbox", "\\Important", "Muy Importante", "Donn\u{e9}es", "[Gmail]/Starred", "a\"b"];
        assert_eq!(got, BTreeMap::from([(7, labels(&expected))]));
        // Replacing with nothing removes every label.
        let set = h.client.set_gmail_labels(7, &[]).unwrap();
        let got =
            answer(h, &set, "UID STORE 7 X-GM-LABELS ()", "* 3 FETCH (X-GM-LABELS () UID 7)\r\n{tag} OK\r\n");
        assert_eq!(got[&7], Vec::<Mailbox>::new());
        // Control characters go as in folder names: modified UTF-7.
        let odd = h.client.add_gmail_labels(7, &["line\nbreak"]).unwrap();
        let tag = odd.tag().unwrap().clone();
        h.expect_client(format!("{tag} UID STORE 7 +X-GM-LABELS (line&AAo-break)\r\n").as_bytes());
    });
}

#[test]
fn with_utf8_accept_labels_go_as_utf8() {
    let config = || ClientConfig { utf8_accept: true, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        let caps = format!("{GMAIL} ENABLE UTF8=ACCEPT");
        h.greet(&caps);
        let login = h.enqueue(crate::types::Command::login("u", "p"));
        h.expect_client(format!("{login} LOGIN u \"p\"\r\n").as_bytes());
        h.server(format!("{login} OK [CAPABILITY {caps}] in\r\n").as_bytes());
        h.expect_client(b"A2 ENABLE UTF8=ACCEPT\r\n");
        h.server(b"* ENABLED UTF8=ACCEPT\r\nA2 OK\r\n");
        h.completed(&login).unwrap();
        h.select(2);
        let add = h.client.add_gmail_labels(1, &["\\Inbox", "Donn\u{e9}es"]).unwrap();
        let got = answer(
            h,
            &add,
            "UID STORE 1 +X-GM-LABELS (\\Inbox \"Donn\u{e9}es\")",
            "* 1 FETCH (UID 1 X-GM-LABELS (\\Inbox \"Donn\u{e9}es\" R&D))\r\n{tag} OK\r\n",
        );
        assert_eq!(got[&1], ["\\Inbox", "Donn\u{e9}es", "R&D"]);
    });
}

#[test]
fn label_changes_are_refused_without_gmail_or_while_read_only() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1 UIDPLUS", 2);
        assert_eq!(
            h.client.add_gmail_labels(1, &["foo"]).map(drop),
            Err(UsageError::MissingCapability { command: "UID STORE", capability: "X-GM-EXT-1" })
        );
        let mut g = Harness::new(h.chunking());
        g.greet(GMAIL);
        g.login(GMAIL);
        let ex = g.enqueue(crate::types::Command::examine("[Gmail]/All Mail"));
        g.server(format!("* 2 EXISTS\r\n{ex} OK [READ-ONLY] done\r\n").as_bytes());
        g.completed(&ex).unwrap();
        let store = crate::request::store_gmail_labels(true, 1, StoreMode::Replace, &["foo"]);
        assert_eq!(g.client.submit(store).map(drop), Err(UsageError::ReadOnly { command: "UID STORE" }));
        h.expect_silence();
    });
}
