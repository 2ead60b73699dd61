//! The secret-store port: where service tokens and passwords live (the store's encrypted vault,
//! the OS keyring).
//!
//! # Invariants an adapter keeps
//! - Secrets are encrypted at rest and never logged; [`SecretValue`] shows nothing of itself in
//!   `Debug`, and no error carries a secret.
//! - `get` of a name never stored is `Ok(None)`, not an error; `delete` says whether there was one.
//! - Names are the adapter's keys (`garmin.token`); an adapter may refuse names it cannot store
//!   with `PortError::InvalidInput`.

use super::port_error::PortError;

/// A secret's text, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a secret.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself: only for the call that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretValue(…)")
    }
}

/// Where secrets are kept. Blocking (a keyring or a local file is quick); async callers run it on
/// a blocking thread.
pub trait SecretStore: Send + Sync {
    /// Stores `value` under `name`, replacing an older one.
    fn put(&self, name: &str, value: &SecretValue) -> Result<(), PortError>;

    /// The secret under `name`.
    fn get(&self, name: &str) -> Result<Option<SecretValue>, PortError>;

    /// Removes the secret under `name`; whether there was one.
    fn delete(&self, name: &str) -> Result<bool, PortError>;
}
