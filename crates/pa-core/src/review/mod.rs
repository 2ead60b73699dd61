//! The weekly review: one pure function of an ISO week and a person's data, returning a
//! serialisable summary that CLIs, Python and apps render as they like.
//!
//! The week runs Monday 00:00 to Sunday 24:00 in the person's zone. History before the week is
//! used where a figure needs it (CTL/ATL/TSB, HRV baseline, streaks, net worth at the start);
//! nothing after the week is looked at.
//!
//! A review of the week that is under way runs through the moment it is asked (`now`), not to
//! Sunday: form, streaks, budgets and net worth are those of today; a habit's today counts once it
//! has an entry; a planned workout not done yet and due today or later is upcoming, not missed;
//! tasks are overdue as of now. It says so ([`WeeklyReview::in_progress`], [`WeeklyReview::through`]).
//! A week that has not begun is an error. Calendar hours are the week's booked hours, days ahead
//! included.

pub mod briefing;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::{Event, hours_per_week};
use crate::error::Result;
use crate::finance::budget::{Budget, BudgetStatus, budget_status};
use crate::finance::cashflow::{CashflowOptions, cash_flow};
use crate::finance::networth::net_worth;
use crate::finance::{Account, BalanceSnapshot, Transaction};
use crate::fitness::adherence::{
    AdherenceOptions, Totals, WorkoutStatus, match_workouts, weekly_adherence,
};
use crate::fitness::pmc::{self, DailyLoads, Form, PmcOptions};
use crate::fitness::trends::{DailySeries, HealthMetric, HrvOptions, HrvStatus, hrv_status};
use crate::fitness::{Activity, BodyComposition, DailyHealth, PlannedWorkout};
use crate::habits::streak::{DayStatus, day_statuses, streaks};
use crate::habits::{Habit, HabitEntry};
use crate::ids::WorkoutId;
use crate::journal::{DailyCheckIn, average_mood};
use crate::money::Currency;
use crate::tasks::{Task, TaskStatus, overdue};
use crate::time::{Day, Week};

/// Everything the review may draw on. Slices may hold any span of history.
#[derive(Debug, Clone, Copy)]
pub struct ReviewData<'a> {
    /// The moment of asking: a week under way is reviewed through it.
    pub now: DateTime<Utc>,
    /// The person's zone: where the week's days begin.
    pub zone: Tz,
    /// Activities.
    pub activities: &'a [Activity],
    /// Daily training loads for CTL/ATL/TSB (what a store's `daily_loads` returns); when `None`
    /// they are taken from `activities`, which must then hold the whole history.
    pub loads: Option<&'a [(Day, f64)]>,
    /// Planned workouts.
    pub planned: &'a [PlannedWorkout],
    /// PMC convention for the week-end fitness figures.
    pub pmc: PmcOptions,
    /// Daily health records.
    pub health: &'a [DailyHealth],
    /// Weigh-ins and body composition.
    pub body: &'a [BodyComposition],
    /// Habits with their entries.
    pub habits: &'a [(Habit, Vec<HabitEntry>)],
    /// Tasks.
    pub tasks: &'a [Task],
    /// Calendar events.
    pub events: &'a [Event],
    /// Accounts.
    pub accounts: &'a [Account],
    /// Transactions.
    pub transactions: &'a [Transaction],
    /// Budgets.
    pub budgets: &'a [Budget],
    /// Balances, for net worth.
    pub balances: &'a [BalanceSnapshot],
    /// Check-ins.
    pub checkins: &'a [DailyCheckIn],
}

/// Training in the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// What the plan asked for.
    pub planned: Totals,
    /// What was done.
    pub actual: Totals,
    /// Planned workouts done (as planned or changed) in percent.
    pub adherence_pct: Option<f64>,
    /// Workouts done as planned, changed, missed; activities not in the plan.
    pub completed: u32,
    /// Changed.
    pub changed: u32,
    /// Missed.
    pub missed: u32,
    /// Extra.
    pub extra: u32,
    /// Planned workouts still ahead in a week under way (today's, if not done yet, and later);
    /// they are left out of the planned totals and the adherence.
    #[serde(default)]
    pub upcoming: u32,
    /// Fitness at the end of the last day reviewed (Sunday, or today).
    pub ctl: Option<f64>,
    /// Fatigue at the end of the last day reviewed.
    pub atl: Option<f64>,
    /// Form on the last day reviewed.
    pub tsb: Option<f64>,
    /// Its reading.
    pub form: Option<Form>,
}

/// Health in the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthSummary {
    /// Mean sleep per recorded night, hours.
    pub avg_sleep_hours: Option<f64>,
    /// Mean resting heart rate.
    pub avg_resting_hr: Option<f64>,
    /// HRV status on Sunday.
    pub hrv_status: Option<HrvStatus>,
    /// The last weigh-in of the week, kilograms.
    pub weight_kg: Option<f64>,
}

/// One habit's week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HabitSummary {
    /// The habit.
    pub name: String,
    /// Days done / repetitions due in the week, percent (at most 100).
    pub completion_pct: Option<f64>,
    /// Current streak on the Sunday before the week.
    pub streak_before: u32,
    /// Current streak on the week's Sunday.
    pub streak_after: u32,
}

/// Tasks in the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Finished during the week.
    pub done: u32,
    /// Created during the week.
    pub added: u32,
    /// Open and past due at the end of the week.
    pub overdue: u32,
}

/// Time in one calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarHours {
    /// The calendar.
    pub calendar: String,
    /// Hours of timed events.
    pub hours: f64,
}

/// Spending in one top-level category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategorySpending {
    /// The category.
    pub category: String,
    /// The currency.
    pub currency: Currency,
    /// Spent in the week (refunds deducted).
    pub spent: Decimal,
}

/// Net worth over the week in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWorthChange {
    /// The currency.
    pub currency: Currency,
    /// At the end of the Sunday before.
    pub start: Decimal,
    /// At the end of the week's Sunday.
    pub end: Decimal,
    /// end − start.
    pub change: Decimal,
}

/// The review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyReview {
    /// The week.
    pub week: Week,
    /// Its label (`W-YY`).
    pub label: String,
    /// Monday.
    pub first_day: Day,
    /// Sunday.
    pub last_day: Day,
    /// The last day the review covers: Sunday for a past week, today for the week under way.
    pub through: Day,
    /// The week is under way: figures run through `now`, not Sunday.
    pub in_progress: bool,
    /// Training.
    pub training: TrainingSummary,
    /// Health.
    pub health: HealthSummary,
    /// Habits.
    pub habits: Vec<HabitSummary>,
    /// Tasks.
    pub tasks: TaskSummary,
    /// Hours per calendar.
    pub calendar: Vec<CalendarHours>,
    /// Spending per top-level category.
    pub spending: Vec<CategorySpending>,
    /// Budgets of the month the week ends in, as of Sunday.
    pub budgets: Vec<BudgetStatus>,
    /// Net worth change per currency.
    pub net_worth: Vec<NetWorthChange>,
    /// Mean check-in mood.
    pub mood_avg: Option<f64>,
    /// What the review had to leave out (an event that cannot be expanded), in plain words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn mean(xs: impl IntoIterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = xs.into_iter().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The review of `week`, through `data.now` if the week is under way (see the module rules).
pub fn weekly_review(week: Week, data: &ReviewData<'_>) -> Result<WeeklyReview> {
    let (first, last) = (week.first_day(), week.last_day());
    let zone = data.zone;
    let start_instant = crate::calendar::recurrence::resolve_local(
        first.naive().and_hms_opt(0, 0, 0).unwrap_or_default(),
        zone,
    )?
    .with_timezone(&Utc);
    let week_end = crate::calendar::recurrence::resolve_local(
        last.succ()?
            .naive()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
        zone,
    )?
    .with_timezone(&Utc);
    if data.now < start_instant {
        return Err(crate::error::Error::invalid(
            format!("week {}", week.label()),
            format!("has not begun (it starts on {first})"),
        ));
    }
    let in_progress = data.now < week_end;
    let end_instant = week_end.min(data.now);
    let today = Day::from_naive(data.now.with_timezone(&zone).date_naive());
    let through = last.min(today);
    let in_week = |d: Day| d >= first && d <= through;
    let in_span = |t: DateTime<Utc>| t >= start_instant && t < end_instant;

    // Training.
    let week_acts: Vec<Activity> = data
        .activities
        .iter()
        .filter(|a| in_week(a.day()) && a.start.utc <= data.now)
        .cloned()
        .collect();
    let mut week_plan: Vec<PlannedWorkout> = data
        .planned
        .iter()
        .filter(|w| w.day >= first && w.day <= last)
        .cloned()
        .collect();
    let mut upcoming = 0;
    if in_progress {
        // Not done yet and not past: still to come, neither missed nor counted as planned.
        let matching = match_workouts(&week_plan, &week_acts, &AdherenceOptions::default())?;
        let ahead: HashSet<&WorkoutId> = matching
            .matches
            .iter()
            .filter(|m| m.status == WorkoutStatus::Missed && m.day >= today)
            .map(|m| &m.workout)
            .collect();
        upcoming = ahead.len() as u32;
        let ahead: HashSet<WorkoutId> = ahead.into_iter().cloned().collect();
        week_plan.retain(|w| !ahead.contains(&w.id));
    }
    let adherence = weekly_adherence(&week_plan, &week_acts, &AdherenceOptions::default())?;
    let w = adherence.into_iter().find(|a| a.week == week);
    let loads = match data.loads {
        Some(loads) => {
            let upto: Vec<(Day, f64)> = loads
                .iter()
                .copied()
                .filter(|(d, _)| *d <= through)
                .collect();
            (!upto.is_empty())
                .then(|| DailyLoads::from_entries(upto))
                .transpose()?
        }
        None => {
            let history: Vec<&Activity> = data
                .activities
                .iter()
                .filter(|a| a.day() <= through)
                .collect();
            (!history.is_empty())
                .then(|| DailyLoads::from_activities(history))
                .transpose()?
        }
    };
    let pmc_day = match loads {
        Some(mut loads) => {
            loads.extend_through(through)?;
            pmc::compute(&loads, &data.pmc)?.on(through)
        }
        None => None,
    };
    let training = TrainingSummary {
        planned: w.as_ref().map_or_else(Totals::default, |w| w.planned),
        actual: w.as_ref().map_or_else(Totals::default, |w| w.actual),
        adherence_pct: w.as_ref().and_then(|w| w.completion_pct),
        completed: w.as_ref().map_or(0, |w| w.completed),
        changed: w.as_ref().map_or(0, |w| w.changed),
        missed: w.as_ref().map_or(0, |w| w.missed),
        extra: w.as_ref().map_or(0, |w| w.extra),
        upcoming,
        ctl: pmc_day.map(|p| p.ctl),
        atl: pmc_day.map(|p| p.atl),
        tsb: pmc_day.map(|p| p.tsb),
        form: pmc_day.map(|p| Form::from_tsb(p.tsb)),
    };

    // Health.
    let week_health: Vec<&DailyHealth> = data.health.iter().filter(|h| in_week(h.day)).collect();
    // The HRV status needs the 60 days up to the last day; older records cannot change it.
    let window_start = through.add_days(-(HrvOptions::default().range_days as i64))?;
    let upto: Vec<DailyHealth> = data
        .health
        .iter()
        .filter(|h| h.day <= through && h.day >= window_start)
        .cloned()
        .collect();
    let hrv = match DailySeries::from_health(&upto, HealthMetric::HrvRmssd)? {
        Some(series) => hrv_status(&series, &HrvOptions::default())?
            .into_iter()
            .find(|d| d.day == through)
            .map(|d| d.status),
        None => None,
    };
    let health = HealthSummary {
        avg_sleep_hours: mean(
            week_health
                .iter()
                .filter_map(|h| h.sleep.map(|s| s.total_s / 3600.0)),
        ),
        avg_resting_hr: mean(week_health.iter().filter_map(|h| h.resting_hr_bpm)),
        hrv_status: hrv,
        weight_kg: data
            .body
            .iter()
            .filter(|b| in_week(b.measured_at.local_day()) && b.measured_at.utc <= data.now)
            .max_by_key(|b| b.measured_at.utc)
            .map(|b| b.weight_kg),
    };

    // Habits.
    let mut habits = Vec::new();
    for (habit, entries) in data.habits.iter().filter(|(h, _)| !h.archived) {
        let before = streaks(habit, entries, first.pred()?)?.current;
        let after = streaks(habit, entries, through)?.current;
        let completion_pct = match day_statuses(habit, entries, through)? {
            Some((start, statuses)) => {
                let (mut done, mut due) = (0u32, 0.0);
                let mut d = start;
                for s in statuses {
                    // Today is judged once it has an entry.
                    let open_today = in_progress && d == today && s == DayStatus::Unknown;
                    if in_week(d) && !open_today {
                        if s == DayStatus::Done {
                            done += 1;
                        }
                        if s != DayStatus::Skipped {
                            due += habit.frequency.ratio();
                        }
                    }
                    d = d.succ()?;
                }
                (due > 0.0).then(|| (100.0 * f64::from(done) / due).min(100.0))
            }
            None => None,
        };
        habits.push(HabitSummary {
            name: habit.name.clone(),
            completion_pct,
            streak_before: before,
            streak_after: after,
        });
    }

    // Tasks.
    let tasks = TaskSummary {
        done: data
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Done && t.completed_at.is_some_and(in_span))
            .count() as u32,
        added: data.tasks.iter().filter(|t| in_span(t.created_at)).count() as u32,
        overdue: overdue(data.tasks, end_instant, zone).len() as u32,
    };

    // Calendar.
    let mut notes = Vec::new();
    let calendar = hours_per_week(data.events, week, week, zone, &mut notes)?
        .into_iter()
        .map(|((calendar, _), hours)| CalendarHours { calendar, hours })
        .collect();

    // Money.
    let week_tx: Vec<Transaction> = data
        .transactions
        .iter()
        .filter(|t| in_week(t.posted))
        .cloned()
        .collect();
    let spending = if week_tx.is_empty() {
        Vec::new()
    } else {
        cash_flow(data.accounts, &week_tx, &CashflowOptions::default())?
            .by_category
            .into_iter()
            .filter(|c| c.category.depth() == 1 && !c.spending.is_zero())
            .map(|c| CategorySpending {
                category: c.category.to_string(),
                currency: c.currency,
                spent: c.spending - c.income.min(c.spending),
            })
            .collect()
    };
    let month_budgets: Vec<Budget> = data
        .budgets
        .iter()
        .filter(|b| b.month == through.month())
        .cloned()
        .collect();
    // Budgets look at the month up to the last day: only those transactions are needed.
    let month_start = through.month().first_day();
    let upto_tx: Vec<Transaction> = data
        .transactions
        .iter()
        .filter(|t| t.posted <= through && t.posted >= month_start)
        .cloned()
        .collect();
    let budgets = budget_status(data.accounts, &month_budgets, &upto_tx, through)?;
    let net_worth_change = if data.balances.is_empty() {
        Vec::new()
    } else {
        let series = net_worth(data.accounts, data.balances, first.pred()?, through)?;
        series
            .currencies
            .iter()
            .filter_map(|&c| {
                let s = series.on(first.pred().ok()?, c)?.net_worth;
                let e = series.on(through, c)?.net_worth;
                Some(NetWorthChange {
                    currency: c,
                    start: s,
                    end: e,
                    change: e - s,
                })
            })
            .collect()
    };

    let mood_avg = average_mood(data.checkins.iter().filter(|c| in_week(c.day)));
    Ok(WeeklyReview {
        week,
        label: week.label(),
        first_day: first,
        last_day: last,
        through,
        in_progress,
        training,
        health,
        habits,
        tasks,
        calendar,
        spending,
        budgets,
        net_worth: net_worth_change,
        mood_avg,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::recurrence::Recurrence;
    use crate::finance::{AccountType, BalanceSnapshot};
    use crate::fitness::{Sleep, Sport};
    use crate::habits::{EntryValue, Frequency};
    use crate::ids::{AccountId, ActivityId, TaskId, TransactionId, WorkoutId};
    use crate::money::{Money, parse_currency};
    use crate::tasks::Due;
    use crate::time::parse_zone;
    use chrono::NaiveDateTime;
    use rust_decimal::dec;

    fn d(s: &str) -> Day {
        s.parse().unwrap()
    }

    fn zone() -> Tz {
        parse_zone("Europe/Berlin").unwrap()
    }

    fn at(local: &str) -> ZonedInstant {
        ZonedInstant::from_local(
            NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap(),
            zone(),
        )
        .unwrap()
    }

    fn act(id: &str, local: &str, sport: Sport, minutes: f64) -> Activity {
        let mut a = Activity::new(
            ActivityId::new(id).unwrap(),
            sport,
            at(local),
            minutes * 60.0,
        );
        a.training_load = Some(minutes);
        a
    }

    fn plan(id: &str, day: &str, sport: Sport, minutes: f64) -> PlannedWorkout {
        PlannedWorkout {
            duration_s: Some(minutes * 60.0),
            ..PlannedWorkout::new(WorkoutId::new(id).unwrap(), d(day), sport)
        }
    }

    use crate::time::ZonedInstant;

    #[test]
    fn a_hand_built_week() {
        let usd = parse_currency("USD").unwrap();
        let activities = vec![
            act("old", "2026-02-25T07:00", Sport::Run, 50.0),
            act("mon", "2026-03-02T07:00", Sport::Run, 60.0),
            act("wed", "2026-03-04T18:00", Sport::Ride, 90.0),
        ];
        let planned = vec![
            plan("p1", "2026-03-02", Sport::Run, 60.0),
            plan("p2", "2026-03-04", Sport::Ride, 60.0),
            plan("p3", "2026-03-06", Sport::Swim, 45.0),
        ];
        let health: Vec<DailyHealth> = (0..7)
            .map(|i| {
                let mut h = DailyHealth::empty(d("2026-03-02").add_days(i).unwrap());
                h.sleep = Some(Sleep {
                    total_s: 7.0 * 3600.0,
                    ..Sleep::default()
                });
                h.resting_hr_bpm = Some(50.0 + i as f64);
                h
            })
            .collect();
        let meditate = Habit::yes_no("Meditate", Frequency::DAILY);
        let entries: Vec<HabitEntry> = [
            "2026-02-28",
            "2026-03-01",
            "2026-03-02",
            "2026-03-03",
            "2026-03-04",
            "2026-03-07",
            "2026-03-08",
        ]
        .iter()
        .map(|s| HabitEntry {
            day: d(s),
            value: EntryValue::Yes,
        })
        .collect();
        let habits = vec![(meditate, entries)];
        let created = at("2026-03-03T10:00").utc;
        let mut done = Task::new(
            TaskId::new("done").unwrap(),
            "File taxes",
            at("2026-02-20T10:00").utc,
        );
        done.complete(at("2026-03-05T12:00").utc);
        let new = Task::new(TaskId::new("new").unwrap(), "Book dentist", created);
        let mut late = Task::new(
            TaskId::new("late").unwrap(),
            "Renew passport",
            at("2026-02-01T10:00").utc,
        );
        late.due = Some(Due::Day {
            day: d("2026-03-06"),
        });
        let tasks = vec![done, new, late];
        let mut standup = Event::timed(
            "Work",
            "Standup",
            at("2026-03-02T09:00"),
            at("2026-03-02T09:15"),
        )
        .unwrap();
        standup.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR").unwrap());
        let accounts = vec![Account::new(
            AccountId::new("chk").unwrap(),
            "Checking",
            AccountType::Depository,
            usd,
        )];
        let tx = |id: &str, day: &str, amount: &str, cat: &str| {
            let mut t = Transaction::new(
                TransactionId::new(id).unwrap(),
                AccountId::new("chk").unwrap(),
                d(day),
                Money::parse(amount, usd).unwrap(),
            );
            t.category = Some(cat.parse().unwrap());
            t
        };
        let transactions = vec![
            tx("t0", "2026-03-01", "-100", "Food"),
            tx("t1", "2026-03-03", "-50", "Food/Groceries"),
            tx("t2", "2026-03-05", "-30", "Food"),
            tx("t3", "2026-03-06", "1000", "Income"),
        ];
        let budgets = vec![Budget {
            category: "Food".parse().unwrap(),
            month: "2026-03".parse().unwrap(),
            amount: Money::parse("400", usd).unwrap(),
        }];
        let balances = vec![
            BalanceSnapshot::new(
                AccountId::new("chk").unwrap(),
                d("2026-03-01"),
                Money::parse("1000", usd).unwrap(),
            ),
            BalanceSnapshot::new(
                AccountId::new("chk").unwrap(),
                d("2026-03-08"),
                Money::parse("1500", usd).unwrap(),
            ),
        ];
        let checkins = vec![
            DailyCheckIn {
                day: d("2026-03-02"),
                answers: vec![],
                mood: Some(3),
                energy: None,
                notes: String::new(),
            },
            DailyCheckIn {
                day: d("2026-03-06"),
                answers: vec![],
                mood: Some(5),
                energy: None,
                notes: String::new(),
            },
        ];
        // Weigh-ins: the week's last one counts (Sunday 23:30 in the zone is still in the week;
        // the next Monday's is not).
        let weigh = |local: &str, kg: f64| {
            let at = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
            BodyComposition::weight(ZonedInstant::from_local(at, zone()).unwrap(), kg)
        };
        let body = vec![
            weigh("2026-03-08 23:30", 71.9),
            weigh("2026-03-02 07:00", 72.4),
            weigh("2026-03-09 07:00", 71.0),
        ];
        let mut data = ReviewData {
            zone: zone(),
            now: at("2026-03-20T12:00").utc,
            activities: &activities,
            loads: None,
            planned: &planned,
            pmc: PmcOptions::default(),
            health: &health,
            body: &body,
            habits: &habits,
            tasks: &tasks,
            events: &[standup],
            accounts: &accounts,
            transactions: &transactions,
            budgets: &budgets,
            balances: &balances,
            checkins: &checkins,
        };
        let r = weekly_review(Week::new(2026, 10).unwrap(), &data).unwrap();
        assert_eq!(
            (r.label.as_str(), r.first_day, r.last_day),
            ("10-26", d("2026-03-02"), d("2026-03-08"))
        );
        let t = &r.training;
        assert_eq!((t.completed, t.changed, t.missed, t.extra), (1, 1, 1, 0));
        assert_eq!(
            (t.planned.duration_s, t.actual.duration_s),
            (165.0 * 60.0, 150.0 * 60.0)
        );
        assert!((t.adherence_pct.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert!(t.ctl.unwrap() > 0.0 && t.form.is_some());
        assert_eq!(
            (r.health.avg_sleep_hours, r.health.avg_resting_hr),
            (Some(7.0), Some(53.0))
        );
        assert_eq!(r.health.weight_kg, Some(71.9));
        let h = &r.habits[0];
        assert_eq!((h.streak_before, h.streak_after), (2, 2));
        assert!((h.completion_pct.unwrap() - 500.0 / 7.0).abs() < 1e-9);
        assert_eq!(
            r.tasks,
            TaskSummary {
                done: 1,
                added: 1,
                overdue: 1
            }
        );
        assert_eq!(
            r.calendar,
            vec![CalendarHours {
                calendar: "Work".into(),
                hours: 1.25
            }]
        );
        assert_eq!(
            r.spending,
            vec![CategorySpending {
                category: "Food".into(),
                currency: usd,
                spent: dec!(80)
            }]
        );
        assert_eq!(r.budgets[0].spent.amount(), dec!(180));
        assert_eq!(
            r.net_worth,
            vec![NetWorthChange {
                currency: usd,
                start: dec!(1000),
                end: dec!(1500),
                change: dec!(500)
            }]
        );
        assert_eq!(r.mood_avg, Some(4.0));
        assert_eq!(
            (r.through, r.in_progress, t.upcoming),
            (r.last_day, false, 0)
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["label"], "10-26");

        // The same week asked on Thursday afternoon runs through Thursday.
        data.now = at("2026-03-05T15:00").utc;
        let r = weekly_review(Week::new(2026, 10).unwrap(), &data).unwrap();
        assert_eq!((r.through, r.in_progress), (d("2026-03-05"), true));
        let t = &r.training;
        // Friday's swim is still ahead: not missed, not in the planned totals.
        assert_eq!(
            (t.completed, t.changed, t.missed, t.extra, t.upcoming),
            (1, 1, 0, 0, 1)
        );
        assert_eq!(t.planned.duration_s, 120.0 * 60.0);
        assert_eq!(t.adherence_pct, Some(100.0));
        // Thursday has no entry yet: the streak runs to Wednesday and Thursday is not judged.
        let h = &r.habits[0];
        assert_eq!((h.streak_before, h.streak_after), (2, 5));
        assert_eq!(h.completion_pct, Some(100.0));
        // The passport is due Friday: not overdue yet.
        assert_eq!(
            r.tasks,
            TaskSummary {
                done: 1,
                added: 1,
                overdue: 0
            }
        );
        assert_eq!(
            (r.health.avg_resting_hr, r.health.weight_kg, r.mood_avg),
            (Some(51.5), Some(72.4), Some(3.0))
        );
        assert_eq!(r.budgets[0].spent.amount(), dec!(180));
        assert_eq!(r.net_worth[0].end, dec!(1000));
        // Thursday's entry makes Thursday count.
        let mut with_thursday = habits.clone();
        with_thursday[0].1.push(HabitEntry {
            day: d("2026-03-05"),
            value: EntryValue::No,
        });
        data.habits = &with_thursday;
        let r = weekly_review(Week::new(2026, 10).unwrap(), &data).unwrap();
        assert_eq!(r.habits[0].completion_pct, Some(75.0));
        // A current streak may end yesterday (today can still be checked).
        assert_eq!(r.habits[0].streak_after, 5);

        // A week that has not begun cannot be reviewed.
        assert_eq!(
            weekly_review(Week::new(2026, 11).unwrap(), &data)
                .unwrap_err()
                .to_string(),
            "invalid week 11-26: has not begun (it starts on 2026-03-09)"
        );
    }
}
