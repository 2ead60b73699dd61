//! Writes drafted together and stored in one transaction: the one path of the single everyday
//! writes and of bulk writes (a DataFrame of expenses, a year of weigh-ins), so both follow the
//! same rules, and a bulk write is all or nothing.

use std::collections::HashSet;

use pa_core::finance::{Account, AccountType, Transaction};
use pa_core::fitness::{Activity, BodyComposition};
use pa_core::habits::EntryValue;
use pa_core::ids::{AccountId, ActivityId, TransactionId};
use pa_core::ports::{HabitEntryRecord, StoredHabit, UserStore, WriteBatch, WriteReport};
use pa_core::time::{Day, ZonedInstant};

use super::{Change, NewActivity, NewExpense, one};
use crate::assistant::Person;
use crate::error::{Error, Result};

/// A drafted record: new (to be written) or already stored under its external id.
pub(super) enum Drafted<T> {
    New(T),
    Stored(T),
}

impl<T> Drafted<T> {
    pub(super) fn into_parts(self) -> (Option<Change>, T) {
        match self {
            Drafted::New(t) => (None, t),
            Drafted::Stored(t) => (Some(Change::Unchanged), t),
        }
    }
}

/// One entry of a bulk write.
#[derive(Debug, Clone)]
pub enum Entry {
    /// Money spent.
    Expense(NewExpense),
    /// An activity done.
    Activity(NewActivity),
    /// A habit checked in.
    HabitCheck {
        /// The habit, by id or name.
        habit: String,
        /// The day (default: today).
        day: Option<Day>,
        /// What was done.
        value: EntryValue,
    },
    /// A weigh-in.
    Weight {
        /// When.
        at: ZonedInstant,
        /// Kilograms.
        kg: f64,
        /// Body fat, percent.
        body_fat_pct: Option<f64>,
    },
}

/// Records drafted for one transaction, with what the drafts need to know of the store, read
/// once.
pub(super) struct Draft<'p> {
    person: &'p Person,
    pub(super) batch: WriteBatch,
    accounts: Option<HashSet<AccountId>>,
    transactions: Option<Vec<Transaction>>,
    habits: Option<Vec<StoredHabit>>,
    minted: HashSet<String>,
    /// Told apart in minted ids: the row of a bulk write (empty for a single write).
    pub(super) salt: String,
    pub(super) unchanged: u64,
}

impl<'p> Draft<'p> {
    pub(super) fn new(person: &'p Person) -> Self {
        Self {
            person,
            batch: WriteBatch::default(),
            accounts: None,
            transactions: None,
            habits: None,
            minted: HashSet::new(),
            salt: String::new(),
            unchanged: 0,
        }
    }

    fn mint(&mut self, prefix: &str, text: &str, taken: impl Fn(&str) -> bool) -> Result<String> {
        let now = self.person.now();
        let text = format!("{text}\u{1f}{}", self.salt);
        for attempt in 0..16 {
            let id = pa_core::ids::mint(prefix, now, text.trim_end_matches('\u{1f}'), attempt);
            if !taken(&id) && self.minted.insert(id.clone()) {
                return Ok(id);
            }
        }
        Err(Error::Conflict {
            what: format!("{prefix} id"),
            reason: "no free id after 16 tries".into(),
        })
    }

    fn stored_transactions(&mut self) -> Result<&[Transaction]> {
        if self.transactions.is_none() {
            self.transactions = Some(
                self.person
                    .handle
                    .transactions(Day::EARLIEST, Day::LATEST)?,
            );
        }
        Ok(self.transactions.as_deref().unwrap_or_default())
    }

    /// Money spent: a money-out transaction on the cash account of its currency.
    pub(super) fn expense(&mut self, new: NewExpense) -> Result<Drafted<Transaction>> {
        if new.amount.amount() <= rust_decimal::Decimal::ZERO {
            return Err(pa_core::Error::invalid(
                "expense",
                format!(
                    "amount {} must be above zero (what was spent)",
                    new.amount.amount()
                ),
            )
            .into());
        }
        let day = match new.day {
            Some(d) => d,
            None => self.person.today(None)?,
        };
        if let Some(ext) = &new.external {
            // Matched across all days: the same expense sent again on another day is still the
            // one stored (or drafted earlier in this write).
            self.stored_transactions()?;
            let stored = self.transactions.as_deref().unwrap_or_default();
            if let Some(same) = stored
                .iter()
                .chain(self.batch.transactions.iter())
                .find(|t| t.external.as_ref() == Some(ext))
            {
                return Ok(Drafted::Stored(same.clone()));
            }
        }
        let currency = new.amount.currency();
        let account = AccountId::new(format!("cash-{}", currency.code().to_lowercase()))?;
        if self.accounts.is_none() {
            self.accounts = Some(
                self.person
                    .handle
                    .accounts()?
                    .into_iter()
                    .map(|a| a.id)
                    .collect(),
            );
        }
        if let Some(known) = &mut self.accounts
            && known.insert(account.clone())
        {
            let mut cash = Account::new(
                account.clone(),
                format!("Cash ({})", currency.code()),
                AccountType::Other,
                currency,
            );
            cash.subtype = Some("cash".into());
            self.batch.accounts.push(cash);
        }
        let taken: HashSet<String> = self
            .stored_transactions()?
            .iter()
            .filter(|t| t.posted == day)
            .map(|t| t.id.to_string())
            .collect();
        // The day is part of the minted text, so only that day's ids can collide.
        let id = self.mint("x", &format!("{day}\u{1f}{}", new.description), |id| {
            taken.contains(id)
        })?;
        let mut t = Transaction::new(TransactionId::new(id)?, account, day, new.amount.negated());
        t.category = new.category;
        t.description = new.description.trim().to_owned();
        t.merchant = new.merchant;
        t.external = new.external;
        self.batch.transactions.push(t.clone());
        Ok(Drafted::New(t))
    }

    /// An activity done by hand.
    pub(super) fn activity(&mut self, new: NewActivity) -> Result<Drafted<Activity>> {
        let day = new.start.local_day();
        let near = self
            .person
            .handle
            .activities(day.add_days(-1)?, day.add_days(1)?)?;
        if let Some(ext) = &new.external
            && let Some(same) = near
                .iter()
                .chain(self.batch.activities.iter())
                .find(|a| a.external.as_ref() == Some(ext))
        {
            return Ok(Drafted::Stored(same.clone()));
        }
        let label = new.name.clone().unwrap_or_else(|| new.sport.to_string());
        let id = self.mint("a", &format!("{}\u{1f}{label}", new.start), |id| {
            near.iter().any(|a| a.id.as_str() == id)
        })?;
        let mut a = Activity::new(ActivityId::new(id)?, new.sport, new.start, new.duration_s);
        a.distance_m = new.distance_m;
        a.training_load = new.load;
        a.rpe = new.rpe;
        a.name = new.name;
        a.external = new.external;
        a.validate()?;
        self.batch.activities.push(a.clone());
        Ok(Drafted::New(a))
    }

    /// A habit's entry for a day, checked against the habit's kind.
    pub(super) fn habit_check(
        &mut self,
        habit: &str,
        day: Option<Day>,
        value: EntryValue,
    ) -> Result<HabitEntryRecord> {
        if self.habits.is_none() {
            self.habits = Some(self.person.habits()?);
        }
        let all = self.habits.as_deref().unwrap_or_default();
        let h = one(
            all,
            "habit",
            habit,
            |h| h.id.as_str(),
            |h| &h.record.name,
            false,
        )?;
        let day = match day {
            Some(d) => d,
            None => self.person.today(None)?,
        };
        let record = HabitEntryRecord {
            habit: h.id.clone(),
            entry: h.record.entry(day, value)?,
        };
        self.batch.records.push(record.clone().into());
        Ok(record)
    }

    /// A weigh-in.
    pub(super) fn weight(
        &mut self,
        at: ZonedInstant,
        kg: f64,
        body_fat_pct: Option<f64>,
    ) -> Result<BodyComposition> {
        let mut b = BodyComposition::weight(at, kg);
        b.body_fat_pct = body_fat_pct;
        b.validate()?;
        self.batch.records.push(b.clone().into());
        Ok(b)
    }

    /// Stores what was drafted (nothing on a dry run) and says what it did.
    pub(super) fn commit(self) -> Result<(Change, WriteReport)> {
        let unchanged = self.unchanged;
        let empty = self.batch.is_empty();
        let person = self.person;
        if empty {
            return Ok((
                Change::Unchanged,
                WriteReport {
                    unchanged,
                    ..WriteReport::default()
                },
            ));
        }
        let (change, mut report) = person.commit_report(self.batch)?;
        report.unchanged += unchanged;
        Ok((change, report))
    }
}

/// The error of row `row` of a bulk write, naming the row, of the same kind.
fn at_row(row: usize, e: Error) -> Error {
    match e {
        Error::Core(pa_core::Error::InvalidInput { field, reason }) => Error::Core(
            pa_core::Error::invalid(format!("row {row}: {field}"), reason),
        ),
        Error::Core(other) => Error::Core(pa_core::Error::invalid(
            format!("row {row}"),
            other.to_string(),
        )),
        Error::NotFound { what } => Error::NotFound {
            what: format!("row {row}: {what}"),
        },
        other => other,
    }
}

impl Person {
    /// Writes every entry in one transaction: all or nothing. An error names its row (counted
    /// from 0). Entries with an external id already stored (or earlier in `entries`) are left
    /// as they are; habit check-ins and weigh-ins replace the entry of their day or instant, so
    /// writing the same entries again changes nothing.
    pub fn write_all(&self, entries: Vec<Entry>) -> Result<WriteReport> {
        let mut draft = Draft::new(self);
        for (row, entry) in entries.into_iter().enumerate() {
            draft.salt = row.to_string();
            let stored = match entry {
                Entry::Expense(e) => matches!(
                    draft.expense(e).map_err(|e| at_row(row, e))?,
                    Drafted::Stored(_)
                ),
                Entry::Activity(a) => matches!(
                    draft.activity(a).map_err(|e| at_row(row, e))?,
                    Drafted::Stored(_)
                ),
                Entry::HabitCheck { habit, day, value } => {
                    draft
                        .habit_check(&habit, day, value)
                        .map_err(|e| at_row(row, e))?;
                    false
                }
                Entry::Weight {
                    at,
                    kg,
                    body_fat_pct,
                } => {
                    draft
                        .weight(at, kg, body_fat_pct)
                        .map_err(|e| at_row(row, e))?;
                    false
                }
            };
            if stored {
                // Already stored: counted here, since it never reaches the store.
                draft.unchanged += 1;
            }
        }
        Ok(draft.commit()?.1)
    }
}
