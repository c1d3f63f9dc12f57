//! Top-level response grammar: status responses, response codes, and every
//! kind of untagged data except FETCH (see `fetch.rs`).

use bytes::Bytes;

use super::cursor::{Fail, PResult, Parser};
use crate::chars::is_tag_char;
use crate::config::ParseOptions;
use crate::error::{LimitError, LimitKind, ParseError, ResponseError};
use crate::types::{
    AclEntry, Annotation, ByteStr, Capabilities, Capability, Continue, Data, ESearch, Flag, ListAttribute,
    ListExtendedItem, ListItem, MetadataCode, MetadataEntry, Namespace, Namespaces, Quota, QuotaResource,
    Response, ResponseCode, Status, StatusItem, StatusKind, Tag, Thread,
};

pub(crate) fn parse(frame: &Bytes, opts: &ParseOptions, utf8: bool) -> Result<Response, ResponseError> {
    let mut p = Parser::new(frame, opts, utf8);
    p.response().map_err(|fail| to_error(fail, frame, opts))
}

fn to_error(fail: Fail, frame: &Bytes, opts: &ParseOptions) -> ResponseError {
    if fail.nesting {
        let head = frame.slice(..frame.len().min(128));
        return ResponseError::Limit(LimitError {
            kind: LimitKind::Nesting,
            limit: opts.limits.max_nesting as u64,
            size: opts.limits.max_nesting as u64 + 1,
            head,
        });
    }
    ResponseError::Parse(ParseError { offset: fail.pos, expected: fail.expected, raw: frame.clone() })
}

impl Parser<'_> {
    fn response(&mut self) -> PResult<Response> {
        let r = match self.peek() {
            Some(b'+') => Response::Continue(self.continuation()?),
            Some(b'*') => {
                self.pos += 1;
                self.sp()?;
                self.untagged()?
            }
            Some(b'[') if self.lenient.bare_response_codes => match self.rewinding(Self::tagged) {
                Ok(status) => Response::Status(status),
                Err(e) => match self.attempt(Self::bare_code)? {
                    Some(status) => Response::Status(status),
                    None => return Err(e),
                },
            },
            _ => Response::Status(self.tagged()?),
        };
        self.end()?;
        Ok(r)
    }

    /// A response code on a line of its own (Office 365, MailKit#115), read
    /// as the untagged OK it stands for.
    fn bare_code(&mut self) -> PResult<Status> {
        let code = self.resp_code()?;
        let text = if self.at_eol() {
            ByteStr::default()
        } else {
            self.expect(b' ', "SP after ]")?;
            self.text()?
        };
        Ok(Status { tag: None, kind: StatusKind::Ok, code: Some(code), text })
    }

    fn continuation(&mut self) -> PResult<Continue> {
        self.pos += 1;
        if !self.eat(b' ') {
            if self.lenient.missing_text && self.at_eol() {
                return Ok(Continue { code: None, text: ByteStr::default() });
            }
            return self.fail("SP after +");
        }
        let (code, text) = self.resp_text()?;
        Ok(Continue { code, text })
    }

    fn tagged(&mut self) -> PResult<Status> {
        let start = self.pos;
        while self.peek().is_some_and(is_tag_char) {
            self.pos += 1;
        }
        if self.pos == start {
            return self.fail("tag, * or +");
        }
        let tag = Tag::from_parsed(self.slice(start, self.pos));
        self.sp()?;
        let kind_pos = self.pos;
        let kind = match self.atom()? {
            a if a.eq_ignore_ascii_case(b"OK") => StatusKind::Ok,
            a if a.eq_ignore_ascii_case(b"NO") => StatusKind::No,
            a if a.eq_ignore_ascii_case(b"BAD") => StatusKind::Bad,
            a if self.lenient.tagged_bye && a.eq_ignore_ascii_case(b"BYE") => StatusKind::Bye,
            _ => {
                self.pos = kind_pos;
                return self.fail("OK, NO or BAD");
            }
        };
        let (code, text) = self.status_tail()?;
        Ok(Status { tag: Some(tag), kind, code, text })
    }

    /// `SP resp-text`, with the SP optional leniently when nothing follows.
    fn status_tail(&mut self) -> PResult<(Option<ResponseCode>, ByteStr)> {
        if !self.eat(b' ') {
            if self.lenient.missing_text && self.at_eol() {
                return Ok((None, ByteStr::default()));
            }
            return self.fail("SP");
        }
        self.resp_text()
    }

    /// `resp-text = ["[" resp-text-code "]" SP] [text]`
    fn resp_text(&mut self) -> PResult<(Option<ResponseCode>, ByteStr)> {
        let mut code = None;
        if self.peek() == Some(b'[') {
            let open = self.pos;
            code = Some(self.resp_code()?);
            if !self.eat(b' ') {
                if self.lenient.missing_text && self.at_eol() {
                    return Ok((code, ByteStr::default()));
                }
                if !self.lenient.response_codes {
                    return self.fail("SP after ]");
                }
                // A `]` inside quoted arguments closed the code too early
                // (`[X "a]b"] text`): read it again to its real end.
                let fail_at = self.pos;
                self.pos = open + 1;
                let (ns, ne) = self.atom_span()?;
                code = Some(self.quoted_code_body(ns, ne)?);
                self.expect(b']', "] closing response code")?;
                if !self.eat(b' ') {
                    if !(self.lenient.missing_text && self.at_eol()) {
                        self.pos = fail_at;
                        return self.fail("SP after ]");
                    }
                    return Ok((code, ByteStr::default()));
                }
            }
        }
        // Extra spaces are not skipped here: text may start with a space,
        // and leniency must not change what a valid response means.
        // RFC 9051: `resp-text = ["[" resp-text-code "]" SP] [text]`, and a
        // continuation's base64 may be empty: nothing after the SP is valid.
        let text = self.text()?;
        Ok((code, text))
    }

    fn resp_code(&mut self) -> PResult<ResponseCode> {
        self.expect(b'[', "[")?;
        let (ns, ne) = self.atom_span()?;
        let after_name = self.pos;
        match self.resp_code_body(ns, ne) {
            Ok(code) if self.eat(b']') => Ok(code),
            // A known code with arguments that do not parse, or an unknown
            // one whose arguments hold quoted text (Exchange's
            // `[Error="..." AuthResultFromPopImapEnd=0 Service=Imap4]`):
            // keep it raw rather than lose the whole response.
            _ if self.lenient.response_codes => {
                self.pos = after_name;
                let code = self.quoted_code_body(ns, ne)?;
                self.expect(b']', "] closing response code")?;
                Ok(code)
            }
            Err(e) => Err(e),
            Ok(_) => self.fail("] closing response code"),
        }
    }

    fn resp_code_body(&mut self, ns: usize, ne: usize) -> PResult<ResponseCode> {
        let name = &self.buf[ns..ne];
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let code = if is("ALERT") {
            ResponseCode::Alert
        } else if is("CAPABILITY") {
            ResponseCode::Capability(self.capability_list()?)
        } else if is("PERMANENTFLAGS") {
            self.sp()?;
            ResponseCode::PermanentFlags(self.flag_list_of(true)?)
        } else if is("UIDNEXT") {
            self.sp()?;
            ResponseCode::UidNext(self.nz_number()?)
        } else if is("UIDVALIDITY") {
            self.sp()?;
            ResponseCode::UidValidity(self.nz_number()?)
        } else if is("UNSEEN") {
            self.sp()?;
            ResponseCode::Unseen(self.nz_number()?)
        } else if is("HIGHESTMODSEQ") {
            self.sp()?;
            ResponseCode::HighestModSeq(self.number64()?)
        } else if is("APPENDUID") {
            self.sp()?;
            let uid_validity = self.nz_number()?;
            self.sp()?;
            ResponseCode::AppendUid { uid_validity, uids: self.sequence_set()? }
        } else if is("COPYUID") {
            self.sp()?;
            let uid_validity = self.nz_number()?;
            self.sp()?;
            let source = self.sequence_set()?;
            self.sp()?;
            ResponseCode::CopyUid { uid_validity, source, dest: self.sequence_set()? }
        } else if is("MODIFIED") {
            self.sp()?;
            ResponseCode::Modified(self.sequence_set()?)
        } else if is("BADCHARSET") {
            let mut list = Vec::new();
            if self.eat(b' ') {
                if self.eat(b'(') {
                    loop {
                        list.push(self.charset()?);
                        if !self.sp_before_item()? {
                            break;
                        }
                    }
                    self.expect(b')', ")")?;
                } else {
                    // RFC 9051 6.4.4.4's example: `[BADCHARSET UTF-8]`.
                    list.push(self.charset()?);
                }
            }
            ResponseCode::BadCharset(list)
        } else if is("METADATA") {
            self.sp()?;
            let which = self.atom()?;
            let w = |n: &str| which.eq_ignore_ascii_case(n.as_bytes());
            ResponseCode::Metadata(if w("LONGENTRIES") {
                self.sp()?;
                MetadataCode::LongEntries(self.number64()?)
            } else if w("MAXSIZE") {
                self.sp()?;
                MetadataCode::MaxSize(self.number64()?)
            } else if w("TOOMANY") {
                MetadataCode::TooMany
            } else if w("NOPRIVATE") {
                MetadataCode::NoPrivate
            } else {
                return self.fail("LONGENTRIES, MAXSIZE, TOOMANY or NOPRIVATE");
            })
        } else if is("MAILBOXID") {
            self.sp()?;
            self.expect(b'(', "(")?;
            let id = self.atom_str()?;
            self.expect(b')', ")")?;
            ResponseCode::MailboxId(id)
        } else {
            const SIMPLE: &[(&str, ResponseCode)] = &[
                ("PARSE", ResponseCode::Parse),
                ("READ-ONLY", ResponseCode::ReadOnly),
                ("READ-WRITE", ResponseCode::ReadWrite),
                ("TRYCREATE", ResponseCode::TryCreate),
                ("UIDNOTSTICKY", ResponseCode::UidNotSticky),
                ("NOMODSEQ", ResponseCode::NoModSeq),
                ("CLOSED", ResponseCode::Closed),
                ("COMPRESSIONACTIVE", ResponseCode::CompressionActive),
                ("UNAVAILABLE", ResponseCode::Unavailable),
                ("AUTHENTICATIONFAILED", ResponseCode::AuthenticationFailed),
                ("AUTHORIZATIONFAILED", ResponseCode::AuthorizationFailed),
                ("EXPIRED", ResponseCode::Expired),
                ("PRIVACYREQUIRED", ResponseCode::PrivacyRequired),
                ("CONTACTADMIN", ResponseCode::ContactAdmin),
                ("NOPERM", ResponseCode::NoPerm),
                ("INUSE", ResponseCode::InUse),
                ("EXPUNGEISSUED", ResponseCode::ExpungeIssued),
                ("CORRUPTION", ResponseCode::Corruption),
                ("SERVERBUG", ResponseCode::ServerBug),
                ("CLIENTBUG", ResponseCode::ClientBug),
                ("CANNOT", ResponseCode::Cannot),
                ("LIMIT", ResponseCode::Limit),
                ("OVERQUOTA", ResponseCode::OverQuota),
                ("ALREADYEXISTS", ResponseCode::AlreadyExists),
                ("NONEXISTENT", ResponseCode::NonExistent),
                ("TOOBIG", ResponseCode::TooBig),
                ("NOTSAVED", ResponseCode::NotSaved),
                ("HASCHILDREN", ResponseCode::HasChildren),
                ("UNKNOWN-CTE", ResponseCode::UnknownCte),
                ("UIDREQUIRED", ResponseCode::UidRequired),
            ];
            match SIMPLE.iter().find(|(n, _)| is(n)) {
                Some((_, code)) => code.clone(),
                None => return self.generic_code_body(ns, ne),
            }
        };
        Ok(code)
    }

    /// `charset = atom / quoted` (RFC 9051); RFC 3501 allows any astring,
    /// so a literal too.
    fn charset(&mut self) -> PResult<ByteStr> {
        if self.peek() == Some(b'"') || self.at_literal() {
            return Ok(ByteStr::from_bytes(self.string()?));
        }
        self.atom_str()
    }

    /// An unknown code: positioned after its name; leaves `]` unconsumed.
    fn generic_code_body(&mut self, ns: usize, ne: usize) -> PResult<ResponseCode> {
        let name = ByteStr::from_bytes(self.slice(ns, ne));
        let data = if self.eat(b' ') {
            let start = self.pos;
            let rest = &self.buf[start..];
            let Some(end) = memchr::memchr3(b']', b'\r', b'\n', rest) else {
                return self.fail("]");
            };
            self.pos = start + end;
            Some(ByteStr::from_bytes(self.slice(start, start + end)))
        } else {
            None
        };
        Ok(ResponseCode::Other { name, data })
    }

    /// A code kept raw, leniently: positioned after its name; everything up
    /// to the `]` that closes the code, where a `]` inside a quoted string
    /// does not count; leaves `]` unconsumed.
    fn quoted_code_body(&mut self, ns: usize, ne: usize) -> PResult<ResponseCode> {
        let name = ByteStr::from_bytes(self.slice(ns, ne));
        // One SP separates name and arguments; Exchange sends none before a
        // quote (`Error="..."`), where the arguments start at once.
        self.eat(b' ');
        let start = self.pos;
        let mut quoted = false;
        let mut i = start;
        loop {
            match self.buf.get(i) {
                None | Some(b'\r' | b'\n') => {
                    self.pos = i;
                    return self.fail("] closing response code");
                }
                Some(b']') if !quoted => break,
                Some(b'"') => quoted = !quoted,
                // An escape takes the next byte, unless that ends the line.
                Some(b'\\') if quoted && !matches!(self.buf.get(i + 1), None | Some(b'\r' | b'\n')) => i += 1,
                Some(_) => {}
            }
            i += 1;
        }
        self.pos = i;
        let data = (i > start).then(|| ByteStr::from_bytes(self.slice(start, i)));
        Ok(ResponseCode::Other { name, data })
    }

    /// `*(SP capability)`, for CAPABILITY, ENABLED and the code.
    fn capability_list(&mut self) -> PResult<Capabilities> {
        let mut caps = Capabilities::new();
        while self.sp_before_item()? {
            if self.lenient.extra_spaces && self.peek() == Some(b']') {
                break;
            }
            caps.insert(Capability::from_bytes(self.atom_str()?));
        }
        Ok(caps)
    }

    /// `flag-list = "(" [flag *(SP flag)] ")"` (FLAGS data and FETCH FLAGS,
    /// where `\*` is accepted only leniently).
    pub(crate) fn flag_list(&mut self) -> PResult<Vec<Flag>> {
        self.flag_list_of(false)
    }

    /// A flag list; `perm` for PERMANENTFLAGS, where `\*` belongs (flag-perm).
    fn flag_list_of(&mut self, perm: bool) -> PResult<Vec<Flag>> {
        self.expect(b'(', "( opening flag list")?;
        self.lenient_spaces();
        if self.eat(b')') {
            return Ok(Vec::new());
        }
        // What the first push would allocate, without the growth path.
        let mut flags = Vec::with_capacity(4);
        loop {
            flags.push(self.flag(perm)?);
            if !self.sp_before_item()? {
                break;
            }
        }
        self.lenient_spaces();
        self.expect(b')', ") closing flag list")?;
        Ok(flags)
    }

    fn flag(&mut self, perm: bool) -> PResult<Flag> {
        let start = self.pos;
        self.eat(b'\\');
        let lenient = self.lenient.flags;
        let eight_bit = self.lenient.eight_bit;
        if self.eat(b'*') {
            if start + 1 != self.pos - 1 || !(perm || lenient) {
                self.pos = start;
                return self.fail("flag");
            }
        } else {
            while let Some(c) = self.peek() {
                let ok = crate::chars::is_atom_char(c)
                    || (eight_bit && c >= 0x80)
                    || (lenient && (c == b']' || c == b'*' || c == b'%' || c == b'\\'));
                if !ok {
                    break;
                }
                self.pos += 1;
            }
        }
        let raw = &self.buf[start..self.pos];
        if raw.is_empty() || raw == b"\\" {
            return self.fail("flag");
        }
        // `\Seen` and the like hold no bytes: no slice (a reference count
        // up and down) for them.
        if let Some(flag) = Flag::system(raw) {
            return Ok(flag);
        }
        Ok(Flag::from_bytes(ByteStr::from_bytes(self.slice(start, self.pos))))
    }

    fn untagged(&mut self) -> PResult<Response> {
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return self.numbered().map(Response::Data);
        }
        let name_start = self.pos;
        let (ns, ne) = self.atom_span()?;
        let name = &self.buf[ns..ne];
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let status = |k| Some(k);
        let kind = if is("OK") {
            status(StatusKind::Ok)
        } else if is("NO") {
            status(StatusKind::No)
        } else if is("BAD") {
            status(StatusKind::Bad)
        } else if is("PREAUTH") {
            status(StatusKind::PreAuth)
        } else if is("BYE") {
            status(StatusKind::Bye)
        } else {
            None
        };
        if let Some(kind) = kind {
            let (code, text) = self.status_tail()?;
            return Ok(Response::Status(Status { tag: None, kind, code, text }));
        }
        let data = if is("CAPABILITY") {
            Data::Capability(self.capability_list()?)
        } else if is("ENABLED") {
            Data::Enabled(self.capability_list()?)
        } else if is("FLAGS") {
            self.sp()?;
            Data::Flags(self.flag_list()?)
        } else if is("LIST") || is("XLIST") {
            self.sp()?;
            Data::List(self.list_item()?)
        } else if is("LSUB") {
            self.sp()?;
            Data::Lsub(self.list_item()?)
        } else if is("STATUS") {
            self.sp()?;
            self.status_data()?
        } else if is("SEARCH") {
            let (ids, modseq) = self.number_list()?;
            Data::Search { ids, modseq }
        } else if is("SORT") {
            let (ids, modseq) = self.number_list()?;
            Data::Sort { ids, modseq }
        } else if is("ESEARCH") {
            Data::ESearch(self.esearch()?)
        } else if is("THREAD") {
            Data::Thread(self.threads()?)
        } else if is("NAMESPACE") {
            self.sp()?;
            Data::Namespace(self.namespaces()?)
        } else if is("QUOTA") {
            self.sp()?;
            Data::Quota(self.quota()?)
        } else if is("QUOTAROOT") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            let mut roots = Vec::new();
            while self.sp_before_item()? {
                roots.push(self.astr()?);
            }
            Data::QuotaRoot { mailbox, roots }
        } else if is("ACL") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            let mut entries = Vec::new();
            while self.sp_before_item()? {
                let identifier = self.astr()?;
                self.sp()?;
                entries.push(AclEntry { identifier, rights: self.astr()? });
            }
            Data::Acl { mailbox, entries }
        } else if is("LISTRIGHTS") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            let identifier = self.astr()?;
            self.sp()?;
            let required = self.astr()?;
            let mut optional = Vec::new();
            while self.sp_before_item()? {
                optional.push(self.astr()?);
            }
            Data::ListRights { mailbox, identifier, required, optional }
        } else if is("MYRIGHTS") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            Data::MyRights { mailbox, rights: self.astr()? }
        } else if is("METADATA") {
            self.sp()?;
            self.metadata()?
        } else if is("ANNOTATION") {
            self.sp()?;
            self.annotation()?
        } else if is("ID") {
            self.sp()?;
            Data::Id(self.id_params()?)
        } else if is("VANISHED") {
            self.sp()?;
            let mut earlier = false;
            if self.peek() == Some(b'(') {
                self.pos += 1;
                let tag = self.atom()?;
                if !tag.eq_ignore_ascii_case(b"EARLIER") {
                    return self.fail("EARLIER");
                }
                self.expect(b')', ")")?;
                self.sp()?;
                earlier = true;
            }
            Data::Vanished { earlier, uids: self.sequence_set()? }
        } else {
            return Ok(Response::Data(self.other_data(name_start, ns, ne)));
        };
        Ok(Response::Data(data))
    }

    /// Unknown untagged data: kept whole, never an error.
    fn other_data(&mut self, _start: usize, ns: usize, mut ne: usize) -> Data {
        // The name runs over 8-bit bytes whatever the leniency, so strict
        // and lenient parsing keep the same unknown response.
        while self.buf.get(ne).is_some_and(|&c| crate::chars::is_atom_char(c) || c >= 0x80) {
            ne += 1;
        }
        self.pos = self.pos.max(ne);
        let name = ByteStr::from_bytes(self.slice(ns, ne));
        // Skip values up to the line that ends the response (literals
        // included), so the end-of-response check still holds.
        loop {
            match self.peek() {
                // A CR inside the line is just a byte here, in every mode
                // (strictly it fails a value and the rest is taken whole).
                Some(b'\r') if self.buf.get(self.pos + 1) != Some(&b'\n') => {
                    self.pos += 1;
                    continue;
                }
                _ if self.at_eol() => break,
                Some(b' ') => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            if self.skip_value().is_err() {
                // Whatever it is, the framer delimited it: take all of it.
                let last = self.buf.len() - if self.buf.ends_with(b"\r\n") { 2 } else { 1 };
                self.pos = last.max(self.pos);
                break;
            }
        }
        Data::Other { name, raw: self.slice(0, self.buf.len()) }
    }

    /// `n EXISTS`, `n RECENT`, `n EXPUNGE`, `n FETCH (...)`.
    fn numbered(&mut self) -> PResult<Data> {
        let n = self.number()?;
        self.sp()?;
        let at = self.pos;
        let (ns, ne) = self.atom_span()?;
        let name = &self.buf[ns..ne];
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is("EXISTS") {
            Ok(Data::Exists(n))
        } else if is("RECENT") {
            Ok(Data::Recent(n))
        } else if is("EXPUNGE") {
            if n == 0 {
                self.pos = at;
                return self.fail("non-zero message number");
            }
            Ok(Data::Expunge(n))
        } else if is("FETCH") {
            if n == 0 {
                self.pos = at;
                return self.fail("non-zero message number");
            }
            self.sp()?;
            Ok(Data::Fetch(self.fetch_items(n)?))
        } else {
            Ok(self.other_data(at, ns, ne))
        }
    }

    /// `mailbox-list` (after `LIST SP`).
    fn list_item(&mut self) -> PResult<ListItem> {
        self.expect(b'(', "( opening mailbox attributes")?;
        let mut attributes = Vec::new();
        self.lenient_spaces();
        if !self.eat(b')') {
            loop {
                let flag_start = self.pos;
                self.eat(b'\\');
                self.atom_span()?;
                attributes
                    .push(ListAttribute::from_bytes(ByteStr::from_bytes(self.slice(flag_start, self.pos))));
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.lenient_spaces();
            self.expect(b')', ") closing mailbox attributes")?;
        }
        self.sp()?;
        let delimiter = self.delimiter()?;
        self.sp()?;
        let mailbox = self.mailbox()?;
        let mut extended = Vec::new();
        if self.sp_before_item()? {
            self.expect(b'(', "( opening extended list data")?;
            self.enter()?;
            // mbox-list-extended = "(" [item *(SP item)] ")"
            if self.peek() != Some(b')') {
                loop {
                    let tag = self.astr()?;
                    self.sp()?;
                    if tag.eq_ignore_ascii_case("CHILDINFO") {
                        self.expect(b'(', "(")?;
                        let mut opts = Vec::new();
                        loop {
                            opts.push(self.astr()?);
                            if !self.sp_before_item()? {
                                break;
                            }
                        }
                        self.expect(b')', ")")?;
                        extended.push(ListExtendedItem::ChildInfo(opts));
                    } else if tag.eq_ignore_ascii_case("OLDNAME") {
                        self.expect(b'(', "(")?;
                        let old = self.mailbox()?;
                        self.expect(b')', ")")?;
                        extended.push(ListExtendedItem::OldName(old));
                    } else {
                        let (s, e) = self.skip_value()?;
                        extended.push(ListExtendedItem::Other {
                            tag,
                            raw: ByteStr::from_bytes(self.slice(s, e)),
                        });
                    }
                    if !self.sp_before_item()? {
                        break;
                    }
                }
            }
            self.expect(b')', ") closing extended list data")?;
            self.leave();
        }
        Ok(ListItem { attributes, delimiter, mailbox, extended })
    }

    /// `STATUS mailbox (items)` (after `STATUS SP`).
    fn status_data(&mut self) -> PResult<Data> {
        let mailbox = self.mailbox()?;
        self.sp()?;
        self.expect(b'(', "( opening status items")?;
        let mut items = Vec::new();
        self.lenient_spaces();
        if !self.eat(b')') {
            loop {
                items.push(self.status_item()?);
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.lenient_spaces();
            self.expect(b')', ") closing status items")?;
        }
        Ok(Data::Status { mailbox, items })
    }

    pub(crate) fn status_item(&mut self) -> PResult<StatusItem> {
        let (ns, ne) = self.atom_span()?;
        let name = &self.buf[ns..ne];
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        self.sp()?;
        Ok(if is("MESSAGES") {
            StatusItem::Messages(self.number()?)
        } else if is("RECENT") {
            StatusItem::Recent(self.number()?)
        } else if is("UIDNEXT") {
            StatusItem::UidNext(self.number()?)
        } else if is("UIDVALIDITY") {
            StatusItem::UidValidity(self.number()?)
        } else if is("UNSEEN") {
            StatusItem::Unseen(self.number()?)
        } else if is("DELETED") {
            StatusItem::Deleted(self.number()?)
        } else if is("SIZE") {
            StatusItem::Size(self.number64()?)
        } else if is("HIGHESTMODSEQ") {
            StatusItem::HighestModSeq(self.number64()?)
        } else if is("DELETED-STORAGE") {
            StatusItem::DeletedStorage(self.number64()?)
        } else if is("APPENDLIMIT") {
            StatusItem::AppendLimit(if self.nil() { None } else { Some(self.number64()?) })
        } else if is("MAILBOXID") {
            self.expect(b'(', "(")?;
            let id = self.atom_str()?;
            self.expect(b')', ")")?;
            StatusItem::MailboxId(id)
        } else {
            let name = ByteStr::from_bytes(self.slice(ns, ne));
            let (s, e) = self.skip_value()?;
            StatusItem::Other { name, raw: ByteStr::from_bytes(self.slice(s, e)) }
        })
    }

    /// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]`
    fn number_list(&mut self) -> PResult<(Vec<u32>, Option<u64>)> {
        let mut ids = Vec::new();
        let mut modseq = None;
        while self.sp_before_item()? {
            if self.peek() == Some(b'(') {
                self.pos += 1;
                let name = self.atom()?;
                if !name.eq_ignore_ascii_case(b"MODSEQ") {
                    return self.fail("MODSEQ");
                }
                self.sp()?;
                modseq = Some(self.number64()?);
                self.expect(b')', ")")?;
                break;
            }
            ids.push(self.nz_number()?);
        }
        Ok((ids, modseq))
    }

    /// `ESEARCH [(TAG "x")] [UID] *(SP name SP value)`
    fn esearch(&mut self) -> PResult<ESearch> {
        let mut out = ESearch::default();
        if !self.sp_before_item()? {
            return Ok(out);
        }
        if self.peek() == Some(b'(') {
            self.pos += 1;
            let t = self.atom()?;
            if !t.eq_ignore_ascii_case(b"TAG") {
                return self.fail("TAG");
            }
            self.sp()?;
            let tag = self.astring()?;
            out.tag = Some(Tag::from_parsed(tag));
            self.expect(b')', ")")?;
            if !self.sp_before_item()? {
                return Ok(out);
            }
        }
        loop {
            let (ns, ne) = self.atom_span()?;
            let name = &self.buf[ns..ne];
            let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
            if is("UID") {
                out.uid = true;
            } else {
                self.sp()?;
                if is("MIN") {
                    out.min = Some(self.nz_number()?);
                } else if is("MAX") {
                    out.max = Some(self.nz_number()?);
                } else if is("COUNT") {
                    out.count = Some(self.number()?);
                } else if is("ALL") {
                    out.all = Some(self.sequence_set()?);
                } else if is("MODSEQ") {
                    out.modseq = Some(self.number64()?);
                } else {
                    let name = ByteStr::from_bytes(self.slice(ns, ne));
                    let (s, e) = self.skip_value()?;
                    out.other.push((name, ByteStr::from_bytes(self.slice(s, e))));
                }
            }
            if !self.sp_before_item()? {
                break;
            }
        }
        Ok(out)
    }

    /// `THREAD [SP 1*thread-list]`
    fn threads(&mut self) -> PResult<Vec<Thread>> {
        let mut threads = Vec::new();
        if self.sp_before_item()? {
            while self.peek() == Some(b'(') {
                threads.push(self.thread_list()?);
                self.lenient_spaces();
            }
        }
        Ok(threads)
    }

    fn thread_list(&mut self) -> PResult<Thread> {
        self.enter()?;
        self.expect(b'(', "(")?;
        let mut thread = Thread::default();
        if self.peek() != Some(b'(') {
            loop {
                thread.messages.push(self.nz_number()?);
                if !self.eat(b' ') {
                    break;
                }
                self.lenient_spaces();
                if self.peek() == Some(b'(') || (self.lenient.extra_spaces && self.peek() == Some(b')')) {
                    break;
                }
            }
        }
        while self.peek() == Some(b'(') {
            thread.children.push(self.thread_list()?);
            self.lenient_spaces();
        }
        self.expect(b')', ") closing thread")?;
        self.leave();
        Ok(thread)
    }

    /// Three namespace lists (after `NAMESPACE SP`).
    fn namespaces(&mut self) -> PResult<Namespaces> {
        let personal = self.namespace_list()?;
        self.sp()?;
        let other_users = self.namespace_list()?;
        self.sp()?;
        let shared = self.namespace_list()?;
        Ok(Namespaces { personal, other_users, shared })
    }

    fn namespace_list(&mut self) -> PResult<Vec<Namespace>> {
        if self.nil() {
            return Ok(Vec::new());
        }
        self.expect(b'(', "( or NIL")?;
        let mut list = Vec::new();
        loop {
            self.expect(b'(', "( opening namespace")?;
            let prefix_raw = self.string()?;
            let prefix = crate::types::Mailbox::from_wire_mode(prefix_raw, self.utf8_names);
            self.sp()?;
            let delimiter = self.delimiter()?;
            let mut extensions = Vec::new();
            while self.sp_before_item()? {
                let name = ByteStr::from_bytes(self.string()?);
                self.sp()?;
                self.expect(b'(', "(")?;
                let mut values = Vec::new();
                loop {
                    values.push(ByteStr::from_bytes(self.string()?));
                    if !self.sp_before_item()? {
                        break;
                    }
                }
                self.expect(b')', ")")?;
                extensions.push((name, values));
            }
            self.expect(b')', ") closing namespace")?;
            list.push(Namespace { prefix, delimiter, extensions });
            self.lenient_spaces();
            if self.peek() != Some(b'(') {
                break;
            }
        }
        self.expect(b')', ") closing namespace list")?;
        Ok(list)
    }

    /// `astring SP "(" [resource *(SP resource)] ")"` (after `QUOTA SP`).
    fn quota(&mut self) -> PResult<Quota> {
        let root = self.astr()?;
        self.sp()?;
        self.expect(b'(', "( opening quota resources")?;
        let mut resources = Vec::new();
        self.lenient_spaces();
        if !self.eat(b')') {
            loop {
                let name = self.atom_str()?;
                self.sp()?;
                let usage = self.number64()?;
                self.sp()?;
                let limit = self.number64()?;
                resources.push(QuotaResource { name, usage, limit });
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.expect(b')', ") closing quota resources")?;
        }
        Ok(Quota { root, resources })
    }

    /// After `METADATA SP`: mailbox, then values or a changed-entry list.
    fn metadata(&mut self) -> PResult<Data> {
        let mailbox = self.mailbox()?;
        self.sp()?;
        if self.eat(b'(') {
            let mut entries = Vec::new();
            loop {
                let name = self.astr()?;
                self.sp()?;
                let value = self.nstring()?;
                entries.push(MetadataEntry { name, value });
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.expect(b')', ") closing metadata entries")?;
            Ok(Data::Metadata { mailbox, entries })
        } else {
            let mut entries = vec![self.astr()?];
            while self.sp_before_item()? {
                entries.push(self.astr()?);
            }
            Ok(Data::MetadataChanged { mailbox, entries })
        }
    }

    /// After `ANNOTATION SP`: mailbox, then entries with attribute lists,
    /// or a parenthesised list of entry names.
    fn annotation(&mut self) -> PResult<Data> {
        let mailbox = self.mailbox()?;
        self.sp()?;
        let mut entries = Vec::new();
        if self.eat(b'(') {
            loop {
                entries
                    .push(Annotation { entry: ByteStr::from_bytes(self.string()?), attributes: Vec::new() });
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.expect(b')', ")")?;
            return Ok(Data::Annotation { mailbox, entries });
        }
        loop {
            let entry = ByteStr::from_bytes(self.string()?);
            let mut attributes = Vec::new();
            if self.sp_before_item()? {
                if self.eat(b'(') {
                    loop {
                        let attr = ByteStr::from_bytes(self.string()?);
                        self.sp()?;
                        attributes.push((attr, self.nstr()?));
                        if !self.sp_before_item()? {
                            break;
                        }
                    }
                    self.expect(b')', ")")?;
                } else {
                    // Another entry name without attributes.
                    entries.push(Annotation { entry, attributes });
                    continue;
                }
            }
            entries.push(Annotation { entry, attributes });
            if !self.sp_before_item()? {
                break;
            }
        }
        Ok(Data::Annotation { mailbox, entries })
    }

    /// `"(" [string SP nstring *(SP string SP nstring)] ")" / nil`
    #[allow(clippy::type_complexity)]
    fn id_params(&mut self) -> PResult<Option<Vec<(ByteStr, Option<ByteStr>)>>> {
        if self.nil() {
            return Ok(None);
        }
        self.expect(b'(', "( or NIL")?;
        let mut params = Vec::new();
        self.lenient_spaces();
        if !self.eat(b')') {
            loop {
                let key = ByteStr::from_bytes(self.string()?);
                self.sp()?;
                params.push((key, self.nstr()?));
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.expect(b')', ") closing ID list")?;
        }
        Ok(Some(params))
    }
}
