//! Python arguments, as IMAPClient's methods take them, into the core's
//! typed values: message ids, folder names, flags, dates, criteria.

use imap_core::types::{Date, DateTime, Flag, Mailbox, SequenceSet, StatusAttr};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::args::Criterion;

/// Text from `str` or `bytes`.
pub(crate) fn text_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!("expected str or bytes, got {}", value.get_type().name()?)))
}

pub(crate) fn text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(String::from_utf8_lossy(&text_bytes(value)?).into_owned())
}

/// A single string, or a sequence of strings (IMAPClient's
/// `normalise_text_list`).
pub(crate) fn text_list(value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>() {
        return Ok(vec![text(value)?]);
    }
    value.try_iter()?.map(|item| text(&item?)).collect()
}

/// Message ids: an int, a string such as `"1:*"` or `"3,5"`, or a sequence
/// of ints and strings.
pub(crate) fn messages(value: &Bound<'_, PyAny>) -> PyResult<SequenceSet> {
    let mut set = SequenceSet::new();
    let mut add = |item: &Bound<'_, PyAny>| -> PyResult<()> {
        if let Ok(n) = item.extract::<u32>() {
            if n == 0 {
                return Err(PyValueError::new_err("message ids start at 1"));
            }
            set.push(n);
            return Ok(());
        }
        let t = text_bytes(item)?;
        let parsed = SequenceSet::parse(&t).map_err(|e| {
            PyValueError::new_err(format!("bad message id {:?}: {e}", String::from_utf8_lossy(&t)))
        })?;
        for r in parsed.ranges() {
            set.push_range(r.start, r.end);
        }
        Ok(())
    };
    if value.extract::<u32>().is_ok()
        || value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyBytes>()
    {
        add(value)?;
    } else {
        for item in value.try_iter()? {
            add(&item?)?;
        }
    }
    if set.is_empty() {
        return Err(PyValueError::new_err("no message ids given"));
    }
    // Merged ranges: a list of 2,000 ids becomes `1:2000`, on the wire and
    // for the membership test of every result.
    Ok(set.normalized())
}

/// A folder name: with `folder_encode` a Unicode name (modified UTF-7 is
/// the core's business), else the name as sent on the wire.
pub(crate) fn folder(value: &Bound<'_, PyAny>, folder_encode: bool) -> PyResult<Mailbox> {
    if folder_encode {
        if let Ok(b) = value.cast::<PyBytes>() {
            let name = std::str::from_utf8(b.as_bytes())
                .map_err(|_| PyValueError::new_err("a folder name given as bytes must be ASCII"))?;
            return Ok(Mailbox::new(name));
        }
        return Ok(Mailbox::new(text(value)?));
    }
    Ok(Mailbox::from_wire(text_bytes(value)?))
}

/// Gmail labels: one string or a sequence of them (IMAPClient's
/// `_normalise_labels`). A `str` is a Unicode name (`"Muy Importante"`,
/// `"\\Inbox"`); `bytes` are taken as already encoded, as IMAPClient sends
/// them unchanged (a label read from a raw FETCH goes back as it came).
pub(crate) fn labels(value: &Bound<'_, PyAny>) -> PyResult<Vec<Mailbox>> {
    let one = |item: &Bound<'_, PyAny>| -> PyResult<Mailbox> {
        match item.cast::<PyBytes>() {
            Ok(b) => Ok(Mailbox::from_wire(b.as_bytes().to_vec())),
            Err(_) => Ok(Mailbox::new(text(item)?)),
        }
    };
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>() {
        return Ok(vec![one(value)?]);
    }
    value.try_iter()?.map(|item| one(&item?)).collect()
}

/// Flags: one string or a sequence of them, as sent (`\\Seen`, `$Label`).
pub(crate) fn flags(value: &Bound<'_, PyAny>) -> PyResult<Vec<Flag>> {
    Ok(text_list(value)?.iter().map(|f| Flag::from_wire(f.as_bytes())).collect())
}

/// STATUS items by name.
pub(crate) fn status_attrs(names: &[String]) -> PyResult<Vec<StatusAttr>> {
    names
        .iter()
        .map(|n| match n.to_ascii_uppercase().as_str() {
            "MESSAGES" => Ok(StatusAttr::Messages),
            "RECENT" => Ok(StatusAttr::Recent),
            "UIDNEXT" => Ok(StatusAttr::UidNext),
            "UIDVALIDITY" => Ok(StatusAttr::UidValidity),
            "UNSEEN" => Ok(StatusAttr::Unseen),
            "DELETED" => Ok(StatusAttr::Deleted),
            "SIZE" => Ok(StatusAttr::Size),
            "HIGHESTMODSEQ" => Ok(StatusAttr::HighestModSeq),
            "APPENDLIMIT" => Ok(StatusAttr::AppendLimit),
            "MAILBOXID" => Ok(StatusAttr::MailboxId),
            "DELETED-STORAGE" => Ok(StatusAttr::DeletedStorage),
            other => Err(PyValueError::new_err(format!("unknown STATUS item {other:?}"))),
        })
        .collect()
}

/// A `datetime` as an internal date: an aware one keeps its offset, a
/// naive one is taken in the machine's current zone (IMAPClient's
/// `datetime_to_INTERNALDATE`).
pub(crate) fn datetime(value: &Bound<'_, PyAny>) -> PyResult<DateTime> {
    let py = value.py();
    let aware = if value.getattr("tzinfo")?.is_none() {
        let time = py.import("time")?;
        let isdst: i64 = time.call_method0("localtime")?.getattr("tm_isdst")?.extract()?;
        let daylight: i64 = time.getattr("daylight")?.extract()?;
        let west: i64 = if isdst > 0 && daylight != 0 {
            time.getattr("altzone")?.extract()?
        } else {
            time.getattr("timezone")?.extract()?
        };
        let delta = py.import("datetime")?.getattr("timedelta")?.call1((0, -west))?;
        let tz = py.import("datetime")?.getattr("timezone")?.call1((delta,))?;
        value.call_method("replace", (), Some(&[("tzinfo", tz)].into_py_dict(py)?))?
    } else {
        value.clone()
    };
    let offset: f64 = aware.call_method0("utcoffset")?.call_method0("total_seconds")?.extract()?;
    let get = |name: &str| -> PyResult<u32> { aware.getattr(name)?.extract() };
    let date = Date::new(get("year")? as u16, get("month")? as u8, get("day")? as u8)
        .ok_or_else(|| PyValueError::new_err("date out of range"))?;
    DateTime::new(
        date,
        get("hour")? as u8,
        get("minute")? as u8,
        get("second")? as u8,
        (offset / 60.0) as i16,
    )
    .ok_or_else(|| PyValueError::new_err("time or offset out of range"))
}

use pyo3::types::IntoPyDict;

/// IMAPClient's search criteria: a string (sent as given) or a list of
/// keys, arguments and nested lists; `str` items are encoded with
/// `charset` (default US-ASCII).
pub(crate) fn criteria(value: &Bound<'_, PyAny>, charset: Option<&str>) -> PyResult<Vec<Criterion>> {
    let encode = |s: &Bound<'_, PyString>| -> PyResult<Vec<u8>> {
        let charset = charset.unwrap_or("us-ascii");
        s.call_method1("encode", (charset,))?.extract::<Vec<u8>>()
    };
    let mut out = Vec::new();
    for item in value.try_iter()? {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push(Criterion::Text(encode(s)?));
        } else if let Ok(b) = item.cast::<PyBytes>() {
            out.push(Criterion::Text(b.as_bytes().to_vec()));
        } else if item.is_instance_of::<pyo3::types::PyBool>() {
            return Err(PyTypeError::new_err("a search criterion cannot be a bool"));
        } else if let Ok(n) = item.extract::<u64>() {
            out.push(Criterion::Number(n));
        } else if item.hasattr("year")? && item.hasattr("month")? && item.hasattr("day")? {
            let get = |name: &str| -> PyResult<u32> { item.getattr(name)?.extract() };
            let date = Date::new(get("year")? as u16, get("month")? as u8, get("day")? as u8)
                .ok_or_else(|| PyValueError::new_err("date out of range"))?;
            out.push(Criterion::Date(date));
        } else {
            out.push(Criterion::List(criteria(&item, charset)?));
        }
    }
    Ok(out)
}
