//! Long series in and out as columns: `array.array('d')` out (zero-copy for numpy, pandas and
//! polars through the buffer protocol), and in from anything with a float64 buffer (numpy arrays,
//! `array.array('d')`, a `memoryview`) or any sequence of numbers.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyTuple, PyType};

static ARRAY: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MEMORYVIEW: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `values` as an `array.array('d')`, copied once.
pub(crate) fn f64_array<'py>(py: Python<'py>, values: &[f64]) -> PyResult<Bound<'py, PyAny>> {
    let bytes = PyBytes::new(py, bytemuck::cast_slice(values));
    ARRAY.import(py, "array", "array")?.call1(("d", bytes))
}

/// A column of floats from Python: read as raw bytes when the object exposes a one-dimensional
/// float64 buffer, else item by item (`None` and non-numbers are a `TypeError`).
pub(crate) fn f64_column(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let py = obj.py();
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return obj.extract();
    }
    if let Ok(view) = MEMORYVIEW
        .import(py, "builtins", "memoryview")?
        .call1((obj,))
    {
        let format: String = view.getattr("format")?.extract()?;
        let ndim: usize = view.getattr("ndim")?.extract()?;
        if ndim == 1 && matches!(format.as_str(), "d" | "=d" | "@d") {
            let bytes = view.call_method0("tobytes")?;
            // Copied rather than cast: the bytes object's data need not be 8-byte aligned.
            return Ok(bytemuck::pod_collect_to_vec(
                bytes.cast::<PyBytes>()?.as_bytes(),
            ));
        }
        if ndim != 1 {
            return Err(PyTypeError::new_err(format!(
                "expected a one-dimensional column of numbers, got {ndim} dimensions"
            )));
        }
    }
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for item in obj.try_iter()? {
        out.push(item?.extract::<f64>()?);
    }
    Ok(out)
}
