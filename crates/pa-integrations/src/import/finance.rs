//! Finance CSV files: balances, transactions, accounts and FX rates.
//!
//! Formats (header names in any order and case; other columns are ignored):
//! - **balances**: `date,account,type,balance,currency`. `type` is depository, credit, loan,
//!   investment or other; for credit and loan accounts `balance` is the amount owed, positive.
//! - **transactions**: `date,account,amount,currency`, optionally `merchant,category,description,
//!   pending,transfer,id`. `amount` is signed, negative = money out; `category` is a path such as
//!   `Food/Groceries`; `pending` and `transfer` are true/false (or yes/no, 1/0).
//! - **accounts**: `account,type,currency`, optionally `name,institution,number` (only the last
//!   four digits of `number` are kept).
//! - **FX rates**: `date,currency,rate`: from `date` on, 1 `currency` = `rate` of the target.
//!
//! Amounts are plain decimals with a `.` point (`-1234.56`); a thousands separator, an exponent
//! or anything else is an error naming the line. Every error names the file, line and problem.

use std::collections::HashMap;
use std::io::Read;
use std::str::FromStr;

use pa_core::finance::fx::FxTable;
use pa_core::finance::{Account, AccountType, BalanceSnapshot, Category, Transaction};
use pa_core::ids::{AccountId, ExternalRef, TransactionId};
use pa_core::money::{Currency, Money, parse_currency};
use pa_core::time::Day;
use rust_decimal::Decimal;

use super::csv_table::{Row, Table};
use crate::error::Result;

fn day(row: &Row<'_>, i: usize) -> Result<Day> {
    let text = row.get(i);
    text.parse()
        .map_err(|_| row.error(format!("bad date '{text}': expected YYYY-MM-DD")))
}

fn decimal(row: &Row<'_>, i: usize, what: &str) -> Result<Decimal> {
    let text = row.get(i);
    let plain = !text.is_empty()
        && text
            .bytes()
            .enumerate()
            .all(|(k, b)| b.is_ascii_digit() || b == b'.' || (k == 0 && (b == b'-' || b == b'+')));
    match Decimal::from_str(text) {
        Ok(d) if plain => Ok(d),
        _ => Err(row.error(format!(
            "{what} '{text}' is not a decimal number (write it like -1234.56)"
        ))),
    }
}

fn currency(row: &Row<'_>, i: usize) -> Result<Currency> {
    parse_currency(row.get(i)).map_err(|e| row.core(e))
}

fn account_id(row: &Row<'_>, i: usize) -> Result<AccountId> {
    AccountId::new(row.get(i)).map_err(|e| row.core(e))
}

fn flag(row: &Row<'_>, i: usize, what: &str) -> Result<bool> {
    match row.get(i).to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Ok(false),
        "true" | "yes" | "1" => Ok(true),
        other => Err(row.error(format!("{what} '{other}' is not true or false"))),
    }
}

/// Accounts seen in a file, kept consistent row by row.
#[derive(Default)]
struct AccountsSeen {
    order: Vec<Account>,
    index: HashMap<AccountId, usize>,
}

impl AccountsSeen {
    /// Records `id` with `kind` and `cur`, or checks them against the first row that named it.
    fn see(
        &mut self,
        row: &Row<'_>,
        id: AccountId,
        kind: Option<AccountType>,
        cur: Currency,
    ) -> Result<()> {
        match self.index.get(&id) {
            Some(&i) => {
                let a = &self.order[i];
                if a.currency != cur {
                    return Err(row.error(format!(
                        "account {id} is in {} on an earlier line, here in {}",
                        a.currency.code(),
                        cur.code()
                    )));
                }
                if let Some(k) = kind
                    && a.kind != k
                {
                    return Err(row.error(format!(
                        "account {id} is {} on an earlier line, here {k}",
                        a.kind
                    )));
                }
            }
            None => {
                let name = id.to_string();
                self.index.insert(id.clone(), self.order.len());
                self.order.push(Account::new(
                    id,
                    name,
                    kind.unwrap_or(AccountType::Depository),
                    cur,
                ));
            }
        }
        Ok(())
    }
}

/// The accounts and snapshots of a balances file.
#[derive(Debug, Clone, PartialEq)]
pub struct Balances {
    /// One account per distinct `account` value, in order of first appearance.
    pub accounts: Vec<Account>,
    /// One snapshot per row.
    pub snapshots: Vec<BalanceSnapshot>,
}

/// Reads a balances CSV (see the module formats).
pub fn read_balances(input: impl Read, source: &str) -> Result<Balances> {
    let table = Table::read(
        input,
        source,
        &["date", "account", "type", "balance", "currency"],
        &[],
    )?;
    let mut seen = AccountsSeen::default();
    let mut snapshots = Vec::new();
    for row in table.rows() {
        let d = day(&row, 0)?;
        let id = account_id(&row, 1)?;
        let kind: AccountType = row.get(2).parse().map_err(|e| row.core(e))?;
        let amount = decimal(&row, 3, "balance")?;
        let cur = currency(&row, 4)?;
        seen.see(&row, id.clone(), Some(kind), cur)?;
        snapshots.push(BalanceSnapshot::new(id, d, Money::new(amount, cur)));
    }
    Ok(Balances {
        accounts: seen.order,
        snapshots,
    })
}

/// The transactions of a transactions file, with the accounts they name (type depository unless an
/// accounts file says otherwise; see [`read_accounts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Transactions {
    /// One account per distinct `account` value, in order of first appearance.
    pub accounts: Vec<Account>,
    /// One transaction per row.
    pub transactions: Vec<Transaction>,
}

/// Reads a transactions CSV (see the module formats). Rows without an `id` get one from the file
/// label and line, so re-reading the same file gives the same ids.
pub fn read_transactions(input: impl Read, source: &str) -> Result<Transactions> {
    let table = Table::read(
        input,
        source,
        &["date", "account", "amount", "currency"],
        &[
            "merchant",
            "category",
            "description",
            "pending",
            "transfer",
            "id",
        ],
    )?;
    let mut seen = AccountsSeen::default();
    let mut transactions = Vec::new();
    for row in table.rows() {
        let d = day(&row, 0)?;
        let account = account_id(&row, 1)?;
        let amount = decimal(&row, 2, "amount")?;
        let cur = currency(&row, 3)?;
        seen.see(&row, account.clone(), None, cur)?;
        let id = match row.get(9) {
            "" => format!("line-{}", row.line),
            given => given.to_owned(),
        };
        let mut t = Transaction::new(
            TransactionId::new(id.clone()).map_err(|e| row.core(e))?,
            account,
            d,
            Money::new(amount, cur),
        );
        t.external = Some(
            ExternalRef::new("csv", format!("{}#{id}", table.source())).map_err(|e| row.core(e))?,
        );
        t.merchant = Some(row.get(4))
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        t.category = match row.get(5) {
            "" => None,
            c => Some(Category::from_str(c).map_err(|e| row.core(e))?),
        };
        t.description = row.get(6).to_owned();
        t.pending = flag(&row, 7, "pending")?;
        t.transfer = flag(&row, 8, "transfer")?;
        transactions.push(t);
    }
    Ok(Transactions {
        accounts: seen.order,
        transactions,
    })
}

/// Reads an accounts CSV (see the module formats).
pub fn read_accounts(input: impl Read, source: &str) -> Result<Vec<Account>> {
    let table = Table::read(
        input,
        source,
        &["account", "type", "currency"],
        &["name", "institution", "number"],
    )?;
    let mut out: Vec<Account> = Vec::new();
    for row in table.rows() {
        let id = account_id(&row, 0)?;
        if out.iter().any(|a| a.id == id) {
            return Err(row.error(format!("account {id} appears twice")));
        }
        let kind: AccountType = row.get(1).parse().map_err(|e| row.core(e))?;
        let name = Some(row.get(3))
            .filter(|n| !n.is_empty())
            .unwrap_or(id.as_str())
            .to_owned();
        let mut a = Account::new(id, name, kind, currency(&row, 2)?);
        a.institution = Some(row.get(4))
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if !row.get(5).is_empty() {
            a = a.with_number(row.get(5)).map_err(|e| row.core(e))?;
        }
        out.push(a);
    }
    Ok(out)
}

/// Reads an FX-rates CSV into a table converting into `target`.
pub fn read_fx(input: impl Read, source: &str, target: Currency) -> Result<FxTable> {
    let table = Table::read(input, source, &["date", "currency", "rate"], &[])?;
    let mut fx = FxTable::new(target);
    for row in table.rows() {
        let d = day(&row, 0)?;
        let cur = currency(&row, 1)?;
        let rate = decimal(&row, 2, "rate")?;
        fx.insert(cur, d, rate).map_err(|e| row.core(e))?;
    }
    Ok(fx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn balances(text: &str) -> Result<Balances> {
        read_balances(text.as_bytes(), "b.csv")
    }

    fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn reads_balances_and_their_accounts() {
        let b = balances("date,account,type,balance,currency\n2026-01-01,chk,depository,100.50,USD\n2026-01-01,visa,credit,20,usd\n2026-01-02,chk,depository,90,USD\n").unwrap();
        assert_eq!(b.accounts.len(), 2);
        assert_eq!(b.accounts[1].kind, AccountType::Credit);
        assert_eq!(b.snapshots[0].current.amount(), dec!(100.50));
    }

    #[test]
    fn bad_balances_name_the_line() {
        let h = "date,account,type,balance,currency\n";
        assert_eq!(
            message(balances(&format!("{h}2026-01-01,chk,depository,12x,USD\n"))),
            "b.csv, line 2: balance '12x' is not a decimal number (write it like -1234.56)"
        );
        assert_eq!(
            message(balances(&format!(
                "{h}2026-01-01,chk,depository,1,234.5,USD\n"
            ))),
            "b.csv, line 2: expected 5 fields, found 6"
        );
        assert_eq!(
            message(balances(&format!(
                "{h}2026-01-01,chk,depository,\"1,234.50\",USD\n"
            ))),
            "b.csv, line 2: balance '1,234.50' is not a decimal number (write it like -1234.56)"
        );
        assert_eq!(
            message(balances(&format!("{h}2026-01-01,chk,depository,1e3,USD\n"))),
            "b.csv, line 2: balance '1e3' is not a decimal number (write it like -1234.56)"
        );
        assert_eq!(
            message(balances(&format!("{h}2026-01-01,chk,depository,1,XYZ\n"))),
            "b.csv, line 2: invalid currency: 'XYZ' is not an ISO 4217 currency code"
        );
        assert_eq!(
            message(balances(&format!("{h}2026-01-01,chk,savings,1,USD\n"))),
            "b.csv, line 2: invalid account type: 'savings' is not one of depository, credit, loan, investment, other"
        );
        assert_eq!(
            message(balances(&format!(
                "{h}2026-01-01,chk,depository,1,USD\n2026-01-02,chk,depository,1,EUR\n"
            ))),
            "b.csv, line 3: account chk is in USD on an earlier line, here in EUR"
        );
        assert_eq!(
            message(balances(&format!(
                "{h}2026-01-01,chk,depository,1,USD\n2026-01-02,chk,credit,1,USD\n"
            ))),
            "b.csv, line 3: account chk is depository on an earlier line, here credit"
        );
        assert!(
            message(balances("date,account,balance\n2026-01-01,chk,1\n"))
                .contains("missing 'type', 'currency'")
        );
        assert_eq!(
            message(balances("")),
            "b.csv: the file is empty: expected a header line 'date,account,type,balance,currency'"
        );
    }

    #[test]
    fn reads_transactions() {
        let t = read_transactions(
            "date,account,amount,currency,merchant,category,pending,transfer\n2026-01-03,chk,-12.30,USD,Cafe,Food/Restaurants,no,\n2026-01-04,chk,500,USD,,,0,yes\n".as_bytes(),
            "t.csv",
        )
        .unwrap();
        assert_eq!(t.transactions.len(), 2);
        let first = &t.transactions[0];
        assert_eq!(
            (
                first.id.as_str(),
                first.amount.amount(),
                first.merchant.as_deref()
            ),
            ("line-2", dec!(-12.30), Some("Cafe"))
        );
        assert_eq!(
            first.category.as_ref().unwrap().to_string(),
            "Food/Restaurants"
        );
        assert!(t.transactions[1].transfer && first.merchant.is_some());
        let bad = read_transactions(
            "date,account,amount,currency,pending\n2026-01-03,chk,-1,USD,maybe\n".as_bytes(),
            "t.csv",
        );
        assert_eq!(
            message(bad),
            "t.csv, line 2: pending 'maybe' is not true or false"
        );
        let bad = read_transactions(
            "date,account,amount,currency,category\n2026-01-03,chk,-1,USD,Food//X\n".as_bytes(),
            "t.csv",
        );
        assert!(message(bad).starts_with("t.csv, line 2: invalid category"));
    }

    #[test]
    fn accounts_keep_only_the_mask() {
        let a = read_accounts(
            "account,type,currency,number\nchk,depository,USD,1234 5678 9012\n".as_bytes(),
            "a.csv",
        )
        .unwrap();
        assert_eq!(a[0].mask.as_ref().unwrap().as_str(), "9012");
        assert!(!format!("{a:?}").contains("5678"));
    }

    #[test]
    fn fx_rates() {
        let usd = parse_currency("USD").unwrap();
        let eur = parse_currency("EUR").unwrap();
        let fx = read_fx(
            "date,currency,rate\n2026-01-01,EUR,1.08\n".as_bytes(),
            "fx.csv",
            usd,
        )
        .unwrap();
        assert_eq!(
            fx.rate(eur, "2026-02-01".parse().unwrap()).unwrap(),
            dec!(1.08)
        );
        assert!(
            message(read_fx(
                "date,currency,rate\n2026-01-01,EUR,-1\n".as_bytes(),
                "fx.csv",
                usd
            ))
            .contains("line 2")
        );
    }
}
