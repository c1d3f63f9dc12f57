use bytes::Bytes;

use super::{
    ByteStr, Capabilities, Fetch, Flag, ListItem, Mailbox, ResponseCode, SequenceSet, StatusItem, Tag,
};

/// One complete server response.
///
/// ```abnf
/// response-data    = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data /
///                    message-data / capability-data / enable-data) CRLF
/// response-tagged  = tag SP resp-cond-state CRLF
/// continue-req     = "+" SP (resp-text / base64) CRLF
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Response {
    /// A status response, tagged or untagged: OK, NO, BAD, PREAUTH, BYE.
    Status(Status),
    /// Untagged data.
    Data(Data),
    /// A continuation request (`+ ...`).
    Continue(Continue),
}

impl Response {
    /// Whether this is only a sign of life: an untagged OK without a
    /// response code, such as Dovecot's `* OK Still here` during IDLE or
    /// `* OK Searched 50% of the mailbox` during a long SEARCH. Not news
    /// about the mailbox.
    ///
    /// ```
    /// use imap_core::parse::parse_response;
    /// let parse = |wire: &'static [u8]| parse_response(&wire.into(), &Default::default()).unwrap();
    /// assert!(parse(b"* OK Still here\r\n").is_keepalive());
    /// assert!(!parse(b"* 4 EXISTS\r\n").is_keepalive());
    /// assert!(!parse(b"* OK [ALERT] disk full\r\n").is_keepalive());
    /// ```
    pub fn is_keepalive(&self) -> bool {
        matches!(self, Response::Status(Status { tag: None, kind: StatusKind::Ok, code: None, .. }))
    }
}

/// A status response.
///
/// ```abnf
/// resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
/// resp-text       = ["[" resp-text-code "]" SP] [text]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Status {
    /// The command tag; `None` for an untagged (`*`) response.
    pub tag: Option<Tag>,
    /// OK, NO, BAD, PREAUTH or BYE.
    pub kind: StatusKind,
    /// The bracketed response code, if any.
    pub code: Option<ResponseCode>,
    /// Human-readable text (may be empty).
    pub text: ByteStr,
}

impl Status {
    /// The same status with its bytes in allocations of their own, for a
    /// value kept for the whole session (the greeting).
    pub(crate) fn detached(&self) -> Status {
        Status {
            tag: self.tag.clone(),
            kind: self.kind,
            code: self.code.as_ref().map(ResponseCode::detached),
            text: self.text.detached(),
        }
    }
}

/// The condition of a [`Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StatusKind {
    /// `OK`.
    Ok,
    /// `NO`: the command failed.
    No,
    /// `BAD`: the command was not understood.
    Bad,
    /// `PREAUTH`: greeting of an already authenticated connection.
    PreAuth,
    /// `BYE`: the server is closing the connection.
    Bye,
}

impl StatusKind {
    /// The keyword as sent.
    pub fn as_str(&self) -> &'static str {
        match self {
            StatusKind::Ok => "OK",
            StatusKind::No => "NO",
            StatusKind::Bad => "BAD",
            StatusKind::PreAuth => "PREAUTH",
            StatusKind::Bye => "BYE",
        }
    }
}

/// A continuation request: the server waits for a literal, SASL data or
/// (after IDLE) DONE.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Continue {
    /// A response code, if the text started with one.
    pub code: Option<ResponseCode>,
    /// The text after `+ ` (base64 during AUTHENTICATE); may be empty.
    pub text: ByteStr,
}

/// Untagged data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Data {
    /// `CAPABILITY ...`.
    Capability(Capabilities),
    /// `ENABLED ...` (RFC 5161).
    Enabled(Capabilities),
    /// `FLAGS (...)`: flags defined in the selected mailbox.
    Flags(Vec<Flag>),
    /// `LIST ...` (also Gmail's `XLIST`).
    List(ListItem),
    /// `LSUB ...`.
    Lsub(ListItem),
    /// `STATUS mailbox (...)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The items, in the server's order.
        items: Vec<StatusItem>,
    },
    /// `SEARCH ...`, with CONDSTORE's `(MODSEQ n)`.
    Search {
        /// Matching message numbers or UIDs.
        ids: Vec<u32>,
        /// The highest mod-sequence of the matches (RFC 7162).
        modseq: Option<u64>,
    },
    /// `ESEARCH ...` (RFC 4731).
    ESearch(ESearch),
    /// `SORT ...` (RFC 5256), with CONDSTORE's `(MODSEQ n)`.
    Sort {
        /// Message numbers or UIDs in sorted order.
        ids: Vec<u32>,
        /// The highest mod-sequence (RFC 7162).
        modseq: Option<u64>,
    },
    /// `THREAD ...` (RFC 5256).
    Thread(Vec<Thread>),
    /// `n EXISTS`.
    Exists(u32),
    /// `n RECENT`.
    Recent(u32),
    /// `n EXPUNGE`.
    Expunge(u32),
    /// `n FETCH (...)`.
    Fetch(Fetch),
    /// `VANISHED [(EARLIER)] uids` (RFC 7162).
    Vanished {
        /// `(EARLIER)`: a reply to a FETCH/SELECT, not a new expunge.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet,
    },
    /// `NAMESPACE ...` (RFC 2342).
    Namespace(Namespaces),
    /// `QUOTA root (...)` (RFC 9208).
    Quota(Quota),
    /// `QUOTAROOT mailbox root...` (RFC 9208).
    QuotaRoot {
        /// The mailbox asked about.
        mailbox: Mailbox,
        /// Its quota roots.
        roots: Vec<ByteStr>,
    },
    /// `ACL mailbox (identifier rights)...` (RFC 4314).
    Acl {
        /// The mailbox.
        mailbox: Mailbox,
        /// Identifier and rights pairs.
        entries: Vec<AclEntry>,
    },
    /// `LISTRIGHTS mailbox identifier required optional...` (RFC 4314).
    ListRights {
        /// The mailbox.
        mailbox: Mailbox,
        /// The identifier asked about.
        identifier: ByteStr,
        /// Rights always granted.
        required: ByteStr,
        /// Rights that may be granted, in groups.
        optional: Vec<ByteStr>,
    },
    /// `MYRIGHTS mailbox rights` (RFC 4314).
    MyRights {
        /// The mailbox.
        mailbox: Mailbox,
        /// The rights of the logged-in user.
        rights: ByteStr,
    },
    /// `METADATA mailbox (entry value ...)` (RFC 5464).
    Metadata {
        /// The mailbox; empty for server metadata.
        mailbox: Mailbox,
        /// Entries with values.
        entries: Vec<MetadataEntry>,
    },
    /// `METADATA mailbox entry...`: unsolicited change notice (RFC 5464).
    MetadataChanged {
        /// The mailbox.
        mailbox: Mailbox,
        /// Names of the changed entries.
        entries: Vec<ByteStr>,
    },
    /// `ANNOTATION mailbox entry (attr value ...)` (Cyrus ANNOTATEMORE, RFC 5257).
    Annotation {
        /// The mailbox.
        mailbox: Mailbox,
        /// The entries.
        entries: Vec<Annotation>,
    },
    /// `ID (...)` or `ID NIL` (RFC 2971).
    Id(Option<Vec<(ByteStr, Option<ByteStr>)>>),
    /// Anything else: the response name and the whole raw response.
    Other {
        /// The first atom after `*` (or after the number).
        name: ByteStr,
        /// The complete response as received.
        #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::bytes"))]
        raw: Bytes,
    },
}

/// An ESEARCH response (RFC 4731, RFC 9051 section 7.3.4).
///
/// ```abnf
/// esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ESearch {
    /// The tag of the command this answers (`(TAG "A1")`).
    pub tag: Option<Tag>,
    /// Whether the numbers are UIDs.
    pub uid: bool,
    /// `MIN n`.
    pub min: Option<u32>,
    /// `MAX n`.
    pub max: Option<u32>,
    /// `COUNT n`.
    pub count: Option<u32>,
    /// `ALL set`.
    pub all: Option<SequenceSet>,
    /// `MODSEQ n` (RFC 7162).
    pub modseq: Option<u64>,
    /// Other return data: name and raw value.
    pub other: Vec<(ByteStr, ByteStr)>,
}

/// A thread of a THREAD response (RFC 5256).
///
/// ```abnf
/// thread-list    = "(" (thread-members / thread-nested) ")"
/// thread-members = nz-number *(SP nz-number) [SP thread-nested]
/// thread-nested  = 2*thread-list
/// ```
///
/// Kept in the shape of the grammar: `messages` is a chain in which each
/// message is the parent of the next, and `children` are the branches below
/// the last one. `(3 6 (4 23)(44 7 96))` is `messages: [3, 6]` with two
/// children, `[4, 23]` and `[44, 7, 96]`. A thread whose root is missing,
/// as in `((3)(5))`, has no `messages`. (This shape also keeps the depth of
/// the value bounded by the nesting limit, however long a chain is.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Thread {
    /// A chain of messages (numbers or UIDs), each the parent of the next.
    pub messages: Vec<u32>,
    /// Branches below the last message of the chain.
    pub children: Vec<Thread>,
}

impl Thread {
    /// All message ids of this thread, depth first.
    pub fn ids(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(t) = stack.pop() {
            out.extend_from_slice(&t.messages);
            stack.extend(t.children.iter().rev());
        }
        out
    }
}

/// The three namespace lists of a NAMESPACE response (RFC 2342).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Namespaces {
    /// The user's own mailboxes.
    pub personal: Vec<Namespace>,
    /// Other users' mailboxes.
    pub other_users: Vec<Namespace>,
    /// Shared mailboxes.
    pub shared: Vec<Namespace>,
}

/// One namespace description.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Namespace {
    /// The prefix, e.g. `""` or `"INBOX."`.
    pub prefix: Mailbox,
    /// Hierarchy delimiter; `None` for a flat namespace.
    pub delimiter: Option<char>,
    /// Extension data: name and values.
    pub extensions: Vec<(ByteStr, Vec<ByteStr>)>,
}

/// A QUOTA response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Quota {
    /// The quota root.
    pub root: ByteStr,
    /// The resources it limits.
    pub resources: Vec<QuotaResource>,
}

/// One resource of a quota root.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaResource {
    /// `STORAGE` (in KiB), `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE`...
    pub name: ByteStr,
    /// Current usage.
    pub usage: u64,
    /// Limit.
    pub limit: u64,
}

/// An identifier and its rights in an ACL response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AclEntry {
    /// User or group identifier.
    pub identifier: ByteStr,
    /// Rights letters.
    pub rights: ByteStr,
}

/// One entry of a METADATA response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetadataEntry {
    /// Entry name, e.g. `/private/comment`.
    pub name: ByteStr,
    /// Its value; `None` for NIL.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::bytestr::serde_bytes::opt_bytes"))]
    pub value: Option<Bytes>,
}

/// One entry of an ANNOTATION response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Annotation {
    /// Entry name, e.g. `/comment`.
    pub entry: ByteStr,
    /// Attribute and value pairs, e.g. `value.shared`.
    pub attributes: Vec<(ByteStr, Option<ByteStr>)>,
}
