//! One descriptor per command: where it may run, what it needs from the
//! server, how it shares the wire, which untagged data it expects and how
//! it moves the session. Adding a command means one arm in [`spec`] and, if
//! it returns data, one collector.

use crate::state::StateName;
use crate::types::{
    Capabilities, Capability as Cap, Command, Data, ListReturn, Mailbox, Response, ResponseCode, SequenceSet,
    Status, StatusKind, Tag, ThreadAlgorithm,
};

/// Everything the engine needs to know about a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The states it may be sent in.
    pub(crate) validity: Validity,
    /// The capability it needs.
    pub(crate) needs: Needs,
    /// It waits for every earlier command and holds every later one: it
    /// changes the session state, or must be alone on the wire.
    pub(crate) barrier: bool,
    /// Its arguments or results are message sequence numbers.
    pub(crate) seq_numbers: bool,
    /// The server may send EXPUNGE while it runs (RFC 9051 section 7.5.1
    /// forbids it only during FETCH, STORE and SEARCH).
    pub(crate) may_expunge: bool,
    /// The untagged data it collects.
    pub(crate) data: Vec<DataKind>,
    /// The state once it succeeds (`None`: unchanged).
    pub(crate) on_success: Option<StateName>,
    /// A failure leaves no mailbox selected (SELECT and EXAMINE, RFC 9051
    /// section 6.3.2).
    pub(crate) deselects_on_failure: bool,
    /// The server may announce other capabilities after it succeeds
    /// (RFC 9051 section 6.2).
    pub(crate) changes_capabilities: bool,
}

/// Where a command may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Any state but Greeting and Logout.
    Any,
    NotAuthenticated,
    /// Authenticated or Selected.
    Authenticated,
    /// Authenticated only (ENABLE, RFC 5161 section 3.1).
    AuthenticatedOnly,
    Selected,
}

impl Validity {
    /// Whether a command of this validity may run in `state`.
    pub(crate) fn allows(self, state: StateName) -> bool {
        match (self, state) {
            (_, StateName::Greeting | StateName::Logout) => false,
            (Validity::Any, _) => true,
            (Validity::NotAuthenticated, s) => s == StateName::NotAuthenticated,
            (Validity::Authenticated, s) => matches!(s, StateName::Authenticated | StateName::Selected),
            (Validity::AuthenticatedOnly, s) => s == StateName::Authenticated,
            (Validity::Selected, s) => s == StateName::Selected,
        }
    }
}

/// What a command needs the server to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Needs {
    Nothing,
    /// This capability (or IMAP4rev2, if RFC 9051 folded it in).
    Cap(Cap, &'static str),
    /// One of these.
    AnyOf(&'static [Cap], &'static str),
    /// `AUTH=<mechanism>`.
    Auth(String),
    /// LOGIN: the server must not announce LOGINDISABLED.
    LoginAllowed,
}

impl Needs {
    fn cap(cap: Cap, name: &'static str) -> Self {
        Needs::Cap(cap, name)
    }

    fn cap_if(condition: bool, cap: Cap, name: &'static str) -> Self {
        if condition {
            Needs::Cap(cap, name)
        } else {
            Needs::Nothing
        }
    }

    /// The capability missing from `caps`, named for an error message.
    pub(crate) fn missing(&self, caps: &Capabilities) -> Option<&'static str> {
        let has = |c: &Cap| caps.has(c) || (caps.is_rev2() && folded_into_rev2(c));
        match self {
            Needs::Nothing => None,
            Needs::Cap(c, name) => (!has(c)).then_some(*name),
            Needs::AnyOf(list, name) => (!list.iter().any(has)).then_some(*name),
            Needs::Auth(mechanism) => (!caps.has_auth(mechanism)).then_some("AUTH=<mechanism>"),
            Needs::LoginAllowed => {
                caps.has(&Cap::LoginDisabled).then_some("LOGIN (the server announces LOGINDISABLED)")
            }
        }
    }
}

/// Extensions RFC 9051 folded into IMAP4rev2 (appendix E): a server that
/// announces IMAP4rev2 need not list them.
pub(crate) fn folded_into_rev2(cap: &Cap) -> bool {
    matches!(
        cap,
        Cap::Namespace
            | Cap::Unselect
            | Cap::UidPlus
            | Cap::ESearch
            | Cap::SearchRes
            | Cap::Enable
            | Cap::Idle
            | Cap::SaslIr
            | Cap::ListExtended
            | Cap::ListStatus
            | Cap::Move
            | Cap::LiteralMinus
    )
}

/// A kind of untagged data a command collects. Routing gives a response to
/// the first command in flight with a kind that matches it; two commands
/// whose kinds conflict are never in flight together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataKind {
    /// FETCH responses for these messages.
    Fetch {
        uid: bool,
        set: SequenceSet,
    },
    /// What SELECT and EXAMINE report: FLAGS, EXISTS, RECENT, the codes of
    /// untagged OKs, and QRESYNC's FETCH and VANISHED (EARLIER).
    Selecting,
    Search,
    /// ESEARCH carries the command's tag.
    ESearch,
    Sort,
    Thread,
    List,
    Lsub,
    /// STATUS of one mailbox; `None` for any (LIST-STATUS).
    Status(Option<Mailbox>),
    Capability,
    Namespace,
    Quota,
    Acl,
    ListRights,
    MyRights,
    Metadata,
    Annotation,
    Id,
    Enabled,
    /// EXPUNGE and VANISHED.
    Expunge,
    /// COPYUID in an untagged OK (MOVE, RFC 6851 section 4.3).
    CopyUid,
    /// Everything (a raw command, which runs alone).
    Any(String),
}

/// What routing knows besides the response.
pub(crate) struct RouteCtx<'a> {
    /// The tag of the command being asked.
    pub(crate) tag: &'a Tag,
    /// Messages in the selected mailbox (resolves `*` in sequence sets).
    pub(crate) exists: u32,
}

impl DataKind {
    /// Whether responses of the two kinds could be confused.
    pub(crate) fn conflicts(&self, other: &DataKind) -> bool {
        use DataKind::*;
        match (self, other) {
            (Any(_), _) | (_, Any(_)) => true,
            (Fetch { uid: a, set: sa }, Fetch { uid: b, set: sb }) => {
                a != b || sa.has_largest() || sb.has_largest() || overlaps(sa, sb)
            }
            (Status(a), Status(b)) => match (a, b) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
            (ESearch, ESearch) => false,
            // Each collector takes the other's data (fallback and IMAP4rev2).
            (ESearch, Search) | (Search, ESearch) => true,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }

    /// Whether an untagged response is data of this kind.
    pub(crate) fn matches(&self, response: &Response, ctx: &RouteCtx<'_>) -> bool {
        use DataKind as K;
        let data = match response {
            Response::Status(Status { tag: None, kind: StatusKind::Ok, code: Some(code), .. }) => {
                return match self {
                    // Codes describing the mailbox being selected.
                    K::Selecting => !matches!(code, ResponseCode::Alert),
                    K::CopyUid => matches!(code, ResponseCode::CopyUid { .. }),
                    _ => false,
                };
            }
            Response::Data(data) => data,
            _ => return false,
        };
        match (self, data) {
            (K::Any(_), _) => true,
            (K::Fetch { uid, set }, Data::Fetch(fetch)) => {
                if *uid {
                    // A UID set stands for any UID from the set's start up.
                    fetch.uid().is_some_and(|u| set.contains(u, u32::MAX) || set.contains(u, u))
                } else {
                    set.contains(fetch.seq, ctx.exists.max(fetch.seq))
                }
            }
            (K::Fetch { uid: true, .. }, Data::Vanished { earlier: true, .. }) => true,
            (K::Selecting, Data::Flags(_) | Data::Exists(_) | Data::Recent(_) | Data::Fetch(_)) => true,
            (K::Selecting, Data::Vanished { earlier: true, .. }) => true,
            (K::List, Data::List(_)) | (K::Lsub, Data::Lsub(_)) => true,
            (K::Status(None), Data::Status { .. }) => true,
            (K::Status(Some(m)), Data::Status { mailbox, .. }) => m == mailbox,
            (K::Search, Data::Search { .. }) => true,
            // IMAP4rev2 servers answer every SEARCH with ESEARCH.
            (K::Search | K::ESearch, Data::ESearch(e)) => e.tag.as_ref().is_none_or(|t| t == ctx.tag),
            // A server without ESEARCH answers SEARCH RETURN with SEARCH.
            (K::ESearch, Data::Search { .. }) => true,
            (K::Sort, Data::Sort { .. }) => true,
            (K::Thread, Data::Thread(_)) => true,
            (K::Expunge, Data::Expunge(_) | Data::Vanished { earlier: false, .. }) => true,
            (K::Capability, Data::Capability(_)) => true,
            (K::Namespace, Data::Namespace(_)) => true,
            (K::Quota, Data::Quota(_) | Data::QuotaRoot { .. }) => true,
            (K::Acl, Data::Acl { .. }) => true,
            (K::ListRights, Data::ListRights { .. }) => true,
            (K::MyRights, Data::MyRights { .. }) => true,
            (K::Metadata, Data::Metadata { .. }) => true,
            (K::Annotation, Data::Annotation { .. }) => true,
            (K::Id, Data::Id(_)) => true,
            (K::Enabled, Data::Enabled(_)) => true,
            _ => false,
        }
    }
}

/// Whether any range of `a` meets any range of `b`. No normalising: the
/// pairwise test needs no order, and this runs for every command in flight
/// each time another is admitted (1,000 pipelined FETCHes spent most of
/// their time allocating here).
fn overlaps(a: &SequenceSet, b: &SequenceSet) -> bool {
    a.ranges().iter().any(|ra| {
        b.ranges().iter().any(|rb| {
            let (a0, a1) = (ra.start.resolve(u32::MAX), ra.end.resolve(u32::MAX));
            let (b0, b1) = (rb.start.resolve(u32::MAX), rb.end.resolve(u32::MAX));
            a0.min(a1) <= b0.max(b1) && b0.min(b1) <= a0.max(a1)
        })
    })
}

impl Spec {
    /// A command valid in `validity`, needing nothing, not a barrier,
    /// collecting nothing, leaving the state alone.
    fn new(validity: Validity) -> Self {
        Spec {
            validity,
            needs: Needs::Nothing,
            barrier: false,
            seq_numbers: false,
            may_expunge: true,
            data: Vec::new(),
            on_success: None,
            deselects_on_failure: false,
            changes_capabilities: false,
        }
    }

    fn needs(mut self, needs: Needs) -> Self {
        self.needs = needs;
        self
    }

    fn barrier(mut self) -> Self {
        self.barrier = true;
        self
    }

    fn data(mut self, kinds: impl Into<Vec<DataKind>>) -> Self {
        self.data = kinds.into();
        self
    }

    fn then(mut self, state: StateName) -> Self {
        self.on_success = Some(state);
        self
    }

    /// A `[UID]` command on messages: sequence numbers unless `uid`;
    /// `expunge_free` for FETCH, STORE and SEARCH, during which the server
    /// must not expunge.
    fn messages(mut self, uid: bool, expunge_free: bool) -> Self {
        self.seq_numbers = !uid;
        self.may_expunge = uid || !expunge_free;
        self
    }

    /// Whether `next` must wait for this command, in flight (pipelining,
    /// RFC 9051 section 5.5).
    pub(crate) fn blocks(&self, next: &Spec) -> bool {
        if self.barrier || next.barrier {
            return true;
        }
        if next.seq_numbers && self.may_expunge {
            return true;
        }
        self.data.iter().any(|a| next.data.iter().any(|b| a.conflicts(b)))
    }
}

/// The descriptor of a command.
pub(crate) fn spec(cmd: &Command) -> Spec {
    use Command as C;
    use StateName::{Authenticated, Logout, Selected};
    use Validity::*;
    match cmd {
        C::Capability => Spec::new(Any).data([DataKind::Capability]),
        C::Noop => Spec::new(Any),
        C::Logout => Spec::new(Any).barrier().then(Logout),
        C::Id(_) => Spec::new(Any).needs(Needs::cap(Cap::Id, "ID")).data([DataKind::Id]),
        C::StartTls => {
            Spec::new(NotAuthenticated).needs(Needs::cap(Cap::StartTls, "STARTTLS")).barrier().caps()
        }
        C::Login { .. } => {
            Spec::new(NotAuthenticated).needs(Needs::LoginAllowed).barrier().then(Authenticated).caps()
        }
        C::Authenticate { mechanism, .. } => Spec::new(NotAuthenticated)
            .needs(Needs::Auth(mechanism.to_str_lossy().into_owned()))
            .barrier()
            .then(Authenticated)
            .caps(),
        C::ProxyAuth(_) => Spec::new(Validity::Authenticated).barrier(),
        C::Enable(_) => Spec::new(AuthenticatedOnly)
            .needs(Needs::cap(Cap::Enable, "ENABLE"))
            .barrier()
            .data([DataKind::Enabled]),
        C::Select { modifiers, .. } | C::Examine { modifiers, .. } => {
            let needs = if modifiers.qresync.is_some() {
                Needs::cap(Cap::QResync, "QRESYNC")
            } else {
                Needs::cap_if(modifiers.condstore, Cap::CondStore, "CONDSTORE")
            };
            let mut s = Spec::new(Validity::Authenticated).needs(needs).barrier().data([DataKind::Selecting]);
            s.on_success = Some(Selected);
            s.deselects_on_failure = true;
            s
        }
        C::Create { special_use, .. } => Spec::new(Validity::Authenticated).needs(Needs::cap_if(
            !special_use.is_empty(),
            Cap::CreateSpecialUse,
            "CREATE-SPECIAL-USE",
        )),
        C::Delete(_) | C::Rename { .. } | C::Subscribe(_) | C::Unsubscribe(_) => {
            Spec::new(Validity::Authenticated)
        }
        C::List(list) => {
            let status = list.returns.iter().any(|r| matches!(r, ListReturn::Status(_)));
            let extended = !list.select.is_empty()
                || list.patterns.len() > 1
                || list.returns.iter().any(|r| !matches!(r, ListReturn::Status(_)));
            let needs = if extended {
                Needs::cap(Cap::ListExtended, "LIST-EXTENDED")
            } else {
                Needs::cap_if(status, Cap::ListStatus, "LIST-STATUS")
            };
            let mut data = vec![DataKind::List];
            if status {
                data.push(DataKind::Status(None));
            }
            Spec::new(Validity::Authenticated).needs(needs).data(data)
        }
        C::Lsub { .. } => Spec::new(Validity::Authenticated).data([DataKind::Lsub]),
        C::Namespace => Spec::new(Validity::Authenticated)
            .needs(Needs::cap(Cap::Namespace, "NAMESPACE"))
            .data([DataKind::Namespace]),
        C::Status { mailbox, .. } => {
            Spec::new(Validity::Authenticated).data([DataKind::Status(Some(mailbox.clone()))])
        }
        C::Append { messages, .. } => Spec::new(Validity::Authenticated).needs(Needs::cap_if(
            messages.len() > 1,
            Cap::MultiAppend,
            "MULTIAPPEND",
        )),
        C::Idle => Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Idle, "IDLE")).barrier(),
        C::Compress => Spec::new(Validity::Authenticated)
            .needs(Needs::cap(Cap::Compress("DEFLATE".into()), "COMPRESS=DEFLATE"))
            .barrier(),
        C::Check => Spec::new(Validity::Selected),
        C::Close => Spec::new(Validity::Selected).barrier().then(Authenticated).data([DataKind::Expunge]),
        C::Unselect => Spec::new(Validity::Selected)
            .needs(Needs::cap(Cap::Unselect, "UNSELECT"))
            .barrier()
            .then(Authenticated),
        C::Expunge => Spec::new(Validity::Selected).data([DataKind::Expunge]),
        C::UidExpunge(_) => {
            Spec::new(Validity::Selected).needs(Needs::cap(Cap::UidPlus, "UIDPLUS")).data([DataKind::Expunge])
        }
        C::Search { uid, returns, .. } => {
            let s = Spec::new(Validity::Selected).messages(*uid, true);
            match returns {
                Some(_) => s.needs(Needs::cap(Cap::ESearch, "ESEARCH")).data([DataKind::ESearch]),
                None => s.data([DataKind::Search]),
            }
        }
        C::Fetch { uid, set, changed_since, vanished, .. } => {
            let needs = match (changed_since, vanished) {
                (Some(_), true) => Needs::cap(Cap::QResync, "QRESYNC"),
                (Some(_), false) => Needs::cap(Cap::CondStore, "CONDSTORE"),
                (None, _) => Needs::Nothing,
            };
            Spec::new(Validity::Selected)
                .messages(*uid, true)
                .needs(needs)
                .data([DataKind::Fetch { uid: *uid, set: set.clone() }])
        }
        // Even .SILENT: CONDSTORE servers still send FETCH (MODSEQ) for it.
        C::Store { uid, set, unchanged_since, .. } => Spec::new(Validity::Selected)
            .messages(*uid, true)
            .needs(Needs::cap_if(unchanged_since.is_some(), Cap::CondStore, "CONDSTORE"))
            .data([DataKind::Fetch { uid: *uid, set: set.clone() }]),
        C::Copy { uid, .. } => Spec::new(Validity::Selected).messages(*uid, false),
        C::Move { uid, .. } => Spec::new(Validity::Selected)
            .messages(*uid, false)
            .needs(Needs::cap(Cap::Move, "MOVE"))
            .data([DataKind::Expunge, DataKind::CopyUid]),
        C::Sort { uid, .. } => Spec::new(Validity::Selected)
            .messages(*uid, false)
            .needs(Needs::cap(Cap::Sort, "SORT"))
            .data([DataKind::Sort]),
        C::Thread { uid, algorithm, .. } => {
            let name = match algorithm {
                ThreadAlgorithm::OrderedSubject => "ORDEREDSUBJECT".to_owned(),
                ThreadAlgorithm::References => "REFERENCES".to_owned(),
                ThreadAlgorithm::Other(a) => a.to_str_lossy().to_ascii_uppercase(),
            };
            Spec::new(Validity::Selected)
                .messages(*uid, false)
                .needs(Needs::cap(Cap::Thread(name.as_str().into()), "THREAD=<algorithm>"))
                .data([DataKind::Thread])
        }
        C::GetQuota(_) | C::GetQuotaRoot(_) => {
            Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Quota, "QUOTA")).data([DataKind::Quota])
        }
        C::SetQuota { .. } => Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Quota, "QUOTA")),
        C::GetAcl(_) => {
            Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Acl, "ACL")).data([DataKind::Acl])
        }
        C::ListRights { .. } => {
            Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Acl, "ACL")).data([DataKind::ListRights])
        }
        C::MyRights(_) => {
            Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Acl, "ACL")).data([DataKind::MyRights])
        }
        C::SetAcl { .. } | C::DeleteAcl { .. } => {
            Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Acl, "ACL"))
        }
        C::GetMetadata { mailbox, .. } => Spec::new(Validity::Authenticated)
            .needs(metadata_needs(mailbox.is_some()))
            .data([DataKind::Metadata]),
        C::SetMetadata { mailbox, .. } => {
            Spec::new(Validity::Authenticated).needs(metadata_needs(mailbox.is_some()))
        }
        C::GetAnnotation { .. } => Spec::new(Validity::Authenticated)
            .needs(Needs::cap(Cap::Annotate, "ANNOTATEMORE"))
            .data([DataKind::Annotation]),
        C::SetAnnotation { .. } => {
            Spec::new(Validity::Authenticated).needs(Needs::cap(Cap::Annotate, "ANNOTATEMORE"))
        }
        // An extension we know nothing about might change anything, and all
        // data that arrives while it runs is its own.
        C::Raw { name, .. } => {
            Spec::new(Any).barrier().data([DataKind::Any(name.to_str_lossy().to_ascii_uppercase())])
        }
    }
}

impl Spec {
    fn caps(mut self) -> Self {
        self.changes_capabilities = true;
        self
    }
}

/// Mailbox metadata needs METADATA; server metadata either METADATA or
/// METADATA-SERVER (RFC 5464 section 1).
fn metadata_needs(mailbox: bool) -> Needs {
    if mailbox {
        Needs::cap(Cap::Metadata, "METADATA")
    } else {
        Needs::AnyOf(&[Cap::Metadata, Cap::MetadataServer], "METADATA")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_by_state() {
        let allowed = |cmd: &Command, state| spec(cmd).validity.allows(state);
        let login = Command::login("u", "p");
        assert!(allowed(&login, StateName::NotAuthenticated));
        assert!(!allowed(&login, StateName::Authenticated));
        let select = Command::select("INBOX");
        assert!(!allowed(&select, StateName::NotAuthenticated));
        assert!(allowed(&select, StateName::Selected));
        assert!(!allowed(&Command::Expunge, StateName::Authenticated));
        assert!(allowed(&Command::Noop, StateName::NotAuthenticated));
        assert!(!allowed(&Command::Noop, StateName::Greeting));
        assert!(!allowed(&Command::Enable(vec![]), StateName::Selected));
    }

    #[test]
    fn transitions() {
        assert_eq!(spec(&Command::login("u", "p")).on_success, Some(StateName::Authenticated));
        assert_eq!(spec(&Command::Close).on_success, Some(StateName::Authenticated));
        assert_eq!(spec(&Command::Noop).on_success, None);
        assert!(spec(&Command::select("x")).deselects_on_failure);
        assert!(!spec(&Command::Noop).deselects_on_failure);
    }

    #[test]
    fn capability_needs() {
        let caps = |list: &[&[u8]]| list.iter().map(|c| Cap::from_wire(c)).collect::<Capabilities>();
        let rev1 = caps(&[b"IMAP4rev1"]);
        let rev2 = caps(&[b"IMAP4rev2"]);
        let mv = Command::Move { uid: true, set: "1".parse().unwrap(), mailbox: Mailbox::new("x") };
        assert_eq!(spec(&mv).needs.missing(&rev1), Some("MOVE"));
        assert_eq!(spec(&mv).needs.missing(&rev2), None, "MOVE is part of IMAP4rev2");
        let login = Command::login("u", "p");
        assert!(spec(&login).needs.missing(&caps(&[b"IMAP4rev1", b"LOGINDISABLED"])).is_some());
        let server_meta = Command::GetMetadata {
            mailbox: None,
            entries: vec![],
            max_size: None,
            depth: Default::default(),
        };
        assert_eq!(spec(&server_meta).needs.missing(&caps(&[b"METADATA-SERVER"])), None);
    }

    #[test]
    fn fetch_kinds_conflict_only_when_ambiguous() {
        let f = |uid, set: &str| DataKind::Fetch { uid, set: set.parse().unwrap() };
        assert!(!f(false, "1:5").conflicts(&f(false, "6:9")));
        assert!(f(false, "1:5").conflicts(&f(false, "5:9")));
        assert!(f(false, "1:5").conflicts(&f(true, "6:9")));
        assert!(f(true, "1:5").conflicts(&f(true, "7:*")));
        let s = |m: &str| DataKind::Status(Some(Mailbox::new(m)));
        assert!(!s("a").conflicts(&s("b")));
        assert!(s("a").conflicts(&DataKind::Status(None)));
        assert!(!DataKind::ESearch.conflicts(&DataKind::ESearch));
        assert!(DataKind::Search.conflicts(&DataKind::Search));
    }

    #[test]
    fn pipelining_rules() {
        let fetch = |uid, set: &str| Command::fetch(uid, set.parse::<SequenceSet>().unwrap(), vec![]);
        let blocks = |a: &Command, b: &Command| spec(a).blocks(&spec(b));
        // Independent UID fetches share the wire.
        assert!(!blocks(&fetch(true, "1:5"), &fetch(true, "6:9")));
        // A barrier holds everything.
        assert!(blocks(&Command::select("INBOX"), &fetch(true, "1")));
        assert!(blocks(&fetch(true, "1"), &Command::Logout));
        // A sequence-number command waits while an expunge is possible.
        assert!(blocks(&Command::Expunge, &fetch(false, "1")));
        assert!(!blocks(&fetch(false, "1:2"), &fetch(false, "3")));
    }
}
