use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

use super::utf7::{decode_utf7, encode_utf7};
use super::ByteStr;

/// A mailbox name, as a Rust string; modified UTF-7 on the wire is handled
/// transparently in both directions (RFC 3501 section 5.1.3).
///
/// ```abnf
/// mailbox = "INBOX" / astring
///           ; INBOX is case-insensitive
/// ```
///
/// A name from the server keeps its exact bytes, so it is sent back exactly
/// as received even when it was not valid modified UTF-7.
///
/// ```
/// use imap_core::types::Mailbox;
/// let m = Mailbox::new("Entwürfe");
/// assert_eq!(m.as_str(), "Entwürfe");
/// assert_eq!(m.wire(), b"Entw&APw-rfe");
/// assert_eq!(Mailbox::new("inbox"), Mailbox::inbox());
/// ```
#[derive(Clone)]
pub struct Mailbox {
    name: String,
    wire: ByteStr,
    /// The name did not decode as modified UTF-7 nor as UTF-8; `name` is a
    /// lossy rendering and only `wire` is authoritative.
    lossy: bool,
}

impl Mailbox {
    /// A mailbox from its (Unicode) name.
    pub fn new(name: impl AsRef<str>) -> Self {
        let name = name.as_ref();
        if name.eq_ignore_ascii_case("INBOX") {
            return Self::inbox();
        }
        let wire = encode_utf7(name);
        Self { name: name.to_owned(), wire: ByteStr::from(wire), lossy: false }
    }

    /// The same name, not a slice of a receive buffer.
    pub(crate) fn detached(&self) -> Mailbox {
        Mailbox { name: self.name.clone(), wire: self.wire.detached(), lossy: self.lossy }
    }

    /// The INBOX.
    pub fn inbox() -> Self {
        Self { name: "INBOX".to_owned(), wire: ByteStr::from_static("INBOX"), lossy: false }
    }

    /// A mailbox name as the server sent it. Decoded as modified UTF-7; if it
    /// is not valid modified UTF-7 it is taken as UTF-8 (servers with
    /// UTF8=ACCEPT, or that send raw 8-bit names), else rendered lossily.
    pub fn from_wire(wire: impl Into<Bytes>) -> Self {
        Self::from_wire_mode(wire.into(), false)
    }

    /// As [`from_wire`](Self::from_wire); with `utf8` (after
    /// `ENABLE UTF8=ACCEPT`, RFC 6855) the bytes are UTF-8, not modified
    /// UTF-7, and the name equals (and hashes as) the same name built with
    /// [`new`](Self::new).
    pub fn from_wire_mode(wire: Bytes, utf8: bool) -> Self {
        if wire.eq_ignore_ascii_case(b"INBOX") {
            return Self::inbox();
        }
        let decoded = if utf8 {
            match std::str::from_utf8(&wire) {
                Ok(name) => return Self::new(name),
                Err(_) => None,
            }
        } else {
            decode_utf7(&wire).ok().or_else(|| std::str::from_utf8(&wire).ok().map(str::to_owned))
        };
        match decoded {
            Some(name) => Self { name, wire: ByteStr::from_bytes(wire), lossy: false },
            None => Self {
                name: String::from_utf8_lossy(&wire).into_owned(),
                wire: ByteStr::from_bytes(wire),
                lossy: true,
            },
        }
    }

    /// The decoded name.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The name in modified UTF-7, as sent without UTF8=ACCEPT; a name
    /// the server sent in another form (raw 8-bit without UTF8=ACCEPT,
    /// bytes that decode as nothing) keeps the bytes it came in.
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// The bytes to send: modified UTF-7, or UTF-8 when `utf8` (UTF8=ACCEPT).
    pub(crate) fn wire_bytes(&self, utf8: bool) -> &[u8] {
        if utf8 && !self.lossy {
            self.name.as_bytes()
        } else {
            &self.wire
        }
    }

    /// Whether this is the INBOX.
    pub fn is_inbox(&self) -> bool {
        self.name == "INBOX"
    }

    /// Whether `as_str` is only an approximation (the server's bytes were
    /// neither modified UTF-7 nor UTF-8).
    pub fn is_lossy(&self) -> bool {
        self.lossy
    }
}

impl PartialEq for Mailbox {
    fn eq(&self, other: &Self) -> bool {
        self.wire == other.wire
    }
}

impl Eq for Mailbox {}

impl Hash for Mailbox {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.wire.hash(state)
    }
}

impl PartialEq<str> for Mailbox {
    fn eq(&self, other: &str) -> bool {
        self.name == other || (self.is_inbox() && other.eq_ignore_ascii_case("INBOX"))
    }
}

impl PartialEq<&str> for Mailbox {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mailbox({:?})", self.name)
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl From<&str> for Mailbox {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Mailbox {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl From<&String> for Mailbox {
    fn from(s: &String) -> Self {
        Self::new(s)
    }
}

impl From<&Mailbox> for Mailbox {
    fn from(m: &Mailbox) -> Self {
        m.clone()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Mailbox {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_is_case_insensitive() {
        assert!(Mailbox::new("InBoX").is_inbox());
        assert_eq!(Mailbox::from_wire(Bytes::from_static(b"inbox")), Mailbox::inbox());
        assert_eq!(Mailbox::inbox(), "inbox");
        assert!(!Mailbox::new("INBOX/sub").is_inbox());
    }

    #[test]
    fn round_trips_non_ascii() {
        for name in ["Entwürfe", "日本語", "A&B", "Sent Items"] {
            let m = Mailbox::new(name);
            let back = Mailbox::from_wire(Bytes::copy_from_slice(m.wire()));
            assert_eq!(back.as_str(), name);
            assert_eq!(back, m);
        }
    }

    #[test]
    fn a_utf8_name_equals_the_same_name_made_here() {
        // RFC 6855: after ENABLE UTF8=ACCEPT the server sends UTF-8.
        let received = Mailbox::from_wire_mode(Bytes::from("Entwürfe & Co".as_bytes()), true);
        let made = Mailbox::new("Entwürfe & Co");
        assert_eq!(received, made);
        assert_eq!(received.as_str(), "Entwürfe & Co");
        assert_eq!(received.wire_bytes(true), "Entwürfe & Co".as_bytes(), "sent back as received");
        assert_eq!(received.wire(), b"Entw&APw-rfe &- Co");
        assert!(Mailbox::from_wire_mode(Bytes::from_static(b"caf\xe9"), true).is_lossy());
    }

    #[test]
    fn keeps_undecodable_bytes() {
        let m = Mailbox::from_wire(Bytes::from_static(b"caf\xe9"));
        assert!(m.is_lossy());
        assert_eq!(m.wire(), b"caf\xe9");
        assert_eq!(m.wire_bytes(true), b"caf\xe9");
        let utf8 = Mailbox::from_wire(Bytes::from_static("café".as_bytes()));
        assert_eq!(utf8.as_str(), "café");
        assert!(!utf8.is_lossy());
    }
}
