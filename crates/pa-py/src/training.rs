//! Training calculations.

use chrono::NaiveDate;
use pa_core::fitness::pmc::{DailyLoads, Pmc, PmcOptions, PmcVariant, compute, compute_dense};
use pa_core::time::Day;
use pyo3::exceptions::PyRuntimeWarning;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::columns::{DateColumn, date_list, f64_array, f64_column};
use crate::errors::PyPaErr;

fn options(
    variant: &str,
    ctl_days: f64,
    atl_days: f64,
    ctl0: f64,
    atl0: f64,
) -> PyResult<PmcOptions> {
    Ok(PmcOptions {
        variant: variant.parse::<PmcVariant>().map_err(PyPaErr)?,
        ctl_days,
        atl_days,
        ctl0,
        atl0,
    })
}

/// How a chart's columns go back to Python.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `array.array('d')` numbers (no numpy needed).
    Arrays,
    /// numpy arrays over the same memory, for input that came as numpy or pandas columns:
    /// pandas takes them as they are, where it reads an `array.array` item by item (ten years:
    /// 1 ms against 0.27).
    Numpy,
}

/// The chart's warnings as Python `RuntimeWarning`s, and its numeric columns as arrays.
pub(crate) fn columns<'py>(
    py: Python<'py>,
    chart: &Pmc,
    shape: Shape,
) -> PyResult<Bound<'py, PyDict>> {
    for w in chart.warnings() {
        PyErr::warn(
            py,
            &py.get_type::<PyRuntimeWarning>(),
            &std::ffi::CString::new(w.to_string())?,
            1,
        )?;
    }
    let numpy = match shape {
        Shape::Numpy => Some(py.import("numpy")?),
        Shape::Arrays => None,
    };
    let out = PyDict::new(py);
    for (name, values) in [
        ("load", chart.load()),
        ("ctl", chart.ctl()),
        ("atl", chart.atl()),
        ("tsb", chart.tsb()),
        ("ramp", chart.ramp()),
    ] {
        let array = f64_array(py, values)?;
        match &numpy {
            Some(np) => out.set_item(name, np.call_method1("frombuffer", (array, "float64"))?)?,
            None => out.set_item(name, array)?,
        }
    }
    Ok(out)
}

/// The Performance Manager Chart of `(date, load)` entries; several entries on a date add up and
/// missing dates are rest days. `dates` is any iterable of dates (a `datetime` counts on its own
/// date). Returns a dict of equal-length columns (`date` a list of dates,
/// `load`, `ctl`, `atl`, `tsb`, `ramp` float arrays), one item per calendar day, ready for
/// `pandas.DataFrame(...)`.
#[pyfunction]
#[pyo3(signature = (dates, loads, *, variant = "gc", ctl_days = 42.0, atl_days = 7.0, ctl0 = 0.0, atl0 = 0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn pmc<'py>(
    py: Python<'py>,
    dates: &Bound<'py, PyAny>,
    loads: &Bound<'py, PyAny>,
    variant: &str,
    ctl_days: f64,
    atl_days: f64,
    ctl0: f64,
    atl0: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let dates = DateColumn::extract(dates)?;
    let loads = f64_column(loads)?;
    if dates.len != loads.len() {
        return Err(PyPaErr(pa_core::Error::invalid(
            "loads",
            format!("{} dates but {} loads", dates.len, loads.len()),
        ))
        .into());
    }
    let options = options(variant, ctl_days, atl_days, ctl0, atl0)?;
    // No loads, no rows (as `pmc_series(start, [])` answers); one load a day, day after day (a
    // pandas Series over a date_range), already the dense series: nothing to sort or sum.
    let chart = if loads.is_empty() {
        compute_dense(Day::EARLIEST, &[], &options)
    } else if let Some(first) = dates.consecutive_from {
        compute_dense(Day::from_naive(first), &loads, &options)
    } else {
        let entries = dates.days.iter().map(|d| Day::from_naive(*d)).zip(loads);
        DailyLoads::from_entries(entries).and_then(|series| compute(&series, &options))
    }
    .map_err(PyPaErr)?;
    if dates.datetime64 {
        // Dates given as datetime64 (numpy, pandas) come back so, every day from the chart's
        // start: `set_index("date")` is then a DatetimeIndex, ready to resample.
        let out = columns(py, &chart, Shape::Numpy)?;
        out.set_item(
            "date",
            crate::columns::datetime64_array(py, chart.start(), chart.len())?,
        )?;
        return Ok(out);
    }
    let out = columns(py, &chart, Shape::Arrays)?;
    out.set_item(
        "date",
        date_list(py, chart.rows().map(|d| d.day), Some(&dates))?,
    )?;
    Ok(out)
}

/// The Performance Manager Chart of a dense daily series: `loads[i]` is the load of day
/// `start + i` (a numpy array, `array.array('d')` or any sequence of numbers). Returns a dict of
/// float arrays (`load`, `ctl`, `atl`, `tsb`, `ramp`) as long as `loads`: a pandas frame is
/// `pandas.DataFrame(out, index=pandas.date_range(start, periods=len(loads)))`.
#[pyfunction]
#[pyo3(signature = (start, loads, *, variant = "gc", ctl_days = 42.0, atl_days = 7.0, ctl0 = 0.0, atl0 = 0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn pmc_series<'py>(
    py: Python<'py>,
    start: NaiveDate,
    loads: &Bound<'py, PyAny>,
    variant: &str,
    ctl_days: f64,
    atl_days: f64,
    ctl0: f64,
    atl0: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let loads = f64_column(loads)?;
    let options = options(variant, ctl_days, atl_days, ctl0, atl0)?;
    // Ten years take microseconds: releasing the GIL would cost more than it frees.
    let chart = compute_dense(Day::from_naive(start), &loads, &options).map_err(PyPaErr)?;
    columns(py, &chart, Shape::Arrays)
}

/// The band a TSB value falls in (GoldenCheetah's): `"fresh"` above 15, `"optimal"` from −5 to
/// 15, `"productive"` from −40 to −5, `"overreaching"` below −40.
#[pyfunction]
pub(crate) fn form(tsb: f64) -> PyResult<&'static str> {
    use pa_core::fitness::pmc::Form;
    Ok(match Form::of(tsb).map_err(PyPaErr)? {
        Form::Fresh => "fresh",
        Form::Optimal => "optimal",
        Form::Productive => "productive",
        Form::Overreaching => "overreaching",
    })
}
