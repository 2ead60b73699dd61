//! The front door: [`Assistant`] opens a store and hands out [`Person`]s; every front end (the
//! CLI, the Python module, the mobile bindings) goes through it and nothing else.
//!
//! The facade owns what front ends must not decide on their own, so that they cannot disagree:
//! - the clock ([`Clock`]: the system clock in production, a [`pa_core::ports::FixedClock`] in
//!   tests), read once per call;
//! - the person's [`Profile`] (their time zone and athlete thresholds), kept in the store's
//!   settings: "today", the current week and the training load of an imported file are computed
//!   from it, the same way for every caller;
//! - the storage backend, chosen when the store is opened: SQLite in a file or in memory, or a
//!   PostgreSQL database named by URL.
//!
//! The shape follows Mozilla's application-services: a public facade over a private inner, with
//! errors mapped once, at the boundary, to [`crate::Error`]'s kinds.

mod backend;
mod garmin;
mod person;
mod plaid;
mod sync;
mod writes;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use pa_core::ids::UserId;
use pa_core::ports::Clock;

use crate::error::{ErrorKind, Result};
use crate::import::files::FileReport;
use crate::output::Existing;
use crate::secrets::{KdfParams, Secret, Vault};
use crate::storage::{postgres, sqlite};
use backend::Backend;
use pa_core::ports::Profile;

pub use garmin::{FIRST_SYNC_DAYS, GARMIN_TOKEN, GarminReport, GarminSettings};
pub use person::{ImportRequest, Person, VaultSecrets};
pub use plaid::{PLAID_ITEMS, PlaidItemReport, PlaidSettings};
pub use sync::{
    AIRTABLE_TOKEN, AirtableSettings, CALENDAR_SCOPE, GOOGLE_TOKEN, GoogleSettings, Linked,
    SourceStatus, SyncStatus,
};
pub use writes::{
    Change, EditScope, Entry, EventChanges, HabitChanges, NewActivity, NewBill, NewEvent,
    NewExpense, NewTask, NewWorkout, TaskChanges, TaskFilter, Written,
};

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The OS keyring service under which a store's vault key is kept (the account is the store's
/// path).
pub const KEYRING_SERVICE: &str = "pa";

/// Where a store lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// `pa/pa.db` in the user's data directory.
    Default,
    /// A SQLite file.
    File(PathBuf),
    /// A store that lives only as long as the [`Assistant`] (nothing is written to disk).
    Memory,
    /// A PostgreSQL database, by URL (`postgres://user@host:port/db`); the database must exist.
    Postgres(String),
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Default => f.write_str("Default"),
            Self::File(p) => f.debug_tuple("File").field(p).finish(),
            Self::Memory => f.write_str("Memory"),
            // Never the password.
            Self::Postgres(url) => f
                .debug_tuple("Postgres")
                .field(&postgres::redacted(url))
                .finish(),
        }
    }
}

impl Location {
    /// A location as people write it: SQLite's `":memory:"` is [`Location::Memory`], a
    /// `postgres://` or `postgresql://` URL is [`Location::Postgres`], anything else a file.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        if path.as_os_str() == ":memory:" {
            return Self::Memory;
        }
        match path.to_str() {
            Some(s) if postgres::is_url(s) => Self::Postgres(s.to_owned()),
            _ => Self::File(path),
        }
    }

    /// A path, or the default location when there is none.
    pub fn or_default(path: Option<impl Into<PathBuf>>) -> Self {
        path.map_or(Self::Default, Self::from_path)
    }

    /// The file this location names: the default path resolved; `None` in memory and for
    /// PostgreSQL.
    pub fn file(&self) -> Result<Option<PathBuf>> {
        match self {
            Self::Default => Ok(Some(sqlite::default_path()?)),
            Self::File(p) => Ok(Some(p.clone())),
            Self::Memory | Self::Postgres(_) => Ok(None),
        }
    }
}

/// How to open a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and write, creating the store (and its folders, 0700) when missing.
    Create,
    /// Read and write an existing store; a missing one is [`Error::NoStore`](crate::Error::NoStore).
    Existing,
    /// Read only, never waiting behind a writer and working on read-only files; a missing store
    /// is [`Error::NoStore`](crate::Error::NoStore); every write is [`Error::ReadOnly`](crate::Error::ReadOnly).
    ReadOnly,
}

/// A pa store and the clock its answers are computed with: the entry point of the library.
///
/// ```
/// use pa_integrations::assistant::{Access, Assistant, Location};
///
/// let pa = Assistant::open(&Location::Memory, Access::Create)?;
/// let me = pa.person("me", true)?;
/// let briefing = me.briefing(None, None)?;
/// assert!(briefing.agenda.is_empty());
/// # Ok::<(), pa_integrations::Error>(())
/// ```
#[derive(Clone)]
pub struct Assistant {
    backend: Backend,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Assistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assistant")
            .field("path", &self.path())
            .field("clock", &self.clock)
            .finish()
    }
}

impl Assistant {
    /// Opens the store at `location` on the system clock.
    pub fn open(location: &Location, access: Access) -> Result<Self> {
        let backend = match location {
            Location::Memory => Backend::Sqlite(sqlite::Store::open_in_memory()?),
            Location::Postgres(url) => Backend::Postgres(match access {
                Access::Create => postgres::Store::open(url)?,
                Access::Existing => postgres::Store::open_existing(url)?,
                Access::ReadOnly => postgres::Store::open_read_only(url)?,
            }),
            Location::Default | Location::File(_) => {
                let path = location.file()?.unwrap_or_default();
                Backend::Sqlite(match access {
                    Access::Create => sqlite::Store::open(&path)?,
                    Access::Existing => sqlite::Store::open_existing(&path)?,
                    Access::ReadOnly => sqlite::Store::open_read_only(&path)?,
                })
            }
        };
        Ok(Self {
            backend,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same store on another clock (tests use a fixed one).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The current instant, by this assistant's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The store's file; `None` in memory and for PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        self.backend.path()
    }

    /// The store as people may see it: its file, `memory`, or its database URL without the
    /// password.
    pub fn name(&self) -> String {
        self.backend.name()
    }

    /// The person `name`'s data. With `create`, the person is added on first use (the store must
    /// be writable); without, an unknown name is [`Error::UnknownUser`](crate::Error::UnknownUser).
    pub fn person(&self, name: &str, create: bool) -> Result<Person> {
        let id = UserId::new(name)?;
        if create {
            self.backend.create_user(&id)?;
        }
        Ok(Person::new(
            self.backend.user(&id)?,
            Arc::clone(&self.clock),
        ))
    }

    /// The people in the store, by name.
    pub fn people(&self) -> Result<Vec<String>> {
        Ok(self
            .backend
            .users()?
            .into_iter()
            .map(|u| u.to_string())
            .collect())
    }

    /// Deletes a person and everything of theirs; whether they existed.
    pub fn delete_person(&self, name: &str) -> Result<bool> {
        self.backend.delete_user(&UserId::new(name)?)
    }

    /// Unlocks the store's secrets vault (Argon2id; made on first use); another passphrase than
    /// the vault's is [`Error::Auth`](crate::Error::Auth)-kind.
    pub fn unlock(&self, passphrase: &Secret, params: KdfParams) -> Result<Vault> {
        self.backend.unlock(passphrase, params)
    }

    /// Unlocks the vault the way it was made: with its key from the OS keyring when it lives
    /// there (or, for a store without a vault, when the application installed a keyring store in
    /// keyring-core), else with the passphrase `passphrase` gives, asked only when needed.
    pub fn unlock_auto(
        &self,
        passphrase: impl FnOnce() -> Result<Secret>,
        params: KdfParams,
    ) -> Result<Vault> {
        self.backend
            .unlock_auto(KEYRING_SERVICE, passphrase, params)
    }

    /// Copies the store to `dest` while it stays in use; the copy is checked. An existing file is
    /// replaced only with [`Existing::Replace`]; the store's own files are always refused. A
    /// PostgreSQL store is backed up with the server's tools.
    pub fn backup(&self, dest: &Path, existing: Existing) -> Result<()> {
        self.backend.backup(dest, existing)
    }

    /// Checks the store for damage; each problem found, in words (empty when healthy).
    pub fn check(&self) -> Result<Vec<String>> {
        self.backend.check()
    }

    /// Imports files into the person `name`'s data in the store at `location`, creating the
    /// store and the person only once every file has been read (a file that cannot be read leaves
    /// no trace); a dry run creates nothing. The person's stored profile, when there is one,
    /// supplies what `request` leaves out, as [`Person::import_files`] does.
    pub fn import_files_at(
        location: &Location,
        name: &str,
        paths: &[PathBuf],
        request: &ImportRequest,
        progress: impl FnMut(usize, &Path),
    ) -> Result<Vec<FileReport>> {
        // One open: for writing when the store is there (a dry run only reads), so that the
        // profile is read and the files written through the same connection.
        let access = if request.dry_run {
            Access::ReadOnly
        } else {
            Access::Existing
        };
        let absent =
            |e: &crate::Error| matches!(e.kind(), ErrorKind::NotFound | ErrorKind::UnknownUser);
        let opened = match Self::open(location, access) {
            Ok(pa) => Some(pa),
            Err(e) if absent(&e) => None,
            Err(e) => return Err(e),
        };
        let existing = match opened.as_ref().map(|pa| pa.person(name, false)) {
            Some(Ok(person)) => Some(person),
            Some(Err(e)) if !absent(&e) => return Err(e),
            _ => None,
        };
        let profile = match &existing {
            Some(person) => person.profile()?,
            None => Profile::default(),
        };
        let read = request.read(&profile, paths, progress)?;
        match (existing, opened) {
            (Some(person), _) => person.write_files(request, read),
            (None, _) if request.dry_run => Self::open(&Location::Memory, Access::Create)?
                .person(name, true)?
                .write_files(request, read),
            (None, Some(pa)) => pa.person(name, true)?.write_files(request, read),
            (None, None) => Self::open(location, Access::Create)?
                .person(name, true)?
                .write_files(request, read),
        }
    }

    /// Closes the store: later calls, on it or its people, are [`Error::Closed`](crate::Error::Closed); closing twice is
    /// harmless.
    pub fn close(&self) -> Result<()> {
        self.backend.close()
    }
}

#[cfg(test)]
mod tests;
