//! Recurring bills: the [`Bill`] entity, and detection of recurring payments in transactions.
//!
//! Detection works on settled, non-transfer outflows, grouped by account, currency and
//! normalised merchant ([`normalize_merchant`]; the description when there is no merchant).
//! A group is recurring when:
//! 1. **Timing**: the gaps between payments are close to one [`Cadence`] (within its tolerance:
//!    weekly ±2 days, biweekly ±3, monthly ±7, quarterly ±10, yearly ±20). A gap of two or three
//!    periods counts as skipped payments; at most a tenth of the gaps may fit neither (a seasonal
//!    break, a double charge). Most gaps must be single periods.
//! 2. **Count**: at least 3 payments (2 for yearly).
//! 3. **Amount**: walking the payments in order, an amount more than 20 % away from the current
//!    level starts a new level; at most one level change per eight payments (and at least one) is
//!    allowed, which tells a subscription or a utility from shopping. A short series (under five
//!    payments) must keep its amount within 5 % of its median.
//!
//! For each recurring group:
//! - **Price**: payments are split into runs of equal price (within 1 %). When the latest run or the
//!   one before it has at least two payments, the bill has a fixed price: the expected amount is the
//!   latest payment, and a change between the last two runs is reported as an [`AmountChange`].
//!   Otherwise (a bill that varies, like electricity) the expected amount is the median of the last
//!   three payments and no change is reported.
//! - **Next due day**: one period after the last payment; monthly and longer periods keep the usual
//!   (median) day of the month, clamped to the month's length.
//! - **Missed**: `as_of` is past the due day by more than the cadence's tolerance.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Category, Transaction, settled};
use crate::error::{Error, Result};
use crate::ids::{AccountId, BillId, TransactionId};
use crate::money::Money;
use crate::time::Day;

/// How often a bill recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every 7 days.
    Weekly,
    /// Every 14 days.
    Biweekly,
    /// Every calendar month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every year.
    Yearly,
}

impl std::str::FromStr for Cadence {
    type Err = Error;
    /// `weekly`, `biweekly`, `monthly`, `quarterly` or `yearly`.
    fn from_str(s: &str) -> Result<Self> {
        let wanted = serde_json::Value::String(s.trim().to_ascii_lowercase());
        serde_json::from_value(wanted).map_err(|_| {
            let names: Vec<String> = Cadence::ALL
                .iter()
                .filter_map(|c| Some(serde_json::to_value(c).ok()?.as_str()?.to_owned()))
                .collect();
            let (last, rest) = names.split_last().map_or(("", &[][..]), |(l, r)| (l, r));
            Error::invalid(
                "cadence",
                format!("'{s}' is not {} or {last}", rest.join(", ")),
            )
        })
    }
}

impl Cadence {
    /// All cadences, shortest first.
    pub const ALL: [Cadence; 5] = [
        Cadence::Weekly,
        Cadence::Biweekly,
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Yearly,
    ];

    /// The mean period in days.
    pub const fn nominal_days(self) -> f64 {
        match self {
            Cadence::Weekly => 7.0,
            Cadence::Biweekly => 14.0,
            Cadence::Monthly => 30.436_875,
            Cadence::Quarterly => 91.310_625,
            Cadence::Yearly => 365.2425,
        }
    }

    /// How far a gap may be from the period and still match, in days.
    pub const fn tolerance_days(self) -> f64 {
        match self {
            Cadence::Weekly => 2.0,
            Cadence::Biweekly => 3.0,
            Cadence::Monthly => 7.0,
            Cadence::Quarterly => 10.0,
            Cadence::Yearly => 20.0,
        }
    }

    /// The due day one period after `day`; monthly and longer periods land on `day_of_month`
    /// (clamped to the month's length).
    pub fn next_after(self, day: Day, day_of_month: u32) -> Result<Day> {
        let months = match self {
            Cadence::Weekly => return day.add_days(7),
            Cadence::Biweekly => return day.add_days(14),
            Cadence::Monthly => 1,
            Cadence::Quarterly => 3,
            Cadence::Yearly => 12,
        };
        let first = day.month().first_day().naive();
        let target = first
            .checked_add_months(chrono::Months::new(months))
            .ok_or_else(|| Error::out_of_range(format!("{day} + {months} months")))?;
        let month = Day::from_naive(target).month();
        Day::from_ymd(
            month.year(),
            month.number(),
            day_of_month.clamp(1, month.len_days()),
        )
    }
}

/// A recurring payment, stored or detected. `amount` is the expected payment as a positive number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bill {
    /// pa's id.
    pub id: BillId,
    /// What the person calls it.
    pub name: String,
    /// The account it is paid from.
    pub account: Option<AccountId>,
    /// The merchant on the statement.
    pub merchant: Option<String>,
    /// The category.
    pub category: Option<Category>,
    /// The expected payment (positive).
    pub amount: Money,
    /// How often.
    pub cadence: Cadence,
    /// The next day it is due.
    pub next_due: Day,
}

impl Bill {
    /// Checks the name is not blank and the expected payment is above zero.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("bill", "name must not be blank"));
        }
        if self.amount.amount() <= rust_decimal::Decimal::ZERO {
            return Err(Error::invalid(
                format!("bill '{}'", self.name),
                format!("amount {} must be above zero", self.amount.amount()),
            ));
        }
        Ok(())
    }
}

/// A change in a bill's amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountChange {
    /// The amount before (positive).
    pub from: Money,
    /// The amount after (positive).
    pub to: Money,
    /// The first payment at the new amount.
    pub on: Day,
}

/// A bill found in the transactions, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectedBill {
    /// The bill, with an id derived from account and merchant (`detected:<account>:<merchant>`).
    pub bill: Bill,
    /// The normalised merchant key it was grouped by.
    pub key: String,
    /// The last payment.
    pub last_paid: Day,
    /// Payments found.
    pub occurrences: usize,
    /// The payments, oldest first.
    pub transactions: Vec<TransactionId>,
    /// The due day has passed by more than the tolerance with no payment.
    pub missed: bool,
    /// The latest change of amount, if any.
    pub amount_change: Option<AmountChange>,
}

/// Tuning for [`detect_recurring`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecurringOptions {
    /// Fewest payments for a weekly to quarterly bill (3).
    pub min_occurrences: usize,
    /// Fewest payments for a yearly bill (2).
    pub min_occurrences_yearly: usize,
    /// Relative difference that starts a new amount level (0.2).
    pub amount_tolerance: Decimal,
}

impl Default for RecurringOptions {
    fn default() -> Self {
        Self {
            min_occurrences: 3,
            min_occurrences_yearly: 2,
            amount_tolerance: Decimal::new(2, 1),
        }
    }
}

/// Words that say nothing about who was paid.
const NOISE: [&str; 16] = [
    "inc",
    "llc",
    "ltd",
    "corp",
    "co",
    "com",
    "www",
    "pos",
    "debit",
    "purchase",
    "sq",
    "tst",
    "ach",
    "the",
    "recurring",
    "autopay",
];

/// A merchant name reduced to what identifies it: lower case, punctuation dropped, words that
/// carry digits (store numbers, dates, references) and filler (`inc`, `pos`, `www`, …) removed.
/// `NETFLIX.COM`, `Netflix Inc` and `netflix` all become `netflix`; `GROCER #12` becomes `grocer`.
pub fn normalize_merchant(name: &str) -> String {
    if name.is_ascii() {
        return normalize_ascii(name);
    }
    // One pass, one allocation: it runs once per distinct merchant string, and store numbers make
    // nearly every string distinct.
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let w = word.trim_matches('\'');
        if !w.is_empty() && !w.bytes().any(|b| b.is_ascii_digit()) && !NOISE.contains(&w) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
        word.clear();
    };
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '\'' {
            word.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    if out.is_empty() {
        name.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        out
    }
}

/// The ASCII case of [`normalize_merchant`]: tokens are slices of `name`, lower-cased as copied.
fn normalize_ascii(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for token in name.split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'')) {
        let w = token.trim_matches('\'');
        if w.is_empty()
            || w.bytes().any(|b| b.is_ascii_digit())
            || NOISE.iter().any(|n| n.eq_ignore_ascii_case(w))
        {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().map(|c| c.to_ascii_lowercase()));
    }
    if out.is_empty() {
        name.split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        out
    }
}

/// Finds recurring payments (see the module rules), as of `as_of` for the missed flag. Sorted by
/// next due day, then name.
pub fn detect_recurring(
    transactions: &[Transaction],
    as_of: Day,
    options: &RecurringOptions,
) -> Result<Vec<DetectedBill>> {
    if options.amount_tolerance < Decimal::ZERO {
        return Err(Error::invalid("amount_tolerance", "must not be negative"));
    }
    let mut key_of: FxHashMap<&str, String> = FxHashMap::default();
    let mut groups: FxHashMap<(&AccountId, &str, String), Vec<&Transaction>> = FxHashMap::default();
    for t in settled(transactions) {
        if t.transfer || t.amount.amount() >= Decimal::ZERO {
            continue;
        }
        let name = t
            .merchant
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or(t.description.trim());
        if name.is_empty() {
            continue;
        }
        let key = key_of
            .entry(name)
            .or_insert_with(|| normalize_merchant(name))
            .clone();
        groups
            .entry((&t.account, t.amount.currency().code(), key))
            .or_default()
            .push(t);
    }
    let mut found = Vec::new();
    for ((account, _, key), mut payments) in groups {
        payments.sort_by_key(|t| t.posted);
        if let Some(bill) = analyse(account, key, &payments, as_of, options)? {
            found.push(bill);
        }
    }
    found.sort_by(|a, b| (a.bill.next_due, &a.bill.name).cmp(&(b.bill.next_due, &b.bill.name)));
    Ok(found)
}

fn median(xs: &[Decimal]) -> Decimal {
    let mut v = xs.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Which cadence the gaps follow, if any.
fn cadence_of(gaps: &[i64]) -> Option<Cadence> {
    let mut best: Option<(usize, usize, Cadence)> = None;
    for c in Cadence::ALL {
        let (n, tol) = (c.nominal_days(), c.tolerance_days());
        let (mut regular, mut skipped, mut irregular) = (0, 0, 0);
        for &g in gaps {
            let g = g as f64;
            if (g - n).abs() <= tol {
                regular += 1;
            } else if (2..=3).any(|k| (g - k as f64 * n).abs() <= tol * k as f64) {
                skipped += 1;
            } else {
                irregular += 1;
            }
        }
        let fits = regular >= 1 && regular >= 2 * skipped && irregular * 10 <= gaps.len();
        if fits && best.is_none_or(|(r, i, _)| regular > r || (regular == r && irregular < i)) {
            best = Some((regular, irregular, c));
        }
    }
    best.map(|(_, _, c)| c)
}

fn analyse(
    account: &AccountId,
    key: String,
    payments: &[&Transaction],
    as_of: Day,
    options: &RecurringOptions,
) -> Result<Option<DetectedBill>> {
    let n = payments.len();
    if n < 2 {
        return Ok(None);
    }
    let gaps: Vec<i64> = payments
        .windows(2)
        .map(|w| w[0].posted.days_until(w[1].posted))
        .collect();
    let Some(cadence) = cadence_of(&gaps) else {
        return Ok(None);
    };
    let needed = if cadence == Cadence::Yearly {
        options.min_occurrences_yearly
    } else {
        options.min_occurrences
    };
    if n < needed.max(2) {
        return Ok(None);
    }

    // Amount levels: a payment far from the current level starts a new one.
    let amounts: Vec<Decimal> = payments.iter().map(|t| -t.amount.amount()).collect();
    let mut level = amounts[0];
    let mut changes = 0usize;
    for &a in &amounts[1..] {
        if level.is_zero() || ((a - level).abs() / level) > options.amount_tolerance {
            changes += 1;
            level = a;
        }
    }
    if changes > (n / 8).max(1) {
        return Ok(None);
    }
    if n < 5 {
        let median = median(&amounts);
        let tight = Decimal::new(5, 2);
        if median.is_zero()
            || amounts
                .iter()
                .any(|a| ((*a - median).abs() / median) > tight)
        {
            return Ok(None);
        }
    }

    // Runs of equal price (within 1 %): they tell a price change from a bill that varies.
    let same = Decimal::new(1, 2);
    let mut runs: Vec<(usize, usize)> = vec![(0, 1)]; // (first index, length)
    for i in 1..n {
        match runs.last_mut() {
            Some(run)
                if !amounts[run.0].is_zero()
                    && ((amounts[i] - amounts[run.0]).abs() / amounts[run.0]) <= same =>
            {
                run.1 += 1
            }
            _ => runs.push((i, 1)),
        }
    }
    let currency = payments[0].amount.currency();
    let last_run = runs[runs.len() - 1];
    let prev_run = runs.len().checked_sub(2).map(|i| runs[i]);
    let fixed_price = last_run.1 >= 2 || prev_run.is_some_and(|r| r.1 >= 2);
    let (expected, amount_change) = if fixed_price {
        let change = prev_run.filter(|r| r.1 >= 2).map(|r| AmountChange {
            from: Money::new(amounts[r.0], currency),
            to: Money::new(amounts[last_run.0], currency),
            on: payments[last_run.0].posted,
        });
        (amounts[n - 1], change)
    } else {
        (median(&amounts[n.saturating_sub(3)..]), None)
    };

    let last = payments[n - 1];
    let mut days_of_month: Vec<u32> = payments.iter().map(|t| t.posted.day_of_month()).collect();
    days_of_month.sort_unstable();
    let next_due = cadence.next_after(last.posted, days_of_month[days_of_month.len() / 2])?;
    let missed = (next_due.days_until(as_of) as f64) > cadence.tolerance_days();
    let name = last
        .merchant
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| last.description.clone());
    Ok(Some(DetectedBill {
        bill: Bill {
            id: BillId::new(format!("detected:{account}:{key}"))?,
            name,
            account: Some(account.clone()),
            merchant: last.merchant.clone(),
            category: last.category.clone(),
            amount: Money::new(expected, currency),
            cadence,
            next_due,
        },
        key,
        last_paid: last.posted,
        occurrences: n,
        transactions: payments.iter().map(|t| t.id.clone()).collect(),
        missed,
        amount_change,
    }))
}

#[cfg(test)]
#[path = "recurring_tests.rs"]
mod tests;
