use std::fmt;

use bytes::Bytes;

use crate::chars::is_tag_char;
use crate::error::EncodeError;

/// A command tag.
///
/// ```abnf
/// tag = 1*<any ASTRING-CHAR except "+">
/// ```
///
/// The client engine generates tags itself (a configurable prefix and a
/// counter); this type is also what tagged responses carry.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(Bytes);

impl Tag {
    /// Validates and wraps a tag.
    ///
    /// ```
    /// assert!(imap_core::types::Tag::new("A0001").is_ok());
    /// assert!(imap_core::types::Tag::new("A+1").is_err());
    /// ```
    pub fn new(tag: impl Into<Bytes>) -> Result<Self, EncodeError> {
        let tag = tag.into();
        if tag.is_empty() {
            return Err(EncodeError::Empty { what: "tag" });
        }
        if !tag.iter().all(|&c| is_tag_char(c)) {
            return Err(EncodeError::NotAnAtom {
                what: "tag",
                value: String::from_utf8_lossy(&tag).into_owned(),
            });
        }
        Ok(Self(tag))
    }

    /// Wraps bytes the parser already checked.
    pub(crate) fn from_parsed(tag: Bytes) -> Self {
        Self(tag)
    }

    /// The tag's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The tag as text (tags are always ASCII).
    pub fn as_str(&self) -> &str {
        // Only ASTRING-CHARs get in, all ASCII; from_parsed gets them from
        // the same check.
        std::str::from_utf8(&self.0).unwrap_or("?")
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.as_str())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Tag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
