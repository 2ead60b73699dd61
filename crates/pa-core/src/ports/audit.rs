//! The audit log: what each write did to which record, and on whose behalf.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::record::RecordKind;
use crate::error::{Error, Result};

/// What a write did to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Added.
    Added,
    /// Changed.
    Updated,
    /// Deleted (children deleted with it are not listed).
    Deleted,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Added => "added",
            AuditAction::Updated => "updated",
            AuditAction::Deleted => "deleted",
        }
    }
}

impl std::str::FromStr for AuditAction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "added" => Ok(AuditAction::Added),
            "updated" => Ok(AuditAction::Updated),
            "deleted" => Ok(AuditAction::Deleted),
            _ => Err(Error::invalid(
                "audit action",
                format!("'{s}' is not an action"),
            )),
        }
    }
}

/// One write made by a sync or an import (a batch with an origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the batch was written.
    pub at: DateTime<Utc>,
    /// Who wrote it (`sync:garmin`, `import:ride.fit`).
    pub origin: String,
    /// The record's kind.
    pub kind: RecordKind,
    /// The record's key.
    pub key: String,
    /// What happened.
    pub action: AuditAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_by_name() {
        for a in ["added", "updated", "deleted"] {
            assert_eq!(a.parse::<AuditAction>().unwrap().as_str(), a);
        }
        assert!("x".parse::<AuditAction>().is_err());
    }
}
