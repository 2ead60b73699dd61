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
    /// The storage backend reported an error (opaque: no backend type is part of this API).
    #[error("storage: {0}")]
    Storage(StorageError),
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
    /// What was asked for does not exist (a record, a remote item).
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A write conflicts with what is there (changed on both sides, changed since it was read).
    #[error("conflict: {what}: {reason}")]
    Conflict {
        /// The record or item.
        what: String,
        /// How.
        reason: String,
    },
    /// A service no longer accepts the credentials: the account must be linked again.
    #[error("{service}: sign-in needed again ({reason})")]
    Auth {
        /// The service.
        service: String,
        /// What it said (never a secret).
        reason: String,
    },
    /// A service could not be reached, or the connection failed.
    #[error("{service}: cannot reach it ({reason})")]
    Network {
        /// The service.
        service: String,
        /// What failed.
        reason: String,
    },
    /// A service asked to slow down; try again after `retry_after` when it said.
    #[error("{service}: rate limited{}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// The service.
        service: String,
        /// How long it asked to wait.
        retry_after: Option<std::time::Duration>,
    },
    /// A service refused or failed a request, in its own words.
    #[error("{service}{}: {reason}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Provider {
        /// The service.
        service: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// What it said.
        reason: String,
    },
    /// The operation was cancelled before it finished; what it had written is whole.
    #[error("cancelled")]
    Cancelled,
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

/// An error of the storage backend. Opaque on purpose: callers act on [`Error::kind`], and a
/// PostgreSQL store gives the same kinds as SQLite.
#[derive(Debug)]
pub struct StorageError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl StorageError {
    /// The SQLite error inside, for the SQLite adapter's own decisions.
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Error> {
        self.0.downcast_ref()
    }

    /// The PostgreSQL error inside, for the PostgreSQL adapter's own decisions.
    pub(crate) fn postgres(&self) -> Option<&tokio_postgres::Error> {
        self.0.downcast_ref()
    }

    /// An error the adapter words itself.
    pub(crate) fn message(reason: String) -> Self {
        Self(reason.into())
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Storage(StorageError(Box::new(e)))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(StorageError(Box::new(e)))
    }
}

/// What kind of failure an [`Error`] is, for callers that act on it: a front end's exit code or
/// exception class, a sync runtime's retry. Deliberately exhaustive (no `#[non_exhaustive]`): a
/// new kind must be handled by every front end before it compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A value breaks a documented rule.
    InvalidInput,
    /// Input data is malformed (a file, a line).
    Parse,
    /// What was asked for is not there or cannot be read: an input file, the store, a record.
    NotFound,
    /// No such person in the store.
    UnknownUser,
    /// A write conflicts with what is there.
    Conflict,
    /// Credentials were refused: a wrong passphrase, a service that wants signing in again.
    Auth,
    /// The store or file may not be written.
    ReadOnly,
    /// A service cannot be reached.
    Network,
    /// A service asked to slow down.
    RateLimited,
    /// A service refused or failed a request.
    Provider,
    /// Cancelled before it finished.
    Cancelled,
    /// The store is damaged, or newer than this code.
    Corrupt,
    /// An output file cannot be made there.
    Output,
    /// The storage backend failed (the database, the disk under it), or the store was closed.
    Io,
}

impl Error {
    /// The error of a connected-half port ([`pa_core::ports::PortError`]) of `service`, as the
    /// kind callers act on.
    pub fn from_port(service: &str, e: pa_core::ports::PortError) -> Self {
        use pa_core::ports::PortError as P;
        let service = service.to_owned();
        match e {
            P::InvalidInput { reason } => Self::Core(pa_core::Error::invalid(service, reason)),
            P::Auth { reason } => Self::Auth { service, reason },
            P::Network { reason } => Self::Network { service, reason },
            P::RateLimited { retry_after } => Self::RateLimited {
                service,
                retry_after,
            },
            P::Provider { status, reason } => Self::Provider {
                service,
                status,
                reason,
            },
            P::NotFound { what } => Self::NotFound {
                what: format!("{service}: {what}"),
            },
            P::Cancelled => Self::Cancelled,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            Self::Core(_) => K::InvalidInput,
            Self::Parse { .. } => K::Parse,
            Self::Io { .. } | Self::NoStore { .. } | Self::NotFound { .. } => K::NotFound,
            Self::UnknownUser { .. } => K::UnknownUser,
            Self::Conflict { .. } => K::Conflict,
            Self::Auth { .. } | Self::WrongPassphrase | Self::Secret { .. } => K::Auth,
            Self::ReadOnly { .. } => K::ReadOnly,
            Self::Network { .. } => K::Network,
            Self::RateLimited { .. } => K::RateLimited,
            Self::Provider { .. } => K::Provider,
            Self::Cancelled => K::Cancelled,
            Self::Corrupt { .. } | Self::DatabaseTooNew { .. } | Self::Record(_) => K::Corrupt,
            Self::Output { .. } => K::Output,
            Self::Storage(_) | Self::Closed => K::Io,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A port's error becomes the kind callers act on, naming the service.
    #[test]
    fn port_errors_name_their_service() {
        use pa_core::ports::PortError as P;
        let cases: Vec<(P, ErrorKind, &str)> = vec![
            (
                P::InvalidInput {
                    reason: "11 rows; at most 10".into(),
                },
                ErrorKind::InvalidInput,
                "invalid airtable: 11 rows; at most 10",
            ),
            (
                P::Auth {
                    reason: "invalid_grant".into(),
                },
                ErrorKind::Auth,
                "airtable: sign-in needed again (invalid_grant)",
            ),
            (
                P::Network {
                    reason: "timed out".into(),
                },
                ErrorKind::Network,
                "airtable: cannot reach it (timed out)",
            ),
            (
                P::RateLimited {
                    retry_after: Some(std::time::Duration::from_secs(30)),
                },
                ErrorKind::RateLimited,
                "airtable: rate limited, retry after 30 s",
            ),
            (
                P::Provider {
                    status: Some(422),
                    reason: "INVALID_RECORDS".into(),
                },
                ErrorKind::Provider,
                "airtable (HTTP 422): INVALID_RECORDS",
            ),
            (
                P::NotFound {
                    what: "rec1".into(),
                },
                ErrorKind::NotFound,
                "not found: airtable: rec1",
            ),
            (P::Cancelled, ErrorKind::Cancelled, "cancelled"),
        ];
        for (port, kind, message) in cases {
            let e = Error::from_port("airtable", port);
            assert_eq!((e.kind(), e.to_string().as_str()), (kind, message));
        }
    }

    /// Each variant's kind and message; the messages of the connected half name the service and
    /// never more than the service said.
    #[test]
    fn kinds_and_messages() {
        let cases: Vec<(Error, ErrorKind, &str)> = vec![
            (
                Error::RateLimited {
                    service: "airtable".into(),
                    retry_after: Some(std::time::Duration::from_secs(30)),
                },
                ErrorKind::RateLimited,
                "airtable: rate limited, retry after 30 s",
            ),
            (
                Error::Provider {
                    service: "plaid".into(),
                    status: Some(400),
                    reason: "ITEM_LOGIN_REQUIRED".into(),
                },
                ErrorKind::Provider,
                "plaid (HTTP 400): ITEM_LOGIN_REQUIRED",
            ),
            (
                Error::Auth {
                    service: "google".into(),
                    reason: "invalid_grant".into(),
                },
                ErrorKind::Auth,
                "google: sign-in needed again (invalid_grant)",
            ),
            (
                Error::Network {
                    service: "garmin".into(),
                    reason: "connection refused".into(),
                },
                ErrorKind::Network,
                "garmin: cannot reach it (connection refused)",
            ),
            (
                Error::Conflict {
                    what: "event e1".into(),
                    reason: "changed on both sides".into(),
                },
                ErrorKind::Conflict,
                "conflict: event e1: changed on both sides",
            ),
            (
                Error::NotFound {
                    what: "task t9".into(),
                },
                ErrorKind::NotFound,
                "not found: task t9",
            ),
            (Error::Cancelled, ErrorKind::Cancelled, "cancelled"),
            (
                rusqlite::Error::InvalidQuery.into(),
                ErrorKind::Io,
                "storage: Query is not read-only",
            ),
            (
                Error::WrongPassphrase,
                ErrorKind::Auth,
                "wrong passphrase for the secrets vault",
            ),
        ];
        for (e, kind, text) in cases {
            assert_eq!((e.kind(), e.to_string()), (kind, text.to_owned()));
        }
    }
}
