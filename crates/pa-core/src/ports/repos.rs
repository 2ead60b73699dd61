//! Repositories per aggregate: the views a person asks for, built on [`UserStore`]'s primitives.
//! Each is implemented for every `UserStore`, so adapters get them for free and they cannot
//! disagree between adapters; the rules stay in pa-core's calculations.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::UserStore;
use super::record::{Doc, HabitEntryRecord, Record, RecordKind, StoredEvent, StoredHabit};
use crate::calendar::{Occurrence, occurrences_between};
use crate::finance::budget::{Budget, BudgetStatus, budget_status};
use crate::finance::cashflow::{CashFlow, CashflowOptions, cash_flow};
use crate::finance::fx::FxTable;
use crate::finance::networth::{NetWorthSeries, net_worth_of_histories};
use crate::finance::recurring::{DetectedBill, RecurringOptions, detect_recurring};
use crate::fitness::adherence::{AdherenceOptions, WeeklyAdherence, weekly_adherence};
use crate::fitness::pmc::{self, DailyLoads, Pmc, PmcOptions};
use crate::fitness::trends::{DailySeries, HealthMetric, HrvDay, HrvOptions, hrv_status};
use crate::fitness::{BodyComposition, PlannedWorkout, TrainingPlan};
use crate::habits::streak::streaks;
use crate::habits::{Habit, HabitEntry};
use crate::journal::DailyCheckIn;
use crate::meals::{GroceryItem, MealPlan, PlannedMeal, Recipe, grocery_list};
use crate::review::briefing::Briefing;
use crate::review::{ReviewData, WeeklyReview, weekly_review};
use crate::tasks::{self, Project, ProjectRollup, Reminder, Task};
use crate::time::{Day, Month, Week};

/// Training views.
pub trait FitnessRepository: UserStore {
    /// CTL/ATL/TSB from the first recorded load through `through` (rest days after the last
    /// activity included); `None` when no activity has a load.
    fn pmc(&self, through: Day, options: &PmcOptions) -> Result<Option<Pmc>, Self::Error> {
        let entries = self.daily_loads(Day::EARLIEST, through)?;
        if entries.is_empty() {
            return Ok(None);
        }
        let mut loads = DailyLoads::from_entries(entries)?;
        loads.extend_through(through)?;
        Ok(Some(pmc::compute(&loads, options)?))
    }

    /// Planned against done in `week`: totals, completed, changed, missed and extra workouts
    /// (all zero for a week with neither).
    fn adherence(
        &self,
        week: Week,
        options: &AdherenceOptions,
    ) -> Result<WeeklyAdherence, Self::Error> {
        let (first, last) = (week.first_day(), week.last_day());
        let planned = self.planned_workouts(first, last)?;
        let done = self.activities(first, last)?;
        let found = weekly_adherence(&planned, &done, options)?
            .into_iter()
            .find(|w| w.week == week);
        Ok(found.unwrap_or_else(|| WeeklyAdherence::empty(week)))
    }

    /// Planned workouts on days in `[from, to]`, by day, from the plans that overlap the range.
    fn planned_workouts(&self, from: Day, to: Day) -> Result<Vec<PlannedWorkout>, Self::Error> {
        let mut out: Vec<PlannedWorkout> = self
            .records::<TrainingPlan>(Some((from, to)))?
            .into_iter()
            .flat_map(|p| p.workouts)
            .filter(|w| w.day >= from && w.day <= to)
            .collect();
        out.sort_by(|a, b| (a.day, &a.id).cmp(&(b.day, &b.id)));
        Ok(out)
    }
}

impl<S: UserStore> FitnessRepository for S {}

/// Money views.
pub trait FinanceRepository: UserStore {
    /// Daily net worth over `[from, to]`, converted with `fx` when given.
    fn net_worth(
        &self,
        from: Day,
        to: Day,
        fx: Option<&FxTable>,
    ) -> Result<NetWorthSeries, Self::Error> {
        let accounts = self.accounts()?;
        let histories = self.balance_histories(from, to)?;
        Ok(net_worth_of_histories(&accounts, &histories, from, to, fx)?)
    }

    /// Income, spending and net by month and category over the transactions posted in
    /// `[from, to]`.
    fn cash_flow(
        &self,
        from: Day,
        to: Day,
        options: &CashflowOptions,
    ) -> Result<CashFlow, Self::Error> {
        let transactions = self.transactions(from, to)?;
        Ok(cash_flow(&self.accounts()?, &transactions, options)?)
    }

    /// Daily net worth from `from` (default: the first recorded balance) to `to` (default: the
    /// last); `None` when no balance is recorded.
    fn net_worth_recorded(
        &self,
        from: Option<Day>,
        to: Option<Day>,
        fx: Option<&FxTable>,
    ) -> Result<Option<NetWorthSeries>, Self::Error> {
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (f, t),
            (from, to) => {
                let days: Vec<Day> = self
                    .balances(Day::EARLIEST, Day::LATEST)?
                    .iter()
                    .map(|b| b.day)
                    .collect();
                match (days.iter().min(), days.iter().max()) {
                    (Some(first), Some(last)) => (from.unwrap_or(*first), to.unwrap_or(*last)),
                    _ => return Ok(None),
                }
            }
        };
        Ok(Some(self.net_worth(from, to, fx)?))
    }

    /// Recurring payments in the transactions up to `as_of` ([`detect_recurring`]).
    fn recurring_bills(
        &self,
        as_of: Day,
        options: &RecurringOptions,
    ) -> Result<Vec<DetectedBill>, Self::Error> {
        let transactions = self.transactions(Day::EARLIEST, as_of)?;
        Ok(detect_recurring(&transactions, as_of, options)?)
    }

    /// Where each budget of `month` stands as of `as_of`.
    fn budget_status(&self, month: Month, as_of: Day) -> Result<Vec<BudgetStatus>, Self::Error> {
        let (first, last) = (month.first_day(), month.last_day());
        let budgets: Vec<Budget> = self
            .records::<Budget>(Some((first, last)))?
            .into_iter()
            .filter(|b| b.month == month)
            .collect();
        let transactions = self.transactions(first, last.min(as_of.max(first)))?;
        Ok(budget_status(
            &self.accounts()?,
            &budgets,
            &transactions,
            as_of,
        )?)
    }
}

impl<S: UserStore> FinanceRepository for S {}

/// Health views.
pub trait HealthRepository: UserStore {
    /// One metric per day over `[from, to]`, for trends; `None` when no day has it.
    fn health_series(
        &self,
        metric: HealthMetric,
        from: Day,
        to: Day,
    ) -> Result<Option<DailySeries>, Self::Error> {
        Ok(DailySeries::from_health(
            &self.daily_health(from, to)?,
            metric,
        )?)
    }
}

impl<S: UserStore> HealthRepository for S {}

/// HRV status views.
pub trait HrvRepository: HealthRepository {
    /// HRV status on each day of `[from, to]`, the baseline read from the days before `from`.
    fn hrv_status(
        &self,
        from: Day,
        to: Day,
        options: &HrvOptions,
    ) -> Result<Vec<HrvDay>, Self::Error> {
        let lookback = from
            .add_days(-(options.history_days() as i64))
            .unwrap_or(Day::EARLIEST);
        let Some(series) = self.health_series(HealthMetric::HrvRmssd, lookback, to)? else {
            return Ok(Vec::new());
        };
        Ok(hrv_status(&series, options)?
            .into_iter()
            .filter(|d| d.day >= from && d.day <= to)
            .collect())
    }
}

impl<S: UserStore> HrvRepository for S {}

/// Journal and meal views.
pub trait JournalRepository: UserStore {
    /// Check-ins on days in `[from, to]`, by day.
    fn check_ins(&self, from: Day, to: Day) -> Result<Vec<DailyCheckIn>, Self::Error> {
        self.records(Some((from, to)))
    }

    /// The grocery list for the meals planned in `week`, from the stored recipes.
    fn grocery_list(&self, week: Week) -> Result<Vec<GroceryItem>, Self::Error> {
        let meals: Vec<PlannedMeal> = self.records(Some((week.first_day(), week.last_day())))?;
        let recipes: Vec<Recipe> = self.records(None)?;
        Ok(grocery_list(&MealPlan { week, meals }, &recipes)?)
    }

    /// The setting stored under `key`.
    fn setting(&self, key: &str) -> Result<Option<String>, Self::Error> {
        Ok(self
            .settings()?
            .into_iter()
            .find(|s| s.key == key)
            .and_then(|s| s.value))
    }
}

impl<S: UserStore> JournalRepository for S {}

/// Habit views.
pub trait HabitRepository: UserStore {
    /// Every habit with its entries up to `through`, habits by id and entries by day.
    fn habits_with_entries(
        &self,
        through: Day,
    ) -> Result<Vec<(StoredHabit, Vec<HabitEntry>)>, Self::Error> {
        let habits = self.records::<StoredHabit>(None)?;
        let mut out: Vec<(StoredHabit, Vec<HabitEntry>)> =
            habits.into_iter().map(|h| (h, Vec::new())).collect();
        for e in self.records::<HabitEntryRecord>(Some((Day::EARLIEST, through)))? {
            // Habits come sorted by id: find the entry's habit by binary search.
            if let Ok(i) = out.binary_search_by(|(h, _)| h.id.cmp(&e.habit)) {
                out[i].1.push(e.entry);
            }
        }
        Ok(out)
    }
}

impl<S: UserStore> HabitRepository for S {}

/// Task views, judged at `now` in `zone`.
pub trait TaskRepository: UserStore {
    /// Open tasks due today.
    fn tasks_due_today(&self, now: DateTime<Utc>, zone: Tz) -> Result<Vec<Task>, Self::Error> {
        let all = open_tasks(self, now)?;
        Ok(tasks::due_today(&all, now, zone)
            .into_iter()
            .cloned()
            .collect())
    }

    /// Open tasks past due.
    fn tasks_overdue(&self, now: DateTime<Utc>, zone: Tz) -> Result<Vec<Task>, Self::Error> {
        let all = open_tasks(self, now)?;
        Ok(tasks::overdue(&all, now, zone)
            .into_iter()
            .cloned()
            .collect())
    }

    /// Open tasks due in the next `days` days.
    fn tasks_upcoming(
        &self,
        now: DateTime<Utc>,
        zone: Tz,
        days: u32,
    ) -> Result<Vec<Task>, Self::Error> {
        let all = open_tasks(self, now)?;
        Ok(tasks::upcoming(&all, now, zone, days)?
            .into_iter()
            .cloned()
            .collect())
    }

    /// Open, done, % complete and overdue per project.
    fn project_rollups(
        &self,
        now: DateTime<Utc>,
        zone: Tz,
    ) -> Result<Vec<ProjectRollup>, Self::Error> {
        let projects = self.records::<Project>(None)?;
        let all = self.records::<Task>(None)?;
        Ok(tasks::project_rollups(&projects, &all, now, zone))
    }
}

impl<S: UserStore> TaskRepository for S {}

/// The tasks alive at `now` (a task's span runs from its creation to its completion, open-ended
/// while open): every open task, read without the finished history.
fn open_tasks<S: UserStore + ?Sized>(store: &S, now: DateTime<Utc>) -> Result<Vec<Task>, S::Error> {
    let today = Day::from_naive(now.date_naive());
    Ok(store
        .records::<Task>(Some((today, today)))?
        .into_iter()
        .filter(|t| t.status.is_open())
        .collect())
}

/// Calendar views.
pub trait CalendarRepository: UserStore {
    /// Every occurrence overlapping the days `[from, to]` in `zone`, recurring events expanded,
    /// by start.
    fn occurrences(&self, from: Day, to: Day, zone: Tz) -> Result<Vec<Occurrence>, Self::Error> {
        let events = self.records::<StoredEvent>(Some((from, to)))?;
        Ok(occurrences_between(
            events.iter().map(|e| &e.record),
            from,
            to,
            zone,
        )?)
    }
}

impl<S: UserStore> CalendarRepository for S {}

/// The weekly review from the store.
pub trait ReviewRepository: FitnessRepository + HabitRepository {
    /// The review of `week` in `zone` as asked at `now` (a week under way runs through it),
    /// reading only what it needs: the week's records, loads for the PMC, 120 days of health for
    /// the HRV baseline, the month of transactions for budgets, and each account's balance carried
    /// into the week.
    fn weekly_review(
        &self,
        week: Week,
        zone: Tz,
        now: DateTime<Utc>,
        pmc: PmcOptions,
    ) -> Result<WeeklyReview, Self::Error> {
        let (first, last) = (week.first_day(), week.last_day());
        let week_span = Some((first, last));
        let activities = self.activities(first, last)?;
        let loads = self.daily_loads(Day::EARLIEST, last)?;
        let planned = self.planned_workouts(first, last)?;
        let health = self.daily_health(first.add_days(-120)?, last)?;
        let habits = review_habits(self, first, last)?;
        // Open tasks and those created or finished in the week: all the review counts.
        let all_tasks = self.records::<Task>(week_span)?;
        let events: Vec<_> = self
            .records::<StoredEvent>(week_span)?
            .into_iter()
            .map(|e| e.record)
            .collect();
        let accounts = self.accounts()?;
        let tx_from = first.min(last.month().first_day());
        let transactions = self.transactions(tx_from, last)?;
        let budgets = self.records::<Budget>(Some((tx_from, last)))?;
        let mut balances = self.latest_balances(first.pred()?)?;
        balances.extend(self.balances(first, last)?);
        let checkins = self.records::<DailyCheckIn>(week_span)?;
        let body = self.records::<BodyComposition>(week_span)?;
        Ok(weekly_review(
            week,
            &ReviewData {
                zone,
                now,
                activities: &activities,
                loads: Some(&loads),
                planned: &planned,
                pmc,
                health: &health,
                body: &body,
                habits: &habits,
                tasks: &all_tasks,
                events: &events,
                accounts: &accounts,
                transactions: &transactions,
                budgets: &budgets,
                balances: &balances,
                checkins: &checkins,
            },
        )?)
    }

    /// Today's briefing for `day` in `zone`, judged at `now`: the records it needs read here,
    /// the rules applied by [`crate::review::briefing::briefing`].
    fn briefing(
        &self,
        day: Day,
        now: DateTime<Utc>,
        zone: Tz,
        pmc: &PmcOptions,
    ) -> Result<Briefing, Self::Error>
    where
        Self: Sized,
    {
        use crate::review::briefing::{BriefingData, HEALTH_DAYS, NET_WORTH_DAYS, briefing};
        let events: Vec<_> = self
            .records::<StoredEvent>(Some((day, day)))?
            .into_iter()
            .map(|e| e.record)
            .collect();
        let open_tasks = open_tasks(self, now)?;
        let habits: Vec<(Habit, Vec<HabitEntry>)> = self
            .habits_with_entries(day)?
            .into_iter()
            .map(|(h, entries)| (h.record, entries))
            .collect();
        let loads = self.daily_loads(Day::EARLIEST, day)?;
        let health = self.daily_health(day.add_days(-(HEALTH_DAYS - 1))?, day)?;
        let accounts = self.accounts()?;
        let month = day.month();
        let budgets = self.records::<Budget>(Some((month.first_day(), month.last_day())))?;
        let first = month.first_day();
        let transactions = self.transactions(first, month.last_day().min(day.max(first)))?;
        let balances = self.balance_histories(day.add_days(-(NET_WORTH_DAYS - 1))?, day)?;
        let reminders: Vec<Reminder> = self.records(None)?;
        Ok(briefing(
            day,
            now,
            zone,
            &BriefingData {
                events: &events,
                open_tasks: &open_tasks,
                habits: &habits,
                loads: &loads,
                pmc,
                health: &health,
                accounts: &accounts,
                budgets: &budgets,
                transactions: &transactions,
                balances: &balances,
                reminders: &reminders,
            },
        )?)
    }
}

impl<S: UserStore> ReviewRepository for S {}

/// Habits with the entries a review of `[first, last]` needs: the week and enough history that
/// each streak running into the week is whole. Starts with nine weeks and widens fourfold while a
/// streak reaches back to the window's edge (where an N-per-period habit's status could depend on
/// older entries), so a long streak costs a few more queries instead of every review reading
/// years of entries.
fn review_habits<S: UserStore + ?Sized>(
    store: &S,
    first: Day,
    last: Day,
) -> Result<Vec<(Habit, Vec<HabitEntry>)>, S::Error> {
    let habits = store.records::<StoredHabit>(None)?;
    let before = first.pred()?;
    let mut days: i64 = 63;
    loop {
        let from = last
            .add_days(-days)
            .map_or(Day::EARLIEST, |d| d.max(Day::EARLIEST));
        let mut grouped: Vec<(Habit, Vec<HabitEntry>)> = habits
            .iter()
            .map(|h| (h.record.clone(), Vec::new()))
            .collect();
        for e in store.records::<HabitEntryRecord>(Some((from, last)))? {
            if let Ok(i) = habits.binary_search_by(|h| h.id.cmp(&e.habit)) {
                grouped[i].1.push(e.entry);
            }
        }
        if from == Day::EARLIEST {
            return Ok(grouped);
        }
        let mut whole = true;
        for (habit, entries) in &grouped {
            let s = streaks(habit, entries, before)?;
            let margin = 2 * i64::from(habit.frequency.den());
            if s.current > 0
                && s.all
                    .first()
                    .is_some_and(|st| from.days_until(st.start) <= margin)
            {
                whole = false;
                break;
            }
        }
        if whole {
            return Ok(grouped);
        }
        days = days.saturating_mul(4);
        if days > crate::fitness::pmc::MAX_SPAN_DAYS {
            days = i64::MAX / 2;
        }
    }
}

/// Every record of a generic `kind` as [`Doc`]s, by first day then key (for exports and
/// archives); `None` for the kinds with their own methods (activities, daily health, accounts,
/// transactions, balances).
pub fn docs_of<S: UserStore>(
    store: &S,
    kind: RecordKind,
    span: Option<(Day, Day)>,
) -> Result<Option<Vec<Doc>>, S::Error> {
    use super::KindVisitor;
    struct All<'a, S> {
        store: &'a S,
        span: Option<(Day, Day)>,
    }
    impl<S: UserStore> KindVisitor for All<'_, S> {
        type Output = Result<Vec<Doc>, S::Error>;
        fn visit<R: Record>(self) -> Self::Output {
            Ok(self
                .store
                .records::<R>(self.span)?
                .into_iter()
                .map(Into::into)
                .collect())
        }
    }
    kind.with_type(All { store, span }).transpose()
}
