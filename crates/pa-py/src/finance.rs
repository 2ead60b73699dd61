//! Money views of a person's store: net worth, cash flow, budgets and recurring bills.

use chrono::NaiveDate;
use pa_core::finance::cashflow::CashflowOptions;
use pa_core::finance::recurring::RecurringOptions;
use pa_core::ports::FinanceRepository;
use pa_core::time::{Day, Month};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::columns::date_list;
use crate::errors::{PyPaErr, PyStoreErr};
use crate::reads::{list, range};
use crate::records::{money, naive, record, strings, tag};
use crate::store::User;

pub(crate) fn budget<'py>(
    py: Python<'py>,
    b: &pa_core::finance::budget::BudgetStatus,
) -> PyResult<Bound<'py, PyAny>> {
    record!(results: py, "Budget" {
        category: b.category.path(),
        month: b.month.to_string(),
        budgeted: money(py, &b.budgeted)?,
        spent: money(py, &b.spent)?,
        remaining: money(py, &b.remaining)?,
        projected: money(py, &b.projected)?,
        over: b.is_over(),
        projected_over: b.is_projected_over(),
        warning: b.warning(),
    })
}

fn detected_bill<'py>(
    py: Python<'py>,
    d: &pa_core::finance::recurring::DetectedBill,
) -> PyResult<Bound<'py, PyAny>> {
    let b = &d.bill;
    let change = d
        .amount_change
        .as_ref()
        .map(|c| {
            record!(results: py, "AmountChange" {
                before: money(py, &c.from)?,
                after: money(py, &c.to)?,
                on: naive(c.on),
            })
        })
        .transpose()?;
    let ids: Vec<String> = d.transactions.iter().map(|t| t.to_string()).collect();
    record!(results: py, "DetectedBill" {
        name: b.name.as_str(),
        merchant: b.merchant.as_deref(),
        account: b.account.as_ref().map(|a| a.as_str()),
        category: b.category.as_ref().map(|c| c.path()),
        amount: money(py, &b.amount)?,
        cadence: tag(&b.cadence)?,
        next_due: naive(b.next_due),
        last_paid: naive(d.last_paid),
        occurrences: d.occurrences,
        missed: d.missed,
        amount_change: change,
        transactions: strings(py, &ids)?,
    })
}

#[pymethods]
impl User {
    /// Daily net worth over `[start, end]` (default: from the first to the last recorded
    /// balance), balances carried forward, as columns of equal-length lists: `date`, `currency`, and `assets`,
    /// `liabilities`, `net_worth` as `Decimal`s (one row per day and currency).
    #[pyo3(signature = (start = None, end = None))]
    fn net_worth<'py>(
        &self,
        py: Python<'py>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyDict>> {
        crate::reads::range(start, end)?;
        let (from, to) = (start.map(Day::from_naive), end.map(Day::from_naive));
        let series = py
            .detach(|| self.person.net_worth_recorded(from, to, None))
            .map_err(PyStoreErr)?;
        let rows = series.map(|s| s.rows).unwrap_or_default();
        let out = PyDict::new(py);
        out.set_item("date", date_list(py, rows.iter().map(|r| r.day), None)?)?;
        out.set_item(
            "currency",
            rows.iter().map(|r| r.currency.code()).collect::<Vec<_>>(),
        )?;
        out.set_item("assets", rows.iter().map(|r| r.assets).collect::<Vec<_>>())?;
        out.set_item(
            "liabilities",
            rows.iter().map(|r| r.liabilities).collect::<Vec<_>>(),
        )?;
        out.set_item(
            "net_worth",
            rows.iter().map(|r| r.net_worth).collect::<Vec<_>>(),
        )?;
        Ok(out)
    }

    /// Income, spending and net by month and by category, and the top merchants, over the
    /// transactions posted in `[start, end]`; transfers between own accounts left out.
    #[pyo3(signature = (start = None, end = None))]
    fn cash_flow<'py>(
        &self,
        py: Python<'py>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (from, to) = range(start, end)?;
        let flow = py
            .detach(|| self.person.cash_flow(from, to, &CashflowOptions::default()))
            .map_err(PyStoreErr)?;
        let months = flow
            .by_month
            .iter()
            .map(|m| {
                record!(results: py, "MonthFlow" {
                    month: m.month.to_string(),
                    currency: m.currency.code(),
                    income: m.income,
                    spending: m.spending,
                    net: m.net,
                    savings_rate: m.savings_rate,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let categories = flow
            .by_category
            .iter()
            .map(|c| {
                record!(results: py, "CategoryFlow" {
                    category: c.category.path(),
                    currency: c.currency.code(),
                    income: c.income,
                    spending: c.spending,
                    net: c.net,
                    count: c.count,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let merchants = flow
            .top_merchants
            .iter()
            .map(|m| {
                record!(results: py, "MerchantFlow" {
                    merchant: m.merchant.as_str(),
                    currency: m.currency.code(),
                    spending: m.spending,
                    count: m.count,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        record!(results: py, "CashFlow" {
            by_month: PyTuple::new(py, months)?,
            by_category: PyTuple::new(py, categories)?,
            top_merchants: PyTuple::new(py, merchants)?,
            transfers_excluded: flow.transfers_excluded,
        })
    }

    /// Where each budget of `month` (`"2026-11"`; default: this month) stands as of `as_of`
    /// (default: today), with the month's spending projected to its end.
    #[pyo3(signature = (month = None, *, as_of = None))]
    fn budgets<'py>(
        &self,
        py: Python<'py>,
        month: Option<&str>,
        as_of: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyList>> {
        let as_of = self.day_or_today(as_of)?;
        let month: Month = match month {
            Some(m) => m.parse().map_err(PyPaErr)?,
            None => as_of.month(),
        };
        list(py, || self.person.budget_status(month, as_of), budget)
    }

    /// Recurring payments found in the transactions up to `as_of` (default: today): subscriptions
    /// and bills with their cadence, next due day, whether one was missed and amount changes.
    #[pyo3(signature = (*, as_of = None))]
    fn recurring_bills<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyList>> {
        let as_of = self.day_or_today(as_of)?;
        list(
            py,
            || {
                self.person
                    .recurring_bills(as_of, &RecurringOptions::default())
            },
            detected_bill,
        )
    }
}
