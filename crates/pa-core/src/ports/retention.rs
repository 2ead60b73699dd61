//! Retention: by default a store keeps everything forever. A [`RetentionPolicy`] names, per record
//! kind or log, how many days to keep and whether pruned records are archived (written out as
//! JSON Lines) before they go.
//!
//! A record is pruned when the last day of its span is before the cutoff (`today − keep_days`);
//! records without a span (accounts, habits, projects) and open-ended ones (recurring events) are
//! never pruned, and pruning a record deletes its children as deleting it would. Logs are pruned
//! by the UTC day of their timestamp.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::record::RecordKind;
use crate::error::{Error, Result};
use crate::time::Day;

/// Whether a record with `span` goes in a prune before `before`: its last day is before the
/// cutoff. Spanless and open-ended records are never pruned.
pub fn pruned(span: super::record::Span, before: Day) -> bool {
    span.and_then(|(_, last)| last).is_some_and(|l| l < before)
}

/// What a retention rule prunes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PruneTarget {
    /// Records of a kind.
    Record(RecordKind),
    /// The sync run log.
    SyncRuns,
    /// LLM usage records.
    LlmUsage,
    /// The audit log.
    Audit,
}

impl fmt::Display for PruneTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PruneTarget::Record(k) => f.write_str(k.as_str()),
            PruneTarget::SyncRuns => f.write_str("sync_run"),
            PruneTarget::LlmUsage => f.write_str("llm_usage"),
            PruneTarget::Audit => f.write_str("audit"),
        }
    }
}

impl std::str::FromStr for PruneTarget {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sync_run" => Ok(PruneTarget::SyncRuns),
            "llm_usage" => Ok(PruneTarget::LlmUsage),
            "audit" => Ok(PruneTarget::Audit),
            other => other.parse().map(PruneTarget::Record),
        }
    }
}

impl TryFrom<String> for PruneTarget {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<PruneTarget> for String {
    fn from(t: PruneTarget) -> String {
        t.to_string()
    }
}

/// Keep `keep_days` days of `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRule {
    /// What it applies to.
    pub target: PruneTarget,
    /// Days kept, counting back from today (today is always kept).
    pub keep_days: u32,
    /// Archive pruned records before deleting them.
    pub archive: bool,
}

/// Rules per target; an empty policy (the default) keeps everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// At most one rule per target.
    pub rules: Vec<RetentionRule>,
}

/// One prune to carry out: delete `target` before `before`, archiving first if asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prune {
    /// What.
    pub target: PruneTarget,
    /// The first day kept.
    pub before: Day,
    /// Archive first.
    pub archive: bool,
}

impl RetentionPolicy {
    /// The prunes due on `today`; an error for a target named twice.
    pub fn prunes(&self, today: Day) -> Result<Vec<Prune>> {
        let mut out: Vec<Prune> = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            if out.iter().any(|p| p.target == r.target) {
                return Err(Error::invalid(
                    "retention policy",
                    format!("{} has two rules", r.target),
                ));
            }
            out.push(Prune {
                target: r.target,
                before: today.add_days(-i64::from(r.keep_days))?,
                archive: r.archive,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_prune_takes() {
        let d = |s: &str| -> Day { s.parse().unwrap() };
        let cut = d("2026-03-10");
        assert!(pruned(Some((d("2026-03-01"), Some(d("2026-03-09")))), cut));
        assert!(
            !pruned(Some((d("2026-03-01"), Some(cut))), cut),
            "the cutoff day is kept"
        );
        assert!(
            !pruned(Some((d("2020-01-01"), None)), cut),
            "open-ended stays"
        );
        assert!(!pruned(None, cut), "spanless stays");
    }

    #[test]
    fn cutoffs_and_names() {
        let policy: RetentionPolicy = serde_json::from_str(
            r#"{"rules":[{"target":"audit","keep_days":30,"archive":false},
                         {"target":"activity","keep_days":0,"archive":true}]}"#,
        )
        .unwrap();
        let today: Day = "2026-03-31".parse().unwrap();
        let p = policy.prunes(today).unwrap();
        assert_eq!(p[0].before, "2026-03-01".parse().unwrap());
        assert_eq!(p[1].target, PruneTarget::Record(RecordKind::Activity));
        assert_eq!(p[1].before, today, "keep_days 0 keeps today only");
        assert!(RetentionPolicy::default().prunes(today).unwrap().is_empty());
        let twice = RetentionPolicy {
            rules: vec![p[0], p[0]]
                .into_iter()
                .map(|p| RetentionRule {
                    target: p.target,
                    keep_days: 1,
                    archive: false,
                })
                .collect(),
        };
        assert!(twice.prunes(today).is_err());
        assert!("nonsense".parse::<PruneTarget>().is_err());
        for t in ["sync_run", "llm_usage", "audit", "habit_entry"] {
            assert_eq!(t.parse::<PruneTarget>().unwrap().to_string(), t);
        }
    }
}
