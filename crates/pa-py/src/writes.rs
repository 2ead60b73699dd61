//! Everyday writes from Python: conversions from plain Python values to the facade's inputs and
//! back (`pa.results.Written`). Every rule is the facade's (`pa_integrations::assistant`).
//!
//! Days and times are a `date`, a `datetime` (aware; a naive one is wall-clock time in the
//! person's zone), or the CLI's plain text forms ("fri 18:30", "+3d"); money is a `Decimal`, an
//! `int` or a decimal string, never a float; durations are a `timedelta`, seconds, or "45m".

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use pa_core::calendar::EventTime;
use pa_core::finance::Category;
use pa_core::habits::{EntryValue, Frequency, Habit, TargetKind};
use pa_core::ids::ExternalRef;
use pa_core::money::{Money, parse_currency};
use pa_core::tasks::{Due, Priority};
use pa_core::time::{Day, Month, ZonedInstant};
use pa_core::when::{self, When};
use pa_integrations::assistant::{
    Change, EditScope, Entry, EventChanges, HabitChanges, NewActivity, NewBill, NewEvent,
    NewExpense, NewTask, NewWorkout, TaskChanges, TaskFilter, Written,
};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDelta, PyDeltaAccess, PyDict, PyFloat, PyList, PyString,
};

use crate::errors::{PyPaErr, PyStoreErr};
use crate::records::{self as r, record};
use crate::store::User;

/// The instant an aware `datetime` (any tzinfo) denotes; `None` for a naive one.
pub(crate) fn utc_of(value: &Bound<'_, PyAny>) -> PyResult<Option<DateTime<Utc>>> {
    if value.getattr("tzinfo")?.is_none() || value.call_method0("utcoffset")?.is_none() {
        return Ok(None);
    }
    let utc = value
        .py()
        .import("datetime")?
        .getattr("timezone")?
        .getattr("utc")?;
    Ok(Some(value.call_method1("astimezone", (utc,))?.extract()?))
}

/// A pa-core error about a value, named by the argument it came from (`due: day: …`).
fn named(arg: &str, e: pa_core::Error) -> PyErr {
    match e {
        pa_core::Error::InvalidInput { field, reason } if field != arg => {
            invalid(arg, format!("{field}: {reason}"))
        }
        other => PyPaErr(other).into(),
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> PyErr {
    PyPaErr(pa_core::Error::invalid(field, reason)).into()
}

/// `pa.results.Written(change, record)`.
fn written<'py, T>(
    py: Python<'py>,
    w: &Written<T>,
    convert: impl FnOnce(Python<'py>, &T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let change = match w.change {
        Change::Added => "added",
        Change::Updated => "updated",
        Change::Unchanged => "unchanged",
        Change::Deleted => "deleted",
        Change::Preview => "preview",
    };
    let record = convert(py, &w.record)?;
    record!(results: py, "Written" { change: change, record: record })
}

impl User {
    fn zone_today(&self) -> PyResult<(Tz, Day)> {
        let zone = self.person.zone(None).map_err(PyStoreErr)?;
        let today = self.person.today(Some(zone)).map_err(PyStoreErr)?;
        Ok((zone, today))
    }

    /// A day or a moment from a `date`, a `datetime` or a plain text form; `field` names it in
    /// errors.
    fn when(&self, value: &Bound<'_, PyAny>, field: &str) -> PyResult<When> {
        let (zone, today) = self.zone_today()?;
        if let Ok(text) = value.cast::<PyString>() {
            return when::parse_when(text.to_str()?, today, zone).map_err(|e| named(field, e));
        }
        if value.cast::<PyDateTime>().is_ok() {
            if let Ok(t) = value.extract::<DateTime<Tz>>() {
                return Ok(When::At(ZonedInstant::new(t.to_utc(), t.timezone())));
            }
            if let Some(t) = utc_of(value)? {
                return Ok(When::At(ZonedInstant::new(t, zone)));
            }
            let naive: NaiveDateTime = value.extract()?;
            return ZonedInstant::from_local(naive, zone)
                .map(When::At)
                .map_err(|e| named(field, e));
        }
        if value.cast::<PyDate>().is_ok() {
            let d: NaiveDate = value.extract()?;
            return Ok(When::Day(Day::from_naive(d)));
        }
        Err(invalid(
            field,
            "give a date, a datetime or a text form such as 'fri 18:30'",
        ))
    }

    fn day(&self, value: &Bound<'_, PyAny>, field: &str) -> PyResult<Day> {
        match self.when(value, field)? {
            When::Day(d) => Ok(d),
            When::At(_) => Err(invalid(field, "give a day, not a time")),
        }
    }

    fn day_opt(&self, value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<Day>> {
        value.map(|v| self.day(v, field)).transpose()
    }

    fn instant(&self, value: &Bound<'_, PyAny>, field: &str) -> PyResult<ZonedInstant> {
        match self.when(value, field)? {
            When::At(t) => Ok(t),
            When::Day(d) => Err(invalid(
                field,
                format!("{d} names a day but no time of day"),
            )),
        }
    }

    fn money(
        &self,
        amount: &Bound<'_, PyAny>,
        currency: Option<&str>,
        field: &str,
    ) -> PyResult<Money> {
        if amount.cast::<PyFloat>().is_ok() || amount.cast::<PyBool>().is_ok() {
            return Err(invalid(
                field,
                "money is never a float: give a Decimal, an int or a decimal string",
            ));
        }
        let code = currency.map(parse_currency).transpose().map_err(PyPaErr)?;
        let currency = self.person.currency(code).map_err(PyStoreErr)?;
        let text = amount.str()?.to_string();
        Ok(Money::parse(&text, currency).map_err(PyPaErr)?)
    }
}

fn duration(value: &Bound<'_, PyAny>, field: &str) -> PyResult<f64> {
    if let Ok(d) = value.cast::<PyDelta>() {
        let s = f64::from(d.get_days()) * 86_400.0
            + f64::from(d.get_seconds())
            + f64::from(d.get_microseconds()) / 1e6;
        return Ok(s);
    }
    if let Ok(text) = value.cast::<PyString>() {
        return when::parse_duration(text.to_str()?).map_err(|e| named(field, e));
    }
    value.extract::<f64>().map_err(|_| {
        invalid(
            field,
            "give a timedelta, seconds or a text form such as '45m'",
        )
    })
}

fn external(value: Option<&str>) -> PyResult<Option<ExternalRef>> {
    value
        .map(|t| {
            let (source, id) = t
                .split_once(':')
                .ok_or_else(|| invalid("external", format!("'{t}' is not SOURCE:ID")))?;
            Ok(ExternalRef::new(source, id).map_err(PyPaErr)?)
        })
        .transpose()
}

fn entry_value(value: &Bound<'_, PyAny>) -> PyResult<EntryValue> {
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(if b.is_true() {
            EntryValue::Yes
        } else {
            EntryValue::No
        });
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_str()?.parse().map_err(PyPaErr)?);
    }
    let amount: f64 = value
        .extract()
        .map_err(|_| invalid("value", "give yes, no, skip, True, False or an amount"))?;
    Ok(amount.to_string().parse().map_err(PyPaErr)?)
}

fn parsed<T: std::str::FromStr<Err = pa_core::Error>>(text: &str) -> PyResult<T> {
    Ok(text.parse().map_err(PyPaErr)?)
}

fn scope(user: &User, on: Option<&Bound<'_, PyAny>>) -> PyResult<EditScope> {
    Ok(match on {
        Some(d) => EditScope::Occurrence(user.day(d, "on")?),
        None => EditScope::Series,
    })
}

fn timed(start: ZonedInstant, seconds: f64) -> EventTime {
    let end = start.utc + chrono::Duration::milliseconds((seconds * 1000.0).round() as i64);
    EventTime::Timed {
        start,
        end: ZonedInstant::new(end, start.zone),
    }
}

#[pymethods]
impl User {
    /// Adds a habit: yes/no, or an amount per period with `target` (a floor, or a ceiling with
    /// `at_most`). `freq` is N/D (`"3/7"`), daily, weekly, N/week or N/month.
    #[pyo3(signature = (name, *, freq = "daily", target = None, unit = "", at_most = false, category = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_habit<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        freq: &str,
        target: Option<f64>,
        unit: &str,
        at_most: bool,
        category: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let frequency: Frequency = parsed(freq)?;
        let mut habit = match target {
            Some(t) => {
                let kind = if at_most {
                    TargetKind::AtMost
                } else {
                    TargetKind::AtLeast
                };
                Habit::numerical(name, frequency, t, kind, unit).map_err(PyPaErr)?
            }
            None => Habit::yes_no(name, frequency),
        };
        habit.category = category;
        let w = py
            .detach(|| self.person.add_habit(habit))
            .map_err(PyStoreErr)?;
        written(py, &w, r::habit)
    }

    /// Changes a habit (by id or name): its name, frequency, category, or archives it.
    #[pyo3(signature = (habit, *, name = None, freq = None, category = None, archived = None))]
    fn edit_habit<'py>(
        &self,
        py: Python<'py>,
        habit: &str,
        name: Option<String>,
        freq: Option<&str>,
        category: Option<String>,
        archived: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let changes = HabitChanges {
            name,
            category: category.map(Some),
            frequency: freq.map(parsed).transpose()?,
            archived,
        };
        let w = py
            .detach(|| self.person.edit_habit(habit, changes))
            .map_err(PyStoreErr)?;
        written(py, &w, r::habit)
    }

    /// The habit `habit` names: its id, or its name in any case.
    fn habit<'py>(&self, py: Python<'py>, habit: &str) -> PyResult<Bound<'py, PyAny>> {
        let h = py.detach(|| self.person.habit(habit)).map_err(PyStoreErr)?;
        r::habit(py, &h)
    }

    /// Checks a habit (by id or name) in for `day` (default: today): "yes", "no", "skip", a
    /// bool, or an amount for a habit that counts one.
    #[pyo3(signature = (habit, value = None, *, day = None))]
    fn check_habit<'py>(
        &self,
        py: Python<'py>,
        habit: &str,
        value: Option<&Bound<'py, PyAny>>,
        day: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = value
            .map(entry_value)
            .transpose()?
            .unwrap_or(EntryValue::Yes);
        let day = self.day_opt(day, "day")?;
        let w = py
            .detach(|| self.person.check_habit(habit, day, value))
            .map_err(PyStoreErr)?;
        written(py, &w, r::habit_entry)
    }

    /// Removes a habit's check-in of `day` (default: today).
    #[pyo3(signature = (habit, *, day = None))]
    fn undo_habit<'py>(
        &self,
        py: Python<'py>,
        habit: &str,
        day: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let day = self.day_opt(day, "day")?;
        let w = py
            .detach(|| self.person.undo_habit(habit, day))
            .map_err(PyStoreErr)?;
        written(py, &w, r::habit_entry)
    }

    /// Adds a task. `due` is a day or a time; `project` a name (made if new) or id; `external`
    /// the source's id as "source:id" (adding it again changes nothing).
    #[pyo3(signature = (title, *, due = None, priority = "medium", project = None, tags = None, notes = None, external = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_task<'py>(
        &self,
        py: Python<'py>,
        title: String,
        due: Option<&Bound<'py, PyAny>>,
        priority: &str,
        project: Option<String>,
        tags: Option<Vec<String>>,
        notes: Option<String>,
        external: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = NewTask {
            title,
            notes: notes.unwrap_or_default(),
            due: due.map(|d| self.due(d)).transpose()?,
            scheduled: None,
            priority: parsed::<Priority>(priority)?,
            project,
            tags: tags.unwrap_or_default(),
            external: self::external(external)?,
        };
        let w = py
            .detach(|| self.person.add_task(new))
            .map_err(PyStoreErr)?;
        written(py, &w, r::task)
    }

    /// Changes an open task (by id, title, or a part of the title naming one task); the parts
    /// named in `clear` ("due", "project") are removed.
    #[pyo3(signature = (task, *, title = None, due = None, priority = None, project = None, tags = None, notes = None, clear = None))]
    #[allow(clippy::too_many_arguments)]
    fn edit_task<'py>(
        &self,
        py: Python<'py>,
        task: &str,
        title: Option<String>,
        due: Option<&Bound<'py, PyAny>>,
        priority: Option<&str>,
        project: Option<String>,
        tags: Option<Vec<String>>,
        notes: Option<String>,
        clear: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let clear = clear.unwrap_or_default();
        for c in &clear {
            if !["due", "project"].contains(&c.as_str()) {
                return Err(invalid("clear", format!("'{c}' is not due or project")));
            }
        }
        let cleared = |name: &str| clear.iter().any(|c| c == name);
        let changes = TaskChanges {
            title,
            notes,
            due: if cleared("due") {
                Some(None)
            } else {
                due.map(|d| self.due(d).map(Some)).transpose()?
            },
            priority: priority.map(parsed::<Priority>).transpose()?,
            project: if cleared("project") {
                Some(None)
            } else {
                project.map(Some)
            },
            tags,
        };
        let w = py
            .detach(|| self.person.edit_task(task, changes))
            .map_err(PyStoreErr)?;
        written(py, &w, r::task)
    }

    /// Marks an open task done.
    fn complete_task<'py>(&self, py: Python<'py>, task: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = py
            .detach(|| self.person.complete_task(task))
            .map_err(PyStoreErr)?;
        written(py, &w, r::task)
    }

    /// Opens a done or cancelled task again.
    fn reopen_task<'py>(&self, py: Python<'py>, task: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = py
            .detach(|| self.person.reopen_task(task))
            .map_err(PyStoreErr)?;
        written(py, &w, r::task)
    }

    /// Cancels an open task.
    fn cancel_task<'py>(&self, py: Python<'py>, task: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = py
            .detach(|| self.person.cancel_task(task))
            .map_err(PyStoreErr)?;
        written(py, &w, r::task)
    }

    /// Deletes a task.
    fn delete_task<'py>(&self, py: Python<'py>, task: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = py
            .detach(|| self.person.delete_task(task))
            .map_err(PyStoreErr)?;
        written(py, &w, r::task)
    }

    /// Open tasks (`all`: every task), most urgent first, optionally of one project or tag, or
    /// due by a day.
    #[pyo3(signature = (*, all = false, project = None, tag = None, due_by = None))]
    fn find_tasks<'py>(
        &self,
        py: Python<'py>,
        all: bool,
        project: Option<String>,
        tag: Option<String>,
        due_by: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let filter = TaskFilter {
            all,
            project,
            tag,
            due_by: self.day_opt(due_by, "due_by")?,
        };
        let tasks = py
            .detach(|| self.person.tasks(&filter))
            .map_err(PyStoreErr)?;
        let items = tasks
            .iter()
            .map(|t| r::task(py, t))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Adds an event: `start` a time (timed; with `end` or `duration`, default an hour) or a
    /// day (all-day; `end` the last day). `rrule` repeats it (RFC 5545).
    #[pyo3(signature = (title, start, *, end = None, duration = None, calendar = "Personal", rrule = None, location = None, external = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_event<'py>(
        &self,
        py: Python<'py>,
        title: String,
        start: &Bound<'py, PyAny>,
        end: Option<&Bound<'py, PyAny>>,
        duration: Option<&Bound<'py, PyAny>>,
        calendar: &str,
        rrule: Option<String>,
        location: Option<String>,
        external: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let time = match (self.when(start, "start")?, end, duration) {
            (When::At(s), None, Some(d)) => timed(s, self::duration(d, "duration")?),
            (When::At(s), Some(e), None) => EventTime::Timed {
                start: s,
                end: self.instant(e, "end")?,
            },
            (When::At(s), None, None) => timed(s, 3600.0),
            (When::Day(s), e, None) => {
                let last = match e {
                    Some(e) => self.day(e, "end")?,
                    None => s,
                };
                EventTime::AllDay {
                    start: s,
                    end: last.succ().map_err(PyPaErr)?,
                }
            }
            _ => {
                return Err(invalid(
                    "duration",
                    "give end or duration, not both; an all-day event takes end",
                ));
            }
        };
        let new = NewEvent {
            calendar: calendar.to_owned(),
            title,
            time,
            rrule,
            location,
            external: self::external(external)?,
        };
        let w = py
            .detach(|| self.person.add_event(new))
            .map_err(PyStoreErr)?;
        written(py, &w, r::event)
    }

    /// Changes an event (by id or title): the series, or the occurrence on the day `on`.
    #[pyo3(signature = (event, *, on = None, title = None, start = None, duration = None))]
    fn edit_event<'py>(
        &self,
        py: Python<'py>,
        event: &str,
        on: Option<&Bound<'py, PyAny>>,
        title: Option<String>,
        start: Option<&Bound<'py, PyAny>>,
        duration: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let time = match (start, duration) {
            (Some(s), Some(d)) => Some(timed(
                self.instant(s, "start")?,
                self::duration(d, "duration")?,
            )),
            (None, None) => None,
            _ => return Err(invalid("start", "give start and duration together")),
        };
        let changes = EventChanges {
            title,
            time,
            location: None,
        };
        let scope = scope(self, on)?;
        let w = py
            .detach(|| self.person.edit_event(event, changes, scope))
            .map_err(PyStoreErr)?;
        written(py, &w, r::event)
    }

    /// Deletes an event, or only its occurrence on the day `on`.
    #[pyo3(signature = (event, *, on = None))]
    fn delete_event<'py>(
        &self,
        py: Python<'py>,
        event: &str,
        on: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let scope = scope(self, on)?;
        let w = py
            .detach(|| self.person.delete_event(event, scope))
            .map_err(PyStoreErr)?;
        written(py, &w, r::event)
    }

    /// Adds a reminder at a time (`at`), or repeating on a schedule (`every`: "daily 09:00",
    /// "weekly mon,thu 18:00", "monthly last 18:00", or a cron pattern), optionally about a task.
    #[pyo3(signature = (message, at = None, *, every = None, task = None))]
    fn add_reminder<'py>(
        &self,
        py: Python<'py>,
        message: &str,
        at: Option<&Bound<'py, PyAny>>,
        every: Option<&str>,
        task: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let w = match (at, every) {
            (Some(at), None) => {
                let at = self.instant(at, "at")?;
                py.detach(|| self.person.add_reminder(message, at, task))
            }
            (None, Some(every)) => {
                let schedule = every.parse().map_err(|e| named("every", e))?;
                py.detach(|| self.person.add_recurring_reminder(message, schedule, task))
            }
            _ => return Err(invalid("at", "give at or every, one of them")),
        }
        .map_err(PyStoreErr)?;
        written(py, &w, r::reminder)
    }

    /// Marks a reminder sent.
    fn mark_reminder_sent<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = py
            .detach(|| self.person.mark_reminder_sent(id))
            .map_err(PyStoreErr)?;
        written(py, &w, r::reminder)
    }

    /// Moves a reminder to a later time and makes it due again.
    fn snooze_reminder<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        until: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let until = self.instant(until, "until")?;
        let w = py
            .detach(|| self.person.snooze_reminder(id, until))
            .map_err(PyStoreErr)?;
        written(py, &w, r::reminder)
    }

    /// Deletes a reminder.
    fn delete_reminder<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = py
            .detach(|| self.person.delete_reminder(id))
            .map_err(PyStoreErr)?;
        written(py, &w, r::reminder)
    }

    /// Writes a note (tag it "journal" for a journal entry).
    #[pyo3(signature = (text, *, title = "", tags = None))]
    fn add_note<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        title: &str,
        tags: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let tags = tags.unwrap_or_default();
        let w = py
            .detach(|| self.person.add_note(title, text, tags))
            .map_err(PyStoreErr)?;
        written(py, &w, r::note)
    }

    /// The day's check-in (default: today): mood and energy 1–5, notes; what is not given stays.
    #[pyo3(signature = (*, day = None, mood = None, energy = None, notes = None))]
    fn check_in<'py>(
        &self,
        py: Python<'py>,
        day: Option<&Bound<'py, PyAny>>,
        mood: Option<u8>,
        energy: Option<u8>,
        notes: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let day = self.day_opt(day, "day")?;
        let w = py
            .detach(|| self.person.check_in(day, mood, energy, notes))
            .map_err(PyStoreErr)?;
        written(py, &w, r::check_in)
    }

    /// Remembers something about the person, importance 1 (trivia) to 5 (essential).
    #[pyo3(signature = (content, *, importance = 3, tags = None))]
    fn remember<'py>(
        &self,
        py: Python<'py>,
        content: &str,
        importance: u8,
        tags: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let tags = tags.unwrap_or_default();
        let w = py
            .detach(|| self.person.remember(content, tags, importance))
            .map_err(PyStoreErr)?;
        written(py, &w, r::memory)
    }

    /// Records money spent: `amount` a Decimal, int or decimal string (above zero), in
    /// `currency` (default: the profile's); returns the transaction on the cash account.
    #[pyo3(signature = (amount, description = "", *, currency = None, category = None, day = None, merchant = None, external = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_expense<'py>(
        &self,
        py: Python<'py>,
        amount: &Bound<'py, PyAny>,
        description: &str,
        currency: Option<&str>,
        category: Option<&str>,
        day: Option<&Bound<'py, PyAny>>,
        merchant: Option<String>,
        external: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = NewExpense {
            day: self.day_opt(day, "day")?,
            amount: self.money(amount, currency, "amount")?,
            category: category.map(parsed::<Category>).transpose()?,
            description: description.to_owned(),
            merchant,
            external: self::external(external)?,
        };
        let w = py
            .detach(|| self.person.add_expense(new))
            .map_err(PyStoreErr)?;
        written(py, &w, r::transaction)
    }

    /// Sets a category's budget for `month` ("YYYY-MM"; default: this month).
    #[pyo3(signature = (category, amount, *, month = None, currency = None))]
    fn set_budget<'py>(
        &self,
        py: Python<'py>,
        category: &str,
        amount: &Bound<'py, PyAny>,
        month: Option<&str>,
        currency: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let month: Month = match month {
            Some(m) => parsed(m)?,
            None => self.zone_today()?.1.month(),
        };
        let category: Category = parsed(category)?;
        let amount = self.money(amount, currency, "amount")?;
        let w = py
            .detach(|| self.person.set_budget(category, month, amount))
            .map_err(PyStoreErr)?;
        written(py, &w, |py, b| {
            record!(py, "Budget" {
                category: b.category.path(),
                month: b.month.to_string(),
                amount: r::money(py, &b.amount)?,
            })
        })
    }

    /// Adds a bill the person expects to pay: `cadence` weekly, biweekly, monthly, quarterly or
    /// yearly; `next_due` a day (default: today).
    #[pyo3(signature = (name, amount, *, cadence = "monthly", next_due = None, currency = None, category = None, merchant = None))]
    #[allow(clippy::too_many_arguments)]
    fn add_bill<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        amount: &Bound<'py, PyAny>,
        cadence: &str,
        next_due: Option<&Bound<'py, PyAny>>,
        currency: Option<&str>,
        category: Option<&str>,
        merchant: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let next_due = match self.day_opt(next_due, "next_due")? {
            Some(day) => day,
            None => self.zone_today()?.1,
        };
        let new = NewBill {
            name: name.to_owned(),
            amount: self.money(amount, currency, "amount")?,
            cadence: parsed(cadence)?,
            next_due,
            category: category.map(parsed::<Category>).transpose()?,
            merchant,
        };
        let w = py
            .detach(|| self.person.add_bill(new))
            .map_err(PyStoreErr)?;
        written(py, &w, r::bill)
    }

    /// Logs an activity done by hand: `start` a time, `duration` a timedelta, seconds or "45m".
    /// `rpe`: how hard it felt, 0–10 (Borg CR-10), kept beside `load`.
    #[pyo3(signature = (sport, start, duration, *, km = None, load = None, rpe = None, name = None, external = None))]
    #[allow(clippy::too_many_arguments)]
    fn log_activity<'py>(
        &self,
        py: Python<'py>,
        sport: &str,
        start: &Bound<'py, PyAny>,
        duration: &Bound<'py, PyAny>,
        km: Option<f64>,
        load: Option<f64>,
        rpe: Option<f64>,
        name: Option<String>,
        external: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = NewActivity {
            sport: parsed(sport)?,
            start: self.instant(start, "start")?,
            duration_s: self::duration(duration, "duration")?,
            distance_m: km.map(|k| k * 1000.0),
            load,
            rpe,
            name,
            external: self::external(external)?,
        };
        let w = py
            .detach(|| self.person.log_activity(new))
            .map_err(PyStoreErr)?;
        written(py, &w, r::activity)
    }

    /// Logs a weigh-in (kg; body fat in percent) at `at` (default: now).
    #[pyo3(signature = (kg, *, at = None, fat_pct = None))]
    fn log_weight<'py>(
        &self,
        py: Python<'py>,
        kg: f64,
        at: Option<&Bound<'py, PyAny>>,
        fat_pct: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at = match at {
            Some(a) => self.instant(a, "at")?,
            None => ZonedInstant::new(self.person.now(), self.zone_today()?.0),
        };
        let w = py
            .detach(|| self.person.log_weight(at, kg, fat_pct))
            .map_err(PyStoreErr)?;
        written(py, &w, r::body)
    }

    /// Plans a workout for `day` (default: today).
    #[pyo3(signature = (sport, *, day = None, duration = None, km = None, load = None, description = ""))]
    #[allow(clippy::too_many_arguments)]
    fn plan_workout<'py>(
        &self,
        py: Python<'py>,
        sport: &str,
        day: Option<&Bound<'py, PyAny>>,
        duration: Option<&Bound<'py, PyAny>>,
        km: Option<f64>,
        load: Option<f64>,
        description: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = NewWorkout {
            day: match self.day_opt(day, "day")? {
                Some(d) => d,
                None => self.zone_today()?.1,
            },
            sport: parsed(sport)?,
            duration_s: duration
                .map(|d| self::duration(d, "duration"))
                .transpose()?,
            distance_m: km.map(|k| k * 1000.0),
            load,
            description: description.to_owned(),
        };
        let w = py
            .detach(|| self.person.plan_workout(new))
            .map_err(PyStoreErr)?;
        written(py, &w, r::plan)
    }
}

impl User {
    fn due(&self, value: &Bound<'_, PyAny>) -> PyResult<Due> {
        Ok(match self.when(value, "due")? {
            When::Day(day) => Due::Day { day },
            When::At(at) => Due::At { at },
        })
    }
}

/// The rows of a bulk write as dicts: a pandas DataFrame's records, dataclasses as dicts, or
/// mappings as they are.
fn rows_of<'py>(rows: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let py = rows.py();
    let rows = if rows.hasattr("to_dict")? && rows.hasattr("columns")? {
        rows.call_method1("to_dict", ("records",))?
    } else {
        rows.clone()
    };
    let dataclasses = py.import("dataclasses")?;
    let mut out = Vec::new();
    for (i, row) in rows.try_iter()?.enumerate() {
        let row = row?;
        let row = if dataclasses
            .call_method1("is_dataclass", (&row,))?
            .is_truthy()?
        {
            dataclasses.call_method1("asdict", (&row,))?
        } else {
            row
        };
        let dict = PyDict::new(py);
        let mapping = row.cast::<pyo3::types::PyMapping>().map_err(|_| {
            invalid(
                &format!("row {i}"),
                "is not a dict, a dataclass or a DataFrame row",
            )
        })?;
        for key in mapping.keys()?.iter() {
            let value = mapping.get_item(&key)?;
            // pandas marks missing values NaN or NaT: both are unequal to themselves.
            let missing = value.is_none() || value.ne(&value)?;
            if !missing {
                dict.set_item(key, value)?;
            }
        }
        out.push(dict);
    }
    Ok(out)
}

/// Reads a bulk row's fields by name, refusing names the kind does not have.
struct Row<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    index: usize,
}

impl<'py> Row<'_, 'py> {
    fn check(&self, known: &[&str]) -> PyResult<()> {
        for key in self.dict.keys() {
            let key: String = key.extract()?;
            if !known.contains(&key.as_str()) {
                return Err(invalid(
                    "columns",
                    format!("'{key}' is not one of {}", known.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.dict.get_item(key)
    }

    fn need(&self, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.get(key)?
            .ok_or_else(|| invalid("columns", format!("'{key}' is missing")))
    }

    fn text(&self, key: &str) -> PyResult<Option<String>> {
        self.get(key)?
            .map(|v| {
                v.extract::<String>()
                    .map_err(|_| invalid(key, format!("{v} is not text")))
            })
            .transpose()
    }

    fn number(&self, key: &str) -> PyResult<Option<f64>> {
        self.get(key)?
            .map(|v| {
                v.extract::<f64>()
                    .map_err(|_| invalid(key, format!("{v} is not a number")))
            })
            .transpose()
    }

    /// An error of this row, named so.
    fn named(&self, e: PyErr) -> PyErr {
        let py = self.dict.py();
        match e.value(py).str() {
            Ok(text) if e.is_instance_of::<pyo3::exceptions::PyValueError>(py) => {
                let message = text.to_string();
                let message = message.strip_prefix("invalid ").unwrap_or(&message);
                invalid(&format!("row {}", self.index), message)
            }
            _ => e,
        }
    }
}

impl User {
    fn entry(&self, kind: &str, row: &Row<'_, '_>) -> PyResult<Entry> {
        Ok(match kind {
            "expense" => {
                row.check(&[
                    "amount",
                    "description",
                    "currency",
                    "category",
                    "day",
                    "merchant",
                    "external",
                ])?;
                Entry::Expense(NewExpense {
                    day: self.day_opt(row.get("day")?.as_ref(), "day")?,
                    amount: self.money(
                        &row.need("amount")?,
                        row.text("currency")?.as_deref(),
                        "amount",
                    )?,
                    category: row
                        .text("category")?
                        .as_deref()
                        .map(parsed::<Category>)
                        .transpose()?,
                    description: row.text("description")?.unwrap_or_default(),
                    merchant: row.text("merchant")?,
                    external: external(row.text("external")?.as_deref())?,
                })
            }
            "activity" => {
                row.check(&[
                    "sport", "start", "duration", "km", "load", "rpe", "name", "external",
                ])?;
                Entry::Activity(NewActivity {
                    sport: parsed(
                        &row.need("sport")
                            .and_then(|_| row.text("sport"))?
                            .unwrap_or_default(),
                    )?,
                    start: self.instant(&row.need("start")?, "start")?,
                    duration_s: duration(&row.need("duration")?, "duration")?,
                    distance_m: row.number("km")?.map(|k| k * 1000.0),
                    load: row.number("load")?,
                    rpe: row.number("rpe")?,
                    name: row.text("name")?,
                    external: external(row.text("external")?.as_deref())?,
                })
            }
            "habit_check" => {
                row.check(&["habit", "value", "day"])?;
                Entry::HabitCheck {
                    habit: row
                        .need("habit")
                        .and_then(|_| row.text("habit"))?
                        .unwrap_or_default(),
                    day: self.day_opt(row.get("day")?.as_ref(), "day")?,
                    value: row
                        .get("value")?
                        .map(|v| entry_value(&v))
                        .transpose()?
                        .unwrap_or(EntryValue::Yes),
                }
            }
            "weigh_in" => {
                row.check(&["kg", "at", "fat_pct"])?;
                Entry::Weight {
                    at: self.instant(&row.need("at")?, "at")?,
                    kg: row
                        .need("kg")
                        .and_then(|_| row.number("kg"))?
                        .unwrap_or_default(),
                    body_fat_pct: row.number("fat_pct")?,
                }
            }
            other => return Err(unknown_kind(other)),
        })
    }
}

/// The kinds of bulk writes, by the names `write_many` takes.
const KINDS: [&str; 4] = ["expense", "activity", "habit_check", "weigh_in"];

fn unknown_kind(kind: &str) -> PyErr {
    invalid("kind", format!("'{kind}' is not {}", KINDS.join(", ")))
}

#[pymethods]
impl User {
    /// Writes many records of one `kind` ("expense", "activity", "habit_check", "weigh_in") in
    /// one transaction, all or nothing: `rows` is a pandas DataFrame, or any iterable of dicts or
    /// dataclasses, whose columns are the arguments of `add_expense`, `log_activity`,
    /// `check_habit` or `log_weight` (`at` is required for weigh-ins). Rows with an external id
    /// already stored are left alone, so writing the same rows again changes nothing. An error
    /// names its row (from 0). Returns the counts written.
    fn write_many<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        rows: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Checked first: an empty write of an unknown kind is still an error.
        if !KINDS.contains(&kind) {
            return Err(unknown_kind(kind));
        }
        let dicts = rows_of(rows)?;
        let mut entries = Vec::with_capacity(dicts.len());
        for (index, dict) in dicts.iter().enumerate() {
            let row = Row { dict, index };
            entries.push(self.entry(kind, &row).map_err(|e| row.named(e))?);
        }
        let report = py
            .detach(|| self.person.write_all(entries))
            .map_err(PyStoreErr)?;
        crate::store::to_python(py, &report)
    }
}
