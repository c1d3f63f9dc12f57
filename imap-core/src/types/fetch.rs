use std::fmt;

use bytes::Bytes;

use super::{BodyStructure, ByteStr, DateTime, Envelope, Flag, Mailbox};

/// A body section specifier: which part of a message `BODY[...]` means.
///
/// ```abnf
/// section         = "[" [section-spec] "]"
/// section-spec    = section-msgtext / (section-part ["." section-text])
/// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
/// section-part    = nz-number *("." nz-number)
/// section-text    = section-msgtext / "MIME"
/// ```
///
/// ```
/// use imap_core::types::Section;
/// assert_eq!(Section::full().to_string(), "");
/// assert_eq!(Section::header_fields(["Subject", "From"]).to_string(), "HEADER.FIELDS (Subject From)");
/// assert_eq!(Section::part([1, 2]).mime().to_string(), "1.2.MIME");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Section {
    /// Part number path; empty for the whole message.
    pub part: Vec<u32>,
    /// Which text of that part; `None` for all of it.
    pub text: Option<SectionText>,
}

/// The text selector of a [`Section`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SectionText {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (...)`.
    HeaderFields(Vec<ByteStr>),
    /// `HEADER.FIELDS.NOT (...)`.
    HeaderFieldsNot(Vec<ByteStr>),
    /// `TEXT`.
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

impl Section {
    /// `[]`: the whole message.
    pub fn full() -> Self {
        Self::default()
    }

    /// `[HEADER]`.
    pub fn header() -> Self {
        Self { part: vec![], text: Some(SectionText::Header) }
    }

    /// `[TEXT]`.
    pub fn text() -> Self {
        Self { part: vec![], text: Some(SectionText::Text) }
    }

    /// `[HEADER.FIELDS (...)]`.
    pub fn header_fields<I, S>(fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<ByteStr>,
    {
        let fields = fields.into_iter().map(Into::into).collect();
        Self { part: vec![], text: Some(SectionText::HeaderFields(fields)) }
    }

    /// `[HEADER.FIELDS.NOT (...)]`.
    pub fn header_fields_not<I, S>(fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<ByteStr>,
    {
        let fields = fields.into_iter().map(Into::into).collect();
        Self { part: vec![], text: Some(SectionText::HeaderFieldsNot(fields)) }
    }

    /// `[1.2]`: a body part.
    pub fn part(part: impl Into<Vec<u32>>) -> Self {
        Self { part: part.into(), text: None }
    }

    /// This part's `.MIME` header.
    pub fn mime(mut self) -> Self {
        self.text = Some(SectionText::Mime);
        self
    }

    /// This part's `.HEADER` (for a message/rfc822 part).
    pub fn with_header(mut self) -> Self {
        self.text = Some(SectionText::Header);
        self
    }

    /// This part's `.TEXT` (for a message/rfc822 part).
    pub fn with_text(mut self) -> Self {
        self.text = Some(SectionText::Text);
        self
    }

    /// Whether two sections name the same data: header field names compare
    /// case-insensitively, as servers echo them in their own case
    /// (`BODY[HEADER.FIELDS (SUBJECT)]` for a request of `(Subject)`).
    pub fn matches(&self, other: &Section) -> bool {
        if self.part != other.part {
            return false;
        }
        let same_fields = |a: &[ByteStr], b: &[ByteStr]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
        };
        match (&self.text, &other.text) {
            (Some(SectionText::HeaderFields(a)), Some(SectionText::HeaderFields(b)))
            | (Some(SectionText::HeaderFieldsNot(a)), Some(SectionText::HeaderFieldsNot(b))) => {
                same_fields(a, b)
            }
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Section {
    /// The section spec as between the brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.part.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        let Some(text) = &self.text else { return Ok(()) };
        if !self.part.is_empty() {
            f.write_str(".")?;
        }
        let fields = |f: &mut fmt::Formatter<'_>, name: &str, list: &[ByteStr]| {
            write!(f, "{name} (")?;
            for (i, h) in list.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{h}")?;
            }
            f.write_str(")")
        };
        match text {
            SectionText::Header => f.write_str("HEADER"),
            SectionText::HeaderFields(l) => fields(f, "HEADER.FIELDS", l),
            SectionText::HeaderFieldsNot(l) => fields(f, "HEADER.FIELDS.NOT", l),
            SectionText::Text => f.write_str("TEXT"),
            SectionText::Mime => f.write_str("MIME"),
        }
    }
}

/// A message data item to FETCH.
///
/// ```abnf
/// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" ["." ("HEADER" / "SIZE" / "TEXT")] /
///             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] /
///             "BODY.PEEK" section [partial] / "BINARY" [".PEEK"] section-binary [partial] /
///             "BINARY.SIZE" section-binary / "MODSEQ" / "EMAILID" / "THREADID" / ...
/// partial   = "<" number "." nz-number ">"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchAttr {
    /// `ALL` macro: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE (must be alone).
    All,
    /// `FAST` macro: FLAGS INTERNALDATE RFC822.SIZE (must be alone).
    Fast,
    /// `FULL` macro: ALL plus BODY (must be alone).
    Full,
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822` (sets \Seen; deprecated in RFC 9051, prefer a body section).
    Rfc822,
    /// `RFC822.HEADER`.
    Rfc822Header,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822.TEXT`.
    Rfc822Text,
    /// `UID`.
    Uid,
    /// `BODY`: structure without extension data.
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `BODY[section]<partial>` or `BODY.PEEK[...]` (peek leaves \Seen alone).
    BodySection {
        /// Which section.
        section: Section,
        /// `<offset.length>`.
        partial: Option<(u32, u32)>,
        /// `BODY.PEEK` rather than `BODY`.
        peek: bool,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK` (RFC 3516).
    Binary {
        /// Part number path.
        part: Vec<u32>,
        /// `<offset.length>`.
        partial: Option<(u32, u32)>,
        /// `BINARY.PEEK`.
        peek: bool,
    },
    /// `BINARY.SIZE[part]` (RFC 3516).
    BinarySize {
        /// Part number path.
        part: Vec<u32>,
    },
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `EMAILID` (RFC 8474).
    EmailId,
    /// `THREADID` (RFC 8474).
    ThreadId,
    /// `SAVEDATE` (RFC 8514).
    SaveDate,
    /// `PREVIEW` (RFC 8970).
    Preview,
    /// `X-GM-MSGID` (Gmail).
    GmMsgId,
    /// `X-GM-THRID` (Gmail).
    GmThrId,
    /// `X-GM-LABELS` (Gmail).
    GmLabels,
    /// Another item, sent as an atom.
    Other(ByteStr),
}

impl FetchAttr {
    /// `BODY.PEEK[]`: the whole message, leaving \Seen alone.
    pub fn body_peek() -> Self {
        FetchAttr::BodySection { section: Section::full(), partial: None, peek: true }
    }

    /// `BODY.PEEK[section]`.
    pub fn section_peek(section: Section) -> Self {
        FetchAttr::BodySection { section, partial: None, peek: true }
    }

    /// Whether this is one of the macros ALL, FAST, FULL.
    pub fn is_macro(&self) -> bool {
        matches!(self, FetchAttr::All | FetchAttr::Fast | FetchAttr::Full)
    }
}

/// One data item of a FETCH response.
///
/// ```abnf
/// msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
/// ```
///
/// Unknown items are kept raw in [`FetchItem::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FetchItem {
    /// `FLAGS (...)`.
    Flags(Vec<Flag>),
    /// `UID n`.
    Uid(u32),
    /// `INTERNALDATE "..."`.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`.
    Size(u64),
    /// `ENVELOPE (...)`.
    Envelope(Box<Envelope>),
    /// `BODYSTRUCTURE (...)`.
    BodyStructure(BodyStructure),
    /// `BODY (...)`: structure without extension data.
    Body(BodyStructure),
    /// `BODY[section]<origin> nstring`.
    BodySection {
        /// Which section.
        section: Section,
        /// Offset of a partial fetch.
        origin: Option<u32>,
        /// The data; `None` for NIL.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::opt_bytes"))]
        data: Option<Bytes>,
    },
    /// `BINARY[part]<origin> (nstring / literal8)` (RFC 3516).
    Binary {
        /// Part number path.
        part: Vec<u32>,
        /// Offset of a partial fetch.
        origin: Option<u32>,
        /// The decoded data; `None` for NIL.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::opt_bytes"))]
        data: Option<Bytes>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516).
    BinarySize {
        /// Part number path.
        part: Vec<u32>,
        /// Decoded size in octets.
        size: u64,
    },
    /// `RFC822 nstring`.
    Rfc822(
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::opt_bytes"))]
        Option<Bytes>,
    ),
    /// `RFC822.HEADER nstring`.
    Rfc822Header(
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::opt_bytes"))]
        Option<Bytes>,
    ),
    /// `RFC822.TEXT nstring`.
    Rfc822Text(
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::opt_bytes"))]
        Option<Bytes>,
    ),
    /// `MODSEQ (n)` (RFC 7162).
    ModSeq(u64),
    /// `EMAILID (id)` (RFC 8474).
    EmailId(ByteStr),
    /// `THREADID (id)` or `THREADID NIL` (RFC 8474).
    ThreadId(Option<ByteStr>),
    /// `SAVEDATE "..."` or NIL (RFC 8514).
    SaveDate(Option<DateTime>),
    /// `PREVIEW nstring` (RFC 8970).
    Preview(Option<ByteStr>),
    /// `X-GM-MSGID n` (Gmail).
    GmMsgId(u64),
    /// `X-GM-THRID n` (Gmail).
    GmThrId(u64),
    /// `X-GM-LABELS (...)` (Gmail): label names, decoded as mailbox names
    /// are (modified UTF-7, or UTF-8 under UTF8=ACCEPT); system labels keep
    /// their backslash (`\Inbox`, `\Important`).
    GmLabels(Vec<Mailbox>),
    /// An item this parser does not know, or (leniently, see
    /// [`Leniency::fetch_items`](crate::Leniency::fetch_items)) a known
    /// item whose value does not parse: its name and raw value.
    Other {
        /// The item name, e.g. `X-FOO`.
        name: ByteStr,
        /// The value exactly as sent (may span literals).
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::bytes"))]
        raw: Bytes,
    },
}

/// A whole FETCH response: `* n FETCH (...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Fetch {
    /// Message sequence number.
    pub seq: u32,
    /// The data items, in the server's order.
    pub items: Vec<FetchItem>,
}

impl Fetch {
    /// `UID`, if present.
    pub fn uid(&self) -> Option<u32> {
        self.items.iter().find_map(|i| match i {
            FetchItem::Uid(u) => Some(*u),
            _ => None,
        })
    }

    /// `FLAGS`, if present.
    pub fn flags(&self) -> Option<&[Flag]> {
        self.items.iter().find_map(|i| match i {
            FetchItem::Flags(f) => Some(f.as_slice()),
            _ => None,
        })
    }

    /// `X-GM-LABELS` (Gmail), if present: the message's labels, e.g.
    /// `\Inbox`, `Work/Projects`.
    pub fn gmail_labels(&self) -> Option<&[Mailbox]> {
        self.items.iter().find_map(|i| match i {
            FetchItem::GmLabels(l) => Some(l.as_slice()),
            _ => None,
        })
    }

    /// `MODSEQ`, if present.
    pub fn modseq(&self) -> Option<u64> {
        self.items.iter().find_map(|i| match i {
            FetchItem::ModSeq(m) => Some(*m),
            _ => None,
        })
    }

    /// `ENVELOPE`, if present.
    pub fn envelope(&self) -> Option<&Envelope> {
        self.items.iter().find_map(|i| match i {
            FetchItem::Envelope(e) => Some(&**e),
            _ => None,
        })
    }

    /// `BODYSTRUCTURE` (or `BODY` structure), if present.
    pub fn body_structure(&self) -> Option<&BodyStructure> {
        self.items.iter().find_map(|i| match i {
            FetchItem::BodyStructure(b) | FetchItem::Body(b) => Some(b),
            _ => None,
        })
    }

    /// `INTERNALDATE`, if present.
    pub fn internal_date(&self) -> Option<DateTime> {
        self.items.iter().find_map(|i| match i {
            FetchItem::InternalDate(d) => Some(*d),
            _ => None,
        })
    }

    /// `RFC822.SIZE`, if present.
    pub fn size(&self) -> Option<u64> {
        self.items.iter().find_map(|i| match i {
            FetchItem::Size(s) => Some(*s),
            _ => None,
        })
    }

    /// The data of `BODY[section]` (any origin), if present and not NIL.
    /// Header field names match case-insensitively.
    pub fn section(&self, section: &Section) -> Option<&Bytes> {
        self.items.iter().find_map(|i| match i {
            FetchItem::BodySection { section: s, data, .. } if s.matches(section) => data.as_ref(),
            _ => None,
        })
    }

    /// The whole message: `BODY[]`, `RFC822` or `BINARY[]`, if present.
    pub fn message(&self) -> Option<&Bytes> {
        self.items.iter().find_map(|i| match i {
            FetchItem::BodySection { section, data, .. } if *section == Section::full() => data.as_ref(),
            FetchItem::Rfc822(data) => data.as_ref(),
            FetchItem::Binary { part, data, .. } if part.is_empty() => data.as_ref(),
            _ => None,
        })
    }

    /// The message header: `BODY[HEADER]` or `RFC822.HEADER`, if present.
    pub fn header(&self) -> Option<&Bytes> {
        self.items.iter().find_map(|i| match i {
            FetchItem::BodySection { section, data, .. } if *section == Section::header() => data.as_ref(),
            FetchItem::Rfc822Header(data) => data.as_ref(),
            _ => None,
        })
    }
}
