use super::{ByteStr, Date, SequenceSet};

/// A SEARCH criterion: the full RFC 3501 / RFC 9051 grammar with nesting,
/// plus CONDSTORE (RFC 7162), WITHIN (RFC 5032), OBJECTID (RFC 8474),
/// SAVEDATE (RFC 8514), SEARCHRES (RFC 5182) and Gmail's X-GM-* keys.
///
/// ```abnf
/// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date /
///              "BODY" SP astring / "CC" SP astring / "DELETED" / "FLAGGED" /
///              "FROM" SP astring / "KEYWORD" SP flag-keyword / "ON" SP date /
///              "SEEN" / "SINCE" SP date / "SUBJECT" SP astring / "TEXT" SP astring /
///              "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
///              "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" /
///              "HEADER" SP header-fld-name SP astring / "LARGER" SP number64 /
///              "NOT" SP search-key / "OR" SP search-key SP search-key /
///              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
///              "SMALLER" SP number64 / "UID" SP sequence-set / "UNDRAFT" /
///              sequence-set / "(" search-key *(SP search-key) ")"
/// ```
///
/// Strings with non-ASCII text make the encoder add `CHARSET UTF-8` and
/// send them as literals.
///
/// ```
/// use imap_core::types::{SearchKey, Date};
/// let key = SearchKey::from_("alice@example.org")
///     .and(SearchKey::Since(Date::new(2024, 1, 1).unwrap()))
///     .and(SearchKey::Seen.not());
/// assert_eq!(key.to_string(), "FROM alice@example.org SINCE 1-Jan-2024 NOT SEEN");
/// let either = SearchKey::subject("invoice").or(SearchKey::Flagged);
/// assert_eq!(either.to_string(), "OR SUBJECT invoice FLAGGED");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SearchKey {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `NEW` (RFC 3501).
    New,
    /// `OLD` (RFC 3501).
    Old,
    /// `RECENT` (RFC 3501).
    Recent,
    /// `SEEN`.
    Seen,
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNSEEN`.
    Unseen,
    /// `BCC string`.
    Bcc(ByteStr),
    /// `BODY string`.
    Body(ByteStr),
    /// `CC string`.
    Cc(ByteStr),
    /// `FROM string`.
    From(ByteStr),
    /// `SUBJECT string`.
    Subject(ByteStr),
    /// `TEXT string`: header or body.
    Text(ByteStr),
    /// `TO string`.
    To(ByteStr),
    /// `HEADER field-name string`.
    Header(ByteStr, ByteStr),
    /// `KEYWORD flag`.
    Keyword(ByteStr),
    /// `UNKEYWORD flag`.
    Unkeyword(ByteStr),
    /// `BEFORE date` (internal date).
    Before(Date),
    /// `ON date` (internal date).
    On(Date),
    /// `SINCE date` (internal date).
    Since(Date),
    /// `SENTBEFORE date` (Date: header).
    SentBefore(Date),
    /// `SENTON date` (Date: header).
    SentOn(Date),
    /// `SENTSINCE date` (Date: header).
    SentSince(Date),
    /// `LARGER n` (octets).
    Larger(u64),
    /// `SMALLER n` (octets).
    Smaller(u64),
    /// `UID set`.
    Uid(SequenceSet),
    /// A bare sequence set (message sequence numbers).
    SequenceSet(SequenceSet),
    /// `NOT key`.
    Not(Box<SearchKey>),
    /// `OR key key`.
    Or(Box<SearchKey>, Box<SearchKey>),
    /// Keys that must all match; sent as a parenthesised list when nested.
    And(Vec<SearchKey>),
    /// `MODSEQ n` (RFC 7162).
    ModSeq(u64),
    /// `OLDER seconds` (RFC 5032).
    Older(u32),
    /// `YOUNGER seconds` (RFC 5032).
    Younger(u32),
    /// `EMAILID id` (RFC 8474).
    EmailId(ByteStr),
    /// `THREADID id` (RFC 8474).
    ThreadId(ByteStr),
    /// `SAVEDBEFORE date` (RFC 8514).
    SavedBefore(Date),
    /// `SAVEDON date` (RFC 8514).
    SavedOn(Date),
    /// `SAVEDSINCE date` (RFC 8514).
    SavedSince(Date),
    /// `SAVEDATESUPPORTED` (RFC 8514).
    SaveDateSupported,
    /// `$`: the result saved by a previous `SEARCH RETURN (SAVE)` (RFC 5182).
    SavedResult,
    /// `X-GM-RAW "query"`: Gmail search syntax.
    GmRaw(ByteStr),
    /// `X-GM-MSGID n`.
    GmMsgId(u64),
    /// `X-GM-THRID n`.
    GmThrId(u64),
    /// `X-GM-LABELS label`.
    GmLabels(ByteStr),
    /// Criteria in IMAP syntax, sent as given (e.g. `FROM "bob" UNSEEN`).
    /// The encoder refuses CR, LF and NUL, so it cannot inject a command.
    Raw(ByteStr),
}

impl SearchKey {
    /// `FROM s` (named with a trailing underscore: `from` is the conversion).
    pub fn from_(s: impl Into<ByteStr>) -> Self {
        SearchKey::From(s.into())
    }

    /// `SUBJECT s`.
    pub fn subject(s: impl Into<ByteStr>) -> Self {
        SearchKey::Subject(s.into())
    }

    /// `TO s`.
    pub fn to(s: impl Into<ByteStr>) -> Self {
        SearchKey::To(s.into())
    }

    /// `TEXT s`.
    pub fn text(s: impl Into<ByteStr>) -> Self {
        SearchKey::Text(s.into())
    }

    /// `BODY s`.
    pub fn body(s: impl Into<ByteStr>) -> Self {
        SearchKey::Body(s.into())
    }

    /// `HEADER name value`.
    pub fn header(name: impl Into<ByteStr>, value: impl Into<ByteStr>) -> Self {
        SearchKey::Header(name.into(), value.into())
    }

    /// `UID set`.
    pub fn uid(set: impl Into<SequenceSet>) -> Self {
        SearchKey::Uid(set.into())
    }

    /// Both this and `other` (flattens nested ANDs).
    pub fn and(self, other: SearchKey) -> Self {
        let mut keys = match self {
            SearchKey::And(keys) => keys,
            key => vec![key],
        };
        match other {
            SearchKey::And(more) => keys.extend(more),
            key => keys.push(key),
        }
        SearchKey::And(keys)
    }

    /// This or `other`.
    pub fn or(self, other: SearchKey) -> Self {
        SearchKey::Or(Box::new(self), Box::new(other))
    }

    /// Not this.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        SearchKey::Not(Box::new(self))
    }

    /// Whether any string argument is outside US-ASCII (needs CHARSET UTF-8).
    pub fn needs_utf8(&self) -> bool {
        let non_ascii = |s: &ByteStr| !s.is_ascii();
        match self {
            SearchKey::Bcc(s)
            | SearchKey::Body(s)
            | SearchKey::Cc(s)
            | SearchKey::From(s)
            | SearchKey::Subject(s)
            | SearchKey::Text(s)
            | SearchKey::To(s)
            | SearchKey::GmRaw(s)
            | SearchKey::GmLabels(s) => non_ascii(s),
            SearchKey::Header(n, v) => non_ascii(n) || non_ascii(v),
            SearchKey::Not(k) => k.needs_utf8(),
            SearchKey::Or(a, b) => a.needs_utf8() || b.needs_utf8(),
            SearchKey::And(keys) => keys.iter().any(SearchKey::needs_utf8),
            _ => false,
        }
    }
}

impl From<SequenceSet> for SearchKey {
    fn from(set: SequenceSet) -> Self {
        SearchKey::SequenceSet(set)
    }
}
