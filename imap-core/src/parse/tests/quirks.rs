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
