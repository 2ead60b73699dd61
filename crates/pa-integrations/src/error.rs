//! The one error enum of pa-integrations.

use std::path::PathBuf;

/// The result type of pa-integrations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong in an adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A domain rule was broken.
    #[error(transparent)]
    Core(#[from] pa_core::Error),
    /// A file could not be read or written.
    #[error("cannot read or write {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database reported an error.
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A stored record could not be encoded or decoded.
    #[error("stored record: {0}")]
    Record(#[from] serde_json::Error),
    /// The database was written by a newer pa than this one; it is left untouched.
    #[error("{}: database version {found} is newer than this pa supports ({supported}); upgrade pa", path.display())]
    DatabaseTooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest version this code knows.
        supported: u32,
    },
    /// The file is not a healthy SQLite database; it is left untouched, never recreated.
    #[error("{}: the database is corrupt or not a pa database ({reason}); it was left untouched", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },
    /// There is no store at the path; nothing was created (reads never create a store).
    #[error("{}: no pa store there", path.display())]
    NoStore {
        /// The path asked for.
        path: PathBuf,
    },
    /// A write to a store opened read-only, or whose file (or directory) this process may not
    /// write.
    #[error("{}: the store is read-only (opened so, or its file cannot be written)", path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// The store was closed ([`crate::storage::sqlite::Store::close`]).
    #[error("the store is closed")]
    Closed,
    /// A secret could not be sealed, opened or imported (the reason never holds the secret).
    #[error("secret: {reason}")]
    Secret {
        /// What went wrong.
        reason: String,
    },
    /// The vault's passphrase is not the one it was made with.
    #[error("wrong passphrase for the secrets vault")]
    WrongPassphrase,
    /// A person the store does not know.
    #[error("no user '{user}' in the store")]
    UnknownUser {
        /// The user id.
        user: String,
    },
    /// An output file cannot be written where asked (it is the store, exists, or is a directory);
    /// nothing was opened for writing.
    #[error("cannot write {}: {reason}", path.display())]
    Output {
        /// The path asked for.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// Input data is malformed; `line` is 1-based when the format has lines.
    #[error("{source_name}{}: {reason}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Parse {
        /// The file name or other label of the input.
        source_name: String,
        /// The line the problem is on.
        line: Option<u64>,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// A parse error at `line` of `source_name`.
    pub fn parse(
        source_name: impl Into<String>,
        line: Option<u64>,
        reason: impl Into<String>,
    ) -> Self {
        Self::Parse {
            source_name: source_name.into(),
            line,
            reason: reason.into(),
        }
    }
}
