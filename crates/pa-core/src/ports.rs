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
//! This slice of the store covers fitness (activities, daily health), finance (accounts,
//! transactions, balances) and sync state; the other aggregates follow.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::finance::networth::BalanceHistory;
use crate::finance::{Account, BalanceSnapshot, Transaction};
use crate::fitness::{Activity, DailyHealth};
use crate::time::Day;

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
    /// Sync states to record.
    pub sync: Vec<SyncState>,
}

impl WriteBatch {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.activities.is_empty()
            && self.health.is_empty()
            && self.accounts.is_empty()
            && self.transactions.is_empty()
            && self.balances.is_empty()
            && self.sync.is_empty()
    }
}

/// What a write did, counted in records (sync states are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    /// New records.
    pub added: u64,
    /// Records that existed and changed.
    pub updated: u64,
    /// Records that existed and were equal.
    pub unchanged: u64,
}

impl WriteReport {
    /// Adds another report's counts.
    pub fn merge(&mut self, other: WriteReport) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
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

    /// Daily health records in `[from, to]`, by day.
    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>, Self::Error>;

    /// (day, load) of every activity with a load whose day is in `[from, to]`, by day; the input of
    /// [`crate::fitness::pmc::DailyLoads::from_entries`].
    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>, Self::Error>;

    /// All accounts, by id.
    fn accounts(&self) -> Result<Vec<Account>, Self::Error>;

    /// Transactions posted in `[from, to]`, by day then id.
    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>, Self::Error>;

    /// Each account's balances up to `to`, oldest first; the input of
    /// [`crate::finance::networth::net_worth_of_histories`].
    fn balance_histories(&self, to: Day) -> Result<Vec<BalanceHistory>, Self::Error>;

    /// The sync state of a source.
    fn sync_state(&self, source: &str) -> Result<Option<SyncState>, Self::Error>;
}
