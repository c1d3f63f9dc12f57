//! The four ways IMAP carries a string, and which one a value needs.

use crate::chars::{is_astring_char, is_atom_char, is_quoted_safe};

/// How a string argument travels on the wire (RFC 9051 section 4.3).
///
/// ```abnf
/// atom     = 1*ATOM-CHAR
/// astring  = 1*ASTRING-CHAR / string
/// string   = quoted / literal
/// quoted   = DQUOTE *QUOTED-CHAR DQUOTE
/// QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials
///               / UTF8-2 / UTF8-3 / UTF8-4          ; with UTF8=ACCEPT
/// literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; "+": LITERAL+/- (RFC 7888)
/// literal8 = "~{" number64 "}" CRLF *OCTET           ; BINARY (RFC 3516)
/// ```
///
/// The encoder picks the first kind that can carry the value: an atom when
/// the grammar allows one and every byte is an atom byte (and the value is
/// not `NIL`), a quoted string when it is 7-bit text without CR, LF or NUL
/// (or UTF-8 once UTF8=ACCEPT is enabled), a literal otherwise, and a
/// literal8 only for binary data where BINARY is available.
///
/// ```
/// use imap_core::types::StringKind;
/// assert_eq!(StringKind::for_astring(b"INBOX", false), StringKind::Atom);
/// assert_eq!(StringKind::for_astring(b"nil", false), StringKind::Quoted);
/// assert_eq!(StringKind::for_astring(b"two words", false), StringKind::Quoted);
/// assert_eq!(StringKind::for_string("Grüße".as_bytes(), false), StringKind::Literal);
/// assert_eq!(StringKind::for_string("Grüße".as_bytes(), true), StringKind::Quoted);
/// assert_eq!(StringKind::for_string(b"a\r\nb", false), StringKind::Literal);
/// assert!(StringKind::is_atom(b"$Forwarded") && !StringKind::is_atom(b"a]"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringKind {
    /// Bare: `INBOX`.
    Atom,
    /// Between double quotes, `"` and `\` escaped: `"two words"`.
    Quoted,
    /// Announced by length, then sent raw: `{5}\r\nGrüß`.
    Literal,
}

/// Quoted strings longer than this go as literals: some servers limit the
/// length of a command line.
pub(crate) const QUOTED_MAX: usize = 1024;

impl StringKind {
    /// The kind for an `astring` (user names, header names, most arguments).
    pub fn for_astring(value: &[u8], utf8: bool) -> StringKind {
        if !value.is_empty() && value.iter().all(|&c| is_astring_char(c)) && !is_nil(value) {
            StringKind::Atom
        } else {
            Self::for_string(value, utf8)
        }
    }

    /// The kind for a `string` (never an atom: passwords, search text...).
    /// Values with NUL need a literal8; see [`needs_literal8`](Self::needs_literal8).
    pub fn for_string(value: &[u8], utf8: bool) -> StringKind {
        let quotable = value.len() < QUOTED_MAX
            && value.iter().all(|&c| is_quoted_safe(c) || c == b'"' || c == b'\\' || (utf8 && c >= 0x80))
            && (!utf8 || std::str::from_utf8(value).is_ok());
        if quotable {
            StringKind::Quoted
        } else {
            StringKind::Literal
        }
    }

    /// Whether the value may be sent as an atom (`1*ATOM-CHAR`).
    pub fn is_atom(value: &[u8]) -> bool {
        !value.is_empty() && value.iter().all(|&c| is_atom_char(c))
    }

    /// Whether only a literal8 (BINARY) can carry the value: it holds NUL.
    pub fn needs_literal8(value: &[u8]) -> bool {
        value.contains(&0)
    }
}

/// `NIL` in any case: an atom that would be read as NIL must be quoted.
pub(crate) fn is_nil(value: &[u8]) -> bool {
    value.eq_ignore_ascii_case(b"NIL")
}
