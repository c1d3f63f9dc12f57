//! Read-only mailboxes against the project's Dovecot: EXAMINE, and a SELECT
//! Dovecot answers `[READ-ONLY]` (the user lacks write rights by ACL). The
//! engine refuses changes before sending anything.

mod common;

use common::{login, TempMailbox};
use imap_blocking::imap_core::types::{Flag, StoreMode};
use imap_blocking::imap_core::UsageError;
use imap_blocking::prelude::*;
use imap_blocking::{Error, Session};

/// Every change is refused with `UsageError::ReadOnly`, and none reaches the
/// server.
#[track_caller]
fn changes_refused(s: &mut Session) {
    let before = s.trace_text();
    let read_only = |r: Result<(), Error>| match r {
        Err(Error::Usage(UsageError::ReadOnly { .. })) => {}
        other => panic!("{other:?}"),
    };
    read_only(s.store(1, StoreMode::Add, &[Flag::Seen]).map(drop));
    read_only(s.add_flags(1, &[Flag::Deleted]));
    read_only(s.expunge().map(drop));
    read_only(s.uid_expunge(1).map(drop));
    read_only(s.move_to(1, "INBOX").map(drop));
    assert_eq!(s.trace_text(), before, "nothing was sent");
}

#[test]
fn examine_is_read_only_and_refuses_changes() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "examine");
    s.append(&m.name, common::message("ro", "body")).unwrap();
    let info = s.examine(&m.name).unwrap();
    assert!(info.read_only && s.mailbox().unwrap().read_only);
    changes_refused(&mut s);
    // Reading and copying out still work.
    let fetched = s.fetch(1, &[imap_blocking::FetchAttr::Flags]).unwrap();
    assert_eq!(fetched.len(), 1);
    s.copy(1, "INBOX").unwrap();
    // SELECT makes it writable again.
    let info = s.select(&m.name).unwrap();
    assert!(!info.read_only);
    s.add_flags(1, &[Flag::Seen]).unwrap();
}

#[test]
fn select_answered_read_only_by_acl() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "acl-ro");
    s.append(&m.name, common::message("ro", "body")).unwrap();
    let user = common::server().user.clone();
    // Only lookup and read: Dovecot answers SELECT with [READ-ONLY].
    s.set_acl(&m.name, &user, "lr").unwrap();
    let info = s.select(&m.name).unwrap();
    assert!(info.read_only, "{}", s.trace_text());
    assert!(s.trace_text().contains("OK [READ-ONLY]"), "{}", s.trace_text());
    changes_refused(&mut s);
    s.close().unwrap();
    s.set_acl(&m.name, &user, "lrswipkxtecda").unwrap();
}
