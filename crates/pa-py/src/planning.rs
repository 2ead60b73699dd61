//! Habits, recurrence and schedules: habit scores and streaks from the store, RRULE expansion
//! and schedule runs as pure functions. Wall-clock times are naive datetimes read in `tz`;
//! results are aware datetimes in `tz`.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use pa_core::calendar::recurrence::{Recurrence, resolve_local};
use pa_core::habits::HabitEntry;
use pa_core::habits::score::scores;
use pa_core::habits::streak::streaks;
use pa_core::ports::StoredHabit;
use pa_core::tasks::schedule::Schedule;
use pa_core::time::Day;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::columns::{date_list, f64_array};
use crate::errors::{PyPaErr, PyStoreErr};
use crate::records::{naive, record};
use crate::store::User;

impl User {
    /// The habit `habit` names (its id or name) and its entries up to `as_of`; `NotFoundError`
    /// when unknown.
    fn habit_with_entries(
        &self,
        py: Python<'_>,
        habit: &str,
        as_of: Day,
    ) -> PyResult<(StoredHabit, Vec<HabitEntry>)> {
        Ok(py
            .detach(|| self.person.habit_with_entries(habit, as_of))
            .map_err(PyStoreErr)?)
    }
}

impl User {
    /// `day`, or today in the person's zone.
    pub(crate) fn day_or_today(&self, day: Option<NaiveDate>) -> PyResult<Day> {
        match day {
            Some(d) => Ok(Day::from_naive(d)),
            None => Ok(self.person.today(None).map_err(PyStoreErr)?),
        }
    }
}

#[pymethods]
impl User {
    /// A habit's streaks up to `as_of` (default: today): every streak, the current one's length
    /// and the longest (Loop Habit Tracker's rules, frequency and skips included).
    #[pyo3(signature = (habit, *, as_of = None))]
    fn habit_streaks<'py>(
        &self,
        py: Python<'py>,
        habit: &str,
        as_of: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let as_of = self.day_or_today(as_of)?;
        let (h, entries) = self.habit_with_entries(py, habit, as_of)?;
        let s = streaks(&h.record, &entries, as_of).map_err(PyPaErr)?;
        let all = s
            .all
            .iter()
            .map(|k| {
                record!(results: py, "Streak" {
                    start: naive(k.start),
                    end: naive(k.end),
                    length: k.length,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        record!(results: py, "Streaks" {
            all: PyTuple::new(py, all)?,
            current: s.current,
            longest: s.longest,
        })
    }

    /// A habit's strength score (Loop Habit Tracker's, 0 to 1) per day from its first entry to
    /// `as_of` (default: today), as columns: `date` (a list) and `score` (a float array).
    #[pyo3(signature = (habit, *, as_of = None))]
    fn habit_scores<'py>(
        &self,
        py: Python<'py>,
        habit: &str,
        as_of: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let as_of = self.day_or_today(as_of)?;
        let (h, entries) = self.habit_with_entries(py, habit, as_of)?;
        let days = scores(&h.record, &entries, Some(as_of)).map_err(PyPaErr)?;
        let out = PyDict::new(py);
        out.set_item("date", date_list(py, days.iter().map(|d| d.day), None)?)?;
        let values: Vec<f64> = days.iter().map(|d| d.score).collect();
        out.set_item("score", f64_array(py, &values)?)?;
        Ok(out)
    }
}

/// The zone of a pure function's `tz=` (a name or a `zoneinfo.ZoneInfo`); UTC when not given.
fn utc_unless(tz: Option<&Bound<'_, PyAny>>) -> PyResult<chrono_tz::Tz> {
    Ok(crate::records::zone_opt(tz)?.unwrap_or(chrono_tz::UTC))
}

/// The starts of a recurrence's occurrences in `[after, before)`: `rule` is an RRULE value
/// (`"FREQ=WEEKLY;BYDAY=MO,WE"`), `start` the first occurrence's wall-clock time; `rdates` and
/// `exdates` add and remove wall-clock times. All wall-clock times are read in `tz`.
#[pyfunction]
#[pyo3(signature = (rule, start, *, after, before, tz = None, rdates = Vec::new(), exdates = Vec::new()))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn expand_rrule(
    py: Python<'_>,
    rule: &str,
    start: NaiveDateTime,
    after: NaiveDateTime,
    before: NaiveDateTime,
    tz: Option<&Bound<'_, PyAny>>,
    rdates: Vec<NaiveDateTime>,
    exdates: Vec<NaiveDateTime>,
) -> PyResult<Vec<chrono::DateTime<chrono_tz::Tz>>> {
    let zone = utc_unless(tz)?;
    // Pure Rust from here: other Python threads run meanwhile.
    let expanded = py.detach(|| {
        let mut recurrence = Recurrence::rule(rule)?;
        recurrence.rdates = rdates;
        recurrence.exdates = exdates;
        let from = resolve_local(after, zone)?.with_timezone(&Utc);
        let to = resolve_local(before, zone)?.with_timezone(&Utc);
        recurrence.expand(start, zone, from, to)
    });
    Ok(expanded.map_err(PyPaErr)?)
}

/// The runs of a schedule in `(after, until]`, at most `limit`: `schedule` is a cron pattern
/// (`"0 7 * * MON-FRI"`) or a dict such as `{"kind": "daily", "time": "07:30:00"}`,
/// `{"kind": "weekly", "days": ["Mon", "Thu"], "time": "18:00:00"}`,
/// `{"kind": "monthly", "day": "last", "time": "09:00:00"}` or
/// `{"kind": "once", "at": "2026-12-01T09:00:00Z"}`.
#[pyfunction]
#[pyo3(signature = (schedule, *, after, until, tz = None, limit = 100))]
pub(crate) fn schedule_runs(
    schedule: &Bound<'_, PyAny>,
    after: NaiveDateTime,
    until: NaiveDateTime,
    tz: Option<&Bound<'_, PyAny>>,
    limit: usize,
) -> PyResult<Vec<chrono::DateTime<chrono_tz::Tz>>> {
    let zone = utc_unless(tz)?;
    let schedule: Schedule = if let Ok(text) = schedule.cast::<PyString>() {
        text.to_str()?.parse().map_err(PyPaErr)?
    } else {
        // Times and datetimes (`datetime.time(7, 30)`) as ISO text, the form the dict documents.
        let py = schedule.py();
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item(
            "default",
            py.import("operator")?
                .getattr("methodcaller")?
                .call1(("isoformat",))?,
        )?;
        let json: String = py
            .import("json")?
            .call_method("dumps", (schedule,), Some(&kwargs))
            .map_err(|e| {
                PyPaErr(pa_core::Error::invalid(
                    "schedule",
                    format!("cannot be read as JSON: {e}"),
                ))
            })?
            .extract()?;
        let parsed: Schedule = serde_json::from_str(&json)
            .map_err(|e| PyPaErr(pa_core::Error::invalid("schedule", e.to_string())))?;
        parsed.validate().map_err(PyPaErr)?;
        parsed
    };
    let from = resolve_local(after, zone)
        .map_err(PyPaErr)?
        .with_timezone(&Utc);
    let to = resolve_local(until, zone)
        .map_err(PyPaErr)?
        .with_timezone(&Utc);
    Ok(schedule.runs(zone, from, to, limit).map_err(PyPaErr)?)
}

/// Every occurrence in an iCalendar file (a path, or the file's bytes) overlapping the days
/// `[start, end]` in `tz`, recurring events expanded and their changes applied, by start; read
/// without a store (`User.import_files` keeps them). Floating times are read in `tz`. Events the
/// importer skips (see `User.import_files(dry_run=True)` for why) are left out.
#[pyfunction]
#[pyo3(signature = (source, start, end, *, tz = None))]
pub(crate) fn read_calendar<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    start: NaiveDate,
    end: NaiveDate,
    tz: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let zone = utc_unless(tz)?;
    let (bytes, name): (Vec<u8>, String) = match source.cast::<pyo3::types::PyBytes>() {
        // The calendar's name comes from the file's name (when the file names none).
        Ok(b) => (b.as_bytes().to_vec(), "calendar".to_owned()),
        Err(_) => {
            let path: std::path::PathBuf = source.extract()?;
            let read = py.detach(|| std::fs::read(&path));
            let bytes = read.map_err(|source| {
                PyStoreErr(pa_integrations::Error::Io {
                    path: path.clone(),
                    source,
                })
            })?;
            (bytes, path.display().to_string())
        }
    };
    let options = pa_integrations::import::ImportOptions {
        zone,
        ..Default::default()
    };
    let occurrences = py
        .detach(|| -> pa_integrations::Result<_> {
            let parsed = pa_integrations::import::ics::read(&bytes, &name, &options)?;
            let events = parsed.batch.records.iter().filter_map(|d| match d {
                pa_core::ports::Doc::Event(e) => Some(&e.record),
                _ => None,
            });
            Ok(pa_core::calendar::occurrences_between(
                events,
                Day::from_naive(start),
                Day::from_naive(end),
                zone,
            )?)
        })
        .map_err(PyStoreErr)?;
    let items = occurrences
        .into_iter()
        .map(|o| Bound::new(py, crate::records::PyOccurrence(o)))
        .collect::<PyResult<Vec<_>>>()?;
    pyo3::types::PyList::new(py, items)
}
