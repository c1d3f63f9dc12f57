//! Encoder tests: the exact bytes of every command (RFC examples where they
//! exist), the atom / quoted / literal choice, literal fragments, and
//! property tests for CRLF injection and round trips.

use proptest::prelude::*;

use super::*;
use crate::chars::is_astring_char;
use crate::types::{
    AppendMessage, Date, DateTime, ListCommand, QResync, SearchReturn, Secret, SelectModifiers, SortKey,
    StatusAttr,
};

// ---------------------------------------------------------------- helpers

fn ctx() -> EncodeContext {
    EncodeContext::default()
}

fn plus() -> EncodeContext {
    EncodeContext { literal_plus: true, ..EncodeContext::default() }
}

fn minus() -> EncodeContext {
    EncodeContext { literal_minus: true, ..EncodeContext::default() }
}

fn utf8() -> EncodeContext {
    EncodeContext { utf8: true, ..EncodeContext::default() }
}

fn binary() -> EncodeContext {
    EncodeContext { binary: true, ..EncodeContext::default() }
}

fn encode_with(tag: &str, cmd: &Command, ctx: &EncodeContext) -> Result<Encoded, EncodeError> {
    encode_command(&Tag::new(tag.to_owned()).unwrap(), cmd, ctx)
}

/// The command's bytes with the given tag, as text.
fn wire(tag: &str, cmd: &Command) -> String {
    wire_with(tag, cmd, &ctx())
}

fn wire_with(tag: &str, cmd: &Command, ctx: &EncodeContext) -> String {
    let enc = encode_with(tag, cmd, ctx).unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    String::from_utf8(enc.to_vec()).expect("UTF-8")
}

fn line(text: &str) -> Fragment {
    Fragment::Line(Bytes::from(text.to_owned()))
}

fn literal(data: &[u8], sync: bool) -> Fragment {
    Fragment::Literal { data: Bytes::copy_from_slice(data), sync }
}

fn mailbox(name: &str) -> Mailbox {
    Mailbox::new(name)
}

fn b(text: &str) -> ByteStr {
    ByteStr::from(text)
}

fn set(text: &str) -> SequenceSet {
    text.parse().unwrap()
}

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

// ------------------------------------------------ one test per command

#[test]
fn commands_without_arguments() {
    // RFC 3501 6.1.1, 6.1.2, 6.1.3, 6.2.1, 6.4.1, 6.4.2, 6.4.3; RFC 2342,
    // 2177, 3691, 4978.
    assert_eq!(wire("a001", &Command::Capability), "a001 CAPABILITY\r\n");
    assert_eq!(wire("a002", &Command::Noop), "a002 NOOP\r\n");
    assert_eq!(wire("A023", &Command::Logout), "A023 LOGOUT\r\n");
    assert_eq!(wire("a002", &Command::StartTls), "a002 STARTTLS\r\n");
    assert_eq!(wire("FXXZ", &Command::Check), "FXXZ CHECK\r\n");
    assert_eq!(wire("A341", &Command::Close), "A341 CLOSE\r\n");
    assert_eq!(wire("A202", &Command::Expunge), "A202 EXPUNGE\r\n");
    assert_eq!(wire("A001", &Command::Namespace), "A001 NAMESPACE\r\n");
    assert_eq!(wire("A002", &Command::Idle), "A002 IDLE\r\n");
    assert_eq!(wire("A342", &Command::Unselect), "A342 UNSELECT\r\n");
    assert_eq!(wire("d", &Command::Compress), "d COMPRESS DEFLATE\r\n");
}

#[test]
fn id() {
    // RFC 2971 3.1 and 3.2.
    assert_eq!(wire("a042", &Command::Id(None)), "a042 ID NIL\r\n");
    assert_eq!(
        wire(
            "a023",
            &Command::Id(Some(vec![
                (b("name"), Some(b("sodr"))),
                (b("version"), Some(b("19.34"))),
                (b("vendor"), Some(b("Pink Floyd Music Limited"))),
            ]))
        ),
        "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n"
    );
    // Some servers reject "ID ()": an empty list is sent as NIL.
    assert_eq!(wire("a1", &Command::Id(Some(vec![]))), "a1 ID NIL\r\n");
    assert_eq!(wire("a1", &Command::Id(Some(vec![(b("os"), None)]))), "a1 ID (\"os\" NIL)\r\n");
    // Field names are strings, never atoms; NIL as a value is quoted.
    assert_eq!(wire("a1", &Command::Id(Some(vec![(b("x"), Some(b("NIL")))]))), "a1 ID (\"x\" \"NIL\")\r\n");
}

#[test]
fn login() {
    // RFC 3501 6.2.3: the password is quoted here, never an atom.
    assert_eq!(wire("a001", &Command::login("SMITH", "SESAME")), "a001 LOGIN SMITH \"SESAME\"\r\n");
    assert_eq!(wire("A1", &Command::login("fred", "")), "A1 LOGIN fred \"\"\r\n");
    assert_eq!(
        wire("A1", &Command::login("fred@example.com", "p\"w\\d")),
        "A1 LOGIN fred@example.com \"p\\\"w\\\\d\"\r\n"
    );
    // RFC 3501 7.5: a user name that needs a literal.
    let enc = encode_with("A001", &Command::login("FRED FOOBAR\r\n", "fat man"), &ctx()).unwrap();
    assert_eq!(
        enc.fragments(),
        &[line("A001 LOGIN {13}\r\n"), literal(b"FRED FOOBAR\r\n", true), line(" \"fat man\"\r\n")]
    );
    assert_eq!(enc.sync_literals(), 1);
    // The password is redacted in Debug output.
    assert!(!format!("{:?}", Command::login("u", "hunter2")).contains("hunter2"));
}

#[test]
fn authenticate() {
    let auth = |mechanism: &str, ir: Option<&[u8]>| Command::Authenticate {
        mechanism: b(mechanism),
        initial_response: ir.map(|r| Secret::new(r.to_vec())),
    };
    // RFC 3501 6.2.2 and RFC 4959 section 3.
    assert_eq!(wire("A001", &auth("GSSAPI", None)), "A001 AUTHENTICATE GSSAPI\r\n");
    assert_eq!(
        wire("A01", &auth("PLAIN", Some(b"test\0test\0test"))),
        "A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"
    );
    assert_eq!(wire("A01", &auth("EXTERNAL", Some(b""))), "A01 AUTHENTICATE EXTERNAL =\r\n");
    assert!(matches!(
        encode_with("A1", &auth("PLAIN X", None), &ctx()),
        Err(EncodeError::NotAnAtom { what: "SASL mechanism", .. })
    ));
    assert_eq!(&encode_sasl_response(Some(b"\x00u\x00p"))[..], b"AHUAcA==\r\n");
    assert_eq!(&encode_sasl_response(None)[..], b"*\r\n");
}

#[test]
fn enable() {
    // RFC 5161 3.1.
    assert_eq!(
        wire("t2", &Command::Enable(vec![Capability::CondStore, Capability::from_wire(b"X-GOOD-IDEA")])),
        "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n"
    );
    assert_eq!(wire("a", &Command::Enable(vec![Capability::Utf8Accept])), "a ENABLE UTF8=ACCEPT\r\n");
    assert_eq!(
        encode_with("a", &Command::Enable(vec![]), &ctx()),
        Err(EncodeError::Empty { what: "ENABLE capability list" })
    );
    assert!(encode_with("a", &Command::Enable(vec![Capability::Other(b("X Y"))]), &ctx()).is_err());
}

#[test]
fn select_and_examine() {
    // RFC 3501 6.3.1, 6.3.2.
    assert_eq!(wire("A142", &Command::select("INBOX")), "A142 SELECT INBOX\r\n");
    assert_eq!(wire("A142", &Command::select("inbox")), "A142 SELECT INBOX\r\n");
    assert_eq!(wire("A932", &Command::examine("blurdybloop")), "A932 EXAMINE blurdybloop\r\n");
    // RFC 7162 3.1.8 and 3.2.5.
    let condstore = SelectModifiers { condstore: true, qresync: None };
    assert_eq!(
        wire("A142", &Command::Select { mailbox: Mailbox::inbox(), modifiers: condstore.clone() }),
        "A142 SELECT INBOX (CONDSTORE)\r\n"
    );
    assert_eq!(
        wire("A1", &Command::Examine { mailbox: mailbox("Sent Items"), modifiers: condstore }),
        "A1 EXAMINE \"Sent Items\" (CONDSTORE)\r\n"
    );
    let qresync = |q: QResync| SelectModifiers { condstore: false, qresync: Some(q) };
    assert_eq!(
        wire(
            "A142",
            &Command::Select {
                mailbox: Mailbox::inbox(),
                modifiers: qresync(QResync {
                    uid_validity: 3857529045,
                    modseq: 20010715194032001,
                    known_uids: Some(set("1:198")),
                    seq_match: None
                })
            }
        ),
        "A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))\r\n"
    );
    // Wrapped line joined.
    assert_eq!(
        wire(
            "B04",
            &Command::Select {
                mailbox: Mailbox::inbox(),
                modifiers: qresync(QResync {
                    uid_validity: 67890007,
                    modseq: 90060115194045000,
                    known_uids: Some(set("1:29997")),
                    seq_match: Some((
                        set("5000,7500,9000,9990:9999"),
                        set("15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997")
                    ))
                })
            }
        ),
        "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 \
         15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n"
    );
    assert_eq!(
        wire(
            "A1",
            &Command::Select {
                mailbox: Mailbox::inbox(),
                modifiers: qresync(QResync { uid_validity: 1, modseq: 2, known_uids: None, seq_match: None })
            }
        ),
        "A1 SELECT INBOX (QRESYNC (1 2))\r\n"
    );
    let bad = QResync { uid_validity: 1, modseq: 2, known_uids: None, seq_match: Some((set("1"), set("2"))) };
    assert!(matches!(
        encode_with("A1", &Command::Select { mailbox: Mailbox::inbox(), modifiers: qresync(bad) }, &ctx()),
        Err(EncodeError::Invalid { what: "QRESYNC parameter", .. })
    ));
}

#[test]
fn create_delete_rename_subscribe() {
    // RFC 3501 6.3.3 - 6.3.7.
    let create = |name: &str| Command::Create { mailbox: mailbox(name), special_use: vec![] };
    assert_eq!(wire("A003", &create("owatagusiam/")), "A003 CREATE owatagusiam/\r\n");
    assert_eq!(wire("A683", &Command::Delete(mailbox("blurdybloop"))), "A683 DELETE blurdybloop\r\n");
    assert_eq!(
        wire("A683", &Command::Rename { from: mailbox("blurdybloop"), to: mailbox("sarasoop") }),
        "A683 RENAME blurdybloop sarasoop\r\n"
    );
    assert_eq!(
        wire("Z433", &Command::Rename { from: Mailbox::inbox(), to: mailbox("old-mail") }),
        "Z433 RENAME INBOX old-mail\r\n"
    );
    assert_eq!(
        wire("A002", &Command::Subscribe(mailbox("#news.comp.mail.mime"))),
        "A002 SUBSCRIBE #news.comp.mail.mime\r\n"
    );
    assert_eq!(
        wire("A002", &Command::Unsubscribe(mailbox("#news.comp.mail.mime"))),
        "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n"
    );
    // RFC 6154 section 5.3: CREATE-SPECIAL-USE.
    assert_eq!(
        wire(
            "t1",
            &Command::Create {
                mailbox: mailbox("MySpecial"),
                special_use: vec![SpecialUse::Drafts, SpecialUse::Sent]
            }
        ),
        "t1 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n"
    );
}

#[test]
fn mailbox_names_use_modified_utf7() {
    // RFC 3501 5.1.3.
    let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
    assert_eq!(wire("A1", &Command::select(name)), "A1 SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n");
    assert_eq!(wire("A1", &Command::select("Entwürfe")), "A1 SELECT Entw&APw-rfe\r\n");
    assert_eq!(wire("A1", &Command::select("Tom & Jerry")), "A1 SELECT \"Tom &- Jerry\"\r\n");
    // After ENABLE UTF8=ACCEPT (RFC 6855): UTF-8, quoted.
    assert_eq!(wire_with("A1", &Command::select("Entwürfe"), &utf8()), "A1 SELECT \"Entwürfe\"\r\n");
    assert_eq!(wire_with("A1", &Command::select("Tom & Jerry"), &utf8()), "A1 SELECT \"Tom & Jerry\"\r\n");
    // A name received from the server goes back exactly as it came.
    let odd = Mailbox::from_wire(Bytes::from_static(b"caf\xe9"));
    let enc =
        encode_with("A1", &Command::Select { mailbox: odd, modifiers: SelectModifiers::default() }, &utf8())
            .unwrap();
    assert_eq!(enc.fragments(), &[line("A1 SELECT {4}\r\n"), literal(b"caf\xe9", true), line("\r\n")]);
    // Names that are not atoms.
    assert_eq!(wire("A1", &Command::select("")), "A1 SELECT \"\"\r\n");
    assert_eq!(wire("A1", &Command::select("NIL")), "A1 SELECT \"NIL\"\r\n");
    assert_eq!(wire("A1", &Command::select("nil")), "A1 SELECT \"nil\"\r\n");
    assert_eq!(wire("A1", &Command::select("a\"b")), "A1 SELECT \"a\\\"b\"\r\n");
    assert_eq!(wire("A1", &Command::select("[Gmail]/Drafts")), "A1 SELECT [Gmail]/Drafts\r\n");
    // "~" is an ASTRING-CHAR ("~{" would start a literal8, "~" alone does not).
    assert_eq!(wire("A1", &Command::select("~")), "A1 SELECT ~\r\n");
    assert_eq!(wire("A1", &Command::select("50%*")), "A1 SELECT \"50%*\"\r\n");
}

#[test]
fn list() {
    let list = |reference: &str, pattern: &str| {
        Command::List(ListCommand { reference: b(reference), ..ListCommand::new(pattern) })
    };
    // RFC 3501 6.3.8.
    assert_eq!(wire("A101", &list("", "")), "A101 LIST \"\" \"\"\r\n");
    assert_eq!(wire("A102", &list("#news.comp.mail.misc", "")), "A102 LIST #news.comp.mail.misc \"\"\r\n");
    assert_eq!(wire("A202", &list("~/Mail/", "%")), "A202 LIST ~/Mail/ %\r\n");
    assert_eq!(wire("A682", &list("", "*")), "A682 LIST \"\" *\r\n");
    // Patterns with non-ASCII are modified UTF-7 (UTF-8 with UTF8=ACCEPT).
    assert_eq!(wire("A1", &list("", "Entwürfe/*")), "A1 LIST \"\" Entw&APw-rfe/*\r\n");
    assert_eq!(wire_with("A1", &list("", "Entwürfe/*"), &utf8()), "A1 LIST \"\" \"Entwürfe/*\"\r\n");
    assert_eq!(wire("A1", &list("", "Sent Items/%")), "A1 LIST \"\" \"Sent Items/%\"\r\n");
    assert_eq!(wire("A1", &list("", "NIL")), "A1 LIST \"\" \"NIL\"\r\n");
    // RFC 5258 section 5: selection options, several patterns, return options.
    let ext = |select: Vec<ListSelect>, patterns: &[&str], returns: Vec<ListReturn>| {
        Command::List(ListCommand {
            reference: b(""),
            patterns: patterns.iter().map(|p| b(p)).collect(),
            select,
            returns,
        })
    };
    assert_eq!(wire("A04", &ext(vec![ListSelect::Remote], &["*"], vec![])), "A04 LIST (REMOTE) \"\" *\r\n");
    assert_eq!(
        wire(
            "C04",
            &ext(
                vec![ListSelect::Subscribed, ListSelect::RecursiveMatch],
                &["%"],
                vec![ListReturn::Children]
            )
        ),
        "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (CHILDREN)\r\n"
    );
    assert_eq!(
        wire("BBB", &ext(vec![], &["INBOX", "Drafts", "Sent/%"], vec![])),
        "BBB LIST \"\" (INBOX Drafts Sent/%)\r\n"
    );
    // RFC 5819 section 5 and RFC 6154 section 5.1.
    assert_eq!(
        wire(
            "A01",
            &ext(vec![], &["%"], vec![ListReturn::Status(vec![StatusAttr::Messages, StatusAttr::Unseen])])
        ),
        "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n"
    );
    assert_eq!(
        wire("t3", &ext(vec![ListSelect::SpecialUse], &["*"], vec![])),
        "t3 LIST (SPECIAL-USE) \"\" *\r\n"
    );
    assert_eq!(
        wire("t2", &ext(vec![], &["%"], vec![ListReturn::SpecialUse, ListReturn::Subscribed])),
        "t2 LIST \"\" % RETURN (SPECIAL-USE SUBSCRIBED)\r\n"
    );
    assert_eq!(
        encode_with("A1", &ext(vec![], &[], vec![]), &ctx()),
        Err(EncodeError::Empty { what: "LIST pattern list" })
    );
}

#[test]
fn lsub() {
    // RFC 3501 6.3.9 (the RFC quotes what need not be quoted).
    assert_eq!(
        wire("A002", &Command::Lsub { reference: b("#news."), pattern: b("comp.mail.*") }),
        "A002 LSUB #news. comp.mail.*\r\n"
    );
    assert_eq!(wire("A1", &Command::Lsub { reference: b(""), pattern: b("*") }), "A1 LSUB \"\" *\r\n");
}

#[test]
fn status() {
    // RFC 3501 6.3.10, RFC 9208 4.2.4, RFC 8474 4.2.
    assert_eq!(
        wire(
            "A042",
            &Command::Status {
                mailbox: mailbox("blurdybloop"),
                items: vec![StatusAttr::UidNext, StatusAttr::Messages]
            }
        ),
        "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n"
    );
    assert_eq!(
        wire(
            "S0003",
            &Command::Status {
                mailbox: Mailbox::inbox(),
                items: vec![StatusAttr::Messages, StatusAttr::Deleted, StatusAttr::DeletedStorage]
            }
        ),
        "S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)\r\n"
    );
    let all = vec![
        StatusAttr::Recent,
        StatusAttr::UidValidity,
        StatusAttr::Unseen,
        StatusAttr::Size,
        StatusAttr::HighestModSeq,
        StatusAttr::AppendLimit,
        StatusAttr::MailboxId,
    ];
    assert_eq!(
        wire("6", &Command::Status { mailbox: mailbox("foo"), items: all }),
        "6 STATUS foo (RECENT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ APPENDLIMIT MAILBOXID)\r\n"
    );
    assert!(encode_with("6", &Command::Status { mailbox: mailbox("foo"), items: vec![] }, &ctx()).is_err());
}

/// RFC 3501 6.3.11's message.
const MESSAGE: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu\r\n\
Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

#[test]
fn append() {
    // RFC 3501 6.3.11.
    let cmd = Command::Append {
        mailbox: mailbox("saved-messages"),
        messages: vec![AppendMessage {
            flags: vec![Flag::Seen],
            date: None,
            data: Bytes::from_static(MESSAGE),
        }],
    };
    let enc = encode_with("A003", &cmd, &ctx()).unwrap();
    assert_eq!(MESSAGE.len(), 310);
    assert_eq!(
        enc.fragments(),
        &[line("A003 APPEND saved-messages (\\Seen) {310}\r\n"), literal(MESSAGE, true), line("\r\n")]
    );
    // The message is not copied.
    let Fragment::Literal { data, .. } = &enc.fragments()[1] else { panic!() };
    assert_eq!(data.as_ptr(), MESSAGE.as_ptr());
    // RFC 3502 (MULTIAPPEND) with flags and dates, and LITERAL+.
    let date = DateTime::parse(b" 7-Feb-1994 22:43:04 -0800").unwrap();
    let cmd = Command::Append {
        mailbox: mailbox("saved-messages"),
        messages: vec![
            AppendMessage { flags: vec![Flag::Seen], date: None, data: Bytes::from_static(b"one") },
            AppendMessage {
                flags: vec![Flag::Seen, Flag::keyword("$Forwarded")],
                date: Some(date),
                data: Bytes::from_static(b"two"),
            },
            AppendMessage::new(Bytes::from_static(b"three")),
        ],
    };
    let enc = encode_with("A003", &cmd, &plus()).unwrap();
    assert_eq!(
        enc.fragments(),
        &[
            line("A003 APPEND saved-messages (\\Seen) {3+}\r\n"),
            literal(b"one", false),
            line(" (\\Seen $Forwarded) \"07-Feb-1994 22:43:04 -0800\" {3+}\r\n"),
            literal(b"two", false),
            line(" {5+}\r\n"),
            literal(b"three", false),
            line("\r\n"),
        ]
    );
    assert_eq!(enc.sync_literals(), 0);
    assert_eq!(enc.len(), enc.to_vec().len());
    // Flags the client may not set.
    let bad = Command::Append {
        mailbox: Mailbox::inbox(),
        messages: vec![AppendMessage {
            flags: vec![Flag::Recent],
            date: None,
            data: Bytes::from_static(b"x"),
        }],
    };
    assert!(matches!(encode_with("A1", &bad, &ctx()), Err(EncodeError::Invalid { what: "flag", .. })));
    let empty = Command::Append { mailbox: Mailbox::inbox(), messages: vec![] };
    assert_eq!(encode_with("A1", &empty, &ctx()), Err(EncodeError::Empty { what: "APPEND message list" }));
}

#[test]
fn append_binary_needs_literal8() {
    let cmd = Command::Append {
        mailbox: mailbox("Drafts"),
        messages: vec![AppendMessage::new(Bytes::from_static(b"a\x00b"))],
    };
    assert!(matches!(encode_with("A1", &cmd, &ctx()), Err(EncodeError::Nul { .. })));
    let enc = encode_with("A1", &cmd, &binary()).unwrap();
    assert_eq!(enc.fragments(), &[line("A1 APPEND Drafts ~{3}\r\n"), literal(b"a\x00b", true), line("\r\n")]);
    let enc = encode_with("A1", &cmd, &EncodeContext { binary: true, literal_plus: true, ..ctx() }).unwrap();
    assert_eq!(enc.fragments()[0], line("A1 APPEND Drafts ~{3+}\r\n"));
}

#[test]
fn uid_expunge() {
    // RFC 4315 2.1.
    assert_eq!(wire("A003", &Command::UidExpunge(set("3000:3002"))), "A003 UID EXPUNGE 3000:3002\r\n");
    assert_eq!(
        encode_with("A1", &Command::UidExpunge(SequenceSet::new()), &ctx()),
        Err(EncodeError::Empty { what: "sequence set" })
    );
}

#[test]
fn search() {
    // RFC 3501 6.4.4 (the RFC quotes "Smith"; an atom is equivalent).
    let key = SearchKey::Flagged.and(SearchKey::Since(date(1994, 2, 1))).and(SearchKey::from_("Smith").not());
    assert_eq!(
        wire("A282", &Command::search(false, key.clone())),
        "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n"
    );
    assert_eq!(
        wire("A283", &Command::search(false, SearchKey::text("string not in mailbox"))),
        "A283 SEARCH TEXT \"string not in mailbox\"\r\n"
    );
    // RFC 4731 section 3.1.
    let cmd = Command::Search {
        uid: false,
        criteria: key,
        returns: Some(vec![SearchReturn::Min, SearchReturn::Count]),
    };
    assert_eq!(
        wire("A282", &cmd),
        "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n"
    );
    let cmd = Command::Search {
        uid: true,
        criteria: SearchKey::All,
        returns: Some(vec![SearchReturn::Max, SearchReturn::All, SearchReturn::Save]),
    };
    assert_eq!(wire("A1", &cmd), "A1 UID SEARCH RETURN (MAX ALL SAVE) ALL\r\n");
    // RFC 7162 3.1.5 and RFC 5182.
    assert_eq!(
        wire("a", &Command::search(false, SearchKey::ModSeq(620162338))),
        "a SEARCH MODSEQ 620162338\r\n"
    );
    assert_eq!(
        wire("A1", &Command::search(true, SearchKey::SavedResult.and(SearchKey::Unseen))),
        "A1 UID SEARCH $ UNSEEN\r\n"
    );
}

#[test]
fn search_with_non_ascii_uses_charset_and_a_literal() {
    // The Dovecot capture: A023 UID SEARCH CHARSET UTF-8 SUBJECT {7+}
    let cmd = Command::search(true, SearchKey::subject("Grüße"));
    assert_eq!(wire_with("A023", &cmd, &plus()), "A023 UID SEARCH CHARSET UTF-8 SUBJECT {7+}\r\nGrüße\r\n");
    let enc = encode_with("A023", &cmd, &ctx()).unwrap();
    assert_eq!(
        enc.fragments(),
        &[
            line("A023 UID SEARCH CHARSET UTF-8 SUBJECT {7}\r\n"),
            literal("Grüße".as_bytes(), true),
            line("\r\n")
        ]
    );
    // Nested: the charset is added once, at the front.
    let cmd = Command::search(false, SearchKey::Seen.and(SearchKey::from_("Jörg").or(SearchKey::to("x"))));
    assert_eq!(wire_with("A1", &cmd, &minus()), "A1 SEARCH CHARSET UTF-8 SEEN OR FROM {5+}\r\nJörg TO x\r\n");
    // With UTF8=ACCEPT: no CHARSET, quoted UTF-8.
    assert_eq!(
        wire_with("A1", &Command::search(false, SearchKey::subject("Grüße")), &utf8()),
        "A1 SEARCH SUBJECT \"Grüße\"\r\n"
    );
    // ASCII needs no charset.
    assert_eq!(
        wire("A1", &Command::search(false, SearchKey::header("X-Foo", "a b"))),
        "A1 SEARCH HEADER X-Foo \"a b\"\r\n"
    );
}

#[test]
fn search_nesting_is_parenthesised() {
    let s = |key: SearchKey| wire("A1", &Command::search(false, key));
    let from_to = SearchKey::from_("a").and(SearchKey::to("b"));
    let seen_flagged = SearchKey::Seen.and(SearchKey::Flagged);
    assert_eq!(
        s(from_to.clone().or(seen_flagged.clone().not())),
        "A1 SEARCH OR (FROM a TO b) NOT (SEEN FLAGGED)\r\n"
    );
    assert_eq!(
        s(SearchKey::Seen.or(SearchKey::Draft).and(SearchKey::Deleted)),
        "A1 SEARCH OR SEEN DRAFT DELETED\r\n"
    );
    assert_eq!(
        s(SearchKey::Seen.or(SearchKey::Draft.or(SearchKey::Deleted))),
        "A1 SEARCH OR SEEN OR DRAFT DELETED\r\n"
    );
    assert_eq!(
        s(SearchKey::Not(Box::new(SearchKey::Not(Box::new(SearchKey::Seen))))),
        "A1 SEARCH NOT NOT SEEN\r\n"
    );
    // A conjunction nested in a conjunction needs no parentheses.
    assert_eq!(s(SearchKey::And(vec![from_to, SearchKey::Unseen])), "A1 SEARCH FROM a TO b UNSEEN\r\n");
    assert_eq!(s(SearchKey::And(vec![])), "A1 SEARCH ALL\r\n");
    assert_eq!(s(SearchKey::And(vec![SearchKey::Seen]).not()), "A1 SEARCH NOT SEEN\r\n");
    assert_eq!(s(SearchKey::And(vec![]).not()), "A1 SEARCH NOT ALL\r\n");
}

#[test]
fn search_keys_every_kind() {
    let keys = vec![
        SearchKey::Answered,
        SearchKey::Deleted,
        SearchKey::Draft,
        SearchKey::New,
        SearchKey::Old,
        SearchKey::Recent,
        SearchKey::Unanswered,
        SearchKey::Undeleted,
        SearchKey::Undraft,
        SearchKey::Unflagged,
        SearchKey::Bcc(b("b")),
        SearchKey::body("x y"),
        SearchKey::Cc(b("c")),
        SearchKey::Keyword(b("$Junk")),
        SearchKey::Unkeyword(b("$NotJunk")),
        SearchKey::Before(date(2024, 12, 31)),
        SearchKey::On(date(2000, 3, 5)),
        SearchKey::SentBefore(date(2000, 1, 1)),
        SearchKey::SentOn(date(2000, 1, 1)),
        SearchKey::SentSince(date(2000, 1, 1)),
        SearchKey::Larger(1000),
        SearchKey::Smaller(u64::MAX),
        SearchKey::uid(set("1:*")),
        SearchKey::SequenceSet(set("9,1:3")),
        SearchKey::Older(3600),
        SearchKey::Younger(60),
        SearchKey::EmailId(b("M6d99ac3275bb4e")),
        SearchKey::ThreadId(b("T64b478a75b7ea9")),
        SearchKey::SavedBefore(date(2020, 2, 29)),
        SearchKey::SavedOn(date(2020, 2, 29)),
        SearchKey::SavedSince(date(2020, 2, 29)),
        SearchKey::SaveDateSupported,
        SearchKey::GmRaw(b("has:attachment in:unread")),
        SearchKey::GmMsgId(1278455344230334865),
        SearchKey::GmThrId(1278455344230334865),
        SearchKey::GmLabels(b("\\Inbox")),
    ];
    assert_eq!(
        wire("A1", &Command::search(false, SearchKey::And(keys))),
        "A1 SEARCH ANSWERED DELETED DRAFT NEW OLD RECENT UNANSWERED UNDELETED UNDRAFT UNFLAGGED BCC b \
         BODY \"x y\" CC c KEYWORD $Junk UNKEYWORD $NotJunk BEFORE 31-Dec-2024 ON 5-Mar-2000 \
         SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000 LARGER 1000 SMALLER 18446744073709551615 \
         UID 1:* 1:3,9 OLDER 3600 YOUNGER 60 EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9 \
         SAVEDBEFORE 29-Feb-2020 SAVEDON 29-Feb-2020 SAVEDSINCE 29-Feb-2020 SAVEDATESUPPORTED \
         X-GM-RAW \"has:attachment in:unread\" X-GM-MSGID 1278455344230334865 X-GM-THRID 1278455344230334865 \
         X-GM-LABELS \"\\\\Inbox\"\r\n"
    );
    // Keywords must be atoms; an empty set is refused.
    assert!(encode_with("A1", &Command::search(false, SearchKey::Keyword(b("a b"))), &ctx()).is_err());
    assert!(encode_with("A1", &Command::search(false, SearchKey::uid(SequenceSet::new())), &ctx()).is_err());
    // Strings: NIL is quoted, an empty string is "".
    assert_eq!(
        wire("A1", &Command::search(false, SearchKey::subject("NIL"))),
        "A1 SEARCH SUBJECT \"NIL\"\r\n"
    );
    assert_eq!(wire("A1", &Command::search(false, SearchKey::subject(""))), "A1 SEARCH SUBJECT \"\"\r\n");
}

#[test]
fn fetch() {
    // RFC 3501 6.4.5.
    let cmd = Command::fetch(
        false,
        set("2:4"),
        vec![
            FetchAttr::Flags,
            FetchAttr::BodySection {
                section: Section::header_fields(["DATE", "FROM"]),
                partial: None,
                peek: false,
            },
        ],
    );
    assert_eq!(wire("A654", &cmd), "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n");
    // RFC 3501 6.4.8 (a lone item is parenthesised too, which is equivalent).
    assert_eq!(
        wire("A999", &Command::fetch(true, set("4827313:4828442"), vec![FetchAttr::Flags])),
        "A999 UID FETCH 4827313:4828442 (FLAGS)\r\n"
    );
    // Macros stand alone.
    assert_eq!(
        wire("a003", &Command::fetch(false, set("12"), vec![FetchAttr::Full])),
        "a003 FETCH 12 FULL\r\n"
    );
    assert_eq!(wire("a", &Command::fetch(false, set("1"), vec![FetchAttr::All])), "a FETCH 1 ALL\r\n");
    assert_eq!(wire("a", &Command::fetch(false, set("1"), vec![FetchAttr::Fast])), "a FETCH 1 FAST\r\n");
    assert!(matches!(
        encode_with("a", &Command::fetch(false, set("1"), vec![FetchAttr::All, FetchAttr::Uid]), &ctx()),
        Err(EncodeError::Invalid { what: "FETCH item list", .. })
    ));
    assert!(encode_with("a", &Command::fetch(false, set("1"), vec![]), &ctx()).is_err());
    // Every item.
    let attrs = vec![
        FetchAttr::Envelope,
        FetchAttr::InternalDate,
        FetchAttr::Rfc822,
        FetchAttr::Rfc822Header,
        FetchAttr::Rfc822Size,
        FetchAttr::Rfc822Text,
        FetchAttr::Uid,
        FetchAttr::Body,
        FetchAttr::BodyStructure,
        FetchAttr::body_peek(),
        FetchAttr::BodySection { section: Section::part([1]), partial: Some((0, 16)), peek: true },
        FetchAttr::section_peek(Section::part([1, 2]).mime()),
        FetchAttr::section_peek(Section::part([2]).with_header()),
        FetchAttr::section_peek(Section::part([2]).with_text()),
        FetchAttr::section_peek(Section::header_fields_not(["X-Spam-Flag"])),
        FetchAttr::BodySection { section: Section::text(), partial: None, peek: false },
        FetchAttr::Binary { part: vec![2], partial: None, peek: true },
        FetchAttr::Binary { part: vec![1, 1], partial: Some((100, 200)), peek: false },
        FetchAttr::BinarySize { part: vec![2] },
        FetchAttr::ModSeq,
        FetchAttr::EmailId,
        FetchAttr::ThreadId,
        FetchAttr::SaveDate,
        FetchAttr::Preview,
        FetchAttr::GmMsgId,
        FetchAttr::GmThrId,
        FetchAttr::GmLabels,
        FetchAttr::Other(b("X-SNIPPET")),
    ];
    assert_eq!(
        wire("A1", &Command::fetch(true, set("1:*"), attrs)),
        "A1 UID FETCH 1:* (ENVELOPE INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT UID BODY \
         BODYSTRUCTURE BODY.PEEK[] BODY.PEEK[1]<0.16> BODY.PEEK[1.2.MIME] BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] \
         BODY.PEEK[HEADER.FIELDS.NOT (X-Spam-Flag)] BODY[TEXT] BINARY.PEEK[2] BINARY[1.1]<100.200> \
         BINARY.SIZE[2] MODSEQ EMAILID THREADID SAVEDATE PREVIEW X-GM-MSGID X-GM-THRID X-GM-LABELS X-SNIPPET)\r\n"
    );
    // Sections that cannot exist.
    let bad = |section: Section| {
        encode_with(
            "a",
            &Command::fetch(
                false,
                set("1"),
                vec![FetchAttr::BodySection { section, partial: None, peek: true }],
            ),
            &ctx(),
        )
    };
    assert!(bad(Section::part([0])).is_err());
    assert!(bad(Section { part: vec![], text: Some(SectionText::Mime) }).is_err());
    assert!(bad(Section::header_fields(Vec::<ByteStr>::new())).is_err());
}

#[test]
fn fetch_header_field_names() {
    // header-fld-name = astring: atoms where possible.
    let cmd = Command::fetch(
        false,
        set("1"),
        vec![FetchAttr::section_peek(Section::header_fields([
            "Message-ID",
            "X-Spam-Flag",
            "In-Reply-To",
            "a b",
            "NIL",
        ]))],
    );
    assert_eq!(
        wire("A1", &cmd),
        "A1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (Message-ID X-Spam-Flag In-Reply-To \"a b\" \"NIL\")])\r\n"
    );
}

#[test]
fn fetch_changedsince_and_vanished() {
    // RFC 7162 3.1.4.1 and 3.2.6.
    let cmd = Command::Fetch {
        uid: true,
        set: set("1:*"),
        attrs: vec![FetchAttr::Flags],
        changed_since: Some(12345),
        vanished: false,
    };
    assert_eq!(wire("s100", &cmd), "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n");
    let cmd = Command::Fetch {
        uid: true,
        set: set("300:500"),
        attrs: vec![FetchAttr::Flags],
        changed_since: Some(12345),
        vanished: true,
    };
    assert_eq!(wire("A04", &cmd), "A04 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
    let vanished = |uid: bool, changed_since: Option<u64>| Command::Fetch {
        uid,
        set: set("1"),
        attrs: vec![FetchAttr::Flags],
        changed_since,
        vanished: true,
    };
    assert!(matches!(
        encode_with("A1", &vanished(false, Some(1)), &ctx()),
        Err(EncodeError::Invalid { what: "FETCH VANISHED", .. })
    ));
    assert!(matches!(
        encode_with("A1", &vanished(true, None), &ctx()),
        Err(EncodeError::Invalid { what: "FETCH VANISHED", .. })
    ));
}

fn store(
    uid: bool,
    set_: &str,
    mode: StoreMode,
    silent: bool,
    flags: Vec<Flag>,
    unchanged: Option<u64>,
) -> Command {
    Command::Store { uid, set: set(set_), mode, silent, flags, unchanged_since: unchanged }
}

#[test]
fn store_and_sequence_sets() {
    // RFC 3501 6.4.6.
    assert_eq!(
        wire("A003", &store(false, "2:4", StoreMode::Add, false, vec![Flag::Deleted], None)),
        "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n"
    );
    assert_eq!(
        wire("A330", &store(false, "7", StoreMode::Remove, true, vec![Flag::Answered, Flag::Seen], None)),
        "A330 STORE 7 -FLAGS.SILENT (\\Answered \\Seen)\r\n"
    );
    assert_eq!(
        wire("A1", &store(true, "1", StoreMode::Replace, false, vec![], None)),
        "A1 UID STORE 1 FLAGS ()\r\n"
    );
    // RFC 7162 3.1.3: the set "6,4,8" is sent normalised ascending.
    assert_eq!(
        wire("a103", &store(true, "6,4,8", StoreMode::Add, true, vec![Flag::Deleted], Some(12121231000))),
        "a103 UID STORE 4,6,8 (UNCHANGEDSINCE 12121231000) +FLAGS.SILENT (\\Deleted)\r\n"
    );
    assert_eq!(
        wire("B001", &store(false, "1:7", StoreMode::Add, false, vec![Flag::Seen], Some(320172338))),
        "B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\Seen)\r\n"
    );
    // Keywords and extension flags; \Recent and \* are the server's.
    assert_eq!(
        wire(
            "A1",
            &store(
                false,
                "1",
                StoreMode::Add,
                false,
                vec![Flag::keyword("$Forwarded"), Flag::from("\\X-Ext"), Flag::Flagged, Flag::Draft],
                None
            )
        ),
        "A1 STORE 1 +FLAGS ($Forwarded \\X-Ext \\Flagged \\Draft)\r\n"
    );
    assert!(encode_with(
        "A1",
        &store(false, "1", StoreMode::Add, false, vec![Flag::MayCreate], None),
        &ctx()
    )
    .is_err());
    assert!(matches!(
        encode_with(
            "A1",
            &store(false, "1", StoreMode::Add, false, vec![Flag::keyword("a b")], None),
            &ctx()
        ),
        Err(EncodeError::NotAnAtom { what: "keyword", .. })
    ));
    // Normalisation: sorted, merged, "*" last, never "*:5".
    let reversed: SequenceSet = "9:7,3,1:2,*:5,4".parse().unwrap();
    assert_eq!(wire("A1", &Command::UidExpunge(reversed)), "A1 UID EXPUNGE 1:4,7:9,5:*\r\n");
    assert_eq!(wire("A1", &Command::UidExpunge([5, 3, 1, 2].into())), "A1 UID EXPUNGE 1:3,5\r\n");
}

#[test]
fn copy_and_move() {
    // RFC 3501 6.4.7 and RFC 6851 section 4.
    assert_eq!(
        wire("A003", &Command::Copy { uid: false, set: set("2:4"), mailbox: mailbox("MEETING") }),
        "A003 COPY 2:4 MEETING\r\n"
    );
    assert_eq!(
        wire("a", &Command::Move { uid: true, set: set("42:69"), mailbox: mailbox("foo") }),
        "a UID MOVE 42:69 foo\r\n"
    );
    assert_eq!(
        wire("A1", &Command::Move { uid: false, set: set("1"), mailbox: mailbox("Entwürfe") }),
        "A1 MOVE 1 Entw&APw-rfe\r\n"
    );
    assert_eq!(
        wire("A1", &Command::Copy { uid: true, set: set("1"), mailbox: Mailbox::inbox() }),
        "A1 UID COPY 1 INBOX\r\n"
    );
}

#[test]
fn sort_and_thread() {
    // RFC 5256 section 3.
    let cmd = Command::Sort {
        uid: false,
        criteria: vec![SortKey::Subject.asc()],
        search: SearchKey::Since(date(1994, 2, 1)),
    };
    assert_eq!(wire("A282", &cmd), "A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n");
    let cmd = Command::Sort {
        uid: false,
        criteria: vec![SortKey::Subject.asc(), SortKey::Date.desc()],
        search: SearchKey::All,
    };
    assert_eq!(wire("A283", &cmd), "A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n");
    let every = [
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::From,
        SortKey::Size,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
    ];
    let cmd = Command::Sort {
        uid: true,
        criteria: every.iter().map(|k| k.asc()).collect(),
        search: SearchKey::subject("Grüße"),
    };
    assert_eq!(
        encode_with("A1", &cmd, &ctx()).unwrap().fragments(),
        &[
            line("A1 UID SORT (ARRIVAL CC FROM SIZE TO DISPLAYFROM DISPLAYTO) UTF-8 SUBJECT {7}\r\n"),
            literal("Grüße".as_bytes(), true),
            line("\r\n"),
        ]
    );
    assert!(encode_with(
        "A1",
        &Command::Sort { uid: false, criteria: vec![], search: SearchKey::All },
        &ctx()
    )
    .is_err());
    // RFC 5256 (the RFC writes the month in capitals).
    let cmd = Command::Thread {
        uid: false,
        algorithm: ThreadAlgorithm::OrderedSubject,
        search: SearchKey::Since(date(2000, 3, 5)),
    };
    assert_eq!(wire("A283", &cmd), "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000\r\n");
    let cmd = Command::Thread { uid: true, algorithm: ThreadAlgorithm::References, search: SearchKey::All };
    assert_eq!(wire("A028", &cmd), "A028 UID THREAD REFERENCES UTF-8 ALL\r\n");
    let cmd =
        Command::Thread { uid: false, algorithm: ThreadAlgorithm::Other(b("REFS")), search: SearchKey::All };
    assert_eq!(wire("A1", &cmd), "A1 THREAD REFS UTF-8 ALL\r\n");
}

#[test]
fn quota() {
    // RFC 9208 4.1 - 4.3 (the RFC quotes roots that can be atoms).
    assert_eq!(wire("G0001", &Command::GetQuota(b("!partition/sda4"))), "G0001 GETQUOTA !partition/sda4\r\n");
    assert_eq!(wire("A003", &Command::GetQuota(b(""))), "A003 GETQUOTA \"\"\r\n");
    assert_eq!(wire("A1", &Command::GetQuota(b("User quota"))), "A1 GETQUOTA \"User quota\"\r\n");
    assert_eq!(wire("G0002", &Command::GetQuotaRoot(Mailbox::inbox())), "G0002 GETQUOTAROOT INBOX\r\n");
    assert_eq!(
        wire("S0001", &Command::SetQuota { root: b("#user/alice"), limits: vec![(b("STORAGE"), 510)] }),
        "S0001 SETQUOTA #user/alice (STORAGE 510)\r\n"
    );
    // RFC 2087 4.1.
    assert_eq!(
        wire(
            "A001",
            &Command::SetQuota { root: b(""), limits: vec![(b("STORAGE"), 512), (b("MESSAGE"), 1000)] }
        ),
        "A001 SETQUOTA \"\" (STORAGE 512 MESSAGE 1000)\r\n"
    );
    assert_eq!(wire("A1", &Command::SetQuota { root: b(""), limits: vec![] }), "A1 SETQUOTA \"\" ()\r\n");
}

#[test]
fn acl() {
    // RFC 4314 section 3.
    assert_eq!(
        wire(
            "A002",
            &Command::SetAcl { mailbox: mailbox("INBOX/Drafts"), identifier: b("Chris"), rights: b("+cda") }
        ),
        "A002 SETACL INBOX/Drafts Chris +cda\r\n"
    );
    assert_eq!(
        wire(
            "A035",
            &Command::SetAcl {
                mailbox: mailbox("INBOX/Drafts"),
                identifier: b("John"),
                rights: b("lrQswicda")
            }
        ),
        "A035 SETACL INBOX/Drafts John lrQswicda\r\n"
    );
    assert_eq!(
        wire("A1", &Command::SetAcl { mailbox: Mailbox::inbox(), identifier: b("Fred"), rights: b("") }),
        "A1 SETACL INBOX Fred \"\"\r\n"
    );
    assert_eq!(wire("B003", &Command::GetAcl(Mailbox::inbox())), "B003 GETACL INBOX\r\n");
    assert_eq!(
        wire("B002", &Command::DeleteAcl { mailbox: Mailbox::inbox(), identifier: b("Fred") }),
        "B002 DELETEACL INBOX Fred\r\n"
    );
    assert_eq!(
        wire("a001", &Command::ListRights { mailbox: mailbox("~/Mail/saved"), identifier: b("smith") }),
        "a001 LISTRIGHTS ~/Mail/saved smith\r\n"
    );
    assert_eq!(wire("A143", &Command::MyRights(Mailbox::inbox())), "A143 MYRIGHTS INBOX\r\n");
}

#[test]
fn metadata() {
    let get = |mailbox: Option<Mailbox>, entries: &[&str], max_size, depth| Command::GetMetadata {
        mailbox,
        entries: entries.iter().map(|e| b(e)).collect(),
        max_size,
        depth,
    };
    // RFC 5464 4.2 (entries are always parenthesised; options come before
    // the mailbox, as the ABNF of section 9 says; the examples of 4.2.1
    // and 4.2.2 put them after, see erratum 2785).
    assert_eq!(
        wire("a", &get(None, &["/shared/comment"], None, MetadataDepth::Zero)),
        "a GETMETADATA \"\" (/shared/comment)\r\n"
    );
    assert_eq!(
        wire(
            "a",
            &get(Some(Mailbox::inbox()), &["/shared/comment", "/private/comment"], None, MetadataDepth::Zero)
        ),
        "a GETMETADATA INBOX (/shared/comment /private/comment)\r\n"
    );
    assert_eq!(
        wire("a", &get(Some(Mailbox::inbox()), &["/private/comment"], Some(1024), MetadataDepth::Zero)),
        "a GETMETADATA (MAXSIZE 1024) INBOX (/private/comment)\r\n"
    );
    assert_eq!(
        wire("a", &get(Some(Mailbox::inbox()), &["/private/filters/values"], None, MetadataDepth::One)),
        "a GETMETADATA (DEPTH 1) INBOX (/private/filters/values)\r\n"
    );
    assert_eq!(
        wire("a", &get(Some(mailbox("a b")), &["/x"], Some(5), MetadataDepth::Infinity)),
        "a GETMETADATA (MAXSIZE 5 DEPTH infinity) \"a b\" (/x)\r\n"
    );
    assert!(encode_with("a", &get(None, &[], None, MetadataDepth::Zero), &ctx()).is_err());
    // RFC 5464 4.3.
    let set_ = |mailbox: Option<Mailbox>, entries: Vec<(&str, Option<&[u8]>)>| Command::SetMetadata {
        mailbox,
        entries: entries.into_iter().map(|(n, v)| (b(n), v.map(Bytes::copy_from_slice))).collect(),
    };
    assert_eq!(
        wire("a", &set_(None, vec![("/shared/comment", Some(b"My comment"))])),
        "a SETMETADATA \"\" (/shared/comment \"My comment\")\r\n"
    );
    assert_eq!(
        wire("a", &set_(Some(Mailbox::inbox()), vec![("/private/comment", None)])),
        "a SETMETADATA INBOX (/private/comment NIL)\r\n"
    );
    // RFC 5464 4.3.
    let value = b"My new comment across\r\ntwo lines.";
    let enc =
        encode_with("a", &set_(Some(Mailbox::inbox()), vec![("/private/comment", Some(value))]), &ctx())
            .unwrap();
    assert_eq!(
        enc.fragments(),
        &[line("a SETMETADATA INBOX (/private/comment {33}\r\n"), literal(value, true), line(")\r\n")]
    );
    // A NIL string value is quoted; NUL needs literal8.
    assert_eq!(
        wire("a", &set_(None, vec![("/shared/x", Some(b"NIL"))])),
        "a SETMETADATA \"\" (/shared/x \"NIL\")\r\n"
    );
    let nul = set_(None, vec![("/shared/x", Some(b"\x00"))]);
    assert!(matches!(encode_with("a", &nul, &ctx()), Err(EncodeError::Nul { .. })));
    assert_eq!(
        encode_with("a", &nul, &binary()).unwrap().fragments(),
        &[line("a SETMETADATA \"\" (/shared/x ~{1}\r\n"), literal(b"\x00", true), line(")\r\n")]
    );
}

#[test]
fn annotations_and_proxyauth() {
    assert_eq!(
        wire(
            "a",
            &Command::GetAnnotation {
                mailbox: Mailbox::inbox(),
                entries: vec![b("/comment")],
                attributes: vec![b("value.shared")]
            }
        ),
        "a GETANNOTATION INBOX \"/comment\" \"value.shared\"\r\n"
    );
    assert_eq!(
        wire(
            "a",
            &Command::GetAnnotation {
                mailbox: Mailbox::inbox(),
                entries: vec![b("/comment"), b("/sort")],
                attributes: vec![b("value.*"), b("size.*")]
            }
        ),
        "a GETANNOTATION INBOX (\"/comment\" \"/sort\") (\"value.*\" \"size.*\")\r\n"
    );
    assert!(encode_with(
        "a",
        &Command::GetAnnotation { mailbox: Mailbox::inbox(), entries: vec![], attributes: vec![b("x")] },
        &ctx()
    )
    .is_err());
    assert_eq!(
        wire(
            "a",
            &Command::SetAnnotation {
                mailbox: Mailbox::inbox(),
                entry: b("/comment"),
                attributes: vec![(b("value.shared"), Some(b("My new comment"))), (b("value.priv"), None)]
            }
        ),
        "a SETANNOTATION INBOX \"/comment\" (\"value.shared\" \"My new comment\" \"value.priv\" NIL)\r\n"
    );
    assert_eq!(wire("a", &Command::ProxyAuth(b("bob"))), "a PROXYAUTH bob\r\n");
}

#[test]
fn raw_commands() {
    let cmd = Command::Raw {
        name: b("XAPPLEPUSHSERVICE"),
        args: vec![
            RawArg::Atom(b("aps-version")),
            RawArg::Number(2),
            RawArg::AString(b("aps-account-id")),
            RawArg::AString(b("two words")),
            RawArg::String(b("atomish")),
            RawArg::Nil,
            RawArg::Mailbox(mailbox("Entwürfe")),
            RawArg::SequenceSet(set("3,1:2")),
            RawArg::List(vec![RawArg::AString(b("INBOX")), RawArg::List(vec![])]),
            RawArg::AString(b("NIL")),
        ],
    };
    assert_eq!(
        wire("A1", &cmd),
        "A1 XAPPLEPUSHSERVICE aps-version 2 aps-account-id \"two words\" \"atomish\" NIL Entw&APw-rfe 1:3 (INBOX ()) \"NIL\"\r\n"
    );
    // RFC 3501 7.5's unknown command with a literal.
    let cmd = Command::Raw {
        name: b("BLURDYBLOOP"),
        args: vec![RawArg::Literal(Bytes::from_static(b"0123456789"))],
    };
    assert_eq!(
        encode_with("A044", &cmd, &ctx()).unwrap().fragments(),
        &[line("A044 BLURDYBLOOP {10}\r\n"), literal(b"0123456789", true), line("\r\n")]
    );
    let nul = Command::Raw { name: b("X"), args: vec![RawArg::Literal(Bytes::from_static(b"\x00"))] };
    assert!(matches!(encode_with("A1", &nul, &ctx()), Err(EncodeError::Nul { .. })));
    assert_eq!(encode_with("A1", &nul, &binary()).unwrap().fragments()[0], line("A1 X ~{1}\r\n"));
    assert!(matches!(
        encode_with("A1", &Command::Raw { name: b("X Y"), args: vec![] }, &ctx()),
        Err(EncodeError::NotAnAtom { what: "command name", .. })
    ));
    assert!(encode_with("A1", &Command::Raw { name: b("X"), args: vec![RawArg::Atom(b("a\r\nb"))] }, &ctx())
        .is_err());
    assert!(encode_with("A1", &Command::Raw { name: b(""), args: vec![] }, &ctx()).is_err());
}

// -------------------------------------------------------- quoting rules

#[test]
fn atom_quoted_or_literal() {
    let user = |u: &[u8]| encode_with("A1", &Command::login(ByteStr::from(u), "x"), &ctx());
    let first = |u: &[u8]| user(u).unwrap().fragments()[0].clone();
    assert_eq!(first(b"alice"), line("A1 LOGIN alice \"x\"\r\n"));
    assert_eq!(first(b"a]b"), line("A1 LOGIN a]b \"x\"\r\n"));
    assert_eq!(first(b"al ice"), line("A1 LOGIN \"al ice\" \"x\"\r\n"));
    assert_eq!(first(b"a(b"), line("A1 LOGIN \"a(b\" \"x\"\r\n"));
    assert_eq!(first(b"a{b"), line("A1 LOGIN \"a{b\" \"x\"\r\n"));
    assert_eq!(first(b"a%b*"), line("A1 LOGIN \"a%b*\" \"x\"\r\n"));
    assert_eq!(first(b"a\\b"), line("A1 LOGIN \"a\\\\b\" \"x\"\r\n"));
    assert_eq!(first(b""), line("A1 LOGIN \"\" \"x\"\r\n"));
    assert_eq!(first(b"NIL"), line("A1 LOGIN \"NIL\" \"x\"\r\n"));
    assert_eq!(first(b"Nil"), line("A1 LOGIN \"Nil\" \"x\"\r\n"));
    assert_eq!(first(b"NILS"), line("A1 LOGIN NILS \"x\"\r\n"));
    // Controls other than CR and LF are TEXT-CHARs: quoted.
    assert_eq!(first(b"a\tb"), line("A1 LOGIN \"a\tb\" \"x\"\r\n"));
    for needs_literal in [&b"a\rb"[..], b"a\nb", "ålice".as_bytes(), b"\xff"] {
        assert_eq!(
            first(needs_literal),
            line(&format!("A1 LOGIN {{{}}}\r\n", needs_literal.len())),
            "{needs_literal:?}"
        );
    }
    let long = vec![b'a'; 2000];
    assert_eq!(
        first(&long),
        Fragment::Line(Bytes::from([b"A1 LOGIN ".as_slice(), &long, b" \"x\"\r\n"].concat()))
    );
    let long_quoted = vec![b' '; 2000];
    assert_eq!(first(&long_quoted), line("A1 LOGIN {2000}\r\n"));
    assert_eq!(user(b"a\x00b"), Err(EncodeError::Nul { what: "user name" }));
}

#[test]
fn passwords_are_never_atoms() {
    let password = |p: &[u8]| encode_with("A1", &Command::login("u", ByteStr::from(p)), &ctx());
    assert_eq!(password(b"secret").unwrap().to_vec(), b"A1 LOGIN u \"secret\"\r\n");
    assert_eq!(password(b"NIL").unwrap().to_vec(), b"A1 LOGIN u \"NIL\"\r\n");
    assert_eq!(
        password("pässword".as_bytes()).unwrap().fragments(),
        &[line("A1 LOGIN u {9}\r\n"), literal("pässword".as_bytes(), true), line("\r\n")]
    );
    // With UTF8=ACCEPT a UTF-8 password may be quoted.
    assert_eq!(
        encode_with("A1", &Command::login("u", "pässword"), &utf8()).unwrap().to_vec(),
        "A1 LOGIN u \"pässword\"\r\n".as_bytes()
    );
    // Invalid UTF-8 still goes as a literal.
    assert_eq!(
        encode_with("A1", &Command::login("u", ByteStr::from(&b"\xff"[..])), &utf8())
            .unwrap()
            .sync_literals(),
        1
    );
    assert_eq!(password(b"p\x00w"), Err(EncodeError::Nul { what: "password" }));
}

#[test]
fn literal_synchronisation() {
    let with = |len: usize, ctx: &EncodeContext| {
        let data = vec![b'\x01'; len];
        encode_with("A1", &Command::Raw { name: b("X"), args: vec![RawArg::Literal(Bytes::from(data))] }, ctx)
            .unwrap()
    };
    // Without LITERAL+/-: synchronising.
    let enc = with(10, &ctx());
    assert_eq!(enc.fragments()[0], line("A1 X {10}\r\n"));
    assert!(matches!(enc.fragments()[1], Fragment::Literal { sync: true, .. }));
    assert_eq!(enc.fragments()[2], line("\r\n"));
    // LITERAL+: never.
    let enc = with(1 << 20, &plus());
    assert_eq!(enc.fragments()[0], line("A1 X {1048576+}\r\n"));
    assert_eq!(enc.sync_literals(), 0);
    // LITERAL-: up to 4096 bytes only.
    let enc = with(4096, &minus());
    assert_eq!(enc.fragments()[0], line("A1 X {4096+}\r\n"));
    assert_eq!(enc.sync_literals(), 0);
    let enc = with(4097, &minus());
    assert_eq!(enc.fragments()[0], line("A1 X {4097}\r\n"));
    assert_eq!(enc.sync_literals(), 1);
    // Several literals: each line fragment ends with an announcement or
    // the final CRLF, and literal data sits in its own fragment.
    let cmd = Command::Raw {
        name: b("X"),
        args: vec![
            RawArg::Literal(Bytes::from_static(b"ab")),
            RawArg::AString(b("c")),
            RawArg::Literal(Bytes::from_static(b"")),
            RawArg::Literal(Bytes::from_static(&[7u8; 5000])),
        ],
    };
    let enc = encode_with("A1", &cmd, &minus()).unwrap();
    assert_eq!(
        enc.fragments(),
        &[
            line("A1 X {2+}\r\n"),
            literal(b"ab", false),
            line(" c {0+}\r\n"),
            literal(b"", false),
            line(" {5000}\r\n"),
            literal(&[7u8; 5000], true),
            line("\r\n"),
        ]
    );
    assert_eq!(enc.sync_literals(), 1);
    assert_eq!(enc.clone().into_fragments().len(), 7);
    assert!(!enc.is_empty());
    // from_capabilities.
    let caps: crate::types::Capabilities =
        [Capability::LiteralMinus, Capability::Binary, Capability::Utf8Accept].into_iter().collect();
    assert_eq!(
        EncodeContext::from_capabilities(&caps),
        EncodeContext { literal_minus: true, binary: true, ..ctx() }
    );
}

// --------------------------------------------------------- properties

/// Reads one astring (atom, quoted string or literal) at `at`; a small
/// parser independent of the response parser.
fn read_astring(wire: &[u8], at: &mut usize) -> Vec<u8> {
    match wire[*at] {
        b'"' => {
            let mut out = Vec::new();
            *at += 1;
            loop {
                match wire[*at] {
                    b'"' => break,
                    b'\\' => {
                        out.push(wire[*at + 1]);
                        *at += 2;
                    }
                    c => {
                        assert!(c != b'\r' && c != b'\n' && c != 0, "raw {c:#x} in a quoted string");
                        out.push(c);
                        *at += 1;
                    }
                }
            }
            *at += 1;
            out
        }
        // A "~" alone is an ASTRING-CHAR; "~{" starts a literal8.
        b'{' | b'~' if wire[*at] == b'{' || wire.get(*at + 1) == Some(&b'{') => {
            if wire[*at] == b'~' {
                *at += 1;
            }
            *at += 1;
            let digits_start = *at;
            while wire[*at].is_ascii_digit() {
                *at += 1;
            }
            let n: usize = std::str::from_utf8(&wire[digits_start..*at]).unwrap().parse().unwrap();
            if wire[*at] == b'+' {
                *at += 1;
            }
            assert_eq!(&wire[*at..*at + 3], b"}\r\n");
            *at += 3;
            let out = wire[*at..*at + n].to_vec();
            *at += n;
            out
        }
        _ => {
            let start = *at;
            while is_astring_char(wire[*at]) {
                *at += 1;
            }
            assert!(*at > start, "empty atom at {start}");
            let atom = wire[start..*at].to_vec();
            assert!(!atom.eq_ignore_ascii_case(b"NIL"), "NIL sent as an atom");
            atom
        }
    }
}

/// Checks that command text never holds CR or LF except the CRLF ending
/// each line fragment, and that a line fragment not at the end announces
/// a literal.
fn assert_no_injection(enc: &Encoded) {
    let n = enc.fragments().len();
    for (i, f) in enc.fragments().iter().enumerate() {
        match f {
            Fragment::Line(l) => {
                assert!(l.ends_with(b"\r\n"), "{l:?}");
                let body = &l[..l.len() - 2];
                assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "CR or LF in {l:?}");
                if i + 1 < n {
                    assert!(body.ends_with(b"}"), "{l:?}");
                    assert!(matches!(enc.fragments()[i + 1], Fragment::Literal { .. }));
                }
            }
            Fragment::Literal { .. } => assert!(i > 0 && matches!(enc.fragments()[i - 1], Fragment::Line(_))),
        }
    }
    assert!(matches!(enc.fragments().last(), Some(Fragment::Line(_))));
}

fn arb_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(1u8..=255, 0..40),
        "[ -~\r\n\t\"\\\\{}()%*\\]]{0,24}".prop_map(String::into_bytes),
        any::<String>().prop_map(|s| s.replace('\0', "").into_bytes()),
        Just(b"NIL".to_vec()),
        Just(b"nil".to_vec()),
        Just(Vec::new()),
    ]
}

fn contexts() -> [EncodeContext; 5] {
    [ctx(), plus(), minus(), utf8(), EncodeContext { literal_plus: true, utf8: true, binary: true, ..ctx() }]
}

/// Every kind of argument, each paired with the prefix before it (to
/// locate it for the round trip, `None` where the encoding transforms it).
fn commands_with(text: &[u8], ctx: &EncodeContext) -> Vec<(Command, Option<&'static str>)> {
    let s = ByteStr::from(text);
    let search_prefix =
        if !s.is_ascii() && !ctx.utf8 { "A1 SEARCH CHARSET UTF-8 SUBJECT " } else { "A1 SEARCH SUBJECT " };
    vec![
        (Command::login(s.clone(), "pw"), Some("A1 LOGIN ")),
        (Command::Login { username: b("u"), password: Secret::new(s.clone()) }, Some("A1 LOGIN u ")),
        (Command::select(Mailbox::from_wire(Bytes::copy_from_slice(text))), None),
        (Command::search(false, SearchKey::Subject(s.clone())), Some(search_prefix)),
        (
            Command::SetMetadata {
                mailbox: None,
                entries: vec![(b("/shared/x"), Some(Bytes::copy_from_slice(text)))],
            },
            Some("A1 SETMETADATA \"\" (/shared/x "),
        ),
        (Command::Raw { name: b("X"), args: vec![RawArg::AString(s.clone())] }, Some("A1 X ")),
        (Command::Raw { name: b("X"), args: vec![RawArg::String(s.clone())] }, Some("A1 X ")),
        (Command::Id(Some(vec![(s.clone(), Some(s.clone()))])), Some("A1 ID (")),
        (Command::List(ListCommand::new(s.clone())), None),
        (Command::Lsub { reference: s.clone(), pattern: s.clone() }, None),
        (Command::GetQuota(s.clone()), Some("A1 GETQUOTA ")),
        (
            Command::SetAcl { mailbox: Mailbox::inbox(), identifier: s.clone(), rights: s.clone() },
            Some("A1 SETACL INBOX "),
        ),
        (
            Command::SetAnnotation {
                mailbox: Mailbox::inbox(),
                entry: s.clone(),
                attributes: vec![(s.clone(), Some(s.clone()))],
            },
            Some("A1 SETANNOTATION INBOX "),
        ),
        (Command::search(false, SearchKey::header(s.clone(), s.clone())), None),
        (Command::ProxyAuth(s), Some("A1 PROXYAUTH ")),
    ]
}

proptest! {
    #[test]
    fn no_argument_can_inject_crlf(text in arb_text()) {
        for ctx in contexts() {
            for (cmd, _) in commands_with(&text, &ctx) {
                match encode_with("A1", &cmd, &ctx) {
                    Ok(enc) => assert_no_injection(&enc),
                    // Only a NUL may be refused; arb_text has none.
                    Err(e) => prop_assert!(false, "{:?} refused: {}", cmd, e),
                }
            }
        }
    }

    #[test]
    fn any_string_parses_back(text in arb_text()) {
        for ctx in contexts() {
            for (cmd, prefix) in commands_with(&text, &ctx) {
                let Some(prefix) = prefix else { continue };
                let wire = encode_with("A1", &cmd, &ctx).unwrap().to_vec();
                prop_assert!(wire.starts_with(prefix.as_bytes()), "{:?}", String::from_utf8_lossy(&wire));
                let mut at = prefix.len();
                let back = read_astring(&wire, &mut at);
                prop_assert_eq!(&back, &text, "{:?}", String::from_utf8_lossy(&wire));
            }
        }
        // A mailbox name received from the server goes back byte for byte.
        let mailbox = Mailbox::from_wire(Bytes::copy_from_slice(&text));
        let wire = encode_with("A1", &Command::select(mailbox.clone()), &ctx()).unwrap().to_vec();
        let mut at = "A1 SELECT ".len();
        prop_assert_eq!(read_astring(&wire, &mut at), mailbox.wire().to_vec());
        prop_assert_eq!(&wire[at..], b"\r\n");
    }

    #[test]
    fn mailbox_names_round_trip_through_modified_utf7(name in any::<String>()) {
        prop_assume!(!name.eq_ignore_ascii_case("INBOX"));
        let mailbox = Mailbox::new(&name);
        for ctx in [ctx(), utf8()] {
            let enc = encode_with("A1", &Command::select(mailbox.clone()), &ctx);
            if name.contains('\0') && ctx.utf8 {
                prop_assert!(enc.is_err());
                continue;
            }
            let wire = enc.unwrap().to_vec();
            let mut at = "A1 SELECT ".len();
            let raw = read_astring(&wire, &mut at);
            prop_assert_eq!(&wire[at..], b"\r\n");
            let back = Mailbox::from_wire_mode(Bytes::from(raw), ctx.utf8);
            prop_assert_eq!(back.as_str(), name.as_str());
            prop_assert!(!back.is_lossy());
        }
    }
}

#[test]
fn imap4rev2_implies_literal_minus() {
    use crate::types::{Capabilities, Capability};
    let rev2 = EncodeContext::from_capabilities(&Capabilities::from_iter([Capability::Imap4Rev2]));
    assert!(rev2.literal_minus && !rev2.literal_plus);
    let rev1 = EncodeContext::from_capabilities(&Capabilities::from_iter([Capability::Imap4Rev1]));
    assert!(!rev1.literal_minus);
}
