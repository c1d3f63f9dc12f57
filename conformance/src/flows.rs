//! The client side of every scenario: what the application asks the driver
//! for, and the typed results it must get. Each function plays the
//! scenario of the same name (`scenarios/<name>.imap`) and panics, with the
//! client's and the server's account, if the driver fails it.
//!
//! The script checks the wire (every command line, in order, and nothing
//! more); the function checks the typed results and the errors.

use std::time::{Duration, Instant};

use imap_core::ext::sasl::{CramMd5, Login, Plain, Scram, ScramHash};
use imap_core::request::{self, Output};
use imap_core::types::{
    AppendMessage, BodyStructure, Data, FetchAttr, Flag, ListAttribute, Mailbox, Response, ResponseCode,
    SearchKey, SearchReturn, SpecialUse, StatusAttr, StoreMode,
};
use imap_core::{CommandError, ConnectionError};
use imap_net::{Error, Security};

use crate::{connection_error, play, Driver};

// ------------------------------------------------------------------ greeting

/// A greeting with capabilities: no CAPABILITY command, LOGIN at once.
pub fn greeting_ok<D: Driver>(driver: &D) {
    play(driver, "greeting_ok", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::login("alice", "secret"))?;
        logout(d, &mut s)
    });
}

/// A greeting without capabilities: the engine asks before it is ready.
pub fn greeting_without_capabilities<D: Driver>(driver: &D) {
    play(driver, "greeting_without_capabilities", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::login("alice", "secret"))?;
        logout(d, &mut s)
    });
}

/// PREAUTH: authenticated from the greeting on.
pub fn greeting_preauth<D: Driver>(driver: &D) {
    play(driver, "greeting_preauth", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let inbox = d.run(&mut s, request::examine("INBOX"))?;
        assert_eq!((inbox.exists, inbox.uid_validity, inbox.read_only), (3, Some(42), true));
        logout(d, &mut s)
    });
}

/// A BYE greeting: connecting fails with [`ConnectionError::Refused`] and
/// the server's text.
pub fn greeting_bye<D: Driver>(driver: &D) {
    play(driver, "greeting_bye", Security::Plain, |d, options| {
        let err = d.connect(options).err().expect("a BYE greeting must fail the connection");
        match connection_error(&err) {
            Some(ConnectionError::Refused(text)) => assert_eq!(*text, "too many connections"),
            _ => panic!("expected ConnectionError::Refused, got {err:?}"),
        }
        Ok(())
    });
}

/// A greeting that cannot be decoded: a typed
/// [`ConnectionError::MalformedGreeting`] at once, not a timeout.
pub fn greeting_malformed<D: Driver>(driver: &D) {
    play(driver, "greeting_malformed", Security::Plain, |d, options| {
        let started = Instant::now();
        let err = d.connect(options).err().expect("an SSH banner is no IMAP greeting");
        assert!(
            matches!(connection_error(&err), Some(ConnectionError::MalformedGreeting(_))),
            "expected ConnectionError::MalformedGreeting, got {err:?}"
        );
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "the error took {took:?}: it must not wait for a timeout");
        Ok(())
    });
}

/// No greeting at all: [`ConnectionError::TimedOut`] after the engine's
/// response timeout (300 ms), not a hang.
pub fn greeting_silent<D: Driver>(driver: &D) {
    play(driver, "greeting_silent", Security::Plain, |d, options| {
        let timeout = Duration::from_millis(300);
        let started = Instant::now();
        let err = d.connect(options.response_timeout(timeout)).err().expect("no greeting, no session");
        assert_timed_out(&err, timeout, started.elapsed());
        Ok(())
    });
}

// ----------------------------------------------------------- command results

/// SELECT and EXAMINE: the typed mailbox state.
pub fn select_examine<D: Driver>(driver: &D) {
    play(driver, "select_examine", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let inbox = d.run(&mut s, request::select("INBOX"))?;
        assert_eq!(inbox.name, Some(Mailbox::inbox()));
        assert_eq!((inbox.exists, inbox.recent, inbox.unseen), (172, 1, Some(12)));
        assert_eq!((inbox.uid_validity, inbox.uid_next), (Some(3857529045), Some(4392)));
        assert_eq!(inbox.flags.len(), 5);
        assert_eq!(inbox.permanent_flags, vec![Flag::Deleted, Flag::Seen, Flag::MayCreate]);
        assert!(!inbox.read_only);
        assert_eq!(d.mailbox(&s).as_ref(), Some(&inbox), "the engine keeps what SELECT said");
        let archive = d.run(&mut s, request::examine("Archive"))?;
        assert_eq!((archive.exists, archive.uid_validity, archive.read_only), (17, Some(7), true));
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(17));
        logout(d, &mut s)
    });
}

/// LIST (attributes, special use, modified UTF-7) and STATUS.
pub fn list_status<D: Driver>(driver: &D) {
    play(driver, "list_status", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let list = d.run(&mut s, request::list("", "*"))?;
        assert_eq!(list.len(), 3);
        assert!(list[0].mailbox.is_inbox());
        assert_eq!(list[1].mailbox.as_str(), "\u{c9}l\u{e9}ments envoy\u{e9}s");
        assert_eq!(list[1].special_use(), Some(SpecialUse::Sent));
        assert_eq!(list[1].delimiter, Some('/'));
        assert!(list[2].attributes.contains(&ListAttribute::NoSelect));
        let items = [StatusAttr::Messages, StatusAttr::Unseen, StatusAttr::UidNext];
        let status = d.run(&mut s, request::status("INBOX", &items))?;
        assert_eq!(status.mailbox, Some(Mailbox::inbox()));
        assert_eq!((status.messages, status.unseen, status.uid_next), (Some(231), Some(3), Some(44292)));
        assert_eq!(status.recent, None);
        logout(d, &mut s)
    });
}

/// SEARCH and ESEARCH.
pub fn search_esearch<D: Driver>(driver: &D) {
    play(driver, "search_esearch", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        assert_eq!(d.run(&mut s, request::search(true, SearchKey::Unseen))?, vec![4, 9, 17]);
        let returns = [SearchReturn::Min, SearchReturn::Max, SearchReturn::Count];
        let e = d.run(&mut s, request::esearch(true, SearchKey::All, &returns))?;
        assert!(e.uid);
        assert_eq!((e.min, e.max, e.count, e.all), (Some(4), Some(99), Some(3), None));
        logout(d, &mut s)
    });
}

/// FETCH: flags, envelope, body structure and the message itself.
pub fn fetch_items<D: Driver>(driver: &D) {
    play(driver, "fetch_items", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let attrs = [FetchAttr::Flags, FetchAttr::Envelope, FetchAttr::BodyStructure, FetchAttr::body_peek()];
        let fetched = d.run(&mut s, request::fetch(true, 7, &attrs))?;
        assert_eq!(fetched.len(), 1);
        let f = &fetched[0];
        assert_eq!((f.seq, f.uid()), (1, Some(7)));
        assert_eq!(f.flags(), Some(&[Flag::Seen, Flag::Keyword("$Forwarded".into())][..]));
        let envelope = f.envelope().expect("ENVELOPE");
        assert_eq!(envelope.subject_text().as_deref(), Some("IMAP4rev1 WG mtg summary and minutes"));
        assert_eq!(envelope.from[0].email().as_deref(), Some("gray@cac.washington.edu"));
        assert_eq!(envelope.cc.len(), 2);
        assert_eq!(
            envelope.message_id.as_ref().map(|m| m.to_string()).as_deref(),
            Some("<B27397-0100000@cac.washington.edu>")
        );
        match f.body_structure().expect("BODYSTRUCTURE") {
            BodyStructure::Multipart(m) => {
                assert_eq!(m.media_subtype, "ALTERNATIVE");
                assert_eq!(m.parts.len(), 2);
            }
            other => panic!("expected a multipart, got {other:?}"),
        }
        assert_eq!(f.message().map(|b| &b[..]), Some(&b"Subject: hi\r\n\r\nHello world\r\n"[..]));
        logout(d, &mut s)
    });
}

/// A FETCH response that arrives in pieces (mid-line, mid-literal).
pub fn fetch_in_pieces<D: Driver>(driver: &D) {
    play(driver, "fetch_in_pieces", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let fetched = d.run(&mut s, request::fetch(true, 1, &[FetchAttr::body_peek()]))?;
        let bodies: Vec<_> = fetched.iter().map(|f| f.message().map(|b| b.to_vec())).collect();
        assert_eq!(bodies, [Some(b"Subject: in pieces\r\n\r\nok".to_vec())]);
        logout(d, &mut s)
    });
}

/// STORE, COPY (COPYUID), MOVE, EXPUNGE, and the mailbox kept current.
pub fn store_copy_move_expunge<D: Driver>(driver: &D) {
    play(driver, "store_copy_move_expunge", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let stored = d.run(&mut s, request::store(true, 1..=2, StoreMode::Add, &[Flag::Flagged]))?;
        let flags: Vec<_> = stored.iter().map(|f| (f.uid(), f.flags().map(<[Flag]>::to_vec))).collect();
        assert_eq!(
            flags,
            vec![(Some(1), Some(vec![Flag::Seen, Flag::Flagged])), (Some(2), Some(vec![Flag::Flagged]))]
        );
        let copied = d.run(&mut s, request::copy(true, 1..=2, "Archive"))?;
        let copy_uid = copied.copy_uid.expect("COPYUID");
        assert_eq!((copy_uid.uid_validity, copy_uid.pairs()), (38505, vec![(1, 3956), (2, 3957)]));
        let moved = d.run(&mut s, request::move_messages(true, 3, "Trash"))?;
        assert_eq!(moved.copy_uid.map(|c| c.pairs()), Some(vec![(3, 99)]));
        assert_eq!(moved.expunged, vec![3]);
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(3));
        let expunged = d.run(&mut s, request::expunge())?;
        assert_eq!(expunged.expunged, vec![1]);
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(2));
        logout(d, &mut s)
    });
}

/// APPEND with a synchronizing literal, and its APPENDUID.
pub fn append_appenduid<D: Driver>(driver: &D) {
    play(driver, "append_appenduid", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let message = AppendMessage::new(&b"Subject: draft\r\n\r\nbody"[..]).flags(&[Flag::Seen]);
        let appended = d.run(&mut s, request::append("Sent", message))?;
        assert_eq!(appended.uid_validity, Some(38505));
        assert_eq!(appended.uids, Some(3955.into()));
        logout(d, &mut s)
    });
}

/// An APPEND refused before its literal: the message is not sent, the NO
/// is the result, and the session goes on.
pub fn append_refused<D: Driver>(driver: &D) {
    play(driver, "append_refused", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let message = AppendMessage::new(&b"Subject: draft\r\n\r\nbody"[..]);
        match d.run(&mut s, request::append("Nope", message)) {
            Err(Error::Command(CommandError::No { code: Some(ResponseCode::TryCreate), .. })) => {}
            other => panic!("expected NO [TRYCREATE], got {other:?}"),
        }
        d.run(&mut s, request::noop())?;
        logout(d, &mut s)
    });
}

/// NAMESPACE, ID and GETQUOTAROOT.
pub fn namespace_id_quota<D: Driver>(driver: &D) {
    play(driver, "namespace_id_quota", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let ns = d.run(&mut s, request::namespace())?;
        assert_eq!((ns.personal.len(), ns.other_users.len(), ns.shared.len()), (1, 1, 2));
        assert_eq!(ns.personal[0].delimiter, Some('/'));
        assert_eq!(ns.other_users[0].prefix.as_str(), "~");
        let id = d.run(&mut s, request::id(&[("name", "imap-conformance")]))?;
        assert_eq!(id.get("name"), Some(&Some("Dovecot".to_owned())));
        assert_eq!(id.get("version"), Some(&Some("2.3".to_owned())));
        let quota = d.run(&mut s, request::get_quota_root("INBOX"))?;
        assert_eq!(quota.roots, [""]);
        let storage = &quota.quotas[0].resources[0];
        assert_eq!((storage.name.to_string().as_str(), storage.usage, storage.limit), ("STORAGE", 10, 512));
        logout(d, &mut s)
    });
}

/// `request::move_messages` without MOVE: COPY + STORE + UID EXPUNGE, one
/// typed result.
pub fn move_fallback<D: Driver>(driver: &D) {
    play(driver, "move_fallback", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let moved = d.run(&mut s, request::move_messages(true, 4, "Trash"))?;
        assert_eq!(moved.copy_uid.map(|c| c.pairs()), Some(vec![(4, 20)]));
        assert_eq!(moved.expunged, vec![2]);
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(2));
        logout(d, &mut s)
    });
}

/// Tagged NO and BAD: typed errors with their codes; the session goes on.
pub fn no_and_bad<D: Driver>(driver: &D) {
    play(driver, "no_and_bad", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        match d.run(&mut s, request::copy(true, 1, "Nope")) {
            Err(Error::Command(CommandError::No { code: Some(ResponseCode::TryCreate), text })) => {
                assert_eq!(text, "Mailbox doesn't exist: Nope")
            }
            other => panic!("expected NO [TRYCREATE], got {other:?}"),
        }
        d.run(&mut s, request::create("Nope"))?;
        assert!(d.run(&mut s, request::copy(true, 1, "Nope"))?.copy_uid.is_some());
        match d.run(&mut s, request::check()) {
            Err(Error::Command(CommandError::Bad { code: Some(ResponseCode::ClientBug), .. })) => {}
            other => panic!("expected BAD [CLIENTBUG], got {other:?}"),
        }
        logout(d, &mut s)
    });
}

/// A malformed response and a stray completion are dropped; the command
/// they came with completes, and the news after them is applied.
pub fn malformed_response<D: Driver>(driver: &D) {
    play(driver, "malformed_response", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        d.run(&mut s, request::noop())?;
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(3));
        logout(d, &mut s)
    });
}

// --------------------------------------------------------------- pipelining

/// STATUS and LIST together: both lines reach the server before either is
/// answered; answered out of order, each gets its own result.
pub fn pipelining<D: Driver>(driver: &D) {
    play(driver, "pipelining", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let requests = vec![
            request::status("INBOX", &[StatusAttr::Messages]).erase(),
            request::list("", "Archive").erase(),
        ];
        let mut results = d.run_all(&mut s, requests).into_iter();
        match results.next().transpose()?.map(|c| c.output) {
            Some(Output::Status(status)) => assert_eq!(status.messages, Some(3)),
            other => panic!("STATUS: {other:?}"),
        }
        match results.next().transpose()?.map(|c| c.output) {
            Some(Output::List(list)) => {
                assert_eq!(list.iter().map(|e| e.mailbox.as_str()).collect::<Vec<_>>(), ["Archive"])
            }
            other => panic!("LIST: {other:?}"),
        }
        assert!(results.next().is_none(), "one result per request");
        logout(d, &mut s)
    });
}

// ---------------------------------------------------------------------- IDLE

/// IDLE until news, DONE, the news returned and applied to the mailbox.
pub fn idle<D: Driver>(driver: &D) {
    play(driver, "idle", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let started = Instant::now();
        let news = d.idle_once(&mut s, Duration::from_secs(4))?;
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1500), "IDLE took {took:?}: it must end when news arrives");
        assert!(news.contains(&Response::Data(Data::Exists(4))), "news: {news:?}");
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(4));
        logout(d, &mut s)
    });
}

/// IDLE without news: DONE when the time is up, no news returned.
pub fn idle_timeout<D: Driver>(driver: &D) {
    play(driver, "idle_timeout", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let wait = Duration::from_millis(300);
        let started = Instant::now();
        let news = d.idle_once(&mut s, wait)?;
        let took = started.elapsed();
        assert!(news.is_empty(), "no news was sent: {news:?}");
        assert!(took >= wait && took < wait * 3, "IDLE for {wait:?} took {took:?}");
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(3));
        logout(d, &mut s)
    });
}

// ------------------------------------------------------------ TLS, COMPRESS

/// STARTTLS with a real handshake (the test CA trusted), then LOGIN over
/// TLS.
pub fn starttls<D: Driver>(driver: &D) {
    play(driver, "starttls", Security::StartTls, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::login("alice", "secret"))?;
        logout(d, &mut s)
    });
}

/// Bytes after the STARTTLS OK, in the same write: the session ends with
/// [`ConnectionError::StartTlsInjection`] and no handshake is tried.
pub fn starttls_injection<D: Driver>(driver: &D) {
    play(driver, "starttls_injection", Security::StartTls, |d, options| {
        let err = d.connect(options).err().expect("an injection must fail the connection");
        let injected = "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n".len();
        match connection_error(&err) {
            Some(ConnectionError::StartTlsInjection(n)) => assert_eq!(*n, injected),
            _ => panic!("expected ConnectionError::StartTlsInjection, got {err:?}"),
        }
        Ok(())
    });
}

/// Implicit TLS: the handshake first, then the greeting.
pub fn implicit_tls<D: Driver>(driver: &D) {
    play(driver, "implicit_tls", Security::Tls, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::login("alice", "secret"))?;
        logout(d, &mut s)
    });
}

/// COMPRESS=DEFLATE, then a NOOP with news and a FETCH with a literal
/// through it.
pub fn compress<D: Driver>(driver: &D) {
    play(driver, "compress", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        d.run(&mut s, request::compress())?;
        d.run(&mut s, request::noop())?;
        assert_eq!(d.mailbox(&s).map(|m| m.exists), Some(3), "news through DEFLATE");
        let fetched = d.run(&mut s, request::fetch(true, 3, &[FetchAttr::body_peek()]))?;
        assert_eq!(fetched.len(), 1);
        let body = fetched[0].message().map(|b| b.to_vec());
        assert_eq!(body.as_deref(), Some(&b"Subject: squeezed\r\n\r\nthrough DEFLATE.\r\n"[..]));
        logout(d, &mut s)
    });
}

// ---------------------------------------------------------------------- SASL

/// AUTHENTICATE LOGIN: two challenges.
pub fn sasl_login<D: Driver>(driver: &D) {
    play(driver, "sasl_login", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::authenticate(Login::new("alice", "secret")))?;
        logout(d, &mut s)
    });
}

/// AUTHENTICATE PLAIN without SASL-IR: waits for the empty challenge.
pub fn sasl_plain_without_ir<D: Driver>(driver: &D) {
    play(driver, "sasl_plain_without_ir", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::authenticate(Plain::new("alice", "secret")))?;
        logout(d, &mut s)
    });
}

/// AUTHENTICATE SCRAM-SHA-1 on RFC 5802's example (a fixed nonce makes it
/// deterministic); the server's signature is verified.
pub fn sasl_scram<D: Driver>(driver: &D) {
    play(driver, "sasl_scram", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let scram = Scram::new(ScramHash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        d.run(&mut s, request::authenticate(scram))?;
        logout(d, &mut s)
    });
}

/// AUTHENTICATE CRAM-MD5 on RFC 2195's example.
pub fn sasl_cram_md5<D: Driver>(driver: &D) {
    play(driver, "sasl_cram_md5", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::authenticate(CramMd5::new("tim", "tanstaaftanstaaf")))?;
        logout(d, &mut s)
    });
}

// ------------------------------------------------- streaming, end of session

/// A streaming FETCH abandoned after one message; the SEARCH after it gets
/// its own result.
pub fn fetch_stream_abandoned<D: Driver>(driver: &D) {
    play(driver, "fetch_stream_abandoned", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let first = d.fetch_some(&mut s, (1..=3).into(), &[FetchAttr::Flags], 1)?;
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].uid(), first[0].flags()), (Some(1), Some(&[Flag::Seen][..])));
        assert_eq!(d.run(&mut s, request::search(true, SearchKey::Flagged))?, vec![3]);
        logout(d, &mut s)
    });
}

/// The server closes in the middle of a literal: a typed
/// [`ConnectionError::Eof`] with `mid_response`.
pub fn close_mid_literal<D: Driver>(driver: &D) {
    play(driver, "close_mid_literal", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        d.run(&mut s, request::select("INBOX"))?;
        let err = d.run(&mut s, request::fetch(true, 1, &[FetchAttr::body_peek()])).err();
        let err = err.expect("a FETCH cut short must fail");
        assert!(
            matches!(connection_error(&err), Some(ConnectionError::Eof { mid_response: true })),
            "expected ConnectionError::Eof {{ mid_response: true }}, got {err:?}"
        );
        Ok(())
    });
}

/// An untagged BYE while a command waits, then the close: a typed
/// [`ConnectionError::Bye`] with the server's text.
pub fn server_bye<D: Driver>(driver: &D) {
    play(driver, "server_bye", Security::Plain, |d, options| {
        let mut s = d.connect(options)?;
        let err = d.run(&mut s, request::noop()).expect_err("BYE ends the session");
        match connection_error(&err) {
            Some(ConnectionError::Bye(text)) => assert_eq!(*text, "shutting down for maintenance"),
            _ => panic!("expected ConnectionError::Bye, got {err:?}"),
        }
        Ok(())
    });
}

/// A silent server: [`ConnectionError::TimedOut`] after the engine's
/// response timeout (300 ms), no hang.
pub fn response_timeout<D: Driver>(driver: &D) {
    play(driver, "response_timeout", Security::Plain, |d, options| {
        let timeout = Duration::from_millis(300);
        let mut s = d.connect(options.response_timeout(timeout))?;
        let started = Instant::now();
        let err = d.run(&mut s, request::noop()).expect_err("a silent server must time out");
        assert_timed_out(&err, timeout, started.elapsed());
        Ok(())
    });
}

/// The session ended with [`ConnectionError::TimedOut`] after `timeout`,
/// counted from the last write: `took` is `timeout` plus scheduling slack.
fn assert_timed_out(err: &Error, timeout: Duration, took: Duration) {
    assert!(
        matches!(connection_error(err), Some(ConnectionError::TimedOut(t)) if *t == timeout),
        "expected ConnectionError::TimedOut({timeout:?}), got {err:?}"
    );
    let limit = timeout + Duration::from_millis(200);
    assert!(took >= timeout && took < limit, "timed out after {took:?}, not within {limit:?}");
}

/// Logs out cleanly: LOGOUT is answered with BYE and OK.
fn logout<D: Driver>(d: &D, s: &mut D::Session) -> imap_net::Result<()> {
    d.run(s, request::logout())
}
