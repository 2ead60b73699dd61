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
