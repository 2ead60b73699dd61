//! Today's briefing: what a person wants to see in the morning, as one serialisable value.
//!
//! Rules:
//! - the agenda is the day's occurrences in the user's zone, cancelled ones left out;
//! - tasks: open tasks due today and overdue ones ([`crate::tasks`] rules);
//! - habits: each habit, whether it is done today, and its current and longest streak;
//! - form: the PMC row of the day (the convention the caller gives), in [`Form`]'s bands;
//! - sleep: the health record of the day (devices file last night's sleep under the morning it
//!   ends), else of the day before; HRV status as [`crate::fitness::trends::hrv_status`] gives it;
//! - money: each budget of the month as of the day, and net worth per currency with its change
//!   over a week and a month;
//! - reminders due by `now` and not yet sent;
//! - no one event can fail or flood the briefing: one that cannot be expanded is left out, and a
//!   series is cut to [`crate::calendar::AGENDA_SERIES_CAP`] occurrences, each with a note.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::{Event, Occurrence, agenda_between};
use crate::error::Result;
use crate::finance::budget::{Budget, BudgetStatus, budget_status};
use crate::finance::networth::{BalanceHistory, Period, net_worth_of_histories};
use crate::finance::{Account, Transaction};
use crate::fitness::DailyHealth;
use crate::fitness::pmc::{self, DailyLoads, Form, PmcOptions};
use crate::fitness::trends::{DailySeries, HealthMetric, HrvDay, HrvOptions, hrv_status};
use crate::habits::streak::{done_on, streaks};
use crate::habits::{Habit, HabitEntry};
use crate::tasks::{self, Reminder, Task};
use crate::time::{Day, ZonedInstant};

/// The day a briefing is for and the instant it is judged at: `day`, or today in `zone`; today
/// is judged `now`, any other day at 08:00 that morning (so "due today" and reminders read as they
/// would have then, or will).
pub fn moment(
    day: Option<Day>,
    now: chrono::DateTime<chrono::Utc>,
    zone: chrono_tz::Tz,
) -> Result<(Day, chrono::DateTime<chrono::Utc>)> {
    let today = ZonedInstant::new(now, zone).local_day();
    let day = day.unwrap_or(today);
    if day == today {
        return Ok((day, now));
    }
    let morning = day.naive().and_hms_opt(8, 0, 0).unwrap_or_default();
    Ok((day, ZonedInstant::from_local(morning, zone)?.utc))
}

/// Training form on the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormToday {
    /// Chronic training load (fitness).
    pub ctl: f64,
    /// Acute training load (fatigue).
    pub atl: f64,
    /// Training stress balance (form).
    pub tsb: f64,
    /// CTL ramp.
    pub ramp: f64,
    /// The band the balance falls in ([`Form::from_tsb`]).
    pub form: Form,
    /// The band for people ([`Form::describe`]).
    pub reading: String,
}

/// A habit today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HabitToday {
    /// Its name.
    pub name: String,
    /// Whether today's entry is done.
    pub done_today: bool,
    /// Current streak, in the habit's periods.
    pub current_streak: u32,
    /// Longest streak.
    pub longest_streak: u32,
}

/// Last night.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SleepToday {
    /// The day the record is filed under.
    pub day: Day,
    /// Total sleep, seconds.
    pub total_s: Option<f64>,
    /// Sleep score.
    pub score: Option<f64>,
    /// Resting heart rate.
    pub resting_hr_bpm: Option<f64>,
    /// HRV status on that day.
    pub hrv: Option<HrvDay>,
}

/// Net worth in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWorthToday {
    /// ISO 4217 code.
    pub currency: String,
    /// Net worth, exact decimal.
    pub net_worth: rust_decimal::Decimal,
    /// Change over 7 days.
    pub change_week: Option<rust_decimal::Decimal>,
    /// Change since the same day last month.
    pub change_month: Option<rust_decimal::Decimal>,
}

/// Today's briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    /// The day.
    pub day: Day,
    /// The day's occurrences, in start order.
    pub agenda: Vec<Occurrence>,
    /// Open tasks due today.
    pub tasks_due: Vec<Task>,
    /// Open tasks past due.
    pub tasks_overdue: Vec<Task>,
    /// Habits.
    pub habits: Vec<HabitToday>,
    /// Training form, when there are loads.
    pub form: Option<FormToday>,
    /// Last night, when recorded.
    pub sleep: Option<SleepToday>,
    /// The month's budgets as of today.
    pub budgets: Vec<BudgetStatus>,
    /// Net worth per currency.
    pub net_worth: Vec<NetWorthToday>,
    /// Reminders due.
    pub reminders: Vec<Reminder>,
    /// What the briefing had to leave out or cut short (an event that cannot be expanded, a
    /// series of more than [`crate::calendar::AGENDA_SERIES_CAP`] occurrences), in plain words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What a briefing is computed from: the records a repository reads for it
/// ([`crate::ports::ReviewRepository::briefing`] reads exactly these).
#[derive(Debug, Clone, Copy)]
pub struct BriefingData<'a> {
    /// Events whose span touches the day.
    pub events: &'a [Event],
    /// Open tasks.
    pub open_tasks: &'a [Task],
    /// Habits with their entries through the day.
    pub habits: &'a [(Habit, Vec<HabitEntry>)],
    /// Training loads by day through the day.
    pub loads: &'a [(Day, f64)],
    /// The PMC convention.
    pub pmc: &'a PmcOptions,
    /// Health records of the [`HEALTH_DAYS`] days through the day (the HRV status needs them).
    pub health: &'a [DailyHealth],
    /// Every account.
    pub accounts: &'a [Account],
    /// The budgets of the day's month.
    pub budgets: &'a [Budget],
    /// Transactions of the day's month through the day.
    pub transactions: &'a [Transaction],
    /// Balance histories of the [`NET_WORTH_DAYS`] days through the day.
    pub balances: &'a [BalanceHistory],
    /// Every reminder.
    pub reminders: &'a [Reminder],
}

/// How many days of health records a briefing reads: sixty for the HRV range, plus the baseline
/// week and a margin.
pub const HEALTH_DAYS: i64 = 71;

/// How many days of balances a briefing reads: a month back for the month's change.
pub const NET_WORTH_DAYS: i64 = 32;

/// The briefing of `day` in `zone`, judged at `now`, from `data` (the rules in the module doc).
pub fn briefing(
    day: Day,
    now: DateTime<Utc>,
    zone: Tz,
    data: &BriefingData<'_>,
) -> Result<Briefing> {
    let agenda = agenda_between(data.events, day, day, zone)?;
    let tasks_due = tasks::due_today(data.open_tasks, now, zone)
        .into_iter()
        .cloned()
        .collect();
    let tasks_overdue = tasks::overdue(data.open_tasks, now, zone)
        .into_iter()
        .cloned()
        .collect();
    let mut habits = Vec::with_capacity(data.habits.len());
    for (habit, entries) in data.habits {
        let s = streaks(habit, entries, day)?;
        habits.push(HabitToday {
            name: habit.name.clone(),
            done_today: done_on(habit, entries, day)?,
            current_streak: s.current,
            longest_streak: s.longest,
        });
    }
    let form = if data.loads.is_empty() {
        None
    } else {
        let mut loads = DailyLoads::from_entries(data.loads.iter().copied())?;
        loads.extend_through(day)?;
        let chart = pmc::compute(&loads, data.pmc)?;
        chart.last().filter(|last| last.day == day).map(|last| {
            let form = Form::from_tsb(last.tsb);
            FormToday {
                ctl: last.ctl,
                atl: last.atl,
                tsb: last.tsb,
                ramp: last.ramp,
                form,
                reading: form.describe().to_owned(),
            }
        })
    };
    // Devices file last night's sleep under the morning it ends: today's record, else
    // yesterday's.
    let yesterday = day.pred().unwrap_or(day);
    let night = data
        .health
        .iter()
        .rev()
        .find(|h| h.day == day || h.day == yesterday);
    let sleep = match night {
        None => None,
        Some(h) => {
            let hrv = match DailySeries::from_health(data.health, HealthMetric::HrvRmssd)? {
                Some(series) => hrv_status(&series, &HrvOptions::default())?
                    .into_iter()
                    .find(|d| d.day == h.day),
                None => None,
            };
            Some(SleepToday {
                day: h.day,
                total_s: h.sleep.as_ref().map(|s| s.total_s),
                score: h.sleep.as_ref().and_then(|s| s.score),
                resting_hr_bpm: h.resting_hr_bpm,
                hrv,
            })
        }
    };
    let month = day.month();
    let budgets: Vec<Budget> = data
        .budgets
        .iter()
        .filter(|b| b.month == month)
        .cloned()
        .collect();
    let budgets = budget_status(data.accounts, &budgets, data.transactions, day)?;
    let series = net_worth_of_histories(
        data.accounts,
        data.balances,
        day.add_days(-(NET_WORTH_DAYS - 1))?,
        day,
        None,
    )?;
    let net_worth = series
        .currencies
        .iter()
        .filter_map(|c| {
            let row = series.on(day, *c)?;
            Some(NetWorthToday {
                currency: c.code().to_owned(),
                net_worth: row.net_worth,
                change_week: series.change(day, *c, Period::Week),
                change_month: series.change(day, *c, Period::Month),
            })
        })
        .collect();
    let reminders = tasks::reminders_due(data.reminders, now)
        .into_iter()
        .cloned()
        .collect();
    Ok(Briefing {
        day,
        agenda: agenda.occurrences,
        notes: agenda.notes,
        tasks_due,
        tasks_overdue,
        habits,
        form,
        sleep,
        budgets,
        net_worth,
        reminders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_judged_now_and_other_days_at_eight() {
        let zone: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let now = "2026-11-21T20:30:00Z".parse().unwrap();
        assert_eq!(
            moment(None, now, zone).unwrap(),
            ("2026-11-21".parse().unwrap(), now)
        );
        let (day, at) = moment(Some("2026-11-20".parse().unwrap()), now, zone).unwrap();
        assert_eq!(day.to_string(), "2026-11-20");
        assert_eq!(
            at,
            "2026-11-20T07:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        );
        // Late evening UTC is already tomorrow in Tokyo.
        let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            moment(None, now, tokyo).unwrap().0.to_string(),
            "2026-11-22"
        );
    }

    /// The briefing from data alone: a task due today and one overdue, habits judged by their
    /// targets, the agenda with a flooding series cut and noted, and no form or sleep without
    /// loads or health.
    #[test]
    fn a_briefing_is_computed_from_its_data() {
        use crate::habits::{EntryValue, Frequency, TargetKind};
        use crate::tasks::Due;
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        let day: Day = "2026-11-20".parse().unwrap();
        let now: DateTime<Utc> = "2026-11-20T07:00:00Z".parse().unwrap();
        let mut due = Task::new(crate::ids::TaskId::new("t1").unwrap(), "Call the bank", now);
        due.due = Some(Due::Day { day });
        let mut late = Task::new(crate::ids::TaskId::new("t2").unwrap(), "Taxes", now);
        late.due = Some(Due::Day {
            day: day.add_days(-3).unwrap(),
        });
        let read =
            Habit::numerical("Read", Frequency::DAILY, 20.0, TargetKind::AtLeast, "pages").unwrap();
        let habits = vec![(
            read,
            vec![HabitEntry {
                day,
                value: EntryValue::Amount(5.0),
            }],
        )];
        let start =
            ZonedInstant::from_local(day.naive().and_hms_opt(9, 0, 0).unwrap(), zone).unwrap();
        let mut ticking = Event::timed("work", "Tick", start, start).unwrap();
        ticking.recurrence = Some(
            crate::calendar::recurrence::Recurrence::rule("FREQ=MINUTELY;INTERVAL=10").unwrap(),
        );
        let b = briefing(
            day,
            now,
            zone,
            &BriefingData {
                events: &[ticking],
                open_tasks: &[due, late],
                habits: &habits,
                loads: &[],
                pmc: &PmcOptions::default(),
                health: &[],
                accounts: &[],
                budgets: &[],
                transactions: &[],
                balances: &[],
                reminders: &[],
            },
        )
        .unwrap();
        assert_eq!((b.tasks_due.len(), b.tasks_overdue.len()), (1, 1), "{b:?}");
        assert_eq!(b.tasks_overdue[0].title, "Taxes");
        assert!(!b.habits[0].done_today);
        assert_eq!(b.agenda.len(), crate::calendar::AGENDA_SERIES_CAP);
        assert_eq!(
            b.notes,
            vec!["'Tick' occurs 90 times in this window; the first 12 are listed".to_owned()]
        );
        assert_eq!((b.form, b.sleep), (None, None));
        assert!(b.net_worth.is_empty() && b.budgets.is_empty() && b.reminders.is_empty());
    }
}
