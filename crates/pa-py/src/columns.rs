//! Long series in and out as columns: `array.array('d')` out (zero-copy for numpy, pandas and
//! polars through the buffer protocol), and in from anything with a float64 buffer (numpy arrays,
//! `array.array('d')`, a `memoryview`) or any sequence of numbers. Dates go both ways through
//! their proleptic ordinals, one C call per item.

use chrono::{Datelike, NaiveDate};
use pa_core::time::Day;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDate, PyList, PyTuple, PyType};

static ARRAY: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MEMORYVIEW: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

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

/// A column of dates from Python, with the objects themselves kept so that results on the same
/// days can hand them back rather than build new ones.
pub(crate) struct DateColumn<'py> {
    /// The dates, in input order.
    pub(crate) days: Vec<NaiveDate>,
    /// The input objects that are plain `datetime.date`s (a `datetime` is a `date` too, but one
    /// must not come back where a date is expected), by position.
    objects: Vec<Option<Bound<'py, PyAny>>>,
}

impl<'py> DateColumn<'py> {
    /// Reads any iterable of `datetime.date` (or `datetime`, whose date is taken). The limited
    /// API has no date accessors, so `toordinal()` is one call where `year`, `month` and `day`
    /// are three attribute reads.
    pub(crate) fn extract(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        let date = DATE.import(py, "datetime", "date")?;
        let capacity = obj.len().unwrap_or(0);
        let (mut days, mut objects) = (Vec::with_capacity(capacity), Vec::with_capacity(capacity));
        for (i, item) in obj.try_iter()?.enumerate() {
            let item = item?;
            if !item.is_instance_of::<PyDate>() {
                return Err(PyTypeError::new_err(format!(
                    "dates[{i}]: expected a datetime.date, got {}",
                    item.get_type().name()?
                )));
            }
            let ordinal: i32 = item
                .call_method0(pyo3::intern!(py, "toordinal"))?
                .extract()?;
            days.push(from_ordinal(ordinal)?);
            objects.push(item.get_type().is(date).then_some(item));
        }
        Ok(Self { days, objects })
    }
}

fn from_ordinal(ordinal: i32) -> PyResult<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(ordinal)
        .ok_or_else(|| PyTypeError::new_err(format!("date ordinal {ordinal} is out of range")))
}

/// `days` as a list of `datetime.date`, reusing the objects of `reuse` where they fall on the
/// same day (dates are immutable, so sharing them is safe and saves building one per day). The
/// reuse walks both in day order, so it applies while `days` ascends, as a chart's rows do.
pub(crate) fn date_list<'py>(
    py: Python<'py>,
    days: impl ExactSizeIterator<Item = Day>,
    reuse: Option<&DateColumn<'py>>,
) -> PyResult<Bound<'py, PyList>> {
    let mut known: Vec<(NaiveDate, &Bound<'py, PyAny>)> = reuse
        .map(|c| {
            c.days
                .iter()
                .zip(&c.objects)
                .filter_map(|(d, o)| Some((*d, o.as_ref()?)))
                .collect()
        })
        .unwrap_or_default();
    // Stable and linear on input that is already in order, the usual case.
    known.sort_by_key(|(d, _)| *d);
    let mut known = known.into_iter().peekable();
    let fromordinal = DATE
        .import(py, "datetime", "date")?
        .getattr(pyo3::intern!(py, "fromordinal"))?;
    let list = PyList::empty(py);
    for day in days {
        let day = day.naive();
        while known.next_if(|(d, _)| *d < day).is_some() {}
        match known.peek() {
            Some((d, o)) if *d == day => list.append(*o)?,
            _ => list.append(fromordinal.call1((day.num_days_from_ce(),))?)?,
        }
    }
    Ok(list)
}
