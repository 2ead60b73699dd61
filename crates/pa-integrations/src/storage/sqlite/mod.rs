//! The SQLite store.
//!
//! - One file per store (one person or a household); SQLite is bundled, so no system library.
//! - Opening sets WAL, foreign keys and a busy timeout, creates the file with mode 0600, and brings
//!   the schema up to date with the numbered migrations in `migrations/`, each in its own
//!   transaction, recording the version in `PRAGMA user_version`. A database newer than this code
//!   is refused, and a file that is not a healthy database gives [`Error::Corrupt`]; neither is
//!   ever changed, deleted or recreated.
//! - One writer connection (behind a mutex) and a pool of reader connections: WAL lets readers run
//!   while a write is in progress and each read sees one consistent snapshot.
//! - [`Store::user`] returns a handle whose every query names that user: no method reads across
//!   people.

mod finance;
mod logs;
mod records;
mod series;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use pa_core::finance::BalanceSnapshot;
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::{ActivityId, UserId};
use pa_core::ports::{
    AuditAction, AuditEntry, LlmUsage, PruneTarget, Record, RecordKind, Setting, SyncRecord,
    SyncRun, SyncState, UserStore, WriteBatch, WriteReport,
};
use pa_core::time::Day;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction as SqlTx, params};
use rust_decimal::Decimal;

use super::{Keyed, Tally, content_hash, ext_columns};
use crate::error::{Error, Result};
use crate::secrets::{KdfParams, Sealed, Secret, Vault, new_salt};
use records::WriteRecord;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/001_init.sql"),
    include_str!("../../../migrations/002_secrets.sql"),
    include_str!("../../../migrations/003_records.sql"),
    include_str!("../../../migrations/004_compact_finance.sql"),
    include_str!("../../../migrations/005_keyring.sql"),
    include_str!("../../../migrations/006_investment_transactions.sql"),
];

/// The default store file: `pa/pa.db` in the platform's data directory (`~/.local/share` on
/// Linux), the one the CLI and the bindings open when given no path.
pub fn default_path() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("pa").join("pa.db"))
        .ok_or_else(|| Error::Io {
            path: PathBuf::from("pa/pa.db"),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "this system has no data directory: give the store a path",
            ),
        })
}

/// The schema version this code writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

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

/// The stored vault: salt, costs, check value and where the key comes from.
struct VaultRow {
    salt: Vec<u8>,
    params: KdfParams,
    check: Sealed,
    keyring: bool,
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

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
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
        // A quick check reads the header and schema: a damaged file fails here, before any write.
        quick_check(&conn, path)?;
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
            Err(Error::Storage(e)) if cannot_open_wal(&e) => {
                conn = open_immutable(path).map_err(corrupt)?;
                check_version(&conn, Some(path))?
            }
            Err(Error::Storage(e)) => return Err(corruption(path, e)),
            Err(e) => return Err(e),
        };
        quick_check(&conn, path)?;
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
        migrate(&conn, None)?;
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

    /// Copies the whole database to `dest` while it stays in use (SQLite's online backup), into a
    /// new file readable by its owner only. An existing `dest` is an error, never overwritten
    /// (see [`Store::backup_with`]).
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        self.backup_with(dest, crate::output::Existing::Refuse)
    }

    /// Copies the whole database to `dest` while it stays in use (SQLite's online backup): into a
    /// private temporary file beside `dest`, which is checked (`integrity_check`, and every record
    /// decoded) and only then moved into place, replacing an existing file only with
    /// [`Existing::Replace`](crate::output::Existing). The store's own path (or its `-wal`/`-shm`)
    /// is refused by any name. A copy that fails its check is discarded: [`Error::Corrupt`].
    pub fn backup_with(&self, dest: &Path, existing: crate::output::Existing) -> Result<()> {
        self.check_open()?;
        crate::output::check_target(dest, self.path(), existing)?;
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let io = |source: std::io::Error| Error::Io {
            path: dest.to_owned(),
            source,
        };
        let temp = tempfile::Builder::new()
            .prefix(".pa-backup-")
            .tempfile_in(dir)
            .map_err(io)?;
        {
            let mut target = Connection::open(temp.path())?;
            let source = lock(&self.inner.writer);
            let backup = rusqlite::backup::Backup::new(&source, &mut target)?;
            backup.run_to_completion(256, Duration::from_millis(0), None)?;
        }
        let problems = Self::open_read_only(temp.path())?.check()?;
        if !problems.is_empty() {
            return Err(Error::Corrupt {
                path: self.path().map(Path::to_owned).unwrap_or_default(),
                reason: format!("the copy is damaged: {}", problems.join("; ")),
            });
        }
        let persisted = match existing {
            crate::output::Existing::Replace => temp.persist(dest),
            crate::output::Existing::Refuse => temp.persist_noclobber(dest),
        };
        persisted.map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Checks the whole store: SQLite's `integrity_check` (every page, every index against its
    /// table), then every record of every person decoded, kind by kind. Returns what is damaged,
    /// one line per problem (the first damaged record of each kind and person); empty when the
    /// store is healthy. Changes nothing.
    pub fn check(&self) -> Result<Vec<String>> {
        use pa_core::ports::docs_of;
        let mut problems = Vec::new();
        let integrity = self.read(|c| {
            let mut stmt = c.prepare("PRAGMA integrity_check")?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        });
        match integrity {
            Ok(rows) if rows == ["ok"] => {}
            Ok(rows) => problems.extend(rows),
            Err(e) => problems.push(e.to_string()),
        }
        let users = match self.read(|c| {
            let mut stmt = c.prepare("SELECT id FROM users ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(ids)
        }) {
            Ok(u) => u,
            Err(e) => {
                problems.push(e.to_string());
                return Ok(problems);
            }
        };
        let (first, last) = (Day::EARLIEST, Day::LATEST);
        for name in users {
            let user = match UserId::new(&name) {
                Ok(u) => u,
                Err(e) => {
                    problems.push(format!("person '{}': {e}", name.escape_debug()));
                    continue;
                }
            };
            let h = UserHandle {
                store: self.clone(),
                user,
            };
            let mut parts: Vec<(String, Result<()>)> = vec![
                ("accounts".into(), h.accounts().map(drop)),
                ("activities".into(), h.activities(first, last).map(drop)),
                ("daily health".into(), h.daily_health(first, last).map(drop)),
                ("transactions".into(), h.transactions(first, last).map(drop)),
                ("balances".into(), h.balances(first, last).map(drop)),
                ("settings".into(), h.settings().map(drop)),
                ("sync states".into(), h.sync_states().map(drop)),
                ("sync runs".into(), h.sync_runs(None, usize::MAX).map(drop)),
                ("LLM usage".into(), h.llm_usage(first, last).map(drop)),
            ];
            for kind in RecordKind::ALL {
                parts.push((kind.to_string(), docs_of(&h, kind, None).map(drop)));
            }
            for (what, result) in parts {
                if let Err(e) = result {
                    problems.push(format!("person {name}, {what}: {e}"));
                }
            }
        }
        Ok(problems)
    }

    /// Unlocks the secrets vault with `passphrase`, creating it on first use with `params`.
    /// [`Error::WrongPassphrase`] when it was made with another passphrase.
    pub fn unlock(&self, passphrase: &Secret, params: KdfParams) -> Result<Vault> {
        match self.vault_row()? {
            Some(row) if row.keyring => Err(Error::Secret {
                reason: "this store's vault key is kept in the OS keyring, not behind a passphrase"
                    .into(),
            }),
            Some(row) => {
                let vault = Vault::derive(passphrase, &row.salt, row.params)?;
                if vault.verify(&row.check) {
                    Ok(vault)
                } else {
                    Err(Error::WrongPassphrase)
                }
            }
            None => {
                let salt = new_salt();
                let vault = Vault::derive(passphrase, &salt, params)?;
                self.create_vault(&vault, &salt, params, "passphrase")?;
                Ok(vault)
            }
        }
    }

    /// Unlocks the secrets vault with a random key kept in the OS keyring under (`service`,
    /// `account`), creating both on first use. Needs a keyring store installed in keyring-core
    /// (the application chooses the platform's); without one, or when the key is gone from the
    /// keyring, a clear [`Error::Secret`], and nothing is created or changed.
    pub fn unlock_with_keyring(&self, service: &str, account: &str) -> Result<Vault> {
        match self.vault_row()? {
            Some(row) if !row.keyring => Err(Error::Secret {
                reason: "this store's vault is behind a passphrase, not in the OS keyring".into(),
            }),
            Some(row) => {
                let vault =
                    Vault::from_key(&crate::secrets::keyring_key(service, account, false)?)?;
                if vault.verify(&row.check) {
                    Ok(vault)
                } else {
                    Err(Error::Secret {
                        reason: "the key in the OS keyring is not this store's vault key".into(),
                    })
                }
            }
            None => {
                let vault = Vault::from_key(&crate::secrets::keyring_key(service, account, true)?)?;
                self.create_vault(&vault, &[], KdfParams::default(), "keyring")?;
                Ok(vault)
            }
        }
    }

    fn vault_row(&self) -> Result<Option<VaultRow>> {
        self.read(|c| {
            Ok(c.query_row("SELECT salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source FROM vault WHERE id = 1", [], |r| {
                Ok(VaultRow {
                    salt: r.get(0)?,
                    params: KdfParams { m_cost_kib: r.get(1)?, t_cost: r.get(2)?, p_cost: r.get(3)? },
                    check: Sealed { nonce: r.get(4)?, ciphertext: r.get(5)? },
                    keyring: r.get::<_, String>(6)? == "keyring",
                })
            })
            .optional()?)
        })
    }

    fn create_vault(
        &self,
        vault: &Vault,
        salt: &[u8],
        params: KdfParams,
        source: &str,
    ) -> Result<()> {
        let check = vault.check_value()?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO vault (id, salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![salt, params.m_cost_kib, params.t_cost, params.p_cost, check.nonce, check.ciphertext, source],
            )?;
            Ok(())
        })
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
            Error::Storage(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) => {
                Error::ReadOnly {
                    path: self.inner.path.clone().unwrap_or_default(),
                }
            }
            Error::Storage(e) if is_corruption(&e) => self.damaged(Error::Storage(e)),
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
                if is_corruption(&e)
                    || matches!(
                        e,
                        rusqlite::Error::FromSqlConversionFailure(..)
                            | rusqlite::Error::InvalidColumnType(..)
                            | rusqlite::Error::IntegralValueOutOfRange(..)
                            | rusqlite::Error::Utf8Error(..)
                    ) =>
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

/// Builds a new store at `path`: the schema is written into a private temporary file beside it,
/// which is then moved into place only if nothing is there yet. A peer that got there first wins,
/// and this process uses its store; no process ever sees an empty or half-migrated file.
fn create_new(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::output::create_private_dir(dir)?;
    let io = |source: std::io::Error| Error::Io {
        path: path.to_owned(),
        source,
    };
    let temp = tempfile::Builder::new()
        .prefix(".pa-new-")
        .suffix(".db")
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let conn = Connection::open(temp.path())?;
        prepare(&conn)?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        migrate(&conn, None)?;
        // Closing the only connection checkpoints and removes the temporary WAL.
        conn.close().map_err(|(_, e)| Error::Storage(e))?;
    }
    match temp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(e.error)),
    }
}

/// Checks that `path` is a store file before SQLite opens it: [`Error::NoStore`] when there is
/// nothing, [`Error::Corrupt`] for an empty file (SQLite would silently make it a database).
fn check_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NoStore {
            path: path.to_owned(),
        }),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            source,
        }),
        Ok(m) if m.is_dir() => Err(Error::Corrupt {
            path: path.to_owned(),
            reason: "it is a directory".into(),
        }),
        Ok(m) if m.len() == 0 => Err(Error::Corrupt {
            path: path.to_owned(),
            reason: "the file is empty".into(),
        }),
        Ok(_) => Ok(()),
    }
}

/// An error of SQLite on `path`, as [`Error::Corrupt`] when it says the file is damaged.
fn corruption(path: &Path, e: rusqlite::Error) -> Error {
    if is_corruption(&e) {
        Error::Corrupt {
            path: path.to_owned(),
            reason: e.to_string(),
        }
    } else {
        Error::Storage(e)
    }
}

fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| corruption(path, e))?;
    if check != "ok" {
        return Err(Error::Corrupt {
            path: path.to_owned(),
            reason: check,
        });
    }
    Ok(())
}

/// A read-only connection: it never creates, writes or takes a write lock.
fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    prepare(&c)?;
    Ok(c)
}

/// A read-only connection that takes the file as unchanging (no WAL, no locks).
fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(char::from(b)),
        }
    }
    uri.push_str("?immutable=1");
    let c = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    prepare(&c)?;
    Ok(c)
}

/// Whether SQLite could not open a WAL database for reading because it cannot make the WAL's
/// shared-memory file (a read-only directory).
fn cannot_open_wal(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    )
}

/// The schema version, or an error if it is newer than this code.
fn check_version(conn: &Connection, path: Option<&Path>) -> Result<u32> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::DatabaseTooNew {
            path: path.map(Path::to_owned).unwrap_or_default(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Applies the missing migrations in one exclusive transaction, with the steps that derive data
/// the SQL cannot (the balance series of version 4). The version is read again inside the
/// transaction, so of several processes upgrading the same store at once, one migrates and the
/// others find it done.
fn migrate(conn: &Connection, path: Option<&Path>) -> Result<()> {
    if check_version(conn, path)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = SqlTx::new_unchecked(conn, rusqlite::TransactionBehavior::Exclusive)?;
    let found = check_version(&tx, path)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as u32 + 1;
        tx.execute_batch(sql)?;
        if version == 4 {
            series::migrate_rows(&tx)?;
        }
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
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

    /// Stores `secret` under `name`, encrypted with the unlocked `vault`.
    pub fn put_secret(&self, vault: &Vault, name: &str, secret: &Secret) -> Result<()> {
        let sealed = vault.seal(&self.secret_scope(name), secret)?;
        self.store.write(|tx| {
            tx.execute(
                "INSERT INTO secrets (user_id, name, nonce, ciphertext, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                params![self.user.as_str(), name, sealed.nonce, sealed.ciphertext, Utc::now().to_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// The secret stored under `name`, decrypted.
    pub fn secret(&self, vault: &Vault, name: &str) -> Result<Option<Secret>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self.store.read(|c| {
            Ok(c.query_row(
                "SELECT nonce, ciphertext FROM secrets WHERE user_id = ?1 AND name = ?2",
                params![self.user.as_str(), name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        row.map(|(nonce, ciphertext)| {
            vault.open(&self.secret_scope(name), &Sealed { nonce, ciphertext })
        })
        .transpose()
    }

    /// Removes the secret stored under `name`; whether there was one.
    pub fn delete_secret(&self, name: &str) -> Result<bool> {
        self.store.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM secrets WHERE user_id = ?1 AND name = ?2",
                params![self.user.as_str(), name],
            )? > 0)
        })
    }

    /// The name a secret is sealed under: the person and the name, so a ciphertext cannot be moved
    /// to another person either.
    fn secret_scope(&self, name: &str) -> String {
        format!("{}/{name}", self.user)
    }
}

/// The stored (id, hash) of the row a record would replace: matched by external ref first, then
/// by pa's id.
fn existing_row(
    tx: &SqlTx<'_>,
    table: &str,
    user: &str,
    id: &str,
    ext: (Option<&str>, Option<&str>),
) -> Result<Option<(String, String)>> {
    if let (Some(source), Some(ext_id)) = ext {
        let found = tx
            .prepare_cached(&format!("SELECT id, hash FROM {table} WHERE user_id = ?1 AND source = ?2 AND external_id = ?3"))?
            .query_row(params![user, source, ext_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(tx
        .prepare_cached(&format!(
            "SELECT id, hash FROM {table} WHERE user_id = ?1 AND id = ?2"
        ))?
        .query_row(params![user, id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Decides how a record is written: it takes the stored key (the same source record keeps one
/// identity however it was named), and is unchanged when its JSON then hashes as stored.
/// Returns the record to write (`None` when unchanged) with its JSON and hash.
fn plan_upsert<T: serde::Serialize + Clone>(
    existing: Option<(String, String)>,
    record: &T,
    rekey: impl FnOnce(&T, &str) -> Result<T>,
    kind: RecordKind,
    own_key: &str,
    tally: &mut Tally,
) -> Result<Option<(T, String, String)>> {
    let (r, key, stored_hash) = match existing {
        Some((key, hash)) => (rekey(record, &key)?, key, Some(hash)),
        None => (record.clone(), own_key.to_owned(), None),
    };
    let json = serde_json::to_string(&r)?;
    let hash = content_hash(&json);
    match stored_hash {
        Some(h) if h == hash => {
            tally.report.unchanged += 1;
            Ok(None)
        }
        Some(_) => {
            tally.change(kind, &key, AuditAction::Updated);
            Ok(Some((r, json, hash)))
        }
        None => {
            tally.change(kind, &key, AuditAction::Added);
            Ok(Some((r, json, hash)))
        }
    }
}

/// Re-keys a record with a typed `id` field.
fn rekey_keyed<T: Keyed>(r: &T, key: &str) -> Result<T> {
    let mut r = r.clone();
    r.set_key(key.to_owned())?;
    Ok(r)
}

fn write_activity(tx: &SqlTx<'_>, user: &str, a: &Activity, tally: &mut Tally) -> Result<()> {
    a.validate()?;
    let ext = ext_columns(a.external.as_ref());
    let existing = existing_row(tx, "activities", user, a.id.as_str(), ext)?;
    let Some((a, json, hash)) = plan_upsert(
        existing,
        a,
        rekey_keyed,
        RecordKind::Activity,
        a.id.as_str(),
        tally,
    )?
    else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO activities (user_id, id, source, external_id, day, start_utc, sport, training_load, body, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (user_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           day = excluded.day, start_utc = excluded.start_utc, sport = excluded.sport,
           training_load = excluded.training_load, body = excluded.body, hash = excluded.hash",
    )?
    .execute(params![user, a.id.as_str(), ext.0, ext.1, a.day().to_string(), a.start.utc.to_rfc3339(), a.sport.as_str(), a.training_load, json, hash])?;
    Ok(())
}

fn write_health(tx: &SqlTx<'_>, user: &str, h: &DailyHealth, tally: &mut Tally) -> Result<()> {
    h.validate()?;
    let json = serde_json::to_string(h)?;
    let hash = content_hash(&json);
    let old: Option<String> = tx
        .prepare_cached("SELECT hash FROM daily_health WHERE user_id = ?1 AND day = ?2")?
        .query_row(params![user, h.day.to_string()], |r| r.get(0))
        .optional()?;
    match old {
        Some(o) if o == hash => {
            tally.report.unchanged += 1;
            return Ok(());
        }
        Some(_) => tally.change(
            RecordKind::DailyHealth,
            &h.day.to_string(),
            AuditAction::Updated,
        ),
        None => tally.change(
            RecordKind::DailyHealth,
            &h.day.to_string(),
            AuditAction::Added,
        ),
    }
    tx.prepare_cached(
        "INSERT INTO daily_health (user_id, day, sleep_s, resting_hr_bpm, hrv_rmssd_ms, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (user_id, day) DO UPDATE SET sleep_s = excluded.sleep_s, resting_hr_bpm = excluded.resting_hr_bpm,
           hrv_rmssd_ms = excluded.hrv_rmssd_ms, body = excluded.body, hash = excluded.hash",
    )?
    .execute(params![user, h.day.to_string(), h.sleep.map(|s| s.total_s), h.resting_hr_bpm, h.hrv_rmssd_ms, json, hash])?;
    Ok(())
}

fn write_account(tx: &SqlTx<'_>, user: &str, a: &Account, tally: &mut Tally) -> Result<()> {
    a.validate()?;
    let ext = ext_columns(a.external.as_ref());
    let existing = existing_row(tx, "accounts", user, a.id.as_str(), ext)?;
    let Some((a, json, hash)) = plan_upsert(
        existing,
        a,
        rekey_keyed,
        RecordKind::Account,
        a.id.as_str(),
        tally,
    )?
    else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO accounts (user_id, id, source, external_id, kind, currency, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (user_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           kind = excluded.kind, currency = excluded.currency, body = excluded.body, hash = excluded.hash",
    )?
    .execute(params![user, a.id.as_str(), ext.0, ext.1, a.kind.as_str(), a.currency.code(), json, hash])?;
    Ok(())
}

fn write_sync(tx: &SqlTx<'_>, user: &str, s: &SyncState) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (user_id, source, cursor, last_success, last_error) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (user_id, source) DO UPDATE SET cursor = excluded.cursor, last_success = excluded.last_success,
           last_error = excluded.last_error",
    )?
    .execute(params![user, s.source, s.cursor, s.last_success.map(|t| t.to_rfc3339()), s.last_error])?;
    Ok(())
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
            for d in &batch.records {
                d.visit(WriteRecord {
                    tx,
                    user,
                    tally: &mut tally,
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
                let at = Utc::now();
                for (kind, key, action) in changes {
                    logs::append_audit(
                        tx,
                        user,
                        &AuditEntry {
                            at,
                            origin: origin.to_owned(),
                            kind: *kind,
                            key: key.clone(),
                            action: *action,
                        },
                    )?;
                }
            }
            Ok(tally.report)
        })
    }

    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>> {
        self.store.read(|c| {
            bodies(c, "activity", "SELECT body, id FROM activities WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY start_utc, id", params![self.user.as_str(), from.to_string(), to.to_string()])
        })
    }

    fn activity(&self, id: &ActivityId) -> Result<Option<Activity>> {
        self.store.read(|c| {
            let found: Vec<Activity> = bodies(
                c,
                "activity",
                "SELECT body, id FROM activities WHERE user_id = ?1 AND id = ?2",
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
mod tests {
    use super::*;
    use pa_core::ids::AccountId;
    use pa_core::money::{Money, parse_currency};

    #[test]
    fn file_is_private_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let store = Store::open(&path).unwrap();
        store.create_user(&UserId::new("alice").unwrap()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        drop(store);
        let again = Store::open(&path).unwrap();
        assert_eq!(again.users().unwrap(), vec![UserId::new("alice").unwrap()]);
        assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(matches!(
            again.user(&UserId::new("bob").unwrap()),
            Err(Error::UnknownUser { .. })
        ));
    }

    #[test]
    fn missing_directories_are_made_and_memory_is_never_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b/pa.db");
        Store::open(&nested).unwrap();
        assert!(nested.is_file());
        // SQLite's name for a database in memory: no file appears where the process runs.
        let memory = Store::open(Path::new(":memory:")).unwrap();
        memory.create_user(&UserId::new("alice").unwrap()).unwrap();
        assert_eq!(memory.users().unwrap().len(), 1);
        assert!(!Path::new(":memory:").exists());
    }

    #[test]
    fn backup_and_delete() {
        use pa_core::ports::UserStore;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pa.db")).unwrap();
        let (alice, bob) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        store.create_user(&alice).unwrap();
        store.create_user(&bob).unwrap();
        let account = Account::new(
            AccountId::new("chk").unwrap(),
            "Checking",
            pa_core::finance::AccountType::Depository,
            parse_currency("USD").unwrap(),
        );
        let t = Transaction::new(
            pa_core::ids::TransactionId::new("t1").unwrap(),
            account.id.clone(),
            "2026-01-01".parse().unwrap(),
            Money::parse("-1", account.currency).unwrap(),
        );
        let batch = WriteBatch {
            accounts: vec![account],
            transactions: vec![t],
            ..WriteBatch::default()
        };
        store.user(&alice).unwrap().apply(&batch).unwrap();
        store.user(&bob).unwrap().apply(&batch).unwrap();
        let copy = dir.path().join("copy.db");
        store.backup_to(&copy).unwrap();
        assert!(store.backup_to(&copy).is_err(), "never overwrites");
        let restored = Store::open(&copy).unwrap();
        assert_eq!(restored.user(&alice).unwrap().accounts().unwrap().len(), 1);
        assert!(store.delete_user(&alice).unwrap());
        assert!(!store.delete_user(&alice).unwrap());
        assert!(matches!(store.user(&alice), Err(Error::UnknownUser { .. })));
        let span = ("2000-01-01".parse().unwrap(), "2100-01-01".parse().unwrap());
        assert_eq!(
            store
                .user(&bob)
                .unwrap()
                .transactions(span.0, span.1)
                .unwrap()
                .len(),
            1,
            "Bob keeps his data"
        );
        let left: i64 = lock(&store.inner.writer)
            .query_row(
                "SELECT COUNT(*) FROM transactions WHERE user_id = 'alice'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn secrets_are_encrypted_at_rest_and_scoped_to_their_person() {
        let fast = KdfParams {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let store = Store::open(&path).unwrap();
        let (alice, bob) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        store.create_user(&alice).unwrap();
        store.create_user(&bob).unwrap();
        let vault = store.unlock(&Secret::new("open sesame"), fast).unwrap();
        let a = store.user(&alice).unwrap();
        a.put_secret(
            &vault,
            "plaid/access-token",
            &Secret::new("access-sandbox-0042"),
        )
        .unwrap();
        assert_eq!(
            a.secret(&vault, "plaid/access-token")
                .unwrap()
                .unwrap()
                .expose(),
            "access-sandbox-0042"
        );
        assert!(
            store
                .user(&bob)
                .unwrap()
                .secret(&vault, "plaid/access-token")
                .unwrap()
                .is_none()
        );
        drop(store);
        let bytes = std::fs::read(&path).unwrap();
        let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
        for b in [&bytes, &wal] {
            assert!(
                !b.windows(12).any(|w| w == b"sandbox-0042"),
                "never stored in the clear"
            );
        }
        let store = Store::open(&path).unwrap();
        assert!(matches!(
            store.unlock(&Secret::new("wrong"), fast),
            Err(Error::WrongPassphrase)
        ));
        let vault = store
            .unlock(&Secret::new("open sesame"), KdfParams::default())
            .unwrap();
        let a = store.user(&alice).unwrap();
        assert_eq!(
            a.secret(&vault, "plaid/access-token")
                .unwrap()
                .unwrap()
                .expose(),
            "access-sandbox-0042"
        );
        assert!(a.delete_secret("plaid/access-token").unwrap());
        assert!(a.secret(&vault, "plaid/access-token").unwrap().is_none());
    }

    #[test]
    fn vault_key_from_the_os_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let store = Store::open(&path).unwrap();
        let alice = UserId::new("alice").unwrap();
        store.create_user(&alice).unwrap();
        // No keyring store installed: a clear error, and no vault is created.
        keyring_core::unset_default_store();
        let err = store.unlock_with_keyring("pa-test", "vault").unwrap_err();
        assert!(err.to_string().contains("no OS keyring"), "{err}");
        assert!(store.vault_row().unwrap().is_none());
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let vault = store.unlock_with_keyring("pa-test", "vault").unwrap();
        let a = store.user(&alice).unwrap();
        a.put_secret(&vault, "garmin/token", &Secret::new("tok-123"))
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let vault = store.unlock_with_keyring("pa-test", "vault").unwrap();
        let a = store.user(&alice).unwrap();
        assert_eq!(
            a.secret(&vault, "garmin/token").unwrap().unwrap().expose(),
            "tok-123"
        );
        let err = store
            .unlock(&Secret::new("guess"), KdfParams::default())
            .unwrap_err();
        assert!(err.to_string().contains("OS keyring"), "{err}");
        // Another key under the name, or none at all: refused, nothing replaced.
        let entry = keyring_core::Entry::new("pa-test", "vault").unwrap();
        entry.set_secret(&[7u8; 32]).unwrap();
        let err = store.unlock_with_keyring("pa-test", "vault").unwrap_err();
        assert!(
            err.to_string().contains("not this store's vault key"),
            "{err}"
        );
        entry.delete_credential().unwrap();
        let err = store.unlock_with_keyring("pa-test", "vault").unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(
            keyring_core::Entry::new("pa-test", "vault")
                .unwrap()
                .get_secret()
                .is_err(),
            "no new key was made for an existing vault"
        );
        keyring_core::unset_default_store();
        // A passphrase store refuses the keyring.
        let other = Store::open_in_memory().unwrap();
        other
            .unlock(
                &Secret::new("pw"),
                KdfParams {
                    m_cost_kib: 64,
                    t_cost: 1,
                    p_cost: 1,
                },
            )
            .unwrap();
        assert!(other.unlock_with_keyring("pa-test", "vault").is_err());
        assert!(Vault::from_key(&[1, 2, 3]).is_err(), "a key has 32 bytes");
    }

    #[test]
    fn reads_never_create_and_an_empty_file_is_not_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("typo.db");
        for open in [Store::open_read_only, Store::open_existing] {
            let err = open(&missing).err().unwrap();
            assert_eq!(
                err.to_string(),
                format!("{}: no pa store there", missing.display())
            );
        }
        assert!(!missing.exists());
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        for open in [Store::open, Store::open_read_only] {
            let err = open(&empty).err().unwrap();
            assert_eq!(
                err.to_string(),
                format!(
                    "{}: the database is corrupt or not a pa database (the file is empty); it was left untouched",
                    empty.display()
                )
            );
        }
        assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_store_is_read_and_never_written() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("ro");
        let path = sub.join("pa.db");
        let alice = UserId::new("alice").unwrap();
        {
            let store = Store::open(&path).unwrap();
            store.create_user(&alice).unwrap();
        }
        assert!(
            !sub.join("pa.db-wal").exists(),
            "closing the store folds the WAL into the file"
        );
        let before = std::fs::read(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
        let result = (|| {
            let store = Store::open_read_only(&path)?;
            let users = store.users()?;
            let err = store.create_user(&UserId::new("bob")?).err();
            Ok::<_, Error>((users, err.map(|e| e.to_string())))
        })();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        // root ignores permissions; the read-only connection is what is tested then.
        let (users, err) = result.unwrap();
        assert_eq!(users, vec![alice]);
        assert_eq!(
            err,
            Some(format!(
                "{}: the store is read-only (opened so, or its file cannot be written)",
                path.display()
            ))
        );
        assert!(std::fs::read(&path).unwrap() == before, "the file changed");
    }

    #[test]
    fn a_reader_does_not_wait_behind_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let alice = UserId::new("alice").unwrap();
        let store = Store::open(&path).unwrap();
        store.create_user(&alice).unwrap();
        // Another connection holds the write lock, as a long import in another process does.
        let other = Connection::open(&path).unwrap();
        other
            .execute_batch("BEGIN IMMEDIATE; INSERT INTO users VALUES ('bob', 'x');")
            .unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        let reader = Store::open_read_only(&path).unwrap();
        assert_eq!(reader.users().unwrap(), vec![alice], "the last commit");
        other.execute_batch("COMMIT").unwrap();
    }

    #[test]
    fn threads_creating_one_store_at_once_all_succeed() {
        for _ in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("new/pa.db");
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let path = path.clone();
                    std::thread::spawn(move || -> Result<()> {
                        let store = Store::open(&path)?;
                        let id = UserId::new(format!("p{i}"))?;
                        store.create_user(&id)?;
                        Ok(())
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap().unwrap();
            }
            let store = Store::open(&path).unwrap();
            assert_eq!(store.users().unwrap().len(), 6);
            assert_eq!(store.check().unwrap(), Vec::<String>::new());
            let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.starts_with(".pa-new"))
                .collect();
            assert_eq!(names, Vec::<String>::new(), "no temporary file is left");
        }
    }

    #[test]
    fn a_damaged_record_is_named_and_the_store_checked() {
        use pa_core::ports::UserStore;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let alice = UserId::new("alice").unwrap();
        let store = Store::open(&path).unwrap();
        store.create_user(&alice).unwrap();
        let account = Account::new(
            AccountId::new("chk").unwrap(),
            "Checking",
            pa_core::finance::AccountType::Depository,
            parse_currency("USD").unwrap(),
        );
        let handle = store.user(&alice).unwrap();
        handle
            .apply(&WriteBatch {
                accounts: vec![account],
                ..WriteBatch::default()
            })
            .unwrap();
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
        // Bytes that are not UTF-8 where the body was, as a damaged page leaves them.
        lock(&store.inner.writer)
            .execute(
                "UPDATE accounts SET body = CAST(X'FF00FE' AS TEXT) WHERE id = 'chk'",
                [],
            )
            .unwrap();
        let err = handle.accounts().unwrap_err();
        let expected = format!(
            "{}: the database is corrupt or not a pa database (stored account 'chk' cannot be read: expected value at line 1 column 1); it was left untouched",
            path.display()
        );
        assert_eq!(err.to_string(), expected);
        assert_eq!(
            store.check().unwrap(),
            vec![format!("person alice, accounts: {expected}")]
        );
        let err = store.backup_to(&dir.path().join("copy.db")).unwrap_err();
        assert!(
            err.to_string()
                .contains("the copy is damaged: person alice, accounts:"),
            "{err}"
        );
        assert!(
            !dir.path().join("copy.db").exists(),
            "a bad copy is removed"
        );
        // The store itself, by any name, is never a backup target.
        for target in ["pa.db", "pa.db-wal", "pa.db-shm"] {
            let err = store.backup_to(&dir.path().join(target)).unwrap_err();
            assert!(matches!(err, Error::Output { .. }), "{err}");
        }
    }

    #[test]
    fn closing_folds_the_wal_in_and_ends_every_handle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let alice = UserId::new("alice").unwrap();
        let store = Store::open(&path).unwrap();
        store.create_user(&alice).unwrap();
        let handle = store.user(&alice).unwrap();
        // A copy of the file alone, taken while the store is open, may miss the last commits.
        store.close().unwrap();
        store.close().unwrap();
        assert!(!dir.path().join("pa.db-wal").exists());
        let copy = dir.path().join("copy.db");
        std::fs::copy(&path, &copy).unwrap();
        assert_eq!(Store::open(&copy).unwrap().users().unwrap(), vec![alice]);
        use pa_core::ports::UserStore;
        assert_eq!(
            handle.accounts().unwrap_err().to_string(),
            "the store is closed"
        );
        assert_eq!(
            store.users().unwrap_err().to_string(),
            "the store is closed"
        );
    }

    #[test]
    fn newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA user_version = 99; CREATE TABLE x (y);")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(
            matches!(err, Error::DatabaseTooNew { found: 99, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade pa"));
        assert!(std::fs::read(&path).unwrap() == before, "the file changed");
    }

    #[test]
    fn corrupt_file_is_a_distinct_error_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pa.db");
        let garbage = b"this is not a database, but it is somebody's file".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(std::fs::read(&path).unwrap() == garbage, "the file changed");
    }

    #[test]
    fn version_3_finance_moves_into_columns_and_series() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let usd = parse_currency("USD").unwrap();
        let account = Account::new(
            AccountId::new("chk").unwrap(),
            "Checking",
            pa_core::finance::AccountType::Depository,
            usd,
        );
        let mut t = Transaction::new(
            pa_core::ids::TransactionId::new("t1").unwrap(),
            account.id.clone(),
            "2026-01-05".parse().unwrap(),
            Money::parse("-12.34", usd).unwrap(),
        );
        t.external = Some(pa_core::ids::ExternalRef::new("plaid", "x1").unwrap());
        t.merchant = Some("Café".into());
        t.description = "CAFE 123".into();
        t.category = Some("Food/Coffee".parse().unwrap());
        t.authorized = Some("2026-01-04".parse().unwrap());
        t.pending = true;
        t.transfer = true;
        {
            let c = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..3] {
                c.execute_batch(sql).unwrap();
            }
            c.execute_batch("PRAGMA user_version = 3; INSERT INTO users VALUES ('alice', '2026-01-01T00:00:00Z');").unwrap();
            c.execute(
                "INSERT INTO accounts VALUES ('alice', 'chk', NULL, NULL, 'depository', 'USD', ?1, 'h')",
                [serde_json::to_string(&account).unwrap()],
            )
            .unwrap();
            c.execute(
                "INSERT INTO transactions VALUES ('alice', 't1', 'chk', 'plaid', 'x1', '2026-01-05', '-12.34', 'USD', 'Food/Coffee', ?1, 'h')",
                [serde_json::to_string(&t).unwrap()],
            )
            .unwrap();
            c.execute_batch(
                "INSERT INTO balances VALUES ('alice', 'chk', '2025-12-31', '100.00', 'USD', NULL, NULL);
                 INSERT INTO balances VALUES ('alice', 'chk', '2026-01-05', '87.66', 'USD', '80.00', NULL);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let alice = store.user(&UserId::new("alice").unwrap()).unwrap();
        let span: (Day, Day) = ("2000-01-01".parse().unwrap(), "2100-01-01".parse().unwrap());
        assert_eq!(alice.transactions(span.0, span.1).unwrap(), vec![t.clone()]);
        let h = alice.balance_histories(span.0, span.1).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].points.len(), 2, "the series were built from the rows");
        assert_eq!(
            alice.balances(span.0, span.1).unwrap()[1].available,
            Some(Money::parse("80.00", usd).unwrap())
        );
        // Written again, the migrated transaction is unchanged.
        let report = alice
            .apply(&WriteBatch {
                transactions: vec![t],
                ..WriteBatch::default()
            })
            .unwrap();
        assert_eq!(report.unchanged, 1);
    }

    #[test]
    fn frozen_v1_schema_upgrades_to_the_current_one() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.db");
        {
            let c = Connection::open(&old).unwrap();
            c.execute_batch(include_str!("../../../tests/fixtures/schema_v1.sql"))
                .unwrap();
            c.execute_batch("PRAGMA user_version = 1; INSERT INTO users VALUES ('alice', '2026-01-01T00:00:00Z');").unwrap();
        }
        let upgraded = Store::open(&old).unwrap();
        assert_eq!(upgraded.users().unwrap().len(), 1, "data survives");
        let fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
        let schema = |s: &Store| -> Vec<(String, String)> {
            lock(&s.inner.writer)
                .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<Vec<_>>>()
                .unwrap()
        };
        assert_eq!(schema(&upgraded), schema(&fresh));
    }
}
