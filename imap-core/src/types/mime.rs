//! RFC 2047 encoded words in header text (`=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=`),
//! for showing ENVELOPE subjects and names.

use base64::Engine as _;

/// Decodes RFC 2047 encoded words in header text for display.
///
/// Handles the B and Q encodings in UTF-8, US-ASCII, ISO-8859-1,
/// ISO-8859-15 and Windows-1252; words in other charsets, and bytes that
/// are not valid UTF-8, are kept as they are (lossily). Whitespace between
/// two encoded words is dropped, as RFC 2047 section 6.2 says.
///
/// ```
/// use imap_core::types::decode_rfc2047;
/// assert_eq!(decode_rfc2047(b"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="), "Grüße aus Köln");
/// assert_eq!(decode_rfc2047(b"=?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard");
/// assert_eq!(decode_rfc2047(b"=?utf-8?b?SGVsbG8=?= =?utf-8?b?IHdvcmxk?="), "Hello world");
/// assert_eq!(decode_rfc2047(b"plain text"), "plain text");
/// ```
pub fn decode_rfc2047(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    let mut pending_space = String::new();
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some(start) = rest.find("=?") {
            let (before, from) = rest.split_at(start);
            if let Some((decoded, used)) = encoded_word(from) {
                if !(last_was_word && before.chars().all(char::is_whitespace)) {
                    out.push_str(&pending_space);
                    out.push_str(before);
                }
                pending_space.clear();
                out.push_str(&decoded);
                rest = &from[used..];
                last_was_word = true;
                continue;
            }
            out.push_str(&pending_space);
            pending_space.clear();
            out.push_str(before);
            out.push_str("=?");
            rest = &from[2..];
            last_was_word = false;
        } else {
            out.push_str(&pending_space);
            pending_space.clear();
            out.push_str(rest);
            break;
        }
    }
    out
}

/// Decodes one `=?charset?enc?text?=` at the start of `s`: the text and the
/// bytes consumed.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let body = s.strip_prefix("=?")?;
    let (charset, rest) = body.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let payload = &rest[..end];
    if payload.contains(' ') || charset.is_empty() {
        return None;
    }
    let used = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(payload)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(payload))
            .ok()?,
        "Q" | "q" => q_decode(payload)?,
        _ => return None,
    };
    // RFC 2231 language suffix: charset*lang.
    let charset = charset.split('*').next().unwrap_or(charset).to_ascii_lowercase();
    let text = match charset.as_str() {
        "utf-8" | "utf8" | "us-ascii" => String::from_utf8_lossy(&bytes).into_owned(),
        "iso-8859-1" | "latin1" | "iso-8859-15" | "windows-1252" | "cp1252" => {
            bytes.iter().map(|&b| single_byte(&charset, b)).collect()
        }
        _ => return None,
    };
    Some((text, used))
}

fn q_decode(payload: &str) -> Option<Vec<u8>> {
    let b = payload.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

fn single_byte(charset: &str, b: u8) -> char {
    const CP1252: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match (charset, b) {
        ("windows-1252" | "cp1252", 0x80..=0x9f) => CP1252[usize::from(b - 0x80)],
        ("iso-8859-15", 0xa4) => '€',
        ("iso-8859-15", 0xa6) => 'Š',
        ("iso-8859-15", 0xa8) => 'š',
        ("iso-8859-15", 0xb4) => 'Ž',
        ("iso-8859-15", 0xb8) => 'ž',
        ("iso-8859-15", 0xbc) => 'Œ',
        ("iso-8859-15", 0xbd) => 'œ',
        ("iso-8859-15", 0xbe) => 'Ÿ',
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_spacing() {
        assert_eq!(decode_rfc2047(b"=?UTF-8?B?IOKAlCBBbmhhbmc=?="), " \u{2014} Anhang");
        assert_eq!(decode_rfc2047(b"a =?UTF-8?Q?b?= c"), "a b c");
        assert_eq!(decode_rfc2047(b"=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?="), "ab");
        assert_eq!(decode_rfc2047(b"=?windows-1252?Q?=80=93=96?="), "€“–");
        assert_eq!(decode_rfc2047(b"=?koi8-r?Q?=E1?="), "=?koi8-r?Q?=E1?=", "unknown charset kept");
        assert_eq!(decode_rfc2047(b"=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
        assert_eq!(decode_rfc2047(b"=?UTF-8?Q?unterminated"), "=?UTF-8?Q?unterminated");
        assert_eq!(decode_rfc2047(b"=?"), "=?");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = decode_rfc2047(&s);
        }
    }
}
