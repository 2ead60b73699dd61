//! The SQLite store.
//!
//! - One file per store (one person or a household); SQLite is bundled, so no system library.
//! - Opening sets WAL, foreign keys and a busy timeout; a new store (file 0600, folders 0700) is
//!   built aside and moved into place, and an older one is brought up to date with the numbered
//!   migrations in `migrations/` in one exclusive transaction, recording the version in
//!   `PRAGMA user_version` (`schema`). A database newer than this code is refused, and a file
//!   that is not a healthy database gives [`Error::Corrupt`]; neither is ever changed, deleted or
//!   recreated. [`Store::open_read_only`] and [`Store::open_existing`] never create anything.
//! - One writer connection (behind a mutex) and a pool of reader connections: WAL lets readers run
//!   while a write is in progress and each read sees one consistent snapshot. Stored rows that do
//!   not decode are [`Error::Corrupt`] naming the store and the record.
//! - [`Store::user`] returns a handle whose every query names that user: no method reads across
//!   people.
//! - Files: this one holds the connections, the handle and its reads; `schema` the file and
//!   migrations, `writes` the upserts of the kinds with columns of their own, `records` the
//!   generic record tables, `finance` and `series` transactions and balances, `logs` the
//!   bookkeeping, `vault` secrets, `check` checked backups and the damage check.

mod check;
mod finance;
mod logs;
mod records;
mod schema;
mod series;
mod vault;
mod writes;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use pa_core::finance::BalanceSnapshot;
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::{ActivityId, UserId};
use pa_core::ports::{
    AuditEntry, LlmUsage, PruneTarget, Record, RecordKind, Setting, SyncRecord, SyncRun, SyncState,
    UserStore, WriteBatch, WriteReport,
};
use pa_core::time::Day;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction as SqlTx, params};
use rust_decimal::Decimal;

use super::Tally;
use crate::error::{Error, Result};
use records::WriteRecord;
pub use schema::{SCHEMA_VERSION, default_path};
use schema::{
    cannot_open_wal, check_file, check_version, corruption, create_new, is_corruption, migrate,
    open_immutable, open_reader, prepare, probe,
};
use writes::{activities_of, find_row, write_account, write_activity, write_health, write_sync};

struct Inner {
    path: Option<PathBuf>,
    /// Opened by [`Store::open_read_only`]: every write is refused with [`Error::ReadOnly`] and
    /// reads share the one connection.
    read_only: bool,
    /// Set by [`Store::close`]: every later call is [`Error::Closed`].
    closed: std::sync::atomic::AtomicBool,
    // Readers are declared, and so dropped, before the writer: the last connection to close
    // checkpoints the WAL into the database and removes it, which only a writable one can do.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        lock(&self.readers).clear();
        if self.path.is_some() && !self.read_only && !*self.closed.get_mut() {
            // Move everything from the WAL into the database file, so that a copy of the `.db`
            // alone holds every commit even if another process keeps the WAL open. Best effort:
            // a busy peer only means the WAL stays for that peer to checkpoint.
            let _ = lock(&self.writer).execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }
}

/// A pa store in one SQLite file.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave SQLite half-written (transactions roll back), so
    // the connection is still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store {
    /// Opens the store at `path`, creating it (and its directories, 0700) when it does not exist
    /// yet. SQLite's own name `":memory:"` gives [`Store::open_in_memory`], never a file of that
    /// name. Safe when several processes create the same new store at once: the schema is built
    /// in a private file that is then linked into place, and a process that loses the race opens
    /// the winner's store.
    pub fn open(path: &Path) -> Result<Self> {
        if path.as_os_str() == ":memory:" {
            return Self::open_in_memory();
        }
        if std::fs::symlink_metadata(path).is_err() {
            create_new(path)?;
        }
        Self::open_existing(path)
    }

    /// Opens the existing store at `path` for reading and writing; [`Error::NoStore`] when there
    /// is none (nothing is created). An older schema is brought up to date.
    pub fn open_existing(path: &Path) -> Result<Self> {
        if path.as_os_str() == ":memory:" {
            return Self::open_in_memory();
        }
        check_file(path)?;
        let corrupt = |e| corruption(path, e);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(corrupt)?;
        prepare(&conn).map_err(corrupt)?;
        // The header and schema are read: a damaged file fails here, before any write.
        probe(&conn, path)?;
        // Refuse a newer database before anything writes to the file (WAL changes its header).
        check_version(&conn, Some(path))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(corrupt)?;
        if !mode.eq_ignore_ascii_case("wal") {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(corrupt)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Corrupt {
                    path: path.to_owned(),
                    reason: format!("could not switch to WAL (got {mode})"),
                });
            }
        }
        migrate(&conn, Some(path))?;
        Ok(Self::with(Some(path), false, conn))
    }

    /// Opens the existing store at `path` for reading only: nothing is ever written, so it works
    /// on a read-only file or in a read-only directory and never waits behind a writer (WAL:
    /// readers see the last commit). [`Error::NoStore`] when there is none. A store of an older
    /// schema is brought up to date first when the file is writable.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        if path.as_os_str() == ":memory:" {
            return Self::open_in_memory();
        }
        check_file(path)?;
        let corrupt = |e| corruption(path, e);
        let mut conn = open_reader(path).map_err(corrupt)?;
        let version = match check_version(&conn, Some(path)) {
            Ok(v) => v,
            // A WAL database in a directory we cannot write, without its shared-memory file:
            // nobody can be writing it, so it is read as an immutable file.
            Err(Error::Storage(e)) if e.sqlite().is_some_and(cannot_open_wal) => {
                conn = open_immutable(path).map_err(corrupt)?;
                check_version(&conn, Some(path))?
            }
            Err(Error::Storage(e)) if e.sqlite().is_some_and(is_corruption) => {
                return Err(Error::Corrupt {
                    path: path.to_owned(),
                    reason: e.to_string(),
                });
            }
            Err(e) => return Err(e),
        };
        probe(&conn, path)?;
        if version < SCHEMA_VERSION {
            drop(conn);
            drop(Self::open_existing(path)?);
            conn = open_reader(path).map_err(corrupt)?;
        }
        Ok(Self::with(Some(path), true, conn))
    }

    fn with(path: Option<&Path>, read_only: bool, conn: Connection) -> Self {
        Self {
            inner: Arc::new(Inner {
                path: path.map(Path::to_owned),
                read_only,
                closed: std::sync::atomic::AtomicBool::new(false),
                readers: Mutex::new(Vec::new()),
                writer: Mutex::new(conn),
            }),
        }
    }

    /// Closes the store now rather than when the last handle goes: the WAL is folded into the
    /// database file and removed (so a copy of the file alone holds every commit) and the file is
    /// let go. Every later call on this store or its handles is [`Error::Closed`]; closing twice
    /// is harmless.
    pub fn close(&self) -> Result<()> {
        use std::sync::atomic::Ordering;
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        lock(&self.inner.readers).clear();
        let mut writer = lock(&self.inner.writer);
        if self.inner.path.is_some() && !self.inner.read_only {
            writer.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        }
        // The file's connection is dropped here; a connection to nothing takes its place.
        *writer = Connection::open_in_memory()?;
        Ok(())
    }

    fn check_open(&self) -> Result<()> {
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// The file of the store (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// A store in memory, for tests and throwaway use (one connection serves reads and writes).
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        prepare(&conn)?;
        schema::create_schema(&conn)?;
        Ok(Self::with(None, false, conn))
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        self.check_open()?;
        Ok(lock(&self.inner.writer).query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Adds a person (no change if they exist).
    pub fn create_user(&self, user: &UserId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO users (id, created_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
                params![user.as_str(), Utc::now().to_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// The people in the store.
    pub fn users(&self) -> Result<Vec<UserId>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT id FROM users ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter()
                .map(|id| UserId::new(id).map_err(Error::from))
                .collect()
        })
    }

    /// One person's view of the store; [`Error::UnknownUser`] if they were never created.
    pub fn user(&self, user: &UserId) -> Result<UserHandle> {
        let exists: bool = self.read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
                [user.as_str()],
                |r| r.get(0),
            )?)
        })?;
        if !exists {
            return Err(Error::UnknownUser {
                user: user.to_string(),
            });
        }
        Ok(UserHandle {
            store: self.clone(),
            user: user.clone(),
        })
    }

    /// Deletes a person and everything of theirs, in one transaction. Returns whether they existed.
    pub fn delete_user(&self, user: &UserId) -> Result<bool> {
        // Accounts cascade to their transactions and balances; the rest hang off the user row.
        self.write(|tx| Ok(tx.execute("DELETE FROM users WHERE id = ?1", [user.as_str()])? > 0))
    }

    /// Runs `f` on a reader connection (the writer, for an in-memory store).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.check_open()?;
        let path = match &self.inner.path {
            Some(p) if !self.inner.read_only => p,
            _ => return f(&lock(&self.inner.writer)).map_err(|e| self.damaged(e)),
        };
        let conn = match lock(&self.inner.readers).pop() {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                prepare(&c)?;
                c
            }
        };
        let out = f(&conn);
        lock(&self.inner.readers).push(conn);
        out.map_err(|e| self.damaged(e))
    }

    /// An error of a write, named: damage as [`Error::Corrupt`], a file the process may not write
    /// as [`Error::ReadOnly`]; a record that fails to encode stays the caller's.
    fn write_error(&self, e: Error) -> Error {
        match e {
            Error::Storage(e)
                if e.sqlite().and_then(rusqlite::Error::sqlite_error_code)
                    == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                Error::ReadOnly {
                    path: self.inner.path.clone().unwrap_or_default(),
                }
            }
            Error::Storage(e) if e.sqlite().is_some_and(is_corruption) => {
                self.damaged(Error::Storage(e))
            }
            e @ Error::Corrupt { .. } => self.damaged(e),
            other => other,
        }
    }

    /// `e` as [`Error::Corrupt`] naming this store when it says stored data cannot be read.
    fn damaged(&self, e: Error) -> Error {
        let path = || {
            self.inner
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from(":memory:"))
        };
        match e {
            Error::Corrupt { path: p, reason } if p.as_os_str().is_empty() => Error::Corrupt {
                path: path(),
                reason,
            },
            Error::Storage(e)
                if e.sqlite().is_some_and(|e| {
                    is_corruption(e)
                        || matches!(
                            e,
                            rusqlite::Error::FromSqlConversionFailure(..)
                                | rusqlite::Error::InvalidColumnType(..)
                                | rusqlite::Error::IntegralValueOutOfRange(..)
                                | rusqlite::Error::Utf8Error(..)
                        )
                }) =>
            {
                Error::Corrupt {
                    path: path(),
                    reason: format!("a stored value cannot be read: {e}"),
                }
            }
            Error::Record(e) => Error::Corrupt {
                path: path(),
                reason: format!("a stored record cannot be read: {e}"),
            },
            other => other,
        }
    }

    /// Runs `f` in one write transaction: committed if it returns `Ok`, rolled back otherwise.
    fn write<T>(&self, f: impl FnOnce(&SqlTx<'_>) -> Result<T>) -> Result<T> {
        self.check_open()?;
        if self.inner.read_only {
            return Err(Error::ReadOnly {
                path: self.inner.path.clone().unwrap_or_default(),
            });
        }
        let mut conn = lock(&self.inner.writer);
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.write_error(e.into()))?;
        let out = f(&tx).map_err(|e| self.write_error(e))?;
        tx.commit().map_err(|e| self.write_error(e.into()))?;
        Ok(out)
    }
}

/// One person's view of a [`Store`].
#[derive(Clone)]
pub struct UserHandle {
    store: Store,
    user: UserId,
}

impl UserHandle {
    /// The person.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The store this handle reads and writes.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// The records a query selects as `body, key`, decoded; a row that does not decode is
/// [`Error::Corrupt`] naming the table and the record (the store's path is added by
/// [`Store::read`]).
fn bodies<T: serde::de::DeserializeOwned>(
    c: &Connection,
    what: &str,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<T>> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode_body(row, what)?);
    }
    Ok(out)
}

/// Decodes the JSON body in column 0 of `row`, naming the record (a `what`) by column 1.
fn decode_body<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, what: &str) -> Result<T> {
    let decoded = match row.get_ref(0)? {
        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
            serde_json::from_slice(b).map_err(|e| e.to_string())
        }
        other => Err(format!("the body is {:?}, not text", other.data_type())),
    };
    decoded.map_err(|reason| {
        let key = match row.get_ref(1) {
            Ok(rusqlite::types::ValueRef::Text(k)) => String::from_utf8_lossy(k).into_owned(),
            _ => "?".to_owned(),
        };
        Error::Corrupt {
            path: PathBuf::new(),
            reason: format!(
                "stored {what} '{}' cannot be read: {reason}",
                key.escape_debug()
            ),
        }
    })
}

fn decimal(text: &str) -> Result<Decimal> {
    text.parse().map_err(|_| {
        Error::Core(pa_core::Error::invalid(
            "stored amount",
            format!("'{text}' is not a decimal"),
        ))
    })
}

impl UserStore for UserHandle {
    type Error = Error;

    fn apply(&self, batch: &WriteBatch) -> Result<WriteReport> {
        let user = self.user.as_str();
        let origin = super::origin(batch)?;
        self.store.write(|tx| {
            let mut tally = Tally::new(origin.is_some());
            for a in &batch.activities {
                write_activity(tx, user, a, &mut tally)?;
            }
            for h in &batch.health {
                write_health(tx, user, h, &mut tally)?;
            }
            for a in &batch.accounts {
                write_account(tx, user, a, &mut tally)?;
            }
            for t in &batch.transactions {
                finance::write_transaction(tx, user, t, &mut tally)?;
            }
            finance::write_balances(tx, user, &batch.balances, &mut tally)?;
            let mut fresh = records::Fresh::default();
            for d in batch.records_in_write_order() {
                d.visit(WriteRecord {
                    tx,
                    user,
                    tally: &mut tally,
                    fresh: &mut fresh,
                })?;
            }
            for r in &batch.deletions {
                records::delete(tx, user, r, &mut tally)?;
            }
            for s in &batch.sync {
                write_sync(tx, user, s)?;
            }
            for r in &batch.sync_records {
                logs::write_sync_record(tx, user, r)?;
            }
            for r in &batch.sync_runs {
                logs::write_sync_run(tx, user, r)?;
            }
            for u in &batch.llm_usage {
                logs::write_llm_usage(tx, user, u)?;
            }
            for s in &batch.settings {
                logs::write_setting(tx, user, s)?;
            }
            if let (Some(origin), Some(changes)) = (origin, &tally.changes) {
                logs::append_audit(tx, user, Utc::now(), origin, changes)?;
            }
            Ok(tally.report)
        })
    }

    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>> {
        self.store.read(|c| {
            activities_of(c, "SELECT body, id, streams FROM activities WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY start_utc, id", params![self.user.as_str(), from.to_string(), to.to_string()])
        })
    }

    fn activity(&self, id: &ActivityId) -> Result<Option<Activity>> {
        self.store.read(|c| {
            let found = activities_of(
                c,
                "SELECT body, id, streams FROM activities WHERE user_id = ?1 AND id = ?2",
                params![self.user.as_str(), id.as_str()],
            )?;
            Ok(found.into_iter().next())
        })
    }

    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>> {
        self.store.read(|c| bodies(c, "daily health", "SELECT body, day FROM daily_health WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day", params![self.user.as_str(), from.to_string(), to.to_string()]))
    }

    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT day, training_load FROM activities WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3 AND training_load IS NOT NULL ORDER BY day",
            )?;
            let rows = stmt.query_map(params![self.user.as_str(), from.to_string(), to.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (day, load) = row?;
                out.push((day.parse::<Day>()?, load));
            }
            Ok(out)
        })
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        self.store.read(|c| {
            bodies(
                c,
                "account",
                "SELECT body, id FROM accounts WHERE user_id = ?1 ORDER BY id",
                [self.user.as_str()],
            )
        })
    }

    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>> {
        self.store
            .read(|c| finance::transactions(c, self.user.as_str(), from, to))
    }

    fn balance_histories(&self, from: Day, to: Day) -> Result<Vec<BalanceHistory>> {
        self.store
            .read(|c| finance::balance_histories(c, self.user.as_str(), from, to))
    }

    fn balances(&self, from: Day, to: Day) -> Result<Vec<BalanceSnapshot>> {
        self.store
            .read(|c| finance::balances(c, self.user.as_str(), from, to))
    }

    fn latest_balances(&self, day: Day) -> Result<Vec<BalanceSnapshot>> {
        self.store
            .read(|c| finance::latest_balances(c, self.user.as_str(), day))
    }

    fn records<R: Record>(&self, span: Option<(Day, Day)>) -> Result<Vec<R>> {
        self.store
            .read(|c| records::select(c, self.user.as_str(), span))
    }

    fn record<R: Record>(&self, key: &str) -> Result<Option<R>> {
        self.store
            .read(|c| records::select_one(c, self.user.as_str(), key))
    }

    fn children<R: Record>(&self, parent: &str) -> Result<Vec<R>> {
        self.store
            .read(|c| records::select_children(c, self.user.as_str(), parent))
    }

    fn sync_states(&self) -> Result<Vec<SyncState>> {
        let sources: Vec<String> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT source FROM sync_state WHERE user_id = ?1 ORDER BY source",
            )?;
            let v = stmt
                .query_map([self.user.as_str()], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(v)
        })?;
        let mut out = Vec::with_capacity(sources.len());
        for s in sources {
            out.extend(self.sync_state(&s)?);
        }
        Ok(out)
    }

    fn sync_records(&self, source: &str) -> Result<Vec<SyncRecord>> {
        self.store
            .read(|c| logs::sync_records(c, self.user.as_str(), source))
    }

    fn sync_runs(&self, source: Option<&str>, limit: usize) -> Result<Vec<SyncRun>> {
        self.store
            .read(|c| logs::sync_runs(c, self.user.as_str(), source, limit))
    }

    fn llm_usage(&self, from: Day, to: Day) -> Result<Vec<LlmUsage>> {
        self.store
            .read(|c| logs::llm_usage(c, self.user.as_str(), from, to))
    }

    fn audit_log(&self, from: Day, to: Day) -> Result<Vec<AuditEntry>> {
        self.store
            .read(|c| logs::audit_log(c, self.user.as_str(), from, to))
    }

    fn settings(&self) -> Result<Vec<Setting>> {
        self.store.read(|c| logs::settings(c, self.user.as_str()))
    }

    fn prune(&self, target: PruneTarget, before: Day) -> Result<u64> {
        let user = self.user.as_str();
        self.store.write(|tx| match target {
            PruneTarget::Record(RecordKind::Balance) => finance::prune_balances(tx, user, before),
            PruneTarget::Record(kind) => records::prune(tx, user, kind, before),
            PruneTarget::SyncRuns => logs::prune(tx, user, "sync_runs", before),
            PruneTarget::LlmUsage => logs::prune(tx, user, "llm_usage", before),
            PruneTarget::Audit => logs::prune(tx, user, "audit_log", before),
        })
    }

    fn sync_state(&self, source: &str) -> Result<Option<SyncState>> {
        self.store.read(|c| {
            let row = c
                .prepare_cached("SELECT cursor, last_success, last_error FROM sync_state WHERE user_id = ?1 AND source = ?2")?
                .query_row(params![self.user.as_str(), source], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?)))
                .optional()?;
            row.map(|(cursor, last_success, last_error)| {
                let last_success = last_success
                    .map(|t| t.parse::<chrono::DateTime<Utc>>().map_err(|_| Error::Core(pa_core::Error::invalid("stored sync time", t))))
                    .transpose()?;
                Ok(SyncState { source: source.to_owned(), cursor, last_success, last_error })
            })
            .transpose()
        })
    }
}

#[cfg(test)]
mod tests;
