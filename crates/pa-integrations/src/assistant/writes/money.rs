//! Money written by hand: expenses and budgets.
//!
//! An expense is a money-out transaction on the person's cash account in its currency (made on
//! first use), so cash flow, budgets and the weekly spending count it exactly as they count a
//! bank's transactions, once.

use pa_core::finance::budget::Budget;
use pa_core::finance::recurring::{Bill, Cadence};
use pa_core::finance::{Category, Transaction};
use pa_core::ids::{BillId, ExternalRef};
use pa_core::money::{Currency, Money};
use pa_core::ports::UserStore;
use pa_core::time::{Day, Month};

use super::Written;
use super::draft::Draft;
use crate::assistant::Person;
use crate::error::Result;

/// A bill to add.
#[derive(Debug, Clone)]
pub struct NewBill {
    /// What the person calls it ("Rent").
    pub name: String,
    /// The expected payment, above zero.
    pub amount: Money,
    /// How often.
    pub cadence: Cadence,
    /// The next day it is due.
    pub next_due: Day,
    /// The category.
    pub category: Option<Category>,
    /// The merchant on the statement.
    pub merchant: Option<String>,
}

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
    /// The currency for money given without one: `currency`, else the profile's, else the one
    /// currency every account is in (a person whose bank is in dollars spends dollars); an error
    /// when none of them says.
    pub fn currency(&self, currency: Option<Currency>) -> Result<Currency> {
        if let Some(c) = currency.or(self.profile()?.currency) {
            return Ok(c);
        }
        match pa_core::finance::shared_currency(&self.handle.accounts()?) {
            Some(c) => Ok(c),
            None => Err(pa_core::Error::invalid(
                "currency",
                "none given, none in the profile, and the accounts do not agree on one \
                 (set the profile's currency)",
            )
            .into()),
        }
    }

    /// Records an expense; returns the transaction as stored. With an external id already
    /// stored, that transaction is returned unchanged.
    pub fn add_expense(&self, new: NewExpense) -> Result<Written<Transaction>> {
        let mut draft = Draft::new(self);
        let (stored, record) = draft.expense(new)?.into_parts();
        let change = match stored {
            Some(c) => c,
            None => draft.commit()?.0,
        };
        Ok(Written { change, record })
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

    /// Adds a bill: what is paid, how often, and when next.
    pub fn add_bill(&self, new: NewBill) -> Result<Written<Bill>> {
        let mut bill = Bill {
            // Checked under a placeholder id first, so an error names no id never stored.
            id: BillId::new("(new)")?,
            name: new.name.trim().to_owned(),
            account: None,
            merchant: new.merchant,
            category: new.category,
            amount: new.amount,
            cadence: new.cadence,
            next_due: new.next_due,
        };
        bill.validate()?;
        bill.id = BillId::new(self.mint::<Bill>("b", &bill.name)?)?;
        self.put(bill)
    }

    /// Every bill, soonest due first.
    pub fn bills(&self) -> Result<Vec<Bill>> {
        let mut all = self.handle.records::<Bill>(None)?;
        all.sort_by(|a, b| a.next_due.cmp(&b.next_due).then(a.name.cmp(&b.name)));
        Ok(all)
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
