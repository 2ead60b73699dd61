//! Table columns straight from the Rust values of native records, for `pa.frames.to_pandas`:
//! the same columns its generic path builds attribute by attribute (same names, flattening and
//! types), without converting each field to a Python object first.

use pa_core::finance::Transaction;
use pa_core::time::Day;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::records::PyTransaction;

static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The columns of `rows` for a pandas DataFrame when every row is a native `Transaction`
/// (dates as `datetime64[s]`, amounts as `Decimal`), else `None` (the generic path applies).
#[pyfunction]
#[pyo3(name = "_frame_columns")]
pub(crate) fn frame_columns<'py>(rows: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    let py = rows.py();
    let Ok(list) = rows.cast::<PyList>() else {
        return Ok(None);
    };
    let mut held = Vec::with_capacity(list.len());
    for row in list.iter() {
        match row.cast_into::<PyTransaction>() {
            Ok(t) => held.push(t),
            Err(_) => return Ok(None),
        }
    }
    if held.is_empty() {
        return Ok(None);
    }
    let rows: Vec<&Transaction> = held.iter().map(|t| &t.get().0).collect();
    transaction_columns(py, &rows).map(Some)
}

fn transaction_columns<'py>(
    py: Python<'py>,
    rows: &[&Transaction],
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("id", strings(py, rows.iter().map(|t| Some(t.id.as_str())))?)?;
    // A nested record splits into its parts once any row has one; while none has, it stays one
    // column of None, as the generic path leaves it.
    if rows.iter().any(|t| t.external.is_some()) {
        let part = |f: fn(&pa_core::ids::ExternalRef) -> &str| {
            strings(py, rows.iter().map(move |t| t.external.as_ref().map(f)))
        };
        out.set_item("external_source", part(|e| e.source())?)?;
        out.set_item("external_external_id", part(|e| e.external_id())?)?;
    } else {
        out.set_item("external", nones(py, rows.len())?)?;
    }
    out.set_item(
        "account",
        strings(py, rows.iter().map(|t| Some(t.account.as_str())))?,
    )?;
    out.set_item("posted", dates(py, rows.iter().map(|t| Some(t.posted)))?)?;
    out.set_item("authorized", dates(py, rows.iter().map(|t| t.authorized))?)?;
    // Exact decimals: their texts through `Decimal` in one `map` (no Python loop).
    let amounts = PyList::new(py, rows.iter().map(|t| t.amount.amount().to_string()))?;
    let decimal = DECIMAL.import(py, "decimal", "Decimal")?;
    let builtins = py.import("builtins")?;
    let amounts = builtins
        .getattr("list")?
        .call1((builtins.getattr("map")?.call1((decimal, amounts))?,))?;
    out.set_item("amount", amounts)?;
    out.set_item(
        "amount_currency",
        strings(py, rows.iter().map(|t| Some(t.amount.currency().code())))?,
    )?;
    out.set_item(
        "merchant",
        strings(py, rows.iter().map(|t| t.merchant.as_deref()))?,
    )?;
    out.set_item(
        "description",
        strings(py, rows.iter().map(|t| Some(t.description.as_str())))?,
    )?;
    out.set_item(
        "category",
        strings(
            py,
            rows.iter().map(|t| t.category.as_ref().map(|c| c.path())),
        )?,
    )?;
    out.set_item("pending", bools(py, rows.iter().map(|t| t.pending))?)?;
    out.set_item(
        "pending_id",
        strings(
            py,
            rows.iter()
                .map(|t| t.pending_id.as_ref().map(|p| p.as_str())),
        )?,
    )?;
    out.set_item(
        "transfer",
        PyList::new(py, rows.iter().map(|t| t.transfer))?,
    )?;
    Ok(out)
}

fn strings<'a, 'py>(
    py: Python<'py>,
    values: impl ExactSizeIterator<Item = Option<&'a str>>,
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, values)
}

/// A column of booleans as a numpy `bool` array.
fn bools<'py>(py: Python<'py>, values: impl Iterator<Item = bool>) -> PyResult<Bound<'py, PyAny>> {
    let bytes: Vec<u8> = values.map(u8::from).collect();
    py.import("numpy")?
        .call_method1("frombuffer", (PyBytes::new(py, &bytes), "bool"))
}

fn nones(py: Python<'_>, n: usize) -> PyResult<Bound<'_, PyList>> {
    PyList::new(py, (0..n).map(|_| py.None()))
}

/// A column of days as numpy `datetime64[s]` (missing days `NaT`), the unit the generic path
/// gives dates; a column with no day at all stays a list of None, as the generic path's does.
fn dates<'py>(
    py: Python<'py>,
    days: impl ExactSizeIterator<Item = Option<Day>> + Clone,
) -> PyResult<Bound<'py, PyAny>> {
    const SECONDS_PER_DAY: i64 = 86_400;
    let n = days.len();
    if days.clone().all(|d| d.is_none()) {
        return Ok(nones(py, n)?.into_any());
    }
    let epoch = chrono::DateTime::UNIX_EPOCH.date_naive();
    let seconds: Vec<i64> = days
        .map(|d| match d {
            Some(d) => d.naive().signed_duration_since(epoch).num_days() * SECONDS_PER_DAY,
            None => i64::MIN,
        })
        .collect();
    let bytes = PyBytes::new(py, bytemuck::cast_slice(&seconds));
    py.import("numpy")?
        .call_method1("frombuffer", (bytes, "int64"))?
        .call_method1("view", ("datetime64[s]",))
}
