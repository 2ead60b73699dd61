//! The demo generator: realistic personal data, deterministic for a seed. It makes the demo year
//! (`pa demo`, `User.load_demo`) and the store benchmarks' ten-year person. Everything comes back as one [`WriteBatch`] in the shapes the real
//! importers produce (external references, categories, recurring bills among noise).
//!
//! The generator uses ChaCha8 seeded from `seed`, whose output is fixed across rand versions, so a
//! seed always gives the same data.

use chrono::{Datelike, Duration, NaiveTime};
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
    /// Calendar events (the first is a weekday standup all along; one in twenty recurs weekly
    /// 26 times).
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

/// Merchant, category, amount range in cents, and how often (relative weight): many coffees,
/// weekly groceries, the odd flight. A person's spending, around $4,300 a month at the demo's
/// 200 purchases a month.
const MERCHANTS: [(&str, &str, i64, i64, u32); 12] = [
    ("Whole Foods", "Food/Groceries", 2500, 8000, 5),
    ("Trader Joe's", "Food/Groceries", 1500, 5000, 7),
    ("Blue Bottle", "Food/Coffee", 350, 650, 40),
    ("Chipotle", "Food/Restaurants", 1100, 1800, 10),
    ("Shell", "Transport/Fuel", 3500, 6000, 3),
    ("Uber", "Transport/Rides", 900, 2800, 5),
    ("Amazon", "Shopping", 1000, 5000, 6),
    ("REI", "Shopping/Sport", 2500, 12000, 1),
    ("CVS", "Health/Pharmacy", 600, 3000, 3),
    ("AMC", "Entertainment", 1400, 2800, 3),
    ("Delta", "Travel", 15000, 45000, 1),
    ("Ikea", "Home", 2000, 20000, 1),
];

/// The monthly mortgage payment, cents; the loan amortises at [`MORTGAGE_RATE`].
const MORTGAGE_PAYMENT: i64 = 185_000;
/// The mortgage's yearly interest rate.
const MORTGAGE_RATE: f64 = 0.042;

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

    // A training plan the athlete mostly follows: for the last eight weeks, most sessions were
    // planned that day with a similar length and load (walks were never planned); now and then a
    // planned session did not happen; the next two weeks are planned ahead.
    let block_start = last_day.add_days(-55)?;
    let mut workouts = Vec::new();
    let mut workout = |day: Day, sport: Sport, minutes: f64, load: f64| -> Result<()> {
        let mut w = PlannedWorkout::new(
            WorkoutId::new(format!("demo-w{:03}", workouts.len()))?,
            day,
            sport,
        );
        w.duration_s = Some((minutes / 5.0).round().max(1.0) * 300.0);
        w.load = Some(load.round());
        w.description = if minutes > 90.0 { "Long" } else { "Endurance" }.into();
        workouts.push(w);
        Ok(())
    };
    let mut trained: std::collections::BTreeSet<Day> = std::collections::BTreeSet::new();
    for a in batch.activities.iter().filter(|a| a.day() >= block_start) {
        trained.insert(a.day());
        if a.sport == Sport::Walk || !rng.random_bool(0.85) {
            continue;
        }
        let minutes = a.duration_s() / 60.0 * rng.random_range(0.9..1.1);
        let load = a.training_load.unwrap_or(minutes) * rng.random_range(0.9..1.1);
        workout(a.day(), a.sport, minutes, load)?;
    }
    let mut day = block_start;
    while day < last_day {
        if !trained.contains(&day) && rng.random_bool(0.08) {
            workout(day, Sport::Run, 45.0, 50.0)?;
        }
        day = day.succ()?;
    }
    let ahead = [
        Sport::Run,
        Sport::Ride,
        Sport::Run,
        Sport::Swim,
        Sport::Ride,
    ];
    for (i, d) in (1..=14).filter(|d| d % 7 != 0).enumerate() {
        let minutes = f64::from(rng.random_range(8..=24) * 5);
        workout(
            last_day.add_days(d)?,
            ahead[i % ahead.len()],
            minutes,
            minutes * rng.random_range(0.8..1.1),
        )?;
    }
    batch.records.push(
        TrainingPlan {
            id: PlanId::new("demo-plan")?,
            name: "Base block".into(),
            start: block_start,
            end: last_day.add_days(14)?,
            workouts,
        }
        .into(),
    );

    for (id, name, cents_amount, cadence, due_in) in [
        (
            "demo-mortgage",
            "Mortgage",
            MORTGAGE_PAYMENT,
            Cadence::Monthly,
            9,
        ),
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
    // Errands that belong to the two projects.
    for d in &mut batch.records {
        if let Doc::Task(t) = d {
            t.project = match t.title.as_str() {
                "Get quotes for the kitchen" | "Paint the hallway" => {
                    Some(ProjectId::new("demo-home-reno")?)
                }
                "Sign up for the spring marathon"
                | "Order new running shoes"
                | "Book a physio session" => Some(ProjectId::new("demo-marathon")?),
                _ => t.project.take(),
            };
        }
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
        (AccountType::Depository, "Checking"),
        (AccountType::Depository, "Savings"),
        (AccountType::Credit, "Card"),
        (AccountType::Investment, "Brokerage"),
        (AccountType::Loan, "Mortgage"),
        (AccountType::Other, "Car"),
    ];
    for i in 0..size.accounts {
        let (kind, name) = kinds[i as usize % kinds.len()];
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
        // Each kind moves as such an account does: checking peaks on payday and runs down, savings
        // grow by a monthly transfer, the card's balance builds over the month and is paid off,
        // the brokerage drifts up with daily noise, the mortgage amortises on its payment day,
        // the car loses 15 % of its value a year.
        let mut invested = 4_000_000.0_f64;
        let mut owed = 30_000_000.0_f64;
        for d in 0..size.days {
            let in_month = f64::from(d % 30) / 30.0;
            let noise = rng.random_range(-15_000..=15_000);
            let balance = match name {
                "Checking" => 180_000 + (520_000.0 * (1.0 - in_month)) as i64 + noise,
                "Savings" => 1_500_000 + 90_000 * i64::from(d / 30) + noise / 10,
                "Card" => 30_000 + (130_000.0 * in_month) as i64 + noise / 3,
                "Brokerage" => {
                    invested *= 1.0 + rng.random_range(-0.0127..0.0133);
                    invested.round() as i64
                }
                "Mortgage" => {
                    if d % 30 == 1 {
                        owed = (owed * (1.0 + MORTGAGE_RATE / 12.0) - MORTGAGE_PAYMENT as f64)
                            .max(0.0)
                            .round();
                    }
                    owed as i64
                }
                _ => (1_800_000.0 * 0.85_f64.powf(f64::from(d) / 365.0)).round() as i64,
            };
            batch.balances.push(BalanceSnapshot::new(
                account.id.clone(),
                first.add_days(i64::from(d))?,
                cents(balance.max(0), usd),
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
    // Pay covers the month's expected spending and the mortgage with a fifth left to save.
    let weight: u32 = MERCHANTS.iter().map(|m| m.4).sum();
    let mean_cents: f64 = MERCHANTS
        .iter()
        .map(|&(_, _, lo, hi, w)| (lo + hi) as f64 / 2.0 * f64::from(w) / f64::from(weight))
        .sum();
    let purchases_a_month =
        f64::from(size.transactions.saturating_sub(2 * months)) / f64::from(months.max(1));
    let outgoings = purchases_a_month * mean_cents + MORTGAGE_PAYMENT as f64;
    let salary = ((outgoings / 0.8) / 10_000.0).round() as i64 * 10_000;
    for m in 0..months {
        if batch.transactions.len() as u32 + 2 > size.transactions {
            break;
        }
        let day = first.add_days(i64::from(m) * 30)?;
        push(batch, &checking, day, salary, "Acme Corp", "Income/Salary")?;
        push(
            batch,
            &checking,
            day.add_days(1)?,
            -MORTGAGE_PAYMENT,
            "Home Loans Inc",
            "Housing/Mortgage",
        )?;
    }
    let rest = size
        .transactions
        .saturating_sub(batch.transactions.len() as u32);
    for _ in 0..rest {
        let mut pick = rng.random_range(0..weight);
        let mut chosen = MERCHANTS[0];
        for m in MERCHANTS {
            if pick < m.4 {
                chosen = m;
                break;
            }
            pick -= m.4;
        }
        let (merchant, category, lo, hi, _) = chosen;
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

/// Title, calendar, earliest and latest start hour, length options in minutes, weekdays only.
type EventKind = (&'static str, &'static str, u32, u32, &'static [i64], bool);

fn events(rng: &mut ChaCha8Rng, size: Size, first: Day, batch: &mut WriteBatch) -> Result<()> {
    let kinds: [EventKind; 7] = [
        ("1:1", "Work", 10, 16, &[30], true),
        ("Design review", "Work", 11, 16, &[60], true),
        ("Planning", "Work", 10, 15, &[60, 90], true),
        ("Dentist", "Personal", 8, 16, &[60], true),
        (
            "Dinner with friends",
            "Personal",
            19,
            20,
            &[120, 150],
            false,
        ),
        ("Call mum", "Personal", 18, 20, &[30], false),
        ("Gym class", "Personal", 18, 18, &[60], false),
    ];
    for i in 0..size.events {
        // The first event is the weekday standup, all year; one in twenty is a weekly 1:1 series.
        let (title, calendar, early, late, lengths, weekdays) = match i {
            0 => ("Standup", "Work", 9, 9, &[15][..], true),
            _ if i % 20 == 0 => kinds[0],
            _ => kinds[i as usize % kinds.len()],
        };
        let mut day = if i == 0 {
            first
        } else {
            first.add_days(rng.random_range(0..i64::from(size.days)))?
        };
        if weekdays {
            // Saturday and Sunday move to the Friday before.
            let weekday = day.naive().weekday().number_from_monday();
            if weekday > 5 {
                day = day.add_days(-(i64::from(weekday) - 5))?;
            }
        }
        let minute = if i == 0 { 30 } else { 0 };
        let start = at(day, rng.random_range(early..=late), minute)?;
        let length = lengths[rng.random_range(0..lengths.len())];
        let end = ZonedInstant::new(start.utc + Duration::minutes(length), ZONE);
        let mut e = Event::timed(calendar, title, start, end)?;
        if i == 0 {
            e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")?);
        } else if i % 20 == 0 {
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

/// Chores that come back (done ones may share a title) and one-off errands (each used once, for
/// the tasks still open, so no open title repeats).
const CHORES: [&str; 7] = [
    "Pay the credit card",
    "Water the plants",
    "Clean the bathroom",
    "Change the bed sheets",
    "Take out the recycling",
    "Plan the week's meals",
    "Back up the laptop",
];
const ERRANDS: [&str; 20] = [
    "Renew passport",
    "Get quotes for the kitchen",
    "Sign up for the spring marathon",
    "Book flights for the summer",
    "Call the plumber about the tap",
    "Service the bike",
    "Buy a birthday present for Anna",
    "Order new running shoes",
    "Paint the hallway",
    "Book a physio session",
    "Update the home insurance",
    "Cancel the old gym membership",
    "File tax return",
    "Sort out the garage",
    "Return the library books",
    "Schedule the car service",
    "Reply to the school about the trip",
    "Fix the bike's rear light",
    "Donate old clothes",
    "Renew the car registration",
];

fn tasks_and_checkins(
    rng: &mut ChaCha8Rng,
    size: Size,
    first: Day,
    last: Day,
    batch: &mut WriteBatch,
) -> Result<()> {
    // Due days over the history and the next three weeks, in order.
    let mut dues: Vec<Day> = (0..size.tasks)
        .map(|_| first.add_days(rng.random_range(0..i64::from(size.days) + 21)))
        .collect::<std::result::Result<_, _>>()?;
    dues.sort();
    let mut errands = ERRANDS.iter();
    for (i, due) in dues.into_iter().enumerate() {
        let created = at(due.add_days(-rng.random_range(1..30))?, 9, 0)?.utc;
        // A person gets through nearly everything once its day has passed: older tasks are done,
        // the last month's mostly; what is due today or later is still open.
        let age = due.days_until(last);
        let done = age > 30 || (age > 0 && rng.random_bool(0.9));
        let title = if done {
            CHORES[i % CHORES.len()]
        } else {
            errands.next().copied().unwrap_or(CHORES[i % CHORES.len()])
        };
        let mut t = Task::new(TaskId::new(format!("task-{i:05}"))?, title, created);
        t.due = Some(Due::Day { day: due });
        if done {
            // Done on the day or a little early, never before it was written down.
            let finished = at(due.add_days(-rng.random_range(0..=2))?, 18, 0)?.utc;
            t.status = TaskStatus::Done;
            t.completed_at = Some(finished.max(created + Duration::hours(1)));
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
            ("Food", 200_000),
            ("Transport", 60_000),
            ("Shopping", 70_000),
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

    /// The demo reads as a plausible person's year (issue 16): what a new user sees first.
    #[test]
    fn the_demo_year_is_plausible() {
        use pa_core::fitness::TrainingPlan;
        use pa_core::fitness::adherence::{AdherenceOptions, weekly_adherence};
        let last: Day = "2026-12-05".parse().unwrap();
        for seed in [1, 2, 3] {
            let batch = year(last, seed).unwrap();
            // Tasks get done; what is open has one title each; little is overdue.
            let tasks: Vec<&Task> = batch
                .records
                .iter()
                .filter_map(|d| match d {
                    Doc::Task(t) => Some(t),
                    _ => None,
                })
                .collect();
            let open: Vec<&Task> = tasks
                .iter()
                .copied()
                .filter(|t| t.status.is_open())
                .collect();
            let mut titles: Vec<&str> = open.iter().map(|t| t.title.as_str()).collect();
            titles.sort_unstable();
            titles.dedup();
            assert_eq!(titles.len(), open.len(), "seed {seed}: {titles:?}");
            let due = |t: &Task| match t.due {
                Some(Due::Day { day }) => day,
                _ => panic!("every demo task has a due day"),
            };
            let overdue = open.iter().filter(|t| due(t) < last).count();
            assert!(overdue <= 3, "seed {seed}: {overdue} overdue");
            let week_ago = at(last.add_days(-7).unwrap(), 0, 0).unwrap().utc;
            assert!(
                tasks
                    .iter()
                    .any(|t| t.completed_at.is_some_and(|c| c > week_ago)),
                "seed {seed}: nothing done this week"
            );
            // Events sit in the calendar they belong to; work happens on weekdays.
            for d in &batch.records {
                if let Doc::Event(e) = d {
                    let e = &e.record;
                    let personal = ["Dentist", "Dinner with friends", "Call mum", "Gym class"]
                        .contains(&e.title.as_str());
                    if !personal {
                        let pa_core::calendar::EventTime::Timed { start, .. } = e.time else {
                            panic!("demo events are timed");
                        };
                        let weekday = start.local_day().naive().weekday().number_from_monday();
                        assert!(weekday <= 5, "{} on a weekend", e.title);
                    }
                    let want = if personal { "Personal" } else { "Work" };
                    assert_eq!(e.calendar, want, "{}", e.title);
                }
            }
            // The mortgage amortises; pay covers spending with something saved.
            let mortgage: Vec<Decimal> = batch
                .balances
                .iter()
                .filter(|b| b.account.as_str() == "acct-04")
                .map(|b| b.current.amount())
                .collect();
            assert!(mortgage.windows(2).all(|w| w[1] <= w[0]));
            assert!(mortgage[mortgage.len() - 1] < mortgage[0] - Decimal::from(8_000));
            let income: Decimal = batch
                .transactions
                .iter()
                .filter(|t| !t.amount.is_outflow())
                .map(|t| t.amount.amount())
                .sum();
            let spent: Decimal = batch
                .transactions
                .iter()
                .filter(|t| t.amount.is_outflow())
                .map(|t| -t.amount.amount())
                .sum();
            let saved = (income - spent) / income;
            assert!(
                saved > Decimal::new(10, 2) && saved < Decimal::new(35, 2),
                "seed {seed}: savings rate {saved}"
            );
            // The plan is mostly followed.
            let plan = batch
                .records
                .iter()
                .find_map(|d| match d {
                    Doc::TrainingPlan(p) => Some(p),
                    _ => None,
                })
                .map(|p: &TrainingPlan| p.workouts.clone())
                .unwrap();
            let past: Vec<_> = plan.into_iter().filter(|w| w.day <= last).collect();
            let weeks =
                weekly_adherence(&past, &batch.activities, &AdherenceOptions::default()).unwrap();
            let (mut done, mut missed) = (0, 0);
            for w in weeks.iter().filter(|w| w.week.first_day() >= past[0].day) {
                done += w.completed + w.changed;
                missed += w.missed;
            }
            assert!(
                done >= 4 * missed && done > 20,
                "seed {seed}: {done} done, {missed} missed"
            );
        }
    }
}
