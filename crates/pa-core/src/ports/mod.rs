//! Ports: the traits that storage adapters implement, free of any backend's types.
//!
//! A store holds many people's data; [`UserStore`] is one person's view of it, and every query on
//! it is scoped to that person. Writes go through [`UserStore::apply`], which takes a
//! [`WriteBatch`] and writes all of it or nothing: a sync writes its records and its new cursor in
//! one batch, so a crash can neither lose records nor move the cursor past them.
//!
//! Upserts are idempotent. A record with an [`ExternalRef`](crate::ids::ExternalRef) is matched by
//! it (so re-importing a file or re-syncing changes nothing), otherwise by pa's id; a daily health
//! record by its day; a balance by account and day. Writing a record that equals the stored one
//! counts as unchanged.
//!
//! Activities, daily health, accounts, transactions and balances have their own methods (they are
//! what the heavy calculations read); every other entity is a [`Record`] read through the generic
//! [`UserStore::records`]. The per-aggregate repositories in [`repos`] build the views people ask
//! for (habits with entries, tasks due, a day's agenda, the weekly review) on these primitives, so
//! every adapter gets them for free and they cannot differ between adapters. The write rules every
//! adapter applies (matching, the content hash, parent and currency checks) are in [`upsert`].
//!
//! The connected half has ports of its own, shapes only (their adapters live in pa-integrations):
//! a [`Source`] of changes read page by page from a cursor, a [`Sink`] to mirror rows into, a
//! [`LanguageModel`] and an [`Embedder`], a [`SecretStore`], a [`Notifier`], and the [`Clock`]
//! every "now" comes from. Each module documents the invariants its adapters keep. Those that do
//! I/O are async (`async-trait`), which costs pa-core no runtime: it only names futures.

pub mod audit;
pub mod clock;
pub mod llm;
pub mod model;
pub mod notifier;
pub mod port_error;
pub mod record;
pub mod repos;
pub mod retention;
pub mod secret_store;
pub mod settings;
pub mod sink;
pub mod source;
pub mod sync_log;
pub mod upsert;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::finance::networth::BalanceHistory;
use crate::finance::{Account, BalanceSnapshot, Transaction};
use crate::fitness::{Activity, DailyHealth};
use crate::time::Day;

pub use audit::{AuditAction, AuditEntry};
pub use clock::{Clock, FixedClock};
pub use llm::{LlmTotals, LlmUsage, llm_totals};
pub use model::{Embedder, LanguageModel};
pub use notifier::Notifier;
pub use port_error::PortError;
pub use record::{
    Doc, HabitEntryRecord, Identified, KindVisitor, Record, RecordKind, RecordRef, RecordVisitor,
    Span, StoredEvent, StoredHabit, overlaps,
};
pub use repos::{
    CalendarRepository, FinanceRepository, FitnessRepository, HabitRepository, HealthRepository,
    HrvRepository, JournalRepository, ReviewRepository, TaskRepository, docs_of,
};
pub use retention::{Prune, PruneTarget, RetentionPolicy, RetentionRule, pruned};
pub use secret_store::{SecretStore, SecretValue};
pub use settings::{PROFILE_KEY, Profile, Setting, Units};
pub use sink::Sink;
pub use source::Source;
pub use sync_log::{SyncOutcome, SyncRecord, SyncRun};

/// Where a source's sync stands for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The source slug (`garmin`, `plaid`).
    pub source: String,
    /// The source's opaque cursor, to resume from.
    pub cursor: Option<String>,
    /// When the last sync succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// The last error, if the last sync failed.
    pub last_error: Option<String>,
}

/// Records to write together, all or nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WriteBatch {
    /// Activities.
    pub activities: Vec<Activity>,
    /// Daily health records.
    pub health: Vec<DailyHealth>,
    /// Accounts (before the transactions and balances that name them).
    pub accounts: Vec<Account>,
    /// Transactions; their accounts must exist (in the store or earlier in this batch).
    pub transactions: Vec<Transaction>,
    /// Balances; their accounts must exist.
    pub balances: Vec<BalanceSnapshot>,
    /// Records of the other kinds; a record with a parent after its parent.
    pub records: Vec<Doc>,
    /// Records to delete (with their children and sync mappings); a missing one is no error.
    /// Deletions run after the writes above.
    pub deletions: Vec<RecordRef>,
    /// Sync states to record.
    pub sync: Vec<SyncState>,
    /// Record ↔ remote mappings to record (replacing the one of the same source, kind and key).
    pub sync_records: Vec<SyncRecord>,
    /// Sync runs to record (replacing the one of the same source and start).
    pub sync_runs: Vec<SyncRun>,
    /// LLM calls to record (one per instant and model: the same call again replaces it).
    pub llm_usage: Vec<LlmUsage>,
    /// Settings to set (or remove, with no value).
    pub settings: Vec<Setting>,
    /// Who writes (`sync:garmin`, `import:ride.fit`): when set, every record added, updated or
    /// deleted is listed in the audit log under it.
    pub origin: Option<String>,
}

impl WriteBatch {
    /// [`WriteBatch::records`] in the order a B-tree store writes fastest: each kind after its
    /// parent's, then by kind and key, so that inserts land beside each other instead of all over
    /// the table (the 4,770 events of a Google Calendar export: 85 → 50 ms in SQLite alone).
    /// When two records of a kind share a key or an external reference, which one wins depends
    /// on their order: then the batch's own order is kept.
    pub fn records_in_write_order(&self) -> Vec<&Doc> {
        let depth = |kind: RecordKind| std::iter::successors(kind.parent(), |k| k.parent()).count();
        let mut keyed: Vec<(usize, RecordKind, String, &Doc)> = self
            .records
            .iter()
            .map(|d| {
                let kind = d.kind();
                (depth(kind), kind, d.key(), d)
            })
            .collect();
        keyed.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
        // Sorted, records sharing a kind and key sit side by side; external references are
        // checked in a set sized once.
        let shared_key = keyed
            .windows(2)
            .any(|w| (w[0].1, &w[0].2) == (w[1].1, &w[1].2));
        let mut externals = std::collections::HashSet::with_capacity(keyed.len());
        let shared_external = shared_key
            || keyed
                .iter()
                .any(|(_, kind, _, d)| d.external().is_some_and(|e| !externals.insert((*kind, e))));
        if shared_external {
            return self.records.iter().collect();
        }
        keyed.into_iter().map(|(.., d)| d).collect()
    }

    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.activities.is_empty()
            && self.health.is_empty()
            && self.accounts.is_empty()
            && self.transactions.is_empty()
            && self.balances.is_empty()
            && self.records.is_empty()
            && self.deletions.is_empty()
            && self.sync.is_empty()
            && self.sync_records.is_empty()
            && self.sync_runs.is_empty()
            && self.llm_usage.is_empty()
            && self.settings.is_empty()
    }
}

/// What a write did, counted in records (sync bookkeeping, logs and settings are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    /// New records.
    pub added: u64,
    /// Records that existed and changed.
    pub updated: u64,
    /// Records that existed and were equal.
    pub unchanged: u64,
    /// Records deleted (not counting children deleted with them).
    pub deleted: u64,
}

impl WriteReport {
    /// Adds another report's counts.
    pub fn merge(&mut self, other: WriteReport) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.deleted += other.deleted;
    }
}

/// One person's data in a store. Every method sees only that person's records.
pub trait UserStore {
    /// The adapter's error; pa-core rule violations convert into it.
    type Error: From<crate::Error> + std::error::Error;

    /// Writes the batch in one transaction: all of it, or nothing and an error naming the record.
    fn apply(&self, batch: &WriteBatch) -> Result<WriteReport, Self::Error>;

    /// Activities whose local start day is in `[from, to]`, by start.
    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>, Self::Error>;

    /// The activity with pa's id `id`. Adapters with an index on ids should override this scan.
    fn activity(&self, id: &crate::ids::ActivityId) -> Result<Option<Activity>, Self::Error> {
        Ok(self
            .activities(Day::EARLIEST, Day::LATEST)?
            .into_iter()
            .find(|a| &a.id == id))
    }

    /// Daily health records in `[from, to]`, by day.
    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>, Self::Error>;

    /// (day, load) of every activity with a load whose day is in `[from, to]`, by day; the input of
    /// [`crate::fitness::pmc::DailyLoads::from_entries`].
    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>, Self::Error>;

    /// All accounts, by id.
    fn accounts(&self) -> Result<Vec<Account>, Self::Error>;

    /// Transactions posted in `[from, to]`, by day then id.
    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>, Self::Error>;

    /// Each account's balances in `[from, to]` and its last balance before `from` (which carries
    /// into the range), oldest first; the input of
    /// [`crate::finance::networth::net_worth_of_histories`] over `[from, to]`.
    fn balance_histories(&self, from: Day, to: Day) -> Result<Vec<BalanceHistory>, Self::Error>;

    /// Balances (with available and limit) on days in `[from, to]`, by account then day.
    fn balances(&self, from: Day, to: Day) -> Result<Vec<BalanceSnapshot>, Self::Error>;

    /// Each account's last balance on or before `day` (what carries forward into a later range).
    fn latest_balances(&self, day: Day) -> Result<Vec<BalanceSnapshot>, Self::Error>;

    /// Records of kind `R` by first day then key: all of them when `span` is `None`, else those
    /// whose span overlaps `[from, to]` (records without a span are left out).
    fn records<R: Record>(&self, span: Option<(Day, Day)>) -> Result<Vec<R>, Self::Error>;

    /// The record of kind `R` with `key`.
    fn record<R: Record>(&self, key: &str) -> Result<Option<R>, Self::Error>;

    /// The records of kind `R` whose parent has `parent` as key, by first day then key.
    fn children<R: Record>(&self, parent: &str) -> Result<Vec<R>, Self::Error>;

    /// The sync state of a source.
    fn sync_state(&self, source: &str) -> Result<Option<SyncState>, Self::Error>;

    /// Every source's sync state, by source.
    fn sync_states(&self) -> Result<Vec<SyncState>, Self::Error>;

    /// A source's record mappings, by kind then local key.
    fn sync_records(&self, source: &str) -> Result<Vec<SyncRecord>, Self::Error>;

    /// The last `limit` sync runs, of one source or all, newest first.
    fn sync_runs(&self, source: Option<&str>, limit: usize) -> Result<Vec<SyncRun>, Self::Error>;

    /// LLM calls made on UTC days in `[from, to]`, oldest first.
    fn llm_usage(&self, from: Day, to: Day) -> Result<Vec<LlmUsage>, Self::Error>;

    /// Audit entries written on UTC days in `[from, to]`, oldest first.
    fn audit_log(&self, from: Day, to: Day) -> Result<Vec<AuditEntry>, Self::Error>;

    /// Every setting, by key.
    fn settings(&self) -> Result<Vec<Setting>, Self::Error>;

    /// Deletes everything of `target` before `before` (see [`retention`]) in one transaction;
    /// returns how many records or log rows went (children not counted).
    fn prune(&self, target: PruneTarget, before: Day) -> Result<u64, Self::Error>;
}

#[cfg(test)]
mod connected_tests;

#[cfg(test)]
mod write_order_tests {
    use super::*;
    use crate::ids::{HabitId, TaskId};
    use crate::tasks::Task;

    fn task(id: &str) -> Doc {
        Task::new(TaskId::new(id).unwrap(), id, chrono::DateTime::UNIX_EPOCH).into()
    }

    fn keys(batch: &WriteBatch) -> Vec<String> {
        batch
            .records_in_write_order()
            .iter()
            .map(|d| d.key())
            .collect()
    }

    #[test]
    fn parents_first_then_kind_and_key_unless_a_record_repeats() {
        let habit = HabitId::new("h").unwrap();
        let entry: Doc = HabitEntryRecord {
            habit: habit.clone(),
            entry: crate::habits::HabitEntry {
                day: "2026-01-01".parse().unwrap(),
                value: crate::habits::EntryValue::Yes,
            },
        }
        .into();
        let parent: Doc = StoredHabit {
            id: habit,
            record: crate::habits::Habit::yes_no("Read", crate::habits::Frequency::DAILY),
        }
        .into();
        let mut batch = WriteBatch {
            records: vec![task("t3"), entry.clone(), task("t1"), parent, task("t2")],
            ..WriteBatch::default()
        };
        let ordered = keys(&batch);
        // The habit comes before its entry, the tasks by key.
        let at = |k: &str| ordered.iter().position(|x| x.as_str() == k).unwrap();
        assert!(at("h") < at(&entry.key()));
        assert!(at("t1") < at("t2") && at("t2") < at("t3"));
        // A repeated key keeps the batch's order, so the later record still wins.
        batch.records.push(task("t1"));
        let given: Vec<String> = batch.records.iter().map(Doc::key).collect();
        assert_eq!(keys(&batch), given);
    }

    #[test]
    fn a_shared_external_reference_keeps_the_batch_order() {
        let with_ref = |id: &str| -> Doc {
            let mut t = Task::new(TaskId::new(id).unwrap(), id, chrono::DateTime::UNIX_EPOCH);
            t.external = Some(crate::ids::ExternalRef::new("todo", "same").unwrap());
            t.into()
        };
        let batch = WriteBatch {
            records: vec![with_ref("b"), task("c"), with_ref("a")],
            ..WriteBatch::default()
        };
        assert_eq!(keys(&batch), ["b", "c", "a"]);
        let distinct = WriteBatch {
            records: vec![with_ref("b"), task("c"), task("a")],
            ..WriteBatch::default()
        };
        assert_eq!(keys(&distinct), ["a", "b", "c"]);
    }
}
