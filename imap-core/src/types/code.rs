use super::{ByteStr, Capabilities, Flag, SequenceSet};

/// A response code: the bracketed part of a status response.
///
/// ```abnf
/// resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")"] /
///                  capability-data / "PARSE" /
///                  "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
///                  "READ-ONLY" / "READ-WRITE" / "TRYCREATE" /
///                  "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
///                  "UNSEEN" SP nz-number / atom [SP 1*<any TEXT-CHAR except "]">]
/// ```
///
/// plus the codes of UIDPLUS (RFC 4315), CONDSTORE/QRESYNC (RFC 7162),
/// COMPRESS (RFC 4978), RFC 5530, METADATA (RFC 5464), APPENDLIMIT
/// (RFC 7889), OBJECTID (RFC 8474) and RFC 9051. Unknown codes are kept
/// raw in [`ResponseCode::Other`], never an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ResponseCode {
    /// `ALERT`: the text must be shown to the user.
    Alert,
    /// `BADCHARSET`, with the charsets the server supports.
    BadCharset(Vec<ByteStr>),
    /// `CAPABILITY ...`: the capabilities, sent with the greeting or a login.
    Capability(Capabilities),
    /// `PARSE`: the server could not parse a message's headers.
    Parse,
    /// `PERMANENTFLAGS (...)`: flags the client can change permanently.
    PermanentFlags(Vec<Flag>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`: the target mailbox does not exist; CREATE may help.
    TryCreate,
    /// `UIDNEXT n`.
    UidNext(u32),
    /// `UIDVALIDITY n`.
    UidValidity(u32),
    /// `UNSEEN n`: the first unseen message (RFC 3501).
    Unseen(u32),
    /// `APPENDUID uidvalidity uid-set` (RFC 4315; a set for MULTIAPPEND).
    AppendUid {
        /// UIDVALIDITY of the target mailbox.
        uid_validity: u32,
        /// UIDs of the appended messages.
        uids: SequenceSet,
    },
    /// `COPYUID uidvalidity source-set dest-set` (RFC 4315).
    CopyUid {
        /// UIDVALIDITY of the target mailbox.
        uid_validity: u32,
        /// Source UIDs, in the server's order.
        source: SequenceSet,
        /// Destination UIDs, pairing with `source` in order.
        dest: SequenceSet,
    },
    /// `UIDNOTSTICKY` (RFC 4315).
    UidNotSticky,
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162).
    NoModSeq,
    /// `MODIFIED set`: messages that failed UNCHANGEDSINCE (RFC 7162).
    Modified(SequenceSet),
    /// `CLOSED`: the previous mailbox was closed (RFC 7162).
    Closed,
    /// `COMPRESSIONACTIVE` (RFC 4978).
    CompressionActive,
    /// `UNAVAILABLE` (RFC 5530).
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530).
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530).
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530).
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530).
    ContactAdmin,
    /// `NOPERM` (RFC 5530).
    NoPerm,
    /// `INUSE` (RFC 5530).
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530).
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530).
    Corruption,
    /// `SERVERBUG` (RFC 5530).
    ServerBug,
    /// `CLIENTBUG` (RFC 5530).
    ClientBug,
    /// `CANNOT` (RFC 5530).
    Cannot,
    /// `LIMIT` (RFC 5530).
    Limit,
    /// `OVERQUOTA` (RFC 5530).
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530).
    NonExistent,
    /// `METADATA ...` (RFC 5464).
    Metadata(MetadataCode),
    /// `TOOBIG`: the message is larger than APPENDLIMIT (RFC 7889).
    TooBig,
    /// `MAILBOXID (id)` (RFC 8474).
    MailboxId(ByteStr),
    /// `NOTSAVED` (RFC 9051).
    NotSaved,
    /// `HASCHILDREN` (RFC 9051).
    HasChildren,
    /// `UNKNOWN-CTE` (RFC 3516).
    UnknownCte,
    /// `UIDREQUIRED` (RFC 9586).
    UidRequired,
    /// Any other code: its name and the raw text after it, if any.
    Other {
        /// The code's atom.
        name: ByteStr,
        /// Everything between the name and `]`.
        data: Option<ByteStr>,
    },
}

impl ResponseCode {
    /// The same code with its bytes in allocations of their own, for a
    /// value kept for the whole session (see [`ByteStr::detached`]).
    pub(crate) fn detached(&self) -> ResponseCode {
        match self {
            ResponseCode::BadCharset(charsets) => {
                ResponseCode::BadCharset(charsets.iter().map(ByteStr::detached).collect())
            }
            ResponseCode::Capability(caps) => ResponseCode::Capability(caps.detached()),
            ResponseCode::PermanentFlags(flags) => {
                ResponseCode::PermanentFlags(flags.iter().map(Flag::detached).collect())
            }
            ResponseCode::MailboxId(id) => ResponseCode::MailboxId(id.detached()),
            ResponseCode::Other { name, data } => {
                ResponseCode::Other { name: name.detached(), data: data.as_ref().map(ByteStr::detached) }
            }
            // No bytes of the response in the others.
            other => other.clone(),
        }
    }
}

/// The METADATA response code's variants (RFC 5464 section 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum MetadataCode {
    /// `LONGENTRIES n`: some values were longer than MAXSIZE.
    LongEntries(u64),
    /// `MAXSIZE n`: the largest value the server accepts.
    MaxSize(u64),
    /// `TOOMANY`: too many annotations.
    TooMany,
    /// `NOPRIVATE`: private annotations are not supported.
    NoPrivate,
}
