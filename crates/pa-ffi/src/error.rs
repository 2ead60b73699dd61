//! The one error type foreign code sees (Kotlin: `PaException`, Swift: `PaError`), with one case
//! per [`pa_integrations::ErrorKind`], as the CLI's exit codes and the Python exceptions have.

/// An error from pa, with a reason free of personal data and secrets.
#[derive(Debug, PartialEq, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum PaError {
    /// A value given to pa breaks a documented rule.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// Input data is malformed (a file, a line).
    #[error("{reason}")]
    Parse {
        /// What is wrong, and where.
        reason: String,
    },
    /// What was asked for is not there: an input file, the store, a record.
    #[error("{reason}")]
    NotFound {
        /// What is missing.
        reason: String,
    },
    /// No such person in the store.
    #[error("{reason}")]
    UnknownUser {
        /// Who.
        reason: String,
    },
    /// A write conflicts with what is there; read again and retry.
    #[error("{reason}")]
    Conflict {
        /// What conflicts.
        reason: String,
    },
    /// Credentials were refused: a wrong passphrase, a service to sign in to again.
    #[error("{reason}")]
    Auth {
        /// Which.
        reason: String,
    },
    /// The store may not be written.
    #[error("{reason}")]
    ReadOnly {
        /// Which.
        reason: String,
    },
    /// A service cannot be reached.
    #[error("{reason}")]
    Network {
        /// Which, and why.
        reason: String,
    },
    /// A service asked to slow down; retry after `retry_after_s` seconds when it said.
    #[error("{reason}")]
    RateLimited {
        /// Which.
        reason: String,
        /// Seconds to wait, when the service said.
        retry_after_s: Option<u64>,
    },
    /// A service refused or failed a request.
    #[error("{reason}")]
    Provider {
        /// What it said.
        reason: String,
        /// The HTTP status, when there was one.
        status: Option<u16>,
    },
    /// Cancelled before it finished.
    #[error("cancelled")]
    Cancelled,
    /// The store is damaged, or newer than this pa.
    #[error("{reason}")]
    Corrupt {
        /// What is wrong.
        reason: String,
    },
    /// An output file cannot be made there.
    #[error("{reason}")]
    Output {
        /// Why.
        reason: String,
    },
    /// The storage backend failed, or the store was closed.
    #[error("{reason}")]
    Io {
        /// What failed.
        reason: String,
    },
}

impl From<pa_core::Error> for PaError {
    fn from(e: pa_core::Error) -> Self {
        PaError::InvalidInput {
            reason: e.to_string(),
        }
    }
}

impl From<pa_integrations::Error> for PaError {
    fn from(e: pa_integrations::Error) -> Self {
        use pa_integrations::{Error as E, ErrorKind as K};
        let reason = e.to_string();
        // Exhaustive: a new kind gets its case here before the bindings compile.
        match e.kind() {
            K::InvalidInput => match e {
                E::Core(core) => core.into(),
                _ => PaError::InvalidInput { reason },
            },
            K::Parse => PaError::Parse { reason },
            K::NotFound => PaError::NotFound { reason },
            K::UnknownUser => PaError::UnknownUser { reason },
            K::Conflict => PaError::Conflict { reason },
            K::Auth => PaError::Auth { reason },
            K::ReadOnly => PaError::ReadOnly { reason },
            K::Network => PaError::Network { reason },
            K::RateLimited => PaError::RateLimited {
                reason,
                retry_after_s: match e {
                    E::RateLimited { retry_after, .. } => retry_after.map(|d| d.as_secs()),
                    _ => None,
                },
            },
            K::Provider => PaError::Provider {
                reason,
                status: match e {
                    E::Provider { status, .. } => status,
                    _ => None,
                },
            },
            K::Cancelled => PaError::Cancelled,
            K::Corrupt => PaError::Corrupt { reason },
            K::Output => PaError::Output { reason },
            K::Io => PaError::Io { reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use pa_integrations::Error;

    #[test]
    fn each_kind_has_its_case() {
        let service = || "plaid".to_owned();
        let cases: Vec<(Error, PaError)> = vec![
            (
                pa_core::Error::invalid("ftp", "must be positive").into(),
                PaError::InvalidInput {
                    reason: "invalid ftp: must be positive".into(),
                },
            ),
            (
                Error::UnknownUser { user: "bob".into() },
                PaError::UnknownUser {
                    reason: "no user 'bob' in the store".into(),
                },
            ),
            (
                Error::RateLimited {
                    service: service(),
                    retry_after: Some(Duration::from_secs(30)),
                },
                PaError::RateLimited {
                    reason: Error::RateLimited {
                        service: service(),
                        retry_after: Some(Duration::from_secs(30)),
                    }
                    .to_string(),
                    retry_after_s: Some(30),
                },
            ),
            (
                Error::Provider {
                    service: service(),
                    status: Some(503),
                    reason: "down".into(),
                },
                PaError::Provider {
                    reason: Error::Provider {
                        service: service(),
                        status: Some(503),
                        reason: "down".into(),
                    }
                    .to_string(),
                    status: Some(503),
                },
            ),
            (Error::Cancelled, PaError::Cancelled),
            (
                Error::Closed,
                PaError::Io {
                    reason: "the store is closed".into(),
                },
            ),
        ];
        for (from, to) in cases {
            assert_eq!(PaError::from(from), to);
        }
    }
}
