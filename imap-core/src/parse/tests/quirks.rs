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
