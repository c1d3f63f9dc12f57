//! Command encoding: typed [`Command`]s to bytes.
//!
//! The output is a list of [`Fragment`]s: command text, and literals that
//! follow a `{N}` announcement. A synchronising literal may only be sent
//! after the server's `+`, so the client engine sends fragments one by one.
//!
//! Every argument is sent in the safest form that can carry it (RFC 9051
//! section 4.3): an atom when every byte is an ASTRING-CHAR, a quoted string
//! when it is 7-bit and free of CR, LF and NUL, a literal otherwise.
//! Passwords are never atoms. No argument can put a CR or LF in command text.
//!
//! ```
//! use imap_core::encode::{encode_command, EncodeContext, Fragment};
//! use imap_core::types::{Command, Tag};
//! let tag = Tag::new("A1").unwrap();
//! let ctx = EncodeContext::default();
//! let enc = encode_command(&tag, &Command::login("alice", "pass word"), &ctx).unwrap();
//! assert_eq!(enc.to_vec(), b"A1 LOGIN alice \"pass word\"\r\n");
//!
//! let enc = encode_command(&tag, &Command::login("alice", "p\u{e4}ss"), &ctx).unwrap();
//! assert!(matches!(enc.fragments()[1], Fragment::Literal { sync: true, .. }));
//! ```

use base64::Engine as _;
use bytes::Bytes;

use crate::chars::is_list_char;
use crate::error::EncodeError;
use crate::types::string::is_nil;
use crate::types::{
    AppendMessage, ByteStr, Capabilities, Capability, Command, FetchAttr, Flag, ListCommand, ListReturn,
    ListSelect, Mailbox, MetadataDepth, RawArg, SearchKey, SearchReturn, Section, SectionText,
    SelectModifiers, SequenceSet, SortKey, SpecialUse, StatusAttr, StoreMode, StringKind, Tag,
    ThreadAlgorithm,
};

/// What the encoder needs to know about the session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodeContext {
    /// The server has LITERAL+ (RFC 7888): every literal may be non-synchronising.
    pub literal_plus: bool,
    /// The server has LITERAL- (RFC 7888): literals up to 4096 bytes may be
    /// non-synchronising.
    pub literal_minus: bool,
    /// UTF8=ACCEPT is enabled (RFC 6855): UTF-8 may be quoted and mailbox
    /// names are sent as UTF-8.
    pub utf8: bool,
    /// The server has BINARY (RFC 3516): APPEND data with NUL goes as literal8.
    pub binary: bool,
}

impl EncodeContext {
    /// The context for a server with these capabilities (UTF8=ACCEPT counts
    /// only once enabled, so it is off here; IMAP4rev2 implies LITERAL-).
    pub fn from_capabilities(caps: &Capabilities) -> Self {
        Self {
            literal_plus: caps.has(&Capability::LiteralPlus),
            // RFC 9051 section 4.3: IMAP4rev2 includes LITERAL-.
            literal_minus: caps.has(&Capability::LiteralMinus) || caps.has(&Capability::Imap4Rev2),
            utf8: false,
            binary: caps.has(&Capability::Binary),
        }
    }
}

/// The largest literal LITERAL- allows without synchronisation.
pub const LITERAL_MINUS_MAX: usize = 4096;

/// A piece of an encoded command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// Command text, ending with CRLF (the command's end, or a literal
    /// announcement).
    Line(Bytes),
    /// Literal data announced by the preceding line.
    Literal {
        /// The bytes (shared, never copied).
        data: Bytes,
        /// Synchronising: wait for the server's `+` before sending `data`.
        sync: bool,
    },
}

/// An encoded command: fragments to send in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoded {
    fragments: Vec<Fragment>,
}

impl Encoded {
    /// The fragments, in order.
    pub fn fragments(&self) -> &[Fragment] {
        &self.fragments
    }

    /// Consumes into the fragments.
    pub fn into_fragments(self) -> Vec<Fragment> {
        self.fragments
    }

    /// All bytes concatenated (as they would appear on the wire).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for f in &self.fragments {
            match f {
                Fragment::Line(b) | Fragment::Literal { data: b, .. } => out.extend_from_slice(b),
            }
        }
        out
    }

    /// Total length in bytes.
    pub fn len(&self) -> usize {
        self.fragments
            .iter()
            .map(|f| match f {
                Fragment::Line(b) | Fragment::Literal { data: b, .. } => b.len(),
            })
            .sum()
    }

    /// Whether nothing is encoded.
    pub fn is_empty(&self) -> bool {
        self.fragments.is_empty()
    }

    /// How many synchronising literals (server round trips) it needs.
    pub fn sync_literals(&self) -> usize {
        self.fragments.iter().filter(|f| matches!(f, Fragment::Literal { sync: true, .. })).count()
    }
}

/// Encodes a command with its tag.
///
/// Fails, without side effects, when an argument cannot be sent (a NUL
/// byte, an invalid atom, an empty sequence set...).
pub fn encode_command(tag: &Tag, cmd: &Command, ctx: &EncodeContext) -> Result<Encoded, EncodeError> {
    let mut w = Writer::new(ctx);
    w.raw(tag.as_bytes());
    w.sp();
    w.command(cmd)?;
    Ok(w.finish())
}

/// Encodes the continuation line of an AUTHENTICATE exchange: base64 of
/// `data`, or `*` to cancel.
pub fn encode_sasl_response(data: Option<&[u8]>) -> Bytes {
    let mut line = match data {
        Some(d) => base64::engine::general_purpose::STANDARD.encode(d).into_bytes(),
        None => b"*".to_vec(),
    };
    line.extend_from_slice(b"\r\n");
    Bytes::from(line)
}

pub(crate) struct Writer<'a> {
    ctx: &'a EncodeContext,
    line: Vec<u8>,
    fragments: Vec<Fragment>,
    /// Render literals inline as quoted text (for Display only).
    preview: bool,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(ctx: &'a EncodeContext) -> Self {
        Self { ctx, line: Vec::with_capacity(64), fragments: Vec::new(), preview: false }
    }

    pub(crate) fn finish(mut self) -> Encoded {
        self.line.extend_from_slice(b"\r\n");
        self.fragments.push(Fragment::Line(Bytes::from(self.line)));
        Encoded { fragments: self.fragments }
    }

    fn raw(&mut self, b: &[u8]) {
        self.line.extend_from_slice(b);
    }

    fn sp(&mut self) {
        self.line.push(b' ');
    }

    fn number(&mut self, n: u64) {
        let mut buf = itoa_buf(n);
        self.line.extend_from_slice(buf.as_slice());
        buf.clear();
    }

    /// An atom; refused if any byte is not an ATOM-CHAR.
    fn atom(&mut self, what: &'static str, value: &[u8]) -> Result<(), EncodeError> {
        if value.is_empty() {
            return Err(EncodeError::Empty { what });
        }
        if !StringKind::is_atom(value) {
            return Err(EncodeError::NotAnAtom { what, value: String::from_utf8_lossy(value).into_owned() });
        }
        self.raw(value);
        Ok(())
    }

    /// astring: atom when possible, else quoted or literal.
    fn astring(&mut self, what: &'static str, value: &[u8]) -> Result<(), EncodeError> {
        match StringKind::for_astring(value, self.ctx.utf8) {
            StringKind::Atom => {
                self.raw(value);
                Ok(())
            }
            _ => self.string(what, value),
        }
    }

    /// string: quoted when possible, else literal. Never an atom.
    fn string(&mut self, what: &'static str, value: &[u8]) -> Result<(), EncodeError> {
        if StringKind::needs_literal8(value) {
            return Err(EncodeError::Nul { what });
        }
        if self.preview || StringKind::for_string(value, self.ctx.utf8) == StringKind::Quoted {
            self.quoted(value);
        } else {
            self.literal(Bytes::copy_from_slice(value), false);
        }
        Ok(())
    }

    fn quoted(&mut self, value: &[u8]) {
        self.line.reserve(value.len() + 2);
        self.line.push(b'"');
        for &c in value {
            if c == b'"' || c == b'\\' {
                self.line.push(b'\\');
            }
            self.line.push(c);
        }
        self.line.push(b'"');
    }

    fn nstring(&mut self, what: &'static str, value: Option<&[u8]>) -> Result<(), EncodeError> {
        match value {
            Some(v) => self.string(what, v),
            None => {
                self.raw(b"NIL");
                Ok(())
            }
        }
    }

    /// A literal announcement and its data. `binary` uses literal8 (`~{N}`).
    fn literal(&mut self, data: Bytes, binary: bool) {
        if self.preview {
            self.quoted(&data);
            return;
        }
        let sync = !(self.ctx.literal_plus || (self.ctx.literal_minus && data.len() <= LITERAL_MINUS_MAX));
        if binary {
            self.line.push(b'~');
        }
        self.line.push(b'{');
        self.number(data.len() as u64);
        if !sync {
            self.line.push(b'+');
        }
        self.raw(b"}\r\n");
        let line = std::mem::take(&mut self.line);
        self.fragments.push(Fragment::Line(Bytes::from(line)));
        self.fragments.push(Fragment::Literal { data, sync });
    }

    fn mailbox(&mut self, mailbox: &Mailbox) -> Result<(), EncodeError> {
        let bytes = mailbox.wire_bytes(self.ctx.utf8);
        if bytes.eq_ignore_ascii_case(b"INBOX") {
            self.raw(b"INBOX");
            return Ok(());
        }
        self.astring("mailbox name", bytes)
    }

    fn optional_mailbox(&mut self, mailbox: Option<&Mailbox>) -> Result<(), EncodeError> {
        match mailbox {
            Some(m) => self.mailbox(m),
            None => {
                self.raw(b"\"\"");
                Ok(())
            }
        }
    }

    /// list-mailbox: 1*list-char / string, with modified UTF-7 applied.
    fn list_pattern(&mut self, what: &'static str, pattern: &ByteStr) -> Result<(), EncodeError> {
        let encoded;
        let bytes: &[u8] = match (self.ctx.utf8, pattern.to_str()) {
            (false, Some(text)) if !text.is_ascii() || text.contains('&') => {
                encoded = crate::types::encode_utf7(text);
                encoded.as_bytes()
            }
            _ => pattern.as_bytes(),
        };
        if !bytes.is_empty() && bytes.iter().all(|&c| is_list_char(c)) && !is_nil(bytes) {
            self.raw(bytes);
            Ok(())
        } else {
            self.string(what, bytes)
        }
    }

    fn sequence_set(&mut self, set: &SequenceSet) -> Result<(), EncodeError> {
        if set.is_empty() {
            return Err(EncodeError::Empty { what: "sequence set" });
        }
        self.raw(set.to_string().as_bytes());
        Ok(())
    }

    fn flag(&mut self, flag: &Flag) -> Result<(), EncodeError> {
        match flag {
            Flag::Keyword(k) => self.atom("keyword", k),
            Flag::Extension(e) => {
                self.raw(b"\\");
                self.atom("flag", e)
            }
            Flag::MayCreate | Flag::Recent => Err(EncodeError::Invalid {
                what: "flag",
                reason: "\\* and \\Recent are set by the server only",
            }),
            other => {
                self.raw(&other.as_wire());
                Ok(())
            }
        }
    }

    /// A Gmail label: a system label (`\Inbox`, `\Important`) as the
    /// flag-like atom Gmail shows in FETCH, any other as a mailbox name.
    fn gmail_label(&mut self, label: &Mailbox) -> Result<(), EncodeError> {
        match label.as_str().strip_prefix('\\') {
            Some(system) if StringKind::is_atom(system.as_bytes()) => {
                self.raw(b"\\");
                self.raw(system.as_bytes());
                Ok(())
            }
            _ => self.mailbox(label),
        }
    }

    fn flag_list(&mut self, flags: &[Flag]) -> Result<(), EncodeError> {
        self.raw(b"(");
        for (i, f) in flags.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            self.flag(f)?;
        }
        self.raw(b")");
        Ok(())
    }

    fn uid_prefix(&mut self, uid: bool) {
        if uid {
            self.raw(b"UID ");
        }
    }

    fn command(&mut self, cmd: &Command) -> Result<(), EncodeError> {
        match cmd {
            Command::Capability
            | Command::Noop
            | Command::Logout
            | Command::StartTls
            | Command::Namespace
            | Command::Idle
            | Command::Check
            | Command::Close
            | Command::Unselect
            | Command::Expunge => self.raw(cmd.name().as_bytes()),
            Command::Compress => self.raw(b"COMPRESS DEFLATE"),
            Command::Id(params) => {
                self.raw(b"ID ");
                match params {
                    // Some servers reject "ID ()": send NIL for an empty list.
                    None => self.raw(b"NIL"),
                    Some(p) if p.is_empty() => self.raw(b"NIL"),
                    Some(p) => {
                        self.raw(b"(");
                        for (i, (k, v)) in p.iter().enumerate() {
                            if i > 0 {
                                self.sp();
                            }
                            self.string("ID field name", k)?;
                            self.sp();
                            self.nstring("ID field value", v.as_deref())?;
                        }
                        self.raw(b")");
                    }
                }
            }
            Command::Login { username, password } => {
                self.raw(b"LOGIN ");
                self.astring("user name", username)?;
                self.sp();
                self.string("password", password.expose_secret())?;
            }
            Command::Authenticate { mechanism, initial_response } => {
                self.raw(b"AUTHENTICATE ");
                self.atom("SASL mechanism", mechanism)?;
                if let Some(ir) = initial_response {
                    self.sp();
                    let ir = ir.expose_secret();
                    if ir.is_empty() {
                        self.raw(b"="); // RFC 4959: empty initial response
                    } else {
                        let b64 = base64::engine::general_purpose::STANDARD.encode(ir);
                        self.raw(b64.as_bytes());
                    }
                }
            }
            Command::Enable(caps) => {
                self.raw(b"ENABLE");
                if caps.is_empty() {
                    return Err(EncodeError::Empty { what: "ENABLE capability list" });
                }
                for c in caps {
                    self.sp();
                    self.atom("capability", c.to_string().as_bytes())?;
                }
            }
            Command::Select { mailbox, modifiers } => {
                self.raw(b"SELECT ");
                self.mailbox(mailbox)?;
                self.select_modifiers(modifiers)?;
            }
            Command::Examine { mailbox, modifiers } => {
                self.raw(b"EXAMINE ");
                self.mailbox(mailbox)?;
                self.select_modifiers(modifiers)?;
            }
            Command::Create { mailbox, special_use } => {
                self.raw(b"CREATE ");
                self.mailbox(mailbox)?;
                if !special_use.is_empty() {
                    self.raw(b" (USE (");
                    for (i, s) in special_use.iter().enumerate() {
                        if i > 0 {
                            self.sp();
                        }
                        self.raw(special_use_name(*s));
                    }
                    self.raw(b"))");
                }
            }
            Command::Delete(m) => self.mailbox_command(b"DELETE ", m)?,
            Command::Subscribe(m) => self.mailbox_command(b"SUBSCRIBE ", m)?,
            Command::Unsubscribe(m) => self.mailbox_command(b"UNSUBSCRIBE ", m)?,
            Command::GetQuotaRoot(m) => self.mailbox_command(b"GETQUOTAROOT ", m)?,
            Command::GetAcl(m) => self.mailbox_command(b"GETACL ", m)?,
            Command::MyRights(m) => self.mailbox_command(b"MYRIGHTS ", m)?,
            Command::Rename { from, to } => {
                self.raw(b"RENAME ");
                self.mailbox(from)?;
                self.sp();
                self.mailbox(to)?;
            }
            Command::List(list) => self.list(list)?,
            Command::Lsub { reference, pattern } => {
                self.raw(b"LSUB ");
                self.list_pattern("reference", reference)?;
                self.sp();
                self.list_pattern("pattern", pattern)?;
            }
            Command::Status { mailbox, items } => {
                self.raw(b"STATUS ");
                self.mailbox(mailbox)?;
                self.sp();
                self.status_attrs(items)?;
            }
            Command::Append { mailbox, messages } => {
                self.raw(b"APPEND ");
                self.mailbox(mailbox)?;
                if messages.is_empty() {
                    return Err(EncodeError::Empty { what: "APPEND message list" });
                }
                for m in messages {
                    self.append_message(m)?;
                }
            }
            Command::UidExpunge(set) => {
                self.raw(b"UID EXPUNGE ");
                self.sequence_set(set)?;
            }
            Command::Search { uid, criteria, returns } => {
                self.uid_prefix(*uid);
                self.raw(b"SEARCH");
                if let Some(returns) = returns {
                    self.raw(b" RETURN (");
                    for (i, r) in returns.iter().enumerate() {
                        if i > 0 {
                            self.sp();
                        }
                        self.raw(search_return_name(*r));
                    }
                    self.raw(b")");
                }
                if criteria.needs_utf8() && !self.ctx.utf8 {
                    self.raw(b" CHARSET UTF-8");
                }
                self.sp();
                self.search_key(criteria, false)?;
            }
            Command::Fetch { uid, set, attrs, changed_since, vanished } => {
                self.uid_prefix(*uid);
                self.raw(b"FETCH ");
                self.sequence_set(set)?;
                self.sp();
                self.fetch_attrs(attrs)?;
                if changed_since.is_some() || *vanished {
                    let Some(modseq) = changed_since else {
                        return Err(EncodeError::Invalid {
                            what: "FETCH VANISHED",
                            reason: "VANISHED needs CHANGEDSINCE (RFC 7162 3.2.6)",
                        });
                    };
                    if *vanished && !uid {
                        return Err(EncodeError::Invalid {
                            what: "FETCH VANISHED",
                            reason: "VANISHED is only allowed with UID FETCH",
                        });
                    }
                    self.raw(b" (CHANGEDSINCE ");
                    self.number(*modseq);
                    if *vanished {
                        self.raw(b" VANISHED");
                    }
                    self.raw(b")");
                }
            }
            Command::Store { uid, set, mode, silent, flags, unchanged_since } => {
                self.uid_prefix(*uid);
                self.raw(b"STORE ");
                self.sequence_set(set)?;
                if let Some(m) = unchanged_since {
                    self.raw(b" (UNCHANGEDSINCE ");
                    self.number(*m);
                    self.raw(b")");
                }
                self.raw(match mode {
                    StoreMode::Replace => b" FLAGS",
                    StoreMode::Add => b" +FLAGS",
                    StoreMode::Remove => b" -FLAGS",
                });
                if *silent {
                    self.raw(b".SILENT");
                }
                self.sp();
                self.flag_list(flags)?;
            }
            Command::StoreGmailLabels { uid, set, mode, silent, labels } => {
                self.uid_prefix(*uid);
                self.raw(b"STORE ");
                self.sequence_set(set)?;
                self.raw(match mode {
                    StoreMode::Replace => b" X-GM-LABELS",
                    StoreMode::Add => b" +X-GM-LABELS",
                    StoreMode::Remove => b" -X-GM-LABELS",
                });
                if *silent {
                    self.raw(b".SILENT");
                }
                self.raw(b" (");
                for (i, label) in labels.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.gmail_label(label)?;
                }
                self.raw(b")");
            }
            Command::Copy { uid, set, mailbox } => {
                self.uid_prefix(*uid);
                self.raw(b"COPY ");
                self.sequence_set(set)?;
                self.sp();
                self.mailbox(mailbox)?;
            }
            Command::Move { uid, set, mailbox } => {
                self.uid_prefix(*uid);
                self.raw(b"MOVE ");
                self.sequence_set(set)?;
                self.sp();
                self.mailbox(mailbox)?;
            }
            Command::Sort { uid, criteria, search } => {
                self.uid_prefix(*uid);
                self.raw(b"SORT (");
                if criteria.is_empty() {
                    return Err(EncodeError::Empty { what: "SORT criteria" });
                }
                for (i, c) in criteria.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    if c.reverse {
                        self.raw(b"REVERSE ");
                    }
                    self.raw(sort_key_name(c.key));
                }
                self.raw(b") UTF-8 ");
                self.search_key(search, false)?;
            }
            Command::Thread { uid, algorithm, search } => {
                self.uid_prefix(*uid);
                self.raw(b"THREAD ");
                match algorithm {
                    ThreadAlgorithm::OrderedSubject => self.raw(b"ORDEREDSUBJECT"),
                    ThreadAlgorithm::References => self.raw(b"REFERENCES"),
                    ThreadAlgorithm::Other(a) => self.atom("THREAD algorithm", a)?,
                }
                self.raw(b" UTF-8 ");
                self.search_key(search, false)?;
            }
            Command::GetQuota(root) => {
                self.raw(b"GETQUOTA ");
                self.astring("quota root", root)?;
            }
            Command::SetQuota { root, limits } => {
                self.raw(b"SETQUOTA ");
                self.astring("quota root", root)?;
                self.raw(b" (");
                for (i, (name, limit)) in limits.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.atom("quota resource", name)?;
                    self.sp();
                    self.number(*limit);
                }
                self.raw(b")");
            }
            Command::SetAcl { mailbox, identifier, rights } => {
                self.raw(b"SETACL ");
                self.mailbox(mailbox)?;
                self.sp();
                self.astring("ACL identifier", identifier)?;
                self.sp();
                self.astring("ACL rights", rights)?;
            }
            Command::DeleteAcl { mailbox, identifier } => {
                self.raw(b"DELETEACL ");
                self.mailbox(mailbox)?;
                self.sp();
                self.astring("ACL identifier", identifier)?;
            }
            Command::ListRights { mailbox, identifier } => {
                self.raw(b"LISTRIGHTS ");
                self.mailbox(mailbox)?;
                self.sp();
                self.astring("ACL identifier", identifier)?;
            }
            Command::GetMetadata { mailbox, entries, max_size, depth } => {
                self.raw(b"GETMETADATA ");
                let mut options: Vec<Vec<u8>> = Vec::new();
                if let Some(n) = max_size {
                    options.push(format!("MAXSIZE {n}").into_bytes());
                }
                match depth {
                    MetadataDepth::Zero => {}
                    MetadataDepth::One => options.push(b"DEPTH 1".to_vec()),
                    MetadataDepth::Infinity => options.push(b"DEPTH infinity".to_vec()),
                }
                if !options.is_empty() {
                    self.raw(b"(");
                    self.raw(&options.join(&b' '));
                    self.raw(b") ");
                }
                self.optional_mailbox(mailbox.as_ref())?;
                self.sp();
                if entries.is_empty() {
                    return Err(EncodeError::Empty { what: "GETMETADATA entry list" });
                }
                self.raw(b"(");
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.astring("metadata entry", e)?;
                }
                self.raw(b")");
            }
            Command::SetMetadata { mailbox, entries } => {
                self.raw(b"SETMETADATA ");
                self.optional_mailbox(mailbox.as_ref())?;
                self.raw(b" (");
                for (i, (name, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.astring("metadata entry", name)?;
                    self.sp();
                    match value {
                        None => self.raw(b"NIL"),
                        Some(v) if v.contains(&0) => {
                            if !self.ctx.binary {
                                return Err(EncodeError::Nul { what: "metadata value" });
                            }
                            self.literal(v.clone(), true);
                        }
                        Some(v) => self.string("metadata value", v)?,
                    }
                }
                self.raw(b")");
            }
            Command::GetAnnotation { mailbox, entries, attributes } => {
                self.raw(b"GETANNOTATION ");
                self.mailbox(mailbox)?;
                self.sp();
                self.string_or_list("annotation entry", entries)?;
                self.sp();
                self.string_or_list("annotation attribute", attributes)?;
            }
            Command::SetAnnotation { mailbox, entry, attributes } => {
                self.raw(b"SETANNOTATION ");
                self.mailbox(mailbox)?;
                self.sp();
                self.string("annotation entry", entry)?;
                self.raw(b" (");
                for (i, (attr, value)) in attributes.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.string("annotation attribute", attr)?;
                    self.sp();
                    self.nstring("annotation value", value.as_deref())?;
                }
                self.raw(b")");
            }
            Command::ProxyAuth(user) => {
                self.raw(b"PROXYAUTH ");
                self.astring("user name", user)?;
            }
            Command::Raw { name, args } => {
                self.atom("command name", name)?;
                for a in args {
                    self.sp();
                    self.raw_arg(a)?;
                }
            }
        }
        Ok(())
    }

    fn mailbox_command(&mut self, name: &[u8], mailbox: &Mailbox) -> Result<(), EncodeError> {
        self.raw(name);
        self.mailbox(mailbox)
    }

    fn string_or_list(&mut self, what: &'static str, items: &[ByteStr]) -> Result<(), EncodeError> {
        match items {
            [] => Err(EncodeError::Empty { what }),
            [one] => self.string(what, one),
            many => {
                self.raw(b"(");
                for (i, s) in many.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.string(what, s)?;
                }
                self.raw(b")");
                Ok(())
            }
        }
    }

    fn select_modifiers(&mut self, m: &SelectModifiers) -> Result<(), EncodeError> {
        if let Some(q) = &m.qresync {
            self.raw(b" (QRESYNC (");
            self.number(u64::from(q.uid_validity));
            self.sp();
            self.number(q.modseq);
            if let Some(known) = &q.known_uids {
                self.sp();
                self.sequence_set(known)?;
            }
            if let Some((seqs, uids)) = &q.seq_match {
                if q.known_uids.is_none() {
                    return Err(EncodeError::Invalid {
                        what: "QRESYNC parameter",
                        reason: "sequence match data needs known UIDs",
                    });
                }
                self.raw(b" (");
                self.sequence_set(seqs)?;
                self.sp();
                self.sequence_set(uids)?;
                self.raw(b")");
            }
            self.raw(b"))");
        } else if m.condstore {
            self.raw(b" (CONDSTORE)");
        }
        Ok(())
    }

    fn list(&mut self, list: &ListCommand) -> Result<(), EncodeError> {
        self.raw(b"LIST ");
        if !list.select.is_empty() {
            self.raw(b"(");
            for (i, s) in list.select.iter().enumerate() {
                if i > 0 {
                    self.sp();
                }
                self.raw(match s {
                    ListSelect::Subscribed => b"SUBSCRIBED" as &[u8],
                    ListSelect::Remote => b"REMOTE",
                    ListSelect::RecursiveMatch => b"RECURSIVEMATCH",
                    ListSelect::SpecialUse => b"SPECIAL-USE",
                });
            }
            self.raw(b") ");
        }
        self.list_pattern("reference", &list.reference)?;
        self.sp();
        match list.patterns.as_slice() {
            [] => return Err(EncodeError::Empty { what: "LIST pattern list" }),
            [one] => self.list_pattern("pattern", one)?,
            many => {
                self.raw(b"(");
                for (i, p) in many.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.list_pattern("pattern", p)?;
                }
                self.raw(b")");
            }
        }
        if !list.returns.is_empty() {
            self.raw(b" RETURN (");
            for (i, r) in list.returns.iter().enumerate() {
                if i > 0 {
                    self.sp();
                }
                match r {
                    ListReturn::Subscribed => self.raw(b"SUBSCRIBED"),
                    ListReturn::Children => self.raw(b"CHILDREN"),
                    ListReturn::SpecialUse => self.raw(b"SPECIAL-USE"),
                    ListReturn::Status(items) => {
                        self.raw(b"STATUS ");
                        self.status_attrs(items)?;
                    }
                }
            }
            self.raw(b")");
        }
        Ok(())
    }

    fn status_attrs(&mut self, items: &[StatusAttr]) -> Result<(), EncodeError> {
        if items.is_empty() {
            return Err(EncodeError::Empty { what: "STATUS item list" });
        }
        self.raw(b"(");
        for (i, a) in items.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            self.raw(a.as_str().as_bytes());
        }
        self.raw(b")");
        Ok(())
    }

    fn append_message(&mut self, m: &AppendMessage) -> Result<(), EncodeError> {
        if !m.flags.is_empty() {
            self.sp();
            self.flag_list(&m.flags)?;
        }
        if let Some(date) = &m.date {
            self.raw(b" \"");
            self.raw(date.to_string().as_bytes());
            self.raw(b"\"");
        }
        self.sp();
        let binary = m.data.contains(&0);
        if binary && !self.ctx.binary {
            return Err(EncodeError::Nul { what: "APPEND message (the server lacks BINARY)" });
        }
        self.literal(m.data.clone(), binary);
        Ok(())
    }

    fn fetch_attrs(&mut self, attrs: &[FetchAttr]) -> Result<(), EncodeError> {
        match attrs {
            [] => Err(EncodeError::Empty { what: "FETCH item list" }),
            [single] if single.is_macro() => self.fetch_attr(single),
            many => {
                if many.iter().any(FetchAttr::is_macro) {
                    return Err(EncodeError::Invalid {
                        what: "FETCH item list",
                        reason: "ALL, FAST and FULL must stand alone",
                    });
                }
                self.raw(b"(");
                for (i, a) in many.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.fetch_attr(a)?;
                }
                self.raw(b")");
                Ok(())
            }
        }
    }

    fn fetch_attr(&mut self, a: &FetchAttr) -> Result<(), EncodeError> {
        let name: &[u8] = match a {
            FetchAttr::All => b"ALL",
            FetchAttr::Fast => b"FAST",
            FetchAttr::Full => b"FULL",
            FetchAttr::Envelope => b"ENVELOPE",
            FetchAttr::Flags => b"FLAGS",
            FetchAttr::InternalDate => b"INTERNALDATE",
            FetchAttr::Rfc822 => b"RFC822",
            FetchAttr::Rfc822Header => b"RFC822.HEADER",
            FetchAttr::Rfc822Size => b"RFC822.SIZE",
            FetchAttr::Rfc822Text => b"RFC822.TEXT",
            FetchAttr::Uid => b"UID",
            FetchAttr::Body => b"BODY",
            FetchAttr::BodyStructure => b"BODYSTRUCTURE",
            FetchAttr::ModSeq => b"MODSEQ",
            FetchAttr::EmailId => b"EMAILID",
            FetchAttr::ThreadId => b"THREADID",
            FetchAttr::SaveDate => b"SAVEDATE",
            FetchAttr::Preview => b"PREVIEW",
            FetchAttr::GmMsgId => b"X-GM-MSGID",
            FetchAttr::GmThrId => b"X-GM-THRID",
            FetchAttr::GmLabels => b"X-GM-LABELS",
            FetchAttr::Other(name) => return self.atom("FETCH item", name),
            FetchAttr::BodySection { section, partial, peek } => {
                self.raw(if *peek { b"BODY.PEEK[" } else { b"BODY[" });
                self.section(section)?;
                self.raw(b"]");
                self.partial(*partial);
                return Ok(());
            }
            FetchAttr::Binary { part, partial, peek } => {
                self.raw(if *peek { b"BINARY.PEEK[" } else { b"BINARY[" });
                self.part_number(part);
                self.raw(b"]");
                self.partial(*partial);
                return Ok(());
            }
            FetchAttr::BinarySize { part } => {
                self.raw(b"BINARY.SIZE[");
                self.part_number(part);
                self.raw(b"]");
                return Ok(());
            }
        };
        self.raw(name);
        Ok(())
    }

    fn partial(&mut self, partial: Option<(u32, u32)>) {
        if let Some((offset, len)) = partial {
            self.raw(b"<");
            self.number(u64::from(offset));
            self.raw(b".");
            self.number(u64::from(len));
            self.raw(b">");
        }
    }

    fn part_number(&mut self, part: &[u32]) {
        for (i, p) in part.iter().enumerate() {
            if i > 0 {
                self.raw(b".");
            }
            self.number(u64::from(*p));
        }
    }

    fn section(&mut self, section: &Section) -> Result<(), EncodeError> {
        if section.part.contains(&0) {
            return Err(EncodeError::Invalid { what: "section part", reason: "part numbers start at 1" });
        }
        self.part_number(&section.part);
        let Some(text) = &section.text else { return Ok(()) };
        if !section.part.is_empty() {
            self.raw(b".");
        }
        let fields = |w: &mut Self, name: &[u8], list: &[ByteStr]| {
            if list.is_empty() {
                return Err(EncodeError::Empty { what: "header field list" });
            }
            w.raw(name);
            w.raw(b" (");
            for (i, h) in list.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.astring("header field name", h)?;
            }
            w.raw(b")");
            Ok(())
        };
        match text {
            SectionText::Header => self.raw(b"HEADER"),
            SectionText::HeaderFields(l) => fields(self, b"HEADER.FIELDS", l)?,
            SectionText::HeaderFieldsNot(l) => fields(self, b"HEADER.FIELDS.NOT", l)?,
            SectionText::Text => self.raw(b"TEXT"),
            SectionText::Mime => {
                if section.part.is_empty() {
                    return Err(EncodeError::Invalid { what: "section", reason: "MIME needs a part number" });
                }
                self.raw(b"MIME")
            }
        }
        Ok(())
    }

    fn date(&mut self, name: &[u8], date: &crate::types::Date) {
        self.raw(name);
        self.sp();
        self.raw(date.to_string().as_bytes());
    }

    /// Writes a search key. `single` requires one search-key (a nested
    /// conjunction gets parentheses); otherwise keys are space separated.
    pub(crate) fn search_key(&mut self, key: &SearchKey, single: bool) -> Result<(), EncodeError> {
        macro_rules! text {
            ($name:expr, $s:expr) => {{
                self.raw($name);
                self.sp();
                self.astring("search string", $s)?;
            }};
        }
        match key {
            SearchKey::All => self.raw(b"ALL"),
            SearchKey::Answered => self.raw(b"ANSWERED"),
            SearchKey::Deleted => self.raw(b"DELETED"),
            SearchKey::Draft => self.raw(b"DRAFT"),
            SearchKey::Flagged => self.raw(b"FLAGGED"),
            SearchKey::New => self.raw(b"NEW"),
            SearchKey::Old => self.raw(b"OLD"),
            SearchKey::Recent => self.raw(b"RECENT"),
            SearchKey::Seen => self.raw(b"SEEN"),
            SearchKey::Unanswered => self.raw(b"UNANSWERED"),
            SearchKey::Undeleted => self.raw(b"UNDELETED"),
            SearchKey::Undraft => self.raw(b"UNDRAFT"),
            SearchKey::Unflagged => self.raw(b"UNFLAGGED"),
            SearchKey::Unseen => self.raw(b"UNSEEN"),
            SearchKey::SaveDateSupported => self.raw(b"SAVEDATESUPPORTED"),
            SearchKey::SavedResult => self.raw(b"$"),
            SearchKey::Bcc(s) => text!(b"BCC", s),
            SearchKey::Body(s) => text!(b"BODY", s),
            SearchKey::Cc(s) => text!(b"CC", s),
            SearchKey::From(s) => text!(b"FROM", s),
            SearchKey::Subject(s) => text!(b"SUBJECT", s),
            SearchKey::Text(s) => text!(b"TEXT", s),
            SearchKey::To(s) => text!(b"TO", s),
            SearchKey::EmailId(s) => text!(b"EMAILID", s),
            SearchKey::ThreadId(s) => text!(b"THREADID", s),
            SearchKey::GmLabels(s) => text!(b"X-GM-LABELS", s),
            SearchKey::GmRaw(s) => {
                self.raw(b"X-GM-RAW ");
                self.string("search string", s)?;
            }
            SearchKey::Header(name, value) => {
                self.raw(b"HEADER ");
                self.astring("header field name", name)?;
                self.sp();
                self.astring("search string", value)?;
            }
            SearchKey::Keyword(k) => {
                self.raw(b"KEYWORD ");
                self.atom("keyword", k)?;
            }
            SearchKey::Unkeyword(k) => {
                self.raw(b"UNKEYWORD ");
                self.atom("keyword", k)?;
            }
            SearchKey::Before(d) => self.date(b"BEFORE", d),
            SearchKey::On(d) => self.date(b"ON", d),
            SearchKey::Since(d) => self.date(b"SINCE", d),
            SearchKey::SentBefore(d) => self.date(b"SENTBEFORE", d),
            SearchKey::SentOn(d) => self.date(b"SENTON", d),
            SearchKey::SentSince(d) => self.date(b"SENTSINCE", d),
            SearchKey::SavedBefore(d) => self.date(b"SAVEDBEFORE", d),
            SearchKey::SavedOn(d) => self.date(b"SAVEDON", d),
            SearchKey::SavedSince(d) => self.date(b"SAVEDSINCE", d),
            SearchKey::Larger(n) => {
                self.raw(b"LARGER ");
                self.number(*n);
            }
            SearchKey::Smaller(n) => {
                self.raw(b"SMALLER ");
                self.number(*n);
            }
            SearchKey::ModSeq(n) => {
                self.raw(b"MODSEQ ");
                self.number(*n);
            }
            SearchKey::Older(n) => {
                self.raw(b"OLDER ");
                self.number(u64::from(*n));
            }
            SearchKey::Younger(n) => {
                self.raw(b"YOUNGER ");
                self.number(u64::from(*n));
            }
            SearchKey::GmMsgId(n) => {
                self.raw(b"X-GM-MSGID ");
                self.number(*n);
            }
            SearchKey::GmThrId(n) => {
                self.raw(b"X-GM-THRID ");
                self.number(*n);
            }
            SearchKey::Uid(set) => {
                self.raw(b"UID ");
                self.sequence_set(set)?;
            }
            SearchKey::SequenceSet(set) => self.sequence_set(set)?,
            SearchKey::Raw(text) => {
                if text.is_empty() {
                    return Err(EncodeError::Empty { what: "raw search criteria" });
                }
                if text.iter().any(|&c| c == b'\r' || c == b'\n' || c == 0) {
                    return Err(EncodeError::Invalid {
                        what: "raw search criteria",
                        reason: "CR, LF and NUL cannot be sent in a command line",
                    });
                }
                if single {
                    self.raw(b"(");
                }
                self.raw(text);
                if single {
                    self.raw(b")");
                }
            }
            SearchKey::Not(k) => {
                self.raw(b"NOT ");
                self.search_key(k, true)?;
            }
            SearchKey::Or(a, b) => {
                self.raw(b"OR ");
                self.search_key(a, true)?;
                self.sp();
                self.search_key(b, true)?;
            }
            SearchKey::And(keys) => match keys.as_slice() {
                [] => self.raw(b"ALL"),
                [one] => self.search_key(one, single)?,
                many => {
                    if single {
                        self.raw(b"(");
                    }
                    for (i, k) in many.iter().enumerate() {
                        if i > 0 {
                            self.sp();
                        }
                        self.search_key(k, false)?;
                    }
                    if single {
                        self.raw(b")");
                    }
                }
            },
        }
        Ok(())
    }

    fn raw_arg(&mut self, a: &RawArg) -> Result<(), EncodeError> {
        match a {
            RawArg::Atom(s) => self.atom("raw atom", s),
            RawArg::AString(s) => self.astring("raw argument", s),
            RawArg::String(s) => self.string("raw argument", s),
            RawArg::Literal(data) => {
                if data.contains(&0) {
                    if !self.ctx.binary {
                        return Err(EncodeError::Nul { what: "raw literal" });
                    }
                    self.literal(data.clone(), true);
                } else {
                    self.literal(data.clone(), false);
                }
                Ok(())
            }
            RawArg::Number(n) => {
                self.number(*n);
                Ok(())
            }
            RawArg::Nil => {
                self.raw(b"NIL");
                Ok(())
            }
            RawArg::Mailbox(m) => self.mailbox(m),
            RawArg::SequenceSet(s) => self.sequence_set(s),
            RawArg::List(items) => {
                self.raw(b"(");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.raw_arg(item)?;
                }
                self.raw(b")");
                Ok(())
            }
        }
    }
}

/// Renders a search key for `Display` (literals shown as quoted strings).
// Lives with the encoder (not with the type) so the types layer never
// reaches up into the wire layer.
impl std::fmt::Display for SearchKey {
    /// The criteria as they would be sent, with literals shown inline as
    /// quoted text (for logs and tests; the encoder is authoritative).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = Vec::new();
        write_search_key_preview(&mut out, self, true);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

fn write_search_key_preview(out: &mut Vec<u8>, key: &SearchKey, utf8: bool) {
    let ctx = EncodeContext { utf8, ..Default::default() };
    let mut w = Writer::new(&ctx);
    w.preview = true;
    if let Err(e) = w.search_key(key, false) {
        out.extend_from_slice(format!("<invalid: {e}>").as_bytes());
        return;
    }
    out.extend_from_slice(&w.line);
}

fn special_use_name(s: SpecialUse) -> &'static [u8] {
    s.as_str().as_bytes()
}

fn search_return_name(r: SearchReturn) -> &'static [u8] {
    match r {
        SearchReturn::Min => b"MIN",
        SearchReturn::Max => b"MAX",
        SearchReturn::All => b"ALL",
        SearchReturn::Count => b"COUNT",
        SearchReturn::Save => b"SAVE",
    }
}

fn sort_key_name(k: SortKey) -> &'static [u8] {
    match k {
        SortKey::Arrival => b"ARRIVAL",
        SortKey::Cc => b"CC",
        SortKey::Date => b"DATE",
        SortKey::From => b"FROM",
        SortKey::Size => b"SIZE",
        SortKey::Subject => b"SUBJECT",
        SortKey::To => b"TO",
        SortKey::DisplayFrom => b"DISPLAYFROM",
        SortKey::DisplayTo => b"DISPLAYTO",
    }
}

/// Decimal digits of a number without allocating a String.
struct DigitBuf {
    buf: [u8; 20],
    start: usize,
}

impl DigitBuf {
    fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn clear(&mut self) {
        self.start = self.buf.len();
    }
}

fn itoa_buf(mut n: u64) -> DigitBuf {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    DigitBuf { buf, start: i }
}

#[cfg(test)]
mod tests;
