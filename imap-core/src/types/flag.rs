use std::fmt;
use std::hash::{Hash, Hasher};

use super::ByteStr;

/// A message flag.
///
/// ```abnf
/// flag         = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" /
///                flag-keyword / flag-extension
/// flag-keyword = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" / "$Phishing" / atom
/// flag-extension = "\" atom
/// flag-perm    = flag / "\*"
/// flag-fetch   = flag / "\Recent"     ; RFC 3501
/// ```
///
/// Flags compare ASCII-case-insensitively, as RFC 9051 section 2.3.2 says.
///
/// ```
/// use imap_core::types::Flag;
/// assert_eq!(Flag::keyword("$Forwarded"), Flag::keyword("$forwarded"));
/// assert_eq!(Flag::from_wire(b"\\SEEN"), Flag::Seen);
/// assert_eq!(Flag::Seen.to_string(), "\\Seen");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Flag {
    /// `\Seen`
    Seen,
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Draft`
    Draft,
    /// `\Recent` (RFC 3501 only; a server sets it, a client cannot).
    Recent,
    /// `\*` in PERMANENTFLAGS: new keywords may be created.
    MayCreate,
    /// A keyword such as `$Forwarded` or `Junk`.
    Keyword(ByteStr),
    /// An unknown system flag; holds the name without the backslash.
    Extension(ByteStr),
}

impl Flag {
    /// A keyword flag (`$Forwarded`, `$Junk`, a user label...).
    pub fn keyword(name: impl Into<ByteStr>) -> Self {
        Flag::Keyword(name.into())
    }

    /// The same flag, not a slice of a receive buffer.
    pub(crate) fn detached(&self) -> Flag {
        match self {
            Flag::Keyword(k) => Flag::Keyword(k.detached()),
            Flag::Extension(e) => Flag::Extension(e.detached()),
            other => other.clone(),
        }
    }

    /// Classifies a flag as it appears on the wire, backslash included.
    pub fn from_wire(raw: &[u8]) -> Self {
        Self::from_bytes(ByteStr::from(raw))
    }

    pub(crate) fn from_bytes(raw: ByteStr) -> Self {
        if let Some(flag) = Self::system(&raw) {
            return flag;
        }
        if raw.starts_with(b"\\") {
            return Flag::Extension(ByteStr::from_bytes(raw.into_bytes().slice(1..)));
        }
        Flag::Keyword(raw)
    }

    /// The flag `raw` (backslash included) names if it is one of the
    /// system flags this type has a variant for, which hold no bytes: the
    /// parser asks before it takes a slice of the response.
    #[inline]
    pub(crate) fn system(raw: &[u8]) -> Option<Self> {
        let name = raw.strip_prefix(b"\\")?;
        Some(match name.len() {
            1 if name == b"*" => Flag::MayCreate,
            4 if name.eq_ignore_ascii_case(b"seen") => Flag::Seen,
            5 if name.eq_ignore_ascii_case(b"draft") => Flag::Draft,
            6 if name.eq_ignore_ascii_case(b"recent") => Flag::Recent,
            7 if name.eq_ignore_ascii_case(b"flagged") => Flag::Flagged,
            7 if name.eq_ignore_ascii_case(b"deleted") => Flag::Deleted,
            8 if name.eq_ignore_ascii_case(b"answered") => Flag::Answered,
            _ => return None,
        })
    }

    /// The flag as sent on the wire, e.g. `\Seen` or `$Forwarded`.
    pub fn as_wire(&self) -> std::borrow::Cow<'_, [u8]> {
        use std::borrow::Cow;
        match self {
            Flag::Seen => Cow::Borrowed(b"\\Seen"),
            Flag::Answered => Cow::Borrowed(b"\\Answered"),
            Flag::Flagged => Cow::Borrowed(b"\\Flagged"),
            Flag::Deleted => Cow::Borrowed(b"\\Deleted"),
            Flag::Draft => Cow::Borrowed(b"\\Draft"),
            Flag::Recent => Cow::Borrowed(b"\\Recent"),
            Flag::MayCreate => Cow::Borrowed(b"\\*"),
            Flag::Keyword(k) => Cow::Borrowed(k.as_bytes()),
            Flag::Extension(e) => {
                let mut v = Vec::with_capacity(e.len() + 1);
                v.push(b'\\');
                v.extend_from_slice(e);
                Cow::Owned(v)
            }
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Flag::Seen => 0,
            Flag::Answered => 1,
            Flag::Flagged => 2,
            Flag::Deleted => 3,
            Flag::Draft => 4,
            Flag::Recent => 5,
            Flag::MayCreate => 6,
            Flag::Keyword(_) => 7,
            Flag::Extension(_) => 8,
        }
    }
}

impl PartialEq for Flag {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Flag::Keyword(a), Flag::Keyword(b)) | (Flag::Extension(a), Flag::Extension(b)) => {
                a.eq_ignore_ascii_case(b)
            }
            (a, b) => a.rank() == b.rank() && a.rank() < 7,
        }
    }
}

impl Eq for Flag {}

impl Hash for Flag {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        if let Flag::Keyword(k) | Flag::Extension(k) = self {
            for b in k.iter() {
                state.write_u8(b.to_ascii_lowercase());
            }
        }
    }
}

impl fmt::Debug for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flag::Keyword(k) => write!(f, "Keyword({k:?})"),
            Flag::Extension(e) => write!(f, "Extension({e:?})"),
            other => f.write_str(&other.to_string()),
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.as_wire()))
    }
}

impl From<&str> for Flag {
    /// `"\\Seen"` is a system flag, anything else a keyword.
    fn from(s: &str) -> Self {
        Flag::from_wire(s.as_bytes())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Flag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
