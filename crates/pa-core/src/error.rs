//! The one error enum of pa-core.
//!
//! Every variant describes what is wrong with the caller's input or with a domain rule; pa-core does
//! no I/O, so nothing here wraps an OS or network error. The enum is `Clone + PartialEq` so tests
//! can compare errors directly.

/// The result type of pa-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong in a pa-core call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value the caller gave breaks a documented rule.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field, argument or record that is wrong (e.g. `ctl_days`, `load on 2026-01-03`).
        field: String,
        /// Why it is wrong, in plain words.
        reason: String,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch {
        /// ISO 4217 code of the left operand.
        left: String,
        /// ISO 4217 code of the right operand.
        right: String,
    },
    /// A calculation would leave the representable range (dates, decimal amounts).
    #[error("out of range: {what}")]
    OutOfRange {
        /// What overflowed.
        what: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::OutOfRange`].
    pub fn out_of_range(what: impl Into<String>) -> Self {
        Self::OutOfRange { what: what.into() }
    }
}

/// Checks that `value` is finite and strictly positive, the rule for every threshold and time constant.
pub(crate) fn positive(field: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(
            field,
            format!("must be a finite number above zero, got {value}"),
        ))
    }
}

/// Checks that `value` is finite and not negative.
pub(crate) fn non_negative(field: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(
            field,
            format!("must be a finite number of at least zero, got {value}"),
        ))
    }
}
