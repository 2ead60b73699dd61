//! Budgets: per category per month, how much is budgeted, spent and left, and where the month is
//! heading at the current pace.
//!
//! Spent = money out minus refunds of the counted transactions (settled, not transfers, as in
//! [`cash_flow`](super::cashflow::cash_flow)) in the month, in the category and its descendants.
//! Remaining = budgeted − spent, so remaining + spent = budgeted always. Projected month-end spend
//! = spent × days in month / days elapsed (as of `as_of`, that day included), rounded half to even
//! to the currency's minor unit; a month that is over is projected at what was spent, and a month
//! not yet begun at zero.

use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::cashflow::countable;
use super::{Account, Category, Transaction};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::time::{Day, Month};

/// How much may be spent in a category in a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// The category (its descendants included).
    pub category: Category,
    /// The month.
    pub month: Month,
    /// The amount budgeted (positive).
    pub amount: Money,
}

impl Budget {
    /// Checks the amount is not negative.
    pub fn validate(&self) -> Result<()> {
        if self.amount.is_outflow() {
            return Err(Error::invalid(
                format!("budget {} {}", self.category, self.month),
                "amount must not be negative",
            ));
        }
        Ok(())
    }
}

/// Where a budget stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatus {
    /// The category.
    pub category: Category,
    /// The month.
    pub month: Month,
    /// Budgeted.
    pub budgeted: Money,
    /// Spent so far (refunds deducted).
    pub spent: Money,
    /// Budgeted − spent (negative when over).
    pub remaining: Money,
    /// Month-end spend at the current pace.
    pub projected: Money,
}

impl BudgetStatus {
    /// Spent more than budgeted.
    pub fn is_over(&self) -> bool {
        self.remaining.is_outflow()
    }

    /// Heading over budget at the current pace.
    pub fn is_projected_over(&self) -> bool {
        self.projected.amount() > self.budgeted.amount()
    }

    /// A warning in plain words when the budget is spent past its amount ("over by 120.50 USD")
    /// or on pace to be by the month's end ("on pace for 5,506 of 1,600 USD"); `None` otherwise.
    /// Every front end shows this one text.
    pub fn warning(&self) -> Option<String> {
        let code = self.budgeted.currency().code();
        if self.is_over() {
            Some(format!(
                "over by {} {code}",
                self.remaining.negated().rounded().amount()
            ))
        } else if self.is_projected_over() {
            Some(format!(
                "on pace for {} of {} {code}",
                self.projected.whole_grouped(),
                self.budgeted.whole_grouped()
            ))
        } else {
            None
        }
    }
}

/// The status of each budget as of `as_of`, in the order given.
///
/// Errors name the record: a transaction on an unknown account, a transaction in a budgeted
/// category in another currency than the budget, two budgets for one category and month.
pub fn budget_status(
    accounts: &[Account],
    budgets: &[Budget],
    transactions: &[Transaction],
    as_of: Day,
) -> Result<Vec<BudgetStatus>> {
    let mut seen = FxHashSet::default();
    for b in budgets {
        if !seen.insert((&b.category, b.month)) {
            return Err(Error::invalid(
                format!("budget {} {}", b.category, b.month),
                "appears twice",
            ));
        }
        if b.amount.is_outflow() {
            return Err(Error::invalid(
                format!("budget {} {}", b.category, b.month),
                "amount must not be negative",
            ));
        }
    }
    let (kept, _) = countable(accounts, transactions, true, 3)?;
    budgets
        .iter()
        .map(|b| {
            let currency = b.amount.currency();
            let mut out = Decimal::ZERO;
            for t in kept.iter().filter(|t| t.posted.month() == b.month) {
                if !t
                    .category
                    .as_ref()
                    .is_some_and(|c| c.is_within(&b.category))
                {
                    continue;
                }
                if t.amount.currency() != currency {
                    return Err(Error::invalid(
                        format!("transaction {}", t.id),
                        format!(
                            "is in {} but the budget for {} {} is in {}",
                            t.amount.currency().code(),
                            b.category,
                            b.month,
                            currency.code()
                        ),
                    ));
                }
                out = out
                    .checked_sub(t.amount.amount())
                    .ok_or_else(|| Error::out_of_range("spent"))?;
            }
            let spent = Money::new(out, currency);
            let remaining = b.amount.checked_sub(&spent)?;
            let (first, last) = (b.month.first_day(), b.month.last_day());
            let projected = if as_of < first {
                Money::zero(currency)
            } else if as_of >= last {
                spent
            } else {
                let elapsed = Decimal::from(as_of.day_of_month());
                let len = Decimal::from(b.month.len_days());
                let pace = out
                    .checked_mul(len)
                    .and_then(|x| x.checked_div(elapsed))
                    .ok_or_else(|| Error::out_of_range("projection"))?;
                Money::new(pace, currency).rounded()
            };
            Ok(BudgetStatus {
                category: b.category.clone(),
                month: b.month,
                budgeted: b.amount,
                spent,
                remaining,
                projected,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::AccountType;
    use crate::ids::{AccountId, TransactionId};
    use crate::money::{Currency, parse_currency};
    use proptest::prelude::*;
    use rust_decimal::dec;

    fn usd() -> Currency {
        parse_currency("USD").unwrap()
    }

    fn accounts() -> Vec<Account> {
        vec![Account::new(
            AccountId::new("card").unwrap(),
            "Card",
            AccountType::Credit,
            usd(),
        )]
    }

    fn tx(id: usize, d: &str, cents: i64, cat: &str) -> Transaction {
        let mut t = Transaction::new(
            TransactionId::new(format!("t{id}")).unwrap(),
            AccountId::new("card").unwrap(),
            d.parse().unwrap(),
            Money::from_minor(cents, usd()),
        );
        t.category = Some(cat.parse().unwrap());
        t
    }

    fn food(amount: &str) -> Budget {
        Budget {
            category: "Food".parse().unwrap(),
            month: "2026-03".parse().unwrap(),
            amount: Money::parse(amount, usd()).unwrap(),
        }
    }

    #[test]
    fn spent_remaining_and_pace() {
        let txns = vec![
            tx(1, "2026-03-02", -12_000, "Food/Groceries"),
            tx(2, "2026-03-05", -3_000, "Food/Restaurants"),
            tx(3, "2026-03-06", 1_000, "Food/Groceries"), // a refund
            tx(4, "2026-03-07", -9_999, "Travel"),
            tx(5, "2026-02-27", -5_000, "Food"),
        ];
        let s = &budget_status(
            &accounts(),
            &[food("400.00")],
            &txns,
            "2026-03-10".parse().unwrap(),
        )
        .unwrap()[0];
        assert_eq!(s.spent.amount(), dec!(140.00));
        assert_eq!(s.remaining.amount(), dec!(260.00));
        assert_eq!(s.projected.amount(), dec!(434.00)); // 140 × 31 / 10
        assert!(!s.is_over() && s.is_projected_over());
        assert_eq!(s.warning().as_deref(), Some("on pace for 434 of 400 USD"));
        let comfortable = &budget_status(
            &accounts(),
            &[food("1600")],
            &txns,
            "2026-03-10".parse().unwrap(),
        )
        .unwrap()[0];
        assert_eq!(comfortable.warning(), None);
        let before = &budget_status(
            &accounts(),
            &[food("400")],
            &txns,
            "2026-02-01".parse().unwrap(),
        )
        .unwrap()[0];
        assert_eq!(before.projected.amount(), dec!(0));
        let after = &budget_status(
            &accounts(),
            &[food("100")],
            &txns,
            "2026-04-02".parse().unwrap(),
        )
        .unwrap()[0];
        assert_eq!(after.projected, after.spent);
        assert!(after.is_over());
        assert_eq!(after.warning().as_deref(), Some("over by 40.00 USD"));
    }

    #[test]
    fn bad_budgets() {
        assert!(
            budget_status(
                &accounts(),
                &[food("1"), food("2")],
                &[],
                "2026-03-01".parse().unwrap()
            )
            .is_err()
        );
        assert!(
            budget_status(
                &accounts(),
                &[food("-1")],
                &[],
                "2026-03-01".parse().unwrap()
            )
            .is_err()
        );
        let eur_budget = Budget {
            amount: Money::parse("5", parse_currency("EUR").unwrap()).unwrap(),
            ..food("0")
        };
        let err = budget_status(
            &accounts(),
            &[eur_budget],
            &[tx(1, "2026-03-02", -100, "Food")],
            "2026-03-05".parse().unwrap(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("transaction t1") && err.to_string().contains("is in USD"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn remaining_plus_spent_is_budgeted(budget in 0i64..1_000_000, rows in proptest::collection::vec((1u32..29, -100_000i64..20_000, 0usize..3), 0..40), asof in 1u32..31) {
            let cats = ["Food", "Food/Groceries", "Rent"];
            let txns: Vec<Transaction> = rows.iter().enumerate().map(|(i, (d, c, k))| tx(i, &format!("2026-03-{d:02}"), *c, cats[*k])).collect();
            let b = Budget { amount: Money::from_minor(budget, usd()), ..food("0") };
            let s = &budget_status(&accounts(), &[b], &txns, Day::from_ymd(2026, 3, asof).unwrap()).unwrap()[0];
            prop_assert_eq!(s.remaining.checked_add(&s.spent).unwrap().amount(), s.budgeted.amount());
        }
    }
}
