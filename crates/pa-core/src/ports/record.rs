//! Records: the entities a store keeps beyond the column-indexed fitness and finance tables, each
//! described once by the [`Record`] trait so that every adapter stores, matches, queries, prunes,
//! exports and deletes them by the same rules.
//!
//! A record has a **key** (pa's id, or a natural key such as `habit/day` for records that are
//! unique per habit and day), optionally an [`ExternalRef`] (matched first, so the same source
//! record keeps one identity), optionally a **day span** (what range queries and retention test),
//! and optionally a **parent** that must exist (a habit entry's habit, a holding's account):
//! deleting the parent deletes its children.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::calendar::Event;
use crate::error::{Error, Result};
use crate::finance::budget::Budget;
use crate::finance::{Bill, Expense, ExpenseCategory, Holding, InvestmentTransaction, Security};
use crate::fitness::{BodyComposition, TrainingPlan};
use crate::habits::{Habit, HabitEntry};
use crate::ids::{EventId, ExternalRef, HabitId};
use crate::journal::{DailyCheckIn, Memory, Note};
use crate::meals::{PlannedMeal, Recipe};
use crate::tasks::{Project, Reminder, Task};
use crate::time::Day;

/// Declares every stored kind once: its variant, export name, table name, parent kind and (for the
/// kinds kept in the generic record tables) its type. [`RecordKind`] with its names and order,
/// [`Doc`] with its `From` impls and [`Doc::visit`] are generated from this one list, so a new kind
/// is one line here plus its [`Record`] impl (and a migration for its table).
macro_rules! stored_kinds {
    ($(
        $(#[$meta:meta])*
        $kind:ident = $name:literal, table $table:literal
            $(, parent $parent:ident)? $(, record $ty:ty)?;
    )*) => {
        /// Every kind of record a store holds, named as in exports (`habit_entry`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum RecordKind {
            $($(#[$meta])* #[serde(rename = $name)] $kind,)*
        }

        impl RecordKind {
            /// Every kind, in export order (parents before children).
            pub const ALL: [RecordKind; stored_kinds!(@count $($kind)*)] = [$(RecordKind::$kind,)*];

            /// The export name (`habit_entry`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RecordKind::$kind => $name,)*
                }
            }

            /// The name storage adapters give the kind's table (`habit_entries`).
            pub fn table(self) -> &'static str {
                match self {
                    $(RecordKind::$kind => $table,)*
                }
            }

            /// The kind whose deletion deletes records of this kind.
            pub fn parent(self) -> Option<RecordKind> {
                match self {
                    $(RecordKind::$kind => stored_kinds!(@parent $($parent)?),)*
                }
            }

            /// Calls `visitor` with the record type of a generic kind; `None` for the kinds with
            /// columns of their own (they are not [`Record`]s).
            pub fn with_type<V: KindVisitor>(self, visitor: V) -> Option<V::Output> {
                match self {
                    $(RecordKind::$kind => stored_kinds!(@with visitor $($ty)?),)*
                }
            }

            /// Whether the kind is kept in the generic record tables (as a [`Doc`]) rather than
            /// in columns of its own.
            pub fn is_doc(self) -> bool {
                match self {
                    $(RecordKind::$kind => stored_kinds!(@is_doc $($ty)?),)*
                }
            }
        }

        /// Any record of the generic kinds, as written in a batch and in exports.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "record")]
        #[allow(missing_docs)] // each variant holds the record its name says
        pub enum Doc {
            $($(#[serde(rename = $name)] $kind($ty),)?)*
        }

        $($(impl From<$ty> for Doc {
            fn from(r: $ty) -> Doc {
                Doc::$kind(r)
            }
        })?)*

        impl Doc {
            /// Calls `visitor` with the record in its own type, so adapters write every kind with
            /// one generic function.
            pub fn visit<V: RecordVisitor>(&self, visitor: V) -> V::Output {
                match self {
                    $($(Doc::$kind(r) => stored_kinds!(@visit visitor r $ty),)?)*
                }
            }
        }
    };
    (@count $($kind:ident)*) => { <[()]>::len(&[$(stored_kinds!(@unit $kind)),*]) };
    (@unit $kind:ident) => { () };
    (@parent) => { None };
    (@parent $parent:ident) => { Some(RecordKind::$parent) };
    (@with $visitor:ident) => { None };
    (@with $visitor:ident $ty:ty) => { Some($visitor.visit::<$ty>()) };
    (@is_doc) => { false };
    (@is_doc $ty:ty) => { true };
    (@visit $visitor:ident $r:ident $ty:ty) => { $visitor.visit::<$ty>($r) };
}

stored_kinds! {
    /// [`crate::finance::Account`], keyed by id.
    Account = "account", table "accounts";
    /// [`crate::fitness::Activity`], keyed by id.
    Activity = "activity", table "activities";
    /// [`crate::fitness::DailyHealth`], keyed by day.
    DailyHealth = "daily_health", table "daily_health";
    /// [`crate::finance::Transaction`], keyed by id.
    Transaction = "transaction", table "transactions", parent Account;
    /// [`crate::finance::BalanceSnapshot`], keyed `account/day`.
    Balance = "balance", table "balances", parent Account;
    /// [`BodyComposition`], keyed by the UTC measurement instant.
    BodyComposition = "body_composition", table "body_composition", record BodyComposition;
    /// [`TrainingPlan`] with its workouts.
    TrainingPlan = "training_plan", table "training_plans", record TrainingPlan;
    /// [`StoredHabit`].
    Habit = "habit", table "habits", record StoredHabit;
    /// [`HabitEntryRecord`], keyed `habit/day`.
    HabitEntry = "habit_entry", table "habit_entries", parent Habit, record HabitEntryRecord;
    /// [`Project`].
    Project = "project", table "projects", record Project;
    /// [`Task`].
    Task = "task", table "tasks", record Task;
    /// [`Reminder`].
    Reminder = "reminder", table "reminders", record Reminder;
    /// [`StoredEvent`].
    Event = "event", table "events", record StoredEvent;
    /// [`DailyCheckIn`], keyed by day.
    CheckIn = "check_in", table "check_ins", record DailyCheckIn;
    /// [`Note`].
    Note = "note", table "notes", record Note;
    /// [`Memory`].
    Memory = "memory", table "memories", record Memory;
    /// [`Budget`], keyed `month/category`.
    Budget = "budget", table "budgets", record Budget;
    /// [`Security`].
    Security = "security", table "securities", record Security;
    /// [`Holding`], keyed `account/security/day`.
    Holding = "holding", table "holdings", parent Account, record Holding;
    /// [`InvestmentTransaction`].
    InvestmentTransaction = "investment_transaction", table "investment_transactions",
        parent Account, record InvestmentTransaction;
    /// [`Bill`].
    Bill = "bill", table "bills", record Bill;
    /// [`ExpenseCategory`].
    ExpenseCategory = "expense_category", table "expense_categories", record ExpenseCategory;
    /// [`Expense`].
    Expense = "expense", table "expenses", record Expense;
    /// [`Recipe`].
    Recipe = "recipe", table "recipes", record Recipe;
    /// [`PlannedMeal`], keyed `day/slot`.
    PlannedMeal = "planned_meal", table "planned_meals", record PlannedMeal;
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RecordKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("record kind", format!("'{s}' is not a record kind")))
    }
}

/// A record kind's rules, implemented once for every entity the generic record tables hold.
pub trait Record:
    Serialize + DeserializeOwned + Clone + PartialEq + fmt::Debug + Into<Doc>
{
    /// Its kind.
    const KIND: RecordKind;

    /// Its key: unique per person and kind.
    fn key(&self) -> String;

    /// The source's reference, matched before the key.
    fn external(&self) -> Option<&ExternalRef> {
        None
    }

    /// The same record under another key (the stored one, when matched by external reference).
    /// Records whose key is natural (derived from their fields) cannot be re-keyed.
    fn with_key(&self, key: &str) -> Result<Self> {
        if key == self.key() {
            Ok(self.clone())
        } else {
            Err(Error::invalid(
                Self::KIND.as_str(),
                format!("key '{}' cannot become '{key}'", self.key()),
            ))
        }
    }

    /// Its span is always one day (`Some((d, Some(d)))`): range queries can then look the day up
    /// directly.
    const POINT: bool = false;

    /// The days it covers, first and last; `None` as the last day means open-ended (a recurring
    /// event without an end). Records without a span are returned only by unbounded queries.
    fn span(&self) -> Option<(Day, Option<Day>)> {
        None
    }

    /// The key of the record of kind `KIND.parent()` it belongs to.
    fn parent(&self) -> Option<String> {
        None
    }

    /// Checks the record's own rules.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// A record's span of days, as [`Record::span`] gives it.
pub type Span = Option<(Day, Option<Day>)>;

/// Whether `span` overlaps the days `[from, to]`: what range queries return. Records without a
/// span overlap nothing; an open-ended span runs on forever.
pub fn overlaps(span: Span, from: Day, to: Day) -> bool {
    span.is_some_and(|(first, last)| first <= to && last.is_none_or(|l| l >= from))
}

/// A record kept under a pa id that the domain type does not carry itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identified<I, T> {
    /// pa's id.
    pub id: I,
    /// The record.
    #[serde(flatten)]
    pub record: T,
}

/// A habit with its id.
pub type StoredHabit = Identified<HabitId, Habit>;
/// A calendar event with its id.
pub type StoredEvent = Identified<EventId, Event>;

/// A habit entry with the habit it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HabitEntryRecord {
    /// The habit.
    pub habit: HabitId,
    /// The entry.
    #[serde(flatten)]
    pub entry: HabitEntry,
}

fn point(day: Day) -> Option<(Day, Option<Day>)> {
    Some((day, Some(day)))
}

/// Implements `with_key` for records keyed by their own typed `id` field.
macro_rules! id_keyed {
    ($id:ty) => {
        fn key(&self) -> String {
            self.id.to_string()
        }
        fn with_key(&self, key: &str) -> Result<Self> {
            let mut r = self.clone();
            r.id = <$id>::new(key)?;
            Ok(r)
        }
    };
}

impl Record for BodyComposition {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::BodyComposition;
    fn key(&self) -> String {
        self.measured_at.utc.to_rfc3339()
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.measured_at.local_day())
    }
    fn validate(&self) -> Result<()> {
        BodyComposition::validate(self)
    }
}

impl Record for TrainingPlan {
    const KIND: RecordKind = RecordKind::TrainingPlan;
    id_keyed!(crate::ids::PlanId);
    fn span(&self) -> Option<(Day, Option<Day>)> {
        Some((self.start, Some(self.end)))
    }
    fn validate(&self) -> Result<()> {
        TrainingPlan::validate(self)
    }
}

impl Record for StoredHabit {
    const KIND: RecordKind = RecordKind::Habit;
    id_keyed!(HabitId);
    fn validate(&self) -> Result<()> {
        self.record.validate()
    }
}

impl Record for HabitEntryRecord {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::HabitEntry;
    fn key(&self) -> String {
        format!("{}/{}", self.habit, self.entry.day)
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.entry.day)
    }
    fn parent(&self) -> Option<String> {
        Some(self.habit.to_string())
    }
    fn validate(&self) -> Result<()> {
        self.entry.validate()
    }
}

impl Record for Project {
    const KIND: RecordKind = RecordKind::Project;
    id_keyed!(crate::ids::ProjectId);
}

impl Record for Task {
    const KIND: RecordKind = RecordKind::Task;
    id_keyed!(crate::ids::TaskId);
    fn external(&self) -> Option<&ExternalRef> {
        self.external.as_ref()
    }
    /// Its life: from the day it was created to the day it was completed or cancelled,
    /// open-ended while it is open. Days are UTC days widened by one on each side, so the span
    /// covers the local days of any zone; views filter exactly.
    fn span(&self) -> Option<(Day, Option<Day>)> {
        let utc_day = |t: chrono::DateTime<chrono::Utc>| Day::from_naive(t.date_naive());
        let created = utc_day(self.created_at);
        let first = created.pred().unwrap_or(created);
        let last = if self.status.is_open() {
            None
        } else {
            let end = self.completed_at.map_or(created, utc_day);
            Some(end.succ().unwrap_or(end).max(first))
        };
        Some((first, last))
    }
    fn validate(&self) -> Result<()> {
        Task::validate(self)
    }
}

impl Record for Reminder {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::Reminder;
    id_keyed!(crate::ids::ReminderId);
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.remind_at.local_day())
    }
}

impl Record for StoredEvent {
    const KIND: RecordKind = RecordKind::Event;
    id_keyed!(EventId);
    fn external(&self) -> Option<&ExternalRef> {
        self.record.external.as_ref()
    }
    /// See [`Event::days`]: to the end of the last occurrence, open-ended when it repeats
    /// forever. A recurrence that cannot be expanded counts as open-ended (validation reports it).
    fn span(&self) -> Option<(Day, Option<Day>)> {
        self.record.days().ok()
    }
    fn validate(&self) -> Result<()> {
        self.record.validate()
    }
}

impl Record for DailyCheckIn {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::CheckIn;
    fn key(&self) -> String {
        self.day.to_string()
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.day)
    }
    fn validate(&self) -> Result<()> {
        DailyCheckIn::validate(self)
    }
}

impl Record for Note {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::Note;
    id_keyed!(crate::ids::NoteId);
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(Day::from_naive(self.created.date_naive()))
    }
}

impl Record for Memory {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::Memory;
    id_keyed!(crate::ids::NoteId);
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(Day::from_naive(self.created.date_naive()))
    }
    fn validate(&self) -> Result<()> {
        Memory::validate(self)
    }
}

impl Record for Budget {
    const KIND: RecordKind = RecordKind::Budget;
    fn key(&self) -> String {
        format!("{}/{}", self.month, self.category.path())
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        Some((self.month.first_day(), Some(self.month.last_day())))
    }
    fn validate(&self) -> Result<()> {
        Budget::validate(self)
    }
}

impl Record for Security {
    const KIND: RecordKind = RecordKind::Security;
    id_keyed!(crate::ids::SecurityId);
}

impl Record for Holding {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::Holding;
    fn key(&self) -> String {
        format!("{}/{}/{}", self.account, self.security, self.as_of)
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.as_of)
    }
    fn parent(&self) -> Option<String> {
        Some(self.account.to_string())
    }
    fn validate(&self) -> Result<()> {
        Holding::validate(self)
    }
}

impl Record for InvestmentTransaction {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::InvestmentTransaction;
    id_keyed!(crate::ids::InvestmentTransactionId);
    fn external(&self) -> Option<&ExternalRef> {
        self.external.as_ref()
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.day)
    }
    fn parent(&self) -> Option<String> {
        Some(self.account.to_string())
    }
    fn validate(&self) -> Result<()> {
        InvestmentTransaction::validate(self)
    }
}

impl Record for Bill {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::Bill;
    id_keyed!(crate::ids::BillId);
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.next_due)
    }
    fn validate(&self) -> Result<()> {
        Bill::validate(self)
    }
}

impl Record for ExpenseCategory {
    const KIND: RecordKind = RecordKind::ExpenseCategory;
    id_keyed!(crate::ids::ExpenseCategoryId);
}

impl Record for Expense {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::Expense;
    id_keyed!(crate::ids::ExpenseId);
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.day)
    }
    fn validate(&self) -> Result<()> {
        Expense::validate(self)
    }
}

impl Record for Recipe {
    const KIND: RecordKind = RecordKind::Recipe;
    id_keyed!(crate::ids::RecipeId);
    fn validate(&self) -> Result<()> {
        Recipe::validate(self)
    }
}

impl Record for PlannedMeal {
    const POINT: bool = true;
    const KIND: RecordKind = RecordKind::PlannedMeal;
    fn key(&self) -> String {
        let slot = match self.slot {
            crate::meals::MealSlot::Breakfast => "breakfast",
            crate::meals::MealSlot::Lunch => "lunch",
            crate::meals::MealSlot::Dinner => "dinner",
            crate::meals::MealSlot::Snack => "snack",
        };
        format!("{}/{slot}", self.day)
    }
    fn span(&self) -> Option<(Day, Option<Day>)> {
        point(self.day)
    }
}

/// Something done with the record type of a kind known only at run time: see
/// [`RecordKind::with_type`].
pub trait KindVisitor {
    /// What the visit returns.
    type Output;
    /// Called with the kind's record type.
    fn visit<R: Record>(self) -> Self::Output;
}

/// Something done with a record of any kind, typed: see [`Doc::visit`].
pub trait RecordVisitor {
    /// What the visit returns.
    type Output;
    /// Called with the record in its own type.
    fn visit<R: Record>(self, record: &R) -> Self::Output;
}

impl Doc {
    /// Its kind.
    pub fn kind(&self) -> RecordKind {
        struct Kind;
        impl RecordVisitor for Kind {
            type Output = RecordKind;
            fn visit<R: Record>(self, _: &R) -> RecordKind {
                R::KIND
            }
        }
        self.visit(Kind)
    }

    /// Its span of days.
    pub fn span(&self) -> Span {
        struct Days;
        impl RecordVisitor for Days {
            type Output = Span;
            fn visit<R: Record>(self, r: &R) -> Span {
                r.span()
            }
        }
        self.visit(Days)
    }

    /// Its external reference, if it has one.
    pub fn external(&self) -> Option<ExternalRef> {
        struct External;
        impl RecordVisitor for External {
            type Output = Option<ExternalRef>;
            fn visit<R: Record>(self, r: &R) -> Option<ExternalRef> {
                r.external().cloned()
            }
        }
        self.visit(External)
    }

    /// Its key.
    pub fn key(&self) -> String {
        struct Key;
        impl RecordVisitor for Key {
            type Output = String;
            fn visit<R: Record>(self, r: &R) -> String {
                r.key()
            }
        }
        self.visit(Key)
    }
}

/// A record named by kind and key, e.g. to delete it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    /// The kind.
    pub kind: RecordKind,
    /// The key (pa's id; `account/day` for a balance; the day for daily health).
    pub key: String,
}

impl RecordRef {
    /// A reference.
    pub fn new(kind: RecordKind, key: impl Into<String>) -> Self {
        Self {
            kind,
            key: key.into(),
        }
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::habits::{EntryValue, Frequency};

    #[test]
    fn spans_overlap_windows() {
        let d = |s: &str| -> Day { s.parse().unwrap() };
        let (from, to) = (d("2026-03-02"), d("2026-03-08"));
        assert!(overlaps(
            Some((d("2026-03-08"), Some(d("2026-03-08")))),
            from,
            to
        ));
        assert!(overlaps(Some((d("2026-01-01"), Some(from))), from, to));
        assert!(!overlaps(
            Some((d("2026-01-01"), Some(d("2026-03-01")))),
            from,
            to
        ));
        assert!(
            !overlaps(Some((d("2026-03-09"), None)), from, to),
            "starts after"
        );
        assert!(
            overlaps(Some((d("2020-01-01"), None)), from, to),
            "open-ended"
        );
        assert!(!overlaps(None, from, to), "spanless");
        assert!(overlaps(Some((Day::EARLIEST, Some(Day::LATEST))), from, to));
        assert_eq!(Day::EARLIEST.to_string(), "0001-01-01");
        assert_eq!(Day::LATEST.to_string(), "9999-12-31");
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in RecordKind::ALL {
            assert_eq!(k.as_str().parse::<RecordKind>().unwrap(), k);
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        assert!("habits".parse::<RecordKind>().is_err());
        let mut names: Vec<_> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RecordKind::ALL.len(), "no kind twice");
        let mut tables: Vec<_> = RecordKind::ALL.iter().map(|k| k.table()).collect();
        tables.sort_unstable();
        tables.dedup();
        assert_eq!(tables.len(), RecordKind::ALL.len(), "no table twice");
        assert_eq!(RecordKind::HabitEntry.table(), "habit_entries");
    }

    /// What the declaration generates agrees with itself: parents come first in export order, and
    /// a kind is a Doc exactly when a Doc of it reports it.
    #[test]
    fn the_declared_kinds_are_consistent() {
        for (i, k) in RecordKind::ALL.iter().enumerate() {
            if let Some(p) = k.parent() {
                let at = RecordKind::ALL.iter().position(|x| *x == p).unwrap();
                assert!(at < i, "{p} must come before {k}");
            }
        }
        let docs: Vec<RecordKind> = RecordKind::ALL.into_iter().filter(|k| k.is_doc()).collect();
        assert_eq!(docs.len(), 20);
        assert!(!RecordKind::Activity.is_doc() && !RecordKind::Balance.is_doc());
        let habit: Doc = serde_json::from_value(serde_json::json!({
            "kind": "habit_entry",
            "record": {"habit": "h1", "day": "2026-01-01", "value": "yes"}
        }))
        .unwrap();
        assert_eq!(habit.kind(), RecordKind::HabitEntry);
        assert_eq!(habit.key(), "h1/2026-01-01");
        let json = serde_json::to_value(&habit).unwrap();
        assert_eq!(json["kind"], "habit_entry");
    }

    #[test]
    fn natural_keys_and_flattened_ids() {
        let habit = StoredHabit {
            id: HabitId::new("meditate").unwrap(),
            record: Habit::yes_no("Meditate", Frequency::DAILY),
        };
        let json = serde_json::to_value(&habit).unwrap();
        assert_eq!(json["id"], "meditate");
        assert_eq!(
            json["name"], "Meditate",
            "the habit's fields sit beside its id"
        );
        assert_eq!(habit.with_key("m2").unwrap().id.as_str(), "m2");
        let entry = HabitEntryRecord {
            habit: habit.id.clone(),
            entry: HabitEntry {
                day: "2026-03-01".parse().unwrap(),
                value: EntryValue::Yes,
            },
        };
        assert_eq!(entry.key(), "meditate/2026-03-01");
        assert_eq!(entry.parent().as_deref(), Some("meditate"));
        assert!(
            entry.with_key("other/2026-03-01").is_err(),
            "natural keys stay"
        );
        let doc: Doc = entry.into();
        assert_eq!(doc.kind(), RecordKind::HabitEntry);
        let text = serde_json::to_string(&doc).unwrap();
        assert!(text.starts_with("{\"kind\":\"habit_entry\""), "{text}");
        assert_eq!(serde_json::from_str::<Doc>(&text).unwrap(), doc);
    }
}
