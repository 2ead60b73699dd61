//! The error every port of the connected half returns: kinds a runtime acts on, with no adapter's
//! types in them. pa-integrations maps it into its own error, naming the service.

use std::time::Duration;

/// What went wrong in an adapter of the connected half.
///
/// Deliberately exhaustive: a new kind must be mapped by pa-integrations before it compiles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// A value given to the adapter breaks its rules (too large a batch, an empty name).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// Credentials were refused: the user must sign in or re-link. Never retried.
    #[error("sign-in needed: {reason}")]
    Auth {
        /// Why, in the service's words (no secret in it).
        reason: String,
    },
    /// The service could not be reached (DNS, connect, TLS, timeout).
    #[error("network: {reason}")]
    Network {
        /// What failed.
        reason: String,
    },
    /// The service asked to slow down; retry after `retry_after` when it said.
    #[error("rate limited{}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long to wait, when the service said.
        retry_after: Option<Duration>,
    },
    /// The service refused or failed the request.
    #[error("the service said{}: {reason}", status.map(|s| format!(" {s}")).unwrap_or_default())]
    Provider {
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// What it said.
        reason: String,
    },
    /// What was asked for is not there (a secret, a remote row).
    #[error("not found: {what}")]
    NotFound {
        /// What.
        what: String,
    },
    /// The call was cancelled before it finished.
    #[error("cancelled")]
    Cancelled,
}

impl PortError {
    /// Whether trying the same call again later may succeed (network trouble, rate limits, and
    /// provider errors of status 5xx or none).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network { .. } | Self::RateLimited { .. } => true,
            Self::Provider { status, .. } => status.is_none_or(|s| s >= 500),
            Self::InvalidInput { .. }
            | Self::Auth { .. }
            | Self::NotFound { .. }
            | Self::Cancelled => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_transience() {
        let limited = PortError::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(limited.to_string(), "rate limited, retry after 30 s");
        assert!(limited.is_transient());
        let bad = PortError::Provider {
            status: Some(422),
            reason: "INVALID_RECORDS".into(),
        };
        assert_eq!(bad.to_string(), "the service said 422: INVALID_RECORDS");
        assert!(!bad.is_transient());
        assert!(
            PortError::Provider {
                status: Some(503),
                reason: "x".into()
            }
            .is_transient()
        );
        assert!(
            !PortError::Auth {
                reason: "invalid_grant".into()
            }
            .is_transient()
        );
    }
}
