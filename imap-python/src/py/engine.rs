//! `imap_core.Engine`: the sans-I/O engine for any Python event loop. A
//! thin shell over [`imap_core::Client`]: the same four families of
//! methods and the same call order; requests are submitted by
//! IMAPClient's method names and their results come out in IMAPClient's
//! shapes (converted in Rust, see `convert`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use imap_core::ext::sasl;
use imap_core::request::{self, AnyHandle, Completion, Output, Request};
use imap_core::types::{
    AppendMessage, Capability, Command, Mailbox, SearchKey, SearchReturn, SequenceSet, SortCriterion,
    SortKey, SpecialUse, StateName, StatusAttr, StatusKind, StoreMode, ThreadAlgorithm,
};
use imap_core::{Client, ClientConfig, CommandError, Event, Switch, UsageError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use super::convert::{status_text, Conv};
use super::input;
use super::{error, Exc};
use crate::args;

/// How a request's result is shown to Python (IMAPClient's return shapes).
#[derive(Debug, Clone)]
enum Shape {
    /// The server's response text, `[CODE] text` (bytes).
    Text,
    /// As `Text` without a CAPABILITY code (imaplib asks for them first,
    /// so servers send them untagged); a NO is a `LoginError`.
    Login,
    /// `[text]` (IMAPClient does not unpack these).
    TextList,
    /// As `Login`, in a list: IMAPClient's `oauth2_login` and
    /// `oauthbearer_login` do not unpack it.
    LoginList,
    /// `("OK", [text])` (MULTIAPPEND).
    TypText,
    /// `None` (IMAPClient's UID COPY and UID MOVE), or the text without UIDs.
    UidText {
        uid: bool,
    },
    /// `None`.
    Nothing,
    /// Capabilities as a tuple of upper-case bytes.
    Capabilities,
    /// ENABLE: the list of what was enabled.
    Enabled,
    /// ID: `((key, value, ...),)` or `(None,)`.
    Id,
    /// ENABLE UTF8=ACCEPT: whether the server enabled it.
    Utf8Accept,
    Namespace,
    /// The folder's state; a SELECT (not `readonly`) that the server
    /// answered `[READ-ONLY]` raises IMAPClient's `ReadOnlyError`, as
    /// imaplib's `select` does.
    Select {
        readonly: bool,
    },
    List {
        folder_encode: bool,
    },
    FolderExists,
    Status(Vec<StatusAttr>),
    Search,
    /// ESEARCH: an `imap_core.response_types.ESearch`.
    ESearch,
    Sort,
    Thread,
    Fetch {
        wanted: SequenceSet,
        uid_is_key: bool,
    },
    /// A FETCH whose messages are taken one by one (`take_fetched`), each
    /// `(msgid, {item: value})`; the result is how many were delivered.
    Stream {
        wanted: SequenceSet,
        uid_is_key: bool,
    },
    /// One item of each message of a FETCH or STORE: `{msgid: value}`.
    FetchKey {
        wanted: SequenceSet,
        uid_is_key: bool,
        key: &'static [u8],
    },
    /// Gmail labels of each message of a FETCH or STORE: `{msgid: [label,
    /// ...]}`, each label a `str`; with `store`, `None` when the server
    /// sent none (IMAPClient's `_gm_label_store`).
    GmailLabels {
        wanted: SequenceSet,
        uid_is_key: bool,
        store: bool,
    },
    /// `(text, [(n, b"EXPUNGE"), ...])`.
    Expunge,
    /// UID EXPUNGE as imaplib shows it: the expunged numbers as bytes.
    UidExpunge,
    SpecialFolder,
    Acl,
    QuotaRoot,
    Quota,
}

struct Pending {
    handle: AnyHandle,
    shape: Shape,
    /// A streamed FETCH's result so far: messages are converted as they
    /// arrive (in `feed`), while the server is still sending the rest.
    partial: Option<Py<PyDict>>,
}

/// One connection's IMAP engine, without I/O: feed it the server's bytes
/// and the time, send what it gives, take events and results.
#[pyclass(module = "imap_core._core", name = "Engine")]
pub(crate) struct PyEngine {
    /// Behind a mutex only because a Python class must be `Sync`: every
    /// method has `&mut self` and reaches it with `get_mut`, no locking.
    core: Mutex<Client>,
    pending: HashMap<u64, Pending>,
    /// Python time `base` is `anchor` (any instant: only differences count).
    anchor: Instant,
    base: Option<f64>,
    folder_encode: bool,
    normalise_times: bool,
}

impl PyEngine {
    fn instant(&mut self, now: f64) -> Instant {
        let base = *self.base.get_or_insert(now);
        self.anchor + Duration::from_secs_f64((now - base).max(0.0))
    }

    fn submit(&mut self, request: Request<Completion>, shape: Shape) -> PyResult<u64> {
        self.submit_as(request, shape, false)
    }

    fn submit_as(
        &mut self,
        request: Request<Completion>,
        shape: Shape,
        request_streams: bool,
    ) -> PyResult<u64> {
        let handle = client(&mut self.core).submit(request).map_err(usage_error)?;
        let id = command_number(&handle);
        let partial = matches!(shape, Shape::Fetch { .. } if request_streams)
            .then(|| Python::attach(|py| PyDict::new(py).unbind()));
        self.pending.insert(id, Pending { handle, shape, partial });
        Ok(id)
    }

    /// Converts the messages streamed FETCHes have received so far.
    fn convert_streamed(&mut self, py: Python<'_>) -> PyResult<()> {
        let core = client(&mut self.core);
        let mut conv = None;
        for p in self.pending.values() {
            let (Some(partial), Shape::Fetch { wanted, uid_is_key }) = (&p.partial, &p.shape) else {
                continue;
            };
            let mut batch = Vec::new();
            while let Some(f) = core.take_fetched(&p.handle) {
                batch.push(f);
            }
            if batch.is_empty() {
                continue;
            }
            if conv.is_none() {
                conv = Some(Conv::new(py, self.normalise_times)?);
            }
            if let Some(conv) = &conv {
                conv.fetch_into(partial.bind(py), batch, *uid_is_key, Some(wanted))?;
            }
        }
        Ok(())
    }

    fn uid(&mut self) -> bool {
        client(&mut self.core).use_uid()
    }

    fn folder(&mut self, value: &Bound<'_, PyAny>) -> PyResult<Mailbox> {
        input::folder(value, self.folder_encode)
    }

    fn store(
        &mut self,
        messages: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
        mode: StoreMode,
        silent: bool,
    ) -> PyResult<u64> {
        let set = input::messages(messages)?;
        let flags = input::flags(flags)?;
        let uid = self.uid();
        if silent {
            return self.submit(request::store_silent(uid, set, mode, &flags).erase(), Shape::Nothing);
        }
        let shape = Shape::FetchKey { wanted: set.clone(), uid_is_key: uid, key: b"FLAGS" };
        self.submit(request::store(uid, set, mode, &flags).erase(), shape)
    }

    fn store_labels(
        &mut self,
        messages: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        mode: StoreMode,
        silent: bool,
    ) -> PyResult<u64> {
        let set = input::messages(messages)?;
        let labels = input::labels(labels)?;
        let uid = self.uid();
        // The command itself rather than `request::store_gmail_labels`:
        // that takes `&str` names, and labels given as bytes are sent as
        // they are (IMAPClient's way), and it has no `.SILENT`.
        let command = Command::StoreGmailLabels { uid, set: set.clone(), mode, silent, labels };
        let shape = match silent {
            true => Shape::Nothing,
            false => Shape::GmailLabels { wanted: set, uid_is_key: uid, store: true },
        };
        self.submit(request::command(command), shape)
    }

    fn searchish(&mut self, criteria: &Bound<'_, PyAny>, charset: Option<&str>) -> PyResult<SearchKey> {
        if criteria.is_instance_of::<PyString>() || criteria.is_instance_of::<PyBytes>() {
            // A single string is sent as given, as IMAPClient does.
            let raw = input::text_bytes(criteria)?;
            if raw.is_empty() {
                return Err(error(criteria.py(), Exc::InvalidCriteria, "no criteria specified"));
            }
            return Ok(SearchKey::Raw(raw.into()));
        }
        let items = input::criteria(criteria, charset)?;
        args::search_key(&items).map_err(|e| error(criteria.py(), Exc::InvalidCriteria, &e))
    }

    fn convert<'py>(
        &mut self,
        py: Python<'py>,
        shape: &Shape,
        partial: Option<Py<PyDict>>,
        c: Completion,
    ) -> PyResult<Bound<'py, PyAny>> {
        let conv = Conv::new(py, self.normalise_times)?;
        let text = || conv.bytes(&status_text(c.status.code.as_ref(), &c.status.text));
        match (shape, c.output.clone()) {
            (Shape::Text | Shape::UidText { uid: false }, _) => Ok(text()),
            (Shape::UidText { uid: true }, _) => Ok(py.None().into_bound(py)),
            (Shape::Login, _) => match &c.status.code {
                Some(imap_core::types::ResponseCode::Capability(_)) => Ok(conv.bytes(&c.status.text)),
                _ => Ok(text()),
            },
            (Shape::TextList, _) => Ok(PyList::new(py, [text()])?.into_any()),
            (Shape::LoginList, _) => {
                let text = match &c.status.code {
                    Some(imap_core::types::ResponseCode::Capability(_)) => conv.bytes(&c.status.text),
                    _ => text(),
                };
                Ok(PyList::new(py, [text])?.into_any())
            }
            (Shape::TypText, _) => {
                Ok(PyTuple::new(py, ["OK".into_bound_py_any(py)?, PyList::new(py, [text()])?.into_any()])?
                    .into_any())
            }
            (Shape::Nothing, _) => Ok(py.None().into_bound(py)),
            (Shape::Capabilities, Output::Capabilities(caps)) => caps_tuple(py, &caps),
            (Shape::Enabled, Output::Enabled(caps)) => {
                let items: Vec<_> = caps.iter().map(|c| PyBytes::new(py, c.to_string().as_bytes())).collect();
                Ok(PyList::new(py, items)?.into_any())
            }
            (Shape::Utf8Accept, Output::Enabled(caps)) => {
                Ok(PyBool::new(py, caps.has(&Capability::Utf8Accept)).to_owned().into_any())
            }
            (Shape::Id, Output::Id(params)) => {
                let inner = match params {
                    None => py.None().into_bound(py),
                    Some(params) => {
                        let mut flat = Vec::new();
                        for (k, v) in &params {
                            flat.push(conv.bytes(k));
                            flat.push(v.as_ref().map_or_else(|| py.None().into_bound(py), |v| conv.bytes(v)));
                        }
                        PyTuple::new(py, flat)?.into_any()
                    }
                };
                Ok(PyTuple::new(py, [inner])?.into_any())
            }
            (Shape::Namespace, Output::Namespace(ns)) => {
                let group = |list: &[imap_core::types::Namespace]| -> PyResult<Bound<'py, PyAny>> {
                    if list.is_empty() {
                        return Ok(py.None().into_bound(py));
                    }
                    let items = list
                        .iter()
                        .map(|n| {
                            let prefix = if self.folder_encode {
                                n.prefix.as_str().into_bound_py_any(py)?
                            } else {
                                conv.bytes(n.prefix.wire())
                            };
                            let sep = n.delimiter.map(|d| d.to_string());
                            Ok(PyTuple::new(py, [prefix, sep.into_bound_py_any(py)?])?.into_any())
                        })
                        .collect::<PyResult<Vec<_>>>()?;
                    Ok(PyTuple::new(py, items)?.into_any())
                };
                let class = py.import("imap_core.response_types")?.getattr("Namespace")?;
                class.call1((group(&ns.personal)?, group(&ns.other_users)?, group(&ns.shared)?))
            }
            (Shape::Select { readonly }, Output::Select(s)) => {
                if s.mailbox.read_only && !readonly {
                    let name = s.mailbox.name.as_ref().map_or("the folder", Mailbox::as_str);
                    return Err(error(py, Exc::ReadOnly, &format!("{name} is not writable")));
                }
                let d = conv.select_dict(&s.mailbox)?;
                if s.closed {
                    d.set_item(conv.bytes(b"CLOSED"), PyList::new(py, [conv.bytes(b"")])?)?;
                }
                Ok(d)
            }
            (Shape::List { folder_encode }, Output::List(entries)) => {
                let items = entries
                    .iter()
                    .map(|e| conv.list_entry(&e.item, *folder_encode))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, items)?.into_any())
            }
            (Shape::FolderExists, Output::List(entries)) => {
                Ok(pyo3::types::PyBool::new(py, !entries.is_empty()).to_owned().into_any())
            }
            (Shape::Status(asked), Output::Status(s)) => conv.status_dict(&s, asked),
            (Shape::Search, Output::Search(r)) => conv.search_ids(&r.ids, r.modseq),
            (Shape::ESearch, Output::ESearch(e)) => conv.esearch(&e),
            (Shape::Stream { .. }, Output::Streamed(n)) => n.into_bound_py_any(py),
            (Shape::Sort, Output::Sort(r)) => Ok(PyList::new(py, r.ids)?.into_any()),
            (Shape::Thread, Output::Thread(threads)) => {
                let items = threads.iter().map(|t| thread_tuple(py, t)).collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, items)?.into_any())
            }
            (Shape::Fetch { wanted, uid_is_key }, Output::Fetch(f)) => {
                Ok(conv.fetch_dict(f, *uid_is_key, Some(wanted))?.into_any())
            }
            (Shape::Fetch { .. }, Output::Streamed(_)) => match partial {
                Some(d) => Ok(d.into_bound(py).into_any()),
                None => Ok(PyDict::new(py).into_any()),
            },
            (
                Shape::FetchKey { wanted, uid_is_key, key },
                Output::Fetch(f) | Output::Store(imap_core::request::StoreResult { fetches: f, .. }),
            ) => {
                let all = conv.fetch_dict(f, *uid_is_key, Some(wanted))?;
                let out = PyDict::new(py);
                let key = PyBytes::new(py, key);
                for (id, data) in all.iter() {
                    if let Some(value) = data.cast_into::<PyDict>()?.get_item(&key)? {
                        out.set_item(id, value)?;
                    }
                }
                Ok(out.into_any())
            }
            (
                Shape::GmailLabels { wanted, uid_is_key, store },
                Output::Fetch(f) | Output::Store(imap_core::request::StoreResult { fetches: f, .. }),
            ) => {
                let out = PyDict::new(py);
                for fetch in &f {
                    let id = if *uid_is_key { fetch.uid() } else { Some(fetch.seq) };
                    let (Some(id), Some(labels)) = (id, fetch.gmail_labels()) else { continue };
                    if wanted.contains(id, u32::MAX) {
                        out.set_item(id, PyList::new(py, labels.iter().map(Mailbox::as_str))?)?;
                    }
                }
                if *store && out.is_empty() {
                    return Ok(py.None().into_bound(py));
                }
                Ok(out.into_any())
            }
            (Shape::Expunge, Output::Expunge(e)) => {
                let items = e
                    .expunged
                    .iter()
                    .map(|n| PyTuple::new(py, [n.into_bound_py_any(py)?, conv.bytes(b"EXPUNGE")]))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, [text(), PyList::new(py, items)?.into_any()])?.into_any())
            }
            (Shape::UidExpunge, Output::Expunge(e)) => {
                let items: Vec<Bound<'_, PyAny>> = if e.expunged.is_empty() {
                    vec![py.None().into_bound(py)]
                } else {
                    e.expunged.iter().map(|n| conv.bytes(n.to_string().as_bytes())).collect()
                };
                Ok(PyList::new(py, items)?.into_any())
            }
            (Shape::SpecialFolder, Output::SpecialFolder(m)) => match m {
                Some(m) if self.folder_encode => m.as_str().into_bound_py_any(py),
                Some(m) => Ok(conv.bytes(m.wire())),
                None => Ok(py.None().into_bound(py)),
            },
            (Shape::Acl, Output::Acl(entries)) => {
                let items = entries
                    .iter()
                    .map(|e| PyTuple::new(py, [conv.bytes(&e.identifier), conv.bytes(&e.rights)]))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, items)?.into_any())
            }
            (Shape::QuotaRoot | Shape::Quota, Output::Quota(q)) => {
                let types = py.import("imap_core.response_types")?;
                let quota = types.getattr("Quota")?;
                let mut quotas = Vec::new();
                for root in &q.quotas {
                    for r in &root.resources {
                        quotas.push(quota.call1((
                            root.root.to_str_lossy().into_owned(),
                            r.name.to_str_lossy().into_owned(),
                            r.usage,
                            r.limit,
                        ))?);
                    }
                }
                let quotas = PyList::new(py, quotas)?.into_any();
                if matches!(shape, Shape::Quota) {
                    return Ok(quotas);
                }
                let roots: Vec<String> = q.roots.iter().map(|r| r.to_str_lossy().into_owned()).collect();
                let mailbox = client(&mut self.core)
                    .mailbox()
                    .and_then(|m| m.name.as_ref())
                    .map(|m| m.as_str().to_owned());
                let _ = mailbox;
                let roots_class = types.getattr("MailboxQuotaRoots")?;
                Ok(PyTuple::new(py, [roots_class.call1(("", roots))?, quotas])?.into_any())
            }
            (_, other) => {
                Err(PyValueError::new_err(format!("unexpected result {} for this request", other.kind())))
            }
        }
    }
}

#[pymethods]
impl PyEngine {
    /// A new engine, waiting for the server's greeting.
    ///
    /// Every size the server controls has a limit: `max_line_length`
    /// (default 8 MiB) and `max_literal_size` (default 256 MiB); a response
    /// over one is skipped and reported, the session goes on.
    ///
    /// `protocol_log` turns the live protocol log on from the start (see
    /// `set_protocol_log`); it holds at most `protocol_log_limit` bytes
    /// (default 4 MiB) until taken. `utf8_accept` sends
    /// `ENABLE UTF8=ACCEPT` (RFC 6855) right after the login when the
    /// server offers it: folder names then travel as UTF-8.
    #[new]
    #[pyo3(signature = (*, use_uid = true, tag_prefix = "A", response_timeout = Some(60.0), idle_refresh = 29.0 * 60.0, auto_idle = None, max_pending_events = 10_000, max_line_length = None, max_literal_size = None, protocol_log = false, protocol_log_limit = None, utf8_accept = false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        use_uid: bool,
        tag_prefix: &str,
        response_timeout: Option<f64>,
        idle_refresh: f64,
        auto_idle: Option<f64>,
        max_pending_events: usize,
        max_line_length: Option<usize>,
        max_literal_size: Option<u64>,
        protocol_log: bool,
        protocol_log_limit: Option<usize>,
        utf8_accept: bool,
    ) -> PyResult<Self> {
        let secs = |s: f64| {
            Duration::try_from_secs_f64(s).map_err(|_| PyValueError::new_err(format!("not a duration: {s}")))
        };
        let mut config = ClientConfig::default();
        config.use_uid = use_uid;
        config.tag_prefix = tag_prefix.to_owned();
        config.response_timeout = response_timeout.map(secs).transpose()?;
        config.idle_refresh = secs(idle_refresh)?;
        config.auto_idle = auto_idle.map(secs).transpose()?;
        config.max_pending_events = max_pending_events.max(1);
        if let Some(n) = max_line_length {
            config.parse.limits.max_line_len = n;
        }
        if let Some(n) = max_literal_size {
            config.parse.limits.max_literal_len = n;
        }
        config.protocol_log = protocol_log;
        if let Some(n) = protocol_log_limit {
            config.protocol_log_limit = n;
        }
        config.utf8_accept = utf8_accept;
        Ok(PyEngine {
            core: Mutex::new(Client::new(config)),
            pending: HashMap::new(),
            anchor: Instant::now(),
            base: None,
            folder_encode: true,
            normalise_times: true,
        })
    }

    // ------------------------------------------------------------ getters

    /// The session state: `"greeting"`, `"not_authenticated"`,
    /// `"authenticated"`, `"selected"` or `"logout"`.
    #[getter]
    fn state(&mut self) -> &'static str {
        match client(&mut self.core).state() {
            StateName::Greeting => "greeting",
            StateName::NotAuthenticated => "not_authenticated",
            StateName::Authenticated => "authenticated",
            StateName::Selected => "selected",
            _ => "logout",
        }
    }

    /// The server's capabilities as last announced (tuple of upper-case
    /// bytes), without a round trip.
    fn server_capabilities<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        caps_tuple(py, client(&mut self.core).capabilities())
    }

    /// Whether the capabilities are current (false during login or
    /// STARTTLS until they are read again).
    #[getter]
    fn capabilities_known(&mut self) -> bool {
        client(&mut self.core).capabilities_known()
    }

    /// The extensions enabled with ENABLE (tuple of upper-case bytes),
    /// e.g. `(b"UTF8=ACCEPT",)`.
    fn enabled_capabilities<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        caps_tuple(py, client(&mut self.core).enabled())
    }

    /// Whether the server announces `capability` (case-insensitive).
    fn has_capability(&mut self, capability: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(client(&mut self.core).capabilities().has_name(&input::text(capability)?))
    }

    /// The server's greeting once it arrived, the whole line as IMAPClient's
    /// `welcome` shows it: `b"* OK [CAPABILITY ...] Dovecot ready."`.
    #[getter]
    fn welcome<'py>(&mut self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let greeting = client(&mut self.core).greeting()?;
        let mut line = match greeting.kind {
            StatusKind::PreAuth => b"* PREAUTH ".to_vec(),
            _ => b"* OK ".to_vec(),
        };
        line.extend_from_slice(&status_text(greeting.code.as_ref(), &greeting.text));
        Some(PyBytes::new(py, &line))
    }

    /// Message ids are UIDs (true) or sequence numbers.
    #[getter]
    fn get_use_uid(&mut self) -> bool {
        client(&mut self.core).use_uid()
    }

    #[setter]
    fn set_use_uid(&mut self, value: bool) {
        client(&mut self.core).set_use_uid(value);
    }

    /// Folder names are Unicode `str` (true, modified UTF-7 handled here)
    /// or the server's bytes.
    #[getter]
    fn get_folder_encode(&mut self) -> bool {
        self.folder_encode
    }

    #[setter]
    fn set_folder_encode(&mut self, value: bool) {
        self.folder_encode = value;
    }

    /// Times as naive local `datetime`s (true) or aware ones.
    #[getter]
    fn get_normalise_times(&mut self) -> bool {
        self.normalise_times
    }

    #[setter]
    fn set_normalise_times(&mut self, value: bool) {
        self.normalise_times = value;
    }

    /// Automatic IDLE after `delay` seconds of quiet in a selected
    /// mailbox; `None` turns it off.
    fn set_auto_idle(&mut self, delay: Option<f64>) -> PyResult<()> {
        let delay = delay
            .map(|s| Duration::try_from_secs_f64(s).map_err(|_| PyValueError::new_err("not a duration")))
            .transpose()?;
        client(&mut self.core).set_auto_idle(delay);
        Ok(())
    }

    /// Whether the driver should read from the transport now.
    #[getter]
    fn wants_read(&mut self) -> bool {
        client(&mut self.core).wants_read()
    }

    /// Whether `poll_transmit` has bytes.
    #[getter]
    fn wants_write(&mut self) -> bool {
        client(&mut self.core).wants_write()
    }

    /// Whether the session is over.
    #[getter]
    fn is_closed(&mut self) -> bool {
        client(&mut self.core).is_closed()
    }

    /// Whether IDLE is running (accepted and not ended).
    #[getter]
    fn is_idling(&mut self) -> bool {
        client(&mut self.core).is_idling()
    }

    /// Why the connection ended, if it did (the core's message).
    #[getter]
    fn connection_error(&mut self) -> Option<String> {
        client(&mut self.core).connection_error().map(ToString::to_string)
    }

    /// The selected mailbox's name, if one is selected.
    #[getter]
    fn selected_folder(&mut self) -> Option<String> {
        client(&mut self.core).mailbox().and_then(|m| m.name.as_ref()).map(|m| m.as_str().to_owned())
    }

    /// The selected mailbox as `select_folder` shows it, kept current.
    fn mailbox<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let normalise = self.normalise_times;
        let Some(m) = client(&mut self.core).mailbox() else { return Ok(None) };
        Ok(Some(Conv::new(py, normalise)?.select_dict(m)?))
    }

    /// The last lines exchanged, credentials redacted.
    #[getter]
    fn trace(&mut self) -> String {
        client(&mut self.core).trace().map(|l| format!("{l}\n")).collect()
    }

    /// Lines the live protocol log dropped because they were not taken in
    /// time (over `protocol_log_limit` waiting).
    #[getter]
    fn log_dropped(&mut self) -> u64 {
        client(&mut self.core).log_dropped()
    }

    /// Once the connection ended with an error: the error and the last
    /// lines exchanged (redacted), for a bug report; `None` before, and
    /// after a clean LOGOUT.
    #[getter]
    fn failure_report(&mut self) -> Option<String> {
        client(&mut self.core).failure_report()
    }

    /// Requests submitted and not yet taken.
    #[getter]
    fn pending(&mut self) -> usize {
        self.pending.len()
    }

    // ------------------------------------------------------------- inputs

    /// Feeds bytes received from the server (any split of the stream).
    /// Never raises for what the server sent: malformed responses become
    /// events, a broken stream ends the session (see `poll_event`).
    fn feed(&mut self, data: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(b) = data.cast::<PyBytes>() {
            client(&mut self.core).handle_input(b.as_bytes());
        } else {
            let v: Vec<u8> = data
                .call_method0("__bytes__")
                .or_else(|_| data.py().get_type::<PyBytes>().call1((data,)))?
                .extract()?;
            client(&mut self.core).handle_input(&v);
        }
        self.convert_streamed(data.py())
    }

    /// The server closed the connection.
    fn feed_eof(&mut self) {
        client(&mut self.core).handle_eof();
    }

    /// The transport failed (`reason` for the record); open requests fail.
    #[pyo3(signature = (reason = None))]
    fn transport_error(&mut self, reason: Option<&str>) {
        let _ = reason;
        client(&mut self.core).handle_io_error(std::io::ErrorKind::ConnectionAborted);
    }

    /// Passes time in: `now` in seconds from any monotonic clock
    /// (`time.monotonic()`, `loop.time()`). Call once at the start.
    fn handle_timeout(&mut self, now: f64) {
        let at = self.instant(now);
        client(&mut self.core).handle_timeout(at);
    }

    /// The driver finished the TLS handshake after a `"starttls"` event.
    fn handle_switched(&mut self) {
        client(&mut self.core).handle_switched();
    }

    /// Ends the session without LOGOUT (the driver closes the socket).
    fn disconnect(&mut self) {
        client(&mut self.core).disconnect();
    }

    // ------------------------------------------------------------ outputs

    /// Bytes to write, if any. Report how many were written with
    /// `advance_transmit`; until then the same bytes come again.
    fn poll_transmit<'py>(&mut self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        client(&mut self.core).poll_transmit().map(|b| PyBytes::new(py, &b))
    }

    /// Reports that `n` bytes of `poll_transmit`'s output were written.
    fn advance_transmit(&mut self, n: usize) {
        client(&mut self.core).advance_transmit(n);
    }

    /// Everything waiting to be written, at once (then counted as
    /// written): for transports that buffer, like asyncio's.
    fn take_transmit<'py>(&mut self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        while let Some(b) = client(&mut self.core).poll_transmit() {
            out.extend_from_slice(&b);
            client(&mut self.core).advance_transmit(b.len());
        }
        (!out.is_empty()).then(|| PyBytes::new(py, &out))
    }

    /// When `handle_timeout` must next be called, on the clock of `now`;
    /// `None` if nothing is due.
    fn poll_timeout(&mut self) -> Option<f64> {
        let at = client(&mut self.core).poll_timeout()?;
        let base = self.base.unwrap_or(0.0);
        Some(base + at.saturating_duration_since(self.anchor).as_secs_f64())
    }

    /// The next line of the live protocol log (`"C: ..."` sent, `"S: ..."`
    /// received), oldest first, or `None`: every line, redacted (passwords
    /// and SASL data never appear, literal data shows as its size). Drain
    /// it with the events. Only while the log is on (`set_protocol_log`).
    fn poll_log(&mut self) -> Option<String> {
        client(&mut self.core).poll_log().map(|line| line.to_string())
    }

    /// Turns the live protocol log on or off (off drops the lines not yet
    /// taken).
    fn set_protocol_log(&mut self, on: bool) {
        client(&mut self.core).set_protocol_log(on);
    }

    /// The next event, or `None`.
    fn poll_event(&mut self, py: Python<'_>) -> PyResult<Option<PyEvent>> {
        let Some(event) = client(&mut self.core).poll_event() else { return Ok(None) };
        let none = || py.None();
        let (kind, id, data) = match event {
            Event::Greeting(status) => {
                let text = status_text(status.code.as_ref(), &status.text);
                ("greeting", None, PyBytes::new(py, &text).into_any().unbind())
            }
            Event::Ready(id) => ("ready", Some(id_number(id)), none()),
            Event::Fetched(id) => ("fetched", Some(id_number(id)), none()),
            Event::IdleStarted(id) => ("idle_started", Some(id_number(id)), none()),
            Event::MailboxAccess { mailbox, read_only } => {
                let name = if self.folder_encode {
                    mailbox.as_str().into_bound_py_any(py)?
                } else {
                    PyBytes::new(py, mailbox.wire()).into_any()
                };
                let data = PyTuple::new(py, [name, PyBool::new(py, read_only).to_owned().into_any()])?;
                ("mailbox_access", None, data.into_any().unbind())
            }
            Event::Unsolicited(r) => {
                ("unsolicited", None, Conv::new(py, self.normalise_times)?.untagged(&r)?.unbind())
            }
            Event::SaslChallenge { id, data } => {
                ("sasl_challenge", Some(id_number(id)), PyBytes::new(py, &data).into_any().unbind())
            }
            Event::Switch(Switch::StartTls) => ("starttls", None, none()),
            Event::ResponseError(e) => ("response_error", None, e.to_string().into_py_any(py)?),
            Event::ProtocolError(e) => ("protocol_error", None, e.to_string().into_py_any(py)?),
            Event::LoggedOut => ("logged_out", None, none()),
            Event::ConnectionLost(e) => ("connection_lost", None, e.to_string().into_py_any(py)?),
            other => ("other", None, format!("{other:?}").into_py_any(py)?),
        };
        Ok(Some(PyEvent { kind, id, data }))
    }

    /// Whether request `id`'s result waits to be taken (for `fetch_stream`:
    /// its result or a message).
    fn is_ready(&mut self, py: Python<'_>, id: u64) -> PyResult<bool> {
        self.convert_streamed(py)?;
        Ok(self.pending.get(&id).is_some_and(|p| client(&mut self.core).is_ready(p.handle.id())))
    }

    /// The result of request `id` once ready (after its `"ready"` event),
    /// in IMAPClient's shape; raises the IMAPClient exception for a NO,
    /// BAD or lost connection. Raises `LookupError` if it is not ready.
    fn take<'py>(&mut self, py: Python<'py>, id: u64) -> PyResult<Bound<'py, PyAny>> {
        self.convert_streamed(py)?;
        let Some(pending) = self.pending.get(&id) else {
            return Err(pyo3::exceptions::PyLookupError::new_err(format!("no request #{id}")));
        };
        let Some(result) = client(&mut self.core).take(&pending.handle) else {
            let message = match pending.shape {
                Shape::Stream { .. } if client(&mut self.core).is_ready(pending.handle.id()) => {
                    format!("request #{id}: messages wait, take them with take_fetched first")
                }
                _ => format!("request #{id} is not ready"),
            };
            return Err(pyo3::exceptions::PyLookupError::new_err(message));
        };
        let Some(pending) = self.pending.remove(&id) else { unreachable!("checked above") };
        match result {
            Ok(completion) => self.convert(py, &pending.shape, pending.partial, completion),
            Err(e) => Err(command_error(py, &pending.shape, &e)),
        }
    }

    /// Gives up on request `id`: it completes on the wire, its data is
    /// dropped, the session stays correct. Unknown ids are ignored.
    fn abandon(&mut self, id: u64) {
        if let Some(p) = self.pending.remove(&id) {
            client(&mut self.core).abandon(p.handle.id());
        }
    }

    /// The next message of a `fetch_stream` request, in arrival order:
    /// `(msgid, {b"SEQ": n, item: value, ...})`, or `None` when none waits
    /// (a `"fetched"` event tells when more arrive). Messages not taken
    /// hold the engine back from reading (`wants_read`), so the stream
    /// takes the memory of about one message however many there are.
    fn take_fetched<'py>(&mut self, py: Python<'py>, id: u64) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let Some(pending) = self.pending.get(&id) else {
            return Err(pyo3::exceptions::PyLookupError::new_err(format!("no request #{id}")));
        };
        let Shape::Stream { wanted, uid_is_key } = &pending.shape else {
            return Err(PyValueError::new_err(format!("request #{id} is not a fetch_stream")));
        };
        let conv = Conv::new(py, self.normalise_times)?;
        // FETCH data of other messages (flag changes the server reports
        // meanwhile) is not the caller's: skipped, as `fetch` skips it.
        while let Some(fetch) = client(&mut self.core).take_fetched(&pending.handle) {
            let (msgid, data) = conv.fetch_item(fetch, *uid_is_key)?;
            if wanted.contains(msgid, u32::MAX) {
                return Ok(Some(PyTuple::new(py, [msgid.into_bound_py_any(py)?, data.into_any()])?));
            }
        }
        Ok(None)
    }

    // -------------------------------------------------------- requests
    // Each returns the request's id; `take(id)` gives its result.

    /// LOGIN; the result is the server's text.
    fn login(&mut self, username: &Bound<'_, PyAny>, password: &Bound<'_, PyAny>) -> PyResult<u64> {
        let (u, p) = (input::text(username)?, input::text(password)?);
        self.submit(request::login(u, p).erase(), Shape::Login)
    }

    /// AUTHENTICATE PLAIN.
    #[pyo3(signature = (identity, password, authorization_identity = None))]
    fn plain_login(
        &mut self,
        identity: &str,
        password: &str,
        authorization_identity: Option<&str>,
    ) -> PyResult<u64> {
        let authz = authorization_identity.unwrap_or("");
        let response = format!("{authz}\0{identity}\0{password}").into_bytes();
        let mech = sasl::Custom::new("PLAIN", Some(response), |_| None);
        self.submit(request::authenticate(mech).erase(), Shape::Login)
    }

    /// AUTHENTICATE XOAUTH2 (Gmail, Outlook); the result is `[text]`, as
    /// IMAPClient's.
    #[pyo3(signature = (user, access_token, mech = "XOAUTH2", vendor = None))]
    fn oauth2_login(
        &mut self,
        user: &str,
        access_token: &str,
        mech: &str,
        vendor: Option<&str>,
    ) -> PyResult<u64> {
        let mut response = format!("user={user}\x01auth=Bearer {access_token}\x01");
        if let Some(v) = vendor {
            response.push_str(&format!("vendor={v}\x01"));
        }
        response.push('\x01');
        let mech = sasl::Custom::new(mech, Some(response.into_bytes()), |_| Some(Vec::new()));
        self.submit(request::authenticate(mech).erase(), Shape::LoginList)
    }

    /// AUTHENTICATE OAUTHBEARER (RFC 7628) as IMAPClient sends it: the
    /// bearer token for `identity`, without host and port (`authenticate`
    /// with `"OAUTHBEARER"` sends them). The result is `[text]`.
    fn oauthbearer_login(&mut self, identity: &str, access_token: &str) -> PyResult<u64> {
        let gs2 = match identity {
            "" => "n,,".to_owned(),
            id => format!("n,a={},", id.replace('=', "=3D").replace(',', "=2C")),
        };
        let response = format!("{gs2}\x01auth=Bearer {access_token}\x01\x01").into_bytes();
        // RFC 7628 3.2.3: an error challenge is answered with a dummy ^A.
        let mech = sasl::Custom::new("OAUTHBEARER", Some(response), |_| Some(vec![0x01]));
        self.submit(request::authenticate(mech).erase(), Shape::LoginList)
    }

    /// AUTHENTICATE with the engine's own mechanism (not in IMAPClient):
    /// `"PLAIN"`, `"LOGIN"`, `"CRAM-MD5"`, `"SCRAM-SHA-1"`,
    /// `"SCRAM-SHA-256"` (the server's signature is verified), `"XOAUTH2"`
    /// or `"OAUTHBEARER"` (`password` is then the access token, and `host`
    /// and `port` are needed). `authorization_identity` is PLAIN's. SCRAM's
    /// client nonce comes from the operating system; `nonce` is for tests
    /// that replay a known exchange (RFC 5802's), never for real use. The
    /// initial response goes with the command when the server has SASL-IR.
    /// The result is the server's text; a refusal raises `LoginError`.
    #[pyo3(signature = (mechanism, username, password, *, authorization_identity = None, host = None, port = None, nonce = None))]
    #[allow(clippy::too_many_arguments)]
    fn authenticate(
        &mut self,
        mechanism: &str,
        username: &str,
        password: &str,
        authorization_identity: Option<String>,
        host: Option<String>,
        port: Option<u16>,
        nonce: Option<String>,
    ) -> PyResult<u64> {
        let options = crate::sasl::Options { authorization_identity, host, port, nonce };
        let request = crate::sasl::authenticate(mechanism, username, password, options)
            .map_err(PyValueError::new_err)?;
        self.submit(request.erase(), Shape::Login)
    }

    /// AUTHENTICATE `mech_name` whose challenges the caller answers
    /// (IMAPClient's `sasl_login`, without the callable): each challenge
    /// comes as a `"sasl_challenge"` event (data: the decoded challenge,
    /// `b""` for the empty first one of a client-first mechanism); answer
    /// it with `sasl_respond`. An `initial_response` goes with the command
    /// when the server has SASL-IR, else answers the first challenge
    /// (IMAPClient never sends one). The result is the server's text.
    #[pyo3(signature = (mech_name, initial_response = None))]
    fn sasl_login(&mut self, mech_name: &str, initial_response: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let initial = initial_response.filter(|r| !r.is_none()).map(input::text_bytes).transpose()?;
        self.submit(request::authenticate_interactive(mech_name, initial).erase(), Shape::Login)
    }

    /// Answers the waiting `"sasl_challenge"` (`bytes` or `str`, sent
    /// base64-encoded); `None` cancels the exchange (`*`), which the server
    /// then refuses.
    fn sasl_respond(&mut self, response: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let response = response.filter(|r| !r.is_none()).map(input::text_bytes).transpose()?;
        client(&mut self.core).sasl_respond(response.as_deref()).map_err(usage_error)
    }

    /// STARTTLS: a `"starttls"` event asks the driver to switch.
    fn starttls(&mut self) -> PyResult<u64> {
        self.submit(request::starttls().erase(), Shape::Text)
    }

    /// COMPRESS=DEFLATE (inside the engine).
    fn compress(&mut self) -> PyResult<u64> {
        self.submit(request::compress().erase(), Shape::Text)
    }

    /// LOGOUT.
    fn logout(&mut self) -> PyResult<u64> {
        self.submit(request::logout().erase(), Shape::Text)
    }

    /// CAPABILITY (asks the server).
    fn capability(&mut self) -> PyResult<u64> {
        self.submit(request::capability().erase(), Shape::Capabilities)
    }

    /// NOOP.
    fn noop(&mut self) -> PyResult<u64> {
        self.submit(request::noop().erase(), Shape::Text)
    }

    /// CHECK (not in IMAPClient): a checkpoint of the selected folder
    /// (RFC 3501; IMAP4rev2 dropped it); the server's text.
    fn check(&mut self) -> PyResult<u64> {
        self.submit(request::check().erase(), Shape::Text)
    }

    /// ENABLE.
    #[pyo3(signature = (*capabilities))]
    fn enable(&mut self, capabilities: Vec<Bound<'_, PyAny>>) -> PyResult<u64> {
        let names = capabilities.iter().map(input::text).collect::<PyResult<Vec<_>>>()?;
        self.submit(request::enable(&names).erase(), Shape::Enabled)
    }

    /// ENABLE UTF8=ACCEPT (RFC 6855), in the authenticated state before a
    /// SELECT: from its success on, folder names travel as UTF-8; the
    /// result is whether the server enabled it.
    fn enable_utf8_accept(&mut self) -> PyResult<u64> {
        self.submit(request::enable_utf8_accept().erase(), Shape::Utf8Accept)
    }

    /// ID.
    #[pyo3(signature = (parameters = None))]
    fn id_(&mut self, parameters: Option<&Bound<'_, PyDict>>) -> PyResult<u64> {
        let mut params = Vec::new();
        if let Some(p) = parameters {
            for (k, v) in p.iter() {
                params.push((input::text(&k)?, input::text(&v)?));
            }
        }
        self.submit(request::id(&params).erase(), Shape::Id)
    }

    /// NAMESPACE.
    fn namespace(&mut self) -> PyResult<u64> {
        self.submit(request::namespace().erase(), Shape::Namespace)
    }

    /// LIST.
    #[pyo3(signature = (directory = None, pattern = None))]
    fn list_folders(
        &mut self,
        directory: Option<&Bound<'_, PyAny>>,
        pattern: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let (reference, pattern) = self.list_args(directory, pattern)?;
        let shape = Shape::List { folder_encode: self.folder_encode };
        self.submit(request::list(reference, pattern).erase(), shape)
    }

    /// LSUB.
    #[pyo3(signature = (directory = None, pattern = None))]
    fn list_sub_folders(
        &mut self,
        directory: Option<&Bound<'_, PyAny>>,
        pattern: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let (reference, pattern) = self.list_args(directory, pattern)?;
        let shape = Shape::List { folder_encode: self.folder_encode };
        self.submit(request::lsub(reference, pattern).erase(), shape)
    }

    /// Whether a folder exists (LIST of its name).
    fn folder_exists(&mut self, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let name = self.folder(folder)?;
        self.submit(request::list("", name.as_str()).erase(), Shape::FolderExists)
    }

    /// The folder with a special-use role (`b"\\Sent"`...).
    fn find_special_folder(&mut self, folder_flag: &Bound<'_, PyAny>) -> PyResult<u64> {
        let flag = input::text(folder_flag)?;
        let role = match flag.to_ascii_lowercase().as_str() {
            "\\all" => SpecialUse::All,
            "\\archive" => SpecialUse::Archive,
            "\\drafts" => SpecialUse::Drafts,
            "\\flagged" => SpecialUse::Flagged,
            "\\junk" => SpecialUse::Junk,
            "\\sent" => SpecialUse::Sent,
            "\\trash" => SpecialUse::Trash,
            "\\important" => SpecialUse::Important,
            _ => return Err(PyValueError::new_err(format!("not a special-use flag: {flag:?}"))),
        };
        self.submit(request::find_special_folder(role).erase(), Shape::SpecialFolder)
    }

    /// SELECT, or EXAMINE with `readonly`.
    #[pyo3(signature = (folder, readonly = false))]
    fn select_folder(&mut self, folder: &Bound<'_, PyAny>, readonly: bool) -> PyResult<u64> {
        let mailbox = self.folder(folder)?;
        let request = request::select_with(mailbox, readonly, Default::default());
        self.submit(request.erase(), Shape::Select { readonly })
    }

    /// UNSELECT.
    fn unselect_folder(&mut self) -> PyResult<u64> {
        self.submit(request::unselect().erase(), Shape::Text)
    }

    /// CLOSE.
    fn close_folder(&mut self) -> PyResult<u64> {
        self.submit(request::close().erase(), Shape::Text)
    }

    /// STATUS; `what` defaults to IMAPClient's five items.
    #[pyo3(signature = (folder, what = None))]
    fn folder_status(&mut self, folder: &Bound<'_, PyAny>, what: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let names = match what {
            Some(w) => input::text_list(w)?,
            None => ["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN"].map(String::from).to_vec(),
        };
        let attrs = input::status_attrs(&names)?;
        let mailbox = self.folder(folder)?;
        self.submit(request::status(mailbox, &attrs).erase(), Shape::Status(attrs))
    }

    /// CREATE.
    fn create_folder(&mut self, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let m = self.folder(folder)?;
        self.submit(request::create(m).erase(), Shape::Text)
    }

    /// RENAME.
    fn rename_folder(&mut self, old_name: &Bound<'_, PyAny>, new_name: &Bound<'_, PyAny>) -> PyResult<u64> {
        let (a, b) = (self.folder(old_name)?, self.folder(new_name)?);
        self.submit(request::rename(a, b).erase(), Shape::Text)
    }

    /// DELETE.
    fn delete_folder(&mut self, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let m = self.folder(folder)?;
        self.submit(request::delete(m).erase(), Shape::Text)
    }

    /// SUBSCRIBE.
    fn subscribe_folder(&mut self, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let m = self.folder(folder)?;
        self.submit(request::subscribe(m).erase(), Shape::TextList)
    }

    /// UNSUBSCRIBE.
    fn unsubscribe_folder(&mut self, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let m = self.folder(folder)?;
        self.submit(request::unsubscribe(m).erase(), Shape::TextList)
    }

    /// SEARCH: criteria as IMAPClient takes them.
    #[pyo3(signature = (criteria = None, charset = None))]
    fn search(&mut self, criteria: Option<&Bound<'_, PyAny>>, charset: Option<&str>) -> PyResult<u64> {
        let key = match criteria {
            Some(c) => self.searchish(c, charset)?,
            None => SearchKey::All,
        };
        let uid = self.uid();
        self.submit(request::search_with_modseq(uid, key).erase(), Shape::Search)
    }

    /// SEARCH RETURN (ESEARCH, RFC 4731; not in IMAPClient): the minimum,
    /// maximum, count or all of the matches without a number per match on
    /// the wire. `criteria` as `search` takes them; `returns` a sequence of
    /// `"MIN"`, `"MAX"`, `"COUNT"`, `"ALL"` (the default), `"SAVE"`. The
    /// result is an `ESearch` (uid, min, max, count, all, modseq), `all` a
    /// sequence-set string such as `"4:9,17"` that `fetch` takes as it is.
    #[pyo3(signature = (criteria = None, returns = None, charset = None))]
    fn esearch(
        &mut self,
        criteria: Option<&Bound<'_, PyAny>>,
        returns: Option<&Bound<'_, PyAny>>,
        charset: Option<&str>,
    ) -> PyResult<u64> {
        let key = match criteria {
            Some(c) => self.searchish(c, charset)?,
            None => SearchKey::All,
        };
        let returns = match returns {
            Some(r) => input::text_list(r)?
                .iter()
                .map(|name| match name.to_ascii_uppercase().as_str() {
                    "MIN" => Ok(SearchReturn::Min),
                    "MAX" => Ok(SearchReturn::Max),
                    "COUNT" => Ok(SearchReturn::Count),
                    "ALL" => Ok(SearchReturn::All),
                    "SAVE" => Ok(SearchReturn::Save),
                    other => Err(PyValueError::new_err(format!("unknown ESEARCH return option {other:?}"))),
                })
                .collect::<PyResult<Vec<_>>>()?,
            None => vec![SearchReturn::All],
        };
        let uid = self.uid();
        self.submit(request::esearch(uid, key, &returns).erase(), Shape::ESearch)
    }

    /// SEARCH X-GM-RAW (Gmail); without X-GM-EXT-1 raises
    /// `CapabilityError` before sending, as IMAPClient does.
    #[pyo3(signature = (query, charset = None))]
    fn gmail_search(&mut self, query: &Bound<'_, PyAny>, charset: Option<&str>) -> PyResult<u64> {
        let _ = charset;
        if !client(&mut self.core).capabilities().has_name("X-GM-EXT-1") {
            let message = "Server does not support X-GM-EXT-1 capability";
            return Err(error(query.py(), Exc::Capability, message));
        }
        let key = SearchKey::GmRaw(input::text_bytes(query)?.into());
        let uid = self.uid();
        self.submit(request::search_with_modseq(uid, key).erase(), Shape::Search)
    }

    /// SORT.
    #[pyo3(signature = (sort_criteria, criteria = None, charset = None))]
    fn sort(
        &mut self,
        sort_criteria: &Bound<'_, PyAny>,
        criteria: Option<&Bound<'_, PyAny>>,
        charset: Option<&str>,
    ) -> PyResult<u64> {
        let mut sort = Vec::new();
        for item in input::text_list(sort_criteria)? {
            let mut reverse = false;
            for word in item.split_ascii_whitespace() {
                let key = match word.to_ascii_uppercase().as_str() {
                    "REVERSE" => {
                        reverse = true;
                        continue;
                    }
                    "ARRIVAL" => SortKey::Arrival,
                    "CC" => SortKey::Cc,
                    "DATE" => SortKey::Date,
                    "FROM" => SortKey::From,
                    "SIZE" => SortKey::Size,
                    "SUBJECT" => SortKey::Subject,
                    "TO" => SortKey::To,
                    "DISPLAYFROM" => SortKey::DisplayFrom,
                    "DISPLAYTO" => SortKey::DisplayTo,
                    other => return Err(PyValueError::new_err(format!("unknown sort key {other:?}"))),
                };
                sort.push(SortCriterion { reverse, key });
                reverse = false;
            }
        }
        let key = match criteria {
            Some(c) => self.searchish(c, charset)?,
            None => SearchKey::All,
        };
        let uid = self.uid();
        self.submit(request::sort(uid, &sort, key).erase(), Shape::Sort)
    }

    /// THREAD.
    #[pyo3(signature = (algorithm = "REFERENCES", criteria = None, charset = None))]
    fn thread(
        &mut self,
        algorithm: &str,
        criteria: Option<&Bound<'_, PyAny>>,
        charset: Option<&str>,
    ) -> PyResult<u64> {
        let algorithm = match algorithm.to_ascii_uppercase().as_str() {
            "REFERENCES" => ThreadAlgorithm::References,
            "ORDEREDSUBJECT" => ThreadAlgorithm::OrderedSubject,
            other => ThreadAlgorithm::Other(other.into()),
        };
        let key = match criteria {
            Some(c) => self.searchish(c, charset)?,
            None => SearchKey::All,
        };
        let uid = self.uid();
        self.submit(request::thread(uid, algorithm, key).erase(), Shape::Thread)
    }

    /// FETCH: `data` items as IMAPClient takes them; `modifiers` such as
    /// `["CHANGEDSINCE 123"]`.
    #[pyo3(signature = (messages, data, modifiers = None))]
    fn fetch(
        &mut self,
        messages: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        modifiers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let set = input::messages(messages)?;
        let attrs = args::fetch_attrs(&input::text_list(data)?).map_err(PyValueError::new_err)?;
        let uid = self.uid();
        let shape = Shape::Fetch { wanted: set.clone(), uid_is_key: uid };
        let Some(modifiers) = modifiers else {
            return self.submit_as(request::fetch_stream(uid, set, &attrs).erase(), shape, true);
        };
        let words: Vec<String> = input::text_list(modifiers)?
            .iter()
            .flat_map(|m| m.split_ascii_whitespace().map(str::to_ascii_uppercase).collect::<Vec<_>>())
            .collect();
        let (mut changed_since, mut vanished) = (None, false);
        let mut it = words.iter();
        while let Some(w) = it.next() {
            match w.trim_matches(|c| c == '(' || c == ')') {
                "CHANGEDSINCE" => {
                    let n = it.next().map(|n| n.trim_matches(|c| c == '(' || c == ')').parse::<u64>());
                    changed_since = Some(
                        n.and_then(Result::ok)
                            .ok_or_else(|| PyValueError::new_err("CHANGEDSINCE needs a number"))?,
                    );
                }
                "VANISHED" => vanished = true,
                other => return Err(PyValueError::new_err(format!("unsupported FETCH modifier {other:?}"))),
            }
        }
        let request = match changed_since {
            Some(m) => request::fetch_changed_since(uid, set, &attrs, m, vanished),
            None => request::fetch(uid, set, &attrs),
        };
        self.submit(request.erase(), shape)
    }

    /// A streaming FETCH (not in IMAPClient): `data` items as `fetch`
    /// takes them; each message is taken with `take_fetched(id)` as it
    /// arrives (`"fetched"` events say when), so a large answer never sits
    /// in memory whole. `take(id)` then gives the number of messages
    /// delivered; `abandon(id)` gives up on the rest (read and dropped).
    fn fetch_stream(&mut self, messages: &Bound<'_, PyAny>, data: &Bound<'_, PyAny>) -> PyResult<u64> {
        let set = input::messages(messages)?;
        let attrs = args::fetch_attrs(&input::text_list(data)?).map_err(PyValueError::new_err)?;
        let uid = self.uid();
        let shape = Shape::Stream { wanted: set.clone(), uid_is_key: uid };
        self.submit(request::fetch_stream(uid, set, &attrs).erase(), shape)
    }

    /// The flags of each message: `{msgid: (flags...)}`.
    fn get_flags(&mut self, messages: &Bound<'_, PyAny>) -> PyResult<u64> {
        let set = input::messages(messages)?;
        let uid = self.uid();
        let shape = Shape::FetchKey { wanted: set.clone(), uid_is_key: uid, key: b"FLAGS" };
        self.submit(request::fetch(uid, set, &[imap_core::types::FetchAttr::Flags]).erase(), shape)
    }

    /// STORE +FLAGS: `{msgid: flags}`, or `None` with `silent`.
    #[pyo3(signature = (messages, flags, silent = false))]
    fn add_flags(
        &mut self,
        messages: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
        silent: bool,
    ) -> PyResult<u64> {
        self.store(messages, flags, StoreMode::Add, silent)
    }

    /// STORE -FLAGS.
    #[pyo3(signature = (messages, flags, silent = false))]
    fn remove_flags(
        &mut self,
        messages: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
        silent: bool,
    ) -> PyResult<u64> {
        self.store(messages, flags, StoreMode::Remove, silent)
    }

    /// STORE FLAGS (replace).
    #[pyo3(signature = (messages, flags, silent = false))]
    fn set_flags(
        &mut self,
        messages: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
        silent: bool,
    ) -> PyResult<u64> {
        self.store(messages, flags, StoreMode::Replace, silent)
    }

    /// The Gmail labels of each message (FETCH X-GM-LABELS):
    /// `{msgid: [label, ...]}`, labels as `str`.
    fn get_gmail_labels(&mut self, messages: &Bound<'_, PyAny>) -> PyResult<u64> {
        let set = input::messages(messages)?;
        let uid = self.uid();
        let shape = Shape::GmailLabels { wanted: set.clone(), uid_is_key: uid, store: false };
        self.submit(request::gmail_labels(uid, set).erase(), shape)
    }

    /// STORE +X-GM-LABELS (Gmail, X-GM-EXT-1): the labels afterwards, or
    /// `None` with `silent`.
    #[pyo3(signature = (messages, labels, silent = false))]
    fn add_gmail_labels(
        &mut self,
        messages: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        silent: bool,
    ) -> PyResult<u64> {
        self.store_labels(messages, labels, StoreMode::Add, silent)
    }

    /// STORE -X-GM-LABELS.
    #[pyo3(signature = (messages, labels, silent = false))]
    fn remove_gmail_labels(
        &mut self,
        messages: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        silent: bool,
    ) -> PyResult<u64> {
        self.store_labels(messages, labels, StoreMode::Remove, silent)
    }

    /// STORE X-GM-LABELS (replace).
    #[pyo3(signature = (messages, labels, silent = false))]
    fn set_gmail_labels(
        &mut self,
        messages: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        silent: bool,
    ) -> PyResult<u64> {
        self.store_labels(messages, labels, StoreMode::Replace, silent)
    }

    /// STORE +FLAGS (\Deleted).
    #[pyo3(signature = (messages, silent = false))]
    fn delete_messages(&mut self, messages: &Bound<'_, PyAny>, silent: bool) -> PyResult<u64> {
        let flags = PyString::new(messages.py(), "\\Deleted");
        self.store(messages, flags.as_any(), StoreMode::Add, silent)
    }

    /// STORE -FLAGS (\Deleted).
    #[pyo3(signature = (messages, silent = false))]
    fn undelete_messages(&mut self, messages: &Bound<'_, PyAny>, silent: bool) -> PyResult<u64> {
        let flags = PyString::new(messages.py(), "\\Deleted");
        self.store(messages, flags.as_any(), StoreMode::Remove, silent)
    }

    /// APPEND with flags and an internal date (`datetime`).
    #[pyo3(signature = (folder, msg, flags = None, msg_time = None))]
    fn append(
        &mut self,
        folder: &Bound<'_, PyAny>,
        msg: &Bound<'_, PyAny>,
        flags: Option<&Bound<'_, PyAny>>,
        msg_time: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let mailbox = self.folder(folder)?;
        let message = append_message(msg, flags, msg_time)?;
        self.submit(request::append(mailbox, message).erase(), Shape::Text)
    }

    /// MULTIAPPEND (or pipelined APPENDs): each item a message, or a dict
    /// with `msg`, `flags`, `date`.
    fn multiappend(&mut self, folder: &Bound<'_, PyAny>, msgs: &Bound<'_, PyAny>) -> PyResult<u64> {
        let mailbox = self.folder(folder)?;
        let mut messages = Vec::new();
        for item in msgs.try_iter()? {
            let item = item?;
            let message = match item.cast::<PyDict>() {
                Ok(d) => {
                    let msg = d
                        .get_item("msg")?
                        .ok_or_else(|| PyValueError::new_err("a message dict needs 'msg'"))?;
                    append_message(&msg, d.get_item("flags")?.as_ref(), d.get_item("date")?.as_ref())?
                }
                Err(_) => append_message(&item, None, None)?,
            };
            messages.push(message);
        }
        self.submit(request::append_many(mailbox, messages).erase(), Shape::TypText)
    }

    /// COPY.
    fn copy(&mut self, messages: &Bound<'_, PyAny>, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let (set, mailbox) = (input::messages(messages)?, self.folder(folder)?);
        let uid = self.uid();
        self.submit(request::copy(uid, set, mailbox).erase(), Shape::UidText { uid })
    }

    /// MOVE (or COPY + STORE + UID EXPUNGE without it).
    #[pyo3(name = "move")]
    fn move_(&mut self, messages: &Bound<'_, PyAny>, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let (set, mailbox) = (input::messages(messages)?, self.folder(folder)?);
        let uid = self.uid();
        self.submit(request::move_messages(uid, set, mailbox).erase(), Shape::UidText { uid })
    }

    /// EXPUNGE (`(text, [(n, b"EXPUNGE"), ...])`), or UID EXPUNGE of
    /// `messages`.
    #[pyo3(signature = (messages = None))]
    fn expunge(&mut self, messages: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        match messages {
            None => self.submit(request::expunge().erase(), Shape::Expunge),
            Some(m) => {
                if !self.uid() {
                    return Err(PyValueError::new_err("cannot EXPUNGE by ID when not using uids"));
                }
                let set = input::messages(m)?;
                self.submit(request::uid_expunge(set).erase(), Shape::UidExpunge)
            }
        }
    }

    /// UID EXPUNGE (UIDPLUS).
    fn uid_expunge(&mut self, messages: &Bound<'_, PyAny>) -> PyResult<u64> {
        let set = input::messages(messages)?;
        self.submit(request::uid_expunge(set).erase(), Shape::UidExpunge)
    }

    /// GETACL: `[(who, rights)]`.
    fn getacl(&mut self, folder: &Bound<'_, PyAny>) -> PyResult<u64> {
        let m = self.folder(folder)?;
        self.submit(request::get_acl(m).erase(), Shape::Acl)
    }

    /// SETACL (an empty `what` removes the entry).
    fn setacl(
        &mut self,
        folder: &Bound<'_, PyAny>,
        who: &Bound<'_, PyAny>,
        what: &Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let (m, who, what) = (self.folder(folder)?, input::text(who)?, input::text(what)?);
        if what.is_empty() {
            return self.submit(request::delete_acl(m, who).erase(), Shape::Text);
        }
        self.submit(request::set_acl(m, who, what).erase(), Shape::Text)
    }

    /// GETQUOTAROOT: `(MailboxQuotaRoots, [Quota])`.
    fn get_quota_root(&mut self, mailbox: &Bound<'_, PyAny>) -> PyResult<u64> {
        let m = self.folder(mailbox)?;
        self.submit(request::get_quota_root(m).erase(), Shape::QuotaRoot)
    }

    /// The quotas of a mailbox: `[Quota]`.
    #[pyo3(signature = (mailbox = None))]
    fn get_quota(&mut self, mailbox: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let m = match mailbox {
            Some(m) => self.folder(m)?,
            None => Mailbox::inbox(),
        };
        self.submit(request::get_quota_root(m).erase(), Shape::Quota)
    }

    /// IDLE: an `"idle_started"` event follows the server's `+`; news
    /// arrives as `"unsolicited"` events; end it with `idle_done`.
    fn idle(&mut self) -> PyResult<u64> {
        self.submit(request::idle().erase(), Shape::Text)
    }

    /// Ends IDLE (DONE); the IDLE request then completes.
    fn idle_done(&mut self) -> PyResult<()> {
        client(&mut self.core).idle_done().map_err(usage_error)
    }
}

impl PyEngine {
    fn list_args(
        &self,
        directory: Option<&Bound<'_, PyAny>>,
        pattern: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(imap_core::types::ByteStr, imap_core::types::ByteStr)> {
        let wire = |v: Option<&Bound<'_, PyAny>>, default: &str| -> PyResult<imap_core::types::ByteStr> {
            let Some(v) = v else { return Ok(default.into()) };
            // The core encodes LIST patterns to modified UTF-7 itself.
            Ok(input::text_bytes(v)?.into())
        };
        Ok((wire(directory, "")?, wire(pattern, "*")?))
    }
}

/// An event of the engine: `kind` names it; `id` is the request it
/// concerns; `data` carries its payload.
#[pyclass(module = "imap_core._core", name = "Event", get_all, frozen)]
pub(crate) struct PyEvent {
    /// `"greeting"`, `"ready"`, `"fetched"`, `"idle_started"`,
    /// `"unsolicited"`, `"mailbox_access"` (data: `(folder, read_only)`,
    /// when the selected folder is read-only or its access changes),
    /// `"sasl_challenge"`, `"starttls"`, `"response_error"`,
    /// `"protocol_error"`, `"logged_out"`, `"connection_lost"`.
    kind: &'static str,
    id: Option<u64>,
    data: Py<PyAny>,
}

#[pymethods]
impl PyEvent {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let id = self.id.map_or_else(|| "None".to_owned(), |id| id.to_string());
        Ok(format!("Event(kind='{}', id={id}, data={})", self.kind, self.data.bind(py).repr()?))
    }
}

fn append_message(
    msg: &Bound<'_, PyAny>,
    flags: Option<&Bound<'_, PyAny>>,
    msg_time: Option<&Bound<'_, PyAny>>,
) -> PyResult<AppendMessage> {
    let data = input::text_bytes(msg)?;
    let mut message = AppendMessage::new(data);
    if let Some(f) = flags {
        message = message.flags(&input::flags(f)?);
    }
    if let Some(t) = msg_time.filter(|t| !t.is_none()) {
        message = message.date(input::datetime(t)?);
    }
    Ok(message)
}

fn client(core: &mut Mutex<Client>) -> &mut Client {
    core.get_mut().unwrap_or_else(PoisonError::into_inner)
}

fn caps_tuple<'py>(py: Python<'py>, caps: &imap_core::types::Capabilities) -> PyResult<Bound<'py, PyAny>> {
    let items: Vec<_> =
        caps.iter().map(|c| PyBytes::new(py, c.to_string().to_ascii_uppercase().as_bytes())).collect();
    Ok(PyTuple::new(py, items)?.into_any())
}

fn thread_tuple<'py>(py: Python<'py>, t: &imap_core::types::Thread) -> PyResult<Bound<'py, PyAny>> {
    let mut items: Vec<Bound<'py, PyAny>> =
        t.messages.iter().map(|m| m.into_bound_py_any(py)).collect::<PyResult<_>>()?;
    for child in &t.children {
        items.push(thread_tuple(py, child)?);
    }
    Ok(PyTuple::new(py, items)?.into_any())
}

fn command_number(handle: &AnyHandle) -> u64 {
    id_number(handle.id())
}

fn id_number(id: imap_core::request::CommandId) -> u64 {
    id.get()
}

/// A refused request, as IMAPClient's exception.
fn usage_error(e: UsageError) -> PyErr {
    Python::attach(|py| usage_to_py(py, &e))
}

fn usage_to_py(py: Python<'_>, e: &UsageError) -> PyErr {
    let kind = match e {
        UsageError::WrongState { .. } => Exc::IllegalState,
        UsageError::MissingCapability { .. } => Exc::Capability,
        UsageError::Closed => Exc::Abort,
        UsageError::ReadOnly { .. } => Exc::ReadOnly,
        _ => Exc::Error,
    };
    error(py, kind, &e.to_string())
}

fn command_error(py: Python<'_>, shape: &Shape, e: &CommandError) -> PyErr {
    let kind = match (e, shape) {
        (CommandError::No { .. } | CommandError::Bad { .. }, Shape::Login | Shape::LoginList) => Exc::Login,
        (CommandError::Bad { .. }, Shape::Search | Shape::ESearch | Shape::Sort | Shape::Thread) => {
            Exc::InvalidCriteria
        }
        (CommandError::No { .. } | CommandError::Bad { .. }, _) => Exc::Error,
        (CommandError::Sasl(_), _) => Exc::Login,
        (CommandError::NotSent(u), _) => return usage_to_py(py, u),
        (CommandError::Connection(_), _) => Exc::Abort,
        _ => Exc::Error,
    };
    error(py, kind, &e.to_string())
}
