//! Training calculations.

use chrono::NaiveDate;
use pa_core::fitness::pmc::{DailyLoads, PmcOptions, PmcVariant, compute};
use pa_core::time::Day;
use pyo3::exceptions::PyRuntimeWarning;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::PyPaErr;

/// The Performance Manager Chart of `(date, load)` entries; several entries on a date add up and
/// missing dates are rest days. Returns a dict of equal-length lists (`date`, `load`, `ctl`, `atl`,
/// `tsb`, `ramp`), one item per calendar day, ready for `pandas.DataFrame(...)`.
#[pyfunction]
#[pyo3(signature = (dates, loads, *, variant = "gc", ctl_days = 42.0, atl_days = 7.0, ctl0 = 0.0, atl0 = 0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn pmc<'py>(
    py: Python<'py>,
    dates: Vec<NaiveDate>,
    loads: Vec<f64>,
    variant: &str,
    ctl_days: f64,
    atl_days: f64,
    ctl0: f64,
    atl0: f64,
) -> PyResult<Bound<'py, PyDict>> {
    if dates.len() != loads.len() {
        return Err(PyPaErr(pa_core::Error::invalid(
            "loads",
            format!("{} dates but {} loads", dates.len(), loads.len()),
        ))
        .into());
    }
    let variant: PmcVariant = variant.parse().map_err(PyPaErr)?;
    let options = PmcOptions {
        variant,
        ctl_days,
        atl_days,
        ctl0,
        atl0,
    };
    let chart = py
        .detach(|| {
            let series =
                DailyLoads::from_entries(dates.into_iter().map(Day::from_naive).zip(loads))?;
            compute(&series, &options)
        })
        .map_err(PyPaErr)?;
    for w in chart.warnings() {
        PyErr::warn(
            py,
            &py.get_type::<PyRuntimeWarning>(),
            &std::ffi::CString::new(w.to_string())?,
            1,
        )?;
    }
    let out = PyDict::new(py);
    out.set_item(
        "date",
        chart.rows().map(|d| d.day.naive()).collect::<Vec<_>>(),
    )?;
    out.set_item("load", chart.load())?;
    out.set_item("ctl", chart.ctl())?;
    out.set_item("atl", chart.atl())?;
    out.set_item("tsb", chart.tsb())?;
    out.set_item("ramp", chart.ramp())?;
    Ok(out)
}
