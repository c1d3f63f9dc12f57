//! Typed requests: every operation a user can ask for, each one
//! constructor whose type says what it yields.
//!
//! A [`Request<T>`] is submitted to a [`Client`](crate::Client), which
//! returns a [`Handle<T>`]; once the engine reports
//! [`Event::Ready`](crate::Event::Ready) for it,
//! [`Client::take`](crate::Client::take) gives the `T`. Drivers never type
//! results themselves: a driver's method is one generic call (see
//! [`Commands`](crate::Commands)).
//!
//! ```
//! use imap_core::{request, Client, ClientConfig, Event};
//!
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
//! let handle = client.submit(request::login("alice", "secret")).unwrap();
//! # while let Some(out) = client.poll_transmit() { client.advance_transmit(out.len()); }
//! client.handle_input(b"A1 OK [CAPABILITY IMAP4rev1 MOVE] logged in\r\n");
//! let select = client.submit(request::select("INBOX")).unwrap();
//! client.handle_input(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA2 OK [READ-WRITE] done\r\n");
//! assert_eq!(client.take(&handle), Some(Ok(())));
//! let inbox = client.take(&select).unwrap().unwrap();   // a MailboxInfo
//! assert_eq!((inbox.exists, inbox.uid_validity), (3, Some(7)));
//! ```
//!
//! Compound operations ([`move_messages`], [`append_many`], [`list_status`],
//! [`find_special_folder`]) are plans the engine runs step by step, choosing
//! the commands by the server's capabilities; each is still one handle.

pub(crate) mod collect;
mod plan;
mod results;
pub(crate) mod spec;

use std::collections::BTreeMap;
use std::fmt;

use bytes::Bytes;

pub(crate) use collect::Collector;
pub(crate) use plan::{Plan, PlanCtx, Step};
pub(crate) use results::detach_flags;
pub use results::{
    AppendResult, CopyResult, CopyUid, ExpungeResult, ListEntry, ListRightsResult, MailboxInfo,
    MailboxStatus, MoveResult, Output, QuotaResult, SearchResult, SelectResult, StoreResult,
};

use crate::ext::sasl::SaslMechanism;
use crate::types::{
    AclEntry, Annotation, AppendMessage, ByteStr, Capabilities, Capability, Command, ESearch, Fetch,
    FetchAttr, Flag, ListCommand, Mailbox, MetadataDepth, MetadataEntry, Namespaces, RawArg, Response,
    SearchKey, SearchReturn, Secret, SelectModifiers, SequenceSet, SortCriterion, SpecialUse, Status,
    StatusAttr, StoreMode, Tag, Thread, ThreadAlgorithm,
};

/// A successful command: its tagged OK and its typed output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Completion {
    /// The tagged OK (response code and text).
    pub status: Status,
    /// The typed output.
    pub output: Output,
}

/// Identifies a submitted request for as long as the engine knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub(crate) u64);

impl CommandId {
    /// The id as a plain number, unique for the engine's lifetime: what a
    /// binding to another language hands out for a request.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An operation to submit, yielding a `T`. Build one with the functions of
/// this module.
pub struct Request<T> {
    pub(crate) op: Op,
    pub(crate) project: fn(Completion) -> T,
}

/// What a request asks the engine to do.
pub(crate) enum Op {
    /// One command. `streaming` FETCH delivers messages as they arrive.
    Command { command: Command, streaming: bool },
    /// AUTHENTICATE driven by a mechanism object.
    Authenticate(Box<dyn SaslMechanism>),
    /// A compound operation.
    Plan(Box<Plan>),
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            // Command's Debug hides passwords.
            Op::Command { command, streaming } => {
                f.debug_struct("Request").field("command", command).field("streaming", streaming).finish()
            }
            Op::Authenticate(m) => f.debug_struct("Request").field("authenticate", &m.name()).finish(),
            Op::Plan(p) => f.debug_struct("Request").field("plan", &p.name()).finish(),
        }
    }
}

impl<T> Request<T> {
    fn command(command: Command, project: fn(Completion) -> T) -> Self {
        Request { op: Op::Command { command, streaming: false }, project }
    }

    fn plan(plan: Plan, project: fn(Completion) -> T) -> Self {
        Request { op: Op::Plan(Box::new(plan)), project }
    }

    /// The command this request sends, when it is a single command.
    pub fn as_command(&self) -> Option<&Command> {
        match &self.op {
            Op::Command { command, .. } => Some(command),
            _ => None,
        }
    }
}

/// A submitted request. Take its result with
/// [`Client::take`](crate::Client::take) once
/// [`Event::Ready`](crate::Event::Ready) names its [`id`](Self::id).
pub struct Handle<T> {
    pub(crate) id: CommandId,
    pub(crate) tag: Option<Tag>,
    pub(crate) project: fn(Completion) -> T,
}

impl<T> Handle<T> {
    /// The identifier events use.
    pub fn id(&self) -> CommandId {
        self.id
    }

    /// The command's tag on the wire (`None` for a compound operation,
    /// whose commands have tags of their own).
    pub fn tag(&self) -> Option<&Tag> {
        self.tag.as_ref()
    }

    /// Turns a completion of this request into its typed result.
    pub fn project(&self, completion: Completion) -> T {
        (self.project)(completion)
    }
}

impl<T> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Handle { id: self.id, tag: self.tag.clone(), project: self.project }
    }
}

impl<T> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").field("id", &self.id).field("tag", &self.tag).finish()
    }
}

impl<T> PartialEq for Handle<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T> Eq for Handle<T> {}

/// Handle of a request whose result type is erased (see [`Request::erase`]).
pub type AnyHandle = Handle<Completion>;

impl<T> Request<T> {
    /// The same request yielding its raw [`Completion`] (status and
    /// [`Output`] enum), for callers that handle many kinds of request
    /// alike, e.g. a binding to another language.
    pub fn erase(self) -> Request<Completion> {
        Request { op: self.op, project: std::convert::identity }
    }
}

// Every constructor pairs a command with the collector whose output variant
// its projection reads (`project!`); the fallback arm is never taken, and
// `tests::every_request_yields_its_type` checks each pairing through bytes.
macro_rules! project {
    ($variant:ident($v:ident) => $e:expr) => {
        |c: Completion| match c.output {
            Output::$variant($v) => $e,
            _ => Default::default(),
        }
    };
}

fn done(_: Completion) {}

// ----------------------------------------------------------------- any state

/// `CAPABILITY`: asks the server again.
pub fn capability() -> Request<Capabilities> {
    Request::command(Command::Capability, project!(Capabilities(c) => c))
}

/// `NOOP`: gives the server a chance to report news (as unsolicited events).
pub fn noop() -> Request<()> {
    Request::command(Command::Noop, done)
}

/// `LOGOUT`.
pub fn logout() -> Request<()> {
    Request::command(Command::Logout, done)
}

/// `ID` (RFC 2971): tells the server who we are (`ID NIL` for an empty
/// list); yields what the server says about itself.
pub fn id<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> Request<BTreeMap<String, Option<String>>> {
    let params = params.iter().map(|(k, v)| (ByteStr::from(k.as_ref()), Some(ByteStr::from(v.as_ref()))));
    let params: Vec<_> = params.collect();
    let command = Command::Id((!params.is_empty()).then_some(params));
    Request::command(
        command,
        project!(Id(p) => p
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_str_lossy().into_owned(), v.map(|v| v.to_str_lossy().into_owned())))
            .collect()),
    )
}

/// `COMPRESS DEFLATE` (RFC 4978): everything after it is compressed, inside
/// the engine.
pub fn compress() -> Request<()> {
    Request::command(Command::Compress, done)
}

/// `IDLE` (RFC 2177): see [`Client::idle`](crate::Client::idle).
pub fn idle() -> Request<()> {
    Request::command(Command::Idle, done)
}

// ------------------------------------------------------------ authentication

/// `STARTTLS`: completes once the driver has switched the transport and the
/// capabilities are read again.
pub fn starttls() -> Request<()> {
    Request::command(Command::StartTls, done)
}

/// `LOGIN` (the password is always quoted or a literal). Completes once the
/// capabilities of the authenticated session are known.
pub fn login(user: impl Into<ByteStr>, password: impl Into<ByteStr>) -> Request<()> {
    Request::command(Command::Login { username: user.into(), password: Secret::new(password.into()) }, done)
}

/// `AUTHENTICATE` with a SASL mechanism (RFC 4422): one of
/// [`crate::ext::sasl`] or your own; SASL-IR when the server has it.
/// Completes once the capabilities of the authenticated session are known.
pub fn authenticate(mechanism: impl SaslMechanism + 'static) -> Request<()> {
    Request { op: Op::Authenticate(Box::new(mechanism)), project: done }
}

/// `AUTHENTICATE` whose challenges the application answers through
/// [`Event::SaslChallenge`](crate::Event::SaslChallenge) and
/// [`Client::sasl_respond`](crate::Client::sasl_respond).
pub fn authenticate_interactive(mechanism: &str, initial_response: Option<Vec<u8>>) -> Request<()> {
    let command = Command::Authenticate {
        mechanism: mechanism.into(),
        initial_response: initial_response.map(Secret::new),
    };
    Request::command(command, done)
}

/// `PROXYAUTH user` (Cyrus): act as another user.
pub fn proxyauth(user: impl Into<ByteStr>) -> Request<()> {
    Request::command(Command::ProxyAuth(user.into()), done)
}

/// `ENABLE` (RFC 5161); yields what the server enabled.
pub fn enable<S: AsRef<str>>(capabilities: &[S]) -> Request<Capabilities> {
    let caps = capabilities.iter().map(|c| Capability::from_wire(c.as_ref().as_bytes())).collect();
    Request::command(Command::Enable(caps), project!(Enabled(e) => e))
}

/// `ENABLE UTF8=ACCEPT` (RFC 6855): from its success on, mailbox names go
/// both ways as UTF-8 instead of modified UTF-7 and quoted strings may
/// carry UTF-8; yields whether the server enabled it. Only in the
/// authenticated state, before SELECT.
/// [`ClientConfig::utf8_accept`](crate::ClientConfig::utf8_accept) does it
/// right after the login.
pub fn enable_utf8_accept() -> Request<bool> {
    Request::command(
        Command::Enable(vec![Capability::Utf8Accept]),
        project!(Enabled(e) => e.has(&Capability::Utf8Accept)),
    )
}

// ----------------------------------------------------------------- mailboxes

/// `SELECT`: opens a mailbox read-write.
pub fn select(mailbox: impl Into<Mailbox>) -> Request<MailboxInfo> {
    Request::command(Command::select(mailbox), project!(Select(r) => r.mailbox))
}

/// `EXAMINE`: opens a mailbox read-only.
pub fn examine(mailbox: impl Into<Mailbox>) -> Request<MailboxInfo> {
    Request::command(Command::examine(mailbox), project!(Select(r) => r.mailbox))
}

/// `SELECT`, or `EXAMINE` with `read_only`, with CONDSTORE / QRESYNC
/// parameters; the result includes QRESYNC's vanished and changed data.
pub fn select_with(
    mailbox: impl Into<Mailbox>,
    read_only: bool,
    modifiers: SelectModifiers,
) -> Request<SelectResult> {
    let mailbox = mailbox.into();
    let command = if read_only {
        Command::Examine { mailbox, modifiers }
    } else {
        Command::Select { mailbox, modifiers }
    };
    Request::command(command, project!(Select(r) => r))
}

/// `CREATE`.
pub fn create(mailbox: impl Into<Mailbox>) -> Request<()> {
    Request::command(Command::Create { mailbox: mailbox.into(), special_use: Vec::new() }, done)
}

/// `CREATE mailbox (USE (...))` (RFC 6154 CREATE-SPECIAL-USE): a mailbox
/// with a role, e.g. `\Sent`.
pub fn create_special_use(mailbox: impl Into<Mailbox>, roles: &[SpecialUse]) -> Request<()> {
    Request::command(Command::Create { mailbox: mailbox.into(), special_use: roles.to_vec() }, done)
}

/// `DELETE`.
pub fn delete(mailbox: impl Into<Mailbox>) -> Request<()> {
    Request::command(Command::Delete(mailbox.into()), done)
}

/// `RENAME`.
pub fn rename(from: impl Into<Mailbox>, to: impl Into<Mailbox>) -> Request<()> {
    Request::command(Command::Rename { from: from.into(), to: to.into() }, done)
}

/// `SUBSCRIBE`.
pub fn subscribe(mailbox: impl Into<Mailbox>) -> Request<()> {
    Request::command(Command::Subscribe(mailbox.into()), done)
}

/// `UNSUBSCRIBE`.
pub fn unsubscribe(mailbox: impl Into<Mailbox>) -> Request<()> {
    Request::command(Command::Unsubscribe(mailbox.into()), done)
}

/// `LIST reference pattern` (`*` all, `%` one level): decoded names,
/// attributes, special-use roles.
pub fn list(reference: impl Into<ByteStr>, pattern: impl Into<ByteStr>) -> Request<Vec<ListEntry>> {
    let mut list = ListCommand::new(pattern);
    list.reference = reference.into();
    list_extended(list)
}

/// `LIST` with LIST-EXTENDED selection and return options.
pub fn list_extended(list: ListCommand) -> Request<Vec<ListEntry>> {
    Request::command(Command::List(list), project!(List(l) => l))
}

/// LIST with the STATUS of each mailbox: one `LIST ... RETURN (STATUS ...)`
/// with LIST-STATUS (and special-use roles with SPECIAL-USE), else LIST then
/// a pipelined STATUS for each selectable mailbox.
pub fn list_status(pattern: impl Into<ByteStr>, items: &[StatusAttr]) -> Request<Vec<ListEntry>> {
    Request::plan(Plan::list_status(pattern.into(), items.to_vec()), project!(List(l) => l))
}

/// `LSUB`: subscribed mailboxes.
pub fn lsub(reference: impl Into<ByteStr>, pattern: impl Into<ByteStr>) -> Request<Vec<ListEntry>> {
    Request::command(
        Command::Lsub { reference: reference.into(), pattern: pattern.into() },
        project!(List(l) => l),
    )
}

/// The mailbox with a special-use role (`\Sent`, `\Trash`, ...): by
/// SPECIAL-USE attributes when the server has them, else by the names
/// common clients and servers use ("Sent Items", "\[Gmail\]/Trash", ...), as
/// IMAPClient's `find_special_folder` does. `None` if there is none.
pub fn find_special_folder(role: SpecialUse) -> Request<Option<Mailbox>> {
    Request::plan(Plan::find_special(role), project!(SpecialFolder(m) => m))
}

/// `NAMESPACE` (RFC 2342).
pub fn namespace() -> Request<Namespaces> {
    Request::command(Command::Namespace, project!(Namespace(n) => n))
}

/// `STATUS` of a mailbox that need not be selected.
pub fn status(mailbox: impl Into<Mailbox>, items: &[StatusAttr]) -> Request<MailboxStatus> {
    let command = Command::Status { mailbox: mailbox.into(), items: items.to_vec() };
    Request::command(command, project!(Status(s) => s))
}

/// `CHECK`.
pub fn check() -> Request<()> {
    Request::command(Command::Check, done)
}

/// `CLOSE`: expunges deleted messages and deselects.
pub fn close() -> Request<()> {
    Request::command(Command::Close, done)
}

/// `UNSELECT` (RFC 3691): deselects without expunging.
pub fn unselect() -> Request<()> {
    Request::command(Command::Unselect, done)
}

// ------------------------------------------------------------------ messages

/// `APPEND` one message; with UIDPLUS the result has its UID.
pub fn append(mailbox: impl Into<Mailbox>, message: AppendMessage) -> Request<AppendResult> {
    let command = Command::Append { mailbox: mailbox.into(), messages: vec![message] };
    Request::command(command, project!(Append(a) => a))
}

/// APPEND of several messages: one MULTIAPPEND command when the server has
/// it (all or nothing), else pipelined APPENDs. With UIDPLUS the result
/// lists the new UIDs in order.
pub fn append_many(mailbox: impl Into<Mailbox>, messages: Vec<AppendMessage>) -> Request<AppendResult> {
    Request::plan(Plan::append_many(mailbox.into(), messages), project!(Append(a) => a))
}

/// `EXPUNGE`: removes messages marked `\Deleted`.
pub fn expunge() -> Request<ExpungeResult> {
    Request::command(Command::Expunge, project!(Expunge(e) => e))
}

/// `UID EXPUNGE` (UIDPLUS): removes only these `\Deleted` messages.
pub fn uid_expunge(uids: impl Into<SequenceSet>) -> Request<ExpungeResult> {
    Request::command(Command::UidExpunge(uids.into()), project!(Expunge(e) => e))
}

/// `[UID] SEARCH`: the matching UIDs (or sequence numbers).
pub fn search(uid: bool, criteria: SearchKey) -> Request<Vec<u32>> {
    Request::command(Command::search(uid, criteria), project!(Search(r) => r.ids))
}

/// `[UID] SEARCH` with the mod-sequence of the matches (CONDSTORE `MODSEQ`
/// criteria).
pub fn search_with_modseq(uid: bool, criteria: SearchKey) -> Request<SearchResult> {
    Request::command(Command::search(uid, criteria), project!(Search(r) => r))
}

/// `[UID] SEARCH RETURN (...)` (ESEARCH): min, max, count, all without
/// transferring every number.
pub fn esearch(uid: bool, criteria: SearchKey, returns: &[SearchReturn]) -> Request<ESearch> {
    let command = Command::Search { uid, criteria, returns: Some(returns.to_vec()) };
    Request::command(command, project!(ESearch(e) => e))
}

/// `[UID] SORT` (RFC 5256).
pub fn sort(uid: bool, criteria: &[SortCriterion], search: SearchKey) -> Request<Vec<u32>> {
    let command = Command::Sort { uid, criteria: criteria.to_vec(), search };
    Request::command(command, project!(Sort(r) => r.ids))
}

/// `[UID] THREAD` (RFC 5256).
pub fn thread(uid: bool, algorithm: ThreadAlgorithm, search: SearchKey) -> Request<Vec<Thread>> {
    Request::command(Command::Thread { uid, algorithm, search }, project!(Thread(t) => t))
}

/// `[UID] FETCH`, collected: one entry per message.
pub fn fetch(uid: bool, set: impl Into<SequenceSet>, attrs: &[FetchAttr]) -> Request<Vec<Fetch>> {
    Request::command(Command::fetch(uid, set, attrs.to_vec()), project!(Fetch(f) => f))
}

/// `[UID] FETCH ... (CHANGEDSINCE modseq [VANISHED])` (CONDSTORE, QRESYNC).
pub fn fetch_changed_since(
    uid: bool,
    set: impl Into<SequenceSet>,
    attrs: &[FetchAttr],
    modseq: u64,
    vanished: bool,
) -> Request<Vec<Fetch>> {
    let command =
        Command::Fetch { uid, set: set.into(), attrs: attrs.to_vec(), changed_since: Some(modseq), vanished };
    Request::command(command, project!(Fetch(f) => f))
}

/// `[UID] FETCH`, streamed: each message is taken with
/// [`Client::take_fetched`](crate::Client::take_fetched) as it arrives, so
/// memory stays bounded by one message however many there are. Yields the
/// number of messages delivered.
pub fn fetch_stream(uid: bool, set: impl Into<SequenceSet>, attrs: &[FetchAttr]) -> Request<u32> {
    Request {
        op: Op::Command { command: Command::fetch(uid, set, attrs.to_vec()), streaming: true },
        project: project!(Streamed(n) => n),
    }
}

/// `[UID] STORE [+-]FLAGS (...)`: yields the new flags of each message.
pub fn store(uid: bool, set: impl Into<SequenceSet>, mode: StoreMode, flags: &[Flag]) -> Request<Vec<Fetch>> {
    let command = store_command(uid, set.into(), mode, flags, false, None);
    Request::command(command, project!(Store(s) => s.fetches))
}

/// `[UID] STORE [+-]FLAGS.SILENT (...)`: changes flags, no answer expected.
pub fn store_silent(uid: bool, set: impl Into<SequenceSet>, mode: StoreMode, flags: &[Flag]) -> Request<()> {
    Request::command(store_command(uid, set.into(), mode, flags, true, None), done)
}

/// `[UID] STORE ... (UNCHANGEDSINCE modseq)` (CONDSTORE): messages changed
/// in the meantime are left alone and listed in `modified`.
pub fn store_unchanged_since(
    uid: bool,
    set: impl Into<SequenceSet>,
    mode: StoreMode,
    flags: &[Flag],
    modseq: u64,
) -> Request<StoreResult> {
    let command = store_command(uid, set.into(), mode, flags, false, Some(modseq));
    Request::command(command, project!(Store(s) => s))
}

fn store_command(
    uid: bool,
    set: SequenceSet,
    mode: StoreMode,
    flags: &[Flag],
    silent: bool,
    unchanged_since: Option<u64>,
) -> Command {
    Command::Store { uid, set, mode, silent, flags: flags.to_vec(), unchanged_since }
}

/// Gmail labels by message: UID (or sequence number) to its labels.
pub type GmailLabels = BTreeMap<u32, Vec<Mailbox>>;

/// `[UID] STORE set [+-]X-GM-LABELS (labels)` (Gmail, X-GM-EXT-1): adds
/// ([`StoreMode::Add`]), removes or replaces labels; yields each message's
/// labels afterwards, by UID (or by sequence number without `uid`), as
/// IMAPClient's `add_gmail_labels` does. Labels are names like mailbox
/// names (`Work/Projects`, encoded as folder names are); system labels keep
/// their backslash (`\Inbox`, `\Important`, `\Starred`) and are sent
/// unquoted, as Gmail shows them:
///
/// ```text
/// C: A5 UID STORE 1 +X-GM-LABELS (\Important "Muy Importante")
/// S: * 1 FETCH (X-GM-LABELS (\Inbox \Important "Muy Importante") UID 1)
/// S: A5 OK STORE (Success)
/// ```
///
/// Refused without X-GM-EXT-1, and while the mailbox is read-only.
pub fn store_gmail_labels(
    uid: bool,
    set: impl Into<SequenceSet>,
    mode: StoreMode,
    labels: &[&str],
) -> Request<GmailLabels> {
    let labels = labels.iter().map(Mailbox::new).collect();
    let command = Command::StoreGmailLabels { uid, set: set.into(), mode, silent: false, labels };
    Request::command(command, if uid { labels_by_uid } else { labels_by_seq })
}

/// `[UID] FETCH set (X-GM-LABELS)` (Gmail): each message's labels, by UID
/// (or by sequence number without `uid`), as IMAPClient's
/// `get_gmail_labels`.
pub fn gmail_labels(uid: bool, set: impl Into<SequenceSet>) -> Request<GmailLabels> {
    // UID FETCH answers with the UID unasked (RFC 9051 section 6.4.9).
    let command = Command::fetch(uid, set, [FetchAttr::GmLabels]);
    Request::command(command, if uid { labels_by_uid } else { labels_by_seq })
}

fn labels_by_uid(c: Completion) -> GmailLabels {
    labels_by(c, Fetch::uid)
}

fn labels_by_seq(c: Completion) -> GmailLabels {
    labels_by(c, |f| Some(f.seq))
}

/// The labels in FETCH data (of a FETCH or a STORE), by `id`.
fn labels_by(c: Completion, id: fn(&Fetch) -> Option<u32>) -> GmailLabels {
    let fetches = match c.output {
        Output::Fetch(f) => f,
        Output::Store(s) => s.fetches,
        _ => Vec::new(),
    };
    let labelled = fetches.iter().filter_map(|f| Some((id(f)?, f.gmail_labels()?.to_vec())));
    labelled.collect()
}

/// `[UID] COPY`; with UIDPLUS the result says where the messages went.
pub fn copy(uid: bool, set: impl Into<SequenceSet>, mailbox: impl Into<Mailbox>) -> Request<CopyResult> {
    let command = Command::Copy { uid, set: set.into(), mailbox: mailbox.into() };
    Request::command(command, project!(Copy(c) => c))
}

/// Moves messages: `[UID] MOVE` (RFC 6851) when the server has it, else
/// [`move_by_copy`]'s COPY + STORE + UID EXPUNGE.
pub fn move_messages(
    uid: bool,
    set: impl Into<SequenceSet>,
    mailbox: impl Into<Mailbox>,
) -> Request<MoveResult> {
    Request::plan(Plan::move_messages(uid, set.into(), mailbox.into(), false), project!(Move(m) => m))
}

/// Moves messages without the MOVE extension: UID COPY, UID STORE +FLAGS
/// (\Deleted) and UID EXPUNGE of exactly those messages (sequence numbers
/// are first turned into UIDs). Needs UIDPLUS, so no other deleted message
/// is expunged; each step runs only if the one before succeeded.
pub fn move_by_copy(
    uid: bool,
    set: impl Into<SequenceSet>,
    mailbox: impl Into<Mailbox>,
) -> Request<MoveResult> {
    Request::plan(Plan::move_messages(uid, set.into(), mailbox.into(), true), project!(Move(m) => m))
}

// ---------------------------------------------------- quota, ACL, metadata

/// `GETQUOTA root`.
pub fn get_quota(root: impl Into<ByteStr>) -> Request<QuotaResult> {
    Request::command(Command::GetQuota(root.into()), project!(Quota(q) => q))
}

/// `GETQUOTAROOT mailbox`: the roots of a mailbox and their quotas.
pub fn get_quota_root(mailbox: impl Into<Mailbox>) -> Request<QuotaResult> {
    Request::command(Command::GetQuotaRoot(mailbox.into()), project!(Quota(q) => q))
}

/// `SETQUOTA root (resource limit ...)` (administrators).
pub fn set_quota(root: impl Into<ByteStr>, limits: &[(&str, u64)]) -> Request<()> {
    let limits = limits.iter().map(|(n, l)| (ByteStr::from(*n), *l)).collect();
    Request::command(Command::SetQuota { root: root.into(), limits }, done)
}

/// `GETACL mailbox`.
pub fn get_acl(mailbox: impl Into<Mailbox>) -> Request<Vec<AclEntry>> {
    Request::command(Command::GetAcl(mailbox.into()), project!(Acl(a) => a))
}

/// `SETACL mailbox identifier rights` (rights may start with `+` or `-`).
pub fn set_acl(
    mailbox: impl Into<Mailbox>,
    identifier: impl Into<ByteStr>,
    rights: impl Into<ByteStr>,
) -> Request<()> {
    let command =
        Command::SetAcl { mailbox: mailbox.into(), identifier: identifier.into(), rights: rights.into() };
    Request::command(command, done)
}

/// `DELETEACL mailbox identifier`.
pub fn delete_acl(mailbox: impl Into<Mailbox>, identifier: impl Into<ByteStr>) -> Request<()> {
    Request::command(Command::DeleteAcl { mailbox: mailbox.into(), identifier: identifier.into() }, done)
}

/// `LISTRIGHTS mailbox identifier`.
pub fn list_rights(mailbox: impl Into<Mailbox>, identifier: impl Into<ByteStr>) -> Request<ListRightsResult> {
    let command = Command::ListRights { mailbox: mailbox.into(), identifier: identifier.into() };
    Request::command(command, project!(ListRights(l) => l))
}

/// `MYRIGHTS mailbox`: the rights letters.
pub fn my_rights(mailbox: impl Into<Mailbox>) -> Request<String> {
    Request::command(
        Command::MyRights(mailbox.into()),
        project!(MyRights(r) => r.to_str_lossy().into_owned()),
    )
}

/// `GETMETADATA` (RFC 5464); `mailbox` `None` for server metadata.
pub fn get_metadata(mailbox: Option<Mailbox>, entries: &[&str]) -> Request<Vec<MetadataEntry>> {
    get_metadata_with(mailbox, entries, None, MetadataDepth::Zero)
}

/// `GETMETADATA (MAXSIZE n DEPTH d) ...`.
pub fn get_metadata_with(
    mailbox: Option<Mailbox>,
    entries: &[&str],
    max_size: Option<u64>,
    depth: MetadataDepth,
) -> Request<Vec<MetadataEntry>> {
    let entries = entries.iter().map(|e| ByteStr::from(*e)).collect();
    let command = Command::GetMetadata { mailbox, entries, max_size, depth };
    Request::command(command, project!(Metadata(m) => m))
}

/// `SETMETADATA`; a `None` value removes the entry.
pub fn set_metadata(mailbox: Option<Mailbox>, entries: &[(&str, Option<&[u8]>)]) -> Request<()> {
    let entries = entries.iter().map(|(n, v)| (ByteStr::from(*n), v.map(Bytes::copy_from_slice))).collect();
    Request::command(Command::SetMetadata { mailbox, entries }, done)
}

/// `GETANNOTATION` (Cyrus ANNOTATEMORE).
pub fn get_annotation(
    mailbox: impl Into<Mailbox>,
    entries: &[&str],
    attributes: &[&str],
) -> Request<Vec<Annotation>> {
    let command = Command::GetAnnotation {
        mailbox: mailbox.into(),
        entries: entries.iter().map(|e| ByteStr::from(*e)).collect(),
        attributes: attributes.iter().map(|a| ByteStr::from(*a)).collect(),
    };
    Request::command(command, project!(Annotation(a) => a))
}

/// `SETANNOTATION` (Cyrus ANNOTATEMORE).
pub fn set_annotation(
    mailbox: impl Into<Mailbox>,
    entry: &str,
    attributes: &[(&str, Option<&str>)],
) -> Request<()> {
    let attributes = attributes.iter().map(|(a, v)| (ByteStr::from(*a), v.map(ByteStr::from))).collect();
    Request::command(
        Command::SetAnnotation { mailbox: mailbox.into(), entry: entry.into(), attributes },
        done,
    )
}

// -------------------------------------------------------------- escape hatch

/// Any other command: a name and safely encoded arguments. It runs alone on
/// the wire; yields the untagged data that arrived while it ran.
pub fn raw(name: &str, args: Vec<RawArg>) -> Request<Vec<Response>> {
    Request::command(Command::Raw { name: name.into(), args }, project!(Raw(r) => r))
}

/// Any typed [`Command`], yielding its [`Completion`].
pub fn command(command: Command) -> Request<Completion> {
    Request::command(command, std::convert::identity)
}
