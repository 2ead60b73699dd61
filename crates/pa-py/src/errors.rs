//! The Python exception hierarchy and the one mapping from Rust errors to it.

use pyo3::PyErr;
use pyo3::create_exception;
use pyo3::exceptions::PyException;

create_exception!(
    pa,
    PaError,
    PyException,
    "Base class of every error pa raises."
);
create_exception!(
    pa,
    InvalidInputError,
    PaError,
    "A value given to pa breaks a documented rule."
);
create_exception!(
    pa,
    ParseError,
    InvalidInputError,
    "A file pa was asked to read is malformed; the message names the file, line and problem."
);
create_exception!(
    pa,
    StorageError,
    PaError,
    "The store or a file cannot be read or written (I/O, a corrupt or newer database)."
);

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
        InvalidInputError::new_err(e.0.to_string())
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
            E::Core(_) | E::UnknownUser { .. } => InvalidInputError::new_err(text),
            E::Parse { .. } => ParseError::new_err(text),
            _ => StorageError::new_err(text),
        }
    }
}
