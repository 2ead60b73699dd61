//! Reading a person's records: lists of `pa.records` dataclasses, and an activity's streams as
//! columns. Days are inclusive ranges; a missing bound reads from the first or to the last day.

use chrono::NaiveDate;
use pa_core::finance::portfolio::{Holding, InvestmentTransaction, Security};
use pa_core::fitness::{BodyComposition, TrainingPlan};
use pa_core::ids::ActivityId;
use pa_core::journal::{Memory, Note};
use pa_core::ports::{
    CalendarRepository, HabitEntryRecord, JournalRepository, Record, StoredEvent, StoredHabit,
    UserStore,
};
use pa_core::tasks::{Project, Reminder, Task};
use pa_core::time::Day;
use pa_integrations::assistant::Person;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::columns::f64_array;
use crate::errors::{PyPaErr, PyStoreErr, raise};
use crate::records as r;
use crate::store::User;

/// The inclusive day range of optional bounds, checked by pa-core's one rule
/// ([`Day::check_window`]).
pub(crate) fn range(start: Option<NaiveDate>, end: Option<NaiveDate>) -> PyResult<(Day, Day)> {
    let (from, to) = (
        start.map_or(Day::EARLIEST, Day::from_naive),
        end.map_or(Day::LATEST, Day::from_naive),
    );
    Day::check_window(from, to).map_err(PyPaErr)?;
    Ok((from, to))
}

/// Reads with the GIL released, then converts each item into a `pa.frames.RecordList` (a list
/// with `to_pandas()` and `to_polars()`).
pub(crate) fn list<'py, T: Send>(
    py: Python<'py>,
    read: impl FnOnce() -> pa_integrations::Result<Vec<T>> + Send,
    convert: impl Fn(Python<'py>, &T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    static RECORD_LIST: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let items = py.detach(read).map_err(PyStoreErr)?;
    let out = items
        .iter()
        .map(|i| convert(py, i))
        .collect::<PyResult<Vec<_>>>()?;
    let class = RECORD_LIST.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("pa.frames")?.getattr("RecordList")?.unbind())
    })?;
    Ok(class
        .bind(py)
        .call1((PyList::new(py, out)?,))?
        .cast_into::<PyList>()?)
}

/// Records of kind `R` overlapping `[from, to]`; all of them (those without a span too) when
/// the range is unbounded.
fn records<R: Record + Send>(
    handle: &Person,
    from: Day,
    to: Day,
) -> pa_integrations::Result<Vec<R>> {
    let span = (from != Day::EARLIEST || to != Day::LATEST).then_some((from, to));
    handle.records::<R>(span)
}

/// `User` methods that read one kind of record into a list: `name(start=None, end=None)` over
/// an inclusive day range, or `name()` for kinds read whole.
macro_rules! reads {
    ($($(#[$doc:meta])* $name:ident($h:ident, $from:ident, $to:ident) => $read:expr, $convert:path;)*) => {
        #[pymethods]
        impl User {
            $(
                $(#[$doc])*
                #[pyo3(signature = (start = None, end = None))]
                fn $name<'py>(
                    &self,
                    py: Python<'py>,
                    start: Option<NaiveDate>,
                    end: Option<NaiveDate>,
                ) -> PyResult<Bound<'py, PyList>> {
                    let ($from, $to) = range(start, end)?;
                    let $h = &self.person;
                    list(py, || $read, $convert)
                }
            )*
        }
    };
    ($($(#[$doc:meta])* $name:ident($h:ident) => $read:expr, $convert:path;)*) => {
        #[pymethods]
        impl User {
            $(
                $(#[$doc])*
                fn $name<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                    let $h = &self.person;
                    list(py, || $read, $convert)
                }
            )*
        }
    };
}

pub(crate) use reads;

reads! {
    /// Activities whose local start day is in `[start, end]`, by start.
    activities(h, from, to) => h.activities(from, to), r::activity;
    /// Daily health records in `[start, end]`, by day.
    daily_health(h, from, to) => h.daily_health(from, to), r::daily_health;
    /// Weigh-ins on days in `[start, end]`, by time.
    body(h, from, to) => records::<BodyComposition>(h, from, to), r::body;
    /// Training plans overlapping `[start, end]`, with their workouts.
    plans(h, from, to) => records::<TrainingPlan>(h, from, to), r::plan;
    /// Transactions posted in `[start, end]`, by day.
    transactions(h, from, to) => h.transactions(from, to), r::transaction;
    /// Balances recorded on days in `[start, end]`, by account then day.
    balances(h, from, to) => h.balances(from, to), r::balance;
    /// Holdings reported on days in `[start, end]`.
    holdings(h, from, to) => records::<Holding>(h, from, to), r::holding;
    /// Investment transactions on days in `[start, end]`.
    investment_transactions(h, from, to) =>
        records::<InvestmentTransaction>(h, from, to), r::investment_transaction;
    /// Calendar events that may occur in `[start, end]` (recurring ones as one event each).
    events(h, from, to) => records::<StoredEvent>(h, from, to), r::event;
    /// Check-ins on days in `[start, end]`, by day.
    check_ins(h, from, to) => h.check_ins(from, to), r::check_in;
}

reads! {
    /// Every account, by id.
    accounts(h) => h.accounts(), r::account;
    /// Securities held or traded.
    securities(h) => records::<Security>(h, Day::EARLIEST, Day::LATEST), r::security;
    /// Every habit, by id.
    habits(h) => records::<StoredHabit>(h, Day::EARLIEST, Day::LATEST), r::habit;
    /// Every project.
    projects(h) => records::<Project>(h, Day::EARLIEST, Day::LATEST), r::project;
    /// Every task, open or finished.
    tasks(h) => records::<Task>(h, Day::EARLIEST, Day::LATEST), r::task;
    /// Every reminder.
    reminders(h) => records::<Reminder>(h, Day::EARLIEST, Day::LATEST), r::reminder;
    /// Every note.
    notes(h) => records::<Note>(h, Day::EARLIEST, Day::LATEST), r::note;
    /// Every memory.
    memories(h) => records::<Memory>(h, Day::EARLIEST, Day::LATEST), r::memory;
    /// Every bill entered by hand, soonest due first.
    bills(h) => h.bills(), r::bill;
}

#[pymethods]
impl User {
    /// The activity with pa's id `id`; `NotFoundError` when there is none.
    fn activity<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let a = self.find_activity(py, id)?;
        r::activity(py, &a)
    }

    /// An activity's per-second streams as float arrays keyed `time_s`, `heart_rate`, `power`,
    /// `speed`, `cadence`, `altitude`, `temperature`, `lat`, `lon` (gaps are NaN; streams the
    /// activity lacks are left out; none at all gives an empty dict): ready for
    /// `pandas.DataFrame(...)`.
    fn streams<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyDict>> {
        let a = self.find_activity(py, id)?;
        let out = PyDict::new(py);
        let Some(s) = &a.streams else {
            return Ok(out);
        };
        let column =
            |v: &[Option<f64>]| -> Vec<f64> { v.iter().map(|x| x.unwrap_or(f64::NAN)).collect() };
        out.set_item("time_s", f64_array(py, &s.time_s)?)?;
        let named = [
            ("heart_rate", &s.heart_rate),
            ("power", &s.power),
            ("speed", &s.speed),
            ("cadence", &s.cadence),
            ("altitude", &s.altitude),
            ("temperature", &s.temperature),
        ];
        for (name, values) in named {
            if let Some(v) = values {
                out.set_item(name, f64_array(py, &column(v))?)?;
            }
        }
        if let Some(p) = &s.position {
            let lat: Vec<f64> = p.iter().map(|x| x.map_or(f64::NAN, |p| p.lat)).collect();
            let lon: Vec<f64> = p.iter().map(|x| x.map_or(f64::NAN, |p| p.lon)).collect();
            out.set_item("lat", f64_array(py, &lat)?)?;
            out.set_item("lon", f64_array(py, &lon)?)?;
        }
        Ok(out)
    }

    /// Habit entries on days in `[start, end]` (of one habit when `habit` names it by id or
    /// name).
    #[pyo3(signature = (habit = None, start = None, end = None))]
    fn habit_entries<'py>(
        &self,
        py: Python<'py>,
        habit: Option<String>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (from, to) = range(start, end)?;
        list(
            py,
            || {
                let mut all = self.person.records::<HabitEntryRecord>(Some((from, to)))?;
                if let Some(h) = &habit {
                    let id = self.person.habit(h)?.id;
                    all.retain(|e| e.habit == id);
                }
                Ok(all)
            },
            r::habit_entry,
        )
    }

    /// Every occurrence overlapping the days `[start, end]` in `tz` (default: the profile's
    /// zone, else UTC), recurring events expanded and their changes applied, by start.
    #[pyo3(signature = (start, end, *, tz = None))]
    fn occurrences<'py>(
        &self,
        py: Python<'py>,
        start: NaiveDate,
        end: NaiveDate,
        tz: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let zone = crate::records::zone_opt(tz)?;
        let zone = self.person.zone(zone).map_err(PyStoreErr)?;
        crate::reads::range(Some(start), Some(end))?;
        let (from, to) = (Day::from_naive(start), Day::from_naive(end));
        list(
            py,
            || self.person.occurrences(from, to, zone),
            r::occurrence,
        )
    }
}

impl User {
    fn find_activity(&self, py: Python<'_>, id: &str) -> PyResult<pa_core::fitness::Activity> {
        let key = ActivityId::new(id).map_err(PyPaErr)?;
        match py
            .detach(|| self.person.activity(&key))
            .map_err(PyStoreErr)?
        {
            Some(a) => Ok(a),
            None => Err(raise("NotFoundError", format!("no activity {id:?}"), &[])),
        }
    }
}
