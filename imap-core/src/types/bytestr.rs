use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use bytes::Bytes;

/// Bytes from or for the wire that are usually text: a string, atom or
/// quoted value. Cheap to clone (a [`Bytes`] handle); parsed values are
/// slices of the received response, never copies.
///
/// Debug prints it as an escaped string, not as a list of numbers.
///
/// ```
/// use imap_core::types::ByteStr;
/// let s = ByteStr::from("Hello");
/// assert_eq!(s, "Hello");
/// assert_eq!(s.to_str(), Some("Hello"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteStr(Bytes);

impl ByteStr {
    /// Wraps bytes.
    pub const fn from_bytes(bytes: Bytes) -> Self {
        Self(bytes)
    }

    /// Wraps a static string without copying.
    pub const fn from_static(s: &'static str) -> Self {
        Self(Bytes::from_static(s.as_bytes()))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, if it is valid UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The text, with invalid UTF-8 replaced by U+FFFD.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The underlying [`Bytes`].
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The underlying [`Bytes`], by reference.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// The same bytes in an allocation of their own: a value the engine
    /// keeps for long must not hold on to the receive buffer it was parsed
    /// from (a slice keeps the whole buffer alive).
    pub(crate) fn detached(&self) -> ByteStr {
        ByteStr(Bytes::copy_from_slice(&self.0))
    }

    /// ASCII case-insensitive comparison (IMAP keywords and atoms compare so).
    pub fn eq_ignore_ascii_case(&self, other: impl AsRef<[u8]>) -> bool {
        self.0.eq_ignore_ascii_case(other.as_ref())
    }
}

impl Deref for ByteStr {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for ByteStr {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Hash for ByteStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl fmt::Debug for ByteStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    c if c.is_control() => write!(f, "{}", c.escape_default())?,
                    c => fmt::Write::write_char(f, c)?,
                }
            }
            for &b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("\"")
    }
}

impl fmt::Display for ByteStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

impl From<&str> for ByteStr {
    fn from(s: &str) -> Self {
        Self(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<String> for ByteStr {
    fn from(s: String) -> Self {
        Self(Bytes::from(s))
    }
}

impl From<&String> for ByteStr {
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<Vec<u8>> for ByteStr {
    fn from(v: Vec<u8>) -> Self {
        Self(Bytes::from(v))
    }
}

impl From<&[u8]> for ByteStr {
    fn from(v: &[u8]) -> Self {
        Self(Bytes::copy_from_slice(v))
    }
}

impl From<Bytes> for ByteStr {
    fn from(b: Bytes) -> Self {
        Self(b)
    }
}

impl From<ByteStr> for Bytes {
    fn from(s: ByteStr) -> Bytes {
        s.0
    }
}

impl PartialEq<str> for ByteStr {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for ByteStr {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<[u8]> for ByteStr {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ByteStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_str() {
            Some(text) => s.serialize_str(text),
            None => s.serialize_bytes(&self.0),
        }
    }
}

/// Serde helpers for raw [`Bytes`] fields: text when UTF-8, bytes otherwise.
#[cfg(feature = "serde")]
pub(crate) mod serde_bytes {
    use bytes::Bytes;

    pub(crate) fn bytes<S: serde::Serializer>(b: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(b) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.serialize_bytes(b),
        }
    }

    pub(crate) fn opt_bytes<S: serde::Serializer>(b: &Option<Bytes>, s: S) -> Result<S::Ok, S::Error> {
        match b {
            Some(b) => bytes(b, s),
            None => s.serialize_none(),
        }
    }
}
