use super::{ByteStr, Mailbox};

/// A mailbox attribute in a LIST response, including SPECIAL-USE roles.
///
/// ```abnf
/// mbx-list-flags = *(mbx-list-oflag SP) mbx-list-sflag *(SP mbx-list-oflag) /
///                  mbx-list-oflag *(SP mbx-list-oflag)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ListAttribute {
    /// `\Noinferiors`: no children possible.
    NoInferiors,
    /// `\Noselect`: cannot be selected.
    NoSelect,
    /// `\Marked`: new messages since last selected.
    Marked,
    /// `\Unmarked`.
    Unmarked,
    /// `\NonExistent` (RFC 5258).
    NonExistent,
    /// `\Subscribed` (RFC 5258).
    Subscribed,
    /// `\Remote` (RFC 5258).
    Remote,
    /// `\HasChildren` (RFC 3348).
    HasChildren,
    /// `\HasNoChildren` (RFC 3348).
    HasNoChildren,
    /// A SPECIAL-USE role (RFC 6154, RFC 8457).
    SpecialUse(SpecialUse),
    /// Another attribute, as sent (backslash included).
    Other(ByteStr),
}

/// The role of a special-use mailbox (RFC 6154, `\Important` from RFC 8457).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SpecialUse {
    /// `\All`.
    All,
    /// `\Archive`.
    Archive,
    /// `\Drafts`.
    Drafts,
    /// `\Flagged`.
    Flagged,
    /// `\Junk`.
    Junk,
    /// `\Sent`.
    Sent,
    /// `\Trash`.
    Trash,
    /// `\Important` (RFC 8457).
    Important,
}

impl SpecialUse {
    /// The attribute as sent, e.g. `\Sent`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SpecialUse::All => "\\All",
            SpecialUse::Archive => "\\Archive",
            SpecialUse::Drafts => "\\Drafts",
            SpecialUse::Flagged => "\\Flagged",
            SpecialUse::Junk => "\\Junk",
            SpecialUse::Sent => "\\Sent",
            SpecialUse::Trash => "\\Trash",
            SpecialUse::Important => "\\Important",
        }
    }
}

impl ListAttribute {
    /// Classifies an attribute as sent (case-insensitive).
    pub fn from_wire(raw: &[u8]) -> Self {
        Self::from_bytes(ByteStr::from(raw))
    }

    pub(crate) fn from_bytes(raw: ByteStr) -> Self {
        const KNOWN: &[(&str, ListAttribute)] = &[
            ("\\Noinferiors", ListAttribute::NoInferiors),
            ("\\Noselect", ListAttribute::NoSelect),
            ("\\Marked", ListAttribute::Marked),
            ("\\Unmarked", ListAttribute::Unmarked),
            ("\\NonExistent", ListAttribute::NonExistent),
            ("\\Subscribed", ListAttribute::Subscribed),
            ("\\Remote", ListAttribute::Remote),
            ("\\HasChildren", ListAttribute::HasChildren),
            ("\\HasNoChildren", ListAttribute::HasNoChildren),
            ("\\All", ListAttribute::SpecialUse(SpecialUse::All)),
            ("\\Archive", ListAttribute::SpecialUse(SpecialUse::Archive)),
            ("\\Drafts", ListAttribute::SpecialUse(SpecialUse::Drafts)),
            ("\\Flagged", ListAttribute::SpecialUse(SpecialUse::Flagged)),
            ("\\Junk", ListAttribute::SpecialUse(SpecialUse::Junk)),
            ("\\Sent", ListAttribute::SpecialUse(SpecialUse::Sent)),
            ("\\Trash", ListAttribute::SpecialUse(SpecialUse::Trash)),
            ("\\Important", ListAttribute::SpecialUse(SpecialUse::Important)),
        ];
        KNOWN
            .iter()
            .find(|(name, _)| raw.eq_ignore_ascii_case(name))
            .map(|(_, a)| a.clone())
            .unwrap_or(ListAttribute::Other(raw))
    }
}

/// One LIST (or LSUB, XLIST) response.
///
/// ```abnf
/// mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
///                mailbox [SP mbox-list-extended]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListItem {
    /// Attributes, including special-use roles.
    pub attributes: Vec<ListAttribute>,
    /// Hierarchy delimiter; `None` for a flat namespace.
    pub delimiter: Option<char>,
    /// The mailbox (name decoded from modified UTF-7).
    pub mailbox: Mailbox,
    /// Extended data (RFC 5258): CHILDINFO, OLDNAME and others.
    pub extended: Vec<ListExtendedItem>,
}

impl ListItem {
    /// The special-use role, if any.
    pub fn special_use(&self) -> Option<SpecialUse> {
        self.attributes.iter().find_map(|a| match a {
            ListAttribute::SpecialUse(s) => Some(*s),
            _ => None,
        })
    }

    /// Whether the attribute is present.
    pub fn has(&self, attr: &ListAttribute) -> bool {
        self.attributes.contains(attr)
    }
}

/// An item of `mbox-list-extended` (RFC 5258 section 9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ListExtendedItem {
    /// `CHILDINFO ("SUBSCRIBED" ...)`.
    ChildInfo(Vec<ByteStr>),
    /// `OLDNAME ("name")` (RFC 5465, RFC 9051).
    OldName(Mailbox),
    /// Any other item: its tag and the raw value.
    Other {
        /// The item's tag.
        tag: ByteStr,
        /// The value as sent.
        raw: ByteStr,
    },
}
