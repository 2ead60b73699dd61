//! The one error type foreign code sees (Kotlin: `PaException`, Swift: `PaError`).

/// An error from pa, with a reason free of personal data.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum PaError {
    /// A value given to pa breaks a documented rule.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// Anything else.
    #[error("{reason}")]
    Other {
        /// What went wrong.
        reason: String,
    },
}

impl From<pa_core::Error> for PaError {
    fn from(e: pa_core::Error) -> Self {
        match e {
            pa_core::Error::InvalidInput { .. }
            | pa_core::Error::CurrencyMismatch { .. }
            | pa_core::Error::OutOfRange { .. } => PaError::InvalidInput {
                reason: e.to_string(),
            },
            other => PaError::Other {
                reason: other.to_string(),
            },
        }
    }
}
