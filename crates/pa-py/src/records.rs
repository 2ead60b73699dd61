//! pa-core's records as the frozen dataclasses of `pa/records.py`: one conversion per type,
//! field by field, in the types Python expects (`date`, aware `datetime`, `Decimal`, tuples).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use pa_core::calendar::{EventStatus, EventTime, Occurrence};
use pa_core::finance::portfolio::{Holding, InvestmentTransaction, Security};
use pa_core::finance::recurring::Bill;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, BodyComposition, DailyHealth, Lap, PlannedWorkout, TrainingPlan};
use pa_core::habits::{EntryValue, HabitKind, TargetKind};
use pa_core::ids::ExternalRef;
use pa_core::journal::{DailyCheckIn, Memory, Note};
use pa_core::money::Money;
use pa_core::ports::{HabitEntryRecord, StoredEvent, StoredHabit};
use pa_core::tasks::{Due, Project, Reminder, Task};
use pa_core::time::{Day, ZonedInstant};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyTuple};

use crate::errors::PyPaErr;

pub(crate) static RECORDS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
pub(crate) static RESULTS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Calls the dataclass `class` of the Python module `name` with the keyword arguments `fields`.
pub(crate) fn build<'py>(
    py: Python<'py>,
    (cache, name): (&PyOnceLock<Py<PyModule>>, &str),
    class: &Bound<'py, pyo3::types::PyString>,
    fields: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let module = cache.get_or_try_init(py, || Ok::<_, PyErr>(py.import(name)?.unbind()))?;
    module.bind(py).getattr(class)?.call((), Some(fields))
}

/// `pa.records.<class>(key=value, ...)`; `record!(results: py, ...)` for `pa.results`.
macro_rules! record {
    (results: $py:expr, $class:literal { $($key:ident : $value:expr),* $(,)? }) => {{
        let fields = pyo3::types::PyDict::new($py);
        $( fields.set_item(pyo3::intern!($py, stringify!($key)), $value)?; )*
        // The class name interned: looked up without making a new string each time.
        $crate::records::build($py, (&$crate::records::RESULTS, "pa.results"), pyo3::intern!($py, $class), &fields)
    }};
    ($py:expr, $class:literal { $($key:ident : $value:expr),* $(,)? }) => {{
        let fields = pyo3::types::PyDict::new($py);
        $( fields.set_item(pyo3::intern!($py, stringify!($key)), $value)?; )*
        $crate::records::build($py, (&$crate::records::RECORDS, "pa.records"), pyo3::intern!($py, $class), &fields)
    }};
}
pub(crate) use record;

/// A serde unit variant's name (`"run"`, `"depository"`), the names pa's JSON uses.
pub(crate) fn tag<T: serde::Serialize>(value: &T) -> PyResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(PyPaErr(pa_core::Error::invalid(
            "enumeration",
            format!("not a plain name: {other:?}"),
        ))
        .into()),
    }
}

/// A tuple of converted items.
pub(crate) fn tuple<'py, T>(
    py: Python<'py>,
    items: impl IntoIterator<Item = T>,
    convert: impl Fn(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let items = items
        .into_iter()
        .map(|i| convert(py, i))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

pub(crate) fn strings<'py>(py: Python<'py>, items: &[String]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items)
}

/// An aware datetime in the zone the instant was recorded in.
pub(crate) fn zoned(z: &ZonedInstant) -> DateTime<Tz> {
    z.local()
}

/// An optional zone from Python (`tz=`, `zone=`): an IANA name or a `zoneinfo.ZoneInfo`; `None`
/// leaves the choice to the profile.
pub(crate) fn zone_opt(zone: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Tz>> {
    let Some(zone) = zone else { return Ok(None) };
    if let Ok(name) = zone.cast::<pyo3::types::PyString>() {
        return Ok(Some(
            pa_core::time::parse_zone(name.to_str()?).map_err(crate::errors::PyPaErr)?,
        ));
    }
    zone.extract::<Tz>().map(Some).map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "zone: give an IANA name or a zoneinfo.ZoneInfo, not {}",
            zone.get_type()
                .name()
                .map_or_else(|_| "that".into(), |n| n.to_string())
        ))
    })
}

pub(crate) fn naive(day: Day) -> NaiveDate {
    day.naive()
}

pub(crate) fn money<'py>(py: Python<'py>, m: &Money) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Money" { amount: m.amount(), currency: m.currency().code() })
}

pub(crate) fn money_opt<'py>(
    py: Python<'py>,
    m: Option<&Money>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    m.map(|m| money(py, m)).transpose()
}

fn external<'py>(py: Python<'py>, e: Option<&ExternalRef>) -> PyResult<Option<Bound<'py, PyAny>>> {
    e.map(|e| record!(py, "ExternalRef" { source: e.source(), external_id: e.external_id() }))
        .transpose()
}

fn lap<'py>(py: Python<'py>, l: &Lap) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Lap" {
        start_s: l.start_s,
        elapsed_s: l.elapsed_s,
        moving_s: l.moving_s,
        distance_m: l.distance_m,
        avg_hr_bpm: l.avg_hr_bpm,
        max_hr_bpm: l.max_hr_bpm,
        avg_power_w: l.avg_power_w,
        elevation_gain_m: l.elevation_gain_m,
        calories_kcal: l.calories_kcal,
    })
}

pub(crate) fn activity<'py>(py: Python<'py>, a: &Activity) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Activity" {
        id: a.id.as_str(),
        external: external(py, a.external.as_ref())?,
        sport: a.sport.as_str(),
        name: a.name.as_deref(),
        start: zoned(&a.start),
        elapsed_s: a.elapsed_s,
        moving_s: a.moving_s,
        distance_m: a.distance_m,
        elevation_gain_m: a.elevation_gain_m,
        avg_hr_bpm: a.avg_hr_bpm,
        max_hr_bpm: a.max_hr_bpm,
        avg_power_w: a.avg_power_w,
        normalized_power_w: a.normalized_power_w,
        calories_kcal: a.calories_kcal,
        training_load: a.training_load,
        rpe: a.rpe,
        session_rpe: a.session_rpe(),
        trimp: a.trimp,
        device: a.device.as_deref(),
        laps: tuple(py, &a.laps, lap)?,
        has_streams: a.streams.is_some(),
    })
}

pub(crate) fn daily_health<'py>(py: Python<'py>, h: &DailyHealth) -> PyResult<Bound<'py, PyAny>> {
    let sleep = h
        .sleep
        .as_ref()
        .map(|s| {
            record!(py, "Sleep" {
                total_s: s.total_s,
                deep_s: s.deep_s,
                light_s: s.light_s,
                rem_s: s.rem_s,
                awake_s: s.awake_s,
                score: s.score,
            })
        })
        .transpose()?;
    record!(py, "DailyHealth" {
        day: naive(h.day),
        sleep: sleep,
        resting_hr_bpm: h.resting_hr_bpm,
        hrv_rmssd_ms: h.hrv_rmssd_ms,
        steps: h.steps,
        stress_avg: h.stress_avg,
        body_battery_high: h.body_battery_high,
        body_battery_low: h.body_battery_low,
        intensity_minutes: h.intensity_minutes,
    })
}

pub(crate) fn body<'py>(py: Python<'py>, b: &BodyComposition) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "BodyComposition" {
        measured_at: zoned(&b.measured_at),
        weight_kg: b.weight_kg,
        body_fat_pct: b.body_fat_pct,
        muscle_mass_kg: b.muscle_mass_kg,
        bmi: b.bmi,
        water_pct: b.water_pct,
    })
}

fn workout<'py>(py: Python<'py>, w: &PlannedWorkout) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "PlannedWorkout" {
        id: w.id.as_str(),
        day: naive(w.day),
        sport: w.sport.as_str(),
        distance_m: w.distance_m,
        duration_s: w.duration_s,
        load: w.load,
        description: w.description.as_str(),
        activity: w.activity.as_ref().map(|a| a.as_str()),
    })
}

pub(crate) fn plan<'py>(py: Python<'py>, p: &TrainingPlan) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "TrainingPlan" {
        id: p.id.as_str(),
        name: p.name.as_str(),
        start: naive(p.start),
        end: naive(p.end),
        workouts: tuple(py, &p.workouts, workout)?,
    })
}

pub(crate) fn account<'py>(py: Python<'py>, a: &Account) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Account" {
        id: a.id.as_str(),
        external: external(py, a.external.as_ref())?,
        institution: a.institution.as_deref(),
        name: a.name.as_str(),
        official_name: a.official_name.as_deref(),
        kind: tag(&a.kind)?,
        subtype: a.subtype.as_deref(),
        currency: a.currency.code(),
        opened: a.opened.map(naive),
        closed: a.closed.map(naive),
        mask: a.mask.as_ref().map(|m| m.as_str()),
    })
}

pub(crate) fn transaction<'py>(py: Python<'py>, t: &Transaction) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(py, PyTransaction(t.clone()))?.into_any())
}

/// What a `Transaction` holds, in order (its repr, `match` patterns and table columns).
pub(crate) const TRANSACTION_FIELDS: [&str; 12] = [
    "id",
    "external",
    "account",
    "posted",
    "authorized",
    "amount",
    "merchant",
    "description",
    "category",
    "pending",
    "pending_id",
    "transfer",
];

/// A posted or pending transaction; money out is negative. Made natively, as `Occurrence` is:
/// accounts hold thousands, and a list of them reads in a fraction of a dataclass's time; its
/// fields convert when read, and `to_pandas()` takes its columns straight from the store's
/// values.
#[pyclass(frozen, eq, hash, module = "pa.records", name = "Transaction")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyTransaction(pub(crate) Transaction);

#[pymethods]
impl PyTransaction {
    /// pa's id.
    #[getter]
    fn id(&self) -> &str {
        self.0.id.as_str()
    }

    /// Where it came from (`ExternalRef`), when imported.
    #[getter]
    fn external<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        external(py, self.0.external.as_ref())
    }

    /// The account it is on.
    #[getter]
    fn account(&self) -> &str {
        self.0.account.as_str()
    }

    /// The day it posted (or, while pending, the day it was made).
    #[getter]
    fn posted(&self) -> NaiveDate {
        naive(self.0.posted)
    }

    /// The day it was authorised, when known.
    #[getter]
    fn authorized(&self) -> Option<NaiveDate> {
        self.0.authorized.map(naive)
    }

    /// The signed amount (`Money`): negative is money out.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money(py, &self.0.amount)
    }

    /// The merchant or counterparty, when known.
    #[getter]
    fn merchant(&self) -> Option<&str> {
        self.0.merchant.as_deref()
    }

    /// The statement text.
    #[getter]
    fn description(&self) -> &str {
        &self.0.description
    }

    /// The category path (`"food/groceries"`), when categorised.
    #[getter]
    fn category(&self) -> Option<&str> {
        self.0.category.as_ref().map(|c| c.path())
    }

    /// Not yet posted.
    #[getter]
    fn pending(&self) -> bool {
        self.0.pending
    }

    /// On a posted transaction: the pending one it replaces.
    #[getter]
    fn pending_id(&self) -> Option<&str> {
        self.0.pending_id.as_ref().map(|p| p.as_str())
    }

    /// A movement between the holder's own accounts (left out of income and spending).
    #[getter]
    fn transfer(&self) -> bool {
        self.0.transfer
    }

    /// The field names, in order, for `match` statements (`case Transaction(id, external)`).
    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, TRANSACTION_FIELDS)?.unbind())
    }

    /// Pickling (and `copy`): rebuilt from its JSON form by `pa._pa._transaction_from_json`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let json = serde_json::to_string(&self.0)
            .map_err(|e| PyPaErr(pa_core::Error::invalid("transaction", e.to_string())))?;
        let rebuild = py.import("pa._pa")?.getattr("_transaction_from_json")?;
        Ok((rebuild, (json,)))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr(slf.as_any(), "Transaction", &TRANSACTION_FIELDS)
    }
}

/// A transaction from the JSON `Transaction.__reduce__` writes (unpickling).
#[pyfunction]
#[pyo3(name = "_transaction_from_json")]
pub(crate) fn transaction_from_json(json: &str) -> PyResult<PyTransaction> {
    let t: Transaction = serde_json::from_str(json).map_err(|e| {
        PyPaErr(pa_core::Error::invalid(
            "pickled transaction",
            e.to_string(),
        ))
    })?;
    Ok(PyTransaction(t))
}

/// `Class(field=repr, ...)`, as a dataclass shows itself.
fn repr(obj: &Bound<'_, PyAny>, class: &str, fields: &[&str]) -> PyResult<String> {
    let parts = fields
        .iter()
        .map(|f| Ok(format!("{f}={}", obj.getattr(*f)?.repr()?)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(format!("{class}({})", parts.join(", ")))
}

pub(crate) fn balance<'py>(py: Python<'py>, b: &BalanceSnapshot) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Balance" {
        account: b.account.as_str(),
        day: naive(b.day),
        current: money(py, &b.current)?,
        available: money_opt(py, b.available.as_ref())?,
        limit: money_opt(py, b.limit.as_ref())?,
    })
}

pub(crate) fn security<'py>(py: Python<'py>, s: &Security) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Security" {
        id: s.id.as_str(),
        symbol: s.symbol.as_deref(),
        name: s.name.as_str(),
        kind: tag(&s.kind)?,
        currency: s.currency.code(),
    })
}

pub(crate) fn holding<'py>(py: Python<'py>, h: &Holding) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Holding" {
        account: h.account.as_str(),
        security: h.security.as_str(),
        as_of: naive(h.as_of),
        quantity: h.quantity,
        price: money(py, &h.price)?,
        value: money(py, &h.value)?,
        cost_basis: money_opt(py, h.cost_basis.as_ref())?,
    })
}

pub(crate) fn investment_transaction<'py>(
    py: Python<'py>,
    t: &InvestmentTransaction,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "InvestmentTransaction" {
        id: t.id.as_str(),
        external: external(py, t.external.as_ref())?,
        account: t.account.as_str(),
        security: t.security.as_ref().map(|s| s.as_str()),
        day: naive(t.day),
        action: tag(&t.action)?,
        quantity: t.quantity,
        price: money_opt(py, t.price.as_ref())?,
        amount: money(py, &t.amount)?,
        fees: money_opt(py, t.fees.as_ref())?,
        description: t.description.as_str(),
    })
}

pub(crate) fn habit<'py>(py: Python<'py>, h: &StoredHabit) -> PyResult<Bound<'py, PyAny>> {
    let r = &h.record;
    let (kind, target, target_kind, unit) = match &r.kind {
        HabitKind::YesNo => ("yes_no", None, None, None),
        HabitKind::Numerical {
            target,
            target_kind,
            unit,
        } => (
            "numerical",
            Some(*target),
            Some(match target_kind {
                TargetKind::AtLeast => "at_least",
                TargetKind::AtMost => "at_most",
            }),
            Some(unit.as_str()),
        ),
    };
    record!(py, "Habit" {
        id: h.id.as_str(),
        name: r.name.as_str(),
        category: r.category.as_deref(),
        times: r.frequency.num(),
        per_days: r.frequency.den(),
        kind: kind,
        target: target,
        target_kind: target_kind,
        unit: unit,
        reminder: r.reminder,
        reminder_zone: r.reminder_zone.map(|z| z.name()),
        archived: r.archived,
    })
}

pub(crate) fn habit_entry<'py>(
    py: Python<'py>,
    e: &HabitEntryRecord,
) -> PyResult<Bound<'py, PyAny>> {
    let value = match e.entry.value {
        EntryValue::Yes => "yes".into_pyobject(py)?.into_any(),
        EntryValue::No => "no".into_pyobject(py)?.into_any(),
        EntryValue::Skip => "skip".into_pyobject(py)?.into_any(),
        EntryValue::Amount(x) => x.into_pyobject(py)?.into_any(),
    };
    record!(py, "HabitEntry" { habit: e.habit.as_str(), day: naive(e.entry.day), value: value })
}

pub(crate) fn project<'py>(py: Python<'py>, p: &Project) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Project" { id: p.id.as_str(), name: p.name.as_str(), archived: p.archived })
}

fn utc(t: &DateTime<Utc>) -> DateTime<Utc> {
    *t
}

pub(crate) fn task<'py>(py: Python<'py>, t: &Task) -> PyResult<Bound<'py, PyAny>> {
    let due = match &t.due {
        None => None,
        Some(Due::Day { day }) => Some(naive(*day).into_pyobject(py)?.into_any()),
        Some(Due::At { at }) => Some(zoned(at).into_pyobject(py)?.into_any()),
    };
    record!(py, "Task" {
        id: t.id.as_str(),
        external: external(py, t.external.as_ref())?,
        title: t.title.as_str(),
        notes: t.notes.as_str(),
        status: tag(&t.status)?,
        priority: tag(&t.priority)?,
        due: due,
        scheduled: t.scheduled.map(naive),
        project: t.project.as_ref().map(|p| p.as_str()),
        tags: strings(py, &t.tags)?,
        created_at: utc(&t.created_at),
        completed_at: t.completed_at.as_ref().map(utc),
    })
}

pub(crate) fn bill<'py>(py: Python<'py>, b: &Bill) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Bill" {
        id: b.id.as_str(),
        name: b.name.as_str(),
        amount: money(py, &b.amount)?,
        cadence: tag(&b.cadence)?,
        next_due: naive(b.next_due),
        category: b.category.as_ref().map(|c| c.path()),
        merchant: b.merchant.as_deref(),
        account: b.account.as_ref().map(|a| a.as_str()),
    })
}

pub(crate) fn reminder<'py>(py: Python<'py>, r: &Reminder) -> PyResult<Bound<'py, PyAny>> {
    let channels = r.channels.iter().map(tag).collect::<PyResult<Vec<_>>>()?;
    record!(py, "Reminder" {
        id: r.id.as_str(),
        task: r.task.as_ref().map(|t| t.as_str()),
        message: r.message.as_str(),
        remind_at: zoned(&r.remind_at),
        channels: PyTuple::new(py, channels)?,
        sent: r.sent,
        schedule: r
            .schedule
            .as_ref()
            .map(|s| crate::store::to_python(py, s))
            .transpose()?,
    })
}

/// (all_day, start, end) of an event's time: dates for all-day ones, aware datetimes otherwise.
fn span<'py>(
    py: Python<'py>,
    time: &EventTime,
) -> PyResult<(bool, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    Ok(match time {
        EventTime::Timed { start, end } => (
            false,
            zoned(start).into_pyobject(py)?.into_any(),
            zoned(end).into_pyobject(py)?.into_any(),
        ),
        EventTime::AllDay { start, end } => (
            true,
            naive(*start).into_pyobject(py)?.into_any(),
            naive(*end).into_pyobject(py)?.into_any(),
        ),
    })
}

fn status(s: EventStatus) -> PyResult<String> {
    tag(&s)
}

pub(crate) fn event<'py>(py: Python<'py>, e: &StoredEvent) -> PyResult<Bound<'py, PyAny>> {
    let r = &e.record;
    let (all_day, start, end) = span(py, &r.time)?;
    let recurrence = r.recurrence.clone().unwrap_or_default();
    record!(py, "Event" {
        id: e.id.as_str(),
        calendar: r.calendar.as_str(),
        title: r.title.as_str(),
        description: r.description.as_deref(),
        location: r.location.as_deref(),
        all_day: all_day,
        start: start,
        end: end,
        status: status(r.status)?,
        external: external(py, r.external.as_ref())?,
        rrules: strings(py, &recurrence.rrules)?,
        rdates: PyTuple::new(py, &recurrence.rdates)?,
        exdates: PyTuple::new(py, &recurrence.exdates)?,
        changed_occurrences: r.overrides.len(),
        kind: r.kind.as_deref(),
    })
}

/// What an `Occurrence` shows, in order (its repr and `match` patterns).
const OCCURRENCE_FIELDS: [&str; 7] = [
    "calendar",
    "title",
    "all_day",
    "start",
    "end",
    "status",
    "overridden",
];

/// One occurrence of an event, after recurrence and its changes: the one record type made
/// natively, since calendars expand to thousands of them; its fields convert when read.
#[pyclass(frozen, eq, hash, module = "pa.records", name = "Occurrence")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyOccurrence(pub(crate) Occurrence);

#[pymethods]
impl PyOccurrence {
    /// The calendar it is on.
    #[getter]
    fn calendar(&self) -> &str {
        &self.0.calendar
    }

    /// Its title.
    #[getter]
    fn title(&self) -> &str {
        &self.0.title
    }

    /// True for an all-day occurrence (dates, `end` exclusive).
    #[getter]
    fn all_day(&self) -> bool {
        matches!(self.0.time, EventTime::AllDay { .. })
    }

    /// Its start: an aware datetime in the event's zone, or a date.
    #[getter]
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(span(py, &self.0.time)?.1)
    }

    /// Its end: an aware datetime in the event's zone, or a date (exclusive).
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(span(py, &self.0.time)?.2)
    }

    /// `"confirmed"`, `"tentative"` or `"cancelled"`.
    #[getter]
    fn status(&self) -> PyResult<String> {
        status(self.0.status)
    }

    /// True when a changed instance (RECURRENCE-ID) replaced the rule's.
    #[getter]
    fn overridden(&self) -> bool {
        self.0.overridden
    }

    /// The field names, in order, for `match` statements (`case Occurrence(calendar, title)`).
    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, OCCURRENCE_FIELDS)?.unbind())
    }

    /// Pickling (and `copy`): rebuilt from its JSON form by `pa._pa._occurrence_from_json`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let json = serde_json::to_string(&self.0)
            .map_err(|e| PyPaErr(pa_core::Error::invalid("occurrence", e.to_string())))?;
        let rebuild = py.import("pa._pa")?.getattr("_occurrence_from_json")?;
        Ok((rebuild, (json,)))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr(slf.as_any(), "Occurrence", &OCCURRENCE_FIELDS)
    }
}

/// An occurrence from the JSON `Occurrence.__reduce__` writes (unpickling).
#[pyfunction]
#[pyo3(name = "_occurrence_from_json")]
pub(crate) fn occurrence_from_json(json: &str) -> PyResult<PyOccurrence> {
    let o: Occurrence = serde_json::from_str(json)
        .map_err(|e| PyPaErr(pa_core::Error::invalid("pickled occurrence", e.to_string())))?;
    Ok(PyOccurrence(o))
}

pub(crate) fn occurrence<'py>(py: Python<'py>, o: &Occurrence) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(py, PyOccurrence(o.clone()))?.into_any())
}

pub(crate) fn check_in<'py>(py: Python<'py>, c: &DailyCheckIn) -> PyResult<Bound<'py, PyAny>> {
    let answers = tuple(
        py,
        &c.answers,
        |py, a| record!(py, "Answer" { prompt: a.prompt.as_str(), answer: a.answer.as_str() }),
    )?;
    record!(py, "CheckIn" {
        day: naive(c.day),
        answers: answers,
        mood: c.mood,
        energy: c.energy,
        notes: c.notes.as_str(),
    })
}

pub(crate) fn note<'py>(py: Python<'py>, n: &Note) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Note" {
        id: n.id.as_str(),
        title: n.title.as_str(),
        body: n.body.as_str(),
        tags: strings(py, &n.tags)?,
        created: utc(&n.created),
    })
}

pub(crate) fn memory<'py>(py: Python<'py>, m: &Memory) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Memory" {
        id: m.id.as_str(),
        content: m.content.as_str(),
        tags: strings(py, &m.tags)?,
        importance: m.importance,
        created: utc(&m.created),
        last_accessed: m.last_accessed.as_ref().map(utc),
    })
}
