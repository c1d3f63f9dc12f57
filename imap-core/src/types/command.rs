use bytes::Bytes;

use super::{
    ByteStr, Capability, DateTime, FetchAttr, Flag, Mailbox, SearchKey, Secret, SequenceSet, SpecialUse,
    StatusAttr,
};

/// A command to send. The client engine assigns the tag; the encoder picks
/// atom, quoted string or literal for every argument.
///
/// Covers every command of Python's imaplib and imaplib2 plus MOVE,
/// UID EXPUNGE, ESEARCH, CONDSTORE/QRESYNC, LIST-EXTENDED/LIST-STATUS and
/// METADATA; [`Command::Raw`] sends any other extension with safely encoded
/// arguments.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Command {
    /// `CAPABILITY`.
    Capability,
    /// `NOOP`.
    Noop,
    /// `LOGOUT`.
    Logout,
    /// `ID (...)` or `ID NIL` (RFC 2971).
    Id(Option<Vec<(ByteStr, Option<ByteStr>)>>),
    /// `STARTTLS`.
    StartTls,
    /// `LOGIN user password` (the password is always quoted or a literal).
    Login {
        /// User name.
        username: ByteStr,
        /// Password.
        password: Secret<ByteStr>,
    },
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 4959 SASL-IR).
    Authenticate {
        /// SASL mechanism name, e.g. `PLAIN`.
        mechanism: ByteStr,
        /// Initial response (raw; base64-encoded by the encoder).
        initial_response: Option<Secret<Vec<u8>>>,
    },
    /// `ENABLE cap...` (RFC 5161).
    Enable(Vec<Capability>),
    /// `SELECT mailbox [(CONDSTORE / QRESYNC ...)]`.
    Select {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters.
        modifiers: SelectModifiers,
    },
    /// `EXAMINE mailbox [...]`: SELECT read-only.
    Examine {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters.
        modifiers: SelectModifiers,
    },
    /// `CREATE mailbox [(USE (...))]` (RFC 6154 CREATE-SPECIAL-USE).
    Create {
        /// The new mailbox.
        mailbox: Mailbox,
        /// Special-use roles to assign.
        special_use: Vec<SpecialUse>,
    },
    /// `DELETE mailbox`.
    Delete(Mailbox),
    /// `RENAME from to`.
    Rename {
        /// Existing name.
        from: Mailbox,
        /// New name.
        to: Mailbox,
    },
    /// `SUBSCRIBE mailbox`.
    Subscribe(Mailbox),
    /// `UNSUBSCRIBE mailbox`.
    Unsubscribe(Mailbox),
    /// `LIST`, basic or extended (RFC 5258, 5819, 6154).
    List(ListCommand),
    /// `LSUB reference pattern`.
    Lsub {
        /// Reference name (usually empty).
        reference: ByteStr,
        /// Pattern with `*` and `%` wildcards.
        pattern: ByteStr,
    },
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `STATUS mailbox (items)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// Items to return.
        items: Vec<StatusAttr>,
    },
    /// `APPEND mailbox [flags] [date] message` (several messages: MULTIAPPEND).
    Append {
        /// Target mailbox.
        mailbox: Mailbox,
        /// The messages.
        messages: Vec<AppendMessage>,
    },
    /// `IDLE` (RFC 2177); ended by DONE.
    Idle,
    /// `COMPRESS DEFLATE` (RFC 4978).
    Compress,
    /// `CHECK` (RFC 3501).
    Check,
    /// `CLOSE`.
    Close,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `EXPUNGE`.
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315).
    UidExpunge(SequenceSet),
    /// `[UID] SEARCH [RETURN (...)] [CHARSET UTF-8] criteria`.
    Search {
        /// UID SEARCH.
        uid: bool,
        /// The criteria.
        criteria: SearchKey,
        /// ESEARCH return options (RFC 4731); `None` for a plain SEARCH.
        returns: Option<Vec<SearchReturn>>,
    },
    /// `[UID] FETCH set items [(CHANGEDSINCE n [VANISHED])]`.
    Fetch {
        /// UID FETCH.
        uid: bool,
        /// Which messages.
        set: SequenceSet,
        /// What to fetch.
        attrs: Vec<FetchAttr>,
        /// CONDSTORE: only messages changed since this mod-sequence.
        changed_since: Option<u64>,
        /// QRESYNC: also report expunged UIDs as VANISHED (UID FETCH only).
        vanished: bool,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] [+-]FLAGS[.SILENT] (flags)`.
    Store {
        /// UID STORE.
        uid: bool,
        /// Which messages.
        set: SequenceSet,
        /// Add, remove or replace.
        mode: StoreMode,
        /// `.SILENT`: no FETCH response.
        silent: bool,
        /// The flags.
        flags: Vec<Flag>,
        /// CONDSTORE: only if unchanged since this mod-sequence.
        unchanged_since: Option<u64>,
    },
    /// `[UID] STORE set [+-]X-GM-LABELS[.SILENT] (labels)` (Gmail,
    /// X-GM-EXT-1).
    StoreGmailLabels {
        /// UID STORE.
        uid: bool,
        /// Which messages.
        set: SequenceSet,
        /// Add, remove or replace.
        mode: StoreMode,
        /// `.SILENT`: no FETCH response.
        silent: bool,
        /// The labels: names like mailbox names (modified UTF-7 on the wire
        /// unless UTF8=ACCEPT is enabled); a system label keeps its
        /// backslash (`\Inbox`, `\Important`) and is sent unquoted, as
        /// Gmail shows it.
        labels: Vec<Mailbox>,
    },
    /// `[UID] COPY set mailbox`.
    Copy {
        /// UID COPY.
        uid: bool,
        /// Which messages.
        set: SequenceSet,
        /// Target mailbox.
        mailbox: Mailbox,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851).
    Move {
        /// UID MOVE.
        uid: bool,
        /// Which messages.
        set: SequenceSet,
        /// Target mailbox.
        mailbox: Mailbox,
    },
    /// `[UID] SORT (criteria) UTF-8 search` (RFC 5256).
    Sort {
        /// UID SORT.
        uid: bool,
        /// Sort criteria, most significant first.
        criteria: Vec<SortCriterion>,
        /// Which messages.
        search: SearchKey,
    },
    /// `[UID] THREAD algorithm UTF-8 search` (RFC 5256).
    Thread {
        /// UID THREAD.
        uid: bool,
        /// The algorithm.
        algorithm: ThreadAlgorithm,
        /// Which messages.
        search: SearchKey,
    },
    /// `GETQUOTA root`.
    GetQuota(ByteStr),
    /// `GETQUOTAROOT mailbox`.
    GetQuotaRoot(Mailbox),
    /// `SETQUOTA root (resource limit ...)`.
    SetQuota {
        /// The quota root.
        root: ByteStr,
        /// Resource names and limits.
        limits: Vec<(ByteStr, u64)>,
    },
    /// `GETACL mailbox`.
    GetAcl(Mailbox),
    /// `SETACL mailbox identifier rights` (rights may start with + or -).
    SetAcl {
        /// The mailbox.
        mailbox: Mailbox,
        /// User or group.
        identifier: ByteStr,
        /// Rights letters, optionally prefixed with `+` or `-`.
        rights: ByteStr,
    },
    /// `DELETEACL mailbox identifier`.
    DeleteAcl {
        /// The mailbox.
        mailbox: Mailbox,
        /// User or group.
        identifier: ByteStr,
    },
    /// `LISTRIGHTS mailbox identifier`.
    ListRights {
        /// The mailbox.
        mailbox: Mailbox,
        /// User or group.
        identifier: ByteStr,
    },
    /// `MYRIGHTS mailbox`.
    MyRights(Mailbox),
    /// `GETMETADATA [(options)] mailbox (entries)` (RFC 5464).
    GetMetadata {
        /// The mailbox; `None` for server metadata (`""`).
        mailbox: Option<Mailbox>,
        /// Entry names.
        entries: Vec<ByteStr>,
        /// `MAXSIZE n`.
        max_size: Option<u64>,
        /// `DEPTH`.
        depth: MetadataDepth,
    },
    /// `SETMETADATA mailbox (entry value ...)` (RFC 5464); `None` removes.
    SetMetadata {
        /// The mailbox; `None` for server metadata.
        mailbox: Option<Mailbox>,
        /// Entries and values.
        entries: Vec<(ByteStr, Option<Bytes>)>,
    },
    /// `GETANNOTATION mailbox entries attributes` (Cyrus ANNOTATEMORE).
    GetAnnotation {
        /// The mailbox.
        mailbox: Mailbox,
        /// Entry names or patterns.
        entries: Vec<ByteStr>,
        /// Attribute names or patterns, e.g. `value.shared`.
        attributes: Vec<ByteStr>,
    },
    /// `SETANNOTATION mailbox entry (attribute value ...)`.
    SetAnnotation {
        /// The mailbox.
        mailbox: Mailbox,
        /// Entry name.
        entry: ByteStr,
        /// Attributes and values (`None` for NIL).
        attributes: Vec<(ByteStr, Option<ByteStr>)>,
    },
    /// `PROXYAUTH user` (Cyrus).
    ProxyAuth(ByteStr),
    /// Any other command: a name and safely encoded arguments. It runs
    /// alone on the wire, and every untagged data response that arrives
    /// while it runs is its result.
    Raw {
        /// The command name (an atom), e.g. `XAPPLEPUSHSERVICE`.
        name: ByteStr,
        /// The arguments.
        args: Vec<RawArg>,
    },
}

/// CONDSTORE / QRESYNC parameters of SELECT and EXAMINE (RFC 7162).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectModifiers {
    /// `(CONDSTORE)`: enable mod-sequences for this session.
    pub condstore: bool,
    /// `(QRESYNC (...))`: resynchronise from a known state.
    pub qresync: Option<QResync>,
}

/// The QRESYNC parameter of SELECT/EXAMINE.
///
/// ```abnf
/// qresync-param = "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
///                 [SP known-uids] [SP seq-match-data] ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QResync {
    /// The UIDVALIDITY known to the client.
    pub uid_validity: u32,
    /// The last HIGHESTMODSEQ known to the client.
    pub modseq: u64,
    /// The UIDs known to the client.
    pub known_uids: Option<SequenceSet>,
    /// Message sequence numbers and the UIDs they had.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// LIST, basic or extended.
///
/// ```abnf
/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCommand {
    /// Reference name (usually empty).
    pub reference: ByteStr,
    /// Patterns with `*` and `%` wildcards (several need LIST-EXTENDED).
    pub patterns: Vec<ByteStr>,
    /// Selection options (RFC 5258): SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE.
    pub select: Vec<ListSelect>,
    /// Return options (RFC 5258, 5819, 6154).
    pub returns: Vec<ListReturn>,
}

impl ListCommand {
    /// `LIST "" pattern`.
    pub fn new(pattern: impl Into<ByteStr>) -> Self {
        Self { patterns: vec![pattern.into()], ..Default::default() }
    }
}

/// A LIST selection option (RFC 5258, RFC 6154).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListSelect {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE`: only special-use mailboxes.
    SpecialUse,
}

/// A LIST return option (RFC 5258, RFC 5819, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListReturn {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `CHILDREN`.
    Children,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// `STATUS (items)` (LIST-STATUS).
    Status(Vec<StatusAttr>),
}

/// One message of an APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    /// Flags to set.
    pub flags: Vec<Flag>,
    /// Internal date to set.
    pub date: Option<DateTime>,
    /// The message (RFC 5322 bytes). Never copied by the encoder.
    pub data: Bytes,
}

impl AppendMessage {
    /// A message with no flags and no date.
    pub fn new(data: impl Into<Bytes>) -> Self {
        Self { flags: Vec::new(), date: None, data: data.into() }
    }

    /// With these flags set on arrival.
    pub fn flags(mut self, flags: &[Flag]) -> Self {
        self.flags = flags.to_vec();
        self
    }

    /// With this internal date.
    pub fn date(mut self, date: DateTime) -> Self {
        self.date = Some(date);
        self
    }
}

/// How STORE changes flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreMode {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// An ESEARCH return option (RFC 4731, RFC 5182).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchReturn {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (RFC 5182).
    Save,
}

/// A SORT criterion (RFC 5256, RFC 5957).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortCriterion {
    /// Reverse this key's order.
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

/// A SORT key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortKey {
    /// `ARRIVAL`: internal date.
    Arrival,
    /// `CC`.
    Cc,
    /// `DATE`: the Date header.
    Date,
    /// `FROM`.
    From,
    /// `SIZE`.
    Size,
    /// `SUBJECT` (base subject).
    Subject,
    /// `TO`.
    To,
    /// `DISPLAYFROM` (RFC 5957).
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957).
    DisplayTo,
}

impl SortKey {
    /// Ascending order on this key.
    pub fn asc(self) -> SortCriterion {
        SortCriterion { reverse: false, key: self }
    }

    /// Descending order on this key.
    pub fn desc(self) -> SortCriterion {
        SortCriterion { reverse: true, key: self }
    }
}

/// A THREAD algorithm (RFC 5256).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadAlgorithm {
    /// `ORDEREDSUBJECT`.
    OrderedSubject,
    /// `REFERENCES`.
    References,
    /// Another algorithm the server announced.
    Other(ByteStr),
}

/// GETMETADATA DEPTH option (RFC 5464).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum MetadataDepth {
    /// Only the entries named (the default; not sent).
    #[default]
    Zero,
    /// Their children too.
    One,
    /// All descendants.
    Infinity,
}

/// An argument of a [`Command::Raw`], encoded safely.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawArg {
    /// An atom; refused if it holds a byte an atom cannot.
    Atom(ByteStr),
    /// A string: atom, quoted or literal, whichever fits.
    AString(ByteStr),
    /// A string, never an atom: quoted or literal.
    String(ByteStr),
    /// Always a literal.
    Literal(Bytes),
    /// A number.
    Number(u64),
    /// `NIL`.
    Nil,
    /// A mailbox name (modified UTF-7).
    Mailbox(Mailbox),
    /// A sequence set.
    SequenceSet(SequenceSet),
    /// A parenthesised list.
    List(Vec<RawArg>),
}

impl Command {
    /// The command's name as sent, e.g. `UID FETCH`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Capability => "CAPABILITY",
            Command::Noop => "NOOP",
            Command::Logout => "LOGOUT",
            Command::Id(_) => "ID",
            Command::StartTls => "STARTTLS",
            Command::Login { .. } => "LOGIN",
            Command::Authenticate { .. } => "AUTHENTICATE",
            Command::Enable(_) => "ENABLE",
            Command::Select { .. } => "SELECT",
            Command::Examine { .. } => "EXAMINE",
            Command::Create { .. } => "CREATE",
            Command::Delete(_) => "DELETE",
            Command::Rename { .. } => "RENAME",
            Command::Subscribe(_) => "SUBSCRIBE",
            Command::Unsubscribe(_) => "UNSUBSCRIBE",
            Command::List(_) => "LIST",
            Command::Lsub { .. } => "LSUB",
            Command::Namespace => "NAMESPACE",
            Command::Status { .. } => "STATUS",
            Command::Append { .. } => "APPEND",
            Command::Idle => "IDLE",
            Command::Compress => "COMPRESS",
            Command::Check => "CHECK",
            Command::Close => "CLOSE",
            Command::Unselect => "UNSELECT",
            Command::Expunge => "EXPUNGE",
            Command::UidExpunge(_) => "UID EXPUNGE",
            Command::Search { uid: false, .. } => "SEARCH",
            Command::Search { uid: true, .. } => "UID SEARCH",
            Command::Fetch { uid: false, .. } => "FETCH",
            Command::Fetch { uid: true, .. } => "UID FETCH",
            Command::Store { uid: false, .. } => "STORE",
            Command::Store { uid: true, .. } => "UID STORE",
            Command::StoreGmailLabels { uid: false, .. } => "STORE",
            Command::StoreGmailLabels { uid: true, .. } => "UID STORE",
            Command::Copy { uid: false, .. } => "COPY",
            Command::Copy { uid: true, .. } => "UID COPY",
            Command::Move { uid: false, .. } => "MOVE",
            Command::Move { uid: true, .. } => "UID MOVE",
            Command::Sort { uid: false, .. } => "SORT",
            Command::Sort { uid: true, .. } => "UID SORT",
            Command::Thread { uid: false, .. } => "THREAD",
            Command::Thread { uid: true, .. } => "UID THREAD",
            Command::GetQuota(_) => "GETQUOTA",
            Command::GetQuotaRoot(_) => "GETQUOTAROOT",
            Command::SetQuota { .. } => "SETQUOTA",
            Command::GetAcl(_) => "GETACL",
            Command::SetAcl { .. } => "SETACL",
            Command::DeleteAcl { .. } => "DELETEACL",
            Command::ListRights { .. } => "LISTRIGHTS",
            Command::MyRights(_) => "MYRIGHTS",
            Command::GetMetadata { .. } => "GETMETADATA",
            Command::SetMetadata { .. } => "SETMETADATA",
            Command::GetAnnotation { .. } => "GETANNOTATION",
            Command::SetAnnotation { .. } => "SETANNOTATION",
            Command::ProxyAuth(_) => "PROXYAUTH",
            Command::Raw { .. } => "(raw)",
        }
    }

    /// `SELECT mailbox` with no modifiers.
    pub fn select(mailbox: impl Into<Mailbox>) -> Self {
        Command::Select { mailbox: mailbox.into(), modifiers: SelectModifiers::default() }
    }

    /// `EXAMINE mailbox` with no modifiers.
    pub fn examine(mailbox: impl Into<Mailbox>) -> Self {
        Command::Examine { mailbox: mailbox.into(), modifiers: SelectModifiers::default() }
    }

    /// `LOGIN user password`.
    pub fn login(username: impl Into<ByteStr>, password: impl Into<ByteStr>) -> Self {
        Command::Login { username: username.into(), password: Secret::new(password.into()) }
    }

    /// `[UID] FETCH set (attrs)`.
    pub fn fetch(uid: bool, set: impl Into<SequenceSet>, attrs: impl Into<Vec<FetchAttr>>) -> Self {
        Command::Fetch { uid, set: set.into(), attrs: attrs.into(), changed_since: None, vanished: false }
    }

    /// `[UID] SEARCH criteria`.
    pub fn search(uid: bool, criteria: SearchKey) -> Self {
        Command::Search { uid, criteria, returns: None }
    }
}
