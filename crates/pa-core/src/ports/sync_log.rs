//! What a store keeps about its syncs: each local record's mapping to its copy in a source, and
//! each run.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::record::RecordKind;
use crate::error::{Error, Result};

/// How one local record maps to its copy in a source, for two-way sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    /// The source slug.
    pub source: String,
    /// The record's kind.
    pub kind: RecordKind,
    /// pa's key.
    pub local_key: String,
    /// The source's id.
    pub remote_id: String,
    /// The content hash of the record as last synced, to tell a local change.
    pub hash: Option<String>,
    /// The source's version tag as last seen, to tell a remote change.
    pub etag: Option<String>,
    /// When it was last synced.
    pub synced_at: DateTime<Utc>,
}

/// How a sync run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Still running (or the process died while it ran).
    Running,
    /// Everything synced.
    Succeeded,
    /// Some records failed; the rest synced.
    Partial,
    /// Nothing synced.
    Failed,
}

impl SyncOutcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncOutcome::Running => "running",
            SyncOutcome::Succeeded => "succeeded",
            SyncOutcome::Partial => "partial",
            SyncOutcome::Failed => "failed",
        }
    }
}

impl std::str::FromStr for SyncOutcome {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [
            SyncOutcome::Running,
            SyncOutcome::Succeeded,
            SyncOutcome::Partial,
            SyncOutcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
        .ok_or_else(|| Error::invalid("sync outcome", format!("'{s}' is not an outcome")))
    }
}

/// One run of a sync (the seeds' `*_sync_log` rows), keyed by source and start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRun {
    /// The source slug.
    pub source: String,
    /// When it started.
    pub started: DateTime<Utc>,
    /// When it finished.
    pub finished: Option<DateTime<Utc>>,
    /// Records added locally.
    pub added: u64,
    /// Records updated locally.
    pub updated: u64,
    /// Records deleted locally.
    pub deleted: u64,
    /// How it ended.
    pub outcome: SyncOutcome,
    /// What went wrong, when something did (never a secret).
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_by_name() {
        for o in ["running", "succeeded", "partial", "failed"] {
            assert_eq!(o.parse::<SyncOutcome>().unwrap().as_str(), o);
        }
        assert!("done".parse::<SyncOutcome>().is_err());
    }
}
