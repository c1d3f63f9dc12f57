//! Response parser tests: one or more per response type, with the RFC
//! examples quoted verbatim (lines the RFC wraps are joined, as they are
//! on the wire), every leniency knob both ways, error containment, limits,
//! zero-copy, and the Dovecot capture under any chunking.

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::error::{LimitError, LimitKind, ParseError};
use crate::types::{
    AclEntry, Address, Annotation, BodyExtension, BodyFields, BodyStructure, ByteStr, Capabilities,
    Capability, Continue, Data, DateTime, Disposition, ESearch, Envelope, Fetch, FetchItem, Flag,
    ListAttribute, ListExtendedItem, ListItem, Mailbox, MetadataCode, MetadataEntry, MultiPart, MultiPartExt,
    Namespace, Namespaces, Quota, QuotaResource, Response, ResponseCode, Section, SectionText, SequenceSet,
    SinglePart, SinglePartExt, SinglePartKind, SpecialUse, Status, StatusItem, StatusKind, Tag, Thread,
};

mod quirks;

const DOVECOT: &[u8] = include_bytes!("../../tests/data/dovecot-session.bin");

// ---------------------------------------------------------------- helpers

fn s(text: &str) -> ByteStr {
    ByteStr::from(text)
}

fn set(text: &str) -> SequenceSet {
    text.parse().unwrap()
}

fn tag(t: &str) -> Option<Tag> {
    Some(Tag::new(t.to_owned()).unwrap())
}

fn with_crlf(line: &str) -> Bytes {
    Bytes::from(format!("{line}\r\n"))
}

fn try_parse(raw: &[u8], opts: &ParseOptions) -> Result<Response, ResponseError> {
    parse_response(&Bytes::copy_from_slice(raw), opts)
}

/// Parses a complete response (CRLF included) leniently.
fn parse_raw(raw: &[u8]) -> Response {
    try_parse(raw, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses one line (CRLF added) that follows the grammar: strict and
/// lenient parsing must agree.
fn both(line: &str) -> Response {
    let raw = with_crlf(line);
    let lenient = parse_response(&raw, &ParseOptions::default()).unwrap_or_else(|e| panic!("lenient: {e}"));
    let strict = parse_response(&raw, &ParseOptions::strict()).unwrap_or_else(|e| panic!("strict: {e}"));
    assert_eq!(lenient, strict, "{line}");
    lenient
}

/// Parses one line (CRLF added) that only the lenient parser accepts.
fn lenient_only(line: &str) -> Response {
    let raw = with_crlf(line);
    let strict = parse_response(&raw, &ParseOptions::strict());
    assert!(strict.is_err(), "strict parsing accepted {line:?}: {strict:?}");
    parse_response(&raw, &ParseOptions::default()).unwrap_or_else(|e| panic!("lenient: {e}"))
}

fn strict_error(line: &[u8]) -> ParseError {
    match try_parse(line, &ParseOptions::strict()) {
        Err(ResponseError::Parse(e)) => e,
        other => panic!("expected a parse error for {:?}, got {other:?}", String::from_utf8_lossy(line)),
    }
}

fn lenient_error(line: &[u8]) -> ParseError {
    match try_parse(line, &ParseOptions::default()) {
        Err(ResponseError::Parse(e)) => e,
        other => panic!("expected a parse error for {:?}, got {other:?}", String::from_utf8_lossy(line)),
    }
}

fn status(tag_: Option<&str>, kind: StatusKind, code: Option<ResponseCode>, text: &str) -> Response {
    Response::Status(Status { tag: tag_.and_then(tag), kind, code, text: s(text) })
}

fn code_of(response: Response) -> ResponseCode {
    match response {
        Response::Status(Status { code: Some(code), .. }) => code,
        other => panic!("no response code in {other:?}"),
    }
}

fn data(response: Response) -> Data {
    match response {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

fn fetch(response: Response) -> Fetch {
    match data(response) {
        Data::Fetch(f) => f,
        other => panic!("not FETCH: {other:?}"),
    }
}

fn list(response: Response) -> ListItem {
    match data(response) {
        Data::List(l) => l,
        other => panic!("not LIST: {other:?}"),
    }
}

fn caps(names: &[&str]) -> Capabilities {
    names.iter().map(|n| Capability::from_wire(n.as_bytes())).collect()
}

fn addr(name: Option<&str>, mailbox: Option<&str>, host: Option<&str>) -> Address {
    Address { name: name.map(s), adl: None, mailbox: mailbox.map(s), host: host.map(s) }
}

fn text_part(subtype: &str, params: &[(&str, &str)], encoding: &str, octets: u64, lines: u64) -> SinglePart {
    SinglePart {
        media_type: s("TEXT"),
        media_subtype: s(subtype),
        fields: BodyFields {
            params: params.iter().map(|(k, v)| (s(k), s(v))).collect(),
            id: None,
            description: None,
            encoding: s(encoding),
            octets,
        },
        kind: SinglePartKind::Text { lines },
        ext: SinglePartExt::default(),
    }
}

fn thread(messages: &[u32], children: Vec<Thread>) -> Thread {
    Thread { messages: messages.to_vec(), children }
}

fn leaf(messages: &[u32]) -> Thread {
    thread(messages, vec![])
}

// ------------------------------------------------- status responses

#[test]
fn rfc3501_7_1_status_responses() {
    // RFC 3501 7.1.1 - 7.1.5.
    assert_eq!(
        both("* OK IMAP4rev1 server ready"),
        status(None, StatusKind::Ok, None, "IMAP4rev1 server ready")
    );
    assert_eq!(
        both("* OK [ALERT] System shutdown in 10 minutes"),
        status(None, StatusKind::Ok, Some(ResponseCode::Alert), "System shutdown in 10 minutes")
    );
    assert_eq!(
        both("A001 OK LOGIN Completed"),
        status(Some("A001"), StatusKind::Ok, None, "LOGIN Completed")
    );
    assert_eq!(
        both("* NO Disk is 98% full, please delete unnecessary data"),
        status(None, StatusKind::No, None, "Disk is 98% full, please delete unnecessary data")
    );
    assert_eq!(
        both("A223 NO COPY failed: disk is full"),
        status(Some("A223"), StatusKind::No, None, "COPY failed: disk is full")
    );
    assert_eq!(
        both("* BAD Command line too long"),
        status(None, StatusKind::Bad, None, "Command line too long")
    );
    assert_eq!(
        both("A044 BAD No such command as \"BLURDYBLOOP\""),
        status(Some("A044"), StatusKind::Bad, None, "No such command as \"BLURDYBLOOP\"")
    );
    assert_eq!(
        both("* PREAUTH IMAP4rev1 server logged in as Smith"),
        status(None, StatusKind::PreAuth, None, "IMAP4rev1 server logged in as Smith")
    );
    assert_eq!(
        both("* BYE Autologout; idle for too long"),
        status(None, StatusKind::Bye, None, "Autologout; idle for too long")
    );
}

#[test]
fn rfc3501_select_response_codes() {
    // RFC 3501 6.3.1 and 6.3.2.
    assert_eq!(code_of(both("* OK [UNSEEN 12] Message 12 is first unseen")), ResponseCode::Unseen(12));
    assert_eq!(
        code_of(both("* OK [UIDVALIDITY 3857529045] UIDs valid")),
        ResponseCode::UidValidity(3857529045)
    );
    assert_eq!(code_of(both("* OK [UIDNEXT 4392] Predicted next UID")), ResponseCode::UidNext(4392));
    assert_eq!(
        both("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited"),
        status(
            None,
            StatusKind::Ok,
            Some(ResponseCode::PermanentFlags(vec![Flag::Deleted, Flag::Seen, Flag::MayCreate])),
            "Limited"
        )
    );
    assert_eq!(
        code_of(both("* OK [PERMANENTFLAGS ()] No permanent flags permitted")),
        ResponseCode::PermanentFlags(vec![])
    );
    assert_eq!(
        both("A142 OK [READ-WRITE] SELECT completed"),
        status(Some("A142"), StatusKind::Ok, Some(ResponseCode::ReadWrite), "SELECT completed")
    );
    assert_eq!(code_of(both("A932 OK [READ-ONLY] EXAMINE completed")), ResponseCode::ReadOnly);
    // RFC 9051 7.1 lists TRYCREATE and PARSE.
    assert_eq!(code_of(both("A003 NO [TRYCREATE] No such mailbox")), ResponseCode::TryCreate);
    assert_eq!(code_of(both("* NO [PARSE] Bad header in message 3")), ResponseCode::Parse);
}

#[test]
fn capability_response_code() {
    // RFC 9051 6.2.2, wrapped line joined.
    assert_eq!(
        both("* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI] Capabilities"),
        status(
            None,
            StatusKind::Ok,
            Some(ResponseCode::Capability(caps(&["IMAP4rev2", "STARTTLS", "AUTH=GSSAPI"]))),
            "Capabilities"
        )
    );
    // RFC 4978 section 5: a code with no text.
    let response = lenient_only("* OK [CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE]");
    let ResponseCode::Capability(c) = code_of(response) else { panic!() };
    assert!(c.has(&Capability::Imap4Rev1) && c.has(&Capability::Compress(s("DEFLATE"))));
}

#[test]
fn badcharset_code() {
    assert_eq!(
        code_of(both("A1 NO [BADCHARSET (UTF-8 \"US-ASCII\")] Unsupported charset")),
        ResponseCode::BadCharset(vec![s("UTF-8"), s("US-ASCII")])
    );
    assert_eq!(code_of(both("A1 NO [BADCHARSET] Unsupported charset")), ResponseCode::BadCharset(vec![]));
    // RFC 9051 6.4.4.1 sends the charset without parentheses.
    assert_eq!(
        both("B283 NO [BADCHARSET UTF-8] KOI8-R is not supported"),
        status(
            Some("B283"),
            StatusKind::No,
            Some(ResponseCode::BadCharset(vec![s("UTF-8")])),
            "KOI8-R is not supported"
        )
    );
}

#[test]
fn rfc4315_uidplus_codes() {
    assert_eq!(
        both("A003 OK [APPENDUID 38505 3955] APPEND completed"),
        status(
            Some("A003"),
            StatusKind::Ok,
            Some(ResponseCode::AppendUid { uid_validity: 38505, uids: set("3955") }),
            "APPEND completed"
        )
    );
    assert_eq!(
        code_of(both("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done")),
        ResponseCode::CopyUid { uid_validity: 38505, source: set("304,319:320"), dest: set("3956:3958") }
    );
    assert_eq!(code_of(both("* NO [UIDNOTSTICKY] Non-persistent UIDs")), ResponseCode::UidNotSticky);
    // MULTIAPPEND: a set (Dovecot).
    assert_eq!(
        code_of(both("A015 OK [APPENDUID 1795306847 3:4] Append completed")),
        ResponseCode::AppendUid { uid_validity: 1795306847, uids: set("3:4") }
    );
}

#[test]
fn rfc6851_copyuid_in_untagged_ok() {
    // RFC 6851 section 4.3 (the code has no text after it).
    assert_eq!(
        lenient_only("* OK [COPYUID 432432 42:69 1202:1229]"),
        status(
            None,
            StatusKind::Ok,
            Some(ResponseCode::CopyUid {
                uid_validity: 432432,
                source: set("42:69"),
                dest: set("1202:1229")
            }),
            ""
        )
    );
    // With the SP that RFC 9051 requires after "]", strict parsing accepts it.
    assert_eq!(
        code_of(both("* OK [COPYUID 432432 42:69 1202:1229] ")),
        ResponseCode::CopyUid { uid_validity: 432432, source: set("42:69"), dest: set("1202:1229") }
    );
}

#[test]
fn rfc7162_condstore_codes() {
    assert_eq!(
        lenient_only("* OK [HIGHESTMODSEQ 715194045007]"),
        status(None, StatusKind::Ok, Some(ResponseCode::HighestModSeq(715194045007)), "")
    );
    assert_eq!(
        code_of(both("* OK [HIGHESTMODSEQ 90060128194045007] Highest mailbox mod-sequence")),
        ResponseCode::HighestModSeq(90060128194045007)
    );
    assert_eq!(
        both("* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences"),
        status(
            None,
            StatusKind::Ok,
            Some(ResponseCode::NoModSeq),
            "Sorry, this mailbox format doesn't support modsequences"
        )
    );
    assert_eq!(
        both("d105 OK [MODIFIED 7,9] Conditional STORE failed"),
        status(
            Some("d105"),
            StatusKind::Ok,
            Some(ResponseCode::Modified(set("7,9"))),
            "Conditional STORE failed"
        )
    );
    assert_eq!(
        code_of(both("B001 NO [MODIFIED 2] Some of the messages no longer exist.")),
        ResponseCode::Modified(set("2"))
    );
    assert_eq!(lenient_only("* OK [CLOSED]"), status(None, StatusKind::Ok, Some(ResponseCode::Closed), ""));
    assert_eq!(code_of(both("* OK [CLOSED] Previous mailbox is now closed")), ResponseCode::Closed);
}

#[test]
fn rfc5530_response_codes() {
    let cases = [
        ("a NO [UNAVAILABLE] User's backend down for maintenance", ResponseCode::Unavailable),
        ("b NO [AUTHENTICATIONFAILED] Authentication failed", ResponseCode::AuthenticationFailed),
        ("c1 NO [AUTHORIZATIONFAILED] No such authorization-ID", ResponseCode::AuthorizationFailed),
        ("d NO [EXPIRED] That password isn't valid any more", ResponseCode::Expired),
        ("d NO [PRIVACYREQUIRED] Connection offers no privacy", ResponseCode::PrivacyRequired),
        ("f NO [NOPERM] Access denied", ResponseCode::NoPerm),
        ("g NO [INUSE] Mailbox in use", ResponseCode::InUse),
        ("h OK [EXPUNGEISSUED] Search completed", ResponseCode::ExpungeIssued),
        ("i NO [CORRUPTION] Cannot open mailbox", ResponseCode::Corruption),
        ("j NO [SERVERBUG] This should not happen", ResponseCode::ServerBug),
        ("k2 OK [CLIENTBUG] Done", ResponseCode::ClientBug),
        ("l NO [CANNOT] Adjacent slashes are not supported", ResponseCode::Cannot),
        ("m NO [LIMIT] At most 32 flags in one mailbox supported", ResponseCode::Limit),
        ("n1 NO [OVERQUOTA] Sorry", ResponseCode::OverQuota),
        ("o NO [ALREADYEXISTS] Mailbox \"that\" already exists", ResponseCode::AlreadyExists),
        ("p NO [NONEXISTENT] No such mailbox", ResponseCode::NonExistent),
        // RFC 9051 7.1.
        ("o356 NO [HASCHILDREN] Mailbox \"Notes\" has children", ResponseCode::HasChildren),
        ("A1 NO [NOTSAVED] Search result not saved", ResponseCode::NotSaved),
        // RFC 3516 and RFC 9586.
        ("A1 NO [UNKNOWN-CTE] Can't decode x-uuencode", ResponseCode::UnknownCte),
        ("A1 BAD [UIDREQUIRED] Message numbers are not allowed", ResponseCode::UidRequired),
    ];
    for (line, code) in cases {
        assert_eq!(code_of(both(line)), code, "{line}");
    }
    // RFC 5530 section 3: a code with no text.
    assert_eq!(
        lenient_only("e OK [CONTACTADMIN]"),
        status(Some("e"), StatusKind::Ok, Some(ResponseCode::ContactAdmin), "")
    );
}

#[test]
fn rfc5464_metadata_codes() {
    assert_eq!(
        code_of(both("a OK [METADATA LONGENTRIES 2199] GETMETADATA complete")),
        ResponseCode::Metadata(MetadataCode::LongEntries(2199))
    );
    assert_eq!(
        code_of(both("a NO [METADATA TOOMANY] SETMETADATA failed")),
        ResponseCode::Metadata(MetadataCode::TooMany)
    );
    assert_eq!(
        code_of(both("a NO [METADATA MAXSIZE 1024] SETMETADATA failed")),
        ResponseCode::Metadata(MetadataCode::MaxSize(1024))
    );
    assert_eq!(
        code_of(both("a NO [METADATA NOPRIVATE] SETMETADATA failed")),
        ResponseCode::Metadata(MetadataCode::NoPrivate)
    );
}

#[test]
fn compression_objectid_and_appendlimit_codes() {
    // RFC 4978 section 4.
    assert_eq!(
        both("c NO [COMPRESSIONACTIVE] DEFLATE active via TLS"),
        status(Some("c"), StatusKind::No, Some(ResponseCode::CompressionActive), "DEFLATE active via TLS")
    );
    // RFC 8474 section 4.1.
    assert_eq!(
        both("3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed"),
        status(
            Some("3"),
            StatusKind::Ok,
            Some(ResponseCode::MailboxId(s("F2212ea87-6097-4256-9d51-71338625"))),
            "Completed"
        )
    );
    // RFC 7889 section 4 (via RFC 4469): TOOBIG.
    assert_eq!(code_of(both("A3 NO [TOOBIG] Message too large")), ResponseCode::TooBig);
}

#[test]
fn unknown_response_codes_are_kept_raw() {
    // RFC 6154 section 5.3.
    assert_eq!(
        both("t3 NO [USEATTR] \\All not supported"),
        status(
            Some("t3"),
            StatusKind::No,
            Some(ResponseCode::Other { name: s("USEATTR"), data: None }),
            "\\All not supported"
        )
    );
    assert_eq!(
        code_of(both("* OK [REFERRAL imap://user;AUTH=*@SERVER2/] Remote mailbox")),
        ResponseCode::Other { name: s("REFERRAL"), data: Some(s("imap://user;AUTH=*@SERVER2/")) }
    );
    assert_eq!(
        code_of(both("* NO [X-GM-FOO (a b) \"c\"] hmm")),
        ResponseCode::Other { name: s("X-GM-FOO"), data: Some(s("(a b) \"c\"")) }
    );
}

#[test]
fn continuation_requests() {
    // RFC 3501 6.3.11 and 7.5.
    assert_eq!(
        both("+ Ready for literal data"),
        Response::Continue(Continue { code: None, text: s("Ready for literal data") })
    );
    assert_eq!(both("+ idling"), Response::Continue(Continue { code: None, text: s("idling") }));
    // RFC 9051 6.2.2, a base64 challenge.
    assert_eq!(
        both("+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQKhQjBAoAMCAQGhOTA3GwRrZW5uGy9tYWlsLmNhYy53YXNoaW5ndG9uLmVkdQ=="),
        Response::Continue(Continue {
            code: None,
            text: s("YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQKhQjBAoAMCAQGhOTA3GwRrZW5uGy9tYWlsLmNhYy53YXNoaW5ndG9uLmVkdQ==")
        })
    );
    // An empty challenge: "+" SP, then empty base64 (valid in both RFCs).
    assert_eq!(both("+ "), Response::Continue(Continue { code: None, text: s("") }));
    // With a response code.
    assert_eq!(
        both("+ [ALERT] go"),
        Response::Continue(Continue { code: Some(ResponseCode::Alert), text: s("go") })
    );
}

// ------------------------------------------------- server and mailbox status

#[test]
fn capability_data() {
    // RFC 3501 7.2.1.
    let Data::Capability(c) = data(both("* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN")) else {
        panic!()
    };
    assert_eq!(c, caps(&["IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "XPIG-LATIN"]));
    assert_eq!(
        c.iter().cloned().collect::<Vec<_>>(),
        vec![
            Capability::Imap4Rev1,
            Capability::StartTls,
            Capability::Auth(s("GSSAPI")),
            Capability::Other(s("XPIG-LATIN"))
        ]
    );
    // RFC 7889 section 3.
    let Data::Capability(c) = data(both("* CAPABILITY IMAP4rev1 ID APPENDLIMIT=257890")) else { panic!() };
    assert!(c.has(&Capability::AppendLimit(Some(257890))));
    let Data::Capability(c) = data(both("* CAPABILITY IMAP4rev1 ID APPENDLIMIT")) else { panic!() };
    assert!(c.has(&Capability::AppendLimit(None)));
}

#[test]
fn rfc5161_enabled() {
    assert_eq!(data(both("* ENABLED X-GOOD-IDEA")), Data::Enabled(caps(&["X-GOOD-IDEA"])));
    assert_eq!(data(both("* ENABLED CONDSTORE QRESYNC")), Data::Enabled(caps(&["CONDSTORE", "QRESYNC"])));
    assert_eq!(data(both("* ENABLED")), Data::Enabled(Capabilities::new()));
}

#[test]
fn rfc3501_list_and_lsub() {
    assert_eq!(
        list(both("* LIST (\\Noselect) \"/\" ~/Mail/foo")),
        ListItem {
            attributes: vec![ListAttribute::NoSelect],
            delimiter: Some('/'),
            mailbox: Mailbox::new("~/Mail/foo"),
            extended: vec![],
        }
    );
    let l = list(both("* LIST (\\Noselect) \"/\" \"\""));
    assert_eq!(l.mailbox.as_str(), "");
    let l = list(both("* LIST (\\Noselect) \".\" #news."));
    assert_eq!((l.delimiter, l.mailbox.as_str()), (Some('.'), "#news."));
    let l = list(both("* LIST () \".\" INBOX.bar"));
    assert!(l.attributes.is_empty());
    assert_eq!(l.mailbox.as_str(), "INBOX.bar");
    // A flat namespace has no delimiter.
    assert_eq!(list(both("* LIST (\\NoInferiors) NIL INBOX")).delimiter, None);
    // A quoted "\\" delimiter.
    assert_eq!(list(both("* LIST () \"\\\\\" Sent")).delimiter, Some('\\'));
    // RFC 3501 7.2.3.
    let Data::Lsub(l) = data(both("* LSUB () \".\" #news.comp.mail.misc")) else { panic!() };
    assert_eq!(l.mailbox.as_str(), "#news.comp.mail.misc");
    let Data::Lsub(l) = data(both("* LSUB (\\NoSelect) \".\" #news.comp.mail")) else { panic!() };
    assert_eq!(l.attributes, vec![ListAttribute::NoSelect]);
}

#[test]
fn mailbox_names_are_decoded() {
    let l = list(both("* LIST (\\HasNoChildren) \"/\" imap-core-capture/Entw&APw-rfe"));
    assert_eq!(l.mailbox.as_str(), "imap-core-capture/Entwürfe");
    assert_eq!(l.mailbox.wire(), b"imap-core-capture/Entw&APw-rfe");
    // RFC 3501 5.1.3.
    let l = list(both("* LIST () \"/\" \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\""));
    assert_eq!(l.mailbox.as_str(), "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}");
    // INBOX in any case.
    assert!(list(both("* LIST () \"/\" inbox")).mailbox.is_inbox());
    // After ENABLE UTF8=ACCEPT names are UTF-8, and "&" is just a character.
    let raw = Bytes::from("* LIST () \"/\" \"Entwürfe & Co\"\r\n");
    let Response::Data(Data::List(l)) = parse_response_utf8(&raw, &ParseOptions::strict()).unwrap() else {
        panic!()
    };
    assert_eq!(l.mailbox.as_str(), "Entwürfe & Co");
    let mut decoder = Decoder::default();
    decoder.set_utf8(true);
    decoder.push(b"* LIST () \"/\" \"A&-B\"\r\n");
    let Some(Ok(Response::Data(Data::List(l)))) = decoder.next_response() else { panic!() };
    assert_eq!(l.mailbox.as_str(), "A&-B");
}

#[test]
fn rfc9051_list_extended_data() {
    // RFC 9051 7.3.1, wrapped lines joined.
    let l = list(both(
        "* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample \"text\")",
    ));
    assert_eq!(l.attributes, vec![ListAttribute::Marked]);
    assert_eq!(l.delimiter, Some(':'));
    assert_eq!(
        l.extended,
        vec![
            ListExtendedItem::Other {
                tag: s("tablecloth"),
                raw: s("((\"edge\" \"lacy\") (\"color\" \"red\"))")
            },
            ListExtendedItem::Other { tag: s("Sample"), raw: s("\"text\"") },
        ]
    );
    let l = list(both(
        "* LIST () \":\" Tables:new (tablecloth (\"edge\" \"lacy\") Sample (\"text\" \"more text\"))",
    ));
    assert_eq!(l.mailbox.as_str(), "Tables:new");
    assert_eq!(l.extended.len(), 2);
    // RFC 9051 6.3.4 and 6.3.9.6: OLDNAME.
    assert_eq!(
        list(both("* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))")).extended,
        vec![ListExtendedItem::OldName(Mailbox::new("OldMailbox"))]
    );
    assert_eq!(
        list(both("* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))")).extended,
        vec![ListExtendedItem::OldName(Mailbox::inbox())]
    );
    // RFC 5258 section 9: the extended list may be empty.
    assert_eq!(list(both("* LIST () \"/\" Foo ()")).extended, vec![]);
}

#[test]
fn rfc5258_list_extended_childinfo() {
    assert_eq!(
        list(both("* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))")),
        ListItem {
            attributes: vec![],
            delimiter: Some('/'),
            mailbox: Mailbox::new("Foo"),
            extended: vec![ListExtendedItem::ChildInfo(vec![s("SUBSCRIBED")])],
        }
    );
    let l = list(both("* LIST (\\Subscribed \\HasChildren) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))"));
    assert_eq!(l.attributes, vec![ListAttribute::Subscribed, ListAttribute::HasChildren]);
    let l = list(both("* LIST (\\NonExistent) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))"));
    assert_eq!(l.attributes, vec![ListAttribute::NonExistent]);
    let l = list(both("* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\""));
    assert_eq!(l.attributes, vec![ListAttribute::Subscribed, ListAttribute::NonExistent]);
    let l = list(both("* LIST (\\Remote \\HasNoChildren) \"/\" \"Bread\""));
    assert_eq!(l.attributes, vec![ListAttribute::Remote, ListAttribute::HasNoChildren]);
    // RFC 5819 section 5: the tag as an atom.
    assert_eq!(
        list(both("* LIST () \".\" \"foo\" (CHILDINFO (\"SUBSCRIBED\"))")).extended,
        vec![ListExtendedItem::ChildInfo(vec![s("SUBSCRIBED")])]
    );
}

#[test]
fn rfc6154_special_use() {
    let l = list(both("* LIST (\\Sent \\HasNoChildren) \"/\" SentMail"));
    assert_eq!(l.special_use(), Some(SpecialUse::Sent));
    let l = list(both("* LIST (\\Marked \\Drafts \\HasNoChildren) \"/\" MyDrafts"));
    assert_eq!(
        l.attributes,
        vec![
            ListAttribute::Marked,
            ListAttribute::SpecialUse(SpecialUse::Drafts),
            ListAttribute::HasNoChildren
        ]
    );
    let l = list(both("* LIST (\\Trash \\HasNoChildren) \"/\" Trash"));
    assert_eq!(l.special_use(), Some(SpecialUse::Trash));
    // RFC 9051 6.3.9.7.
    let l = list(both("* LIST (\\NonExistent \\Archive) \"/\" Archives"));
    assert_eq!(l.special_use(), Some(SpecialUse::Archive));
    assert_eq!(list(both("* LIST (\\NonExistent \\Junk) \"/\" Junk")).special_use(), Some(SpecialUse::Junk));
    assert_eq!(
        list(both("* LIST (\\NonExistent \\Trash) \"/\" \"Deleted Items\"")).mailbox.as_str(),
        "Deleted Items"
    );
    // Gmail's XLIST and an unknown attribute.
    let Data::List(l) = data(both("* XLIST (\\HasNoChildren \\AllMail \\X-Foo) \"/\" \"[Gmail]/All Mail\""))
    else {
        panic!()
    };
    assert_eq!(
        l.attributes,
        vec![
            ListAttribute::HasNoChildren,
            ListAttribute::Other(s("\\AllMail")),
            ListAttribute::Other(s("\\X-Foo"))
        ]
    );
    assert_eq!(l.mailbox.as_str(), "[Gmail]/All Mail");
}

#[test]
fn rfc5819_list_status() {
    let mut decoder = Decoder::default();
    decoder.push(b"* LIST () \".\" \"foo\"\r\n* STATUS \"foo\" (MESSAGES 30 UNSEEN 29)\r\n");
    assert!(matches!(decoder.next_response(), Some(Ok(Response::Data(Data::List(_))))));
    assert_eq!(
        decoder.next_response().unwrap().unwrap(),
        Response::Data(Data::Status {
            mailbox: Mailbox::new("foo"),
            items: vec![StatusItem::Messages(30), StatusItem::Unseen(29)]
        })
    );
    // RFC 5819 section 5 has a doubled space here.
    assert_eq!(lenient_only("* LIST () \".\"  \"INBOX\"").clone(), both("* LIST () \".\" \"INBOX\""));
}

#[test]
fn status_data() {
    // RFC 3501 7.2.4.
    assert_eq!(
        data(both("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)")),
        Data::Status {
            mailbox: Mailbox::new("blurdybloop"),
            items: vec![StatusItem::Messages(231), StatusItem::UidNext(44292)]
        }
    );
    // RFC 7162 3.1.10.
    let Data::Status { items, .. } =
        data(both("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)"))
    else {
        panic!()
    };
    assert_eq!(items[2], StatusItem::HighestModSeq(7011231777));
    // RFC 9208 section 4.2.4 and RFC 9051 (DELETED).
    let Data::Status { items, .. } = data(both("* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)"))
    else {
        panic!()
    };
    assert_eq!(items, vec![StatusItem::Messages(12), StatusItem::Deleted(4), StatusItem::DeletedStorage(8)]);
    // RFC 8438 section 3.
    let Data::Status { items, .. } = data(both("* STATUS frop (MESSAGES 8 SIZE 44421 UIDNEXT 242344)"))
    else {
        panic!()
    };
    assert_eq!(items, vec![StatusItem::Messages(8), StatusItem::Size(44421), StatusItem::UidNext(242344)]);
    // RFC 7889 section 3.2, and NIL for no limit.
    let Data::Status { items, .. } = data(both("* STATUS INBOX (APPENDLIMIT 257890)")) else { panic!() };
    assert_eq!(items, vec![StatusItem::AppendLimit(Some(257890))]);
    let Data::Status { items, .. } = data(both("* STATUS INBOX (APPENDLIMIT NIL)")) else { panic!() };
    assert_eq!(items, vec![StatusItem::AppendLimit(None)]);
    // RFC 8474 section 4.2.
    assert_eq!(
        data(both("* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))")),
        Data::Status {
            mailbox: Mailbox::new("foo"),
            items: vec![StatusItem::MailboxId(s("F2212ea87-6097-4256-9d51-71338625"))]
        }
    );
    // Every other item, and an empty list.
    let Data::Status { items, .. } = data(both(
        "* STATUS x (RECENT 1 UIDVALIDITY 7 UNSEEN 0 X-FOO (1 \"two\") SIZE 18446744073709551615)",
    )) else {
        panic!()
    };
    assert_eq!(
        items,
        vec![
            StatusItem::Recent(1),
            StatusItem::UidValidity(7),
            StatusItem::Unseen(0),
            StatusItem::Other { name: s("X-FOO"), raw: s("(1 \"two\")") },
            StatusItem::Size(u64::MAX),
        ]
    );
    assert!(matches!(data(both("* STATUS x ()")), Data::Status { items, .. } if items.is_empty()));
}

#[test]
fn search_data() {
    // RFC 3501 7.2.5.
    assert_eq!(data(both("* SEARCH 2 3 6")), Data::Search { ids: vec![2, 3, 6], modseq: None });
    assert_eq!(data(both("* SEARCH")), Data::Search { ids: vec![], modseq: None });
    // RFC 7162 3.1.5.
    assert_eq!(
        data(both("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)")),
        Data::Search { ids: vec![2, 5, 6, 7, 11, 12, 18, 19, 20, 23], modseq: Some(917162500) }
    );
}

#[test]
fn rfc4731_esearch() {
    let esearch = |line| match data(both(line)) {
        Data::ESearch(e) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        esearch("* ESEARCH (TAG \"A282\") MIN 2 COUNT 3"),
        ESearch { tag: tag("A282"), min: Some(2), count: Some(3), ..ESearch::default() }
    );
    assert_eq!(
        esearch("* ESEARCH (TAG \"A283\") ALL 2,10:11"),
        ESearch { tag: tag("A283"), all: Some(set("2,10:11")), ..ESearch::default() }
    );
    assert_eq!(
        esearch("* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800"),
        ESearch { tag: tag("A285"), uid: true, min: Some(7), max: Some(3800), ..ESearch::default() }
    );
    assert_eq!(esearch("* ESEARCH (TAG \"A284\")"), ESearch { tag: tag("A284"), ..ESearch::default() });
    // RFC 9051 7.3.4.
    assert_eq!(
        esearch("* ESEARCH UID COUNT 17 ALL 4:18,21,28"),
        ESearch { uid: true, count: Some(17), all: Some(set("4:18,21,28")), ..ESearch::default() }
    );
    assert_eq!(
        esearch("* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28"),
        ESearch {
            tag: tag("a567"),
            uid: true,
            count: Some(17),
            all: Some(set("4:18,21,28")),
            ..ESearch::default()
        }
    );
    // RFC 4731 section 3.2 with CONDSTORE.
    assert_eq!(
        esearch("* ESEARCH (TAG \"a4\") MIN 2 COUNT 10 MODSEQ 917162500"),
        ESearch {
            tag: tag("a4"),
            min: Some(2),
            count: Some(10),
            modseq: Some(917162500),
            ..ESearch::default()
        }
    );
    assert_eq!(esearch("* ESEARCH"), ESearch::default());
    // Return data this parser does not know (RFC 9394 PARTIAL) is kept raw.
    assert_eq!(
        esearch("* ESEARCH (TAG \"A01\") UID PARTIAL (-1:-100 200:250,252:300)"),
        ESearch {
            tag: tag("A01"),
            uid: true,
            other: vec![(s("PARTIAL"), s("(-1:-100 200:250,252:300)"))],
            ..ESearch::default()
        }
    );
}

#[test]
fn rfc5256_sort() {
    assert_eq!(data(both("* SORT 2 84 882")), Data::Sort { ids: vec![2, 84, 882], modseq: None });
    assert_eq!(data(both("* SORT 5 3 4 1 2")), Data::Sort { ids: vec![5, 3, 4, 1, 2], modseq: None });
    assert_eq!(data(both("* SORT")), Data::Sort { ids: vec![], modseq: None });
    assert_eq!(data(both("* SORT 3 1 (MODSEQ 1236)")), Data::Sort { ids: vec![3, 1], modseq: Some(1236) });
}

#[test]
fn rfc5256_thread() {
    assert_eq!(
        data(both("* THREAD (2)(3 6 (4 23)(44 7 96))")),
        Data::Thread(vec![leaf(&[2]), thread(&[3, 6], vec![leaf(&[4, 23]), leaf(&[44, 7, 96])])])
    );
    assert_eq!(
        data(both("* THREAD ((3)(5))")),
        Data::Thread(vec![thread(&[], vec![leaf(&[3]), leaf(&[5])])])
    );
    assert_eq!(data(both("* THREAD")), Data::Thread(vec![]));
    // The section 4 examples, wrapped lines joined.
    let Data::Thread(threads) = data(both(
        "* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 \
         (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)\
         (200 202)(201)(203)(204)(205)(206 207)(208)",
    )) else {
        panic!()
    };
    assert_eq!(threads.len(), 25);
    assert_eq!(
        threads[8],
        thread(&[174], vec![leaf(&[175]), leaf(&[176]), leaf(&[178]), leaf(&[181]), leaf(&[180])])
    );
    assert_eq!(threads[15], leaf(&[194, 195]));
    assert_eq!(threads.iter().map(|t| t.ids().len()).sum::<usize>(), 43);
    let Data::Thread(threads) = data(both(
        "* THREAD (166)(167)(168)(169)(172)((170)(179))(171)(173)((174)(175)(176)(178)(181)(180))\
         ((177)(183)(182)(188 (184)(189))(185 186)(187))(190)(191)(192)(193)((194)(195 196))(197 198)\
         (199)(200 202)(201)(203)(204)(205 206 207)(208)",
    )) else {
        panic!()
    };
    assert_eq!(threads.len(), 23);
    assert_eq!(
        threads[9],
        thread(
            &[],
            vec![
                leaf(&[177]),
                leaf(&[183]),
                leaf(&[182]),
                thread(&[188], vec![leaf(&[184]), leaf(&[189])]),
                leaf(&[185, 186]),
                leaf(&[187])
            ]
        )
    );
    // Dovecot.
    assert_eq!(
        data(both("* THREAD (1 (4)(3))(2)")),
        Data::Thread(vec![thread(&[1], vec![leaf(&[4]), leaf(&[3])]), leaf(&[2])])
    );
}

#[test]
fn flags_data() {
    // RFC 3501 7.2.6.
    assert_eq!(
        data(both("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")),
        Data::Flags(vec![Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Seen, Flag::Draft])
    );
    assert_eq!(
        data(both("* FLAGS (\\Answered $Label1 \\X-Ext)")),
        Data::Flags(vec![Flag::Answered, Flag::Keyword(s("$Label1")), Flag::Extension(s("X-Ext"))])
    );
    assert_eq!(data(both("* FLAGS ()")), Data::Flags(vec![]));
}

#[test]
fn mailbox_size_and_message_status() {
    // RFC 3501 7.3.1, 7.3.2, 7.4.1.
    assert_eq!(data(both("* 23 EXISTS")), Data::Exists(23));
    assert_eq!(data(both("* 0 EXISTS")), Data::Exists(0));
    assert_eq!(data(both("* 5 RECENT")), Data::Recent(5));
    assert_eq!(data(both("* 44 EXPUNGE")), Data::Expunge(44));
    let e = strict_error(b"* 0 EXPUNGE\r\n");
    assert_eq!((e.offset, e.expected), (4, "non-zero message number"));
    let e = lenient_error(b"* 4294967296 EXISTS\r\n");
    assert_eq!((e.offset, e.expected), (2, "number within 32 bits"));
}

#[test]
fn rfc7162_vanished() {
    assert_eq!(
        data(both("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540")),
        Data::Vanished { earlier: true, uids: set("41,43:116,118,120:211,214:540") }
    );
    assert_eq!(
        data(both("* VANISHED 405,407,410,425")),
        Data::Vanished { earlier: false, uids: set("405,407,410,425") }
    );
    assert_eq!(data(both("* VANISHED 1")), Data::Vanished { earlier: false, uids: set("1") });
}

// ------------------------------------------------------------ FETCH

#[test]
fn fetch_flags_size_uid() {
    // RFC 3501 7.4.2.
    assert_eq!(
        fetch(both("* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)")),
        Fetch { seq: 23, items: vec![FetchItem::Flags(vec![Flag::Seen]), FetchItem::Size(44827)] }
    );
    // RFC 9051 6.1.2 and 6.4.9.
    assert_eq!(
        fetch(both("* 14 FETCH (UID 1305 FLAGS (\\Seen \\Deleted))")),
        Fetch {
            seq: 14,
            items: vec![FetchItem::Uid(1305), FetchItem::Flags(vec![Flag::Seen, Flag::Deleted])]
        }
    );
    let f = fetch(both("* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)"));
    assert_eq!((f.uid(), f.size(), f.flags()), (Some(447), Some(44827), Some(&[Flag::Seen][..])));
    // \Recent (RFC 3501) and upper-case flags (RFC 7162 3.1.3).
    assert_eq!(
        fetch(both("* 1 FETCH (MODSEQ (320172342) FLAGS (\\SEEN \\Recent))")).items,
        vec![FetchItem::ModSeq(320172342), FetchItem::Flags(vec![Flag::Seen, Flag::Recent])]
    );
    assert_eq!(fetch(both("* 78 FETCH (FLAGS ())")).items, vec![FetchItem::Flags(vec![])]);
}

#[test]
fn rfc9051_fetch_full_example() {
    // RFC 9051 section 8, wrapped lines joined.
    let f = fetch(both(
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\
         \"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) \
         ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
         \"<B27397-0100000@cac.washington.ed>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" \
         3028 92))",
    ));
    let terry = addr(Some("Terry Gray"), Some("gray"), Some("cac.washington.edu"));
    assert_eq!(
        f,
        Fetch {
            seq: 12,
            items: vec![
                FetchItem::Flags(vec![Flag::Seen]),
                FetchItem::InternalDate(DateTime::parse(b"17-Jul-1996 02:44:25 -0700").unwrap()),
                FetchItem::Size(4286),
                FetchItem::Envelope(Box::new(Envelope {
                    date: Some(s("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)")),
                    subject: Some(s("IMAP4rev2 WG mtg summary and minutes")),
                    from: vec![terry.clone()],
                    sender: vec![terry.clone()],
                    reply_to: vec![terry],
                    to: vec![addr(None, Some("imap"), Some("cac.washington.edu"))],
                    cc: vec![
                        addr(None, Some("minutes"), Some("CNRI.Reston.VA.US")),
                        addr(Some("John Klensin"), Some("KLENSIN"), Some("MIT.EDU")),
                    ],
                    bcc: vec![],
                    in_reply_to: None,
                    message_id: Some(s("<B27397-0100000@cac.washington.ed>")),
                })),
                FetchItem::Body(BodyStructure::single(text_part(
                    "PLAIN",
                    &[("CHARSET", "US-ASCII")],
                    "7BIT",
                    3028,
                    92
                ))),
            ],
        }
    );
    assert_eq!(f.internal_date().unwrap().unix_timestamp(), 837596665);
}

#[test]
fn rfc9051_fetch_body_header_literal() {
    let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
                  From: Terry Gray <gray@cac.washington.edu>\r\n\
                  Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
                  To: imap@cac.washington.edu\r\n\
                  cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
                  Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
                  MIME-Version: 1.0\r\n\
                  Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
                  \r\n";
    assert_eq!(header.len(), 342);
    let raw = format!("* 12 FETCH (BODY[HEADER] {{342}}\r\n{header})\r\n");
    let f = fetch(parse_raw(raw.as_bytes()));
    assert_eq!(
        f.items,
        vec![FetchItem::BodySection {
            section: Section::header(),
            origin: None,
            data: Some(Bytes::from(header))
        }]
    );
    assert_eq!(f.header().map(|h| &h[..]), Some(header.as_bytes()));
    assert_eq!(try_parse(raw.as_bytes(), &ParseOptions::strict()).unwrap(), parse_raw(raw.as_bytes()));
}

#[test]
fn fetch_body_sections() {
    let raw = b"* 2 FETCH (BODY[]<0> {5}\r\nhello BODY[1.2.MIME] \"Content-Type: text/plain\" \
BODY[HEADER.FIELDS (DATE FROM)] {4}\r\nab\r\n BODY[HEADER.FIELDS.NOT (X-SPAM)] NIL BODY[2.TEXT] \"\" \
BODY[3] {0}\r\n RFC822 NIL RFC822.HEADER \"h\" RFC822.TEXT \"t\")\r\n";
    let f = fetch(parse_raw(raw));
    assert_eq!(
        f.items,
        vec![
            FetchItem::BodySection {
                section: Section::full(),
                origin: Some(0),
                data: Some(Bytes::from("hello"))
            },
            FetchItem::BodySection {
                section: Section::part([1, 2]).mime(),
                origin: None,
                data: Some(Bytes::from("Content-Type: text/plain"))
            },
            FetchItem::BodySection {
                section: Section::header_fields(["DATE", "FROM"]),
                origin: None,
                data: Some(Bytes::from("ab\r\n"))
            },
            FetchItem::BodySection {
                section: Section::header_fields_not(["X-SPAM"]),
                origin: None,
                data: None
            },
            FetchItem::BodySection {
                section: Section::part([2]).with_text(),
                origin: None,
                data: Some(Bytes::new())
            },
            FetchItem::BodySection { section: Section::part([3]), origin: None, data: Some(Bytes::new()) },
            FetchItem::Rfc822(None),
            FetchItem::Rfc822Header(Some(Bytes::from("h"))),
            FetchItem::Rfc822Text(Some(Bytes::from("t"))),
        ]
    );
    assert_eq!(f.message().map(|m| &m[..]), Some(&b"hello"[..]));
    assert_eq!(
        f.section(&Section {
            part: vec![],
            text: Some(SectionText::HeaderFields(vec![s("DATE"), s("FROM")]))
        }),
        Some(&Bytes::from("ab\r\n"))
    );
    // MIME without a part number is not a section (kept raw, leniently).
    let e = strict_error(b"* 2 FETCH (BODY[MIME] NIL)\r\n");
    assert_eq!((e.offset, e.expected), (16, "HEADER, HEADER.FIELDS, TEXT or MIME"));
    assert_eq!(
        fetch(parse_raw(b"* 2 FETCH (BODY[MIME] NIL)\r\n")).items,
        vec![FetchItem::Other { name: s("BODY[MIME]"), raw: Bytes::from("NIL") }]
    );
}

#[test]
fn fetch_body_section_is_zero_copy() {
    let frame = Bytes::from_static(b"* 1 FETCH (UID 7 BODY[] {11}\r\nhello world ENVELOPE (NIL \"subj\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
    let Response::Data(Data::Fetch(f)) = parse_response(&frame, &ParseOptions::default()).unwrap() else {
        panic!()
    };
    let body = f.message().unwrap();
    assert_eq!(&body[..], b"hello world");
    let range = frame.as_ptr() as usize..frame.as_ptr() as usize + frame.len();
    assert!(range.contains(&(body.as_ptr() as usize)));
    assert!(range.contains(&(body.as_ptr() as usize + body.len() - 1)));
    assert_eq!(body.as_ptr() as usize - frame.as_ptr() as usize, 30);
    let subject = f.envelope().unwrap().subject.as_ref().unwrap();
    assert!(range.contains(&(subject.as_ptr() as usize)));
    // Through the decoder too: the body points into the framed response.
    let mut decoder = Decoder::default();
    decoder.push(&frame);
    let (raw, response) = decoder.next_raw().unwrap().unwrap();
    let Response::Data(Data::Fetch(f)) = response else { panic!() };
    let body = f.message().unwrap();
    assert_eq!(body.as_ptr() as usize - raw.as_ptr() as usize, 30);
}

#[test]
fn rfc3516_binary() {
    let raw = b"* 1 FETCH (BINARY[1] ~{5}\r\n\x00a\r\nb BINARY[2]<10> \"text\" BINARY[] NIL BINARY.SIZE[1] 5 BINARY.SIZE[] 1234)\r\n";
    let f = fetch(parse_raw(raw));
    assert_eq!(
        f.items,
        vec![
            FetchItem::Binary { part: vec![1], origin: None, data: Some(Bytes::from_static(b"\x00a\r\nb")) },
            FetchItem::Binary { part: vec![2], origin: Some(10), data: Some(Bytes::from("text")) },
            FetchItem::Binary { part: vec![], origin: None, data: None },
            FetchItem::BinarySize { part: vec![1], size: 5 },
            FetchItem::BinarySize { part: vec![], size: 1234 },
        ]
    );
    assert!(try_parse(raw, &ParseOptions::strict()).is_ok());
}

#[test]
fn rfc7162_modseq_fetch() {
    assert_eq!(
        fetch(both("* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))")),
        Fetch {
            seq: 1,
            items: vec![FetchItem::Uid(4), FetchItem::ModSeq(65402), FetchItem::Flags(vec![Flag::Seen])]
        }
    );
    let f = fetch(both("* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))"));
    assert_eq!(f.modseq(), Some(90060115194045001));
}

#[test]
fn rfc8474_objectid_fetch() {
    assert_eq!(
        fetch(both("* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))")).items,
        vec![FetchItem::EmailId(s("M6d99ac3275bb4e")), FetchItem::ThreadId(Some(s("T64b478a75b7ea9")))]
    );
    assert_eq!(
        fetch(both("* 1 FETCH (EMAILID (M00000001) THREADID NIL)")).items,
        vec![FetchItem::EmailId(s("M00000001")), FetchItem::ThreadId(None)]
    );
}

#[test]
fn savedate_and_preview() {
    assert_eq!(
        fetch(both("* 1 FETCH (SAVEDATE \"08-Feb-1994 05:52:25 +0000\" PREVIEW \"Hello Joe\")")).items,
        vec![
            FetchItem::SaveDate(DateTime::parse(b"08-Feb-1994 05:52:25 +0000")),
            FetchItem::Preview(Some(s("Hello Joe")))
        ]
    );
    assert_eq!(
        fetch(both("* 1 FETCH (SAVEDATE NIL PREVIEW NIL INTERNALDATE \" 8-Feb-1994 05:52:25 +0000\")")).items,
        vec![
            FetchItem::SaveDate(None),
            FetchItem::Preview(None),
            FetchItem::InternalDate(DateTime::parse(b"08-Feb-1994 05:52:25 +0000").unwrap())
        ]
    );
}

#[test]
fn gmail_extensions() {
    assert_eq!(
        fetch(both(
            "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 \
             X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\" \"[Gmail]/Starred\") UID 1)"
        ))
        .items,
        vec![
            FetchItem::GmThrId(1278455344230334865),
            FetchItem::GmMsgId(1278455344230334865),
            FetchItem::GmLabels(vec![
                Mailbox::new("\\Inbox"),
                Mailbox::new("\\Sent"),
                Mailbox::new("Important"),
                Mailbox::new("Muy Importante"),
                Mailbox::new("[Gmail]/Starred")
            ]),
            FetchItem::Uid(1),
        ]
    );
    assert_eq!(fetch(both("* 1 FETCH (X-GM-LABELS ())")).items, vec![FetchItem::GmLabels(vec![])]);
}

#[test]
fn unknown_fetch_items_are_kept_raw() {
    let f = fetch(both("* 1 FETCH (X-UNKNOWN (a (b) \"c\" NIL 5) UID 5 X-SECTION[1 (A B)]<3> {3}\r\nabc)"));
    assert_eq!(
        f.items,
        vec![
            FetchItem::Other { name: s("X-UNKNOWN"), raw: Bytes::from("(a (b) \"c\" NIL 5)") },
            FetchItem::Uid(5),
            FetchItem::Other { name: s("X-SECTION[1 (A B)]<3>"), raw: Bytes::from("{3}\r\nabc") },
        ]
    );
    // RFC 5257 ANNOTATION in FETCH.
    let f = fetch(both("* 1 FETCH (ANNOTATION (/comment (value.priv \"My comment\")))"));
    assert_eq!(
        f.items,
        vec![FetchItem::Other {
            name: s("ANNOTATION"),
            raw: Bytes::from("(/comment (value.priv \"My comment\"))")
        }]
    );
}

#[test]
fn envelope_groups_and_nil_fields() {
    let f = fetch(both(
        "* 2 FETCH (ENVELOPE (NIL NIL NIL NIL NIL ((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")\
         (NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) ((NIL \"@a,@b\" \"x\" \"y\")) NIL \"<a@b>\" NIL))",
    ));
    let env = f.envelope().unwrap();
    assert_eq!(env.date, None);
    assert!(env.from.is_empty() && env.sender.is_empty() && env.reply_to.is_empty());
    assert_eq!(
        env.to,
        vec![
            addr(Some("Fred Foobar"), Some("foobar"), Some("Blurdybloop.example")),
            addr(None, Some("undisclosed-recipients"), None),
            addr(None, None, None),
        ]
    );
    assert!(env.to[1].is_group_start() && env.to[2].is_group_end());
    assert_eq!(
        env.cc,
        vec![Address { name: None, adl: Some(s("@a,@b")), mailbox: Some(s("x")), host: Some(s("y")) }]
    );
    assert_eq!(env.in_reply_to, Some(s("<a@b>")));
    assert_eq!(env.message_id, None);
    // Strings with escapes and literals.
    let raw = b"* 3 FETCH (ENVELOPE (\"d\" {11}\r\nsub\"ject\\\\x NIL NIL NIL NIL NIL NIL \"a \\\"q\\\" \\\\ b\" NIL))\r\n";
    let env = fetch(parse_raw(raw)).envelope().cloned().unwrap();
    assert_eq!(env.subject, Some(s("sub\"ject\\\\x")));
    assert_eq!(env.in_reply_to, Some(s("a \"q\" \\ b")));
}

#[test]
fn bodystructure_multipart_with_extensions() {
    let f = fetch(both(
        "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)\
         (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \
         \"Compiler diff\" \"BASE64\" 4554 73 \"8zJ4Nh2Tc6Y0H5Ml1X6oKw==\" (\"ATTACHMENT\" (\"FILENAME\" \"cc.diff\")) \
         (\"EN\" \"DE\") \"http://example.com/cc.diff\" 42 (\"x\" (1 NIL)))\
         (\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BINARY\" 10 NIL (\"INLINE\" NIL) \"FR\") \
         \"MIXED\" (\"BOUNDARY\" \"----- =_aaaaaaaaaa0\") NIL NIL \"loc\" 7))",
    ));
    let expected = BodyStructure::multipart(MultiPart {
        parts: vec![
            BodyStructure::single(text_part("PLAIN", &[("CHARSET", "US-ASCII")], "7BIT", 1152, 23)),
            BodyStructure::single(SinglePart {
                media_type: s("TEXT"),
                media_subtype: s("PLAIN"),
                fields: BodyFields {
                    params: vec![(s("CHARSET"), s("US-ASCII")), (s("NAME"), s("cc.diff"))],
                    id: Some(s("<960723163407.20117h@cac.washington.edu>")),
                    description: Some(s("Compiler diff")),
                    encoding: s("BASE64"),
                    octets: 4554,
                },
                kind: SinglePartKind::Text { lines: 73 },
                ext: SinglePartExt {
                    md5: Some(s("8zJ4Nh2Tc6Y0H5Ml1X6oKw==")),
                    disposition: Some(Disposition {
                        kind: s("ATTACHMENT"),
                        params: vec![(s("FILENAME"), s("cc.diff"))],
                    }),
                    language: vec![s("EN"), s("DE")],
                    location: Some(s("http://example.com/cc.diff")),
                    extensions: vec![
                        BodyExtension::Number(42),
                        BodyExtension::List(vec![
                            BodyExtension::String(s("x")),
                            BodyExtension::List(vec![BodyExtension::Number(1), BodyExtension::Nil]),
                        ]),
                    ],
                },
            }),
            BodyStructure::single(SinglePart {
                media_type: s("APPLICATION"),
                media_subtype: s("OCTET-STREAM"),
                fields: BodyFields {
                    params: vec![],
                    id: None,
                    description: None,
                    encoding: s("BINARY"),
                    octets: 10,
                },
                kind: SinglePartKind::Basic,
                ext: SinglePartExt {
                    md5: None,
                    disposition: Some(Disposition { kind: s("INLINE"), params: vec![] }),
                    language: vec![s("FR")],
                    location: None,
                    extensions: vec![],
                },
            }),
        ],
        media_subtype: s("MIXED"),
        ext: MultiPartExt {
            params: vec![(s("BOUNDARY"), s("----- =_aaaaaaaaaa0"))],
            disposition: None,
            language: vec![],
            location: Some(s("loc")),
            extensions: vec![BodyExtension::Number(7)],
        },
    });
    assert_eq!(f.body_structure(), Some(&expected));
    let numbers: Vec<Vec<u32>> = expected.walk().map(|(n, _)| n).collect();
    assert_eq!(numbers, vec![vec![], vec![1], vec![2], vec![3]]);
    assert_eq!(expected.walk().nth(2).unwrap().1.filename(), Some(&s("cc.diff")));
}

#[test]
fn bodystructure_message_rfc822() {
    let f = fetch(both(
        "* 3 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 34 2 NIL NIL NIL NIL)\
         (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 545 (\"Mon, 7 Feb 1994 21:52:25 -0800\" \"afternoon meeting\" \
         ((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) NIL NIL NIL NIL NIL NIL \"<B27397@x>\") \
         ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 55 1 NIL NIL NIL NIL)\
         (\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 62 1 NIL NIL NIL NIL) \"alternative\" \
         (\"boundary\" \"b2\") NIL NIL NIL) 19 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))",
    ));
    let BodyStructure::Multipart(top) = f.body_structure().unwrap() else { panic!() };
    let BodyStructure::Single(part) = &top.parts[1] else { panic!("{:?}", top.parts[1]) };
    let SinglePart { kind: SinglePartKind::Message { envelope, body, lines }, fields, .. } = &**part else {
        panic!("{part:?}")
    };
    assert_eq!(*lines, 19);
    assert_eq!(fields.octets, 545);
    assert_eq!(envelope.subject, Some(s("afternoon meeting")));
    assert_eq!(body.mime_type(), ("MULTIPART".to_owned(), "ALTERNATIVE".to_owned()));
    let numbers: Vec<Vec<u32>> = f.body_structure().unwrap().walk().map(|(n, _)| n).collect();
    assert_eq!(numbers, vec![vec![], vec![1], vec![2]]);
}

// ----------------------------------------------------- extensions

#[test]
fn rfc2342_namespace() {
    let ns = |prefix: &str, delimiter: Option<char>| Namespace {
        prefix: Mailbox::new(prefix),
        delimiter,
        extensions: vec![],
    };
    assert_eq!(
        data(both("* NAMESPACE ((\"\" \"/\")) NIL NIL")),
        Data::Namespace(Namespaces {
            personal: vec![ns("", Some('/'))],
            other_users: vec![],
            shared: vec![]
        })
    );
    assert_eq!(
        data(both("* NAMESPACE NIL NIL ((\"\" \".\"))")),
        Data::Namespace(Namespaces {
            personal: vec![],
            other_users: vec![],
            shared: vec![ns("", Some('.'))]
        })
    );
    assert_eq!(
        data(both("* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))")),
        Data::Namespace(Namespaces {
            personal: vec![ns("", Some('/'))],
            other_users: vec![],
            shared: vec![ns("Public Folders/", Some('/'))]
        })
    );
    assert_eq!(
        data(both(
            "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))"
        )),
        Data::Namespace(Namespaces {
            personal: vec![ns("", Some('/'))],
            other_users: vec![ns("~", Some('/'))],
            shared: vec![
                ns("#shared/", Some('/')),
                ns("#public/", Some('/')),
                ns("#ftp/", Some('/')),
                ns("#news.", Some('.'))
            ],
        })
    );
    assert_eq!(
        data(both("* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL")),
        Data::Namespace(Namespaces {
            personal: vec![
                ns("", Some('/')),
                Namespace {
                    prefix: Mailbox::new("#mh/"),
                    delimiter: Some('/'),
                    extensions: vec![(s("X-PARAM"), vec![s("FLAG1"), s("FLAG2")])],
                },
            ],
            other_users: vec![],
            shared: vec![],
        })
    );
    // RFC 2342 5 has a doubled space.
    let Data::Namespace(n) = data(lenient_only("* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL")) else {
        panic!()
    };
    assert_eq!(n.personal, vec![ns("INBOX.", Some('.'))]);
    // A flat namespace.
    let Data::Namespace(n) = data(both("* NAMESPACE ((\"\" NIL)) NIL NIL")) else { panic!() };
    assert_eq!(n.personal, vec![ns("", None)]);
}

#[test]
fn rfc9208_and_rfc2087_quota() {
    assert_eq!(
        data(both("* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)")),
        Data::Quota(Quota {
            root: s("!partition/sda4"),
            resources: vec![QuotaResource { name: s("STORAGE"), usage: 104, limit: 10923847 }]
        })
    );
    assert_eq!(
        data(both("* QUOTA \"#user/alice\" (STORAGE 54 111 MESSAGE 42 1000)")),
        Data::Quota(Quota {
            root: s("#user/alice"),
            resources: vec![
                QuotaResource { name: s("STORAGE"), usage: 54, limit: 111 },
                QuotaResource { name: s("MESSAGE"), usage: 42, limit: 1000 }
            ]
        })
    );
    assert_eq!(
        data(both("* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"")),
        Data::QuotaRoot { mailbox: Mailbox::inbox(), roots: vec![s("#user/alice"), s("!partition/sda4")] }
    );
    // RFC 2087.
    assert_eq!(
        data(both("* QUOTA \"\" (STORAGE 10 512)")),
        Data::Quota(Quota {
            root: s(""),
            resources: vec![QuotaResource { name: s("STORAGE"), usage: 10, limit: 512 }]
        })
    );
    assert_eq!(
        data(both("* QUOTAROOT INBOX \"\"")),
        Data::QuotaRoot { mailbox: Mailbox::inbox(), roots: vec![s("")] }
    );
    assert_eq!(
        data(both("* QUOTAROOT comp.mail.mime")),
        Data::QuotaRoot { mailbox: Mailbox::new("comp.mail.mime"), roots: vec![] }
    );
    assert_eq!(data(both("* QUOTA x ()")), Data::Quota(Quota { root: s("x"), resources: vec![] }));
}

#[test]
fn rfc4314_acl() {
    let entry = |identifier: &str, rights: &str| AclEntry { identifier: s(identifier), rights: s(rights) };
    assert_eq!(
        data(both("* ACL INBOX Fred rwipslxcetda David lrswideta")),
        Data::Acl {
            mailbox: Mailbox::inbox(),
            entries: vec![entry("Fred", "rwipslxcetda"), entry("David", "lrswideta")]
        }
    );
    assert_eq!(
        data(both("* ACL INBOX Fred rwipslxetad -Fred wetd $team w")),
        Data::Acl {
            mailbox: Mailbox::inbox(),
            entries: vec![entry("Fred", "rwipslxetad"), entry("-Fred", "wetd"), entry("$team", "w")]
        }
    );
    assert_eq!(data(both("* ACL foo")), Data::Acl { mailbox: Mailbox::new("foo"), entries: vec![] });
    assert_eq!(
        data(both("* LISTRIGHTS ~/Mail/saved smith la r swicdkxte")),
        Data::ListRights {
            mailbox: Mailbox::new("~/Mail/saved"),
            identifier: s("smith"),
            required: s("la"),
            optional: vec![s("r"), s("swicdkxte")]
        }
    );
    assert_eq!(
        data(both("* LISTRIGHTS archive/imap anyone \"\"")),
        Data::ListRights {
            mailbox: Mailbox::new("archive/imap"),
            identifier: s("anyone"),
            required: s(""),
            optional: vec![]
        }
    );
    assert_eq!(
        data(both("* MYRIGHTS INBOX rwiptsldaex")),
        Data::MyRights { mailbox: Mailbox::inbox(), rights: s("rwiptsldaex") }
    );
}

#[test]
fn rfc2971_id() {
    assert_eq!(data(both("* ID NIL")), Data::Id(None));
    assert_eq!(
        data(both(
            "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \
             \"mailto:cyrus-bugs+@andrew.cmu.edu\")"
        )),
        Data::Id(Some(vec![
            (s("name"), Some(s("Cyrus"))),
            (s("version"), Some(s("1.5"))),
            (s("os"), Some(s("sunos"))),
            (s("os-version"), Some(s("5.5"))),
            (s("support-url"), Some(s("mailto:cyrus-bugs+@andrew.cmu.edu"))),
        ]))
    );
    assert_eq!(data(both("* ID (\"name\" NIL)")), Data::Id(Some(vec![(s("name"), None)])));
}

#[test]
fn rfc5464_metadata() {
    let entry = |name: &str, value: Option<&str>| MetadataEntry {
        name: s(name),
        value: value.map(|v| Bytes::from(v.to_owned())),
    };
    assert_eq!(
        data(both("* METADATA \"\" (/shared/comment \"Shared comment\")")),
        Data::Metadata {
            mailbox: Mailbox::new(""),
            entries: vec![entry("/shared/comment", Some("Shared comment"))]
        }
    );
    assert_eq!(
        data(both(
            "* METADATA \"INBOX\" (/shared/comment \"Shared comment\" /private/comment \"My own comment\")"
        )),
        Data::Metadata {
            mailbox: Mailbox::inbox(),
            entries: vec![
                entry("/shared/comment", Some("Shared comment")),
                entry("/private/comment", Some("My own comment"))
            ]
        }
    );
    assert_eq!(
        data(both(
            "* METADATA \"INBOX\" (/private/filters/values/small \"SMALLER 5000\" /private/filters/values/boss \
             \"FROM \\\"boss@example.com\\\"\")"
        )),
        Data::Metadata {
            mailbox: Mailbox::inbox(),
            entries: vec![
                entry("/private/filters/values/small", Some("SMALLER 5000")),
                entry("/private/filters/values/boss", Some("FROM \"boss@example.com\""))
            ]
        }
    );
    // RFC 6154 section 5.4: NIL removes.
    assert_eq!(
        data(both("* METADATA \"MyDrafts\" (/private/specialuse NIL)")),
        Data::Metadata {
            mailbox: Mailbox::new("MyDrafts"),
            entries: vec![entry("/private/specialuse", None)]
        }
    );
    // Values may be literals (and literal8).
    let Data::Metadata { entries, .. } =
        data(parse_raw(b"* METADATA INBOX (/shared/x {3}\r\na\r\n /shared/y ~{1}\r\n\x00)\r\n"))
    else {
        panic!()
    };
    assert_eq!(
        entries,
        vec![
            entry("/shared/x", Some("a\r\n")),
            MetadataEntry { name: s("/shared/y"), value: Some(Bytes::from_static(b"\x00")) }
        ]
    );
    // Section 4.4.2: unsolicited change notices.
    assert_eq!(
        data(both("* METADATA \"\" /shared/comment")),
        Data::MetadataChanged { mailbox: Mailbox::new(""), entries: vec![s("/shared/comment")] }
    );
    assert_eq!(
        data(both("* METADATA \"INBOX\" /shared/comment /private/comment")),
        Data::MetadataChanged {
            mailbox: Mailbox::inbox(),
            entries: vec![s("/shared/comment"), s("/private/comment")]
        }
    );
}

#[test]
fn cyrus_annotation() {
    assert_eq!(
        data(both(
            "* ANNOTATION INBOX \"/comment\" (\"value.shared\" \"My comment\" \"size.shared\" \"10\")"
        )),
        Data::Annotation {
            mailbox: Mailbox::inbox(),
            entries: vec![Annotation {
                entry: s("/comment"),
                attributes: vec![
                    (s("value.shared"), Some(s("My comment"))),
                    (s("size.shared"), Some(s("10")))
                ]
            }]
        }
    );
    assert_eq!(
        data(both(
            "* ANNOTATION \"foo\" \"/comment\" (\"value.priv\" NIL) \"/sort\" (\"value.shared\" \"A\")"
        )),
        Data::Annotation {
            mailbox: Mailbox::new("foo"),
            entries: vec![
                Annotation { entry: s("/comment"), attributes: vec![(s("value.priv"), None)] },
                Annotation { entry: s("/sort"), attributes: vec![(s("value.shared"), Some(s("A")))] },
            ]
        }
    );
    // Unsolicited notice: entry names only.
    assert_eq!(
        data(both("* ANNOTATION INBOX (\"/comment\" \"/sort\")")),
        Data::Annotation {
            mailbox: Mailbox::inbox(),
            entries: vec![
                Annotation { entry: s("/comment"), attributes: vec![] },
                Annotation { entry: s("/sort"), attributes: vec![] }
            ]
        }
    );
}

#[test]
fn unknown_untagged_responses_are_kept_raw() {
    // RFC 3501 6.5.1.
    let raw = "* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay";
    assert_eq!(data(both(raw)), Data::Other { name: s("XPIG-LATIN"), raw: with_crlf(raw) });
    let raw = "* 3 XFOO (bar \"baz\") qux";
    assert_eq!(data(both(raw)), Data::Other { name: s("XFOO"), raw: with_crlf(raw) });
    // With literals and unbalanced junk, still kept whole.
    let raw = b"* X-WEIRD {3}\r\nabc )( \"unterminated\r\n";
    assert_eq!(data(parse_raw(raw)), Data::Other { name: s("X-WEIRD"), raw: Bytes::from_static(raw) });
    let raw = "* NOTIFY-LIKE ((a b) c) [x y]";
    assert_eq!(data(both(raw)), Data::Other { name: s("NOTIFY-LIKE"), raw: with_crlf(raw) });
}

/// Found by fuzzing (fuzz/corpus/response/regression-*): leniency must not
/// change what a valid response means.
#[test]
fn leniency_does_not_reinterpret_valid_responses() {
    // Text may start with a space; it is kept in both modes.
    assert_eq!(both("A1 OK  two spaces"), status(Some("A1"), StatusKind::Ok, None, " two spaces"));
    // An unknown response's name runs over 8-bit bytes in both modes.
    let raw = b"* X\xf7Y rest\r\n";
    let strict = try_parse(raw, &ParseOptions::strict()).expect("strict");
    assert_eq!(
        data(strict.clone()),
        Data::Other { name: ByteStr::from(&b"X\xf7Y"[..]), raw: Bytes::from_static(raw) }
    );
    assert_eq!(parse_raw(raw), strict);
    // A CR inside an unknown response's line is a byte like any other.
    let raw = b"* XCR \"8-bit \xa2\" a\rb\r\n";
    let strict = try_parse(raw, &ParseOptions::strict()).expect("strict");
    assert_eq!(parse_raw(raw), strict);
    assert!(matches!(data(strict), Data::Other { .. }));
}

#[test]
fn keywords_are_case_insensitive() {
    // ABNF string literals are case-insensitive (RFC 5234 2.3): these are
    // valid syntax, not leniency.
    assert_eq!(both("a1 ok done"), status(Some("a1"), StatusKind::Ok, None, "done"));
    assert_eq!(both("* bye later"), status(None, StatusKind::Bye, None, "later"));
    assert_eq!(data(both("* 3 exists")), Data::Exists(3));
    assert_eq!(data(both("* search 1")), Data::Search { ids: vec![1], modseq: None });
    assert_eq!(code_of(both("* ok [uidnext 5] x")), ResponseCode::UidNext(5));
    assert_eq!(
        fetch(both("* 1 fetch (uid 5 flags (\\seen $label))")).items,
        vec![FetchItem::Uid(5), FetchItem::Flags(vec![Flag::Seen, Flag::Keyword(s("$label"))])]
    );
    assert_eq!(
        fetch(both("* 1 fetch (body[header.fields (from)] NIL)")).items,
        vec![FetchItem::BodySection { section: Section::header_fields(["from"]), origin: None, data: None }]
    );
}

// ----------------------------------------------------------- leniency

#[test]
fn leniency_bare_lf() {
    for raw in [&b"* 1 EXISTS\n"[..], b"A1 OK done\n", b"* 1 FETCH (BODY[] {2}\nab)\n"] {
        assert!(try_parse(raw, &ParseOptions::strict()).is_err());
        assert!(try_parse(raw, &ParseOptions::default()).is_ok());
    }
    assert_eq!(data(parse_raw(b"* 1 EXISTS\n")), Data::Exists(1));
    let e = strict_error(b"* 1 EXISTS\n");
    assert_eq!((e.offset, e.expected), (10, "CRLF"));
    let mut opts = ParseOptions::strict();
    opts.leniency.bare_lf = true;
    assert!(try_parse(b"* 1 EXISTS\n", &opts).is_ok());
}

#[test]
fn leniency_extra_spaces() {
    assert_eq!(data(lenient_only("* SEARCH 1 2 ")), Data::Search { ids: vec![1, 2], modseq: None });
    assert_eq!(data(lenient_only("* FLAGS (\\Seen )")), Data::Flags(vec![Flag::Seen]));
    assert_eq!(data(lenient_only("* FLAGS ( \\Seen  \\Draft)")), Data::Flags(vec![Flag::Seen, Flag::Draft]));
    assert_eq!(
        fetch(lenient_only("* 1 FETCH (FLAGS (\\Seen)  UID 3 )")).items,
        vec![FetchItem::Flags(vec![Flag::Seen]), FetchItem::Uid(3)]
    );
    assert_eq!(data(lenient_only("* 3  EXISTS")), Data::Exists(3));
    assert_eq!(data(lenient_only("* THREAD (3 6 )")), Data::Thread(vec![leaf(&[3, 6])]));
    assert_eq!(
        data(lenient_only("* THREAD (1) (2 (3) (4))")),
        Data::Thread(vec![leaf(&[1]), thread(&[2], vec![leaf(&[3]), leaf(&[4])])])
    );
    let body = "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) (\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\"))";
    let BodyStructure::Multipart(m) = fetch(lenient_only(body)).body_structure().cloned().unwrap() else {
        panic!()
    };
    assert_eq!(m.parts.len(), 2);
    let mut opts = ParseOptions::strict();
    opts.leniency.extra_spaces = true;
    assert!(try_parse(b"* SEARCH 1 2 \r\n", &opts).is_ok());
}

#[test]
fn leniency_missing_text() {
    assert_eq!(
        lenient_only("* OK [UIDNEXT 5]"),
        status(None, StatusKind::Ok, Some(ResponseCode::UidNext(5)), "")
    );
    assert_eq!(lenient_only("A1 OK"), status(Some("A1"), StatusKind::Ok, None, ""));
    // RFC 3501 6.2.2 shows a bare "+".
    assert_eq!(lenient_only("+"), Response::Continue(Continue { code: None, text: s("") }));
    // RFC 9051 makes the text optional after "SP": valid either way.
    assert_eq!(both("A1 OK "), status(Some("A1"), StatusKind::Ok, None, ""));
    assert_eq!(both("* OK [UIDNEXT 5] "), status(None, StatusKind::Ok, Some(ResponseCode::UidNext(5)), ""));
    let e = strict_error(b"* OK [UIDNEXT 5]\r\n");
    assert_eq!((e.offset, e.expected), (16, "SP after ]"));
    let e = strict_error(b"+\r\n");
    assert_eq!((e.offset, e.expected), (1, "SP after +"));
}

#[test]
fn leniency_body_structure() {
    // NIL where a string is required.
    let line = "* 1 FETCH (BODYSTRUCTURE (NIL NIL (\"CHARSET\" NIL) NIL NIL NIL 10))";
    let Some(BodyStructure::Single(part)) = fetch(lenient_only(line)).body_structure().cloned() else {
        panic!()
    };
    assert_eq!((part.media_type, part.media_subtype), (s(""), s("")));
    assert_eq!(part.fields.params, vec![(s("CHARSET"), s(""))]);
    assert_eq!(part.fields.encoding, s("7BIT"));
    // Negative sizes.
    let line = "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -1 -1))";
    let Some(BodyStructure::Single(part)) = fetch(lenient_only(line)).body_structure().cloned() else {
        panic!()
    };
    assert_eq!((part.fields.octets, &part.kind), (0, &SinglePartKind::Text { lines: 0 }));
    // A NIL multipart subtype; empty parameter lists.
    let line = "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 1 1) NIL))";
    assert!(fetch(lenient_only(line)).body_structure().is_some());
    // A message/rfc822 part without envelope and body (read as basic).
    let line = "* 1 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 100))";
    let Some(BodyStructure::Single(part)) = fetch(lenient_only(line)).body_structure().cloned() else {
        panic!()
    };
    assert_eq!(part.kind, SinglePartKind::Basic);
    // An empty address list.
    let line = "* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL NIL NIL NIL NIL NIL))";
    assert_eq!(fetch(lenient_only(line)).envelope().unwrap().from, vec![]);
}

#[test]
fn leniency_eight_bit() {
    // Raw 8-bit (Latin-1) header bytes in a quoted string.
    let raw = b"* 1 FETCH (ENVELOPE (NIL \"caf\xe9\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n";
    assert!(try_parse(raw, &ParseOptions::strict()).is_err());
    let f = fetch(parse_raw(raw));
    assert_eq!(f.envelope().unwrap().subject.as_ref().unwrap().as_bytes(), b"caf\xe9");
    // And in status text.
    let raw = b"* OK Gr\xfc\xdfe\r\n";
    let e = strict_error(raw);
    assert_eq!((e.offset, e.expected), (7, "UTF-8 text"));
    assert_eq!(
        parse_raw(raw),
        Response::Status(Status {
            tag: None,
            kind: StatusKind::Ok,
            code: None,
            text: ByteStr::from(&b"Gr\xfc\xdfe"[..])
        })
    );
    // And in atoms (mailbox names).
    let raw = b"* LIST () \"/\" Entw\xc3\xbcrfe\r\n";
    assert!(try_parse(raw, &ParseOptions::strict()).is_err());
    assert_eq!(list(parse_raw(raw)).mailbox.as_str(), "Entwürfe");
    // UTF-8 is valid in text and quoted strings under RFC 9051.
    assert_eq!(both("* OK Grüße"), status(None, StatusKind::Ok, None, "Grüße"));
    let f = fetch(both("* 1 FETCH (ENVELOPE (NIL \"Grüße aus Köln\" NIL NIL NIL NIL NIL NIL NIL NIL))"));
    assert_eq!(f.envelope().unwrap().subject, Some(s("Grüße aus Köln")));
}

#[test]
fn leniency_flags() {
    // \* belongs in PERMANENTFLAGS only.
    assert_eq!(data(lenient_only("* FLAGS (\\Seen \\*)")), Data::Flags(vec![Flag::Seen, Flag::MayCreate]));
    assert_eq!(
        fetch(lenient_only("* 1 FETCH (FLAGS (\\Seen \\*))")).items,
        vec![FetchItem::Flags(vec![Flag::Seen, Flag::MayCreate])]
    );
    assert_eq!(
        code_of(both("* OK [PERMANENTFLAGS (\\*)] ok")),
        ResponseCode::PermanentFlags(vec![Flag::MayCreate])
    );
    // "]" in keywords (Gmail labels stored as keywords).
    assert_eq!(
        data(lenient_only("* FLAGS (\\Seen [Gmail]Important)")),
        Data::Flags(vec![Flag::Seen, Flag::Keyword(s("[Gmail]Important"))])
    );
    assert_eq!(
        code_of(lenient_only("* OK [PERMANENTFLAGS (\\Seen [x] \\*)] Limited")),
        ResponseCode::PermanentFlags(vec![Flag::Seen, Flag::Keyword(s("[x]")), Flag::MayCreate])
    );
    // "[" alone is an ATOM-CHAR: valid.
    assert_eq!(data(both("* FLAGS ([Gmail)")), Data::Flags(vec![Flag::Keyword(s("[Gmail"))]));
}

#[test]
fn leniency_response_codes() {
    // UNSEEN 0, sent for an empty mailbox.
    let r = lenient_only("* OK [UNSEEN 0] No unseen messages");
    assert_eq!(
        r,
        status(
            None,
            StatusKind::Ok,
            Some(ResponseCode::Other { name: s("UNSEEN"), data: Some(s("0")) }),
            "No unseen messages"
        )
    );
    let e = strict_error(b"* OK [UNSEEN 0] No unseen messages\r\n");
    assert_eq!((e.offset, e.expected), (13, "non-zero number"));
    // RFC 9051 6.3.2's own example: UIDVALIDITY out of 32 bits.
    assert_eq!(
        code_of(lenient_only("* OK [UIDVALIDITY 9877410381] UIDs valid")),
        ResponseCode::Other { name: s("UIDVALIDITY"), data: Some(s("9877410381")) }
    );
    assert_eq!(
        code_of(lenient_only("* OK [UIDNEXT] broken")),
        ResponseCode::Other { name: s("UIDNEXT"), data: None }
    );
    assert_eq!(
        code_of(lenient_only("A1 OK [COPYUID 1 2] partial")),
        ResponseCode::Other { name: s("COPYUID"), data: Some(s("1 2")) }
    );
}

#[test]
fn leniency_tagged_bye() {
    assert_eq!(
        lenient_only("A1 BYE server shutting down"),
        status(Some("A1"), StatusKind::Bye, None, "server shutting down")
    );
    let e = strict_error(b"A1 BYE server shutting down\r\n");
    assert_eq!((e.offset, e.expected), (3, "OK, NO or BAD"));
    // PREAUTH is never tagged.
    assert!(try_parse(b"A1 PREAUTH x\r\n", &ParseOptions::default()).is_err());
}

// ------------------------------------------- errors, containment, limits

#[test]
fn malformed_response_reports_where_and_what() {
    let e = lenient_error(b"* 23 FETCH (UID)\r\n");
    assert_eq!((e.offset, e.expected), (15, "SP"));
    assert_eq!(&e.raw[..], b"* 23 FETCH (UID)\r\n");
    assert!(e.to_string().contains("expected SP at byte 15"), "{e}");
    let e = strict_error(b"* 1 FETCH (FLAGS (\\Seen) UID x)\r\n");
    assert_eq!((e.offset, e.expected), (29, "number"));
    // Leniently, an item that does not parse and has no value at all still
    // reports where the grammar's reading stopped.
    let e = lenient_error(b"* 1 FETCH (FLAGS (\\Seen) UID )\r\n");
    assert_eq!((e.offset, e.expected), (29, "number"));
    let e = lenient_error(b"* LIST (\\Noselect) \"/\r\n");
    assert_eq!((e.offset, e.expected), (19, "closing quote"));
    let e = lenient_error(b"* 1 FETCH (BODY[] {10}\r\nabc)\r\n");
    assert_eq!((e.offset, e.expected), (18, "literal data (response ends early)"));
    let e = lenient_error(b"* OK [PERMANENTFLAGS (\\Seen)\r\n");
    assert_eq!(e.expected, "] closing response code");
    let e = lenient_error(b"A1 MAYBE done\r\n");
    assert_eq!((e.offset, e.expected), (3, "OK, NO or BAD"));
    let e = lenient_error(b"\r\n");
    assert_eq!((e.offset, e.expected), (0, "tag, * or +"));
    let e = lenient_error(b"* 1 EXISTS trailing\r\n");
    assert_eq!((e.offset, e.expected), (11, "CRLF"));
}

#[test]
fn a_malformed_response_does_not_affect_the_next() {
    let mut decoder = Decoder::default();
    decoder.push(b"* 1 FETCH (FLAGS (\\Seen) UID)\r\n* 2 FETCH (BODY[] {3}\r\nabc GARBAGE\r\n* 3 EXISTS\r\nA1 OK done\r\n");
    let Some(Err(DecodeError::Response(ResponseError::Parse(e)))) = decoder.next_response() else { panic!() };
    assert_eq!((e.offset, e.expected), (28, "SP"));
    let Some(Err(e)) = decoder.next_response() else { panic!() };
    assert!(!e.is_fatal());
    assert_eq!(decoder.next_response().unwrap().unwrap(), Response::Data(Data::Exists(3)));
    assert_eq!(decoder.next_response().unwrap().unwrap(), status(Some("A1"), StatusKind::Ok, None, "done"));
    assert!(decoder.next_response().is_none());
}

#[test]
fn decoder_reports_limits_and_framing_errors() {
    let mut opts = ParseOptions::default();
    opts.limits.max_literal_len = 10;
    let mut decoder = Decoder::new(opts);
    decoder.push(b"* 1 FETCH (BODY[] {11}\r\nhello world)\r\n* 2 EXISTS\r\n");
    let Some(Err(DecodeError::Response(ResponseError::Limit(e)))) = decoder.next_response() else { panic!() };
    assert_eq!((e.kind, e.limit, e.size), (LimitKind::LiteralLength, 10, 11));
    assert_eq!(decoder.next_response().unwrap().unwrap(), Response::Data(Data::Exists(2)));
    decoder.push(b"* 3 FETCH (BODY[] {99999999999999999999999}\r\n");
    let Some(Err(e)) = decoder.next_response() else { panic!() };
    assert!(e.is_fatal());
    let Some(Err(e)) = decoder.next_response() else { panic!() };
    assert_eq!(e, DecodeError::Framing(crate::error::FramingError::Broken));
}

fn deep_bodystructure(depth: usize) -> Bytes {
    let mut raw = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    raw.extend(std::iter::repeat_n(b'(', depth));
    raw.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1");
    for _ in 1..depth {
        raw.extend_from_slice(b") \"MIXED\"");
    }
    raw.extend_from_slice(b"))\r\n");
    Bytes::from(raw)
}

#[test]
fn nesting_limit_stops_deep_bodystructures() {
    // Within the limit, a deep structure parses.
    let ok = deep_bodystructure(50);
    assert!(parse_response(&ok, &ParseOptions::default()).is_ok());
    let just = deep_bodystructure(100);
    assert!(parse_response(&just, &ParseOptions::default()).is_ok());
    let mut opts = ParseOptions::default();
    opts.limits.max_nesting = 3;
    assert!(matches!(
        parse_response(&deep_bodystructure(4), &opts),
        Err(ResponseError::Limit(LimitError { kind: LimitKind::Nesting, limit: 3, .. }))
    ));
    // 100,000 levels: a limit error, not a stack overflow.
    let raw = deep_bodystructure(100_000);
    let check = move || {
        let result = parse_response(&raw, &ParseOptions::default());
        let Err(ResponseError::Limit(e)) = result else { panic!("{result:?}") };
        assert_eq!((e.kind, e.limit), (LimitKind::Nesting, 100));
        assert!(e.head.starts_with(b"* 1 FETCH (BODYSTRUCTURE (((("));
        assert!(e.head.len() <= 128);
    };
    std::thread::Builder::new().stack_size(256 * 1024).spawn(check.clone()).unwrap().join().unwrap();
    check();
}

#[test]
fn nesting_limit_holds_everywhere_parentheses_nest() {
    let deep = |prefix: &str, open: &str, close: &str, suffix: &str| {
        let mut raw = prefix.as_bytes().to_vec();
        raw.extend(open.repeat(100_000).bytes());
        raw.extend(close.repeat(100_000).bytes());
        raw.extend_from_slice(suffix.as_bytes());
        raw.extend_from_slice(b"\r\n");
        Bytes::from(raw)
    };
    let cases = [
        deep("* THREAD ", "(1 ", ")", ""),
        deep("* 1 FETCH (X-UNKNOWN ", "(", ")", ")"),
        // FETCH items wrapped in parentheses (Leniency::wrapped_fetch_items).
        deep("* 1 FETCH ", "(", ")", ""),
        deep(
            "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL ",
            "(",
            ")",
            "))",
        ),
        deep("* STATUS x (X-FOO ", "(", ")", ")"),
        deep("* LIST () \"/\" x (tag ", "(", ")", ")"),
        deep("* ESEARCH X-FOO ", "(", ")", ""),
    ];
    let run = move || {
        for raw in &cases {
            match parse_response(raw, &ParseOptions::default()) {
                Err(ResponseError::Limit(e)) => assert_eq!(e.kind, LimitKind::Nesting),
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(&raw[..40])),
            }
        }
        // An unknown response is kept raw whatever its depth.
        let raw = deep("* X-DEEP ", "(", ")", "");
        assert!(matches!(
            parse_response(&raw, &ParseOptions::default()),
            Ok(Response::Data(Data::Other { .. }))
        ));
    };
    std::thread::Builder::new().stack_size(256 * 1024).spawn(run).unwrap().join().unwrap();
}

// ----------------------------------------------- the Dovecot capture

fn decode_all(input: &[u8], sizes: &[usize], opts: ParseOptions) -> Vec<(Bytes, Response)> {
    let mut decoder = Decoder::new(opts);
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < input.len() {
        let n = sizes[i % sizes.len()].clamp(1, input.len() - at);
        decoder.push(&input[at..at + n]);
        at += n;
        i += 1;
        while let Some(item) = decoder.next_raw() {
            match item {
                Ok(pair) => out.push(pair),
                Err(e) => panic!("response {}: {e}", out.len()),
            }
        }
    }
    assert!(!decoder.framer().is_mid_response());
    out
}

/// A deterministic stream of chunk sizes (xorshift).
fn pseudo_random_sizes(seed: u64, count: usize, max: usize) -> Vec<usize> {
    let mut x = seed.max(1);
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % max as u64) as usize + 1
        })
        .collect()
}

#[test]
fn dovecot_capture_decodes_without_errors() {
    let whole = decode_all(DOVECOT, &[DOVECOT.len()], ParseOptions::default());
    assert_eq!(whole.len(), 171);
    let frames: Vec<u8> = whole.iter().flat_map(|(raw, _)| raw.iter().copied()).collect();
    assert_eq!(frames, DOVECOT);
    // Byte by byte and in random chunks: the same responses.
    assert_eq!(decode_all(DOVECOT, &[1], ParseOptions::default()), whole);
    for seed in 1..20 {
        let sizes = pseudo_random_sizes(seed, 64, 700);
        assert_eq!(decode_all(DOVECOT, &sizes, ParseOptions::default()), whole, "seed {seed}");
    }
    // Dovecot follows the grammar except where it sends raw 8-bit (none
    // in this capture) and codes without text.
    let strict_failures: Vec<&Bytes> = whole
        .iter()
        .map(|(raw, _)| raw)
        .filter(|raw| parse_response(raw, &ParseOptions::strict()).is_err())
        .collect();
    assert!(strict_failures.is_empty(), "{strict_failures:?}");
}

#[test]
fn dovecot_capture_has_typed_values() {
    let whole = decode_all(DOVECOT, &[4096], ParseOptions::default());
    let responses: Vec<&Response> = whole.iter().map(|(_, r)| r).collect();
    let Response::Status(greeting) = responses[0] else { panic!() };
    let Some(ResponseCode::Capability(c)) = &greeting.code else { panic!() };
    assert!(c.has(&Capability::LiteralPlus) && c.has_auth("SCRAM-SHA-256"));
    let other = responses.iter().filter(|r| matches!(r, Response::Data(Data::Other { .. }))).count();
    assert_eq!(other, 0, "every Dovecot response is typed");
    let fetches: Vec<&Fetch> = responses
        .iter()
        .filter_map(|r| match r {
            Response::Data(Data::Fetch(f)) => Some(f),
            _ => None,
        })
        .collect();
    let with_body: Vec<&&Fetch> = fetches.iter().filter(|f| f.message().is_some()).collect();
    assert_eq!(with_body.len(), 4);
    assert_eq!(with_body[0].message().unwrap().len(), 316);
    assert!(with_body[1].envelope().unwrap().subject.as_ref().unwrap().starts_with(b"=?UTF-8?Q?Gr"));
    assert!(fetches.iter().any(|f| f.items.iter().any(|i| matches!(i, FetchItem::Binary { .. }))));
    assert!(fetches.iter().any(|f| f.items.iter().any(|i| matches!(i, FetchItem::BinarySize { .. }))));
    assert!(responses.iter().any(|r| matches!(r, Response::Data(Data::Vanished { earlier: true, .. }))));
    assert!(responses.iter().any(|r| matches!(r, Response::Continue(_))));
}

// ------------------------------------------------------- chunking

/// RFC example responses (each a complete response) for the chunking tests.
fn rfc_corpus() -> Vec<u8> {
    let lines = [
        "* OK IMAP4rev1 server ready",
        "* OK [ALERT] System shutdown in 10 minutes",
        "A001 OK LOGIN Completed",
        "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN",
        "* 172 EXISTS",
        "* 1 RECENT",
        "* OK [UNSEEN 12] Message 12 is first unseen",
        "* OK [UIDVALIDITY 3857529045] UIDs valid",
        "* OK [UIDNEXT 4392] Predicted next UID",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
        "A142 OK [READ-WRITE] SELECT completed",
        "* LIST (\\Noselect) \"/\" ~/Mail/foo",
        "* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
        "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
        "+ Ready for literal data",
        "A003 OK [APPENDUID 38505 3955] APPEND completed",
        "* SEARCH 2 84 882",
        "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800",
        "* THREAD (2)(3 6 (4 23)(44 7 96))",
        "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)",
        "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL",
        "* QUOTA \"\" (STORAGE 10 512)",
        "* ACL INBOX Fred rwipslxcetda David lrswideta",
        "* METADATA \"INBOX\" (/private/comment \"My own comment\")",
        "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
        "* OK [COPYUID 432432 42:69 1202:1229]",
        "* 44 EXPUNGE",
        "* BYE IMAP4rev1 Server logging out",
        "A023 OK LOGOUT completed",
    ];
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"* 12 FETCH (BODY[HEADER] {8}\r\nA: b\r\n\r\n FLAGS (\\Seen))\r\n");
    out
}

#[test]
fn rfc_corpus_decodes_in_any_split() {
    let corpus = rfc_corpus();
    let whole = decode_all(&corpus, &[corpus.len()], ParseOptions::default());
    assert_eq!(whole.len(), 31);
    for split in 1..corpus.len() {
        assert_eq!(
            decode_all(&corpus, &[split, corpus.len()], ParseOptions::default()),
            whole,
            "split {split}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_gives_the_same_responses(sizes in prop::collection::vec(1usize..300, 1..32), dovecot in any::<bool>()) {
        let corpus = if dovecot { DOVECOT.to_vec() } else { rfc_corpus() };
        let whole = decode_all(&corpus, &[corpus.len()], ParseOptions::default());
        prop_assert_eq!(decode_all(&corpus, &sizes, ParseOptions::default()), whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        // parse_response is public: it must cope with input that was not
        // framed, too.
        let _ = try_parse(&bytes, &ParseOptions::default());
        let _ = try_parse(&bytes, &ParseOptions::strict());
        let mut raw = bytes;
        raw.extend_from_slice(b"\r\n");
        let _ = try_parse(&raw, &ParseOptions::default());
        let _ = try_parse(&raw, &ParseOptions::strict());
    }

    #[test]
    fn decoder_survives_arbitrary_streams(
        parts in prop::collection::vec(prop_oneof![
            prop::collection::vec(any::<u8>(), 0..40),
            Just(b"* 1 FETCH (BODY[] {3}\r\n".to_vec()),
            Just(b"(((((".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\"".to_vec()),
        ], 0..20),
    ) {
        let mut decoder = Decoder::default();
        for part in &parts {
            decoder.push(part);
            while let Some(item) = decoder.next_response() {
                if matches!(item, Err(ref e) if e.is_fatal()) {
                    break;
                }
            }
        }
    }

    #[test]
    fn mutated_rfc_lines_never_panic(index in 0usize..31, at in 0usize..200, byte in any::<u8>()) {
        let corpus = rfc_corpus();
        let frames = decode_all(&corpus, &[corpus.len()], ParseOptions::default());
        let mut raw = frames[index].0.to_vec();
        let at = at % raw.len();
        raw[at] = byte;
        let _ = try_parse(&raw, &ParseOptions::default());
        let _ = try_parse(&raw, &ParseOptions::strict());
    }
}

/// The word-at-a-time scan of quoted strings against a byte-by-byte
/// reading: every byte value at every offset of the first three words.
#[test]
fn quoted_scan_agrees_with_the_grammar_for_every_byte_at_every_offset() {
    for c in 0..=255u8 {
        for at in 0..24 {
            let mut text = vec![b'x'; 30];
            text[at] = c;
            let mut raw = b"* 1 FETCH (ENVELOPE (NIL \"".to_vec();
            raw.extend_from_slice(&text);
            raw.extend_from_slice(b"\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
            // Without the raw fallback, which would keep the broken
            // envelope as an Other item.
            let mut opts = ParseOptions::default();
            opts.leniency.fetch_items = false;
            let lenient = try_parse(&raw, &opts);
            let strict = try_parse(&raw, &ParseOptions::strict());
            let subject = |r: Result<Response, ResponseError>| {
                r.ok().map(|r| fetch(r).envelope().unwrap().subject.clone().unwrap().as_bytes().to_vec())
            };
            let (lenient, strict) = (subject(lenient), subject(strict));
            match c {
                // Ends the string early (the rest then fails) or is not allowed.
                b'"' | b'\r' | b'\n' | 0 => {
                    assert_eq!(lenient, None, "{c:#04x} at {at}");
                    assert_eq!(strict, None, "{c:#04x} at {at}");
                }
                // `\x` is no escape the grammar has, and a lone 8-bit byte
                // is not UTF-8: both kept leniently, refused strictly.
                b'\\' | 0x80.. => {
                    assert_eq!(lenient.as_deref(), Some(&text[..]), "{c:#04x} at {at}");
                    assert_eq!(strict, None, "{c:#04x} at {at}");
                }
                _ => {
                    assert_eq!(lenient.as_deref(), Some(&text[..]), "{c:#04x} at {at}");
                    assert_eq!(strict.as_deref(), Some(&text[..]), "{c:#04x} at {at}");
                }
            }
        }
    }
}
