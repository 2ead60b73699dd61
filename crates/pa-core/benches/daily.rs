//! Benchmarks of the daily surfaces against the targets: habit score over 10 years ≤ 50 µs;
//! expansion of a daily event over 10 years ≤ 1 ms; weekly review over a dense week ≤ 1 ms.

#![allow(clippy::expect_used)] // fixed inputs: a failure here is a broken benchmark

use std::hint::black_box;

use chrono::NaiveDateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use pa_core::calendar::recurrence::Recurrence;
use pa_core::calendar::{Event, EventTime};
use pa_core::finance::budget::Budget;
use pa_core::finance::{Account, AccountType, BalanceSnapshot, Transaction};
use pa_core::fitness::pmc::PmcOptions;
use pa_core::fitness::{Activity, DailyHealth, PlannedWorkout, Sleep, Sport};
use pa_core::habits::score::scores;
use pa_core::habits::{EntryValue, Frequency, Habit, HabitEntry};
use pa_core::ids::{AccountId, ActivityId, TaskId, TransactionId, WorkoutId};
use pa_core::journal::DailyCheckIn;
use pa_core::money::{Money, parse_currency};
use pa_core::review::{ReviewData, weekly_review};
use pa_core::tasks::{Due, Task};
use pa_core::time::{Day, Week, ZonedInstant, parse_zone};

fn day(s: &str) -> Day {
    s.parse().expect("day")
}

/// Ten years of a daily habit: done 5 days in 7, skipped 1, missed 1.
fn habit_entries() -> Vec<HabitEntry> {
    let start = day("2016-01-01");
    (0..3650)
        .map(|i| HabitEntry {
            day: start.add_days(i).expect("day"),
            value: match i % 7 {
                5 => EntryValue::Skip,
                6 => EntryValue::No,
                _ => EntryValue::Yes,
            },
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let entries = habit_entries();
    let daily = Habit::yes_no("Meditate", Frequency::DAILY);
    c.bench_function("habit_score_10y_daily", |b| {
        b.iter(|| scores(black_box(&daily), black_box(&entries), None).expect("scores"))
    });
    let weekly3 = Habit::yes_no("Gym", Frequency::new(3, 7).expect("freq"));
    c.bench_function("habit_score_10y_3_per_week", |b| {
        b.iter(|| scores(black_box(&weekly3), black_box(&entries), None).expect("scores"))
    });

    let rule = Recurrence::rule("FREQ=DAILY").expect("rule");
    let tz = parse_zone("Europe/Berlin").expect("zone");
    let start =
        NaiveDateTime::parse_from_str("2026-01-01T09:00:00", "%Y-%m-%dT%H:%M:%S").expect("start");
    let (from, to) = (
        "2026-01-01T00:00:00Z".parse().expect("from"),
        "2036-01-01T00:00:00Z".parse().expect("to"),
    );
    c.bench_function("rrule_daily_10y_expand", |b| {
        b.iter(|| rule.expand(black_box(start), tz, from, to).expect("expand"))
    });

    // One event every minute since 2016 (a secondly one is the same walk, 60 times longer): the
    // agenda of one day in 2026 costs the day's 1,440 occurrences, not the decade before them.
    let tick = ZonedInstant::from_local(
        NaiveDateTime::parse_from_str("2016-01-01T00:00:00", "%Y-%m-%dT%H:%M:%S").expect("start"),
        tz,
    )
    .expect("start");
    let mut minutely = Event::timed("work", "Tick", tick, tick).expect("event");
    minutely.recurrence = Some(Recurrence::rule("FREQ=MINUTELY").expect("rule"));
    let events = [minutely];
    c.bench_function("agenda_minutely_since_2016_one_day", |b| {
        b.iter(|| {
            pa_core::calendar::agenda_between(
                black_box(&events),
                day("2026-12-04"),
                day("2026-12-04"),
                tz,
            )
            .expect("agenda")
        })
    });

    let data = dense_week_data(tz);
    let week = Week::new(2026, 10).expect("week");
    c.bench_function("weekly_review_dense_week", |b| {
        b.iter(|| {
            let d = ReviewData {
                zone: tz,
                // After the week: the whole week is reviewed.
                now: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_600),
                activities: &data.activities,
                loads: None,
                planned: &data.planned,
                pmc: PmcOptions::default(),
                health: &data.health,
                body: &[],
                habits: &data.habits,
                tasks: &data.tasks,
                events: &data.events,
                accounts: &data.accounts,
                transactions: &data.transactions,
                budgets: &data.budgets,
                balances: &data.balances,
                checkins: &data.checkins,
            };
            weekly_review(black_box(week), &d).expect("review")
        })
    });
}

struct Data {
    activities: Vec<Activity>,
    planned: Vec<PlannedWorkout>,
    health: Vec<DailyHealth>,
    habits: Vec<(Habit, Vec<HabitEntry>)>,
    tasks: Vec<Task>,
    events: Vec<Event>,
    accounts: Vec<Account>,
    transactions: Vec<Transaction>,
    budgets: Vec<Budget>,
    balances: Vec<BalanceSnapshot>,
    checkins: Vec<DailyCheckIn>,
}

/// A busy person's last year, with a dense week 2026-W10: two workouts a day, ten habits, 200
/// tasks, a calendar full of recurring meetings, 5 accounts and ~40 transactions a week.
fn dense_week_data(tz: chrono_tz::Tz) -> Data {
    let usd = parse_currency("USD").expect("usd");
    let year_start = day("2025-03-09");
    let days: Vec<Day> = (0..365)
        .map(|i| year_start.add_days(i).expect("day"))
        .collect();
    let at = |d: Day, h: u32| {
        ZonedInstant::from_local(d.naive().and_hms_opt(h, 0, 0).expect("time"), tz)
            .expect("instant")
    };
    let mut activities = Vec::new();
    let mut planned = Vec::new();
    for (i, d) in days.iter().enumerate() {
        for (k, sport) in [(0, Sport::Run), (1, Sport::Ride)] {
            let mut a = Activity::new(
                ActivityId::new(format!("a{i}-{k}")).expect("id"),
                sport,
                at(*d, 7 + 10 * k),
                3600.0,
            );
            a.training_load = Some(40.0 + (i % 9) as f64 * 5.0);
            a.distance_m = Some(10_000.0);
            activities.push(a);
            planned.push(PlannedWorkout {
                id: WorkoutId::new(format!("p{i}-{k}")).expect("id"),
                day: *d,
                sport,
                distance_m: Some(10_000.0),
                duration_s: Some(3600.0),
                load: Some(50.0),
                description: String::new(),
                activity: None,
            });
        }
    }
    let health = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut h = DailyHealth::empty(*d);
            h.sleep = Some(Sleep {
                total_s: 25_000.0 + (i % 5) as f64 * 600.0,
                ..Sleep::default()
            });
            h.resting_hr_bpm = Some(48.0 + (i % 4) as f64);
            h.hrv_rmssd_ms = Some(55.0 + (i % 7) as f64);
            h
        })
        .collect();
    let habits = (0..10)
        .map(|k| {
            let habit = Habit::yes_no(
                format!("Habit {k}"),
                if k % 2 == 0 {
                    Frequency::DAILY
                } else {
                    Frequency::new(3, 7).expect("freq")
                },
            );
            let e = days
                .iter()
                .enumerate()
                .filter(|(i, _)| (i + k) % 3 != 0)
                .map(|(_, d)| HabitEntry {
                    day: *d,
                    value: EntryValue::Yes,
                })
                .collect();
            (habit, e)
        })
        .collect();
    let tasks = (0..200)
        .map(|i| {
            let mut t = Task::new(
                TaskId::new(format!("t{i}")).expect("id"),
                format!("Task {i}"),
                at(days[i % 365], 9).utc,
            );
            t.due = Some(Due::Day {
                day: days[(i * 7) % 365],
            });
            if i % 3 == 0 {
                t.complete(at(days[(i * 5) % 365], 18).utc);
            }
            t
        })
        .collect();
    let mut events = Vec::new();
    for k in 0..12u32 {
        let s = at(day("2026-01-05"), 8 + k % 9);
        let e = ZonedInstant::new(s.utc + chrono::Duration::minutes(30), tz);
        let mut ev = Event::timed(
            if k % 2 == 0 { "Work" } else { "Personal" },
            format!("Meeting {k}"),
            s,
            e,
        )
        .expect("event");
        ev.recurrence = Some(
            Recurrence::rule(if k % 3 == 0 {
                "FREQ=DAILY"
            } else {
                "FREQ=WEEKLY;BYDAY=MO,WE,FR"
            })
            .expect("rule"),
        );
        events.push(ev);
    }
    for i in 0..30 {
        let d = day("2026-03-02").add_days(i % 7).expect("day");
        let s = at(d, 10 + (i % 8) as u32);
        events.push(Event {
            time: EventTime::Timed {
                start: s,
                end: ZonedInstant::new(s.utc + chrono::Duration::minutes(45), tz),
            },
            ..events[0].clone()
        });
    }
    let kinds = [
        AccountType::Depository,
        AccountType::Depository,
        AccountType::Credit,
        AccountType::Investment,
        AccountType::Loan,
    ];
    let accounts: Vec<Account> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Account::new(
                AccountId::new(format!("acct{i}")).expect("id"),
                format!("A{i}"),
                *k,
                usd,
            )
        })
        .collect();
    let cats = [
        "Food/Groceries",
        "Food/Restaurants",
        "Transport",
        "Bills/Utilities",
        "Shopping",
        "Health",
    ];
    let transactions = (0..2000)
        .map(|i| {
            let mut t = Transaction::new(
                TransactionId::new(format!("x{i}")).expect("id"),
                accounts[i % 3].id.clone(),
                days[(i * 11) % 365],
                Money::from_minor(-((i as i64 * 37) % 9000 + 100), usd),
            );
            t.category = Some(cats[i % cats.len()].parse().expect("category"));
            t.merchant = Some(format!("Merchant {}", i % 80));
            t
        })
        .collect();
    let budgets = cats
        .iter()
        .map(|c| Budget {
            category: c.parse().expect("category"),
            month: "2026-03".parse().expect("month"),
            amount: Money::from_minor(50_000, usd),
        })
        .collect();
    let balances = days
        .iter()
        .flat_map(|d| {
            accounts.iter().map(move |a| {
                BalanceSnapshot::new(
                    a.id.clone(),
                    *d,
                    Money::from_minor(100_000 + d.day_of_month() as i64 * 100, usd),
                )
            })
        })
        .collect();
    let checkins = days
        .iter()
        .map(|d| DailyCheckIn {
            day: *d,
            answers: vec![],
            mood: Some((d.day_of_month() % 5 + 1) as u8),
            energy: Some(3),
            notes: String::new(),
        })
        .collect();
    Data {
        activities,
        planned,
        health,
        habits,
        tasks,
        events,
        accounts,
        transactions,
        budgets,
        balances,
        checkins,
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
