//! Money written by hand: expenses and budgets.
//!
//! An expense is a money-out transaction on the person's cash account in its currency (made on
//! first use), so cash flow, budgets and the weekly spending count it exactly as they count a
//! bank's transactions, once.

use pa_core::finance::budget::Budget;
use pa_core::finance::{Account, AccountType, Category, Transaction};
use pa_core::ids::{AccountId, ExternalRef, TransactionId};
use pa_core::money::{Currency, Money};
use pa_core::ports::{UserStore, WriteBatch};
use pa_core::time::{Day, Month};

use super::{Change, Written};
use crate::assistant::Person;
use crate::error::Result;

/// Money spent, entered by hand.
#[derive(Debug, Clone)]
pub struct NewExpense {
    /// The day (default: today).
    pub day: Option<Day>,
    /// What was spent, above zero.
    pub amount: Money,
    /// The category (`Food/Groceries`).
    pub category: Option<Category>,
    /// What it was for.
    pub description: String,
    /// Where.
    pub merchant: Option<String>,
    /// The source's id: adding the same external expense again changes nothing.
    pub external: Option<ExternalRef>,
}

impl Person {
    /// The currency for money given without one: `currency`, else the profile's; an error when
    /// neither says.
    pub fn currency(&self, currency: Option<Currency>) -> Result<Currency> {
        match currency.or(self.profile()?.currency) {
            Some(c) => Ok(c),
            None => Err(pa_core::Error::invalid(
                "currency",
                "none given and none in the profile (set one: pa profile set --currency EUR)",
            )
            .into()),
        }
    }

    /// Records an expense; returns the transaction as stored.
    pub fn add_expense(&self, new: NewExpense) -> Result<Written<Transaction>> {
        if new.amount.amount() <= rust_decimal::Decimal::ZERO {
            return Err(pa_core::Error::invalid(
                "expense",
                format!(
                    "amount {} must be above zero (what was spent)",
                    new.amount.amount()
                ),
            )
            .into());
        }
        let currency = new.amount.currency();
        let day = match new.day {
            Some(d) => d,
            None => self.today(None)?,
        };
        let account_id = AccountId::new(format!("cash-{}", currency.code().to_lowercase()))?;
        if let Some(ext) = &new.external {
            // Matched across all days: the same external expense re-sent on another day is still
            // the one stored.
            let all = self.handle.transactions(Day::EARLIEST, Day::LATEST)?;
            if let Some(same) = all.into_iter().find(|t| t.external.as_ref() == Some(ext)) {
                return Ok(Written {
                    change: Change::Unchanged,
                    record: same,
                });
            }
        }
        let mut batch = WriteBatch::default();
        if !self.handle.accounts()?.iter().any(|a| a.id == account_id) {
            let mut cash = Account::new(
                account_id.clone(),
                format!("Cash ({})", currency.code()),
                AccountType::Other,
                currency,
            );
            cash.subtype = Some("cash".into());
            batch.accounts.push(cash);
        }
        let id = TransactionId::new(self.mint_expense(&new.description, day)?)?;
        let mut t = Transaction::new(id, account_id, day, new.amount.negated());
        t.category = new.category;
        t.description = new.description.trim().to_owned();
        t.merchant = new.merchant;
        t.external = new.external;
        batch.transactions.push(t.clone());
        let change = self.commit(batch)?;
        Ok(Written { change, record: t })
    }

    /// A new transaction id: the day is part of the minted text, so an id can only be taken by
    /// a transaction of the same day, and only those are read.
    fn mint_expense(&self, text: &str, day: Day) -> Result<String> {
        let taken = self.handle.transactions(day, day)?;
        for attempt in 0..16 {
            let id = pa_core::ids::mint("x", self.now(), &format!("{day}\u{1f}{text}"), attempt);
            if !taken.iter().any(|t| t.id.as_str() == id) {
                return Ok(id);
            }
        }
        Err(crate::error::Error::Conflict {
            what: "expense id".into(),
            reason: "no free id after 16 tries".into(),
        })
    }

    /// Sets the budget of `category` for `month`, replacing that month's budget of the category.
    pub fn set_budget(
        &self,
        category: Category,
        month: Month,
        amount: Money,
    ) -> Result<Written<Budget>> {
        self.put(Budget {
            category,
            month,
            amount,
        })
    }

    /// Every budget of `month`.
    pub fn budgets(&self, month: Month) -> Result<Vec<Budget>> {
        Ok(self
            .handle
            .records::<Budget>(Some((month.first_day(), month.last_day())))?
            .into_iter()
            .filter(|b| b.month == month)
            .collect())
    }
}
