//! The one mapping from Rust errors to pa's Python exceptions (defined in `pa/_errors.py`, so
//! each can also subclass its Python builtin and carry attributes such as `ParseError.line`).

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

impl From<PyStoreErr> for PyErr {
    fn from(e: PyStoreErr) -> PyErr {
        use pa_integrations::Error as E;
        let text = e.0.to_string();
        match e.0 {
            E::Core(_) => raise("InvalidInputError", text, &[]),
            E::UnknownUser { .. } | E::NoStore { .. } => raise("NotFoundError", text, &[]),
            E::Io { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                raise("NotFoundError", text, &[])
            }
            E::Parse {
                source_name, line, ..
            } => Python::attach(|py| {
                let file = source_name.into_pyobject(py).map(|f| f.into_any().unbind());
                let line = line.map(|l| l.into_pyobject(py).map(|l| l.into_any().unbind()));
                raise(
                    "ParseError",
                    text,
                    &[("file", file.ok()), ("line", line.and_then(Result::ok))],
                )
            }),
            E::WrongPassphrase | E::Secret { .. } => raise("AuthError", text, &[]),
            _ => raise("StorageError", text, &[]),
        }
    }
}
