//! IMAPClient's `Envelope` and `Address`, with its field names, as classes
//! built in Rust (a FETCH of thousands of envelopes makes tens of
//! thousands of them: a Python `__init__` each would dominate the time).

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// An ENVELOPE: `date` (a `datetime`, or `None` if absent or unreadable),
/// `subject`, `in_reply_to` and `message_id` as `bytes` (or `None`), and
/// the address lists `from_`, `sender`, `reply_to`, `to`, `cc`, `bcc` as
/// tuples of `Address` (or `None` when empty). Compares equal field by
/// field.
#[pyclass(module = "imap_core.response_types", name = "Envelope", get_all, frozen)]
pub(crate) struct PyEnvelope {
    pub(crate) date: Py<PyAny>,
    pub(crate) subject: Py<PyAny>,
    pub(crate) from_: Py<PyAny>,
    pub(crate) sender: Py<PyAny>,
    pub(crate) reply_to: Py<PyAny>,
    pub(crate) to: Py<PyAny>,
    pub(crate) cc: Py<PyAny>,
    pub(crate) bcc: Py<PyAny>,
    pub(crate) in_reply_to: Py<PyAny>,
    pub(crate) message_id: Py<PyAny>,
}

const ENVELOPE_FIELDS: [&str; 10] =
    ["date", "subject", "from_", "sender", "reply_to", "to", "cc", "bcc", "in_reply_to", "message_id"];

impl PyEnvelope {
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            [
                &self.date,
                &self.subject,
                &self.from_,
                &self.sender,
                &self.reply_to,
                &self.to,
                &self.cc,
                &self.bcc,
                &self.in_reply_to,
                &self.message_id,
            ]
            .map(|f| f.bind(py).clone()),
        )
    }
}

#[pymethods]
impl PyEnvelope {
    #[new]
    #[pyo3(signature = (date, subject, from_, sender, reply_to, to, cc, bcc, in_reply_to, message_id))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        date: Py<PyAny>,
        subject: Py<PyAny>,
        from_: Py<PyAny>,
        sender: Py<PyAny>,
        reply_to: Py<PyAny>,
        to: Py<PyAny>,
        cc: Py<PyAny>,
        bcc: Py<PyAny>,
        in_reply_to: Py<PyAny>,
        message_id: Py<PyAny>,
    ) -> Self {
        PyEnvelope { date, subject, from_, sender, reply_to, to, cc, bcc, in_reply_to, message_id }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = other.py();
        match other.cast::<PyEnvelope>() {
            Ok(o) => self.fields(py)?.eq(o.get().fields(py)?),
            Err(_) => Ok(false),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr("Envelope", &ENVELOPE_FIELDS, &self.fields(py)?)
    }
}

/// An address of an envelope: `name`, `route`, `mailbox`, `host`, each
/// `bytes` or `None`. Group syntax as IMAPClient documents it: a start
/// marker with `host` `None` and the group name in `mailbox`, an end
/// marker with both `None`.
#[pyclass(module = "imap_core.response_types", name = "Address", get_all, frozen)]
pub(crate) struct PyAddress {
    pub(crate) name: Py<PyAny>,
    pub(crate) route: Py<PyAny>,
    pub(crate) mailbox: Py<PyAny>,
    pub(crate) host: Py<PyAny>,
}

impl PyAddress {
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, [&self.name, &self.route, &self.mailbox, &self.host].map(|f| f.bind(py).clone()))
    }
}

#[pymethods]
impl PyAddress {
    #[new]
    fn new(name: Py<PyAny>, route: Py<PyAny>, mailbox: Py<PyAny>, host: Py<PyAny>) -> Self {
        PyAddress { name, route, mailbox, host }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = other.py();
        match other.cast::<PyAddress>() {
            Ok(o) => self.fields(py)?.eq(o.get().fields(py)?),
            Err(_) => Ok(false),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr("Address", &["name", "route", "mailbox", "host"], &self.fields(py)?)
    }

    /// `Name <mailbox@host>`, as IMAPClient's `Address.__str__`.
    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        let text = |v: &Py<PyAny>| -> PyResult<Option<String>> {
            let v = v.bind(py);
            if v.is_none() {
                return Ok(None);
            }
            Ok(Some(String::from_utf8_lossy(v.extract::<&[u8]>()?).into_owned()))
        };
        let (mailbox, host) = (text(&self.mailbox)?, text(&self.host)?);
        let address = match (&mailbox, &host) {
            (Some(m), Some(h)) if !m.is_empty() && !h.is_empty() => format!("{m}@{h}"),
            _ => mailbox.or(host).unwrap_or_default(),
        };
        let formataddr = py.import("email.utils")?.getattr("formataddr")?;
        formataddr.call1(((text(&self.name)?, address),))?.extract()
    }
}

fn repr(class: &str, names: &[&str], values: &Bound<'_, PyTuple>) -> PyResult<String> {
    let mut parts = Vec::with_capacity(names.len());
    for (name, value) in names.iter().zip(values.iter()) {
        parts.push(format!("{name}={}", value.repr()?));
    }
    Ok(format!("{class}({})", parts.join(", ")))
}
