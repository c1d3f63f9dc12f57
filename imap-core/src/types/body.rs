use super::{ByteStr, Envelope};

/// The MIME structure of a message (BODYSTRUCTURE, or BODY without
/// extension data).
///
/// ```abnf
/// body           = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
///                   [SP body-ext-1part]
/// body-type-basic = media-basic SP body-fields
/// body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
/// body-type-text  = media-text SP body-fields SP body-fld-lines
/// body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP
///                   body-fld-enc SP body-fld-octets
/// ```
///
/// Extension data is flattened: absent and NIL both read as `None` or empty.
///
/// Each part is boxed: the value is two words, a part costs one allocation,
/// and deep nesting never needs deep stack frames.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyStructure {
    /// A leaf part.
    Single(Box<SinglePart>),
    /// A multipart.
    Multipart(Box<MultiPart>),
}

/// A non-multipart body part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePart {
    /// Media type, e.g. `TEXT`, `IMAGE` (as sent; compare case-insensitively).
    pub media_type: ByteStr,
    /// Media subtype, e.g. `PLAIN`.
    pub media_subtype: ByteStr,
    /// The fields common to every single part.
    pub fields: BodyFields,
    /// What depends on the media type.
    pub kind: SinglePartKind,
    /// Extension data (BODYSTRUCTURE only).
    pub ext: SinglePartExt,
}

/// What a single part carries besides its fields, by media type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SinglePartKind {
    /// Any type other than TEXT and MESSAGE/RFC822.
    Basic,
    /// `TEXT/*`: with its size in lines.
    Text {
        /// Size in text lines.
        lines: u64,
    },
    /// `MESSAGE/RFC822` (or `MESSAGE/GLOBAL`): the enclosed message.
    Message {
        /// The enclosed message's envelope.
        envelope: Box<Envelope>,
        /// The enclosed message's structure.
        body: BodyStructure,
        /// Size in text lines.
        lines: u64,
    },
}

/// `body-fields`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyFields {
    /// `Content-Type` parameters, e.g. `("CHARSET" "UTF-8")`.
    pub params: Vec<(ByteStr, ByteStr)>,
    /// `Content-ID`.
    pub id: Option<ByteStr>,
    /// `Content-Description`.
    pub description: Option<ByteStr>,
    /// `Content-Transfer-Encoding`, e.g. `BASE64` (`7BIT` if the server sent NIL).
    pub encoding: ByteStr,
    /// Size in octets, as encoded (negative sizes read as 0).
    pub octets: u64,
}

/// Extension data of a single part (`body-ext-1part`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePartExt {
    /// `Content-MD5`.
    pub md5: Option<ByteStr>,
    /// `Content-Disposition`.
    pub disposition: Option<Disposition>,
    /// `Content-Language` tags.
    pub language: Vec<ByteStr>,
    /// `Content-Location`.
    pub location: Option<ByteStr>,
    /// Later extension data.
    pub extensions: Vec<BodyExtension>,
}

/// A multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultiPart {
    /// The parts, in order (part numbers 1, 2, ...).
    pub parts: Vec<BodyStructure>,
    /// Subtype, e.g. `MIXED`, `ALTERNATIVE`.
    pub media_subtype: ByteStr,
    /// Extension data (BODYSTRUCTURE only).
    pub ext: MultiPartExt,
}

/// Extension data of a multipart (`body-ext-mpart`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultiPartExt {
    /// `Content-Type` parameters (e.g. `BOUNDARY`).
    pub params: Vec<(ByteStr, ByteStr)>,
    /// `Content-Disposition`.
    pub disposition: Option<Disposition>,
    /// `Content-Language` tags.
    pub language: Vec<ByteStr>,
    /// `Content-Location`.
    pub location: Option<ByteStr>,
    /// Later extension data.
    pub extensions: Vec<BodyExtension>,
}

/// `Content-Disposition`: its type and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Disposition {
    /// `INLINE`, `ATTACHMENT`...
    pub kind: ByteStr,
    /// Parameters, e.g. `("FILENAME" "a.pdf")`.
    pub params: Vec<(ByteStr, ByteStr)>,
}

/// Extension data a future RFC may add (`body-extension`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyExtension {
    /// NIL.
    Nil,
    /// A string.
    String(ByteStr),
    /// A number.
    Number(u64),
    /// A parenthesised list.
    List(Vec<BodyExtension>),
}

impl BodyStructure {
    /// A leaf part.
    pub fn single(part: SinglePart) -> Self {
        BodyStructure::Single(Box::new(part))
    }

    /// A multipart.
    pub fn multipart(part: MultiPart) -> Self {
        BodyStructure::Multipart(Box::new(part))
    }

    /// Walks every part, depth first, with its part number as used in
    /// `BODY[...]` (e.g. `[1, 2]` for "1.2"; the top level of a single-part
    /// message is `[1]`; a multipart itself gets its own number, the top
    /// multipart gets `[]`).
    ///
    /// ```
    /// # use imap_core::types::*;
    /// # fn leaf(t: &str) -> BodyStructure { BodyStructure::single(SinglePart {
    /// #   media_type: "TEXT".into(), media_subtype: t.into(), fields: Default::default(),
    /// #   kind: SinglePartKind::Text { lines: 1 }, ext: Default::default() }) }
    /// let body = BodyStructure::multipart(MultiPart {
    ///     parts: vec![leaf("PLAIN"), leaf("HTML")],
    ///     media_subtype: "ALTERNATIVE".into(), ext: Default::default() });
    /// let numbers: Vec<Vec<u32>> = body.walk().map(|(n, _)| n).collect();
    /// assert_eq!(numbers, vec![vec![], vec![1], vec![2]]);
    /// ```
    pub fn walk(&self) -> impl Iterator<Item = (Vec<u32>, &BodyStructure)> {
        let mut stack: Vec<(Vec<u32>, &BodyStructure)> = Vec::new();
        match self {
            BodyStructure::Single(_) => stack.push((vec![1], self)),
            BodyStructure::Multipart(_) => stack.push((vec![], self)),
        }
        std::iter::from_fn(move || {
            let (number, part) = stack.pop()?;
            if let BodyStructure::Multipart(m) = part {
                for (i, child) in m.parts.iter().enumerate().rev() {
                    let mut n = number.clone();
                    n.push(i as u32 + 1);
                    stack.push((n, child));
                }
            }
            Some((number, part))
        })
    }

    /// The media type and subtype, upper-cased, e.g. `("TEXT", "PLAIN")`.
    pub fn mime_type(&self) -> (String, String) {
        match self {
            BodyStructure::Single(s) => (
                s.media_type.to_str_lossy().to_ascii_uppercase(),
                s.media_subtype.to_str_lossy().to_ascii_uppercase(),
            ),
            BodyStructure::Multipart(m) => {
                ("MULTIPART".to_owned(), m.media_subtype.to_str_lossy().to_ascii_uppercase())
            }
        }
    }

    /// The `Content-Disposition` filename, or the `Content-Type` name
    /// parameter, of a single part.
    pub fn filename(&self) -> Option<&ByteStr> {
        let BodyStructure::Single(s) = self else { return None };
        fn find<'p>(params: &'p [(ByteStr, ByteStr)], key: &str) -> Option<&'p ByteStr> {
            params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
        }
        s.ext
            .disposition
            .as_ref()
            .and_then(|d| find(&d.params, "FILENAME"))
            .or_else(|| find(&s.fields.params, "NAME"))
    }
}
