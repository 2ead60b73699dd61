//! Transactions and balance snapshots.

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::Category;
use crate::error::{Error, Result};
use crate::ids::{AccountId, ExternalRef, TransactionId};
use crate::money::Money;
use crate::time::Day;

/// One movement of money on an account. **Negative = money out** from the holder's view.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Transaction {
    /// pa's id.
    pub id: TransactionId,
    /// The source record, when imported.
    pub external: Option<ExternalRef>,
    /// The account it is on.
    pub account: AccountId,
    /// The day it posted (or, while pending, the day it was made).
    pub posted: Day,
    /// The day it was authorised, when known.
    pub authorized: Option<Day>,
    /// Signed amount: negative = money out.
    pub amount: Money,
    /// The merchant or counterparty, when known.
    pub merchant: Option<String>,
    /// The statement text.
    pub description: String,
    /// The category.
    pub category: Option<Category>,
    /// Not yet posted.
    pub pending: bool,
    /// On a posted transaction: the pending one it replaces, which then no longer counts.
    pub pending_id: Option<TransactionId>,
    /// A movement between the holder's own accounts: excluded from income and spending.
    pub transfer: bool,
}

impl Transaction {
    /// A posted, non-transfer transaction with the required fields; the rest empty.
    pub fn new(id: TransactionId, account: AccountId, posted: Day, amount: Money) -> Self {
        Self {
            id,
            external: None,
            account,
            posted,
            authorized: None,
            amount,
            merchant: None,
            description: String::new(),
            category: None,
            pending: false,
            pending_id: None,
            transfer: false,
        }
    }
}

/// The transactions that count: all of them except pending ones that a posted transaction
/// replaces (through [`Transaction::pending_id`]), so a purchase is counted once. Order is kept.
pub fn settled(transactions: &[Transaction]) -> Vec<&Transaction> {
    let replaced: FxHashSet<&TransactionId> = transactions
        .iter()
        .filter(|t| !t.pending)
        .filter_map(|t| t.pending_id.as_ref())
        .collect();
    transactions
        .iter()
        .filter(|t| !(t.pending && replaced.contains(&t.id)))
        .collect()
}

/// An account's balance on a day, as the institution states it: for credit and loan accounts,
/// `current` is the amount owed (positive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceSnapshot {
    /// The account.
    pub account: AccountId,
    /// The day.
    pub day: Day,
    /// The ledger balance.
    pub current: Money,
    /// What can be spent or withdrawn now.
    pub available: Option<Money>,
    /// The credit limit, for credit accounts.
    pub limit: Option<Money>,
}

impl BalanceSnapshot {
    /// A snapshot of the current balance only.
    pub fn new(account: AccountId, day: Day, current: Money) -> Self {
        Self {
            account,
            day,
            current,
            available: None,
            limit: None,
        }
    }

    /// Checks that every amount is in the same currency.
    #[inline]
    pub fn validate(&self) -> Result<()> {
        for other in [&self.available, &self.limit].into_iter().flatten() {
            if other.currency() != self.current.currency() {
                return Err(Error::CurrencyMismatch {
                    left: self.current.currency().code().to_owned(),
                    right: other.currency().code().to_owned(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::parse_currency;

    fn tx(id: &str, pending: bool, replaces: Option<&str>) -> Transaction {
        let mut t = Transaction::new(
            TransactionId::new(id).unwrap(),
            AccountId::new("a").unwrap(),
            "2026-01-01".parse().unwrap(),
            Money::parse("-5.00", parse_currency("USD").unwrap()).unwrap(),
        );
        t.pending = pending;
        t.pending_id = replaces.map(|r| TransactionId::new(r).unwrap());
        t
    }

    #[test]
    fn a_replaced_pending_transaction_counts_once() {
        let all = vec![
            tx("p1", true, None),
            tx("p2", true, None),
            tx("t1", false, Some("p1")),
            tx("t2", false, None),
        ];
        let ids: Vec<&str> = settled(&all).iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["p2", "t1", "t2"]);
    }

    #[test]
    fn snapshot_currencies_must_agree() {
        let usd = parse_currency("USD").unwrap();
        let mut s = BalanceSnapshot::new(
            AccountId::new("a").unwrap(),
            "2026-01-01".parse().unwrap(),
            Money::parse("1", usd).unwrap(),
        );
        assert!(s.validate().is_ok());
        s.limit = Some(Money::parse("5", parse_currency("EUR").unwrap()).unwrap());
        assert!(matches!(s.validate(), Err(Error::CurrencyMismatch { .. })));
    }
}
