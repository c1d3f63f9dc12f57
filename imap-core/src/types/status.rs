use super::ByteStr;

/// A STATUS data item to request.
///
/// ```abnf
/// status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" /
///              "SIZE" / "RECENT" / "HIGHESTMODSEQ" / "APPENDLIMIT" / "MAILBOXID" /
///              "DELETED-STORAGE"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StatusAttr {
    /// `MESSAGES`.
    Messages,
    /// `RECENT` (RFC 3501 only).
    Recent,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`.
    Unseen,
    /// `DELETED` (RFC 9051).
    Deleted,
    /// `SIZE` (RFC 8438 / 9051).
    Size,
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// `MAILBOXID` (RFC 8474).
    MailboxId,
    /// `DELETED-STORAGE` (RFC 9208).
    DeletedStorage,
}

impl StatusAttr {
    /// The attribute's wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            StatusAttr::Messages => "MESSAGES",
            StatusAttr::Recent => "RECENT",
            StatusAttr::UidNext => "UIDNEXT",
            StatusAttr::UidValidity => "UIDVALIDITY",
            StatusAttr::Unseen => "UNSEEN",
            StatusAttr::Deleted => "DELETED",
            StatusAttr::Size => "SIZE",
            StatusAttr::HighestModSeq => "HIGHESTMODSEQ",
            StatusAttr::AppendLimit => "APPENDLIMIT",
            StatusAttr::MailboxId => "MAILBOXID",
            StatusAttr::DeletedStorage => "DELETED-STORAGE",
        }
    }
}

/// One item of a STATUS response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StatusItem {
    /// `MESSAGES n`.
    Messages(u32),
    /// `RECENT n`.
    Recent(u32),
    /// `UIDNEXT n`.
    UidNext(u32),
    /// `UIDVALIDITY n`.
    UidValidity(u32),
    /// `UNSEEN n`.
    Unseen(u32),
    /// `DELETED n`.
    Deleted(u32),
    /// `SIZE n` (octets).
    Size(u64),
    /// `HIGHESTMODSEQ n`.
    HighestModSeq(u64),
    /// `APPENDLIMIT n` or `APPENDLIMIT NIL`.
    AppendLimit(Option<u64>),
    /// `MAILBOXID (id)`.
    MailboxId(ByteStr),
    /// `DELETED-STORAGE n`.
    DeletedStorage(u64),
    /// Another item: name and raw value.
    Other {
        /// The item name.
        name: ByteStr,
        /// The value as sent.
        raw: ByteStr,
    },
}
