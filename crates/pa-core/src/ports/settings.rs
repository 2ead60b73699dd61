//! Per-person settings and preferences.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A per-person setting or preference: a dotted key and a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// `[a-z0-9_.-]`, 1–128 characters (`units.distance`, `zone`).
    pub key: String,
    /// The value as JSON text; `None` removes the setting.
    pub value: Option<String>,
}

impl Setting {
    /// Checks the key's form.
    pub fn validate(&self) -> Result<()> {
        let ok = !self.key.is_empty()
            && self.key.len() <= 128
            && self.key.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
            });
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "setting key",
                format!("'{}' must be 1–128 of a-z, 0-9, '_', '.', '-'", self.key),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_keys_are_checked() {
        let s = |k: &str| Setting {
            key: k.into(),
            value: None,
        };
        assert!(s("units.distance").validate().is_ok());
        for bad in ["", "Units", "a b", &"x".repeat(129)] {
            assert!(s(bad).validate().is_err(), "{bad}");
        }
    }
}
