//! Session states and every rule that depends on them: which commands are
//! legal where, what capability they need, how a completion moves the
//! session, and which commands may share the wire (pipelining).
//!
//! ```text
//!            greeting OK          LOGIN/AUTHENTICATE OK        SELECT/EXAMINE OK
//! Greeting ───────────────▶ NotAuthenticated ─────────────▶ Authenticated ◀────────▶ Selected
//!     │  greeting PREAUTH ──────────────────────────────────▲      CLOSE/UNSELECT OK,
//!     │                                                            failed SELECT
//!     └── greeting BYE / LOGOUT / BYE / EOF (from any state) ──▶ Logout
//! ```

use std::fmt;

use crate::types::{Capabilities, Capability as Cap, Command, ListReturn, Mailbox, SequenceSet};

/// The session state (RFC 9051 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StateName {
    /// Waiting for the server's greeting.
    Greeting,
    /// Connected, not logged in.
    NotAuthenticated,
    /// Logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// The session is over (LOGOUT, BYE, or connection lost).
    Logout,
}

impl fmt::Display for StateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateName::Greeting => "greeting",
            StateName::NotAuthenticated => "not authenticated",
            StateName::Authenticated => "authenticated",
            StateName::Selected => "selected",
            StateName::Logout => "logout",
        })
    }
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

pub(crate) fn validity(cmd: &Command) -> Validity {
    use Command::*;
    match cmd {
        Capability | Noop | Logout | Id(_) | Raw { .. } => Validity::Any,
        StartTls | Login { .. } | Authenticate { .. } => Validity::NotAuthenticated,
        Enable(_) => Validity::AuthenticatedOnly,
        Check
        | Close
        | Unselect
        | Expunge
        | UidExpunge(_)
        | Search { .. }
        | Fetch { .. }
        | Store { .. }
        | Copy { .. }
        | Move { .. }
        | Sort { .. }
        | Thread { .. } => Validity::Selected,
        _ => Validity::Authenticated,
    }
}

/// Whether `cmd` may run in `state`.
pub(crate) fn allowed_in(cmd: &Command, state: StateName) -> bool {
    match (validity(cmd), state) {
        (_, StateName::Greeting | StateName::Logout) => false,
        (Validity::Any, _) => true,
        (Validity::NotAuthenticated, s) => s == StateName::NotAuthenticated,
        (Validity::Authenticated, s) => matches!(s, StateName::Authenticated | StateName::Selected),
        (Validity::AuthenticatedOnly, s) => s == StateName::Authenticated,
        (Validity::Selected, s) => s == StateName::Selected,
    }
}

/// The state after `cmd` succeeds in `state`.
pub(crate) fn after_success(cmd: &Command, state: StateName) -> StateName {
    match cmd {
        Command::Login { .. } | Command::Authenticate { .. } => StateName::Authenticated,
        Command::Select { .. } | Command::Examine { .. } => StateName::Selected,
        Command::Close | Command::Unselect => StateName::Authenticated,
        Command::Logout => StateName::Logout,
        _ => state,
    }
}

/// The state after `cmd` fails (NO/BAD) in `state`: a failed SELECT or
/// EXAMINE leaves no mailbox selected (RFC 9051 section 6.3.2).
pub(crate) fn after_failure(cmd: &Command, state: StateName) -> StateName {
    match cmd {
        Command::Select { .. } | Command::Examine { .. } if state == StateName::Selected => {
            StateName::Authenticated
        }
        _ => state,
    }
}

/// The capability `cmd` needs that `caps` lacks, if any.
pub(crate) fn missing_capability(cmd: &Command, caps: &Capabilities) -> Option<&'static str> {
    use Command::*;
    let has = |c: Cap| caps.has(&c) || (caps.is_rev2() && folded_into_rev2(&c));
    let need = |ok: bool, name: &'static str| if ok { None } else { Some(name) };
    match cmd {
        StartTls => need(has(Cap::StartTls), "STARTTLS"),
        Login { .. } => {
            if has(Cap::LoginDisabled) {
                Some("LOGIN (the server announces LOGINDISABLED)")
            } else {
                None
            }
        }
        Authenticate { mechanism, .. } => need(caps.has_auth(&mechanism.to_str_lossy()), "AUTH=<mechanism>"),
        Idle => need(has(Cap::Idle), "IDLE"),
        Unselect => need(has(Cap::Unselect), "UNSELECT"),
        Enable(_) => need(has(Cap::Enable), "ENABLE"),
        Id(_) => need(has(Cap::Id), "ID"),
        Namespace => need(has(Cap::Namespace), "NAMESPACE"),
        Compress => need(caps.has(&Cap::Compress("DEFLATE".into())), "COMPRESS=DEFLATE"),
        Move { .. } => need(has(Cap::Move), "MOVE"),
        UidExpunge(_) => need(has(Cap::UidPlus), "UIDPLUS"),
        Sort { .. } => need(has(Cap::Sort), "SORT"),
        Thread { algorithm, .. } => {
            let name = match algorithm {
                crate::types::ThreadAlgorithm::OrderedSubject => "ORDEREDSUBJECT".into(),
                crate::types::ThreadAlgorithm::References => "REFERENCES".into(),
                crate::types::ThreadAlgorithm::Other(a) => a.to_str_lossy().to_ascii_uppercase(),
            };
            need(caps.has(&Cap::Thread(name.as_str().into())), "THREAD=<algorithm>")
        }
        GetQuota(_) | GetQuotaRoot(_) | SetQuota { .. } => need(has(Cap::Quota), "QUOTA"),
        GetAcl(_) | SetAcl { .. } | DeleteAcl { .. } | ListRights { .. } | MyRights(_) => {
            need(has(Cap::Acl), "ACL")
        }
        GetMetadata { mailbox, .. } | SetMetadata { mailbox, .. } => {
            let ok = if mailbox.is_some() {
                has(Cap::Metadata)
            } else {
                has(Cap::Metadata) || has(Cap::MetadataServer)
            };
            need(ok, "METADATA")
        }
        GetAnnotation { .. } | SetAnnotation { .. } => need(has(Cap::Annotate), "ANNOTATEMORE"),
        Append { messages, .. } if messages.len() > 1 => need(has(Cap::MultiAppend), "MULTIAPPEND"),
        Search { returns: Some(_), .. } => need(has(Cap::ESearch), "ESEARCH"),
        Select { modifiers, .. } | Examine { modifiers, .. } => {
            if modifiers.qresync.is_some() {
                need(has(Cap::QResync), "QRESYNC")
            } else if modifiers.condstore {
                need(has(Cap::CondStore), "CONDSTORE")
            } else {
                None
            }
        }
        Fetch { changed_since: Some(_), vanished, .. } => {
            if *vanished {
                need(has(Cap::QResync), "QRESYNC")
            } else {
                need(has(Cap::CondStore), "CONDSTORE")
            }
        }
        Store { unchanged_since: Some(_), .. } => need(has(Cap::CondStore), "CONDSTORE"),
        List(list) => {
            let extended = !list.select.is_empty()
                || list.patterns.len() > 1
                || list.returns.iter().any(|r| !matches!(r, ListReturn::Status(_)));
            if extended && !has(Cap::ListExtended) {
                return Some("LIST-EXTENDED");
            }
            let status = list.returns.iter().any(|r| matches!(r, ListReturn::Status(_)));
            need(!status || has(Cap::ListStatus), "LIST-STATUS")
        }
        Create { special_use, .. } if !special_use.is_empty() => {
            need(has(Cap::CreateSpecialUse), "CREATE-SPECIAL-USE")
        }
        _ => None,
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

/// Commands that change the session state, or must be alone on the wire:
/// they wait for every earlier command and hold every later one.
pub(crate) fn is_barrier(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Select { .. }
            | Command::Examine { .. }
            | Command::Close
            | Command::Unselect
            | Command::Login { .. }
            | Command::Authenticate { .. }
            | Command::StartTls
            | Command::Compress
            | Command::Idle
            | Command::Logout
            | Command::Enable(_)
            // An extension we know nothing about might change anything.
            | Command::Raw { .. }
    )
}

/// Commands after which the server may announce other capabilities.
pub(crate) fn may_change_capabilities(cmd: &Command) -> bool {
    matches!(cmd, Command::Login { .. } | Command::Authenticate { .. } | Command::StartTls)
}

/// Commands whose arguments or results are message sequence numbers.
pub(crate) fn uses_sequence_numbers(cmd: &Command) -> bool {
    match cmd {
        Command::Fetch { uid, .. }
        | Command::Store { uid, .. }
        | Command::Copy { uid, .. }
        | Command::Move { uid, .. }
        | Command::Search { uid, .. }
        | Command::Sort { uid, .. }
        | Command::Thread { uid, .. } => !uid,
        _ => false,
    }
}

/// Commands during which the server may send EXPUNGE (RFC 9051 section
/// 7.5.1 forbids it only during FETCH, STORE and SEARCH). A sequence-number
/// command is not sent while one of these is in flight, or the numbers it
/// carries could name other messages by the time the server reads them.
pub(crate) fn may_expunge(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::Fetch { uid: false, .. }
            | Command::Store { uid: false, .. }
            | Command::Search { uid: false, .. }
    )
}

/// The kinds of untagged data a command collects; two commands expecting
/// the same kind are not in flight together (their data would be ambiguous),
/// except where the data says which command it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataKind {
    /// FETCH responses for these messages.
    Fetch {
        uid: bool,
        set: SequenceSet,
    },
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
    /// EXPUNGE, VANISHED and COPYUID in an untagged OK.
    Expunge,
    /// Responses named after a raw command.
    Raw(String),
}

impl DataKind {
    /// Whether responses of the two kinds could be confused.
    pub(crate) fn conflicts(&self, other: &DataKind) -> bool {
        use DataKind::*;
        match (self, other) {
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
}

fn overlaps(a: &SequenceSet, b: &SequenceSet) -> bool {
    let a = a.normalized();
    let b = b.normalized();
    a.ranges().iter().any(|ra| {
        b.ranges().iter().any(|rb| {
            let (a0, a1) = (ra.start.resolve(u32::MAX), ra.end.resolve(u32::MAX));
            let (b0, b1) = (rb.start.resolve(u32::MAX), rb.end.resolve(u32::MAX));
            a0.min(a1) <= b0.max(b1) && b0.min(b1) <= a0.max(a1)
        })
    })
}

/// What untagged data `cmd` collects.
pub(crate) fn data_kinds(cmd: &Command) -> Vec<DataKind> {
    use Command::*;
    match cmd {
        Fetch { uid, set, .. } => vec![DataKind::Fetch { uid: *uid, set: set.clone() }],
        // Even .SILENT: CONDSTORE servers still send FETCH (MODSEQ) for it.
        Store { uid, set, .. } => vec![DataKind::Fetch { uid: *uid, set: set.clone() }],
        Search { returns: Some(_), .. } => vec![DataKind::ESearch],
        Search { .. } => vec![DataKind::Search],
        Sort { .. } => vec![DataKind::Sort],
        Thread { .. } => vec![DataKind::Thread],
        List(list) => {
            let mut kinds = vec![DataKind::List];
            if list.returns.iter().any(|r| matches!(r, ListReturn::Status(_))) {
                kinds.push(DataKind::Status(None));
            }
            kinds
        }
        Lsub { .. } => vec![DataKind::Lsub],
        Status { mailbox, .. } => vec![DataKind::Status(Some(mailbox.clone()))],
        Capability => vec![DataKind::Capability],
        Namespace => vec![DataKind::Namespace],
        GetQuota(_) | GetQuotaRoot(_) => vec![DataKind::Quota],
        GetAcl(_) => vec![DataKind::Acl],
        ListRights { .. } => vec![DataKind::ListRights],
        MyRights(_) => vec![DataKind::MyRights],
        GetMetadata { .. } => vec![DataKind::Metadata],
        GetAnnotation { .. } => vec![DataKind::Annotation],
        Id(_) => vec![DataKind::Id],
        Enable(_) => vec![DataKind::Enabled],
        Expunge | UidExpunge(_) | Move { .. } => vec![DataKind::Expunge],
        Raw { name, .. } => vec![DataKind::Raw(name.to_str_lossy().to_ascii_uppercase())],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_validity_by_state() {
        let login = Command::login("u", "p");
        assert!(allowed_in(&login, StateName::NotAuthenticated));
        assert!(!allowed_in(&login, StateName::Authenticated));
        let select = Command::select("INBOX");
        assert!(!allowed_in(&select, StateName::NotAuthenticated));
        assert!(allowed_in(&select, StateName::Selected));
        assert!(!allowed_in(&Command::Expunge, StateName::Authenticated));
        assert!(allowed_in(&Command::Noop, StateName::NotAuthenticated));
        assert!(!allowed_in(&Command::Noop, StateName::Greeting));
        assert!(!allowed_in(&Command::Enable(vec![]), StateName::Selected));
    }

    #[test]
    fn transitions() {
        assert_eq!(
            after_success(&Command::login("u", "p"), StateName::NotAuthenticated),
            StateName::Authenticated
        );
        assert_eq!(after_success(&Command::Close, StateName::Selected), StateName::Authenticated);
        assert_eq!(after_failure(&Command::select("x"), StateName::Selected), StateName::Authenticated);
        assert_eq!(after_failure(&Command::Noop, StateName::Selected), StateName::Selected);
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
}
