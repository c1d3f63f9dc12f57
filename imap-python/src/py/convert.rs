//! The core's typed results as the Python values IMAPClient returns: FETCH
//! dicts keyed by message id and item name, `Envelope`/`Address` objects,
//! `BodyData` tuples, naive local `datetime`s, `bytes` for strings.
//!
//! Every object is built here, in one pass over the core's values: no
//! Python code reads IMAP.

use bytes::Bytes;
use imap_core::request::{MailboxInfo, MailboxStatus};
use imap_core::types::{
    Address, BodyExtension, BodyStructure, ByteStr, DateTime, Disposition, ESearch, Envelope, Fetch,
    FetchItem, Flag, ListAttribute, Response, ResponseCode, SequenceSet, SinglePartKind, StatusAttr,
    StatusKind,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDelta, PyDict, PyList, PyTuple, PyType, PyTzInfo};
use pyo3::IntoPyObjectExt;

use super::types::{PyAddress, PyEnvelope};

/// Python classes defined in `imap_core.response_types`, looked up once.
static BODY_DATA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SEARCH_IDS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ESEARCH: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TUPLE_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn python_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<Bound<'py, PyType>> {
    cell.get_or_try_init(py, || {
        let module = py.import("imap_core.response_types")?;
        Ok::<_, PyErr>(module.getattr(name)?.cast_into::<PyType>()?.unbind())
    })
    .map(|c| c.bind(py).clone())
}

/// Results of at least this many messages are built with Python's cyclic
/// GC held off ([`GcPause`]).
const GC_PAUSE_FROM: usize = 64;

/// Holds Python's cyclic garbage collector off while a large result is
/// built, and turns it back on when dropped (only if it was on). Building
/// thousands of dicts and tuples otherwise runs collection after collection
/// over the half-built result, full ones included: ~18 % of the CPU of a
/// 2,000-message metadata FETCH. The collector is process-wide: another
/// thread that runs meanwhile (the result's Python classes run bytecode, so
/// the GIL can change hands) sees it off for that long; it is only turned
/// back on if this pause turned it off.
struct GcPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

static GC: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> Self {
        let module = GC.get_or_try_init(py, || py.import("gc").map(Bound::unbind));
        let gc = module.ok().map(|m| m.bind(py).clone()).filter(|gc| {
            gc.call_method0("isenabled").and_then(|on| on.is_truthy()).unwrap_or(false)
                && gc.call_method0("disable").is_ok()
        });
        GcPause { gc }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            let _ = gc.call_method0("enable");
        }
    }
}

/// How times and folder names are presented (IMAPClient's
/// `normalise_times` and `folder_encode`).
pub(crate) struct Conv<'py> {
    pub(crate) py: Python<'py>,
    /// Naive local datetimes (true) or aware ones in the server's offset.
    pub(crate) normalise_times: bool,
    /// The machine's current UTC offset in seconds, as IMAPClient's
    /// `FixedOffset.for_system()` computes it (once per conversion).
    local_offset: i64,
    body_data: Bound<'py, PyType>,
    tuple_new: Bound<'py, PyAny>,
    datetime_class: Bound<'py, PyAny>,
}

impl<'py> Conv<'py> {
    pub(crate) fn new(py: Python<'py>, normalise_times: bool) -> PyResult<Self> {
        let time = py.import("time")?;
        let isdst: i64 = time.call_method0("localtime")?.getattr("tm_isdst")?.extract()?;
        let daylight: i64 = time.getattr("daylight")?.extract()?;
        let west: i64 = if isdst > 0 && daylight != 0 {
            time.getattr("altzone")?.extract()?
        } else {
            time.getattr("timezone")?.extract()?
        };
        let tuple_new = TUPLE_NEW
            .get_or_try_init(py, || Ok::<_, PyErr>(py.get_type::<PyTuple>().getattr("__new__")?.unbind()))?
            .bind(py)
            .clone();
        Ok(Conv {
            py,
            normalise_times,
            local_offset: -west,
            body_data: python_class(py, &BODY_DATA, "BodyData")?,
            tuple_new,
            datetime_class: py.import("datetime")?.getattr("datetime")?,
        })
    }

    fn none(&self) -> Bound<'py, PyAny> {
        self.py.None().into_bound(self.py)
    }

    pub(crate) fn bytes(&self, b: &[u8]) -> Bound<'py, PyAny> {
        PyBytes::new(self.py, b).into_any()
    }

    fn opt_bytes(&self, b: Option<&ByteStr>) -> Bound<'py, PyAny> {
        b.map_or_else(|| self.none(), |b| self.bytes(b))
    }

    fn opt_data(&self, b: Option<&Bytes>) -> Bound<'py, PyAny> {
        b.map_or_else(|| self.none(), |b| self.bytes(b))
    }

    fn int(&self, n: u64) -> PyResult<Bound<'py, PyAny>> {
        n.into_bound_py_any(self.py)
    }

    fn tuple(&self, items: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyTuple::new(self.py, items)?.into_any())
    }

    /// A date-time as IMAPClient shows it: naive local time (the machine's
    /// current offset), or aware with the server's offset.
    pub(crate) fn datetime(&self, t: &DateTime) -> PyResult<Bound<'py, PyAny>> {
        // The fields in the zone shown: the machine's (naive) or the
        // server's, as the core computes them.
        let (shown, tz) = if self.normalise_times {
            let local = DateTime::from_unix_timestamp(t.unix_timestamp() + self.local_offset, 0).ok_or_else(
                || pyo3::exceptions::PyValueError::new_err(format!("date out of range: {t:?}")),
            )?;
            (local, None)
        } else {
            let offset = PyDelta::new(self.py, 0, i32::from(t.offset_minutes()) * 60, 0, true)?;
            (*t, Some(PyTzInfo::fixed_offset(self.py, offset)?))
        };
        let date = shown.date();
        let (y, m, d) = (date.year(), date.month(), date.day());
        let (h, mi, sec) = shown.time();
        // The class called directly: PyO3's limited-API path costs several
        // times more per object, and a FETCH makes thousands.
        match tz {
            None => self.datetime_class.call1((y, m, d, h, mi, sec)),
            Some(tz) => self.datetime_class.call1((y, m, d, h, mi, sec, 0, tz)),
        }
    }

    /// A tuple of flags as sent (`b"\\Seen"`).
    pub(crate) fn flags(&self, flags: &[Flag]) -> PyResult<Bound<'py, PyAny>> {
        self.tuple(flags.iter().map(|f| self.bytes(&f.as_wire())).collect())
    }

    // ------------------------------------------------------------- FETCH

    /// The FETCH result: `{msgid: {b"SEQ": n, b"FLAGS": (...), ...}}`,
    /// keyed by UID when `uid_is_key`, keeping only ids in `wanted`.
    pub(crate) fn fetch_dict(
        &self,
        fetches: Vec<Fetch>,
        uid_is_key: bool,
        wanted: Option<&SequenceSet>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(self.py);
        self.fetch_into(&out, fetches, uid_is_key, wanted)?;
        Ok(out)
    }

    /// Adds FETCH responses to a result dict (messages arriving in several
    /// responses are merged, as IMAPClient does).
    pub(crate) fn fetch_into(
        &self,
        out: &Bound<'py, PyDict>,
        fetches: Vec<Fetch>,
        uid_is_key: bool,
        wanted: Option<&SequenceSet>,
    ) -> PyResult<()> {
        let _pause = (fetches.len() >= GC_PAUSE_FROM).then(|| GcPause::new(self.py));
        let keys = Keys::new(self.py);
        for fetch in fetches {
            let (id, data) = self.fetch_item_dict(fetch, uid_is_key, &keys)?;
            if wanted.is_some_and(|set| !set.contains(id, u32::MAX)) {
                continue;
            }
            match out.get_item(id)? {
                Some(existing) => existing.cast_into::<PyDict>()?.update(data.as_mapping())?,
                None => out.set_item(id, data)?,
            }
        }
        Ok(())
    }

    /// One message of a streamed FETCH: its id and `{item: value}`.
    pub(crate) fn fetch_item(&self, fetch: Fetch, uid_is_key: bool) -> PyResult<(u32, Bound<'py, PyDict>)> {
        self.fetch_item_dict(fetch, uid_is_key, &Keys::new(self.py))
    }

    fn fetch_item_dict(
        &self,
        fetch: Fetch,
        uid_is_key: bool,
        keys: &Keys<'py>,
    ) -> PyResult<(u32, Bound<'py, PyDict>)> {
        let d = PyDict::new(self.py);
        let mut id = fetch.seq;
        d.set_item(&keys.seq, fetch.seq)?;
        for item in fetch.items {
            match item {
                FetchItem::Uid(uid) if uid_is_key => id = uid,
                FetchItem::Uid(uid) => d.set_item(&keys.uid, uid)?,
                FetchItem::Flags(flags) => d.set_item(&keys.flags, self.flags(&flags)?)?,
                FetchItem::InternalDate(t) => d.set_item(&keys.internaldate, self.datetime(&t)?)?,
                FetchItem::Size(n) => d.set_item(&keys.size, n)?,
                FetchItem::Envelope(e) => d.set_item(&keys.envelope, self.envelope(&e)?)?,
                FetchItem::BodyStructure(b) => d.set_item(&keys.bodystructure, self.body_data(&b, true)?)?,
                FetchItem::Body(b) => d.set_item(&keys.body, self.body_data(&b, false)?)?,
                FetchItem::BodySection { section, origin, data } => {
                    let mut key = format!("BODY[{section}]");
                    if let Some(o) = origin {
                        key.push_str(&format!("<{o}>"));
                    }
                    d.set_item(self.bytes(key.as_bytes()), self.opt_data(data.as_ref()))?
                }
                FetchItem::Binary { part, origin, data } => {
                    let mut key = format!("BINARY[{}]", dotted(&part));
                    if let Some(o) = origin {
                        key.push_str(&format!("<{o}>"));
                    }
                    d.set_item(self.bytes(key.as_bytes()), self.opt_data(data.as_ref()))?
                }
                FetchItem::BinarySize { part, size } => {
                    d.set_item(self.bytes(format!("BINARY.SIZE[{}]", dotted(&part)).as_bytes()), size)?
                }
                FetchItem::Rfc822(data) => d.set_item(self.bytes(b"RFC822"), self.opt_data(data.as_ref()))?,
                FetchItem::Rfc822Header(data) => {
                    d.set_item(self.bytes(b"RFC822.HEADER"), self.opt_data(data.as_ref()))?
                }
                FetchItem::Rfc822Text(data) => {
                    d.set_item(self.bytes(b"RFC822.TEXT"), self.opt_data(data.as_ref()))?
                }
                FetchItem::ModSeq(m) => d.set_item(self.bytes(b"MODSEQ"), (m,))?,
                FetchItem::EmailId(e) => d.set_item(self.bytes(b"EMAILID"), (self.bytes(&e),))?,
                FetchItem::ThreadId(t) => d.set_item(
                    self.bytes(b"THREADID"),
                    match t {
                        Some(t) => self.tuple(vec![self.bytes(&t)])?,
                        None => self.none(),
                    },
                )?,
                FetchItem::SaveDate(t) => {
                    let value = t.map(|t| t.to_string());
                    d.set_item(self.bytes(b"SAVEDATE"), value.map(|v| self.bytes(v.as_bytes())))?
                }
                FetchItem::Preview(p) => d.set_item(self.bytes(b"PREVIEW"), self.opt_bytes(p.as_ref()))?,
                FetchItem::GmMsgId(n) => d.set_item(self.bytes(b"X-GM-MSGID"), n)?,
                FetchItem::GmThrId(n) => d.set_item(self.bytes(b"X-GM-THRID"), n)?,
                FetchItem::GmLabels(labels) => d.set_item(
                    self.bytes(b"X-GM-LABELS"),
                    self.tuple(labels.iter().map(|l| self.bytes(l.wire())).collect())?,
                )?,
                FetchItem::Other { name, raw } => {
                    d.set_item(self.bytes(&name.to_ascii_uppercase()), self.bytes(&raw))?
                }
                _ => {}
            }
        }
        Ok((id, d))
    }

    /// IMAPClient's `Envelope`: the date parsed, address lists as tuples of
    /// `Address` (or `None` when empty).
    pub(crate) fn envelope(&self, e: &Envelope) -> PyResult<Bound<'py, PyAny>> {
        let date = match e.parsed_date() {
            Some(t) => self.datetime(&t)?,
            None => self.none(),
        };
        let list = |l: &[Address]| -> PyResult<Bound<'py, PyAny>> {
            if l.is_empty() {
                return Ok(self.none());
            }
            let mut items = Vec::with_capacity(l.len());
            for a in l {
                let address = PyAddress {
                    name: self.opt_bytes(a.name.as_ref()).unbind(),
                    route: self.opt_bytes(a.adl.as_ref()).unbind(),
                    mailbox: self.opt_bytes(a.mailbox.as_ref()).unbind(),
                    host: self.opt_bytes(a.host.as_ref()).unbind(),
                };
                items.push(Bound::new(self.py, address)?.into_any());
            }
            self.tuple(items)
        };
        let envelope = PyEnvelope {
            date: date.unbind(),
            subject: self.opt_bytes(e.subject.as_ref()).unbind(),
            from_: list(&e.from)?.unbind(),
            sender: list(&e.sender)?.unbind(),
            reply_to: list(&e.reply_to)?.unbind(),
            to: list(&e.to)?.unbind(),
            cc: list(&e.cc)?.unbind(),
            bcc: list(&e.bcc)?.unbind(),
            in_reply_to: self.opt_bytes(e.in_reply_to.as_ref()).unbind(),
            message_id: self.opt_bytes(e.message_id.as_ref()).unbind(),
        };
        Ok(Bound::new(self.py, envelope)?.into_any())
    }

    /// An envelope as raw nested tuples (inside a MESSAGE/RFC822 part,
    /// where IMAPClient does not convert it).
    fn raw_envelope(&self, e: &Envelope) -> PyResult<Bound<'py, PyAny>> {
        let list = |l: &[Address]| -> PyResult<Bound<'py, PyAny>> {
            if l.is_empty() {
                return Ok(self.none());
            }
            let items = l
                .iter()
                .map(|a| {
                    self.tuple(vec![
                        self.opt_bytes(a.name.as_ref()),
                        self.opt_bytes(a.adl.as_ref()),
                        self.opt_bytes(a.mailbox.as_ref()),
                        self.opt_bytes(a.host.as_ref()),
                    ])
                })
                .collect::<PyResult<Vec<_>>>()?;
            self.tuple(items)
        };
        self.tuple(vec![
            self.opt_bytes(e.date.as_ref()),
            self.opt_bytes(e.subject.as_ref()),
            list(&e.from)?,
            list(&e.sender)?,
            list(&e.reply_to)?,
            list(&e.to)?,
            list(&e.cc)?,
            list(&e.bcc)?,
            self.opt_bytes(e.in_reply_to.as_ref()),
            self.opt_bytes(e.message_id.as_ref()),
        ])
    }

    /// IMAPClient's `BodyData`: the parts of a multipart in a list first.
    fn body_data(&self, body: &BodyStructure, ext: bool) -> PyResult<Bound<'py, PyAny>> {
        let items = match body {
            BodyStructure::Single(_) => self.body_items(body, ext)?,
            BodyStructure::Multipart(m) => {
                let parts = m.parts.iter().map(|p| self.body_data(p, ext)).collect::<PyResult<Vec<_>>>()?;
                let mut items = vec![PyList::new(self.py, parts)?.into_any()];
                items.extend(self.multipart_tail(body, ext)?);
                items
            }
        };
        self.tuple_new.call1((&self.body_data, PyTuple::new(self.py, items)?))
    }

    /// A body structure as raw nested tuples (IMAPClient keeps the body of
    /// an enclosed message so).
    fn raw_body(&self, body: &BodyStructure, ext: bool) -> PyResult<Bound<'py, PyAny>> {
        match body {
            BodyStructure::Single(_) => self.tuple(self.body_items(body, ext)?),
            BodyStructure::Multipart(m) => {
                let mut items =
                    m.parts.iter().map(|p| self.raw_body(p, ext)).collect::<PyResult<Vec<_>>>()?;
                items.extend(self.multipart_tail(body, ext)?);
                self.tuple(items)
            }
        }
    }

    /// Subtype and extension data of a multipart.
    fn multipart_tail(&self, body: &BodyStructure, ext: bool) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let BodyStructure::Multipart(m) = body else { return Ok(Vec::new()) };
        let mut items = vec![self.bytes(&m.media_subtype)];
        if ext {
            items.push(self.params(&m.ext.params)?);
            items.push(self.disposition(m.ext.disposition.as_ref())?);
            items.push(self.language(&m.ext.language)?);
            items.push(self.opt_bytes(m.ext.location.as_ref()));
            for e in &m.ext.extensions {
                items.push(self.extension(e)?);
            }
        }
        Ok(items)
    }

    /// The fields of a single part, in wire order.
    fn body_items(&self, body: &BodyStructure, ext: bool) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let BodyStructure::Single(s) = body else { return Ok(Vec::new()) };
        let f = &s.fields;
        let mut items = vec![
            self.bytes(&s.media_type),
            self.bytes(&s.media_subtype),
            self.params(&f.params)?,
            self.opt_bytes(f.id.as_ref()),
            self.opt_bytes(f.description.as_ref()),
            self.bytes(&f.encoding),
            self.int(f.octets)?,
        ];
        match &s.kind {
            SinglePartKind::Basic => {}
            SinglePartKind::Text { lines } => items.push(self.int(*lines)?),
            SinglePartKind::Message { envelope, body, lines } => {
                items.push(self.raw_envelope(envelope)?);
                items.push(self.raw_body(body, ext)?);
                items.push(self.int(*lines)?);
            }
        }
        if ext {
            items.push(self.opt_bytes(s.ext.md5.as_ref()));
            items.push(self.disposition(s.ext.disposition.as_ref())?);
            items.push(self.language(&s.ext.language)?);
            items.push(self.opt_bytes(s.ext.location.as_ref()));
            for e in &s.ext.extensions {
                items.push(self.extension(e)?);
            }
        }
        Ok(items)
    }

    /// `("CHARSET" "UTF-8")` as a flat tuple, `None` for none.
    fn params(&self, params: &[(ByteStr, ByteStr)]) -> PyResult<Bound<'py, PyAny>> {
        if params.is_empty() {
            return Ok(self.none());
        }
        self.tuple(params.iter().flat_map(|(k, v)| [self.bytes(k), self.bytes(v)]).collect())
    }

    fn disposition(&self, d: Option<&Disposition>) -> PyResult<Bound<'py, PyAny>> {
        match d {
            None => Ok(self.none()),
            Some(d) => self.tuple(vec![self.bytes(&d.kind), self.params(&d.params)?]),
        }
    }

    /// Languages as a tuple (servers send a list), none as `None`.
    fn language(&self, langs: &[ByteStr]) -> PyResult<Bound<'py, PyAny>> {
        if langs.is_empty() {
            return Ok(self.none());
        }
        self.tuple(langs.iter().map(|l| self.bytes(l)).collect())
    }

    fn extension(&self, e: &BodyExtension) -> PyResult<Bound<'py, PyAny>> {
        match e {
            BodyExtension::Nil => Ok(self.none()),
            BodyExtension::String(s) => Ok(self.bytes(s)),
            BodyExtension::Number(n) => self.int(*n),
            BodyExtension::List(l) => {
                self.tuple(l.iter().map(|e| self.extension(e)).collect::<PyResult<_>>()?)
            }
        }
    }

    // ------------------------------------------------------- other results

    /// `select_folder`'s dict, with IMAPClient's keys and value types.
    pub(crate) fn select_dict(&self, m: &MailboxInfo) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(self.py);
        d.set_item(self.bytes(b"EXISTS"), m.exists)?;
        d.set_item(self.bytes(b"RECENT"), m.recent)?;
        d.set_item(self.bytes(b"FLAGS"), self.flags(&m.flags)?)?;
        d.set_item(self.bytes(b"PERMANENTFLAGS"), self.flags(&m.permanent_flags)?)?;
        if let Some(n) = m.uid_validity {
            d.set_item(self.bytes(b"UIDVALIDITY"), n)?;
        }
        if let Some(n) = m.uid_next {
            d.set_item(self.bytes(b"UIDNEXT"), n)?;
        }
        if let Some(n) = m.highest_modseq {
            d.set_item(self.bytes(b"HIGHESTMODSEQ"), n)?;
        }
        // imaplib keeps these as the raw list of the code's data.
        if let Some(n) = m.unseen {
            d.set_item(self.bytes(b"UNSEEN"), PyList::new(self.py, [self.bytes(n.to_string().as_bytes())])?)?;
        }
        if m.read_only {
            d.set_item(self.bytes(b"READ-ONLY"), PyList::new(self.py, [self.bytes(b"")])?)?;
        } else {
            d.set_item(self.bytes(b"READ-WRITE"), true)?;
        }
        Ok(d.into_any())
    }

    /// `folder_status`'s dict: the items asked for, by their names.
    pub(crate) fn status_dict(&self, s: &MailboxStatus, asked: &[StatusAttr]) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(self.py);
        for attr in asked {
            let value: Option<u64> = match attr {
                StatusAttr::Messages => s.messages.map(u64::from),
                StatusAttr::Recent => s.recent.map(u64::from),
                StatusAttr::UidNext => s.uid_next.map(u64::from),
                StatusAttr::UidValidity => s.uid_validity.map(u64::from),
                StatusAttr::Unseen => s.unseen.map(u64::from),
                StatusAttr::Deleted => s.deleted.map(u64::from),
                StatusAttr::Size => s.size,
                StatusAttr::HighestModSeq => s.highest_modseq,
                _ => None,
            };
            if let Some(v) = value {
                d.set_item(self.bytes(attr.as_str().as_bytes()), v)?;
            }
        }
        Ok(d.into_any())
    }

    /// A LIST entry: `(flags, delimiter, name)`.
    pub(crate) fn list_entry(
        &self,
        item: &imap_core::types::ListItem,
        folder_encode: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let flags =
            self.tuple(item.attributes.iter().map(|a| self.bytes(attribute_wire(a).as_bytes())).collect())?;
        let delimiter = match item.delimiter {
            Some(c) => self.bytes(c.to_string().as_bytes()),
            None => self.none(),
        };
        let name = if folder_encode {
            item.mailbox.as_str().into_bound_py_any(self.py)?
        } else {
            self.bytes(item.mailbox.wire())
        };
        self.tuple(vec![flags, delimiter, name])
    }

    /// `SearchIds`: a list with a `modseq` attribute.
    pub(crate) fn search_ids(&self, ids: &[u32], modseq: Option<u64>) -> PyResult<Bound<'py, PyAny>> {
        let class = python_class(self.py, &SEARCH_IDS, "SearchIds")?;
        let out = class.call1((PyList::new(self.py, ids)?,))?;
        if modseq.is_some() {
            out.setattr("modseq", modseq)?;
        }
        Ok(out)
    }

    /// An ESEARCH result as `imap_core.response_types.ESearch`; `all`
    /// stays a sequence-set string (`"4:9,17"`): expanded, a few bytes
    /// from the server could ask for billions of numbers.
    pub(crate) fn esearch(&self, e: &ESearch) -> PyResult<Bound<'py, PyAny>> {
        let class = python_class(self.py, &ESEARCH, "ESearch")?;
        let all = e.all.as_ref().map(ToString::to_string);
        class.call1((e.uid, e.min, e.max, e.count, all, e.modseq))
    }

    /// Untagged data as IMAPClient's `idle_check` shows it: `(4, b"EXISTS")`,
    /// `(2, b"FETCH", (b"FLAGS", (...), b"UID", 7))`, `(b"OK", b"text")`.
    pub(crate) fn untagged(&self, response: &Response) -> PyResult<Bound<'py, PyAny>> {
        use imap_core::types::Data;
        match response {
            Response::Data(Data::Exists(n)) => {
                self.tuple(vec![self.int(u64::from(*n))?, self.bytes(b"EXISTS")])
            }
            Response::Data(Data::Recent(n)) => {
                self.tuple(vec![self.int(u64::from(*n))?, self.bytes(b"RECENT")])
            }
            Response::Data(Data::Expunge(n)) => {
                self.tuple(vec![self.int(u64::from(*n))?, self.bytes(b"EXPUNGE")])
            }
            Response::Data(Data::Flags(f)) => self.tuple(vec![self.bytes(b"FLAGS"), self.flags(f)?]),
            Response::Data(Data::Fetch(f)) => {
                let mut pairs = Vec::new();
                for item in &f.items {
                    match item {
                        FetchItem::Flags(flags) => pairs.extend([self.bytes(b"FLAGS"), self.flags(flags)?]),
                        FetchItem::Uid(u) => pairs.extend([self.bytes(b"UID"), self.int(u64::from(*u))?]),
                        FetchItem::ModSeq(m) => {
                            pairs.extend([self.bytes(b"MODSEQ"), self.tuple(vec![self.int(*m)?])?])
                        }
                        _ => {}
                    }
                }
                self.tuple(vec![self.int(u64::from(f.seq))?, self.bytes(b"FETCH"), self.tuple(pairs)?])
            }
            Response::Status(s) => {
                let kind: &[u8] = match s.kind {
                    StatusKind::Ok => b"OK",
                    StatusKind::No => b"NO",
                    StatusKind::Bad => b"BAD",
                    StatusKind::Bye => b"BYE",
                    _ => b"PREAUTH",
                };
                self.tuple(vec![self.bytes(kind), self.bytes(&status_text(s.code.as_ref(), &s.text))])
            }
            other => self.tuple(vec![self.bytes(b"UNKNOWN"), self.bytes(format!("{other:?}").as_bytes())]),
        }
    }
}

/// Item names interned once per conversion.
struct Keys<'py> {
    seq: Bound<'py, PyAny>,
    uid: Bound<'py, PyAny>,
    flags: Bound<'py, PyAny>,
    internaldate: Bound<'py, PyAny>,
    size: Bound<'py, PyAny>,
    envelope: Bound<'py, PyAny>,
    bodystructure: Bound<'py, PyAny>,
    body: Bound<'py, PyAny>,
}

impl<'py> Keys<'py> {
    fn new(py: Python<'py>) -> Self {
        let b = |s: &[u8]| PyBytes::new(py, s).into_any();
        Keys {
            seq: b(b"SEQ"),
            uid: b(b"UID"),
            flags: b(b"FLAGS"),
            internaldate: b(b"INTERNALDATE"),
            size: b(b"RFC822.SIZE"),
            envelope: b(b"ENVELOPE"),
            bodystructure: b(b"BODYSTRUCTURE"),
            body: b(b"BODY"),
        }
    }
}

fn dotted(part: &[u32]) -> String {
    part.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// A LIST attribute as sent.
fn attribute_wire(a: &ListAttribute) -> String {
    match a {
        ListAttribute::NoInferiors => "\\Noinferiors".into(),
        ListAttribute::NoSelect => "\\Noselect".into(),
        ListAttribute::Marked => "\\Marked".into(),
        ListAttribute::Unmarked => "\\Unmarked".into(),
        ListAttribute::NonExistent => "\\NonExistent".into(),
        ListAttribute::Subscribed => "\\Subscribed".into(),
        ListAttribute::Remote => "\\Remote".into(),
        ListAttribute::HasChildren => "\\HasChildren".into(),
        ListAttribute::HasNoChildren => "\\HasNoChildren".into(),
        ListAttribute::SpecialUse(u) => u.as_str().into(),
        ListAttribute::Other(raw) => raw.to_str_lossy().into_owned(),
        _ => String::new(),
    }
}

/// The text of a status response as imaplib gives it: `[CODE data] text`.
pub(crate) fn status_text(code: Option<&ResponseCode>, text: &ByteStr) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(code) = code {
        out.push(b'[');
        out.extend_from_slice(code_wire(code).as_bytes());
        out.extend_from_slice(b"] ");
    }
    out.extend_from_slice(text);
    out
}

/// A response code as sent.
pub(crate) fn code_wire(code: &ResponseCode) -> String {
    let flags = |f: &[Flag]| {
        f.iter().map(|f| String::from_utf8_lossy(&f.as_wire()).into_owned()).collect::<Vec<_>>().join(" ")
    };
    match code {
        ResponseCode::Alert => "ALERT".into(),
        ResponseCode::Parse => "PARSE".into(),
        ResponseCode::ReadOnly => "READ-ONLY".into(),
        ResponseCode::ReadWrite => "READ-WRITE".into(),
        ResponseCode::TryCreate => "TRYCREATE".into(),
        ResponseCode::UidNext(n) => format!("UIDNEXT {n}"),
        ResponseCode::UidValidity(n) => format!("UIDVALIDITY {n}"),
        ResponseCode::Unseen(n) => format!("UNSEEN {n}"),
        ResponseCode::PermanentFlags(f) => format!("PERMANENTFLAGS ({})", flags(f)),
        ResponseCode::AppendUid { uid_validity, uids } => format!("APPENDUID {uid_validity} {uids}"),
        ResponseCode::CopyUid { uid_validity, source, dest } => {
            format!("COPYUID {uid_validity} {source} {dest}")
        }
        ResponseCode::HighestModSeq(n) => format!("HIGHESTMODSEQ {n}"),
        ResponseCode::Capability(caps) => {
            let names: Vec<String> = caps.iter().map(|c| c.to_string()).collect();
            format!("CAPABILITY {}", names.join(" "))
        }
        ResponseCode::Other { name, data: Some(data) } => format!("{name} {data}"),
        ResponseCode::Other { name, data: None } => name.to_string(),
        other => format!("{other:?}").to_ascii_uppercase(),
    }
}
