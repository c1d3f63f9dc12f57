//! The typed API: one method per IMAP command, each returning Rust types.

use std::collections::BTreeMap;

use bytes::Bytes;
use imap_core::ext::sasl::{self, SaslMechanism};
use imap_core::request::{
    AppendResult, Completion, CopyResult, ExpungeResult, ListEntry, ListRightsResult, MailboxInfo,
    MailboxStatus, MoveResult, Output, QuotaResult, Request, SearchResult, SelectResult, StoreResult,
};
use imap_core::types::{
    AclEntry, Annotation, AppendMessage, ByteStr, Capability, Command, DateTime, ESearch, Fetch, FetchAttr,
    Flag, ListCommand, ListReturn, Mailbox, MetadataDepth, MetadataEntry, Namespaces, RawArg, Response,
    SearchKey, SearchReturn, SelectModifiers, SequenceSet, SortCriterion, StatusAttr, StoreMode, Tag, Thread,
    ThreadAlgorithm,
};
use imap_core::{Capabilities, Secret};

use crate::error::{Error, Result};
use crate::session::Session;

impl Session {
    fn run<T>(&mut self, command: Command) -> Result<T>
    where
        T: TryFrom<Output, Error = imap_core::request::WrongOutput>,
    {
        let done = self.execute(command)?;
        Ok(T::try_from(done.output)?)
    }

    // --------------------------------------------------------- authentication

    /// LOGIN. The password is always sent quoted or as a literal.
    pub fn login(&mut self, user: &str, password: &str) -> Result<()> {
        self.execute(Command::Login { username: user.into(), password: Secret::new(password.into()) })?;
        self.after_login()
    }

    /// AUTHENTICATE with any SASL mechanism ([`imap_core::ext::sasl`] or
    /// your own); uses SASL-IR when the server has it.
    pub fn authenticate(&mut self, mechanism: impl SaslMechanism + 'static) -> Result<()> {
        let tag = self.core.authenticate(Box::new(mechanism))?;
        self.wait(&tag)?;
        self.after_login()
    }

    /// AUTHENTICATE PLAIN.
    pub fn authenticate_plain(&mut self, user: &str, password: &str) -> Result<()> {
        self.authenticate(sasl::Plain::new(user, password))
    }

    /// AUTHENTICATE CRAM-MD5 (imaplib's `login_cram_md5`).
    pub fn login_cram_md5(&mut self, user: &str, password: &str) -> Result<()> {
        self.authenticate(sasl::CramMd5::new(user, password))
    }

    /// AUTHENTICATE SCRAM-SHA-256 (or SCRAM-SHA-1 with `sha1`), with a fresh
    /// random nonce; the server's signature is verified.
    pub fn authenticate_scram(&mut self, user: &str, password: &str, sha1: bool) -> Result<()> {
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw)
            .map_err(|e| Error::Config(format!("no randomness for the SCRAM nonce: {e}")))?;
        use base64::Engine as _;
        let nonce = base64::engine::general_purpose::STANDARD.encode(raw);
        let hash = if sha1 { sasl::ScramHash::Sha1 } else { sasl::ScramHash::Sha256 };
        self.authenticate(sasl::Scram::new(hash, user, password, nonce))
    }

    /// AUTHENTICATE XOAUTH2 with an OAuth 2.0 access token (Gmail, Outlook).
    pub fn authenticate_xoauth2(&mut self, user: &str, token: &str) -> Result<()> {
        self.authenticate(sasl::XOAuth2::new(user, token))
    }

    /// AUTHENTICATE OAUTHBEARER (RFC 7628).
    pub fn authenticate_oauthbearer(&mut self, user: &str, host: &str, port: u16, token: &str) -> Result<()> {
        self.authenticate(sasl::OAuthBearer::new(user, host, port, token))
    }

    /// AUTHENTICATE with a mechanism whose challenges `answer` handles
    /// (return `None` to cancel).
    pub fn authenticate_with(
        &mut self,
        mechanism: &str,
        initial_response: Option<&[u8]>,
        answer: impl FnMut(&[u8]) -> Option<Vec<u8>> + Send + 'static,
    ) -> Result<()> {
        self.sasl_answer = Some(Box::new(answer));
        let tag = self.core.authenticate_interactive(mechanism, initial_response.map(<[u8]>::to_vec));
        let result = match tag {
            Ok(tag) => self.wait(&tag).map(|_| ()),
            Err(e) => Err(e.into()),
        };
        self.sasl_answer = None;
        result?;
        self.after_login()
    }

    /// PROXYAUTH (Cyrus): act as another user.
    pub fn proxyauth(&mut self, user: &str) -> Result<()> {
        self.execute(Command::ProxyAuth(user.into())).map(drop)
    }

    fn after_login(&mut self) -> Result<()> {
        // The engine re-reads capabilities after login if the OK had none.
        self.wait_until(|s| s.core.capabilities_known())
    }

    // ------------------------------------------------------------------ any

    /// CAPABILITY: asks the server again.
    pub fn capabilities(&mut self) -> Result<Capabilities> {
        self.run(Command::Capability)
    }

    /// NOOP: returns what the server had to say (new mail, expunges...).
    pub fn noop(&mut self) -> Result<Vec<Response>> {
        self.execute(Command::Noop)?;
        Ok(self.take_unsolicited())
    }

    /// ID (RFC 2971): tells the server who we are (sends `ID NIL` for an
    /// empty list), returns what the server says about itself.
    pub fn id(&mut self, params: &[(&str, &str)]) -> Result<BTreeMap<String, Option<String>>> {
        let params = params.iter().map(|(k, v)| (ByteStr::from(*k), Some(ByteStr::from(*v)))).collect();
        match self.execute(Command::Id(Some(params)))?.output {
            Output::Id(p) => Ok(p
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.to_str_lossy().into_owned(), v.map(|v| v.to_str_lossy().into_owned())))
                .collect()),
            other => Err(imap_core::request::WrongOutput { wanted: "Id", found: other.kind() }.into()),
        }
    }

    /// ENABLE (RFC 5161), e.g. `["CONDSTORE", "QRESYNC"]`; returns what the
    /// server enabled.
    pub fn enable(&mut self, capabilities: &[&str]) -> Result<Capabilities> {
        let caps = capabilities.iter().map(|c| Capability::from_wire(c.as_bytes())).collect();
        self.run(Command::Enable(caps))
    }

    /// COMPRESS=DEFLATE (RFC 4978): everything after is compressed.
    pub fn compress(&mut self) -> Result<()> {
        self.execute(Command::Compress).map(drop)
    }

    /// NAMESPACE (RFC 2342).
    pub fn namespace(&mut self) -> Result<Namespaces> {
        self.run(Command::Namespace)
    }

    // ------------------------------------------------------------ mailboxes

    /// SELECT: opens a mailbox read-write.
    pub fn select(&mut self, mailbox: &str) -> Result<MailboxInfo> {
        self.run(Command::select(mailbox))
    }

    /// EXAMINE: opens a mailbox read-only.
    pub fn examine(&mut self, mailbox: &str) -> Result<MailboxInfo> {
        self.run(Command::examine(mailbox))
    }

    /// SELECT (or EXAMINE with `read_only`) with CONDSTORE / QRESYNC
    /// parameters; the result includes QRESYNC's vanished and changed data.
    pub fn select_with(
        &mut self,
        mailbox: &str,
        read_only: bool,
        modifiers: SelectModifiers,
    ) -> Result<SelectResult> {
        let mailbox = Mailbox::new(mailbox);
        let cmd = if read_only {
            Command::Examine { mailbox, modifiers }
        } else {
            Command::Select { mailbox, modifiers }
        };
        self.run(cmd)
    }

    /// LIST `reference` `pattern` (`*` all, `%` one level): decoded names,
    /// attributes, special-use roles.
    pub fn list(&mut self, reference: &str, pattern: &str) -> Result<Vec<ListEntry>> {
        let mut cmd = ListCommand::new(pattern);
        cmd.reference = reference.into();
        self.run(Command::List(cmd))
    }

    /// LIST-EXTENDED / LIST-STATUS / SPECIAL-USE listing.
    pub fn list_extended(&mut self, list: ListCommand) -> Result<Vec<ListEntry>> {
        self.run(Command::List(list))
    }

    /// LIST with STATUS of each mailbox in one round trip (LIST-STATUS),
    /// and special-use roles when the server has SPECIAL-USE.
    pub fn list_status(&mut self, pattern: &str, items: &[StatusAttr]) -> Result<Vec<ListEntry>> {
        let mut cmd = ListCommand::new(pattern);
        if self.has_capability("SPECIAL-USE") {
            cmd.returns.push(ListReturn::SpecialUse);
        }
        cmd.returns.push(ListReturn::Status(items.to_vec()));
        self.run(Command::List(cmd))
    }

    /// LSUB: subscribed mailboxes.
    pub fn lsub(&mut self, reference: &str, pattern: &str) -> Result<Vec<ListEntry>> {
        self.run(Command::Lsub { reference: reference.into(), pattern: pattern.into() })
    }

    /// STATUS of a mailbox that need not be selected.
    pub fn status(&mut self, mailbox: &str, items: &[StatusAttr]) -> Result<MailboxStatus> {
        self.run(Command::Status { mailbox: Mailbox::new(mailbox), items: items.to_vec() })
    }

    /// CREATE.
    pub fn create(&mut self, mailbox: &str) -> Result<()> {
        self.execute(Command::Create { mailbox: Mailbox::new(mailbox), special_use: vec![] }).map(drop)
    }

    /// DELETE.
    pub fn delete(&mut self, mailbox: &str) -> Result<()> {
        self.execute(Command::Delete(Mailbox::new(mailbox))).map(drop)
    }

    /// RENAME.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        self.execute(Command::Rename { from: Mailbox::new(from), to: Mailbox::new(to) }).map(drop)
    }

    /// SUBSCRIBE.
    pub fn subscribe(&mut self, mailbox: &str) -> Result<()> {
        self.execute(Command::Subscribe(Mailbox::new(mailbox))).map(drop)
    }

    /// UNSUBSCRIBE.
    pub fn unsubscribe(&mut self, mailbox: &str) -> Result<()> {
        self.execute(Command::Unsubscribe(Mailbox::new(mailbox))).map(drop)
    }

    /// CHECK.
    pub fn check(&mut self) -> Result<()> {
        self.execute(Command::Check).map(drop)
    }

    /// CLOSE: expunges deleted messages and deselects.
    pub fn close(&mut self) -> Result<()> {
        self.execute(Command::Close).map(drop)
    }

    /// UNSELECT: deselects without expunging.
    pub fn unselect(&mut self) -> Result<()> {
        self.execute(Command::Unselect).map(drop)
    }

    // ------------------------------------------------------------- messages

    /// EXPUNGE: removes messages marked `\Deleted`.
    pub fn expunge(&mut self) -> Result<ExpungeResult> {
        self.run(Command::Expunge)
    }

    /// UID EXPUNGE (UIDPLUS): removes only these `\Deleted` messages.
    pub fn uid_expunge(&mut self, uids: impl Into<SequenceSet>) -> Result<ExpungeResult> {
        self.run(Command::UidExpunge(uids.into()))
    }

    /// SEARCH with typed criteria; UIDs unless `use_uid` is off.
    pub fn search(&mut self, criteria: SearchKey) -> Result<Vec<u32>> {
        let r: SearchResult = self.run(Command::search(self.use_uid, criteria))?;
        Ok(r.ids)
    }

    /// SEARCH with criteria in IMAP syntax, e.g. `FROM "bob" UNSEEN`
    /// (sent as given; CR, LF and NUL are refused).
    pub fn search_raw(&mut self, criteria: &str) -> Result<Vec<u32>> {
        self.search(SearchKey::Raw(criteria.into()))
    }

    /// SEARCH RETURN (...) (ESEARCH): min, max, count, all without
    /// transferring every number.
    pub fn esearch(&mut self, criteria: SearchKey, returns: &[SearchReturn]) -> Result<ESearch> {
        self.run(Command::Search { uid: self.use_uid, criteria, returns: Some(returns.to_vec()) })
    }

    /// SORT (RFC 5256).
    pub fn sort(&mut self, criteria: &[SortCriterion], search: SearchKey) -> Result<Vec<u32>> {
        let r: SearchResult =
            self.run(Command::Sort { uid: self.use_uid, criteria: criteria.to_vec(), search })?;
        Ok(r.ids)
    }

    /// THREAD (RFC 5256).
    pub fn thread(&mut self, algorithm: ThreadAlgorithm, search: SearchKey) -> Result<Vec<Thread>> {
        self.run(Command::Thread { uid: self.use_uid, algorithm, search })
    }

    /// FETCH, collected: one entry per message.
    pub fn fetch(&mut self, ids: impl Into<SequenceSet>, attrs: &[FetchAttr]) -> Result<Vec<Fetch>> {
        self.run(Command::fetch(self.use_uid, ids, attrs.to_vec()))
    }

    /// FETCH ... (CHANGEDSINCE modseq) (CONDSTORE), with VANISHED under QRESYNC.
    pub fn fetch_changed_since(
        &mut self,
        ids: impl Into<SequenceSet>,
        attrs: &[FetchAttr],
        modseq: u64,
        vanished: bool,
    ) -> Result<Vec<Fetch>> {
        self.run(Command::Fetch {
            uid: self.use_uid,
            set: ids.into(),
            attrs: attrs.to_vec(),
            changed_since: Some(modseq),
            vanished,
        })
    }

    /// FETCH, streamed: yields each message as it arrives, so memory stays
    /// bounded by one message however many there are.
    pub fn fetch_stream(
        &mut self,
        ids: impl Into<SequenceSet>,
        attrs: &[FetchAttr],
    ) -> Result<FetchStream<'_>> {
        let req = Request::new(Command::fetch(self.use_uid, ids, attrs.to_vec())).streaming();
        let tag = self.send(req)?;
        Ok(FetchStream { session: self, tag, done: false })
    }

    /// STORE: changes flags, returns the new flags of each message.
    pub fn store(
        &mut self,
        ids: impl Into<SequenceSet>,
        mode: StoreMode,
        flags: &[Flag],
    ) -> Result<Vec<Fetch>> {
        let r: StoreResult = self.run(Command::Store {
            uid: self.use_uid,
            set: ids.into(),
            mode,
            silent: false,
            flags: flags.to_vec(),
            unchanged_since: None,
        })?;
        Ok(r.fetches)
    }

    /// STORE +FLAGS.SILENT.
    pub fn add_flags(&mut self, ids: impl Into<SequenceSet>, flags: &[Flag]) -> Result<()> {
        self.store_silent(ids, StoreMode::Add, flags)
    }

    /// STORE -FLAGS.SILENT.
    pub fn remove_flags(&mut self, ids: impl Into<SequenceSet>, flags: &[Flag]) -> Result<()> {
        self.store_silent(ids, StoreMode::Remove, flags)
    }

    /// STORE FLAGS.SILENT (replace).
    pub fn set_flags(&mut self, ids: impl Into<SequenceSet>, flags: &[Flag]) -> Result<()> {
        self.store_silent(ids, StoreMode::Replace, flags)
    }

    fn store_silent(&mut self, ids: impl Into<SequenceSet>, mode: StoreMode, flags: &[Flag]) -> Result<()> {
        self.execute(Command::Store {
            uid: self.use_uid,
            set: ids.into(),
            mode,
            silent: true,
            flags: flags.to_vec(),
            unchanged_since: None,
        })
        .map(drop)
    }

    /// STORE ... (UNCHANGEDSINCE modseq) (CONDSTORE): messages changed in
    /// the meantime are left alone and listed in `modified`.
    pub fn store_unchanged_since(
        &mut self,
        ids: impl Into<SequenceSet>,
        mode: StoreMode,
        flags: &[Flag],
        modseq: u64,
    ) -> Result<StoreResult> {
        self.run(Command::Store {
            uid: self.use_uid,
            set: ids.into(),
            mode,
            silent: false,
            flags: flags.to_vec(),
            unchanged_since: Some(modseq),
        })
    }

    /// COPY; with UIDPLUS the result says where the messages went.
    pub fn copy(&mut self, ids: impl Into<SequenceSet>, mailbox: &str) -> Result<CopyResult> {
        self.run(Command::Copy { uid: self.use_uid, set: ids.into(), mailbox: Mailbox::new(mailbox) })
    }

    /// MOVE (RFC 6851); without MOVE, [`move_by_copy`](Self::move_by_copy).
    pub fn move_to(&mut self, ids: impl Into<SequenceSet>, mailbox: &str) -> Result<MoveResult> {
        if self.has_capability("MOVE") {
            return self.run(Command::Move {
                uid: self.use_uid,
                set: ids.into(),
                mailbox: Mailbox::new(mailbox),
            });
        }
        self.move_by_copy(ids, mailbox)
    }

    /// Moves without the MOVE extension: UID COPY, UID STORE +FLAGS
    /// (\Deleted) and UID EXPUNGE of exactly those messages. Needs UIDPLUS,
    /// so no other deleted message is expunged.
    pub fn move_by_copy(&mut self, ids: impl Into<SequenceSet>, mailbox: &str) -> Result<MoveResult> {
        let set = ids.into();
        if !self.has_capability("UIDPLUS") {
            return Err(Error::Unsupported("MOVE (or UIDPLUS for a COPY + UID EXPUNGE move)"));
        }
        let uids: SequenceSet = if self.use_uid {
            set
        } else {
            let fetched: Vec<Fetch> = self.run(Command::fetch(false, set, vec![FetchAttr::Uid]))?;
            fetched.iter().filter_map(Fetch::uid).collect()
        };
        if uids.is_empty() {
            return Ok(MoveResult::default());
        }
        let copied: CopyResult =
            self.run(Command::Copy { uid: true, set: uids.clone(), mailbox: Mailbox::new(mailbox) })?;
        self.execute(Command::Store {
            uid: true,
            set: uids.clone(),
            mode: StoreMode::Add,
            silent: true,
            flags: vec![Flag::Deleted],
            unchanged_since: None,
        })?;
        let expunged: ExpungeResult = self.run(Command::UidExpunge(uids))?;
        let mut result = MoveResult::default();
        result.copy_uid = copied.copy_uid;
        result.expunged = expunged.expunged;
        result.vanished = expunged.vanished;
        Ok(result)
    }

    /// APPEND a message; with UIDPLUS the result has its UID.
    pub fn append(&mut self, mailbox: &str, message: impl Into<Bytes>) -> Result<AppendResult> {
        self.append_with(mailbox, AppendMessage::new(message))
    }

    /// APPEND with flags and an internal date.
    pub fn append_with(&mut self, mailbox: &str, message: AppendMessage) -> Result<AppendResult> {
        self.run(Command::Append { mailbox: Mailbox::new(mailbox), messages: vec![message] })
    }

    /// APPEND several messages: one MULTIAPPEND command when the server
    /// has it, else pipelined APPENDs.
    pub fn append_many(&mut self, mailbox: &str, messages: Vec<AppendMessage>) -> Result<Vec<AppendResult>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let mailbox = Mailbox::new(mailbox);
        if self.has_capability("MULTIAPPEND") {
            let r: AppendResult = self.run(Command::Append { mailbox, messages })?;
            return Ok(vec![r]);
        }
        let commands = messages
            .into_iter()
            .map(|m| Command::Append { mailbox: mailbox.clone(), messages: vec![m] })
            .collect();
        self.pipeline(commands)?
            .into_iter()
            .map(|r| r.and_then(|c| Ok(AppendResult::try_from(c.output)?)))
            .collect()
    }

    // ------------------------------------------------- quota, ACL, metadata

    /// GETQUOTA.
    pub fn get_quota(&mut self, root: &str) -> Result<QuotaResult> {
        self.run(Command::GetQuota(root.into()))
    }

    /// GETQUOTAROOT: the roots of a mailbox and their quotas.
    pub fn get_quota_root(&mut self, mailbox: &str) -> Result<QuotaResult> {
        self.run(Command::GetQuotaRoot(Mailbox::new(mailbox)))
    }

    /// SETQUOTA (administrators).
    pub fn set_quota(&mut self, root: &str, limits: &[(&str, u64)]) -> Result<()> {
        let limits = limits.iter().map(|(n, l)| (ByteStr::from(*n), *l)).collect();
        self.execute(Command::SetQuota { root: root.into(), limits }).map(drop)
    }

    /// GETACL.
    pub fn get_acl(&mut self, mailbox: &str) -> Result<Vec<AclEntry>> {
        self.run(Command::GetAcl(Mailbox::new(mailbox)))
    }

    /// SETACL (rights may start with `+` or `-`).
    pub fn set_acl(&mut self, mailbox: &str, identifier: &str, rights: &str) -> Result<()> {
        self.execute(Command::SetAcl {
            mailbox: Mailbox::new(mailbox),
            identifier: identifier.into(),
            rights: rights.into(),
        })
        .map(drop)
    }

    /// DELETEACL.
    pub fn delete_acl(&mut self, mailbox: &str, identifier: &str) -> Result<()> {
        self.execute(Command::DeleteAcl { mailbox: Mailbox::new(mailbox), identifier: identifier.into() })
            .map(drop)
    }

    /// LISTRIGHTS.
    pub fn list_rights(&mut self, mailbox: &str, identifier: &str) -> Result<ListRightsResult> {
        self.run(Command::ListRights { mailbox: Mailbox::new(mailbox), identifier: identifier.into() })
    }

    /// MYRIGHTS.
    pub fn my_rights(&mut self, mailbox: &str) -> Result<String> {
        match self.execute(Command::MyRights(Mailbox::new(mailbox)))?.output {
            Output::MyRights(r) => Ok(r.to_str_lossy().into_owned()),
            other => Err(imap_core::request::WrongOutput { wanted: "MyRights", found: other.kind() }.into()),
        }
    }

    /// GETMETADATA (RFC 5464); `mailbox` `None` for server metadata.
    pub fn get_metadata(&mut self, mailbox: Option<&str>, entries: &[&str]) -> Result<Vec<MetadataEntry>> {
        self.run(Command::GetMetadata {
            mailbox: mailbox.map(Mailbox::new),
            entries: entries.iter().map(|e| ByteStr::from(*e)).collect(),
            max_size: None,
            depth: MetadataDepth::Zero,
        })
    }

    /// SETMETADATA; a `None` value removes the entry.
    pub fn set_metadata(&mut self, mailbox: Option<&str>, entries: &[(&str, Option<&[u8]>)]) -> Result<()> {
        let entries =
            entries.iter().map(|(n, v)| (ByteStr::from(*n), v.map(Bytes::copy_from_slice))).collect();
        self.execute(Command::SetMetadata { mailbox: mailbox.map(Mailbox::new), entries }).map(drop)
    }

    /// GETANNOTATION (Cyrus ANNOTATEMORE).
    pub fn get_annotation(
        &mut self,
        mailbox: &str,
        entries: &[&str],
        attributes: &[&str],
    ) -> Result<Vec<Annotation>> {
        self.run(Command::GetAnnotation {
            mailbox: Mailbox::new(mailbox),
            entries: entries.iter().map(|e| ByteStr::from(*e)).collect(),
            attributes: attributes.iter().map(|a| ByteStr::from(*a)).collect(),
        })
    }

    /// SETANNOTATION (Cyrus ANNOTATEMORE).
    pub fn set_annotation(
        &mut self,
        mailbox: &str,
        entry: &str,
        attributes: &[(&str, Option<&str>)],
    ) -> Result<()> {
        let attributes = attributes.iter().map(|(a, v)| (ByteStr::from(*a), v.map(ByteStr::from))).collect();
        self.execute(Command::SetAnnotation {
            mailbox: Mailbox::new(mailbox),
            entry: entry.into(),
            attributes,
        })
        .map(drop)
    }

    // ------------------------------------------------------------ escape hatch

    /// Any command: a name and safely encoded arguments. Returns the
    /// untagged data the server sent while it ran.
    pub fn raw(&mut self, name: &str, args: Vec<RawArg>) -> Result<Vec<Response>> {
        self.run(Command::Raw { name: name.into(), args })
    }

    /// Any typed command, returning its completion.
    pub fn command(&mut self, command: Command) -> Result<Completion> {
        self.execute(command)
    }

    /// Sends several commands at once (as far as the pipelining rules
    /// allow) and waits for all; one result per command, in order.
    ///
    /// ```no_run
    /// # fn f(s: &mut imap_blocking::Session) -> imap_blocking::Result<()> {
    /// use imap_core::{Command, FetchAttr};
    /// let results = s.pipeline(vec![
    ///     Command::fetch(true, 1..=100, [FetchAttr::Flags]),
    ///     Command::fetch(true, 101..=200, [FetchAttr::Flags]),
    /// ])?;
    /// # Ok(()) }
    /// ```
    pub fn pipeline(&mut self, commands: Vec<Command>) -> Result<Vec<Result<Completion>>> {
        let mut tags = Vec::with_capacity(commands.len());
        for c in commands {
            tags.push(self.core.enqueue(c).map_err(Error::from));
        }
        self.flush()?;
        let mut out = Vec::with_capacity(tags.len());
        for t in tags {
            out.push(match t {
                Ok(tag) => match self.wait(&tag) {
                    Err(e) if e.is_fatal() => return Err(e),
                    r => r,
                },
                Err(e) => Err(e),
            });
        }
        Ok(out)
    }

    /// Builds an APPEND message with flags and date.
    pub fn message(data: impl Into<Bytes>, flags: &[Flag], date: Option<DateTime>) -> AppendMessage {
        let mut m = AppendMessage::new(data);
        m.flags = flags.to_vec();
        m.date = date;
        m
    }
}

/// Messages of a streaming FETCH, as they arrive. Dropping it before the
/// end reads the rest of the answer (and discards it).
pub struct FetchStream<'a> {
    session: &'a mut Session,
    tag: Tag,
    done: bool,
}

impl std::fmt::Debug for FetchStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchStream").field("tag", &self.tag).field("done", &self.done).finish()
    }
}

impl Iterator for FetchStream<'_> {
    type Item = Result<Fetch>;

    fn next(&mut self) -> Option<Result<Fetch>> {
        loop {
            if let Some(i) = self.session.streamed.iter().position(|(t, _)| *t == self.tag) {
                return self.session.streamed.remove(i).map(|(_, f)| Ok(f));
            }
            if self.done {
                return None;
            }
            if let Some(result) = self.session.results.remove(&self.tag) {
                self.done = true;
                if let Err(e) = result {
                    return Some(Err(e.into()));
                }
                continue;
            }
            if let Err(e) = self.session.step(None) {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

impl Drop for FetchStream<'_> {
    fn drop(&mut self) {
        while !self.done {
            if self.next().is_none() {
                break;
            }
        }
        self.session.streamed.retain(|(t, _)| *t != self.tag);
    }
}
