//! Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3, RFC 9051
//! appendix A.1): printable US-ASCII stands for itself except `&`, which is
//! `&-`; everything else is UTF-16BE in base64 (with `,` for `/`, no
//! padding) between `&` and `-`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// A mailbox name that is not valid modified UTF-7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Utf7Error {
    /// A byte outside printable US-ASCII at this offset.
    #[error("byte {0} is not printable US-ASCII")]
    NotPrintable(usize),
    /// A `&` at this offset with no closing `-`.
    #[error("shift sequence at byte {0} is not closed by '-'")]
    Unterminated(usize),
    /// The base64 run starting at this offset is not valid modified base64,
    /// not whole UTF-16, or not in shortest form.
    #[error("invalid modified base64 at byte {0}")]
    BadBase64(usize),
    /// The base64 run starting at this offset encodes an unpaired surrogate.
    #[error("invalid UTF-16 in shift sequence at byte {0}")]
    BadUtf16(usize),
    /// A shift sequence at this offset encodes printable US-ASCII, or follows
    /// another one directly: not the canonical form.
    #[error("non-canonical shift sequence at byte {0}")]
    NotCanonical(usize),
}

/// Encodes a mailbox name in modified UTF-7.
///
/// ```
/// assert_eq!(imap_core::types::encode_utf7("Entwürfe"), "Entw&APw-rfe");
/// assert_eq!(imap_core::types::encode_utf7("A&B"), "A&-B");
/// ```
pub fn encode_utf7(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let mut units: Vec<u16> = Vec::new();
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush_shifted(&mut out, &mut units);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut buf = [0u16; 2];
            units.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush_shifted(&mut out, &mut units);
    out
}

fn flush_shifted(out: &mut String, units: &mut Vec<u16>) {
    if units.is_empty() {
        return;
    }
    out.push('&');
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for unit in units.drain(..) {
        for byte in unit.to_be_bytes() {
            acc = (acc << 8) | u32::from(byte);
            bits += 8;
            while bits >= 6 {
                bits -= 6;
                out.push(ALPHABET[((acc >> bits) & 0x3f) as usize] as char);
            }
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 0x3f) as usize] as char);
    }
    out.push('-');
}

/// Decodes a modified UTF-7 mailbox name, strictly: only the canonical
/// encoding of a name is accepted, so decode and encode round trip exactly.
///
/// ```
/// assert_eq!(imap_core::types::decode_utf7(b"&ZeVnLIqe-").unwrap(), "日本語");
/// assert!(imap_core::types::decode_utf7(b"&Jjo").is_err());
/// ```
pub fn decode_utf7(wire: &[u8]) -> Result<String, Utf7Error> {
    let mut out = String::with_capacity(wire.len());
    let mut i = 0;
    let mut last_shift_end = None;
    while i < wire.len() {
        let c = wire[i];
        if c == b'&' {
            let end = match memchr::memchr(b'-', &wire[i + 1..]) {
                Some(off) => i + 1 + off,
                None => return Err(Utf7Error::Unterminated(i)),
            };
            if end == i + 1 {
                out.push('&');
            } else {
                if last_shift_end == Some(i) {
                    return Err(Utf7Error::NotCanonical(i));
                }
                decode_shifted(&wire[i + 1..end], i, &mut out)?;
                last_shift_end = Some(end + 1);
            }
            i = end + 1;
        } else if (0x20..=0x7e).contains(&c) {
            out.push(c as char);
            i += 1;
        } else {
            return Err(Utf7Error::NotPrintable(i));
        }
    }
    Ok(out)
}

fn decode_shifted(b64: &[u8], at: usize, out: &mut String) -> Result<(), Utf7Error> {
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut units: Vec<u16> = Vec::with_capacity(b64.len() * 6 / 16);
    let mut pending: Option<u8> = None;
    for &c in b64 {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b',' => 63,
            _ => return Err(Utf7Error::BadBase64(at)),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let byte = ((acc >> bits) & 0xff) as u8;
            match pending.take() {
                None => pending = Some(byte),
                Some(hi) => units.push(u16::from_be_bytes([hi, byte])),
            }
        }
    }
    // Whole UTF-16 units only, and the leftover bits (fewer than 6) are zero.
    if pending.is_some() || bits >= 6 || (acc & ((1 << bits) - 1)) != 0 {
        return Err(Utf7Error::BadBase64(at));
    }
    let start = out.len();
    for ch in char::decode_utf16(units.iter().copied()) {
        match ch {
            Ok(ch) => out.push(ch),
            Err(_) => return Err(Utf7Error::BadUtf16(at)),
        }
    }
    if out[start..].chars().any(|ch| (' '..='~').contains(&ch)) {
        return Err(Utf7Error::NotCanonical(at));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc3501_example() {
        // RFC 3501 5.1.3: "~peter/mail/台北/日本語"
        let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        assert_eq!(encode_utf7(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode_utf7(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), name);
    }

    #[test]
    fn ampersand_and_plain() {
        assert_eq!(encode_utf7("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode_utf7(b"Tom &- Jerry").unwrap(), "Tom & Jerry");
        assert_eq!(encode_utf7("INBOX"), "INBOX");
        assert_eq!(encode_utf7(""), "");
    }

    #[test]
    fn astral_plane_uses_surrogates() {
        let name = "mail \u{1F600}";
        let wire = encode_utf7(name);
        assert_eq!(wire, "mail &2D3eAA-");
        assert_eq!(decode_utf7(wire.as_bytes()).unwrap(), name);
    }

    #[test]
    fn rejects_non_canonical_and_broken() {
        assert_eq!(decode_utf7(b"&AGE-"), Err(Utf7Error::NotCanonical(0))); // "a" shifted
        assert!(matches!(decode_utf7(b"&AOk-&AOk-"), Err(Utf7Error::NotCanonical(_))));
        assert_eq!(decode_utf7(b"&AOk"), Err(Utf7Error::Unterminated(0)));
        assert_eq!(decode_utf7(b"&AO-"), Err(Utf7Error::BadBase64(0)));
        assert_eq!(decode_utf7(b"&AOl-"), Err(Utf7Error::BadBase64(0))); // nonzero tail bits
        assert_eq!(decode_utf7(b"&2D0-"), Err(Utf7Error::BadUtf16(0))); // lone surrogate
        assert_eq!(decode_utf7("é".as_bytes()), Err(Utf7Error::NotPrintable(0)));
        assert_eq!(decode_utf7(b"a/b&AOk/-"), Err(Utf7Error::BadBase64(3)));
    }

    proptest! {
        #[test]
        fn round_trips_any_unicode(name in any::<String>()) {
            let wire = encode_utf7(&name);
            prop_assert!(wire.bytes().all(|b| (0x20..=0x7e).contains(&b)));
            prop_assert_eq!(decode_utf7(wire.as_bytes()).unwrap(), name);
        }

        #[test]
        fn decode_never_panics_and_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(name) = decode_utf7(&bytes) {
                let again = encode_utf7(&name);
                prop_assert_eq!(again.as_bytes(), &bytes[..]);
            }
        }
    }
}
