//! FETCH responses: message data items, ENVELOPE and BODYSTRUCTURE.

use super::cursor::{Fail, Mark, PResult, Parser};
use crate::types::{
    Address, BodyExtension, BodyFields, BodyStructure, ByteStr, DateTime, Disposition, Envelope, Fetch,
    FetchItem, Mailbox, MultiPart, MultiPartExt, Section, SectionText, SinglePart, SinglePartExt,
    SinglePartKind,
};

/// The multipart subtypes IANA registers (RFC 2046 and later), for telling
/// a multipart without parts from a single part.
const MULTIPART_SUBTYPES: &[&str] = &[
    "alternative",
    "appledouble",
    "byteranges",
    "digest",
    "encrypted",
    "form-data",
    "header-set",
    "mixed",
    "multilingual",
    "parallel",
    "related",
    "report",
    "signed",
    "voice-message",
    "x-mixed-replace",
];

fn is_multipart_subtype(word: &[u8]) -> bool {
    MULTIPART_SUBTYPES.iter().any(|t| word.eq_ignore_ascii_case(t.as_bytes()))
}

impl Parser<'_> {
    /// `msg-att` (after `n FETCH SP`).
    pub(crate) fn fetch_items(&mut self, seq: u32) -> PResult<Fetch> {
        self.expect(b'(', "( opening FETCH data")?;
        let mut items = Vec::with_capacity(8);
        self.lenient_spaces();
        if !self.eat(b')') {
            self.fetch_item_list(&mut items)?;
            self.lenient_spaces();
            self.expect(b')', ") closing FETCH data")?;
        }
        Ok(Fetch { seq, items })
    }

    /// `msg-att` items, up to the `)` that closes them (not consumed).
    #[inline(always)]
    fn fetch_item_list(&mut self, items: &mut Vec<FetchItem>) -> PResult<()> {
        loop {
            if self.peek() == Some(b'(') && self.lenient.wrapped_fetch_items {
                self.wrapped_fetch_items(items)?;
            } else {
                self.push_fetch_item(items)?;
            }
            if !self.sp_before_item()? {
                self.blank_line_before_close();
                return Ok(());
            }
            if self.at_eol() && self.blank_line_before_close() {
                return Ok(());
            }
        }
    }

    /// Leniently, items in parentheses of their own, read as if unwrapped:
    /// Domino's `(UID 14935 (ENVELOPE (...)) BODYSTRUCTURE (...))`.
    #[cold]
    #[inline(never)]
    fn wrapped_fetch_items(&mut self, items: &mut Vec<FetchItem>) -> PResult<()> {
        self.enter()?;
        self.pos += 1;
        self.lenient_spaces();
        if self.peek() != Some(b')') {
            self.fetch_item_list(items)?;
            self.lenient_spaces();
        }
        self.expect(b')', ") closing wrapped FETCH data")?;
        self.leave();
        Ok(())
    }

    /// Leniently, a line break (in a blank line after a literal, see the
    /// framer) before the `)` that closes FETCH data: skipped, with the
    /// spaces around it, when `)` follows; true then. Called only where an
    /// item list stops or a line breaks, off the common path.
    fn blank_line_before_close(&mut self) -> bool {
        if !self.lenient.blank_line_in_fetch {
            return false;
        }
        let start = self.pos;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        let cr = self.eat(b'\r');
        let broke = self.eat(b'\n') && (cr || self.lenient.bare_lf);
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        if broke && self.peek() == Some(b')') {
            return true;
        }
        self.pos = start;
        false
    }

    /// One item, added to `items`; leniently, a known item whose value
    /// does not parse is kept raw (`Leniency::fetch_items`).
    #[inline(never)]
    fn push_fetch_item(&mut self, items: &mut Vec<FetchItem>) -> PResult<()> {
        let start = self.mark();
        let item = match self.fetch_item() {
            Ok(item) => item,
            Err(e) if self.lenient.fetch_items && !e.nesting => self.raw_item_instead(e, start)?,
            Err(e) => return Err(e),
        };
        items.push(item);
        Ok(())
    }

    /// The item that failed as `e` from `start`, read again raw; `e` if it
    /// is not even that.
    #[cold]
    #[inline(never)]
    fn raw_item_instead(&mut self, e: Fail, start: Mark) -> PResult<FetchItem> {
        self.reset(start);
        match self.attempt(Self::raw_item)? {
            Some(item) => Ok(item),
            None => Err(e),
        }
    }

    /// Any item as a name (section included) and a raw value that only
    /// has to balance its parentheses.
    fn raw_item(&mut self) -> PResult<FetchItem> {
        if !self.peek().is_some_and(crate::chars::is_atom_char) {
            return self.fail("FETCH data item name");
        }
        let (ns, ne) = self.skip_value()?;
        let name = ByteStr::from_bytes(self.slice(ns, ne));
        self.sp()?;
        let (vs, ve) = self.skip_raw_value()?;
        Ok(FetchItem::Other { name, raw: self.slice(vs, ve) })
    }

    /// Whether the value of a body section is missing (leniently): the
    /// item is followed by the `)` that closes the FETCH data.
    fn section_data_missing(&mut self) -> bool {
        self.lenient.missing_section_data
            && self.lookahead(|p| {
                while p.peek() == Some(b' ') {
                    p.pos += 1;
                }
                p.peek() == Some(b')')
            })
    }

    fn fetch_item(&mut self) -> PResult<FetchItem> {
        let start = self.pos;
        // The name runs up to SP or "[" (sections) — atoms may hold "[".
        while let Some(c) = self.peek() {
            if c == b'[' || !crate::chars::is_atom_char(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return self.fail("FETCH data item name");
        }
        let name_end = self.pos;
        let name = &self.buf[start..name_end];
        let upper = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let section_follows = self.peek() == Some(b'[');
        if section_follows {
            if upper("BODY") {
                let section = self.section()?;
                let origin = self.origin()?;
                if self.section_data_missing() {
                    return Ok(FetchItem::BodySection { section, origin, data: None });
                }
                self.sp()?;
                let data = self.nstring()?;
                return Ok(FetchItem::BodySection { section, origin, data });
            }
            if upper("BINARY") {
                let part = self.section_binary()?;
                let origin = self.origin()?;
                if self.section_data_missing() {
                    return Ok(FetchItem::Binary { part, origin, data: None });
                }
                self.sp()?;
                let data = self.nstring()?;
                return Ok(FetchItem::Binary { part, origin, data });
            }
            if upper("BINARY.SIZE") {
                let part = self.section_binary()?;
                self.sp()?;
                return Ok(FetchItem::BinarySize { part, size: self.number64()? });
            }
            return self.other_item(start);
        }
        let item = match name.len() {
            3 if upper("UID") => {
                self.sp()?;
                FetchItem::Uid(self.nz_number()?)
            }
            4 if upper("BODY") => {
                self.sp()?;
                FetchItem::Body(self.body()?)
            }
            5 if upper("FLAGS") => {
                self.sp()?;
                FetchItem::Flags(self.flag_list()?)
            }
            6 if upper("MODSEQ") => {
                self.sp()?;
                self.expect(b'(', "( before mod-sequence")?;
                let m = self.number64()?;
                self.expect(b')', ") after mod-sequence")?;
                FetchItem::ModSeq(m)
            }
            6 if upper("RFC822") => {
                self.sp()?;
                FetchItem::Rfc822(self.nstring()?)
            }
            7 if upper("EMAILID") => {
                self.sp()?;
                self.expect(b'(', "(")?;
                let id = self.atom_str()?;
                self.expect(b')', ")")?;
                FetchItem::EmailId(id)
            }
            7 if upper("PREVIEW") => {
                self.sp()?;
                FetchItem::Preview(self.nstr()?)
            }
            8 if upper("ENVELOPE") => {
                self.sp()?;
                FetchItem::Envelope(self.envelope()?)
            }
            8 if upper("THREADID") => {
                self.sp()?;
                if self.nil() {
                    FetchItem::ThreadId(None)
                } else {
                    self.expect(b'(', "( or NIL")?;
                    let id = self.atom_str()?;
                    self.expect(b')', ")")?;
                    FetchItem::ThreadId(Some(id))
                }
            }
            8 if upper("SAVEDATE") => {
                self.sp()?;
                FetchItem::SaveDate(if self.nil() { None } else { Some(self.date_time()?) })
            }
            10 if upper("X-GM-MSGID") => {
                self.sp()?;
                FetchItem::GmMsgId(self.number64()?)
            }
            10 if upper("X-GM-THRID") => {
                self.sp()?;
                FetchItem::GmThrId(self.number64()?)
            }
            11 if upper("RFC822.SIZE") => {
                self.sp()?;
                FetchItem::Size(self.number64()?)
            }
            11 if upper("RFC822.TEXT") => {
                self.sp()?;
                FetchItem::Rfc822Text(self.nstring()?)
            }
            11 if upper("X-GM-LABELS") => {
                self.sp()?;
                FetchItem::GmLabels(self.gm_labels()?)
            }
            12 if upper("INTERNALDATE") => {
                self.sp()?;
                FetchItem::InternalDate(self.date_time()?)
            }
            13 if upper("BODYSTRUCTURE") => {
                self.sp()?;
                FetchItem::BodyStructure(self.body()?)
            }
            13 if upper("RFC822.HEADER") => {
                self.sp()?;
                FetchItem::Rfc822Header(self.nstring()?)
            }
            _ => return self.other_item(start),
        };
        Ok(item)
    }

    /// An item this parser does not know: name (with any `[...]`) and raw value.
    fn other_item(&mut self, start: usize) -> PResult<FetchItem> {
        self.pos = start;
        let (ns, ne) = self.skip_value()?;
        let name = ByteStr::from_bytes(self.slice(ns, ne));
        self.sp()?;
        let (vs, ve) = self.skip_value()?;
        Ok(FetchItem::Other { name, raw: self.slice(vs, ve) })
    }

    /// `"(" [astring *(SP astring)] ")"`; system labels such as `\Inbox` are
    /// not astrings, so flag syntax is accepted too. Names are decoded as
    /// mailbox names are.
    fn gm_labels(&mut self) -> PResult<Vec<Mailbox>> {
        self.expect(b'(', "( opening labels")?;
        let mut labels = Vec::new();
        self.lenient_spaces();
        if self.eat(b')') {
            return Ok(labels);
        }
        loop {
            if self.peek() == Some(b'\\') {
                let s = self.pos;
                self.pos += 1;
                self.atom_span()?;
                labels.push(Mailbox::from_wire_mode(self.slice(s, self.pos), self.utf8_names));
            } else {
                labels.push(self.mailbox()?);
            }
            if !self.sp_before_item()? {
                break;
            }
        }
        self.expect(b')', ") closing labels")?;
        Ok(labels)
    }

    /// `date-time` in quotes.
    pub(crate) fn date_time(&mut self) -> PResult<DateTime> {
        let start = self.pos;
        // Read in place: a slice of the response would only be dropped.
        let parsed = match self.quoted_span()? {
            (s, Some(e)) => DateTime::parse(&self.buf[s..e]),
            (s, None) => DateTime::parse(&self.quoted_escaped(s)?),
        };
        parsed.ok_or(()).or_else(|()| {
            self.pos = start;
            self.fail("date-time")
        })
    }

    /// `section = "[" [section-spec] "]"`
    fn section(&mut self) -> PResult<Section> {
        self.expect(b'[', "[")?;
        let mut section = Section::default();
        if self.eat(b']') {
            return Ok(section);
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            section.part.push(self.nz_number()?);
            if !self.eat(b'.') {
                break;
            }
        }
        if self.peek() != Some(b']') {
            let (s, e) = self.atom_span()?;
            let word = &self.buf[s..e];
            let is = |n: &str| word.eq_ignore_ascii_case(n.as_bytes());
            section.text = Some(if is("HEADER") {
                SectionText::Header
            } else if is("TEXT") {
                SectionText::Text
            } else if is("MIME") && !section.part.is_empty() {
                SectionText::Mime
            } else if is("HEADER.FIELDS") {
                self.sp()?;
                SectionText::HeaderFields(self.header_list()?)
            } else if is("HEADER.FIELDS.NOT") {
                self.sp()?;
                SectionText::HeaderFieldsNot(self.header_list()?)
            } else {
                self.pos = s;
                return self.fail("HEADER, HEADER.FIELDS, TEXT or MIME");
            });
        }
        self.expect(b']', "] closing section")?;
        Ok(section)
    }

    fn header_list(&mut self) -> PResult<Vec<ByteStr>> {
        self.expect(b'(', "( opening header list")?;
        let mut fields = Vec::new();
        loop {
            fields.push(self.astr()?);
            if !self.sp_before_item()? {
                break;
            }
        }
        self.expect(b')', ") closing header list")?;
        Ok(fields)
    }

    /// `section-binary = "[" [section-part] "]"`
    fn section_binary(&mut self) -> PResult<Vec<u32>> {
        self.expect(b'[', "[")?;
        let mut part = Vec::new();
        if !self.eat(b']') {
            loop {
                part.push(self.nz_number()?);
                if !self.eat(b'.') {
                    break;
                }
            }
            self.expect(b']', "] closing section")?;
        }
        Ok(part)
    }

    /// `["<" number ">"]`
    fn origin(&mut self) -> PResult<Option<u32>> {
        if !self.eat(b'<') {
            return Ok(None);
        }
        let n = self.number()?;
        self.expect(b'>', "> closing origin")?;
        Ok(Some(n))
    }

    /// `envelope`
    pub(crate) fn envelope(&mut self) -> PResult<Box<Envelope>> {
        // Built in place on the heap: no 272-byte move after parsing.
        let mut env = Box::<Envelope>::default();
        self.expect(b'(', "( opening envelope")?;
        env.date = self.nstr()?;
        self.sp()?;
        env.subject = self.nstr()?;
        self.sp()?;
        let from_start = self.pos;
        env.from = self.address_list()?;
        let from_span = from_start..self.pos;
        self.sp()?;
        env.sender = self.address_list_like(&env.from, from_span.clone())?;
        self.sp()?;
        env.reply_to = self.address_list_like(&env.from, from_span)?;
        self.sp()?;
        env.to = self.address_list()?;
        self.sp()?;
        env.cc = self.address_list()?;
        self.sp()?;
        env.bcc = self.address_list()?;
        self.sp()?;
        env.in_reply_to = self.nstr()?;
        self.sp()?;
        env.message_id = self.nstr()?;
        self.lenient_spaces();
        self.expect(b')', ") closing envelope")?;
        Ok(env)
    }

    /// An address list that servers usually copy from From (Sender and
    /// Reply-To default to it): when its bytes are the same as From's, the
    /// parsed From is reused instead of parsed again. The values are the
    /// same slices of the response either way.
    #[inline]
    fn address_list_like(
        &mut self,
        from: &[Address],
        from_span: std::ops::Range<usize>,
    ) -> PResult<Vec<Address>> {
        let len = from_span.len();
        if len > 3 && self.buf.get(self.pos..self.pos + len) == self.buf.get(from_span) {
            self.pos += len;
            return Ok(from.to_vec());
        }
        self.address_list()
    }

    /// `"(" 1*address ")" / nil`
    fn address_list(&mut self) -> PResult<Vec<Address>> {
        if self.nil() {
            return Ok(Vec::new());
        }
        self.expect(b'(', "( opening address list or NIL")?;
        self.lenient_spaces();
        // Most lists hold one address: that one gets a vector of its own
        // size, longer ones room for four, and none grows by reallocating
        // from one.
        let list = if self.peek() == Some(b'(') {
            let first = self.address()?;
            self.lenient_spaces();
            if self.peek() == Some(b'(') {
                let mut list = Vec::with_capacity(4);
                list.push(first);
                while self.peek() == Some(b'(') {
                    list.push(self.address()?);
                    self.lenient_spaces();
                }
                list
            } else {
                vec![first]
            }
        } else if self.lenient.body_structure {
            Vec::new()
        } else {
            return self.fail("address");
        };
        self.expect(b')', ") closing address list")?;
        Ok(list)
    }

    /// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`
    #[inline(always)]
    fn address(&mut self) -> PResult<Address> {
        self.pos += 1;
        let name = self.nstr()?;
        self.sp()?;
        let adl = self.nstr()?;
        self.sp()?;
        let mailbox = self.nstr()?;
        self.sp()?;
        let host = self.nstr()?;
        self.expect(b')', ") closing address")?;
        Ok(Address { name, adl, mailbox, host })
    }

    /// `body`.
    ///
    /// BODYSTRUCTURE nests, so this recurses (through `multipart` and
    /// `single_part`) up to the nesting limit. The frames on that path hold
    /// only boxes, vectors and offsets: every large value is built in a
    /// helper outside the recursion and lives on the heap from the start, so
    /// 100 levels fit in well under 256 KiB of stack, unoptimised builds
    /// included, and each part costs one allocation.
    pub(crate) fn body(&mut self) -> PResult<BodyStructure> {
        self.enter()?;
        self.expect(b'(', "( opening body")?;
        // Dovecot has been seen to send `( ("text" ...`.
        self.lenient_spaces();
        let body = if self.peek() == Some(b'(') {
            self.multipart()?
        } else {
            let start = self.mark();
            match self.single_part() {
                Ok(body) => body,
                Err(e) if self.lenient.body_structure && !e.nesting => self.childless_instead(e, start)?,
                Err(e) => return Err(e),
            }
        };
        self.lenient_spaces();
        if self.lenient.body_structure && self.peek() != Some(b')') {
            // Extension data this parser could not read (see ext_recover):
            // skipped to the end of the part.
            while self.peek() != Some(b')') {
                self.skip_raw_value()?;
                self.lenient_spaces();
                self.eat(b' ');
            }
        }
        self.expect(b')', ") closing body")?;
        self.leave();
        Ok(body)
    }

    fn multipart(&mut self) -> PResult<BodyStructure> {
        // Room for four (16 bytes each): a third part, common enough, does
        // not reallocate.
        let mut parts = Vec::with_capacity(4);
        while self.peek() == Some(b'(') {
            parts.push(self.body()?);
            self.lenient_spaces();
        }
        // The SP before the subtype (lenient_spaces may have taken it).
        if self.buf.get(self.pos.wrapping_sub(1)) != Some(&b' ') {
            self.sp()?;
        }
        self.multipart_rest(parts)
    }

    /// Whether a body that is no single part (its reading has failed) is
    /// leniently a multipart without parts, as Gmail, Yandex and QQ Mail
    /// send for a multipart they could not split (`("ALTERNATIVE")`,
    /// `("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL)`, `("RELATED" NIL
    /// ("ATTACHMENT" NIL) NIL)`, MailKit#205, #777, #1861, #1076), Dovecot
    /// and others with NIL for the parts (`(NIL "alternative" ("boundary"
    /// "x") NIL NIL NIL)`, MailKit#1393), and Domino as the body of a
    /// message/rfc822 part (`()`, MailKit#944). Its first string must be a
    /// registered multipart subtype (a media type missing its subtype,
    /// `("TEXT" ("CHARSET" "x") ...)`, is not one), followed by a list, the
    /// end, or NIL and at most six items in all (a single part has seven at
    /// least). Looks only at this level's items, never into nested bodies.
    fn at_childless_multipart(&mut self) -> bool {
        self.lookahead(|p| {
            if p.peek() == Some(b')') {
                return true;
            }
            let nil_parts = p.nil();
            if nil_parts && !p.eat(b' ') {
                return false;
            }
            let Ok(subtype) = p.string() else { return false };
            if !is_multipart_subtype(&subtype) {
                return false;
            }
            if p.peek() == Some(b')') {
                return true;
            }
            if !p.eat(b' ') {
                return false;
            }
            p.lenient_spaces();
            if !nil_parts && matches!(p.peek(), Some(b'(' | b')')) {
                return true;
            }
            if !nil_parts && !p.nil() {
                return false;
            }
            let mut items = 2;
            loop {
                while p.peek() == Some(b' ') {
                    p.pos += 1;
                }
                if p.peek() == Some(b')') {
                    return true;
                }
                if items == 6 || p.skip_raw_value().is_err() {
                    return false;
                }
                items += 1;
            }
        })
    }

    /// Leniently, where the single part from `start` failed as `e`: a
    /// multipart without parts if it is one, else `e`.
    #[cold]
    #[inline(never)]
    fn childless_instead(&mut self, e: Fail, start: Mark) -> PResult<BodyStructure> {
        self.reset(start);
        if !self.at_childless_multipart() {
            return Err(e);
        }
        self.childless_multipart()
    }

    /// A multipart without parts (see `at_childless_multipart`).
    fn childless_multipart(&mut self) -> PResult<BodyStructure> {
        if self.peek() == Some(b')') {
            let ext = MultiPartExt::default();
            return Ok(BodyStructure::Multipart(Box::new(MultiPart {
                parts: Vec::new(),
                media_subtype: ByteStr::default(),
                ext,
            })));
        }
        if self.nil() {
            self.sp()?;
        }
        self.multipart_rest(Vec::new())
    }

    /// After the parts of a multipart and their SP: subtype and extension
    /// data.
    #[inline(never)]
    fn multipart_rest(&mut self, parts: Vec<BodyStructure>) -> PResult<BodyStructure> {
        let media_subtype = self.string_or_nil(self.lenient.body_structure)?;
        let mut ext = MultiPartExt::default();
        if self.sp_before_item()? {
            ext.params = self.body_params()?;
            // Disposition, language and location all NIL, nothing after,
            // as most servers send: `ext` already holds that.
            if self.at_bytes(b" NIL NIL NIL)") {
                self.pos += 12;
                return Ok(BodyStructure::Multipart(Box::new(MultiPart { parts, media_subtype, ext })));
            }
            let mut item = self.mark();
            let read = self.ext_tail(
                &mut item.pos,
                &mut ext.disposition,
                &mut ext.language,
                &mut ext.location,
                &mut ext.extensions,
            );
            self.ext_recover(read, item)?;
        }
        Ok(BodyStructure::Multipart(Box::new(MultiPart { parts, media_subtype, ext })))
    }

    fn single_part(&mut self) -> PResult<BodyStructure> {
        let mut part = self.single_part_head()?;
        if part.kind == SinglePartKind::Basic && self.is_message_part(&part) {
            self.sp()?;
            let envelope = self.boxed_envelope()?;
            self.sp()?;
            let body = self.body()?;
            self.sp()?;
            let lines = self.body_number()?;
            part.kind = SinglePartKind::Message { envelope, body, lines };
        }
        self.single_part_ext(&mut part.ext)?;
        Ok(BodyStructure::Single(part))
    }

    /// Type, subtype, fields and, for TEXT, the line count.
    #[inline(never)]
    fn single_part_head(&mut self) -> PResult<Box<SinglePart>> {
        let lenient = self.lenient.body_structure;
        let media_type = self.string_or_nil(lenient)?;
        self.sp()?;
        let media_subtype = self.string_or_nil(lenient)?;
        self.sp()?;
        let fields = self.body_fields()?;
        let kind = if media_type.eq_ignore_ascii_case("TEXT") {
            self.sp()?;
            SinglePartKind::Text { lines: self.body_number()? }
        } else {
            SinglePartKind::Basic
        };
        Ok(Box::new(SinglePart { media_type, media_subtype, fields, kind, ext: SinglePartExt::default() }))
    }

    /// Whether a part is MESSAGE/RFC822 (or GLOBAL) with envelope and body.
    fn is_message_part(&self, part: &SinglePart) -> bool {
        part.media_type.eq_ignore_ascii_case("MESSAGE")
            && (part.media_subtype.eq_ignore_ascii_case("RFC822")
                || part.media_subtype.eq_ignore_ascii_case("GLOBAL"))
            // Some servers send message/rfc822 parts without envelope and
            // body; then it is read as a basic part.
            && !(self.lenient.body_structure && self.buf.get(self.pos..self.pos + 2) != Some(b" ("))
    }

    #[inline(never)]
    fn boxed_envelope(&mut self) -> PResult<Box<Envelope>> {
        self.envelope()
    }

    /// `body-ext-1part`, if present.
    #[inline(never)]
    fn single_part_ext(&mut self, ext: &mut SinglePartExt) -> PResult<()> {
        // What most servers send: MD5, disposition, language and location
        // all NIL, nothing after; `ext` already holds that.
        if self.at_bytes(b" NIL NIL NIL NIL)") {
            self.pos += 16;
            return Ok(());
        }
        let mut item = self.mark();
        let read = self.single_part_ext_items(&mut item.pos, ext);
        self.ext_recover(read, item)
    }

    fn single_part_ext_items(&mut self, item: &mut usize, ext: &mut SinglePartExt) -> PResult<()> {
        if self.sp_before_item()? {
            *item = self.pos;
            ext.md5 = self.nstr()?;
            self.ext_tail(
                item,
                &mut ext.disposition,
                &mut ext.language,
                &mut ext.location,
                &mut ext.extensions,
            )?;
        }
        Ok(())
    }

    /// The extension data both part kinds share, each item optional in
    /// turn: `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
    /// Each value is stored as soon as it parses; `item` is where the one
    /// being read starts (see `ext_recover`).
    fn ext_tail(
        &mut self,
        item: &mut usize,
        disposition: &mut Option<Disposition>,
        language: &mut Vec<ByteStr>,
        location: &mut Option<ByteStr>,
        extensions: &mut Vec<BodyExtension>,
    ) -> PResult<()> {
        if !self.sp_before_item()? {
            return Ok(());
        }
        *item = self.pos;
        *disposition = self.disposition()?;
        if !self.sp_before_item()? {
            return Ok(());
        }
        *item = self.pos;
        *language = self.language()?;
        if !self.sp_before_item()? {
            return Ok(());
        }
        *item = self.pos;
        *location = self.nstr()?;
        while self.sp_before_item()? {
            *item = self.pos;
            extensions.push(self.body_extension()?);
        }
        Ok(())
    }

    /// After reading extension data: leniently, where an item did not
    /// parse (`read` failed, other than on the nesting limit), back to
    /// where that item starts (`item`) and success.
    /// Servers put md5s, languages and locations in shapes of their own (a
    /// parameter list as MD5, libetpan#217; `()` as location, MailKit's
    /// Exchange captures; disposition and language swapped): the item and
    /// the rest of the part's extension data are then skipped by `body`,
    /// and what parsed before is kept. The items are read by the grammar's
    /// code alone, and only a failure comes here.
    #[inline]
    fn ext_recover(&mut self, read: PResult<()>, item: Mark) -> PResult<()> {
        match read {
            Err(e) if self.lenient.body_structure && !e.nesting => {
                self.reset(item);
                Ok(())
            }
            read => read,
        }
    }

    /// `body-fields`
    fn body_fields(&mut self) -> PResult<BodyFields> {
        let params = self.body_params()?;
        self.sp()?;
        let id = self.nstr()?;
        self.sp()?;
        let description = self.nstr()?;
        self.sp()?;
        let encoding = if self.lenient.body_structure && self.nil() {
            ByteStr::from_static("7BIT")
        } else {
            self.string_common()?
        };
        self.sp()?;
        let octets = self.body_number()?;
        Ok(BodyFields { params, id, description, encoding, octets })
    }

    /// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
    fn body_params(&mut self) -> PResult<Vec<(ByteStr, ByteStr)>> {
        if self.nil() {
            return Ok(Vec::new());
        }
        self.expect(b'(', "( opening parameters or NIL")?;
        let mut params = Vec::with_capacity(2);
        self.lenient_spaces();
        if self.peek() == Some(b')') && self.lenient.body_structure {
            self.pos += 1;
            return Ok(params);
        }
        loop {
            let key = self.string_common()?;
            self.sp()?;
            let value = self.string_or_nil(self.lenient.body_structure)?;
            params.push((key, value));
            if !self.sp_before_item()? {
                break;
            }
        }
        self.expect(b')', ") closing parameters")?;
        Ok(params)
    }

    /// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
    fn disposition(&mut self) -> PResult<Option<Disposition>> {
        if self.nil() {
            return Ok(None);
        }
        if self.lenient.body_structure && (self.peek() == Some(b'"') || self.at_literal()) {
            // Exchange sends the type alone, `"inline"` (MailKit#503,
            // #919). A string that is no token (`"S/MIME Encrypted
            // Message"`, javamail#278) is no disposition either.
            let kind = self.string_common()?;
            let token = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_');
            if kind.is_empty() || !kind.iter().all(token) {
                return self.fail("( opening disposition or NIL");
            }
            return Ok(Some(Disposition { kind, params: Vec::new() }));
        }
        self.expect(b'(', "( opening disposition or NIL")?;
        // `(NIL NIL)` (MailKit's TestParseBodyStructureWithNilNilBodyFldDsp):
        // no disposition.
        let no_kind = self.lenient.body_structure && self.nil();
        let kind = if no_kind { ByteStr::default() } else { self.string_common()? };
        self.sp()?;
        let params = self.body_params()?;
        self.expect(b')', ") closing disposition")?;
        Ok((!no_kind).then_some(Disposition { kind, params }))
    }

    /// `body-fld-lang = nstring / "(" string *(SP string) ")"`
    fn language(&mut self) -> PResult<Vec<ByteStr>> {
        if self.eat(b'(') {
            let mut tags = Vec::new();
            loop {
                tags.push(ByteStr::from_bytes(self.string()?));
                if !self.sp_before_item()? {
                    break;
                }
            }
            self.expect(b')', ") closing language list")?;
            Ok(tags)
        } else {
            Ok(self.nstr()?.into_iter().collect())
        }
    }

    /// `body-extension = nstring / number / "(" body-extension *(SP body-extension) ")"`
    fn body_extension(&mut self) -> PResult<BodyExtension> {
        match self.peek() {
            Some(b'(') => {
                self.enter()?;
                self.pos += 1;
                let mut list = Vec::new();
                loop {
                    list.push(self.body_extension()?);
                    if !self.sp_before_item()? {
                        break;
                    }
                }
                self.expect(b')', ") closing extension list")?;
                self.leave();
                Ok(BodyExtension::List(list))
            }
            Some(c) if c.is_ascii_digit() => Ok(BodyExtension::Number(self.number64()?)),
            _ => Ok(match self.nstr()? {
                Some(s) => BodyExtension::String(s),
                None => BodyExtension::Nil,
            }),
        }
    }
}
