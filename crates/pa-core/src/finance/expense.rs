//! Manual expenses, kept by hand rather than imported (the seed systems' `expenses` table).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{ExpenseCategoryId, ExpenseId};
use crate::money::Money;
use crate::time::Day;

/// A category of manual expenses, optionally under a parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpenseCategory {
    /// pa's id.
    pub id: ExpenseCategoryId,
    /// The name ("Groceries").
    pub name: String,
    /// The parent category.
    pub parent: Option<ExpenseCategoryId>,
}

/// Money spent, entered by hand. The amount is what was spent, as a positive number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expense {
    /// pa's id.
    pub id: ExpenseId,
    /// The day it was spent.
    pub day: Day,
    /// What was spent (positive).
    pub amount: Money,
    /// The category.
    pub category: Option<ExpenseCategoryId>,
    /// What it was for.
    pub description: String,
}

impl Expense {
    /// Checks that the amount is not negative (a refund is a separate, negative-free record).
    pub fn validate(&self) -> Result<()> {
        if self.amount.amount().is_sign_negative() && !self.amount.amount().is_zero() {
            return Err(Error::invalid(
                format!("expense {}", self.id),
                "amount spent must not be negative",
            ));
        }
        Ok(())
    }
}
