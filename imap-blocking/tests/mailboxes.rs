//! Mailbox commands against the project's Dovecot.

mod common;

use common::{login, unique, TempMailbox};
use imap_blocking::imap_core::types::Capability;
use imap_blocking::imap_core::types::{ListAttribute, ListCommand, ListReturn, ListSelect, SpecialUse};
use imap_blocking::imap_core::UsageError;
use imap_blocking::prelude::*;
use imap_blocking::{Error, StatusAttr};

#[test]
fn non_ascii_names_round_trip_through_modified_utf7() {
    let mut s = login();
    let parent = unique("names");
    let names = [format!("{parent}/Entwürfe"), format!("{parent}/日本語"), format!("{parent}/A&B ~ % test")];
    s.create(&parent).unwrap();
    for n in &names {
        s.create(n).unwrap();
    }
    let listed = s.list("", &format!("{parent}/*")).unwrap();
    let mut got: Vec<&str> = listed.iter().map(|e| e.mailbox.as_str()).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(got, want);
    let entw = listed.iter().find(|e| e.mailbox.as_str().ends_with("Entwürfe")).unwrap();
    assert!(entw.mailbox.wire().ends_with(b"Entw&APw-rfe"), "{:?}", entw.mailbox.wire());
    assert_eq!(entw.delimiter, Some('/'));
    // The decoded names work as arguments again.
    for n in &names {
        let status = s.status(n, &[StatusAttr::Messages, StatusAttr::UidNext]).unwrap();
        assert_eq!(status.messages, Some(0));
        s.append(n, common::message("hi", "there")).unwrap();
        assert_eq!(s.select(n).unwrap().exists, 1);
    }
    s.unselect().unwrap();
    let renamed = format!("{parent}/Ünïcödé");
    s.rename(&names[1], &renamed).unwrap();
    assert_eq!(s.status(&renamed, &[StatusAttr::Messages]).unwrap().messages, Some(1));
    for n in [&names[0], &names[2], &renamed, &parent] {
        s.delete(n).unwrap();
    }
    // SELECT reads the store itself; Dovecot's LIST index can lag behind a
    // DELETE while other connections of the same user change mailboxes.
    for n in [&names[0], &names[2], &renamed, &parent] {
        assert!(s.select(n).is_err(), "{n} still selectable");
    }
}

#[test]
fn special_use_folders_and_list_extended() {
    let mut s = login();
    let all = s.list("", "*").unwrap();
    let role = |r: SpecialUse| {
        all.iter().find(|e| e.special_use() == Some(r)).map(|e| e.mailbox.as_str().to_owned())
    };
    assert_eq!(role(SpecialUse::Sent).as_deref(), Some("Sent"));
    assert_eq!(role(SpecialUse::Drafts).as_deref(), Some("Drafts"));
    assert_eq!(role(SpecialUse::Trash).as_deref(), Some("Trash"));
    assert!(all.iter().any(|e| e.mailbox.is_inbox()));

    let mut cmd = ListCommand::new("*");
    cmd.select = vec![ListSelect::SpecialUse];
    cmd.returns = vec![ListReturn::SpecialUse];
    let special = s.list_extended(cmd).unwrap();
    assert!(special.len() >= 5, "{special:?}");
    assert!(special.iter().all(|e| e.special_use().is_some()));

    let mut cmd = ListCommand::new("*");
    cmd.select = vec![ListSelect::Subscribed];
    let subscribed = s.list_extended(cmd).unwrap();
    assert!(subscribed.iter().all(|e| e.has(&ListAttribute::Subscribed)));
}

#[test]
fn list_status_in_one_round_trip() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "liststatus");
    for i in 0..3 {
        s.append(&m.name, common::message(&format!("m{i}"), "x")).unwrap();
    }
    let entries =
        s.list_status(&m.name, &[StatusAttr::Messages, StatusAttr::Unseen, StatusAttr::Size]).unwrap();
    assert_eq!(entries.len(), 1);
    let status = entries[0].status.as_ref().expect("LIST-STATUS data");
    assert_eq!(status.messages, Some(3));
    assert_eq!(status.unseen, Some(3));
    assert!(status.size.unwrap() > 0);
}

#[test]
fn subscribe_lsub_unsubscribe() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "subs");
    s.subscribe(&m.name).unwrap();
    assert!(s.lsub("", &m.name).unwrap().iter().any(|e| e.mailbox.as_str() == m.name));
    s.unsubscribe(&m.name).unwrap();
    assert!(s.lsub("", &m.name).unwrap().is_empty());
}

#[test]
fn status_counters_are_typed() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "status");
    s.append(&m.name, common::message("a", "b")).unwrap();
    let st = s
        .status(
            &m.name,
            &[
                StatusAttr::Messages,
                StatusAttr::Recent,
                StatusAttr::UidNext,
                StatusAttr::UidValidity,
                StatusAttr::Unseen,
                StatusAttr::HighestModSeq,
                StatusAttr::Size,
            ],
        )
        .unwrap();
    assert_eq!(st.messages, Some(1));
    assert_eq!(st.uid_next, Some(2));
    assert!(st.uid_validity.is_some() && st.highest_modseq.is_some() && st.size.is_some());
    assert_eq!(st.mailbox.as_ref().unwrap().as_str(), m.name);
}

#[test]
fn errors_carry_code_and_text_and_a_trace() {
    let mut s = login();
    let err = s.select("does-not-exist-anywhere").unwrap_err();
    assert!(err.is_no());
    assert!(err.to_string().contains("NO"), "{err}");
    assert!(s.trace_text().contains("SELECT does-not-exist-anywhere"), "{}", s.trace_text());
    let err = s.create("INBOX").unwrap_err();
    assert!(err.is_no(), "{err:?}");
    // The session is still fine.
    s.select("INBOX").unwrap();
}

#[test]
fn namespace_id_enable() {
    let mut s = login();
    let ns = s.namespace().unwrap();
    assert_eq!(ns.personal.len(), 1);
    assert_eq!(ns.personal[0].delimiter, Some('/'));
    let id = s.id(&[("name", "imap-blocking tests"), ("version", "0.1")]).unwrap();
    assert_eq!(id.get("name").cloned().flatten().as_deref(), Some("Dovecot"));
    let enabled = s.enable(&["CONDSTORE", "QRESYNC"]).unwrap();
    assert!(enabled.has(&Capability::CondStore) && enabled.has(&Capability::QResync));
}

#[test]
fn quota() {
    let mut s = login();
    let q = s.get_quota_root("INBOX").unwrap();
    assert!(!q.roots.is_empty(), "{q:?}");
    let storage = q.quotas.iter().flat_map(|q| &q.resources).find(|r| r.name.eq_ignore_ascii_case("STORAGE"));
    assert!(storage.is_some_and(|r| r.limit > 0), "{q:?}");
    let root = q.roots[0].to_str_lossy().into_owned();
    let by_root = s.get_quota(&root).unwrap();
    assert_eq!(by_root.quotas.len(), 1);
    // Only administrators may set quotas.
    assert!(s.set_quota(&root, &[("STORAGE", 1024)]).is_err());
}

#[test]
fn acl() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "acl");
    let mine = s.my_rights(&m.name).unwrap();
    assert!(mine.contains('l') && mine.contains('r') && mine.contains('a'), "{mine}");
    let bob = common::server().user2.clone();
    s.set_acl(&m.name, &bob, "lr").unwrap();
    let acl = s.get_acl(&m.name).unwrap();
    let entry = acl.iter().find(|e| e.identifier == bob.as_str()).expect("bob in ACL");
    assert_eq!(entry.rights, "lr");
    let rights = s.list_rights(&m.name, &bob).unwrap();
    assert!(!rights.optional.is_empty());
    s.delete_acl(&m.name, &bob).unwrap();
    assert!(!s.get_acl(&m.name).unwrap().iter().any(|e| e.identifier == bob.as_str()));
}

#[test]
fn metadata() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "meta");
    s.set_metadata(Some(&m.name), &[("/private/comment", Some(b"hello \xc3\xa9"))]).unwrap();
    let got = s.get_metadata(Some(&m.name), &["/private/comment"]).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].value.as_deref(), Some(&b"hello \xc3\xa9"[..]));
    s.set_metadata(Some(&m.name), &[("/private/comment", None)]).unwrap();
    let got = s.get_metadata(Some(&m.name), &["/private/comment"]).unwrap();
    assert!(got.iter().all(|e| e.value.is_none()), "{got:?}");
}

#[test]
fn unsupported_extensions_are_typed_errors() {
    let mut s = login();
    // Dovecot has no ANNOTATEMORE: refused before anything is sent.
    match s.get_annotation("INBOX", &["/comment"], &["value.shared"]) {
        Err(Error::Usage(UsageError::MissingCapability { .. })) => {}
        other => panic!("{other:?}"),
    }
    match s.set_annotation("INBOX", "/comment", &[("value.shared", Some("x"))]) {
        Err(Error::Usage(UsageError::MissingCapability { .. })) => {}
        other => panic!("{other:?}"),
    }
    // PROXYAUTH is a Cyrus command: Dovecot answers BAD.
    let err = s.proxyauth("bob").unwrap_err();
    assert!(matches!(err, Error::Command(_)), "{err:?}");
    s.noop().unwrap();
}

#[test]
fn raw_command_escape_hatch() {
    use imap_blocking::imap_core::types::RawArg;
    let mut s = login();
    use imap_blocking::imap_core::types::{Data, Response};
    // Any command through the raw interface: its untagged data comes back.
    let responses = s.raw("NAMESPACE", vec![]).unwrap();
    assert!(matches!(responses.as_slice(), [Response::Data(Data::Namespace(_))]), "{responses:?}");
    let responses = s
        .raw(
            "STATUS",
            vec![RawArg::Mailbox("INBOX".into()), RawArg::List(vec![RawArg::Atom("MESSAGES".into())])],
        )
        .unwrap();
    assert!(matches!(responses.as_slice(), [Response::Data(Data::Status { .. })]), "{responses:?}");
    let responses = s.raw("XNOSUCHCOMMAND", vec![RawArg::AString("a b".into())]).unwrap_err();
    assert!(matches!(responses, Error::Command(_)));
}

#[test]
fn special_folders_found_and_created_only_with_create_special_use() {
    let mut s = login();
    // Dovecot has SPECIAL-USE: found by attribute.
    assert_eq!(s.find_special_folder(SpecialUse::Sent).unwrap().unwrap().as_str(), "Sent");
    assert_eq!(s.find_special_folder(SpecialUse::Archive).unwrap().unwrap().as_str(), "Archive");
    assert_eq!(s.find_special_folder(SpecialUse::Flagged).unwrap(), None);
    // Dovecot 2.3 lacks CREATE-SPECIAL-USE: refused before anything is sent.
    let name = unique("special");
    match s.create_special_folder(&name, SpecialUse::Archive) {
        Err(Error::Usage(UsageError::MissingCapability { capability: "CREATE-SPECIAL-USE", .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(!s.trace_text().contains(&name), "{}", s.trace_text());
    assert!(s.list("", &name).unwrap().is_empty());
}

#[test]
fn utf8_accept_asked_of_a_server_without_it_keeps_modified_utf7() {
    // Dovecot 2.3 offers no UTF8=ACCEPT (2.4 does): with the option on, no
    // ENABLE is sent and names still go as modified UTF-7.
    let srv = common::server();
    let mut opts = common::options(imap_blocking::Security::Plain);
    opts.engine.utf8_accept = true;
    opts.engine.protocol_log = true;
    let mut s = opts.connect().unwrap();
    s.login(&srv.user, &srv.password).unwrap();
    assert!(!s.has_capability("UTF8=ACCEPT"), "Dovecot offers UTF8=ACCEPT now: test it for real");
    let name = format!("{}/Données", unique("utf8"));
    s.create(&name).unwrap();
    let listed = s.list("", &name).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].mailbox.as_str(), name);
    let log: Vec<String> = s.take_protocol_log().iter().map(ToString::to_string).collect();
    assert!(!log.iter().any(|l| l.starts_with("C: ") && l.contains(" ENABLE ")), "{log:#?}");
    assert!(log.iter().any(|l| l.contains("CREATE ") && l.ends_with("/Donn&AOk-es")), "{log:#?}");
    let parent = name.split('/').next().unwrap().to_owned();
    s.delete(&name).unwrap();
    s.delete(&parent).unwrap();
}
