//! What calls to language models cost: tokens and money per call, and totals per model.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};

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
}
