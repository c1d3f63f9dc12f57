//! The extension module `imap_core._core`: the engine, the envelope
//! classes, and the mapping of the core's errors onto IMAPClient's
//! exception classes (defined in `imap_core.exceptions`).

mod convert;
mod engine;
mod input;
mod types;

use pyo3::prelude::*;

/// IMAPClient's exception classes, by role.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Exc {
    Error,
    Abort,
    Login,
    Capability,
    IllegalState,
    InvalidCriteria,
    ReadOnly,
}

/// An exception of `imap_core.exceptions` with `message`.
pub(crate) fn error(py: Python<'_>, kind: Exc, message: &str) -> PyErr {
    let name = match kind {
        Exc::Error => "IMAPClientError",
        Exc::Abort => "IMAPClientAbortError",
        Exc::Login => "LoginError",
        Exc::Capability => "CapabilityError",
        Exc::IllegalState => "IllegalStateError",
        Exc::InvalidCriteria => "InvalidCriteriaError",
        Exc::ReadOnly => "IMAPClientReadOnlyError",
    };
    let class = py.import("imap_core.exceptions").and_then(|m| m.getattr(name));
    match class {
        Ok(class) => match class.call1((message,)) {
            Ok(instance) => PyErr::from_value(instance),
            Err(e) => e,
        },
        Err(e) => e,
    }
}

/// The module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<engine::PyEvent>()?;
    m.add_class::<types::PyEnvelope>()?;
    m.add_class::<types::PyAddress>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
