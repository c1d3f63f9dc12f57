//! The typed results of commands.

use crate::types::{
    AclEntry, Annotation, ByteStr, Capabilities, ESearch, Fetch, Flag, ListItem, Mailbox, MetadataEntry,
    Namespaces, Quota, Response, ResponseCode, SequenceSet, StatusItem, Thread,
};

/// A mailbox's state: what SELECT or EXAMINE reports, kept up to date by
/// the engine while the mailbox is selected (EXISTS, EXPUNGE, VANISHED,
/// FLAGS, UIDNEXT, HIGHESTMODSEQ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct MailboxInfo {
    /// The mailbox.
    pub name: Option<Mailbox>,
    /// Selected with EXAMINE, or the server said `[READ-ONLY]`.
    pub read_only: bool,
    /// Number of messages.
    pub exists: u32,
    /// Number of `\Recent` messages (RFC 3501 servers).
    pub recent: u32,
    /// Flags defined in the mailbox.
    pub flags: Vec<Flag>,
    /// Flags the client can change permanently (`\*`: new keywords allowed).
    pub permanent_flags: Vec<Flag>,
    /// UIDVALIDITY.
    pub uid_validity: Option<u32>,
    /// The next UID to be assigned (a lower bound).
    pub uid_next: Option<u32>,
    /// Sequence number of the first unseen message (RFC 3501 servers).
    pub unseen: Option<u32>,
    /// HIGHESTMODSEQ (CONDSTORE).
    pub highest_modseq: Option<u64>,
    /// The server said `[NOMODSEQ]`: no mod-sequences for this mailbox.
    pub no_modseq: bool,
    /// MAILBOXID (RFC 8474).
    pub mailbox_id: Option<ByteStr>,
}

impl MailboxInfo {
    /// The same state, none of it a slice of a receive buffer: what the
    /// engine keeps for the selected mailbox.
    pub(crate) fn detached(&self) -> MailboxInfo {
        MailboxInfo {
            name: self.name.as_ref().map(Mailbox::detached),
            flags: detach_flags(&self.flags),
            permanent_flags: detach_flags(&self.permanent_flags),
            mailbox_id: self.mailbox_id.as_ref().map(ByteStr::detached),
            ..self.clone()
        }
    }

    /// Applies a response code seen while the mailbox is (being) selected.
    pub(crate) fn apply_code(&mut self, code: &ResponseCode) {
        match code {
            ResponseCode::PermanentFlags(f) => self.permanent_flags = detach_flags(f),
            ResponseCode::UidNext(n) => self.uid_next = Some(*n),
            ResponseCode::UidValidity(n) => self.uid_validity = Some(*n),
            ResponseCode::Unseen(n) => self.unseen = Some(*n),
            ResponseCode::HighestModSeq(n) => self.highest_modseq = Some(*n),
            ResponseCode::NoModSeq => self.no_modseq = true,
            ResponseCode::ReadOnly => self.read_only = true,
            ResponseCode::ReadWrite => self.read_only = false,
            ResponseCode::MailboxId(id) => self.mailbox_id = Some(id.detached()),
            _ => {}
        }
    }
}

/// The result of SELECT or EXAMINE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct SelectResult {
    /// The mailbox state.
    pub mailbox: MailboxInfo,
    /// QRESYNC: UIDs expunged since the known state (`VANISHED (EARLIER)`).
    pub vanished: SequenceSet,
    /// QRESYNC: messages changed since the known state.
    pub changed: Vec<Fetch>,
    /// The server said `[CLOSED]` (RFC 7162): the mailbox selected before
    /// was closed on the way.
    pub closed: bool,
}

/// One mailbox of a LIST, with its STATUS when LIST-STATUS was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ListEntry {
    /// The LIST data.
    pub item: ListItem,
    /// Its status (LIST ... RETURN (STATUS ...)).
    pub status: Option<MailboxStatus>,
}

impl std::ops::Deref for ListEntry {
    type Target = ListItem;
    fn deref(&self) -> &ListItem {
        &self.item
    }
}

/// The result of STATUS: typed counters (each `None` if not asked for).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct MailboxStatus {
    /// The mailbox.
    pub mailbox: Option<Mailbox>,
    /// MESSAGES.
    pub messages: Option<u32>,
    /// RECENT.
    pub recent: Option<u32>,
    /// UIDNEXT.
    pub uid_next: Option<u32>,
    /// UIDVALIDITY.
    pub uid_validity: Option<u32>,
    /// UNSEEN.
    pub unseen: Option<u32>,
    /// DELETED.
    pub deleted: Option<u32>,
    /// SIZE (octets).
    pub size: Option<u64>,
    /// HIGHESTMODSEQ.
    pub highest_modseq: Option<u64>,
    /// APPENDLIMIT (`Some(None)` for NIL: no limit).
    pub append_limit: Option<Option<u64>>,
    /// MAILBOXID.
    pub mailbox_id: Option<ByteStr>,
    /// DELETED-STORAGE.
    pub deleted_storage: Option<u64>,
    /// Items this library does not know.
    pub other: Vec<StatusItem>,
}

impl MailboxStatus {
    pub(crate) fn from_items(mailbox: Mailbox, items: Vec<StatusItem>) -> Self {
        let mut s = MailboxStatus { mailbox: Some(mailbox), ..Default::default() };
        for item in items {
            match item {
                StatusItem::Messages(n) => s.messages = Some(n),
                StatusItem::Recent(n) => s.recent = Some(n),
                StatusItem::UidNext(n) => s.uid_next = Some(n),
                StatusItem::UidValidity(n) => s.uid_validity = Some(n),
                StatusItem::Unseen(n) => s.unseen = Some(n),
                StatusItem::Deleted(n) => s.deleted = Some(n),
                StatusItem::Size(n) => s.size = Some(n),
                StatusItem::HighestModSeq(n) => s.highest_modseq = Some(n),
                StatusItem::AppendLimit(n) => s.append_limit = Some(n),
                StatusItem::MailboxId(id) => s.mailbox_id = Some(id),
                StatusItem::DeletedStorage(n) => s.deleted_storage = Some(n),
                other => s.other.push(other),
            }
        }
        s
    }
}

/// The result of SEARCH or SORT: message numbers or UIDs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct SearchResult {
    /// Matching messages (sorted order for SORT).
    pub ids: Vec<u32>,
    /// Highest mod-sequence of the matches (CONDSTORE).
    pub modseq: Option<u64>,
}

/// The result of STORE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct StoreResult {
    /// The new flags (none with `.SILENT`).
    pub fetches: Vec<Fetch>,
    /// Messages not stored because they changed since UNCHANGEDSINCE
    /// (`[MODIFIED ...]`).
    pub modified: Option<SequenceSet>,
}

/// UIDPLUS COPYUID data: where copied or moved messages went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CopyUid {
    /// UIDVALIDITY of the target mailbox.
    pub uid_validity: u32,
    /// Source UIDs.
    pub source: SequenceSet,
    /// Their UIDs in the target, in the same order.
    pub dest: SequenceSet,
}

impl CopyUid {
    /// Pairs of (source UID, destination UID).
    ///
    /// Empty if either set uses `*` or the sets differ in size.
    pub fn pairs(&self) -> Vec<(u32, u32)> {
        if self.source.has_largest() || self.dest.has_largest() || self.source.count() != self.dest.count() {
            return Vec::new();
        }
        // COPYUID sets are in the order of the copy, not necessarily sorted.
        let expand = |s: &SequenceSet| {
            s.ranges()
                .iter()
                .flat_map(|r| {
                    let (a, b) = (r.start.resolve(0), r.end.resolve(0));
                    let v: Box<dyn Iterator<Item = u32>> =
                        if a <= b { Box::new(a..=b) } else { Box::new((b..=a).rev()) };
                    v
                })
                .collect::<Vec<u32>>()
        };
        expand(&self.source).into_iter().zip(expand(&self.dest)).collect()
    }
}

/// The result of COPY.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CopyResult {
    /// Where the messages went (UIDPLUS).
    pub copy_uid: Option<CopyUid>,
}

/// The result of MOVE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct MoveResult {
    /// Where the messages went (UIDPLUS).
    pub copy_uid: Option<CopyUid>,
    /// Sequence numbers expunged from the source, in the order reported.
    pub expunged: Vec<u32>,
    /// UIDs reported as VANISHED (QRESYNC).
    pub vanished: SequenceSet,
}

/// The result of EXPUNGE or UID EXPUNGE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ExpungeResult {
    /// Sequence numbers expunged, in the order reported (each relative to
    /// the mailbox after the previous one was removed).
    pub expunged: Vec<u32>,
    /// UIDs reported as VANISHED (QRESYNC).
    pub vanished: SequenceSet,
}

/// The result of APPEND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AppendResult {
    /// UIDVALIDITY of the target mailbox (UIDPLUS).
    pub uid_validity: Option<u32>,
    /// UIDs of the appended messages (UIDPLUS).
    pub uids: Option<SequenceSet>,
}

/// The result of GETQUOTA or GETQUOTAROOT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct QuotaResult {
    /// Quota roots of the mailbox (GETQUOTAROOT).
    pub roots: Vec<ByteStr>,
    /// The quotas.
    pub quotas: Vec<Quota>,
}

/// The result of LISTRIGHTS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ListRightsResult {
    /// Rights always granted.
    pub required: ByteStr,
    /// Rights that may be granted.
    pub optional: Vec<ByteStr>,
}

/// The typed output of a successful command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Output {
    /// A command with no data (NOOP, CREATE, DELETE, RENAME, SUBSCRIBE,
    /// STARTTLS, COMPRESS, CLOSE, LOGOUT, SETACL, SETQUOTA...).
    Done,
    /// CAPABILITY.
    Capabilities(Capabilities),
    /// LOGIN or AUTHENTICATE: the capabilities sent with the OK, if any.
    Authenticated(Option<Capabilities>),
    /// SELECT or EXAMINE.
    Select(SelectResult),
    /// LIST or LSUB.
    List(Vec<ListEntry>),
    /// STATUS.
    Status(MailboxStatus),
    /// SEARCH.
    Search(SearchResult),
    /// SEARCH RETURN (...) (ESEARCH).
    ESearch(ESearch),
    /// SORT.
    Sort(SearchResult),
    /// THREAD.
    Thread(Vec<Thread>),
    /// FETCH: one entry per message, in arrival order.
    Fetch(Vec<Fetch>),
    /// A streaming FETCH: how many messages were delivered as events.
    Streamed(u32),
    /// STORE.
    Store(StoreResult),
    /// COPY.
    Copy(CopyResult),
    /// MOVE.
    Move(MoveResult),
    /// EXPUNGE or UID EXPUNGE.
    Expunge(ExpungeResult),
    /// APPEND.
    Append(AppendResult),
    /// NAMESPACE.
    Namespace(Namespaces),
    /// GETQUOTA or GETQUOTAROOT.
    Quota(QuotaResult),
    /// GETACL.
    Acl(Vec<AclEntry>),
    /// LISTRIGHTS.
    ListRights(ListRightsResult),
    /// MYRIGHTS.
    MyRights(ByteStr),
    /// GETMETADATA.
    Metadata(Vec<MetadataEntry>),
    /// GETANNOTATION.
    Annotation(Vec<Annotation>),
    /// ID: the server's parameters (`None` for NIL).
    Id(Option<Vec<(ByteStr, Option<ByteStr>)>>),
    /// ENABLE: what the server enabled.
    Enabled(Capabilities),
    /// A raw command: the untagged data that arrived while it ran.
    Raw(Vec<Response>),
    /// A special-use folder search: the mailbox found, if any.
    SpecialFolder(Option<Mailbox>),
}

impl Output {
    /// The variant's name, for errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Output::Done => "Done",
            Output::Capabilities(_) => "Capabilities",
            Output::Authenticated(_) => "Authenticated",
            Output::Select(_) => "Select",
            Output::List(_) => "List",
            Output::Status(_) => "Status",
            Output::Search(_) => "Search",
            Output::ESearch(_) => "ESearch",
            Output::Sort(_) => "Sort",
            Output::Thread(_) => "Thread",
            Output::Fetch(_) => "Fetch",
            Output::Streamed(_) => "Streamed",
            Output::Store(_) => "Store",
            Output::Copy(_) => "Copy",
            Output::Move(_) => "Move",
            Output::Expunge(_) => "Expunge",
            Output::Append(_) => "Append",
            Output::Namespace(_) => "Namespace",
            Output::Quota(_) => "Quota",
            Output::Acl(_) => "Acl",
            Output::ListRights(_) => "ListRights",
            Output::MyRights(_) => "MyRights",
            Output::Metadata(_) => "Metadata",
            Output::Annotation(_) => "Annotation",
            Output::Id(_) => "Id",
            Output::Enabled(_) => "Enabled",
            Output::Raw(_) => "Raw",
            Output::SpecialFolder(_) => "SpecialFolder",
        }
    }
}

/// Flags in allocations of their own (see [`MailboxInfo::detached`]).
pub(crate) fn detach_flags(flags: &[Flag]) -> Vec<Flag> {
    flags.iter().map(Flag::detached).collect()
}
