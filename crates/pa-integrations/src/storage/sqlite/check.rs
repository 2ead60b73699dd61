//! Backups that are checked before they are kept, and the whole-store damage check.

use std::path::Path;
use std::time::Duration;

use pa_core::ids::UserId;
use rusqlite::Connection;

use super::{Store, UserHandle, lock};
use crate::error::{Error, Result};

impl Store {
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
        // The same rules as every output file: not the store, replaced only when asked, private,
        // and in place only once whole (and, here, checked).
        let file = crate::output::OutputFile::create(dest, self.path(), existing)?;
        {
            let mut target = Connection::open(file.temp_path())?;
            let source = lock(&self.inner.writer);
            let backup = rusqlite::backup::Backup::new(&source, &mut target)?;
            backup.run_to_completion(256, Duration::from_millis(0), None)?;
            drop(backup);
            // A copy is one self-contained file: in rollback-journal mode, checking it leaves no
            // WAL or shared-memory file beside it (pa switches it back to WAL when it opens it).
            let _: String = target.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        }
        let problems = Self::open_read_only(file.temp_path())?.check()?;
        if !problems.is_empty() {
            return Err(Error::Corrupt {
                path: self.path().map(Path::to_owned).unwrap_or_default(),
                reason: format!("the copy is damaged: {}", problems.join("; ")),
            });
        }
        file.commit()
    }

    /// Checks the whole store: SQLite's `integrity_check` (every page, every index against its
    /// table), then every record of every person decoded, kind by kind. Returns what is damaged,
    /// one line per problem (the first damaged record of each kind and person); empty when the
    /// store is healthy. Changes nothing.
    pub fn check(&self) -> Result<Vec<String>> {
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
            crate::storage::read_everything(&h, &name, &mut problems);
        }
        Ok(problems)
    }
}
