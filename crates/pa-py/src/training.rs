//! Training calculations.

use chrono::NaiveDate;
use pa_core::fitness::pmc::{DailyLoads, Pmc, PmcOptions, PmcVariant, compute, compute_dense};
use pa_core::time::Day;
use pyo3::exceptions::PyRuntimeWarning;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict};

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

/// The chart's columns, in order, by name.
const COLUMNS: [&str; 5] = ["load", "ctl", "atl", "tsb", "ramp"];

fn column_values(chart: &Pmc) -> [&[f64]; 5] {
    [
        chart.load(),
        chart.ctl(),
        chart.atl(),
        chart.tsb(),
        chart.ramp(),
    ]
}

/// The chart's warnings as Python `RuntimeWarning`s.
fn warn(py: Python<'_>, chart: &Pmc) -> PyResult<()> {
    for w in chart.warnings() {
        PyErr::warn(
            py,
            &py.get_type::<PyRuntimeWarning>(),
            &std::ffi::CString::new(w.to_string())?,
            1,
        )?;
    }
    Ok(())
}

/// The chart's columns as the rows of one writable float64 numpy array of shape (5, days), in
/// [`COLUMNS`] order: one buffer filled once, which pandas takes as its block without a copy.
fn block<'py>(py: Python<'py>, chart: &Pmc) -> PyResult<Bound<'py, PyAny>> {
    let columns = column_values(chart);
    let size = std::mem::size_of::<f64>() * chart.len();
    let bytes = PyByteArray::new_with(py, size * COLUMNS.len(), |buffer| {
        for (to, from) in buffer.chunks_exact_mut(size.max(1)).zip(columns) {
            to.copy_from_slice(bytemuck::cast_slice(from));
        }
        Ok(())
    })?;
    py.import("numpy")?
        .call_method1("frombuffer", (bytes, "float64"))?
        .call_method1("reshape", (COLUMNS.len(), chart.len()))
}

/// The chart's warnings as Python `RuntimeWarning`s, and its numeric columns as arrays.
pub(crate) fn columns<'py>(
    py: Python<'py>,
    chart: &Pmc,
    shape: Shape,
) -> PyResult<Bound<'py, PyDict>> {
    warn(py, chart)?;
    let out = PyDict::new(py);
    match shape {
        Shape::Numpy => {
            let block = block(py, chart)?;
            for (i, name) in COLUMNS.into_iter().enumerate() {
                out.set_item(name, block.get_item(i)?)?;
            }
        }
        Shape::Arrays => {
            for (name, values) in COLUMNS.into_iter().zip(column_values(chart)) {
                out.set_item(name, f64_array(py, values)?)?;
            }
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
    let (dates, chart) = chart_of(
        dates,
        loads,
        options(variant, ctl_days, atl_days, ctl0, atl0)?,
    )?;
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

/// The chart of `(date, load)` columns, with the dates as read.
fn chart_of<'py>(
    dates: &Bound<'py, PyAny>,
    loads: &Bound<'py, PyAny>,
    options: PmcOptions,
) -> PyResult<(DateColumn<'py>, Pmc)> {
    let dates = DateColumn::extract(dates)?;
    let loads = f64_column(loads)?;
    if dates.len != loads.len() {
        return Err(PyPaErr(pa_core::Error::invalid(
            "loads",
            format!("{} dates but {} loads", dates.len, loads.len()),
        ))
        .into());
    }
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
    Ok((dates, chart))
}

/// `pa.pmc_frame`'s part: the chart of `(dates, loads)` as one (5, days) float64 array (rows
/// `load`, `ctl`, `atl`, `tsb`, `ramp`) and its days as a `datetime64[D]` array, or `None` when
/// `dates` is already exactly those days (a daily DatetimeIndex at midnight, to be reused).
#[pyfunction]
#[pyo3(name = "_pmc_block", signature = (dates, loads, variant, ctl_days, atl_days, ctl0, atl0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn pmc_block<'py>(
    py: Python<'py>,
    dates: &Bound<'py, PyAny>,
    loads: &Bound<'py, PyAny>,
    variant: &str,
    ctl_days: f64,
    atl_days: f64,
    ctl0: f64,
    atl0: f64,
) -> PyResult<(Bound<'py, PyAny>, Option<Bound<'py, PyAny>>)> {
    let (dates, chart) = chart_of(
        dates,
        loads,
        options(variant, ctl_days, atl_days, ctl0, atl0)?,
    )?;
    warn(py, &chart)?;
    let days = if dates.same_as_days && dates.len == chart.len() {
        None
    } else {
        Some(crate::columns::datetime64_array(
            py,
            chart.start(),
            chart.len(),
        )?)
    };
    Ok((block(py, &chart)?, days))
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
