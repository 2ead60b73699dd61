//! The storage behind the facade, chosen when the store is opened: SQLite (a file or memory) or
//! PostgreSQL. Everything the facade asks of a store goes through [`Backend`] and [`Handle`], so a
//! front end never knows which one it has.

use std::path::Path;

use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::{ActivityId, UserId};
use pa_core::ports::{
    AuditEntry, LlmUsage, PruneTarget, Record, Setting, SyncRecord, SyncRun, SyncState, UserStore,
    WriteBatch, WriteReport,
};
use pa_core::time::Day;

use crate::error::{Error, Result};
use crate::secrets::{KdfParams, Secret, Vault};
use crate::storage::{postgres, sqlite};

/// Runs the same expression on whichever backend `$value` holds.
macro_rules! on {
    ($value:expr, $s:ident => $e:expr) => {
        match $value {
            Self::Sqlite($s) => $e,
            Self::Postgres($s) => $e,
        }
    };
}

/// A store.
#[derive(Clone)]
pub(super) enum Backend {
    Sqlite(sqlite::Store),
    Postgres(postgres::Store),
}

impl Backend {
    /// The SQLite file; `None` in memory and for PostgreSQL.
    pub(super) fn path(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(s) => s.path(),
            Self::Postgres(_) => None,
        }
    }

    /// The store as people may see it: the file, `:memory:`, or the database URL without its
    /// password. Also the keyring account of its vault key.
    pub(super) fn name(&self) -> String {
        match self {
            Self::Sqlite(s) => s
                .path()
                .map_or_else(|| "memory".to_owned(), |p| p.display().to_string()),
            Self::Postgres(s) => s.name().to_owned(),
        }
    }

    pub(super) fn create_user(&self, id: &UserId) -> Result<()> {
        on!(self, s => s.create_user(id))
    }

    pub(super) fn user(&self, id: &UserId) -> Result<Handle> {
        Ok(match self {
            Self::Sqlite(s) => Handle::Sqlite(s.user(id)?),
            Self::Postgres(s) => Handle::Postgres(s.user(id)?),
        })
    }

    pub(super) fn users(&self) -> Result<Vec<UserId>> {
        on!(self, s => s.users())
    }

    pub(super) fn delete_user(&self, id: &UserId) -> Result<bool> {
        on!(self, s => s.delete_user(id))
    }

    pub(super) fn unlock(&self, passphrase: &Secret, params: KdfParams) -> Result<Vault> {
        on!(self, s => s.unlock(passphrase, params))
    }

    pub(super) fn unlock_auto(
        &self,
        service: &str,
        passphrase: impl FnOnce() -> Result<Secret>,
        params: KdfParams,
    ) -> Result<Vault> {
        let account = self.name();
        on!(self, s => s.unlock_auto(service, &account, passphrase, params))
    }

    pub(super) fn close(&self) -> Result<()> {
        on!(self, s => s.close())
    }

    pub(super) fn check(&self) -> Result<Vec<String>> {
        on!(self, s => s.check())
    }

    pub(super) fn backup(&self, dest: &Path, existing: crate::output::Existing) -> Result<()> {
        match self {
            Self::Sqlite(s) => s.backup_with(dest, existing),
            Self::Postgres(_) => Err(Error::Core(pa_core::Error::invalid(
                "backup",
                "a PostgreSQL store is backed up with the server's tools (pg_dump), or moved with `pa export`",
            ))),
        }
    }
}

/// One person's view of a store.
#[derive(Clone)]
pub(super) enum Handle {
    Sqlite(sqlite::UserHandle),
    Postgres(postgres::UserHandle),
}

impl Handle {
    pub(super) fn user(&self) -> &UserId {
        on!(self, h => h.user())
    }

    pub(super) fn put_secret(&self, vault: &Vault, name: &str, secret: &Secret) -> Result<()> {
        on!(self, h => h.put_secret(vault, name, secret))
    }

    pub(super) fn secret(&self, vault: &Vault, name: &str) -> Result<Option<Secret>> {
        on!(self, h => h.secret(vault, name))
    }

    pub(super) fn delete_secret(&self, name: &str) -> Result<bool> {
        on!(self, h => h.delete_secret(name))
    }

    /// Runs `f` on one consistent snapshot of the person's data: on PostgreSQL one read
    /// transaction for all its reads (see `postgres::UserHandle::snapshot`); SQLite reads are
    /// cheap enough one by one.
    pub(super) fn snapshot<T>(&self, f: impl FnOnce(&Handle) -> Result<T>) -> Result<T> {
        match self {
            Self::Sqlite(_) => f(self),
            Self::Postgres(h) => h.snapshot(|h| f(&Self::Postgres(h.clone()))),
        }
    }

    /// The SQLite file; `None` in memory and for PostgreSQL.
    pub(super) fn store_path(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(h) => h.store().path(),
            Self::Postgres(_) => None,
        }
    }
}

impl UserStore for Handle {
    type Error = Error;

    fn apply(&self, batch: &WriteBatch) -> Result<WriteReport> {
        on!(self, h => h.apply(batch))
    }
    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>> {
        on!(self, h => h.activities(from, to))
    }
    fn activity(&self, id: &ActivityId) -> Result<Option<Activity>> {
        on!(self, h => h.activity(id))
    }
    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>> {
        on!(self, h => h.daily_health(from, to))
    }
    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>> {
        on!(self, h => h.daily_loads(from, to))
    }
    fn accounts(&self) -> Result<Vec<Account>> {
        on!(self, h => h.accounts())
    }
    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>> {
        on!(self, h => h.transactions(from, to))
    }
    fn balance_histories(&self, from: Day, to: Day) -> Result<Vec<BalanceHistory>> {
        on!(self, h => h.balance_histories(from, to))
    }
    fn balances(&self, from: Day, to: Day) -> Result<Vec<BalanceSnapshot>> {
        on!(self, h => h.balances(from, to))
    }
    fn latest_balances(&self, day: Day) -> Result<Vec<BalanceSnapshot>> {
        on!(self, h => h.latest_balances(day))
    }
    fn records<R: Record>(&self, span: Option<(Day, Day)>) -> Result<Vec<R>> {
        on!(self, h => h.records(span))
    }
    fn record<R: Record>(&self, key: &str) -> Result<Option<R>> {
        on!(self, h => h.record(key))
    }
    fn children<R: Record>(&self, parent: &str) -> Result<Vec<R>> {
        on!(self, h => h.children(parent))
    }
    fn sync_state(&self, source: &str) -> Result<Option<SyncState>> {
        on!(self, h => h.sync_state(source))
    }
    fn sync_states(&self) -> Result<Vec<SyncState>> {
        on!(self, h => h.sync_states())
    }
    fn sync_records(&self, source: &str) -> Result<Vec<SyncRecord>> {
        on!(self, h => h.sync_records(source))
    }
    fn sync_runs(&self, source: Option<&str>, limit: usize) -> Result<Vec<SyncRun>> {
        on!(self, h => h.sync_runs(source, limit))
    }
    fn llm_usage(&self, from: Day, to: Day) -> Result<Vec<LlmUsage>> {
        on!(self, h => h.llm_usage(from, to))
    }
    fn audit_log(&self, from: Day, to: Day) -> Result<Vec<AuditEntry>> {
        on!(self, h => h.audit_log(from, to))
    }
    fn settings(&self) -> Result<Vec<Setting>> {
        on!(self, h => h.settings())
    }
    fn prune(&self, target: PruneTarget, before: Day) -> Result<u64> {
        on!(self, h => h.prune(target, before))
    }
}
