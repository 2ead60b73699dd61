//! What a store keeps about its own work: per-record sync status, sync runs, LLM usage, the audit
//! log of writes, and per-person settings.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::record::RecordKind;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};

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

/// Tokens and cost of one call to a language model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmUsage {
    /// When the call was made.
    pub at: DateTime<Utc>,
    /// The model (`claude-sonnet-4-5`).
    pub model: String,
    /// What it was for (`weekly-review`).
    pub purpose: Option<String>,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
    /// The cost, when known.
    pub cost: Option<Money>,
}

impl LlmUsage {
    /// Checks the model is named and the cost is not negative.
    pub fn validate(&self) -> Result<()> {
        if self.model.trim().is_empty() {
            return Err(Error::invalid("llm usage", "model must not be blank"));
        }
        if self.cost.is_some_and(|c| c.is_outflow()) {
            return Err(Error::invalid(
                format!("llm usage of {} at {}", self.model, self.at),
                "cost must not be negative",
            ));
        }
        Ok(())
    }
}

/// Usage totals of one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmTotals {
    /// The model.
    pub model: String,
    /// Calls.
    pub calls: u64,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
    /// Cost per currency (calls without a cost are not in it).
    pub cost: BTreeMap<String, Decimal>,
}

/// Totals per model, sorted by model name. Costs in different currencies are kept apart.
pub fn llm_totals(usage: &[LlmUsage]) -> Result<Vec<LlmTotals>> {
    let mut by_model: BTreeMap<&str, LlmTotals> = BTreeMap::new();
    for u in usage {
        let t = by_model.entry(&u.model).or_insert_with(|| LlmTotals {
            model: u.model.clone(),
            calls: 0,
            tokens_in: 0,
            tokens_out: 0,
            cost: BTreeMap::new(),
        });
        t.calls += 1;
        t.tokens_in = t.tokens_in.saturating_add(u.tokens_in);
        t.tokens_out = t.tokens_out.saturating_add(u.tokens_out);
        if let Some(c) = u.cost {
            let currency: Currency = c.currency();
            let slot = t
                .cost
                .entry(currency.code().to_owned())
                .or_insert(Decimal::ZERO);
            *slot = slot
                .checked_add(c.amount())
                .ok_or_else(|| Error::out_of_range("llm cost"))?;
        }
    }
    Ok(by_model.into_values().collect())
}

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
    use crate::money::parse_currency;

    fn call(model: &str, tokens: u64, cost: Option<&str>) -> LlmUsage {
        let usd = parse_currency("USD").unwrap();
        LlmUsage {
            at: "2026-03-01T10:00:00Z".parse().unwrap(),
            model: model.into(),
            purpose: None,
            tokens_in: tokens,
            tokens_out: tokens / 2,
            cost: cost.map(|c| Money::parse(c, usd).unwrap()),
        }
    }

    #[test]
    fn llm_totals_per_model() {
        let t = llm_totals(&[
            call("b", 100, Some("0.003")),
            call("a", 10, None),
            call("b", 300, Some("0.009")),
        ])
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].model.as_str(), t[0].calls), ("a", 1));
        assert!(t[0].cost.is_empty());
        assert_eq!((t[1].calls, t[1].tokens_in, t[1].tokens_out), (2, 400, 200));
        assert_eq!(t[1].cost["USD"], "0.012".parse::<Decimal>().unwrap());
        assert!(call("", 1, None).validate().is_err());
        assert!(call("m", 1, Some("-1")).validate().is_err());
    }

    #[test]
    fn setting_keys_and_names_round_trip() {
        let s = |k: &str| Setting {
            key: k.into(),
            value: None,
        };
        assert!(s("units.distance").validate().is_ok());
        for bad in ["", "Units", "a b", &"x".repeat(129)] {
            assert!(s(bad).validate().is_err(), "{bad}");
        }
        for o in ["running", "succeeded", "partial", "failed"] {
            assert_eq!(o.parse::<SyncOutcome>().unwrap().as_str(), o);
        }
        for a in ["added", "updated", "deleted"] {
            assert_eq!(a.parse::<AuditAction>().unwrap().as_str(), a);
        }
        assert!("done".parse::<SyncOutcome>().is_err());
        assert!("x".parse::<AuditAction>().is_err());
    }
}
