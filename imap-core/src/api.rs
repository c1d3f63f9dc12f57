//! [`Commands`]: the typed API, written once. Each driver implements
//! [`run`](Commands::run) (and says what a call returns); every method
//! below is then one call to a [`request`] constructor. A call returns a
//! value on the blocking driver, a future on the async one, and a
//! [`Handle`] on the sans-I/O [`Client`] itself.

use bytes::Bytes;

use crate::error::UsageError;
use crate::ext::sasl::{self, SaslMechanism};
use crate::request::{
    self, AppendResult, Completion, CopyResult, ExpungeResult, GmailLabels, Handle, ListEntry,
    ListRightsResult, MailboxInfo, MailboxStatus, MoveResult, QuotaResult, Request, SelectResult,
    StoreResult,
};
use crate::types::{
    AclEntry, Annotation, AppendMessage, Capabilities, Command, ESearch, Fetch, FetchAttr, Flag, ListCommand,
    Mailbox, MetadataEntry, Namespaces, RawArg, Response, SearchKey, SearchReturn, SelectModifiers,
    SequenceSet, SortCriterion, SpecialUse, StateName, Status, StatusAttr, StoreMode, Thread,
    ThreadAlgorithm,
};
use crate::{Client, TraceLine};

/// The engine behind a driver's session, and what it tells without a round
/// trip. A driver implements the two accessors; the rest is written once.
pub trait Engine {
    /// Runs `f` on the engine (under the driver's lock, if it has one).
    fn with_client<R>(&self, f: impl FnOnce(&Client) -> R) -> R;

    /// Runs `f` on the engine, mutably.
    fn with_client_mut<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R;

    /// The session state.
    fn state(&self) -> StateName {
        self.with_client(Client::state)
    }

    /// The server's capabilities as last announced (no round trip; see
    /// [`Commands::capability`] to ask).
    fn server_capabilities(&self) -> Capabilities {
        self.with_client(|c| c.capabilities().clone())
    }

    /// The server's greeting (`* OK` or `* PREAUTH`, its code and text).
    fn greeting(&self) -> Option<Status> {
        self.with_client(|c| c.greeting().cloned())
    }

    /// The text of the server's greeting, e.g. `Dovecot ready.`
    /// (IMAPClient's `welcome`).
    fn welcome(&self) -> Option<String> {
        self.with_client(|c| c.greeting().map(|g| g.text.to_str_lossy().into_owned()))
    }

    /// Whether the server announces a capability (e.g. `"MOVE"`).
    fn has_capability(&self, name: &str) -> bool {
        self.with_client(|c| c.capabilities().has_name(name))
    }

    /// The selected mailbox, kept current from untagged data.
    fn mailbox(&self) -> Option<MailboxInfo> {
        self.with_client(|c| c.mailbox().cloned())
    }

    /// Whether message ids are UIDs (the default) or sequence numbers.
    fn use_uid(&self) -> bool {
        self.with_client(Client::use_uid)
    }

    /// Chooses UIDs (true, the default) or sequence numbers for message
    /// ids in fetch, search, store, copy, move and expunge.
    fn set_use_uid(&mut self, use_uid: bool) {
        self.with_client_mut(|c| c.set_use_uid(use_uid))
    }

    /// Automatic IDLE after `delay` of quiet ([`ClientConfig::auto_idle`](crate::ClientConfig::auto_idle));
    /// `None` turns it off.
    fn set_auto_idle(&mut self, delay: Option<std::time::Duration>) {
        self.with_client_mut(|c| c.set_auto_idle(delay))
    }

    /// The last lines exchanged, credentials redacted, one `C:`/`S:` line
    /// each: attach them to a bug report.
    fn trace_text(&self) -> String {
        self.with_client(Client::trace_text)
    }

    /// Turns the live protocol log on or off
    /// ([`ClientConfig::protocol_log`](crate::ClientConfig::protocol_log)).
    fn set_protocol_log(&mut self, on: bool) {
        self.with_client_mut(|c| c.set_protocol_log(on))
    }

    /// Takes the lines of the live protocol log not yet taken (by the
    /// driver or an earlier call), oldest first.
    fn take_protocol_log(&mut self) -> Vec<TraceLine> {
        self.with_client_mut(|c| std::iter::from_fn(|| c.poll_log()).collect())
    }
}

/// The typed IMAP API every driver offers: one method per operation, the
/// same names everywhere. Message ids are UIDs unless
/// [`use_uid`](Engine::use_uid) says otherwise; mailbox names are plain
/// Rust strings (modified UTF-7 is handled for you).
///
/// ```
/// use imap_core::{Client, ClientConfig, Commands, Event};
/// use imap_core::types::SearchKey;
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
/// let login = client.login("alice", "secret").unwrap();      // on Client: a Handle
/// let select = client.select("INBOX").unwrap();
/// let unseen = client.search(SearchKey::Unseen).unwrap();    // pipelined behind SELECT
/// # while let Some(out) = client.poll_transmit() { client.advance_transmit(out.len()); }
/// client.handle_input(b"A1 OK [CAPABILITY IMAP4rev1] in\r\nA2 OK [READ-WRITE] sel\r\n");
/// # while let Some(out) = client.poll_transmit() { client.advance_transmit(out.len()); }
/// client.handle_input(b"* SEARCH 4 9\r\nA3 OK done\r\n");
/// assert_eq!(client.take(&unseen), Some(Ok(vec![4, 9])));
/// ```
pub trait Commands: Engine {
    /// What a call returns for a request yielding `T`.
    type Run<T>;

    /// Runs one request (the one method a driver implements).
    fn run<T>(&mut self, request: Request<T>) -> Self::Run<T>;

    // ---------------------------------------------------------- authentication

    /// LOGIN. The password is always sent quoted or as a literal. Done once
    /// the capabilities of the logged-in session are known.
    fn login(&mut self, user: &str, password: &str) -> Self::Run<()> {
        self.run(request::login(user, password))
    }

    /// AUTHENTICATE with any SASL mechanism ([`crate::ext::sasl`] or your
    /// own); SASL-IR when the server has it.
    fn authenticate(&mut self, mechanism: impl SaslMechanism + 'static) -> Self::Run<()> {
        self.run(request::authenticate(mechanism))
    }

    /// AUTHENTICATE PLAIN.
    fn authenticate_plain(&mut self, user: &str, password: &str) -> Self::Run<()> {
        self.authenticate(sasl::Plain::new(user, password))
    }

    /// AUTHENTICATE XOAUTH2 with an OAuth 2.0 access token (Gmail, Outlook).
    fn authenticate_xoauth2(&mut self, user: &str, token: &str) -> Self::Run<()> {
        self.authenticate(sasl::XOAuth2::new(user, token))
    }

    /// AUTHENTICATE OAUTHBEARER (RFC 7628).
    fn authenticate_oauthbearer(&mut self, user: &str, host: &str, port: u16, token: &str) -> Self::Run<()> {
        self.authenticate(sasl::OAuthBearer::new(user, host, port, token))
    }

    /// AUTHENTICATE CRAM-MD5 (imaplib's `login_cram_md5`).
    #[cfg(feature = "cram-md5")]
    fn login_cram_md5(&mut self, user: &str, password: &str) -> Self::Run<()> {
        self.authenticate(sasl::CramMd5::new(user, password))
    }

    /// AUTHENTICATE with a mechanism whose challenges `answer` handles
    /// (return `None` to cancel), as imaplib's `authenticate`.
    fn authenticate_with(
        &mut self,
        mechanism: &str,
        initial_response: Option<&[u8]>,
        answer: impl FnMut(&[u8]) -> Option<Vec<u8>> + Send + 'static,
    ) -> Self::Run<()> {
        self.authenticate(sasl::Custom::new(mechanism, initial_response.map(<[u8]>::to_vec), answer))
    }

    /// STARTTLS: the driver switches the transport; done once the
    /// capabilities are read again. Fails with nothing sent if the server
    /// does not offer it.
    fn starttls(&mut self) -> Self::Run<()> {
        self.run(request::starttls())
    }

    /// PROXYAUTH (Cyrus): act as another user.
    fn proxyauth(&mut self, user: &str) -> Self::Run<()> {
        self.run(request::proxyauth(user))
    }

    // --------------------------------------------------------------- any state

    /// CAPABILITY: asks the server again.
    fn capability(&mut self) -> Self::Run<Capabilities> {
        self.run(request::capability())
    }

    /// NOOP: lets the server report news (it arrives as unsolicited data).
    fn noop(&mut self) -> Self::Run<()> {
        self.run(request::noop())
    }

    /// ID (RFC 2971): tells the server who we are (`ID NIL` for an empty
    /// list); yields what the server says about itself.
    fn id(
        &mut self,
        params: &[(&str, &str)],
    ) -> Self::Run<std::collections::BTreeMap<String, Option<String>>> {
        self.run(request::id(params))
    }

    /// ENABLE (RFC 5161), e.g. `["CONDSTORE", "QRESYNC"]`; yields what the
    /// server enabled.
    fn enable(&mut self, capabilities: &[&str]) -> Self::Run<Capabilities> {
        self.run(request::enable(capabilities))
    }

    /// ENABLE UTF8=ACCEPT (RFC 6855): mailbox names then go as UTF-8;
    /// yields whether the server enabled it. See also
    /// [`ClientConfig::utf8_accept`](crate::ClientConfig::utf8_accept).
    fn enable_utf8_accept(&mut self) -> Self::Run<bool> {
        self.run(request::enable_utf8_accept())
    }

    /// COMPRESS=DEFLATE (RFC 4978): everything after is compressed, inside
    /// the engine.
    fn compress(&mut self) -> Self::Run<()> {
        self.run(request::compress())
    }

    /// NAMESPACE (RFC 2342).
    fn namespace(&mut self) -> Self::Run<Namespaces> {
        self.run(request::namespace())
    }

    // --------------------------------------------------------------- mailboxes

    /// SELECT: opens a mailbox read-write.
    fn select(&mut self, mailbox: &str) -> Self::Run<MailboxInfo> {
        self.run(request::select(mailbox))
    }

    /// EXAMINE: opens a mailbox read-only.
    fn examine(&mut self, mailbox: &str) -> Self::Run<MailboxInfo> {
        self.run(request::examine(mailbox))
    }

    /// SELECT (or EXAMINE with `read_only`) with CONDSTORE / QRESYNC
    /// parameters; the result includes QRESYNC's vanished and changed data.
    fn select_with(
        &mut self,
        mailbox: &str,
        read_only: bool,
        modifiers: SelectModifiers,
    ) -> Self::Run<SelectResult> {
        self.run(request::select_with(mailbox, read_only, modifiers))
    }

    /// LIST `reference` `pattern` (`*` all, `%` one level): decoded names,
    /// attributes, special-use roles.
    fn list(&mut self, reference: &str, pattern: &str) -> Self::Run<Vec<ListEntry>> {
        self.run(request::list(reference, pattern))
    }

    /// LIST-EXTENDED / LIST-STATUS / SPECIAL-USE listing.
    fn list_extended(&mut self, list: ListCommand) -> Self::Run<Vec<ListEntry>> {
        self.run(request::list_extended(list))
    }

    /// LIST with the STATUS of each mailbox: one round trip with
    /// LIST-STATUS, else LIST then pipelined STATUS.
    fn list_status(&mut self, pattern: &str, items: &[StatusAttr]) -> Self::Run<Vec<ListEntry>> {
        self.run(request::list_status(pattern, items))
    }

    /// LSUB: subscribed mailboxes.
    fn lsub(&mut self, reference: &str, pattern: &str) -> Self::Run<Vec<ListEntry>> {
        self.run(request::lsub(reference, pattern))
    }

    /// The folder with a special-use role (`\Sent`, `\Trash`...), by
    /// SPECIAL-USE or by common names (IMAPClient's `find_special_folder`).
    fn find_special_folder(&mut self, role: SpecialUse) -> Self::Run<Option<Mailbox>> {
        self.run(request::find_special_folder(role))
    }

    /// STATUS of a mailbox that need not be selected.
    fn status(&mut self, mailbox: &str, items: &[StatusAttr]) -> Self::Run<MailboxStatus> {
        self.run(request::status(mailbox, items))
    }

    /// CREATE.
    fn create(&mut self, mailbox: &str) -> Self::Run<()> {
        self.run(request::create(mailbox))
    }

    /// CREATE with special-use roles (RFC 6154 CREATE-SPECIAL-USE).
    fn create_special_use(&mut self, mailbox: &str, roles: &[SpecialUse]) -> Self::Run<()> {
        self.run(request::create_special_use(mailbox, roles))
    }

    /// CREATE a folder with one special-use role, e.g. `\Archive`
    /// (RFC 6154 section 5.3: `CREATE name (USE (\Archive))`). Refused
    /// before anything is sent when the server lacks CREATE-SPECIAL-USE
    /// ([`UsageError::MissingCapability`]); a server that cannot give the
    /// role answers NO, often `[USEATTR]`, and creates nothing.
    fn create_special_folder(&mut self, mailbox: &str, role: SpecialUse) -> Self::Run<()> {
        self.run(request::create_special_use(mailbox, &[role]))
    }

    /// DELETE.
    fn delete(&mut self, mailbox: &str) -> Self::Run<()> {
        self.run(request::delete(mailbox))
    }

    /// RENAME.
    fn rename(&mut self, from: &str, to: &str) -> Self::Run<()> {
        self.run(request::rename(from, to))
    }

    /// SUBSCRIBE.
    fn subscribe(&mut self, mailbox: &str) -> Self::Run<()> {
        self.run(request::subscribe(mailbox))
    }

    /// UNSUBSCRIBE.
    fn unsubscribe(&mut self, mailbox: &str) -> Self::Run<()> {
        self.run(request::unsubscribe(mailbox))
    }

    /// CHECK.
    fn check(&mut self) -> Self::Run<()> {
        self.run(request::check())
    }

    /// CLOSE: expunges deleted messages and deselects.
    fn close(&mut self) -> Self::Run<()> {
        self.run(request::close())
    }

    /// UNSELECT: deselects without expunging.
    fn unselect(&mut self) -> Self::Run<()> {
        self.run(request::unselect())
    }

    // ---------------------------------------------------------------- messages

    /// EXPUNGE: removes messages marked `\Deleted`.
    fn expunge(&mut self) -> Self::Run<ExpungeResult> {
        self.run(request::expunge())
    }

    /// UID EXPUNGE (UIDPLUS): removes only these `\Deleted` messages.
    fn uid_expunge(&mut self, uids: impl Into<SequenceSet>) -> Self::Run<ExpungeResult> {
        self.run(request::uid_expunge(uids))
    }

    /// SEARCH with typed criteria.
    fn search(&mut self, criteria: SearchKey) -> Self::Run<Vec<u32>> {
        let uid = self.use_uid();
        self.run(request::search(uid, criteria))
    }

    /// SEARCH with criteria in IMAP syntax, e.g. `FROM "bob" UNSEEN` (sent
    /// as given; CR, LF and NUL are refused).
    fn search_raw(&mut self, criteria: &str) -> Self::Run<Vec<u32>> {
        self.search(SearchKey::Raw(criteria.into()))
    }

    /// SEARCH RETURN (...) (ESEARCH): min, max, count, all without
    /// transferring every number.
    fn esearch(&mut self, criteria: SearchKey, returns: &[SearchReturn]) -> Self::Run<ESearch> {
        let uid = self.use_uid();
        self.run(request::esearch(uid, criteria, returns))
    }

    /// SORT (RFC 5256).
    fn sort(&mut self, criteria: &[SortCriterion], search: SearchKey) -> Self::Run<Vec<u32>> {
        let uid = self.use_uid();
        self.run(request::sort(uid, criteria, search))
    }

    /// THREAD (RFC 5256).
    fn thread(&mut self, algorithm: ThreadAlgorithm, search: SearchKey) -> Self::Run<Vec<Thread>> {
        let uid = self.use_uid();
        self.run(request::thread(uid, algorithm, search))
    }

    /// FETCH, collected: one entry per message.
    fn fetch(&mut self, ids: impl Into<SequenceSet>, attrs: &[FetchAttr]) -> Self::Run<Vec<Fetch>> {
        let uid = self.use_uid();
        self.run(request::fetch(uid, ids, attrs))
    }

    /// FETCH ... (CHANGEDSINCE modseq) (CONDSTORE), with VANISHED under
    /// QRESYNC.
    fn fetch_changed_since(
        &mut self,
        ids: impl Into<SequenceSet>,
        attrs: &[FetchAttr],
        modseq: u64,
        vanished: bool,
    ) -> Self::Run<Vec<Fetch>> {
        let uid = self.use_uid();
        self.run(request::fetch_changed_since(uid, ids, attrs, modseq, vanished))
    }

    /// STORE: changes flags, yields the new flags of each message.
    fn store(
        &mut self,
        ids: impl Into<SequenceSet>,
        mode: StoreMode,
        flags: &[Flag],
    ) -> Self::Run<Vec<Fetch>> {
        let uid = self.use_uid();
        self.run(request::store(uid, ids, mode, flags))
    }

    /// STORE +FLAGS.SILENT.
    fn add_flags(&mut self, ids: impl Into<SequenceSet>, flags: &[Flag]) -> Self::Run<()> {
        let uid = self.use_uid();
        self.run(request::store_silent(uid, ids, StoreMode::Add, flags))
    }

    /// STORE -FLAGS.SILENT.
    fn remove_flags(&mut self, ids: impl Into<SequenceSet>, flags: &[Flag]) -> Self::Run<()> {
        let uid = self.use_uid();
        self.run(request::store_silent(uid, ids, StoreMode::Remove, flags))
    }

    /// STORE FLAGS.SILENT (replace).
    fn set_flags(&mut self, ids: impl Into<SequenceSet>, flags: &[Flag]) -> Self::Run<()> {
        let uid = self.use_uid();
        self.run(request::store_silent(uid, ids, StoreMode::Replace, flags))
    }

    /// STORE ... (UNCHANGEDSINCE modseq) (CONDSTORE): messages changed in
    /// the meantime are left alone and listed in `modified`.
    fn store_unchanged_since(
        &mut self,
        ids: impl Into<SequenceSet>,
        mode: StoreMode,
        flags: &[Flag],
        modseq: u64,
    ) -> Self::Run<StoreResult> {
        let uid = self.use_uid();
        self.run(request::store_unchanged_since(uid, ids, mode, flags, modseq))
    }

    /// Adds Gmail labels (STORE +X-GM-LABELS); yields each message's
    /// labels afterwards. Labels are names like folder names; system
    /// labels keep their backslash (`\Inbox`, `\Important`).
    fn add_gmail_labels(&mut self, ids: impl Into<SequenceSet>, labels: &[&str]) -> Self::Run<GmailLabels> {
        let uid = self.use_uid();
        self.run(request::store_gmail_labels(uid, ids, StoreMode::Add, labels))
    }

    /// Removes Gmail labels (STORE -X-GM-LABELS); yields each message's
    /// labels afterwards.
    fn remove_gmail_labels(
        &mut self,
        ids: impl Into<SequenceSet>,
        labels: &[&str],
    ) -> Self::Run<GmailLabels> {
        let uid = self.use_uid();
        self.run(request::store_gmail_labels(uid, ids, StoreMode::Remove, labels))
    }

    /// Replaces the Gmail labels (STORE X-GM-LABELS); yields each
    /// message's labels afterwards.
    fn set_gmail_labels(&mut self, ids: impl Into<SequenceSet>, labels: &[&str]) -> Self::Run<GmailLabels> {
        let uid = self.use_uid();
        self.run(request::store_gmail_labels(uid, ids, StoreMode::Replace, labels))
    }

    /// Each message's Gmail labels (FETCH X-GM-LABELS).
    fn get_gmail_labels(&mut self, ids: impl Into<SequenceSet>) -> Self::Run<GmailLabels> {
        let uid = self.use_uid();
        self.run(request::gmail_labels(uid, ids))
    }

    /// COPY; with UIDPLUS the result says where the messages went.
    fn copy(&mut self, ids: impl Into<SequenceSet>, mailbox: &str) -> Self::Run<CopyResult> {
        let uid = self.use_uid();
        self.run(request::copy(uid, ids, mailbox))
    }

    /// MOVE (RFC 6851), or COPY + STORE + UID EXPUNGE without it.
    fn move_to(&mut self, ids: impl Into<SequenceSet>, mailbox: &str) -> Self::Run<MoveResult> {
        let uid = self.use_uid();
        self.run(request::move_messages(uid, ids, mailbox))
    }

    /// Moves without the MOVE extension (needs UIDPLUS): UID COPY, UID
    /// STORE +FLAGS (\Deleted), UID EXPUNGE of exactly those messages.
    fn move_by_copy(&mut self, ids: impl Into<SequenceSet>, mailbox: &str) -> Self::Run<MoveResult> {
        let uid = self.use_uid();
        self.run(request::move_by_copy(uid, ids, mailbox))
    }

    /// APPEND a message; with UIDPLUS the result has its UID.
    fn append(&mut self, mailbox: &str, message: impl Into<Bytes>) -> Self::Run<AppendResult> {
        self.run(request::append(mailbox, AppendMessage::new(message)))
    }

    /// APPEND with flags and an internal date.
    fn append_with(&mut self, mailbox: &str, message: AppendMessage) -> Self::Run<AppendResult> {
        self.run(request::append(mailbox, message))
    }

    /// APPEND several messages: one MULTIAPPEND command when the server has
    /// it, else pipelined APPENDs; with UIDPLUS the new UIDs in order.
    fn append_many(&mut self, mailbox: &str, messages: Vec<AppendMessage>) -> Self::Run<AppendResult> {
        self.run(request::append_many(mailbox, messages))
    }

    // ------------------------------------------------- quota, ACL, metadata

    /// GETQUOTA.
    fn get_quota(&mut self, root: &str) -> Self::Run<QuotaResult> {
        self.run(request::get_quota(root))
    }

    /// GETQUOTAROOT: the roots of a mailbox and their quotas.
    fn get_quota_root(&mut self, mailbox: &str) -> Self::Run<QuotaResult> {
        self.run(request::get_quota_root(mailbox))
    }

    /// SETQUOTA (administrators).
    fn set_quota(&mut self, root: &str, limits: &[(&str, u64)]) -> Self::Run<()> {
        self.run(request::set_quota(root, limits))
    }

    /// GETACL.
    fn get_acl(&mut self, mailbox: &str) -> Self::Run<Vec<AclEntry>> {
        self.run(request::get_acl(mailbox))
    }

    /// SETACL (rights may start with `+` or `-`).
    fn set_acl(&mut self, mailbox: &str, identifier: &str, rights: &str) -> Self::Run<()> {
        self.run(request::set_acl(mailbox, identifier, rights))
    }

    /// DELETEACL.
    fn delete_acl(&mut self, mailbox: &str, identifier: &str) -> Self::Run<()> {
        self.run(request::delete_acl(mailbox, identifier))
    }

    /// LISTRIGHTS.
    fn list_rights(&mut self, mailbox: &str, identifier: &str) -> Self::Run<ListRightsResult> {
        self.run(request::list_rights(mailbox, identifier))
    }

    /// MYRIGHTS: the rights letters.
    fn my_rights(&mut self, mailbox: &str) -> Self::Run<String> {
        self.run(request::my_rights(mailbox))
    }

    /// GETMETADATA (RFC 5464); `mailbox` `None` for server metadata.
    fn get_metadata(&mut self, mailbox: Option<&str>, entries: &[&str]) -> Self::Run<Vec<MetadataEntry>> {
        self.run(request::get_metadata(mailbox.map(Mailbox::new), entries))
    }

    /// SETMETADATA; a `None` value removes the entry.
    fn set_metadata(&mut self, mailbox: Option<&str>, entries: &[(&str, Option<&[u8]>)]) -> Self::Run<()> {
        self.run(request::set_metadata(mailbox.map(Mailbox::new), entries))
    }

    /// GETANNOTATION (Cyrus ANNOTATEMORE).
    fn get_annotation(
        &mut self,
        mailbox: &str,
        entries: &[&str],
        attributes: &[&str],
    ) -> Self::Run<Vec<Annotation>> {
        self.run(request::get_annotation(mailbox, entries, attributes))
    }

    /// SETANNOTATION (Cyrus ANNOTATEMORE).
    fn set_annotation(
        &mut self,
        mailbox: &str,
        entry: &str,
        attributes: &[(&str, Option<&str>)],
    ) -> Self::Run<()> {
        self.run(request::set_annotation(mailbox, entry, attributes))
    }

    // ------------------------------------------------------------ escape hatch

    /// Any command: a name and safely encoded arguments; yields the
    /// untagged data the server sent while it ran.
    fn raw(&mut self, name: &str, args: Vec<RawArg>) -> Self::Run<Vec<Response>> {
        self.run(request::raw(name, args))
    }

    /// Any typed [`Command`], yielding its [`Completion`].
    fn command(&mut self, command: Command) -> Self::Run<Completion> {
        self.run(request::command(command))
    }
}

impl Engine for Client {
    fn with_client<R>(&self, f: impl FnOnce(&Client) -> R) -> R {
        f(self)
    }

    fn with_client_mut<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R {
        f(self)
    }
}

/// On the engine itself a call submits the request and returns its handle.
impl Commands for Client {
    type Run<T> = Result<Handle<T>, UsageError>;

    fn run<T>(&mut self, request: Request<T>) -> Self::Run<T> {
        self.submit(request)
    }
}
