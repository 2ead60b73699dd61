//! The one mapping from Rust errors to pa's Python exceptions (defined in `pa/_errors.py`, so
//! each can also subclass its Python builtin and carry attributes such as `ParseError.line`).

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// An instance of the exception class `name` of `pa._errors`, with keyword attributes.
pub(crate) fn raise(name: &str, message: String, attrs: &[(&str, Option<Py<PyAny>>)]) -> PyErr {
    Python::attach(|py| {
        let made = (|| -> PyResult<PyErr> {
            let module =
                ERRORS.get_or_try_init(py, || Ok::<_, PyErr>(py.import("pa._errors")?.unbind()))?;
            let class = module.bind(py).getattr(name)?;
            let kwargs = PyDict::new(py);
            for (key, value) in attrs {
                kwargs.set_item(key, value)?;
            }
            Ok(PyErr::from_value(
                class.call((message.clone(),), Some(&kwargs))?,
            ))
        })();
        // Only a broken installation (no pa._errors) lands here; the message still gets through.
        made.unwrap_or_else(|e| PyRuntimeError::new_err(format!("{message} (and: {e})")))
    })
}

/// Local wrapper so the orphan rule lets us convert foreign errors into `PyErr` in one place.
pub(crate) struct PyPaErr(pub(crate) pa_core::Error);

impl From<pa_core::Error> for PyPaErr {
    fn from(e: pa_core::Error) -> Self {
        Self(e)
    }
}

impl From<PyPaErr> for PyErr {
    fn from(e: PyPaErr) -> PyErr {
        // Every pa-core error describes bad input or a broken rule.
        raise("InvalidInputError", e.0.to_string(), &[])
    }
}

/// Errors of pa-integrations, mapped once.
pub(crate) struct PyStoreErr(pub(crate) pa_integrations::Error);

impl From<pa_integrations::Error> for PyStoreErr {
    fn from(e: pa_integrations::Error) -> Self {
        Self(e)
    }
}

/// `v` as a Python object for an exception attribute (`None` if it cannot be made).
fn value<'py>(py: Python<'py>, v: impl IntoPyObject<'py>) -> Option<Py<PyAny>> {
    v.into_bound_py_any(py).ok().map(Bound::unbind)
}

impl From<PyStoreErr> for PyErr {
    fn from(e: PyStoreErr) -> PyErr {
        use pa_integrations::{Error as E, ErrorKind as K};
        let text = e.0.to_string();
        // A file's OS error is Python's OSError too, carrying the OS's own reason.
        if let E::Io { path, source } = &e.0 {
            let reason = source.to_string();
            let reason = match reason.find(" (os error") {
                Some(at) => reason[..at].to_owned(),
                None => reason,
            };
            let class = if source.kind() == std::io::ErrorKind::NotFound {
                "NoSuchFileError"
            } else {
                "StorageError"
            };
            return Python::attach(|py| {
                raise(
                    class,
                    format!("{text}: {reason}"),
                    &[
                        ("errno", source.raw_os_error().and_then(|n| value(py, n))),
                        ("strerror", value(py, reason.as_str())),
                        ("filename", value(py, path.display().to_string())),
                    ],
                )
            });
        }
        // One exhaustive match on the kind: a new kind of error fails to compile here until it
        // has its Python class.
        match e.0.kind() {
            K::InvalidInput => raise("InvalidInputError", text, &[]),
            K::Parse => Python::attach(|py| {
                let (file, line) = match &e.0 {
                    E::Parse {
                        source_name, line, ..
                    } => (
                        value(py, source_name.as_str()),
                        line.and_then(|l| value(py, l)),
                    ),
                    _ => (None, None),
                };
                raise("ParseError", text, &[("file", file), ("line", line)])
            }),
            K::NotFound | K::UnknownUser => raise("NotFoundError", text, &[]),
            K::Conflict => raise("ConflictError", text, &[]),
            K::Auth | K::ReadOnly => raise("AuthError", text, &[]),
            K::Network => raise("NetworkError", text, &[]),
            K::RateLimited => Python::attach(|py| {
                let after = match &e.0 {
                    E::RateLimited { retry_after, .. } => {
                        retry_after.and_then(|d| value(py, d.as_secs_f64()))
                    }
                    _ => None,
                };
                raise("RateLimitedError", text, &[("retry_after", after)])
            }),
            K::Provider => Python::attach(|py| {
                let (service, status) = match &e.0 {
                    E::Provider {
                        service, status, ..
                    } => (
                        value(py, service.as_str()),
                        status.and_then(|s| value(py, s)),
                    ),
                    _ => (None, None),
                };
                raise(
                    "ProviderError",
                    text,
                    &[("service", service), ("status", status)],
                )
            }),
            K::Cancelled => raise("CancelledError", text, &[]),
            K::Corrupt | K::Output | K::Io => raise("StorageError", text, &[]),
        }
    }
}
