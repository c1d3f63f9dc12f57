//! Character classes of the IMAP grammar (RFC 9051 section 9, RFC 3501 section 9).
//!
//! One 256-entry table with a bit per class, so every test is a single load.

const ATOM: u8 = 1; // ATOM-CHAR
const ASTRING: u8 = 2; // ASTRING-CHAR = ATOM-CHAR / resp-specials
const TAG: u8 = 4; // ASTRING-CHAR except "+"
const LIST: u8 = 8; // list-char = ATOM-CHAR / list-wildcards / resp-specials
const TEXT: u8 = 16; // TEXT-CHAR: CHAR except CR, LF (and NUL, which CHAR excludes)
const QUOTED_SAFE: u8 = 32; // TEXT-CHAR except quoted-specials: needs no escape
const DIGIT: u8 = 64;

const fn build() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let ctl = c < 0x20 || c == 0x7f;
        let is_char = c >= 0x01 && c <= 0x7f;
        let atom_special = c == b'('
            || c == b')'
            || c == b'{'
            || c == b' '
            || ctl
            || c == b'%'
            || c == b'*'
            || c == b'"'
            || c == b'\\'
            || c == b']';
        let mut bits = 0u8;
        if is_char && !atom_special {
            bits |= ATOM | ASTRING | LIST;
            if c != b'+' {
                bits |= TAG;
            }
        }
        if c == b']' {
            bits |= ASTRING | TAG | LIST;
        }
        if c == b'%' || c == b'*' {
            bits |= LIST;
        }
        if is_char && c != b'\r' && c != b'\n' {
            bits |= TEXT;
            if c != b'"' && c != b'\\' {
                bits |= QUOTED_SAFE;
            }
        }
        if c.is_ascii_digit() {
            bits |= DIGIT;
        }
        t[i] = bits;
        i += 1;
    }
    t
}

static TABLE: [u8; 256] = build();

#[inline]
pub(crate) fn is_atom_char(c: u8) -> bool {
    TABLE[c as usize] & ATOM != 0
}

#[inline]
pub(crate) fn is_astring_char(c: u8) -> bool {
    TABLE[c as usize] & ASTRING != 0
}

#[inline]
pub(crate) fn is_tag_char(c: u8) -> bool {
    TABLE[c as usize] & TAG != 0
}

#[inline]
pub(crate) fn is_list_char(c: u8) -> bool {
    TABLE[c as usize] & LIST != 0
}

#[inline]
pub(crate) fn is_text_char(c: u8) -> bool {
    TABLE[c as usize] & TEXT != 0
}

/// A byte that may stand unescaped between double quotes.
#[inline]
pub(crate) fn is_quoted_safe(c: u8) -> bool {
    TABLE[c as usize] & QUOTED_SAFE != 0
}

#[inline]
pub(crate) fn is_digit(c: u8) -> bool {
    TABLE[c as usize] & DIGIT != 0
}

/// Lenient atom byte for data a server sends: an ATOM-CHAR, or any 8-bit byte
/// (servers put raw UTF-8 in keywords and capability atoms).
#[inline]
pub(crate) fn is_lenient_atom_char(c: u8) -> bool {
    is_atom_char(c) || c >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_the_abnf() {
        for c in 0u8..=255 {
            let specials = b"(){ %*\"\\]";
            let expect_atom =
                (0x01..=0x7f).contains(&c) && !(c < 0x20 || c == 0x7f) && !specials.contains(&c);
            assert_eq!(is_atom_char(c), expect_atom, "byte {c:#x}");
            assert_eq!(is_astring_char(c), expect_atom || c == b']', "byte {c:#x}");
            assert_eq!(is_tag_char(c), (expect_atom || c == b']') && c != b'+');
            assert_eq!(is_text_char(c), (0x01..=0x7f).contains(&c) && c != b'\r' && c != b'\n');
        }
        assert!(is_list_char(b'%') && is_list_char(b'*') && is_list_char(b']'));
        assert!(!is_quoted_safe(b'"') && !is_quoted_safe(b'\\') && is_quoted_safe(b' '));
    }
}
