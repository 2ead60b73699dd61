//! Personal finance: accounts, transactions, balances, holdings, manual expenses and bills, and
//! the calculations over them: net worth ([`networth`]), cash flow ([`cashflow`]), recurring-bill
//! detection ([`recurring`]), budgets ([`budget`]) and portfolio value ([`portfolio`]).
//!
//! Rules for the whole module:
//! - Amounts are [`Money`](crate::money::Money): exact decimals, never floats. From the account
//!   holder's view, **negative = money out** on transactions.
//! - Balances are as the institution states them: what you have for depository, investment and
//!   other accounts; **what you owe, as a positive number**, for credit and loan accounts.
//! - Sums are exact. Rounding to the currency's minor unit happens only where a result is a new
//!   amount that cannot be exact (a projection, a currency conversion) and then it is half to even
//!   (banker's rounding), as [`Money::rounded`](crate::money::Money::rounded) does.

mod account;
pub mod budget;
pub mod cashflow;
mod category;
mod expense;
mod fixed;
pub mod fx;
pub mod networth;
pub mod portfolio;
pub mod recurring;
mod transaction;

pub use account::{Account, AccountType, Mask, shared_currency};
pub use category::Category;
pub use expense::{Expense, ExpenseCategory};
pub use portfolio::{Holding, InvestmentAction, InvestmentTransaction, Security, SecurityType};
pub use recurring::{Bill, Cadence};
pub use transaction::{BalanceSnapshot, Transaction, settled};
