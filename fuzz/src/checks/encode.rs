//! `encode`: arbitrary strings as every kind of command argument.
//!
//! Input: 1 context byte (bit 0 LITERAL+, bit 1 LITERAL-, bit 2 UTF8=ACCEPT
//! enabled, bit 3 BINARY), then the string (any bytes).
//!
//! Properties, for every argument kind (user name, password, mailbox from a
//! name and from server bytes, search string, header name and value,
//! metadata value, raw atom / astring / string / literal, ID field, LIST
//! pattern, quota root, ACL identifier, annotation, PROXYAUTH, APPEND data,
//! keyword):
//! - command text never holds CR or LF except the CRLF ending each line
//!   fragment; a line that is not the last ends with a literal announcement
//!   `{N}` / `{N+}` / `~{N}` whose N and `+` match the literal after it;
//! - the argument decodes back to the string (atom, quoted or literal);
//! - NUL is refused, except as literal8 where BINARY allows it; an atom
//!   argument is refused exactly when the string is not an atom; anything
//!   else is accepted.

use bytes::Bytes;
use imap_core::encode::{encode_command, EncodeContext, Encoded, Fragment, LITERAL_MINUS_MAX};
use imap_core::types::{
    decode_utf7, encode_utf7, AppendMessage, ByteStr, Command, FetchAttr, ListCommand, Mailbox, RawArg,
    SearchKey, Secret, Section, SequenceSet, Tag,
};
use imap_core::EncodeError;

use super::Reader;

/// How an argument kind treats the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// astring / string / nstring: anything but NUL, sent back verbatim.
    Text,
    /// As `Text`, but NUL goes as literal8 when the server has BINARY.
    Binary,
    /// Must be an atom.
    Atom,
    /// A LIST pattern: modified UTF-7 applied unless UTF8=ACCEPT.
    Pattern,
    /// A mailbox from a (Unicode) name.
    MailboxName,
    /// A mailbox from the server's bytes, sent back as received.
    MailboxWire,
}

/// Runs the properties on one input.
pub fn check(data: &[u8]) {
    let mut r = Reader::new(data);
    let bits = r.byte();
    let text = r.rest();
    let mut ctx = EncodeContext::default();
    ctx.literal_plus = bits & 1 != 0;
    ctx.literal_minus = bits & 2 != 0;
    ctx.utf8 = bits & 4 != 0;
    ctx.binary = bits & 8 != 0;
    let tag = Tag::new("A1").expect("valid tag");

    for (kind, cmd, prefix) in cases(text, &ctx) {
        let result = encode_command(&tag, &cmd, &ctx);
        let encoded = match (kind, result) {
            (_, Ok(encoded)) => encoded,
            (Kind::Atom, Err(_)) => {
                assert!(!is_atom(text), "atom {text:?} refused in {cmd:?}");
                continue;
            }
            (_, Err(EncodeError::Nul { .. })) => {
                let sent = match kind {
                    Kind::MailboxName if !ctx.utf8 => Vec::new(), // modified UTF-7 carries NUL
                    Kind::MailboxName => String::from_utf8_lossy(text).into_owned().into_bytes(),
                    _ => text.to_vec(),
                };
                assert!(sent.contains(&0), "NUL error without a NUL: {cmd:?}");
                assert!(!(kind == Kind::Binary && ctx.binary), "NUL refused despite BINARY: {cmd:?}");
                continue;
            }
            (_, Err(e)) => panic!("{cmd:?} refused: {e}"),
        };
        check_framing(&encoded, &ctx);
        let wire = encoded.to_vec();
        assert!(
            wire.starts_with(prefix.as_bytes()),
            "{cmd:?} does not start with {prefix:?}: {:?}",
            show(&wire)
        );
        let mut at = prefix.len();
        let back = read_astring(&wire, &mut at, kind);
        match kind {
            Kind::Text | Kind::Binary => assert_eq!(back, text, "{:?}", show(&wire)),
            Kind::Atom => {
                assert!(is_atom(text), "non-atom {text:?} sent in {:?}", show(&wire));
                assert_eq!(back, text);
            }
            Kind::Pattern => {
                let expected = match (ctx.utf8, std::str::from_utf8(text)) {
                    (false, Ok(s)) if !s.is_ascii() || s.contains('&') => encode_utf7(s).into_bytes(),
                    _ => text.to_vec(),
                };
                assert_eq!(back, expected, "{:?}", show(&wire));
                if expected != text {
                    assert_eq!(decode_utf7(&back).ok().as_deref(), std::str::from_utf8(text).ok());
                }
            }
            Kind::MailboxName => {
                let name = String::from_utf8_lossy(text);
                if name.eq_ignore_ascii_case("INBOX") {
                    assert_eq!(back, b"INBOX");
                } else {
                    let mailbox = Mailbox::from_wire_mode(Bytes::from(back), ctx.utf8);
                    assert_eq!(mailbox.as_str(), name, "{:?}", show(&wire));
                    assert!(!mailbox.is_lossy());
                }
            }
            Kind::MailboxWire => {
                if text.eq_ignore_ascii_case(b"INBOX") {
                    assert_eq!(back, b"INBOX");
                } else {
                    let mailbox = Mailbox::from_wire(Bytes::copy_from_slice(text));
                    let expected =
                        if ctx.utf8 && !mailbox.is_lossy() { mailbox.as_str().as_bytes() } else { text };
                    assert_eq!(back, expected, "{:?}", show(&wire));
                }
            }
        }
    }
}

/// Every argument kind holding `text`, with the command text before it.
fn cases(text: &[u8], ctx: &EncodeContext) -> Vec<(Kind, Command, String)> {
    let s = ByteStr::from(text);
    let bytes = Bytes::copy_from_slice(text);
    let non_ascii = !text.is_ascii();
    let charset = if non_ascii && !ctx.utf8 { "CHARSET UTF-8 " } else { "" };
    let one: SequenceSet = 1.into();
    let raw = |arg: RawArg| Command::Raw { name: ByteStr::from("X"), args: vec![arg] };
    let mut cases = vec![
        (Kind::Text, Command::login(s.clone(), "pw"), "A1 LOGIN ".to_owned()),
        (
            Kind::Text,
            Command::Login { username: ByteStr::from("u"), password: Secret::new(s.clone()) },
            "A1 LOGIN u ".to_owned(),
        ),
        (
            Kind::MailboxName,
            Command::select(Mailbox::new(String::from_utf8_lossy(text))),
            "A1 SELECT ".to_owned(),
        ),
        (Kind::MailboxWire, Command::Delete(Mailbox::from_wire(bytes.clone())), "A1 DELETE ".to_owned()),
        (
            Kind::Text,
            Command::search(false, SearchKey::Subject(s.clone())),
            format!("A1 SEARCH {charset}SUBJECT "),
        ),
        (
            Kind::Text,
            Command::search(true, SearchKey::GmRaw(s.clone())),
            format!("A1 UID SEARCH {charset}X-GM-RAW "),
        ),
        (
            Kind::Text,
            Command::search(false, SearchKey::header(s.clone(), "v")),
            format!("A1 SEARCH {charset}HEADER "),
        ),
        (
            Kind::Text,
            Command::fetch(
                false,
                one.clone(),
                vec![FetchAttr::section_peek(Section::header_fields([s.clone()]))],
            ),
            "A1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (".to_owned(),
        ),
        (Kind::Atom, Command::search(false, SearchKey::Keyword(s.clone())), "A1 SEARCH KEYWORD ".to_owned()),
        (
            Kind::Binary,
            Command::SetMetadata {
                mailbox: None,
                entries: vec![(ByteStr::from("/shared/x"), Some(bytes.clone()))],
            },
            "A1 SETMETADATA \"\" (/shared/x ".to_owned(),
        ),
        (Kind::Atom, raw(RawArg::Atom(s.clone())), "A1 X ".to_owned()),
        (Kind::Text, raw(RawArg::AString(s.clone())), "A1 X ".to_owned()),
        (Kind::Text, raw(RawArg::String(s.clone())), "A1 X ".to_owned()),
        (Kind::Binary, raw(RawArg::Literal(bytes.clone())), "A1 X ".to_owned()),
        (Kind::Text, Command::Id(Some(vec![(s.clone(), None)])), "A1 ID (".to_owned()),
        (Kind::Pattern, Command::List(ListCommand::new(s.clone())), "A1 LIST \"\" ".to_owned()),
        (Kind::Text, Command::GetQuota(s.clone()), "A1 GETQUOTA ".to_owned()),
        (
            Kind::Text,
            Command::SetAcl { mailbox: Mailbox::inbox(), identifier: s.clone(), rights: ByteStr::from("lr") },
            "A1 SETACL INBOX ".to_owned(),
        ),
        (
            Kind::Text,
            Command::SetAnnotation { mailbox: Mailbox::inbox(), entry: s.clone(), attributes: Vec::new() },
            "A1 SETANNOTATION INBOX ".to_owned(),
        ),
        (Kind::Text, Command::ProxyAuth(s.clone()), "A1 PROXYAUTH ".to_owned()),
        (
            Kind::Binary,
            Command::Append { mailbox: Mailbox::inbox(), messages: vec![AppendMessage::new(bytes)] },
            "A1 APPEND INBOX ".to_owned(),
        ),
    ];
    // The second argument of a command, after one built from the string.
    if let Ok(first) = std::str::from_utf8(text) {
        let atom = !first.is_empty() && first.bytes().all(|c| c.is_ascii_alphanumeric());
        if atom && !first.eq_ignore_ascii_case("NIL") {
            cases.push((
                Kind::Text,
                Command::search(false, SearchKey::header(first, s)),
                format!("A1 SEARCH {charset}HEADER {first} "),
            ));
        }
    }
    cases
}

/// Checks the fragments: CR and LF only at line ends, and every literal
/// announced with its exact length and synchronisation.
fn check_framing(encoded: &Encoded, ctx: &EncodeContext) {
    let fragments = encoded.fragments();
    assert!(matches!(fragments.last(), Some(Fragment::Line(_))), "must end with a line: {fragments:?}");
    for (i, f) in fragments.iter().enumerate() {
        match f {
            Fragment::Line(line) => {
                assert!(line.ends_with(b"\r\n"), "line without CRLF: {:?}", show(line));
                let body = &line[..line.len() - 2];
                assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "CR or LF in {:?}", show(line));
                if let Some(Fragment::Literal { data, sync }) = fragments.get(i + 1) {
                    let plus = if *sync { "" } else { "+" };
                    let announced = format!("{{{}{plus}}}", data.len());
                    assert!(
                        body.ends_with(announced.as_bytes()),
                        "{:?} announces badly {} bytes",
                        show(line),
                        data.len()
                    );
                    let may_skip_sync =
                        ctx.literal_plus || (ctx.literal_minus && data.len() <= LITERAL_MINUS_MAX);
                    assert_eq!(*sync, !may_skip_sync, "wrong synchronisation for {} bytes", data.len());
                    if data.contains(&0) {
                        assert!(ctx.binary, "NUL in a literal without BINARY");
                        assert!(body.ends_with(format!("~{announced}").as_bytes()), "NUL outside literal8");
                    }
                } else {
                    assert_eq!(i + 1, fragments.len(), "a line followed by a line");
                }
            }
            Fragment::Literal { .. } => {
                assert!(
                    i > 0 && matches!(fragments[i - 1], Fragment::Line(_)),
                    "literal without announcement"
                );
            }
        }
    }
}

/// ATOM-CHAR (RFC 9051): any CHAR except atom-specials.
fn is_atom(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(|&c| (0x21..0x7f).contains(&c) && !b"(){%*\"\\]".contains(&c))
}

/// Reads one astring (atom, quoted string, literal or literal8) at `at`,
/// for a pattern a list-mailbox (whose atoms may hold `%` and `*`): a
/// reader independent of the crate's parser.
fn read_astring(wire: &[u8], at: &mut usize, kind: Kind) -> Vec<u8> {
    let list = kind == Kind::Pattern;
    let byte = |i: usize| *wire.get(i).unwrap_or_else(|| panic!("truncated at {i}: {:?}", show(wire)));
    match byte(*at) {
        b'"' => {
            let mut out = Vec::new();
            *at += 1;
            loop {
                match byte(*at) {
                    b'"' => break,
                    b'\\' => {
                        let c = byte(*at + 1);
                        assert!(c == b'"' || c == b'\\', "bad escape in {:?}", show(wire));
                        out.push(c);
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
        b'{' | b'~' if byte(*at) == b'{' || wire.get(*at + 1) == Some(&b'{') => {
            if byte(*at) == b'~' {
                *at += 1;
            }
            *at += 1;
            let start = *at;
            while byte(*at).is_ascii_digit() {
                *at += 1;
            }
            let n: usize = std::str::from_utf8(&wire[start..*at]).expect("digits").parse().expect("length");
            if byte(*at) == b'+' {
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
            // ASTRING-CHAR: ATOM-CHAR or "]"; list-char adds the wildcards.
            while wire
                .get(*at)
                .is_some_and(|&c| is_atom(&[c]) || c == b']' || (list && (c == b'%' || c == b'*')))
            {
                *at += 1;
            }
            assert!(*at > start, "empty atom at {start}: {:?}", show(wire));
            let atom = wire[start..*at].to_vec();
            // Where a string may be NIL, the string "NIL" must be quoted.
            assert!(kind == Kind::Atom || !atom.eq_ignore_ascii_case(b"NIL"), "NIL sent as an atom");
            atom
        }
    }
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned()
}
