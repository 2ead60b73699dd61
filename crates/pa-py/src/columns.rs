//! Long series in and out as columns: `array.array('d')` out (zero-copy for numpy, pandas and
//! polars through the buffer protocol), and in from anything with a float64 buffer (numpy arrays,
//! `array.array('d')`, a `memoryview`) or any sequence of numbers. Dates go both ways through
//! their proleptic ordinals, one C call per item.

use chrono::{DateTime, Datelike, NaiveDate};
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
    // pandas and polars columns (nullable ones too: a missing value reads as 0) and numpy
    // arrays of other number types become one float64 numpy array, read below as a buffer.
    let (obj, missing_as_zero) = &match numeric_dtype(obj)? {
        Some(kind) if kind != "f" || obj.hasattr(pyo3::intern!(py, "to_numpy"))? => {
            as_float64(obj)?
        }
        _ => (obj.clone(), false),
    };
    if !missing_as_zero {
        return f64_buffer(obj);
    }
    // A float64 Series' own one-dimensional array: its bytes are the numbers.
    let bytes = obj.call_method0(pyo3::intern!(py, "tobytes"))?;
    let mut out: Vec<f64> = bytemuck::pod_collect_to_vec(bytes.cast::<PyBytes>()?.as_bytes());
    for v in out.iter_mut().filter(|v| v.is_nan()) {
        *v = 0.0;
    }
    Ok(out)
}

/// The numbers of a column that [`f64_column`] has in hand.
fn f64_buffer(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let py = obj.py();
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

/// The numpy kind of `obj`'s dtype (`"f"`, `"i"`, `"u"`, `"b"`, `"M"` …), if it has one.
fn numeric_dtype(obj: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let py = obj.py();
    let Ok(dtype) = obj.getattr(pyo3::intern!(py, "dtype")) else {
        return Ok(None);
    };
    // polars dtypes have no `kind`: ask for numpy's view of the column instead.
    match dtype.getattr(pyo3::intern!(py, "kind")) {
        Ok(kind) => Ok(kind.extract().ok()),
        Err(_) if obj.hasattr(pyo3::intern!(py, "to_numpy"))? => Ok(Some("?".to_owned())),
        Err(_) => Ok(None),
    }
}

/// `obj` as a float64 numpy array, missing values (pandas' `NA` and `NaN`, polars' nulls) as 0: a
/// day with no recorded load is a day without training, as a day with no entry is. True when
/// the array still holds pandas' `NaN`s for the caller to make 0 (a float64 Series' own array,
/// taken without a copy: a pass of pandas' `na_value` costs four times the whole chart).
fn as_float64<'py>(obj: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, bool)> {
    let py = obj.py();
    let numpy = py.import("numpy")?;
    let float64 = numpy.getattr("float64")?;
    if obj.hasattr(pyo3::intern!(py, "to_numpy"))? {
        let dtype = obj.getattr(pyo3::intern!(py, "dtype"))?;
        if dtype.is_instance(&numpy.getattr("dtype")?)? && dtype.eq(&float64)? {
            return Ok((obj.call_method0("to_numpy")?, true));
        }
        let kwargs = pyo3::types::PyDict::new(py);
        // pandas: dtype and na_value; polars: a float cast first, then nulls filled.
        if obj.hasattr(pyo3::intern!(py, "cast"))? {
            let array = obj
                .call_method1("cast", (py.import("polars")?.getattr("Float64")?,))?
                .call_method1("fill_null", (0.0,))?
                .call_method0("to_numpy")?;
            return Ok((array, false));
        }
        kwargs.set_item("dtype", &float64)?;
        kwargs.set_item("na_value", 0.0)?;
        return Ok((obj.call_method("to_numpy", (), Some(&kwargs))?, false));
    }
    Ok((numpy.call_method1("asarray", (obj, float64))?, false))
}

/// Days since 1970-01-01 of a numpy `datetime64` column (a numpy array, a pandas Series or
/// DatetimeIndex, read in its own zone when it has one): one buffer instead of one call per
/// item. `None` when `obj` is not such a column; a missing date (`NaT`) is a `TypeError`.
fn datetime64_days(obj: &Bound<'_, PyAny>) -> PyResult<Option<Datetime64Days>> {
    let py = obj.py();
    if numeric_dtype(obj)?.as_deref() != Some("M") {
        return Ok(None);
    }
    let mut column = obj.clone();
    // A zone-aware pandas column: its wall-clock dates.
    let accessor = if column.hasattr("dt")? {
        column.getattr("dt")?
    } else {
        column.clone()
    };
    let mut zoned = false;
    if let Ok(tz) = accessor.getattr("tz")
        && !tz.is_none()
    {
        column = accessor.call_method1("tz_localize", (py.None(),))?;
        zoned = true;
    }
    let array = py.import("numpy")?.call_method1("asarray", (column,))?;
    // The raw counts in the column's own unit, read without a conversion pass when the unit is
    // a fixed length of time (pandas: nanoseconds, or s/ms/us); calendar units go through numpy.
    let unit: String = array
        .getattr(pyo3::intern!(py, "dtype"))?
        .getattr(pyo3::intern!(py, "str"))?
        .extract()?;
    let per_day: Option<i64> = match unit.get(3..) {
        Some("[D]") => Some(1),
        Some("[h]") => Some(24),
        Some("[m]") => Some(1_440),
        Some("[s]") => Some(86_400),
        Some("[ms]") => Some(86_400_000),
        Some("[us]") => Some(86_400_000_000),
        Some("[ns]") => Some(86_400_000_000_000),
        _ => None,
    };
    let (raw, per_day) = match per_day {
        Some(n) if unit.starts_with('<') || unit.starts_with('=') => {
            (array.call_method1("view", ("int64",))?, n)
        }
        _ => (
            array
                .call_method1("astype", ("datetime64[D]",))?
                .call_method1("astype", ("int64",))?,
            1,
        ),
    };
    let bytes = raw.call_method0("tobytes")?;
    let raw: Vec<i64> = bytemuck::pod_collect_to_vec(bytes.cast::<PyBytes>()?.as_bytes());
    // A daily index at midnight (pandas' date_range) is told by differences alone: no division
    // per value, which would cost more than the whole chart.
    if let Some(&first) = raw.first()
        && first != i64::MIN
        && raw.windows(2).all(|w| w[1].wrapping_sub(w[0]) == per_day)
    {
        return Ok(Some(Datetime64Days {
            len: raw.len(),
            days: Vec::new(),
            consecutive_from: Some(first.div_euclid(per_day)),
            midnights: !zoned && first % per_day == 0,
        }));
    }
    if let Some(i) = raw.iter().position(|d| *d == i64::MIN) {
        return Err(PyTypeError::new_err(format!(
            "dates[{i}]: expected a date, got NaT"
        )));
    }
    let days: Vec<i64> = raw.iter().map(|t| t.div_euclid(per_day)).collect();
    let consecutive_from = days
        .windows(2)
        .all(|w| w[1] == w[0] + 1)
        .then(|| days.first().copied())
        .flatten();
    Ok(Some(Datetime64Days {
        len: days.len(),
        days,
        consecutive_from,
        midnights: false,
    }))
}

/// A `datetime64` column read as days since 1970-01-01.
struct Datetime64Days {
    /// How many there are.
    len: usize,
    /// The days in input order; left empty when `consecutive_from` says them all.
    days: Vec<i64>,
    /// The first, when they run day after day with none missing or repeated.
    consecutive_from: Option<i64>,
    /// They run day after day from a zone-less midnight, each a midnight: the column is
    /// exactly its days.
    midnights: bool,
}

/// `len` consecutive days from `first` as a numpy `datetime64[D]` array, built from one buffer.
pub(crate) fn datetime64_array(
    py: Python<'_>,
    first: Day,
    len: usize,
) -> PyResult<Bound<'_, PyAny>> {
    let epoch = DateTime::UNIX_EPOCH.date_naive();
    let start = first.naive().signed_duration_since(epoch).num_days();
    let offsets: Vec<i64> = (0..len as i64).map(|i| start + i).collect();
    let bytes = PyBytes::new(py, bytemuck::cast_slice(&offsets));
    py.import("numpy")?
        .call_method1("frombuffer", (bytes, "int64"))?
        .call_method1("view", ("datetime64[D]",))
}

/// A column of dates from Python, with the objects themselves kept so that results on the same
/// days can hand them back rather than build new ones.
pub(crate) struct DateColumn<'py> {
    /// The dates, in input order.
    pub(crate) days: Vec<NaiveDate>,
    /// The input objects that are plain `datetime.date`s (a `datetime` is a `date` too, but one
    /// must not come back where a date is expected), by position.
    objects: Vec<Option<Bound<'py, PyAny>>>,
    /// They came as a numpy `datetime64` column (numpy, pandas): results give dates back the
    /// same way.
    pub(crate) datetime64: bool,
    /// They came as a `datetime64` column of zone-less midnights, day after day: a chart over
    /// the same days can take the column itself as its dates (pandas: the Series' own index).
    pub(crate) same_as_days: bool,
    /// How many there are.
    pub(crate) len: usize,
    /// The first, when they run day after day from it with none missing or repeated (then
    /// `days` may be left empty: the first day says them all).
    pub(crate) consecutive_from: Option<NaiveDate>,
}

impl<'py> DateColumn<'py> {
    /// Reads any iterable of `datetime.date` (or `datetime`, whose date is taken). The limited
    /// API has no date accessors, so `toordinal()` is one call where `year`, `month` and `day`
    /// are three attribute reads.
    pub(crate) fn extract(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        if let Some(read) = datetime64_days(obj)? {
            let epoch = DateTime::UNIX_EPOCH.date_naive();
            let day = |n: i64| {
                epoch
                    .checked_add_signed(chrono::Duration::days(n))
                    .ok_or_else(|| PyTypeError::new_err(format!("date {n} is out of range")))
            };
            return Ok(Self {
                objects: Vec::new(),
                days: read.days.iter().map(|n| day(*n)).collect::<PyResult<_>>()?,
                datetime64: true,
                same_as_days: read.midnights,
                len: read.len,
                consecutive_from: read.consecutive_from.map(day).transpose()?,
            });
        }
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
        let consecutive_from = days
            .windows(2)
            .all(|w| w[0].succ_opt() == Some(w[1]))
            .then(|| days.first().copied())
            .flatten();
        Ok(Self {
            len: days.len(),
            days,
            objects,
            datetime64: false,
            same_as_days: false,
            consecutive_from,
        })
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
