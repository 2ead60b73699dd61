//! The schema and the file: numbered migrations, the default path, creating a new store safely
//! under concurrency, checking a file before SQLite opens it, and the connections' settings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction as SqlTx};

use super::series;
use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/001_init.sql"),
    include_str!("../../../migrations/002_secrets.sql"),
    include_str!("../../../migrations/003_records.sql"),
    include_str!("../../../migrations/004_compact_finance.sql"),
    include_str!("../../../migrations/005_keyring.sql"),
    include_str!("../../../migrations/006_investment_transactions.sql"),
    include_str!("../../../migrations/007_drop_span_day_indexes.sql"),
    include_str!("../../../migrations/008_activity_streams.sql"),
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

/// The schema of a new store, at [`SCHEMA_VERSION`]: what running [`MIGRATIONS`] leaves, as
/// SQLite keeps it, in one script. A new store is built from it in about half the time of the
/// chain (SQLite re-reads its schema after each change); `a_new_store_equals_a_migrated_one`
/// checks the two agree. After adding a migration, write it again with
/// `PA_BLESS_SCHEMA=1 cargo test -p pa-integrations a_new_store_equals_a_migrated_one`.
pub(super) const NEW_STORE: &str = include_str!("../../../migrations/schema.sql");

/// Builds the current schema on an empty database in one transaction.
pub(super) fn create_schema(conn: &Connection) -> Result<()> {
    let tx = SqlTx::new_unchecked(conn, rusqlite::TransactionBehavior::Exclusive)?;
    tx.execute_batch(NEW_STORE)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -32768)?;
    Ok(())
}

/// Builds a new store at `path`: the schema is written into a private temporary file beside it,
/// which is then moved into place only if nothing is there yet. A peer that got there first wins,
/// and this process uses its store; no process ever sees an empty or half-migrated file.
pub(super) fn create_new(path: &Path) -> Result<()> {
    let dir = crate::output::folder_of(path);
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
        // Nobody sees the private file until it is linked into place: no journal and no syncs
        // while the schema is written, then WAL for its life and one sync of the whole file.
        let conn = Connection::open(temp.path())?;
        prepare(&conn)?;
        // Records keep their JSON bodies in the row (a few hundred bytes each): 16 KiB pages
        // hold tens of them where 4 KiB pages hold a handful, so bulk writes split and write
        // fewer pages (4,770 calendar events: 59 → 48 ms in SQLite alone).
        conn.pragma_update(None, "page_size", 16384)?;
        let _: String = conn.query_row("PRAGMA journal_mode = OFF", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        create_schema(&conn)?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.close().map_err(|(_, e)| Error::from(e))?;
        temp.as_file().sync_all().map_err(io)?;
    }
    match temp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(e.error)),
    }
}

/// Checks that `path` is a store file before SQLite opens it: [`Error::NoStore`] when there is
/// nothing, [`Error::Corrupt`] for an empty file (SQLite would silently make it a database).
pub(super) fn check_file(path: &Path) -> Result<()> {
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
pub(super) fn corruption(path: &Path, e: rusqlite::Error) -> Error {
    if is_corruption(&e) {
        Error::Corrupt {
            path: path.to_owned(),
            reason: e.to_string(),
        }
    } else {
        e.into()
    }
}

/// Reads the header and the schema, so that a file that is not a database, or whose first pages
/// are damaged, fails here before anything writes to it. It reads a few pages whatever the
/// store's size (SQLite's `quick_check` reads every page: 7 ms more per command on a 5.6 MB
/// store); damage deeper in the file is reported when a read meets it, and `Store::check` (`pa
/// check`) reads everything.
pub(super) fn probe(conn: &Connection, path: &Path) -> Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| corruption(path, e))?;
    Ok(())
}

/// A read-only connection: it never creates, writes or takes a write lock.
pub(super) fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    prepare(&c)?;
    Ok(c)
}

/// A read-only connection that takes the file as unchanging (no WAL, no locks).
pub(super) fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
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
pub(super) fn cannot_open_wal(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    )
}

/// The schema version, or an error if it is newer than this code.
pub(super) fn check_version(conn: &Connection, path: Option<&Path>) -> Result<u32> {
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
pub(super) fn migrate(conn: &Connection, path: Option<&Path>) -> Result<()> {
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
