//! Today's briefing and the weekly review as `pa.results` dataclasses.

use pa_core::review::WeeklyReview;
use pa_core::review::briefing::Briefing;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::finance::budget;
use crate::fitness::{hrv_day, totals};
use crate::records::{self as r, naive, record, tag, tuple};

pub(crate) fn briefing<'py>(py: Python<'py>, b: &Briefing) -> PyResult<Bound<'py, PyAny>> {
    let form = b
        .form
        .as_ref()
        .map(|f| {
            record!(results: py, "FormToday" {
                ctl: f.ctl,
                atl: f.atl,
                tsb: f.tsb,
                ramp: f.ramp,
                form: tag(&f.form)?,
                reading: f.reading.as_str(),
            })
        })
        .transpose()?;
    let sleep = b
        .sleep
        .as_ref()
        .map(|s| {
            record!(results: py, "SleepToday" {
                day: naive(s.day),
                total_s: s.total_s,
                score: s.score,
                resting_hr_bpm: s.resting_hr_bpm,
                hrv: s.hrv.as_ref().map(|h| hrv_day(py, h)).transpose()?,
            })
        })
        .transpose()?;
    let habits = tuple(py, &b.habits, |py, h| {
        record!(results: py, "HabitToday" {
            name: h.name.as_str(),
            done_today: h.done_today,
            current_streak: h.current_streak,
            longest_streak: h.longest_streak,
        })
    })?;
    let net_worth = tuple(py, &b.net_worth, |py, n| {
        record!(results: py, "NetWorthToday" {
            currency: n.currency.as_str(),
            net_worth: n.net_worth,
            change_week: n.change_week,
            change_month: n.change_month,
        })
    })?;
    record!(results: py, "Briefing" {
        day: naive(b.day),
        agenda: tuple(py, &b.agenda, r::occurrence)?,
        tasks_due: tuple(py, &b.tasks_due, r::task)?,
        tasks_overdue: tuple(py, &b.tasks_overdue, r::task)?,
        habits: habits,
        form: form,
        sleep: sleep,
        budgets: tuple(py, &b.budgets, budget)?,
        net_worth: net_worth,
        reminders: tuple(py, &b.reminders, r::reminder)?,
        notes: PyTuple::new(py, &b.notes)?,
    })
}

pub(crate) fn weekly_review<'py>(py: Python<'py>, w: &WeeklyReview) -> PyResult<Bound<'py, PyAny>> {
    let t = &w.training;
    let training = record!(results: py, "TrainingSummary" {
        planned: totals(py, &t.planned)?,
        actual: totals(py, &t.actual)?,
        adherence_pct: t.adherence_pct,
        completed: t.completed,
        changed: t.changed,
        missed: t.missed,
        extra: t.extra,
        upcoming: t.upcoming,
        ctl: t.ctl,
        atl: t.atl,
        tsb: t.tsb,
        form: t.form.as_ref().map(tag).transpose()?,
    })?;
    let h = &w.health;
    let health = record!(results: py, "HealthSummary" {
        avg_sleep_hours: h.avg_sleep_hours,
        avg_resting_hr: h.avg_resting_hr,
        hrv_status: h.hrv_status.as_ref().map(tag).transpose()?,
        weight_kg: h.weight_kg,
    })?;
    let habits = tuple(py, &w.habits, |py, h| {
        record!(results: py, "HabitSummary" {
            name: h.name.as_str(),
            completion_pct: h.completion_pct,
            streak_before: h.streak_before,
            streak_after: h.streak_after,
        })
    })?;
    let tasks = record!(results: py, "TaskSummary" {
        done: w.tasks.done,
        added: w.tasks.added,
        overdue: w.tasks.overdue,
    })?;
    let calendar = tuple(
        py,
        &w.calendar,
        |py, c| record!(results: py, "CalendarHours" { calendar: c.calendar.as_str(), hours: c.hours }),
    )?;
    let spending = tuple(py, &w.spending, |py, s| {
        record!(results: py, "CategorySpending" {
            category: s.category.as_str(),
            currency: s.currency.code(),
            spent: s.spent,
        })
    })?;
    let net_worth = tuple(py, &w.net_worth, |py, n| {
        record!(results: py, "NetWorthChange" {
            currency: n.currency.code(),
            start: n.start,
            end: n.end,
            change: n.change,
        })
    })?;
    record!(results: py, "WeeklyReview" {
        label: w.label.as_str(),
        first_day: naive(w.first_day),
        last_day: naive(w.last_day),
        through: naive(w.through),
        in_progress: w.in_progress,
        training: training,
        health: health,
        habits: habits,
        tasks: tasks,
        calendar: calendar,
        spending: spending,
        budgets: tuple(py, &w.budgets, budget)?,
        net_worth: net_worth,
        mood_avg: w.mood_avg,
        notes: PyTuple::new(py, &w.notes)?,
    })
}
