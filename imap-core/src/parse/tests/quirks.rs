//! Real servers' deviations, one test per source: the server, and the
//! tracker issue or capture where it was reported. Each quirk decodes with
//! the default (lenient) options and is refused by [`ParseOptions::strict`],
//! except where the grammar itself allows it (then both agree).

use super::*;

/// Decodes a whole stream with these options; every item, in order.
fn decode_with(input: &[u8], opts: ParseOptions) -> Vec<Result<Response, DecodeError>> {
    let mut decoder = Decoder::new(opts);
    decoder.push(input);
    std::iter::from_fn(|| decoder.next_response()).collect()
}

// ------------------------------------------- `{N}` ending status text

/// Dovecot answers `NO Mailbox doesn't exist: <name>` and Gmail echoes the
/// mailbox name into resp-text (karastojko/mailio#138: `2 OK [READ-WRITE]
/// mailbox) selected. (Success)`): a name ending in `{3}` puts a fake
/// literal announcement at the end of the line. It is text, in both modes.
#[test]
fn dovecot_and_gmail_echo_a_mailbox_name_ending_in_braces() {
    let input = b"A1 NO Mailbox doesn't exist: foo{3}\r\n* 2 EXISTS\r\nA2 OK [READ-WRITE] x{5} selected. (Success)\r\n";
    for opts in [ParseOptions::default(), ParseOptions::strict()] {
        let got = decode_with(input, opts);
        assert_eq!(
            got,
            vec![
                Ok(status(Some("A1"), StatusKind::No, None, "Mailbox doesn't exist: foo{3}")),
                Ok(Response::Data(Data::Exists(2))),
                Ok(status(
                    Some("A2"),
                    StatusKind::Ok,
                    Some(ResponseCode::ReadWrite),
                    "x{5} selected. (Success)"
                )),
            ]
        );
    }
}

/// RFC 3501's BADCHARSET holds astrings, so a literal inside the code is
/// still a literal; the text after the code is text again.
#[test]
fn rfc3501_badcharset_with_a_literal_charset() {
    let input = b"A1 NO [BADCHARSET ({5}\r\nUTF-8 \"ISO-8859-1\")] unknown charset{3}\r\n* 2 EXISTS\r\n";
    for opts in [ParseOptions::default(), ParseOptions::strict()] {
        let got = decode_with(input, opts);
        assert_eq!(
            got,
            vec![
                Ok(status(
                    Some("A1"),
                    StatusKind::No,
                    Some(ResponseCode::BadCharset(vec![s("UTF-8"), s("ISO-8859-1")])),
                    "unknown charset{3}"
                )),
                Ok(Response::Data(Data::Exists(2))),
            ]
        );
    }
}

// ------------------------------------------------------ response codes

/// Office 365 puts quoted text with spaces, `=`, `:` and dots right after
/// a code's name (ruby/net-imap#597, a tagged OK to AUTHENTICATE).
#[test]
fn office365_error_code_with_quoted_text_ruby_net_imap_597() {
    let line = "RUBY0001 OK [Error=\"Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server access \
                is not allowed for mailbox xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" AuthResultFromPopImapEnd=0 \
                Proxy=XXXXXXXXXXXXX.EURXXXX.PROD.OUTLOOK.COM:1993:SSL MailboxBE=XXXXXXXXXXXXX.EURXXXX.PROD.OUTLOOK.COM \
                Service=Imap4] AUTHENTICATE completed.";
    let Response::Status(st) = lenient_only(line) else { panic!() };
    assert_eq!(st.text, s("AUTHENTICATE completed."));
    let Some(ResponseCode::Other { name, data: Some(data) }) = st.code else { panic!("{:?}", st.code) };
    assert_eq!(name, s("Error="));
    assert!(data.starts_with(b"\"Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server"));
    assert!(data.ends_with(b" Service=Imap4"));
    let e = strict_error(format!("{line}\r\n").as_bytes());
    assert_eq!(e.expected, "] closing response code");
    // The shorter form this project's issue quotes, untagged.
    let line = "* NO [Error=\"Authentication failed.\" AuthResultFromPopImapEnd=0 Service=Imap4] failed";
    assert_eq!(
        code_of(lenient_only(line)),
        ResponseCode::Other {
            name: s("Error="),
            data: Some(s("\"Authentication failed.\" AuthResultFromPopImapEnd=0 Service=Imap4"))
        }
    );
}

/// A `]` inside quoted arguments does not close the code (leniently); the
/// strict reading of a code that parses either way is kept.
#[test]
fn quoted_brackets_in_code_arguments() {
    assert_eq!(
        code_of(lenient_only("A1 NO [X-ERR \"a]b\" c] text")),
        ResponseCode::Other { name: s("X-ERR"), data: Some(s("\"a]b\" c")) }
    );
    assert_eq!(
        code_of(lenient_only("A1 NO [X-ERR=\"a]b\"]")),
        ResponseCode::Other { name: s("X-ERR="), data: Some(s("\"a]b\"")) }
    );
    // Valid as it stands: the code ends at the first `]`, in both modes.
    assert_eq!(
        both("A1 NO [X-ERR \"a] b\"] c"),
        status(
            Some("A1"),
            StatusKind::No,
            Some(ResponseCode::Other { name: s("X-ERR"), data: Some(s("\"a")) }),
            "b\"] c"
        )
    );
    // Garbage stays an error.
    assert!(try_parse(b"A1 NO [X \"a] b\"\r\n", &ParseOptions::default()).is_ok());
    assert!(try_parse(b"A1 NO [X \"a b\r\n", &ParseOptions::default()).is_err());
    assert!(try_parse(b"A1 NO [X \"a\\\r\n", &ParseOptions::default()).is_err());
}

/// MailKit#240: `[UIDVALIDITY 0]` and `[COPYUID 0 35 41]` (zero where
/// nz-number is required) are kept raw.
#[test]
fn zero_uidvalidity_and_copyuid_mailkit_240() {
    assert_eq!(
        code_of(lenient_only("* OK [UIDVALIDITY 0] UIDs valid")),
        ResponseCode::Other { name: s("UIDVALIDITY"), data: Some(s("0")) }
    );
    assert_eq!(
        code_of(lenient_only("B00000006 OK [COPYUID 0 35 41] UID COPY completed")),
        ResponseCode::Other { name: s("COPYUID"), data: Some(s("0 35 41")) }
    );
}

// ------------------------------------------------------ BODYSTRUCTURE

fn body_structure_of(response: Response) -> BodyStructure {
    fetch(response).body_structure().cloned().expect("a BODYSTRUCTURE")
}

fn multipart(body: &BodyStructure) -> &MultiPart {
    match body {
        BodyStructure::Multipart(m) => m,
        other => panic!("not a multipart: {other:?}"),
    }
}

fn single(body: &BodyStructure) -> &SinglePart {
    match body {
        BodyStructure::Single(s) => s,
        other => panic!("not a single part: {other:?}"),
    }
}

/// DavMail's fallback structure before its PR#239: NIL encoding, size and
/// line count (read as 7BIT, 0 and 0).
#[test]
fn davmail_nil_size_and_line_count_davmail_pr_239() {
    let line =
        "* 1 FETCH (UID 1 BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL NIL NIL NIL))";
    let body = body_structure_of(lenient_only(line));
    assert_eq!(*single(&body), text_part("PLAIN", &[("CHARSET", "US-ASCII")], "7BIT", 0, 0),);
    let mut opts = ParseOptions::default();
    opts.leniency.body_structure = false;
    opts.leniency.fetch_items = false;
    assert!(try_parse(&with_crlf(line), &opts).is_err());
}

/// MailKit#777: Gmail sends multiparts it could not split as their subtype
/// and extension data alone. The rest of the FETCH survives.
#[test]
fn gmail_multipart_without_parts_mailkit_777() {
    let raw = b"* 56697 FETCH (X-GM-THRID 1563190496481790748 X-GM-MSGID 1563491715126921418 X-GM-LABELS (\"\\\\Sent\") \
UID 227195 RFC822.SIZE 87705 MODSEQ (10677203) INTERNALDATE \"01-Apr-2017 15:51:32 +0000\" FLAGS (\\Seen) \
BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"DELSP\" \"yes\" \"FORMAT\" \"flowed\") NIL NIL \"BASE64\" 10418 133 NIL NIL NIL)\
(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 34544 442 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"94eb2c1cd0507723d5054c1ce6cb\") NIL NIL)\
(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL) \"MIXED\" (\"BOUNDARY\" \"94eb2c1cd0507723e6054c1ce6cd\") NIL NIL) \
BODY[HEADER.FIELDS (MIME-VERSION)] {21}\r\nMIME-Version: 1.0\r\n\r\n)\r\n";
    assert!(try_parse(raw, &ParseOptions::strict()).is_err());
    let f = fetch(parse_raw(raw));
    assert_eq!((f.uid(), f.flags()), (Some(227195), Some(&[Flag::Seen][..])));
    assert_eq!(f.items.len(), 10);
    let body = f.body_structure().unwrap();
    let top = multipart(body);
    assert_eq!((top.media_subtype.as_bytes(), top.parts.len()), (&b"MIXED"[..], 3));
    let empty = multipart(&top.parts[1]);
    assert!(empty.parts.is_empty());
    assert_eq!(empty.media_subtype, s("RELATED"));
    assert_eq!(empty.ext.disposition, Some(Disposition { kind: s("ATTACHMENT"), params: vec![] }));
    assert_eq!(body.walk().count(), 6);
    // The other forms: subtype alone, and subtype with parameters.
    for (line, subtype) in [
        ("* 1 FETCH (BODYSTRUCTURE ((\"ALTERNATIVE\") \"REPORT\"))", "ALTERNATIVE"),
        (
            "* 1 FETCH (BODYSTRUCTURE ((\"ALTERNATIVE\" (\"BOUNDARY\" \"x\") NIL NIL) \"MIXED\"))",
            "ALTERNATIVE",
        ),
    ] {
        let body = body_structure_of(lenient_only(line));
        let inner = multipart(&multipart(&body).parts[0]);
        assert_eq!((inner.media_subtype.clone(), inner.parts.len()), (s(subtype), 0));
    }
}

/// MailKit#1393: NIL for a multipart's parts, as the body of a
/// message/rfc822 part.
#[test]
fn nil_multipart_parts_mailkit_1393() {
    let line = "* 1 FETCH (BODYSTRUCTURE ((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 903 \
                (NIL \"Re: Adresy\" NIL NIL NIL NIL NIL NIL NIL NIL) (NIL \"alternative\" (\"boundary\" \"Apple-Mail=_352F\") NIL NIL NIL) 17 \
                NIL NIL NIL NIL) \"report\"))";
    let body = body_structure_of(lenient_only(line));
    let message = single(&multipart(&body).parts[0]);
    let SinglePartKind::Message { body: inner, lines, .. } = &message.kind else { panic!("{message:?}") };
    assert_eq!(*lines, 17);
    let inner = multipart(inner);
    assert_eq!((inner.parts.len(), inner.media_subtype.clone()), (0, s("alternative")));
    assert_eq!(inner.ext.params, vec![(s("boundary"), s("Apple-Mail=_352F"))]);
    // A single part with a NIL type and subtype is still a single part
    // (Office 365, MailKit#1446).
    let body = body_structure_of(lenient_only(
        "* 1 FETCH (BODYSTRUCTURE (NIL NIL NIL NIL NIL \"7BIT\" 563 NIL NIL NIL NIL))",
    ));
    assert_eq!(single(&body).fields.octets, 563);
    // A media type missing its subtype is no multipart subtype: that part
    // is kept raw (MailKit's TestParseBadlyFormedBodyStructureWithMissingMediaSubtypeText).
    let f = fetch(lenient_only(
        "* 1 FETCH (UID 1 BODYSTRUCTURE ((\"TEXT\" (\"CHARSET\" \"windows-1251\") NIL NIL \"base64\" 356 5) \"MIXED\"))",
    ));
    assert_eq!(f.uid(), Some(1));
    assert!(matches!(&f.items[1], FetchItem::Other { name, .. } if *name == s("BODYSTRUCTURE")));
}

/// MailKit#944: Lotus Domino sends `()` as the body of a message/rfc822
/// part (and doubles spaces); FLAGS after it survive.
#[test]
fn domino_empty_message_body_mailkit_944() {
    let line = "* 9125 FETCH (UID 23064 BODYSTRUCTURE ((\"text\" \"plain\"  (\"charset\" \"UTF-8\") NIL NIL \"base64\" 232 4 NIL NIL NIL)\
                (\"message\" \"rfc822\"  NIL NIL NIL \"7BIT\" 787 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) () 0 NIL NIL NIL) \
                \"report\" (\"report-type\" \"delivery-status\") NIL NIL) FLAGS (\\Seen))";
    let f = fetch(lenient_only(line));
    assert_eq!((f.uid(), f.flags()), (Some(23064), Some(&[Flag::Seen][..])));
    let body = f.body_structure().unwrap();
    let message = single(&multipart(body).parts[1]);
    let SinglePartKind::Message { body: inner, lines: 0, .. } = &message.kind else { panic!("{message:?}") };
    assert_eq!(
        *multipart(inner),
        MultiPart { parts: vec![], media_subtype: s(""), ext: MultiPartExt::default() }
    );
}

/// MailKit#503 and #919: Exchange sends a disposition's type alone; a
/// string that is no type (javamail#278's description) is skipped with the
/// rest of the extension data.
#[test]
fn exchange_disposition_without_parentheses_mailkit_919() {
    let line = "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"ISO-8859-1\") NIL NIL \"QUOTED-PRINTABLE\" 850 31 \
                NIL \"inline\" NIL NIL) \"alternative\" (\"boundary\" \"b\") \"S/MIME Encrypted Message\" NIL))";
    let body = body_structure_of(lenient_only(line));
    let top = multipart(&body);
    assert_eq!(
        single(&top.parts[0]).ext.disposition,
        Some(Disposition { kind: s("inline"), params: vec![] })
    );
    assert_eq!(top.ext.params, vec![(s("boundary"), s("b"))]);
    assert_eq!(top.ext.disposition, None);
}

/// libetpan#217: a parameter list where the MD5 goes; the extension data
/// is skipped from there, the part kept.
#[test]
fn parameter_list_as_md5_libetpan_217() {
    let line = "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"GB2312\") NIL NIL NIL 0 0 \
                (\"BOUNDARY\" \"=====002_Dragon477158377507_=====\") NIL NIL) \"RELATED\" (\"BOUNDARY\" \"x\") NIL NIL))";
    let body = body_structure_of(lenient_only(line));
    let part = single(&multipart(&body).parts[0]);
    assert_eq!(part.ext, SinglePartExt::default());
    assert_eq!(part.kind, SinglePartKind::Text { lines: 0 });
}

// ------------------------------------------------------ FETCH items

/// MailKit#943: Lotus Domino wraps ENVELOPE in parentheses.
#[test]
fn domino_wrapped_fetch_items_mailkit_943() {
    let line = "* 2 FETCH (UID 14935 (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)) BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0 NIL))";
    let f = fetch(lenient_only(line));
    assert!(matches!(
        &f.items[..],
        [FetchItem::Uid(14935), FetchItem::Envelope(_), FetchItem::BodyStructure(_)]
    ));
    assert_eq!(f.envelope(), Some(&Envelope::default()));
    let mut opts = ParseOptions::default();
    opts.leniency.wrapped_fetch_items = false;
    assert!(try_parse(&with_crlf(line), &opts).is_err());
    // Nested wrapping and an empty pair.
    let f = fetch(lenient_only("* 2 FETCH ((UID 1 (FLAGS ())) ( ) RFC822.SIZE 5)"));
    assert_eq!(f.items, vec![FetchItem::Uid(1), FetchItem::Flags(vec![]), FetchItem::Size(5)]);
}

/// MailKit#495 and #1686: Zoho sends `MODSEQ (-1)`; kept raw, the FETCH
/// has no mod-sequence, its FLAGS and UID survive.
#[test]
fn zoho_negative_modseq_mailkit_1686() {
    let line = "* 65 FETCH (MODSEQ (-1) FLAGS (\\Recent \\Seen) UID 629)";
    let f = fetch(lenient_only(line));
    assert_eq!(f.items[0], FetchItem::Other { name: s("MODSEQ"), raw: Bytes::from("(-1)") });
    assert_eq!((f.modseq(), f.uid()), (None, Some(629)));
    assert_eq!(f.flags(), Some(&[Flag::Recent, Flag::Seen][..]));
    let mut opts = ParseOptions::default();
    opts.leniency.fetch_items = false;
    let e = try_parse(&with_crlf(line), &opts).unwrap_err();
    assert!(e.to_string().contains("expected number at byte 20"), "{e}");
}

/// go-imap#659: NetEase's BODY with unescaped quotes (`""""`); kept raw,
/// the message body after it survives (the literal shortened here).
#[test]
fn netease_unescaped_quotes_in_body_go_imap_659() {
    let raw = b"* 150 FETCH (UID 1733220355 FLAGS (\\Seen) BODY ((\"text\" \"html\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 1224 16)\
(\"application\" \"octet-stream\" (\"name\" \"2154973550.pdf\") NIL \"\"\"\" \"base64\" 65322) \"MIXED\") BODY[] {5}\r\nhello)\r\n";
    assert!(try_parse(raw, &ParseOptions::strict()).is_err());
    let f = fetch(parse_raw(raw));
    assert_eq!(f.uid(), Some(1733220355));
    assert_eq!(f.message().map(|m| &m[..]), Some(&b"hello"[..]));
    assert!(
        matches!(&f.items[2], FetchItem::Other { name, raw } if *name == s("BODY") && raw.ends_with(b"\"MIXED\")"))
    );
}

/// MailKit#1708: Yandex sends `BODY[2]` with no value for an empty part.
#[test]
fn yandex_missing_section_data_mailkit_1708() {
    let raw = b"* 1 FETCH (UID 3016 BODY[2.MIME] {12}\r\nContent: x\r\n BODY[2] )\r\n";
    let f = fetch(parse_raw(raw));
    assert_eq!(f.uid(), Some(3016));
    assert_eq!(f.section(&Section::part([2]).mime()).map(|b| &b[..]), Some(&b"Content: x\r\n"[..]));
    assert_eq!(f.items[2], FetchItem::BodySection { section: Section::part([2]), origin: None, data: None });
    assert!(try_parse(raw, &ParseOptions::strict()).is_err());
    let mut opts = ParseOptions::default();
    opts.leniency.missing_section_data = false;
    assert!(try_parse(raw, &opts).is_err());
    // BINARY alike, and at the end of the list.
    let f = fetch(lenient_only("* 1 FETCH (BINARY[1]<0>)"));
    assert_eq!(f.items, vec![FetchItem::Binary { part: vec![1], origin: Some(0), data: None }]);
}

/// DavMail#454 (a DavMail gateway to Exchange): two spaces between FETCH
/// items (the literal shortened here).
#[test]
fn davmail_double_space_between_items_davmail_454() {
    let raw = b"* 1 FETCH (UID 1989 FLAGS (\\Seen)  RFC822.HEADER {4}\r\nA: b)\r\n";
    assert!(try_parse(raw, &ParseOptions::strict()).is_err());
    let f = fetch(parse_raw(raw));
    assert_eq!(f.items[2], FetchItem::Rfc822Header(Some(Bytes::from("A: b"))));
}

// ------------------------------------------------ samples from trackers

const SAMPLES: &str = include_str!("../../../tests/data/server-quirks.txt");

/// The UID a FETCH line names, if any.
fn uid_in(line: &str) -> Option<u32> {
    let at = line.find(" FETCH (")?;
    let rest = &line[at..];
    let i = rest.find("(UID ").or_else(|| rest.find(" UID "))?;
    rest[i + 5..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Every response of tests/data/server-quirks.txt, by its mark: quirks
/// decode leniently (typed or in part raw, as marked) and are refused
/// strictly, valid ones decode the same both ways, and whatever one item
/// holds the FETCH keeps its UID. The whole file decodes the same in any
/// chunking.
#[test]
fn samples_from_trackers() {
    // The comment lines naming the source of the responses that follow.
    let mut source = String::new();
    let mut after_response = false;
    let mut stream = Vec::new();
    let mut count = 0;
    for line in SAMPLES.lines() {
        if let Some(comment) = line.strip_prefix('#') {
            if after_response {
                source.clear();
                after_response = false;
            }
            source.push_str(comment);
            source.push('\n');
            continue;
        }
        if line.is_empty() {
            source.clear();
            continue;
        }
        after_response = true;
        let (mark, text) = line.split_at(1);
        let raw = with_crlf(text);
        stream.extend_from_slice(&raw);
        let context = format!("{source}{text}");
        let response =
            parse_response(&raw, &ParseOptions::default()).unwrap_or_else(|e| panic!("{context}\n{e}"));
        let strict = parse_response(&raw, &ParseOptions::strict());
        match mark {
            "=" => assert_eq!(strict.as_ref(), Ok(&response), "{context}"),
            "~" | "?" => assert!(strict.is_err(), "strict parsing accepted {context}"),
            _ => panic!("unknown mark {mark:?} in {context}"),
        }
        let raw_items = match &response {
            Response::Data(Data::Fetch(f)) => {
                assert_eq!(f.uid(), uid_in(text), "{context}");
                f.items.iter().filter(|i| matches!(i, FetchItem::Other { .. })).count()
            }
            _ => 0,
        };
        assert_eq!(raw_items > 0, mark == "?", "{context}\n{response:?}");
        count += 1;
    }
    assert!(count >= 30, "{count} samples");
    let whole = decode_all(&stream, &[stream.len()], ParseOptions::default());
    assert_eq!(whole.len(), count);
    assert_eq!(decode_all(&stream, &[1], ParseOptions::default()), whole);
    for seed in 1..8 {
        let sizes = pseudo_random_sizes(seed, 64, 300);
        assert_eq!(decode_all(&stream, &sizes, ParseOptions::default()), whole, "seed {seed}");
    }
}

// ------------------------------------------------ status lines and LIST

/// MailKit#115: Office 365 answers UID MOVE with a response code on a line
/// of its own (MailKit's capture exchange/issue115).
#[test]
fn office365_bare_copyuid_mailkit_115() {
    let input = b"[COPYUID 55 31 6]\r\n* 1 EXPUNGE\r\n* 0 EXISTS\r\nA00000007 OK MOVE completed.\r\n";
    let got = decode_with(input, ParseOptions::default());
    let copyuid = ResponseCode::CopyUid { uid_validity: 55, source: set("31"), dest: set("6") };
    assert_eq!(got[0], Ok(status(None, StatusKind::Ok, Some(copyuid.clone()), "")));
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(Result::is_ok));
    assert!(decode_with(input, ParseOptions::strict())[0].is_err());
    assert_eq!(lenient_only("[COPYUID 55 31 6] moved"), status(None, StatusKind::Ok, Some(copyuid), "moved"));
    // A tag may start with "[": that reading wins where it parses.
    assert_eq!(both("[x OK done"), status(Some("[x"), StatusKind::Ok, None, "done"));
    assert!(try_parse(b"[COPYUID 55 31 6\r\n", &ParseOptions::default()).is_err());
}

/// MailKit's capture common/list-nil-folder-delim: `""` as a hierarchy
/// delimiter, read as NIL.
#[test]
fn empty_hierarchy_delimiter_mailkit_list_nil_folder_delim() {
    let item = list(lenient_only("* LIST (\\HasNoChildren) \"\" \"Folder2\""));
    assert_eq!((item.delimiter, item.mailbox.as_str()), (None, "Folder2"));
    let mut opts = ParseOptions::default();
    opts.leniency.empty_delimiter = false;
    let e = try_parse(b"* LIST (\\HasNoChildren) \"\" \"Folder2\"\r\n", &opts).unwrap_err();
    assert!(e.to_string().contains("one-character hierarchy delimiter"), "{e}");
    let Data::Namespace(ns) = data(lenient_only("* NAMESPACE ((\"\" \"\")) NIL NIL")) else { panic!() };
    assert_eq!(ns.personal[0].delimiter, None);
}

// ---------------------------------------- a blank line in FETCH data

/// MailKit's capture gmail/headers.1+unsolicited-info (Gmail): a space and
/// a line break after the header literal, before the closing `)`.
#[test]
fn gmail_blank_line_before_closing_paren_mailkit_headers_1() {
    let header = b"Subject: Star Trek Party!\r\nMIME-Version: 1.0\r\n";
    let mut input =
        format!("* 1 FETCH (UID 1 FLAGS (\\Seen \\Deleted) BODY[HEADER] {{{}}}\r\n", header.len())
            .into_bytes();
    input.extend_from_slice(header);
    input.extend_from_slice(b" \r\n)\r\nA00000006 OK Success\r\n");
    let got = decode_with(&input, ParseOptions::default());
    assert_eq!(got.len(), 2, "{got:?}");
    let Ok(Response::Data(Data::Fetch(f))) = &got[0] else { panic!("{got:?}") };
    assert_eq!((f.uid(), f.header().map(|h| &h[..])), (Some(1), Some(&header[..])));
    assert_eq!(got[1], Ok(status(Some("A00000006"), StatusKind::Ok, None, "Success")));
    // Strictly the FETCH (its ")" line with it) is one malformed response.
    let got = decode_with(&input, ParseOptions::strict());
    assert!(got[0].is_err() && got[1].is_ok() && got.len() == 2, "{got:?}");
    let mut opts = ParseOptions::default();
    opts.leniency.blank_line_in_fetch = false;
    assert!(decode_with(&input, opts)[0].is_err());
}

/// imapclient#162 (from Nylas): an empty line after the body literal.
#[test]
fn empty_line_before_closing_paren_imapclient_162() {
    let input = b"* 9 FETCH (UID 17 BODY[] {28}\r\nTHIS PART IS THE MIME BODY\r\n\r\n)\r\n";
    let got = decode_with(input, ParseOptions::default());
    let [Ok(Response::Data(Data::Fetch(f)))] = got.as_slice() else { panic!("{got:?}") };
    assert_eq!(f.message().map(|m| &m[..]), Some(&b"THIS PART IS THE MIME BODY\r\n"[..]));
    assert_eq!(f.uid(), Some(17));
}
