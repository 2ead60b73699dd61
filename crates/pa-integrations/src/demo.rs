//! The demo generator: realistic personal data, deterministic for a seed. It makes the demo year
//! (`pa demo`, `User.load_demo`) and the store benchmarks' ten-year person. Everything comes back as one [`WriteBatch`] in the shapes the real
//! importers produce (external references, categories, recurring bills among noise).
//!
//! The generator uses ChaCha8 seeded from `seed`, whose output is fixed across rand versions, so a
//! seed always gives the same data.

use chrono::{Duration, NaiveTime};
use pa_core::calendar::Event;
use pa_core::calendar::recurrence::Recurrence;
use pa_core::finance::budget::Budget;
use pa_core::finance::{Account, AccountType, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth, Sleep, Sport};
use pa_core::habits::{EntryValue, Frequency, Habit, HabitEntry};
use pa_core::ids::{AccountId, ActivityId, EventId, ExternalRef, HabitId, TaskId, TransactionId};
use pa_core::journal::DailyCheckIn;
use pa_core::money::{Currency, Money, parse_currency};
use pa_core::ports::{Doc, HabitEntryRecord, StoredEvent, StoredHabit, WriteBatch};
use pa_core::tasks::{Due, Task, TaskStatus};
use pa_core::time::{Day, ZonedInstant};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use crate::error::Result;

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Days of history, ending on `last_day`.
    pub days: u32,
    /// Accounts (each with a balance every day).
    pub accounts: u32,
    /// Transactions.
    pub transactions: u32,
    /// Activities.
    pub activities: u32,
    /// Calendar events (one in twenty recurs weekly).
    pub events: u32,
    /// Habits (each with an entry every day).
    pub habits: u32,
    /// Tasks.
    pub tasks: u32,
}

impl Size {
    /// The store benchmark's ten years: 50,000 transactions, 20 accounts × 3,650 daily balances,
    /// 3,600 activities, 3,650 health days, 2,000 events, 5 habits × 3,650 entries.
    pub const TEN_YEARS: Size = Size {
        days: 3650,
        accounts: 20,
        transactions: 50_000,
        activities: 3600,
        events: 2000,
        habits: 5,
        tasks: 1000,
    };

    /// A demo year.
    pub const ONE_YEAR: Size = Size {
        days: 365,
        accounts: 6,
        transactions: 2400,
        activities: 260,
        events: 300,
        habits: 4,
        tasks: 120,
    };
}

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Berlin;

const MERCHANTS: [(&str, &str, i64, i64); 12] = [
    ("Whole Foods", "Food/Groceries", 2000, 15000),
    ("Trader Joe's", "Food/Groceries", 1500, 9000),
    ("Blue Bottle", "Food/Coffee", 300, 900),
    ("Chipotle", "Food/Restaurants", 900, 2500),
    ("Shell", "Transport/Fuel", 3000, 7000),
    ("Uber", "Transport/Rides", 800, 4500),
    ("Amazon", "Shopping", 1000, 12000),
    ("REI", "Shopping/Sport", 2000, 25000),
    ("CVS", "Health/Pharmacy", 500, 4000),
    ("AMC", "Entertainment", 1200, 3000),
    ("Delta", "Travel", 15000, 60000),
    ("Ikea", "Home", 2000, 40000),
];

const HABITS: [&str; 6] = [
    "Meditate", "Stretch", "Read", "No sugar", "Journal", "Floss",
];

/// The CLI's demo year: [`Size::ONE_YEAR`] of data ending on `last_day`, plus what a person's
/// year has beyond the benchmark data: the home the mortgage bought, the last two weeks of
/// activities with 1 Hz streams, weekly weigh-ins, a training plan for the coming weeks, bills,
/// projects and the day's reminders. Deterministic for `seed`.
pub fn year(last_day: Day, seed: u64) -> Result<WriteBatch> {
    use pa_core::finance::{Bill, Cadence, Category};
    use pa_core::fitness::{BodyComposition, PlannedWorkout, Streams, TrainingPlan};
    use pa_core::ids::{BillId, PlanId, ProjectId, ReminderId, WorkoutId};
    use pa_core::tasks::{Channel, Project, Reminder};

    let size = Size::ONE_YEAR;
    let mut batch = generate(size, last_day, seed)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x00de_0000);
    let first = last_day.add_days(-(i64::from(size.days) - 1))?;
    let usd = parse_currency("USD")?;

    // The calendar goes through the file path a person's would: written as an iCalendar file and
    // read back by the importer (which keeps it as it was; see import::ics's round-trip test).
    let events: Vec<StoredEvent> = batch
        .records
        .iter()
        .filter_map(|d| match d {
            Doc::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let stamp = last_day
        .naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let ics = crate::import::ics::write(&events, stamp)?;
    let read = crate::import::ics::read(
        ics.as_bytes(),
        "demo.ics",
        &crate::import::ImportOptions::default(),
    )?;
    batch.records.retain(|d| !matches!(d, Doc::Event(_)));
    batch.records.extend(read.batch.records);

    // The benchmark data's budgets are set tight to exercise overspending; a person sets theirs
    // near what they spend.
    for d in &mut batch.records {
        if let Doc::Budget(b) = d {
            b.amount = Money::new(b.amount.amount() * Decimal::from(4), b.amount.currency());
        }
    }

    // The home the mortgage paid for, slowly gaining value.
    let home = Account::new(
        AccountId::new("demo-home")?,
        "Home",
        AccountType::Other,
        usd,
    );
    for d in 0..size.days {
        let value = 52_000_000 + i64::from(d) * 4_000;
        batch.balances.push(BalanceSnapshot::new(
            home.id.clone(),
            first.add_days(i64::from(d))?,
            cents(value, usd),
        ));
    }
    batch.accounts.push(home);

    // 1 Hz streams for the last two weeks' activities: heart rate, speed, and power on rides.
    for a in batch
        .activities
        .iter_mut()
        .filter(|a| a.day() > last_day.add_days(-14).unwrap_or(last_day))
    {
        let n = a.elapsed_s as usize;
        let base_hr = a.avg_hr_bpm.unwrap_or(140.0);
        let speed = a.distance_m.unwrap_or(0.0) / a.elapsed_s.max(1.0);
        let wave = |i: usize, period: f64| (i as f64 / period).sin();
        let mut s = Streams {
            time_s: (0..n).map(|i| i as f64).collect(),
            heart_rate: Some(
                (0..n)
                    .map(|i| Some((base_hr + 8.0 * wave(i, 300.0)).round()))
                    .collect(),
            ),
            speed: Some(
                (0..n)
                    .map(|i| Some(speed * (1.0 + 0.1 * wave(i, 120.0))))
                    .collect(),
            ),
            ..Streams::default()
        };
        if a.sport == Sport::Ride {
            let watts: f64 = rng.random_range(170.0..230.0);
            s.power = Some(
                (0..n)
                    .map(|i| Some((watts + 40.0 * wave(i, 90.0)).round()))
                    .collect(),
            );
            a.avg_power_w = Some(watts);
        }
        a.streams = Some(s);
    }

    // Weigh-ins every Monday.
    let mut weight: f64 = 74.0;
    for d in (0..size.days).step_by(7) {
        weight += rng.random_range(-0.4..0.35);
        let day = first.add_days(i64::from(d))?;
        batch
            .records
            .push(BodyComposition::weight(at(day, 7, 0)?, (weight * 10.0).round() / 10.0).into());
    }

    // A plan for the next two weeks.
    let sports = [
        Sport::Run,
        Sport::Ride,
        Sport::Run,
        Sport::Swim,
        Sport::Ride,
    ];
    let workouts = (1..=14)
        .filter(|d| d % 7 != 0)
        .enumerate()
        .map(|(i, d)| -> Result<PlannedWorkout> {
            let mut w = PlannedWorkout::new(
                WorkoutId::new(format!("demo-w{d:02}"))?,
                last_day.add_days(d)?,
                sports[i % sports.len()],
            );
            w.duration_s = Some(f64::from(rng.random_range(40..=120) * 60));
            w.load = Some(f64::from(rng.random_range(40..=130)));
            w.description = "Endurance".into();
            Ok(w)
        })
        .collect::<Result<Vec<_>>>()?;
    batch.records.push(
        TrainingPlan {
            id: PlanId::new("demo-plan")?,
            name: "Base block".into(),
            start: last_day.add_days(1)?,
            end: last_day.add_days(14)?,
            workouts,
        }
        .into(),
    );

    for (id, name, cents_amount, cadence, due_in) in [
        ("demo-rent", "Rent", 180_000, Cadence::Monthly, 9),
        ("demo-phone", "Phone", 4_500, Cadence::Monthly, 3),
        ("demo-stream", "Streaming", 1_599, Cadence::Monthly, 17),
        (
            "demo-insurance",
            "Car insurance",
            62_000,
            Cadence::Yearly,
            40,
        ),
    ] {
        batch.records.push(
            Bill {
                id: BillId::new(id)?,
                name: name.into(),
                account: Some(AccountId::new("acct-00")?),
                merchant: Some(name.into()),
                category: Some(Category::new(["Bills"])?),
                amount: cents(cents_amount, usd),
                cadence,
                next_due: last_day.add_days(due_in)?,
            }
            .into(),
        );
    }
    for (id, name) in [
        ("demo-home-reno", "Home renovation"),
        ("demo-marathon", "Spring marathon"),
    ] {
        batch.records.push(
            Project {
                id: ProjectId::new(id)?,
                name: name.into(),
                archived: false,
            }
            .into(),
        );
    }
    for (id, message, hour) in [
        ("demo-r1", "Take the bins out", 7),
        ("demo-r2", "Call the dentist to confirm", 8),
    ] {
        batch.records.push(
            Reminder {
                id: ReminderId::new(id)?,
                task: None,
                message: message.into(),
                remind_at: at(last_day, hour, 0)?,
                channels: vec![Channel::InApp],
                sent: false,
                schedule: None,
            }
            .into(),
        );
    }
    Ok(batch)
}

/// Generates `size` of data ending on `last_day`, deterministic for `seed`.
pub fn generate(size: Size, last_day: Day, seed: u64) -> Result<WriteBatch> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let first = last_day.add_days(-(i64::from(size.days) - 1))?;
    let usd = parse_currency("USD")?;
    let mut batch = WriteBatch::default();
    accounts_and_balances(&mut rng, size, first, usd, &mut batch)?;
    transactions(&mut rng, size, first, usd, &mut batch)?;
    fitness(&mut rng, size, first, &mut batch)?;
    habits(&mut rng, size, first, &mut batch)?;
    events(&mut rng, size, first, &mut batch)?;
    tasks_and_checkins(&mut rng, size, first, last_day, &mut batch)?;
    budgets(size, first, usd, &mut batch)?;
    Ok(batch)
}

fn cents(c: i64, currency: Currency) -> Money {
    Money::new(Decimal::new(c, 2), currency)
}

fn at(day: Day, hour: u32, minute: u32) -> Result<ZonedInstant> {
    let local = day
        .naive()
        .and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    let utc = pa_core::calendar::recurrence::resolve_local(local, ZONE)?.to_utc();
    Ok(ZonedInstant::new(utc, ZONE))
}

fn accounts_and_balances(
    rng: &mut ChaCha8Rng,
    size: Size,
    first: Day,
    usd: Currency,
    batch: &mut WriteBatch,
) -> Result<()> {
    let kinds = [
        (AccountType::Depository, "Checking", 250_000, 20_000),
        (AccountType::Depository, "Savings", 1_500_000, 30_000),
        (AccountType::Credit, "Card", 120_000, 25_000),
        (AccountType::Investment, "Brokerage", 4_000_000, 300_000),
        (AccountType::Loan, "Mortgage", 30_000_000, 5_000),
        (AccountType::Other, "Car", 1_800_000, 2_000),
    ];
    for i in 0..size.accounts {
        let (kind, name, start, step) = kinds[i as usize % kinds.len()];
        let mut account = Account::new(
            AccountId::new(format!("acct-{i:02}"))?,
            format!("{name} {}", i / kinds.len() as u32 + 1),
            kind,
            usd,
        );
        account.external = Some(ExternalRef::new(
            "plaid",
            format!("acc-{seed:04}", seed = i),
        )?);
        let mut balance: i64 = start;
        for d in 0..size.days {
            let drift = rng.random_range(-step..=step);
            balance = (balance + drift).max(0);
            batch.balances.push(BalanceSnapshot::new(
                account.id.clone(),
                first.add_days(i64::from(d))?,
                cents(balance, usd),
            ));
        }
        batch.accounts.push(account);
    }
    Ok(())
}

fn transactions(
    rng: &mut ChaCha8Rng,
    size: Size,
    first: Day,
    usd: Currency,
    batch: &mut WriteBatch,
) -> Result<()> {
    // Spending from checking and cards; pay and rent on checking monthly.
    let spenders: Vec<AccountId> = batch
        .accounts
        .iter()
        .filter(|a| matches!(a.kind, AccountType::Depository | AccountType::Credit))
        .map(|a| a.id.clone())
        .collect();
    let Some(checking) = spenders.first().cloned() else {
        return Ok(());
    };
    let push = |batch: &mut WriteBatch,
                account: &AccountId,
                day: Day,
                amount: i64,
                merchant: &str,
                category: &str|
     -> Result<()> {
        let id = format!("tx-{:06}", batch.transactions.len());
        let mut t = Transaction::new(
            TransactionId::new(id.clone())?,
            account.clone(),
            day,
            cents(amount, usd),
        );
        t.external = Some(ExternalRef::new("plaid", id)?);
        t.merchant = Some(merchant.to_owned());
        t.description = merchant.to_uppercase();
        t.category = Some(category.parse()?);
        batch.transactions.push(t);
        Ok(())
    };
    let months = size.days / 30;
    for m in 0..months {
        if batch.transactions.len() as u32 + 2 > size.transactions {
            break;
        }
        let day = first.add_days(i64::from(m) * 30)?;
        push(batch, &checking, day, 650_000, "Acme Corp", "Income/Salary")?;
        push(
            batch,
            &checking,
            day.add_days(1)?,
            -210_000,
            "Landlord",
            "Housing/Rent",
        )?;
    }
    let rest = size
        .transactions
        .saturating_sub(batch.transactions.len() as u32);
    for _ in 0..rest {
        let (merchant, category, lo, hi) = MERCHANTS[rng.random_range(0..MERCHANTS.len())];
        let account = &spenders[rng.random_range(0..spenders.len())];
        let day = first.add_days(rng.random_range(0..i64::from(size.days)))?;
        push(
            batch,
            account,
            day,
            -rng.random_range(lo..=hi),
            merchant,
            category,
        )?;
    }
    Ok(())
}

fn fitness(rng: &mut ChaCha8Rng, size: Size, first: Day, batch: &mut WriteBatch) -> Result<()> {
    let sports = [
        Sport::Run,
        Sport::Ride,
        Sport::Swim,
        Sport::Strength,
        Sport::Walk,
    ];
    for i in 0..size.activities {
        let day = first.add_days(
            (i64::from(i) * i64::from(size.days) / i64::from(size.activities.max(1)))
                .min(i64::from(size.days) - 1),
        )?;
        let sport = sports[rng.random_range(0..sports.len())];
        let minutes = rng.random_range(25..=150);
        let mut a = Activity::new(
            ActivityId::new(format!("act-{i:05}"))?,
            sport,
            at(day, rng.random_range(6..=19), 0)?,
            f64::from(minutes) * 60.0,
        );
        a.external = Some(ExternalRef::new("garmin", format!("{}", 10_000_000 + i))?);
        a.moving_s = Some(f64::from(minutes) * 57.0);
        a.distance_m = Some((f64::from(minutes) * rng.random_range(120.0..450.0)).round());
        a.avg_hr_bpm = Some(rng.random_range(120.0..160.0_f64).round());
        a.calories_kcal = Some(f64::from(minutes) * 11.0);
        a.training_load = Some((f64::from(minutes) * rng.random_range(0.6..1.2)).round());
        batch.activities.push(a);
    }
    for d in 0..size.days {
        let mut h = DailyHealth::empty(first.add_days(i64::from(d))?);
        // Watches report whole seconds and beats.
        let total: f64 = rng.random_range(22_000.0..30_000.0_f64).round();
        h.sleep = Some(Sleep {
            total_s: total,
            deep_s: Some((total * 0.18).round()),
            light_s: Some((total * 0.55).round()),
            rem_s: Some((total * 0.22).round()),
            awake_s: Some((total * 0.05).round()),
            score: Some(rng.random_range(60.0..95.0_f64).round()),
        });
        h.resting_hr_bpm = Some(rng.random_range(48.0..58.0_f64).round());
        h.hrv_rmssd_ms = Some(rng.random_range(45.0..75.0_f64).round());
        h.steps = Some(rng.random_range(3_000..16_000));
        batch.health.push(h);
    }
    Ok(())
}

fn habits(rng: &mut ChaCha8Rng, size: Size, first: Day, batch: &mut WriteBatch) -> Result<()> {
    for i in 0..size.habits {
        let name = HABITS[i as usize % HABITS.len()];
        let id = HabitId::new(format!("habit-{i}"))?;
        batch.records.push(
            StoredHabit {
                id: id.clone(),
                record: Habit::yes_no(name, Frequency::DAILY),
            }
            .into(),
        );
        let keep = rng.random_range(0.55..0.9);
        for d in 0..size.days {
            let roll: f64 = rng.random();
            let value = if roll < keep {
                EntryValue::Yes
            } else if roll < keep + 0.03 {
                EntryValue::Skip
            } else {
                EntryValue::No
            };
            batch.records.push(
                HabitEntryRecord {
                    habit: id.clone(),
                    entry: HabitEntry {
                        day: first.add_days(i64::from(d))?,
                        value,
                    },
                }
                .into(),
            );
        }
    }
    Ok(())
}

fn events(rng: &mut ChaCha8Rng, size: Size, first: Day, batch: &mut WriteBatch) -> Result<()> {
    let titles = [
        "Standup",
        "1:1",
        "Dentist",
        "Dinner",
        "Review",
        "Call mum",
        "Gym class",
    ];
    for i in 0..size.events {
        let day = first.add_days(rng.random_range(0..i64::from(size.days)))?;
        let start = at(day, rng.random_range(8..=19), 0)?;
        let end = ZonedInstant::new(
            start.utc + Duration::minutes(rng.random_range(1..=4) * 30),
            ZONE,
        );
        let calendar = if i % 3 == 0 { "Personal" } else { "Work" };
        let mut e = Event::timed(calendar, titles[i as usize % titles.len()], start, end)?;
        if i % 20 == 0 {
            e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;COUNT=26")?);
        }
        e.external = Some(ExternalRef::new("google-calendar", format!("evt{i:05}"))?);
        e.etag = Some(format!("\"{}\"", 3_000_000 + i));
        batch.records.push(
            StoredEvent {
                id: EventId::new(format!("event-{i:05}"))?,
                record: e,
            }
            .into(),
        );
    }
    Ok(())
}

fn tasks_and_checkins(
    rng: &mut ChaCha8Rng,
    size: Size,
    first: Day,
    last: Day,
    batch: &mut WriteBatch,
) -> Result<()> {
    let titles = [
        "Pay bills",
        "Call plumber",
        "Book flights",
        "Renew passport",
        "Tax return",
    ];
    for i in 0..size.tasks {
        let due = first.add_days(rng.random_range(0..i64::from(size.days)))?;
        let created = at(due.add_days(-rng.random_range(1..30))?, 9, 0)?.utc;
        let mut t = Task::new(
            TaskId::new(format!("task-{i:05}"))?,
            titles[i as usize % titles.len()],
            created,
        );
        t.due = Some(Due::Day { day: due });
        // Older tasks are mostly done; recent ones mostly open.
        if due.days_until(last) > 14 && rng.random_bool(0.9) {
            t.status = TaskStatus::Done;
            t.completed_at = Some(at(due, 18, 0)?.utc);
        }
        batch.records.push(t.into());
    }
    for d in (0..size.days).step_by(3) {
        batch.records.push(Doc::from(DailyCheckIn {
            day: first.add_days(i64::from(d))?,
            answers: Vec::new(),
            mood: Some(rng.random_range(2..=5)),
            energy: Some(rng.random_range(2..=5)),
            notes: String::new(),
        }));
    }
    Ok(())
}

fn budgets(size: Size, first: Day, usd: Currency, batch: &mut WriteBatch) -> Result<()> {
    let mut month = first.month();
    let last = first.add_days(i64::from(size.days) - 1)?.month();
    while month <= last {
        for (category, amount) in [
            ("Food", 60_000),
            ("Transport", 25_000),
            ("Shopping", 40_000),
        ] {
            batch.records.push(
                Budget {
                    category: category.parse()?,
                    month,
                    amount: cents(amount, usd),
                }
                .into(),
            );
        }
        month = month.last_day().succ()?.month();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let last: Day = "2026-11-15".parse().unwrap();
        let a = generate(Size::ONE_YEAR, last, 7).unwrap();
        let b = generate(Size::ONE_YEAR, last, 7).unwrap();
        assert_eq!(a, b, "same seed, same data");
        assert_ne!(a, generate(Size::ONE_YEAR, last, 8).unwrap());
        assert_eq!(a.transactions.len(), 2400);
        assert_eq!(a.balances.len(), 6 * 365);
        assert_eq!(a.activities.len(), 260);
        assert_eq!(a.health.len(), 365);
        assert!(a.activities.iter().all(|x| x.day() <= last));
        assert_eq!(a.balances.iter().map(|b| b.day).max(), Some(last));
        let entries = a
            .records
            .iter()
            .filter(|d| matches!(d, Doc::HabitEntry(_)))
            .count();
        assert_eq!(entries, 4 * 365);
    }
}
