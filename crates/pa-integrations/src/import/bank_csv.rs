//! Bank CSV exports, read through a column mapping: every bank writes its own CSV, so the person
//! describes theirs once (a JSON file; see [`BankCsvMapping`]) and pa reads every later export
//! with it.
//!
//! Rules:
//! - Amounts are exact decimals with the mapping's decimal and thousands separators; a leading or
//!   trailing minus sign and accounting parentheses `(12.50)` are negative; currency signs and
//!   spaces around the number are ignored. With `negate`, signs are flipped (exports that write
//!   money out as positive). With separate debit and credit columns, amount = credit − |debit|.
//! - Dates are read with the mapping's strftime format (`%d.%m.%Y`, `%m/%d/%Y`, …).
//! - A transaction is identified by the bank's id column when the mapping names one; otherwise by
//!   its account, date, amount and description, with a counter for identical rows on one day, so
//!   importing the same export, or an overlapping later one, adds each transaction once.
//! - A running-balance column gives the day's closing balance: the balance after the day's last
//!   row (the first row of the day when the file lists newest first).
//! - A row without a date or without an amount (a footer, a blank line) is skipped and reported;
//!   a malformed amount, or a row with an amount and a malformed date, is an error naming the
//!   line, and nothing of the file is written.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use pa_core::finance::{Account, AccountType, BalanceSnapshot, Transaction};
use pa_core::ids::{AccountId, ExternalRef, TransactionId};
use pa_core::money::{Money, parse_currency};
use pa_core::time::Day;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::csv_table::{Dialect, Table};
use super::{Parsed, stable_hash};
use crate::error::{Error, Result};

/// How to read one bank's CSV export.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankCsvMapping {
    /// The account the rows belong to (created or updated by the import).
    pub account: MappedAccount,
    /// The text encoding (`utf-8`, `windows-1252`, `iso-8859-1`, … as WHATWG labels).
    #[serde(default = "utf8")]
    pub encoding: String,
    /// The field separator (one character).
    #[serde(default = "comma")]
    pub delimiter: char,
    /// Lines before the header (a bank's preamble).
    #[serde(default)]
    pub skip_lines: usize,
    /// The date column and its strftime format.
    pub date: DateColumn,
    /// Where the amount is.
    pub amount: AmountColumns,
    /// Flip every amount's sign.
    #[serde(default)]
    pub negate: bool,
    /// The decimal separator (`.` or `,`).
    #[serde(default = "point")]
    pub decimal_separator: char,
    /// The thousands separator, if the bank writes one.
    #[serde(default)]
    pub thousands_separator: Option<char>,
    /// Columns joined (with spaces) into the description.
    #[serde(default)]
    pub description: Vec<String>,
    /// The counterparty column.
    #[serde(default)]
    pub merchant: Option<String>,
    /// The bank's transaction id column.
    #[serde(default)]
    pub id: Option<String>,
    /// A running balance column.
    #[serde(default)]
    pub balance: Option<String>,
}

/// The account named in a mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedAccount {
    /// pa's id for it (`dkb-giro`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// depository, credit, loan, investment or other.
    #[serde(rename = "type")]
    pub kind: AccountType,
    /// ISO 4217 currency of its amounts.
    pub currency: String,
    /// The bank.
    #[serde(default)]
    pub institution: Option<String>,
}

/// The date column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateColumn {
    /// Header name.
    pub column: String,
    /// strftime format; default ISO `%Y-%m-%d`.
    #[serde(default = "iso_date")]
    pub format: String,
}

/// One signed amount column, or separate debit and credit columns.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum AmountColumns {
    /// A signed amount.
    Signed {
        /// Header name.
        column: String,
    },
    /// Money out and money in, in two columns (one of them empty on each row).
    DebitCredit {
        /// Money out.
        debit: String,
        /// Money in.
        credit: String,
    },
}

fn utf8() -> String {
    "utf-8".into()
}
fn comma() -> char {
    ','
}
fn point() -> char {
    '.'
}
fn iso_date() -> String {
    "%Y-%m-%d".into()
}

impl BankCsvMapping {
    /// Reads a mapping from JSON, checked.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let m: Self = serde_json::from_str(text)
            .map_err(|e| Error::parse(source, Some(e.line() as u64), e.to_string()))?;
        let bad = |reason: String| Err(Error::parse(source, None, reason));
        if !m.delimiter.is_ascii() {
            return bad(format!(
                "the delimiter '{}' must be one ASCII character",
                m.delimiter
            ));
        }
        if !matches!(m.decimal_separator, '.' | ',') {
            return bad("decimal_separator must be '.' or ','".into());
        }
        if m.thousands_separator == Some(m.decimal_separator) {
            return bad("the thousands and decimal separators must differ".into());
        }
        if encoding_rs::Encoding::for_label(m.encoding.as_bytes()).is_none() {
            return bad(format!("'{}' is not a text encoding pa knows", m.encoding));
        }
        Ok(m)
    }

    /// Parses one amount as the mapping says.
    fn amount(&self, text: &str) -> std::result::Result<Decimal, String> {
        let t = text.trim();
        let bad = || format!("'{text}' is not an amount");
        let (mut negative, mut t) = match t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            Some(inner) => (true, inner.trim()),
            None => (false, t),
        };
        // Currency signs or codes around the number.
        t = t.trim_matches(|c: char| !(c.is_ascii_digit() || "+-.,".contains(c)));
        if let Some(r) = t.strip_prefix('-') {
            negative = !negative;
            t = r;
        } else if let Some(r) = t.strip_suffix('-') {
            negative = !negative;
            t = r;
        } else if let Some(r) = t.strip_prefix('+') {
            t = r;
        }
        let mut plain = String::with_capacity(t.len());
        for c in t.chars() {
            match c {
                c if c.is_ascii_digit() => plain.push(c),
                c if Some(c) == self.thousands_separator || c == ' ' || c == '\u{a0}' => {}
                c if c == self.decimal_separator => plain.push('.'),
                _ => return Err(bad()),
            }
        }
        if plain.is_empty() || plain.matches('.').count() > 1 {
            return Err(bad());
        }
        let d: Decimal = plain.parse().map_err(|_| bad())?;
        Ok(if negative { -d } else { d })
    }
}

/// Reads the bank CSV export at `path` with `mapping`.
pub fn read_file(path: &std::path::Path, mapping: &BankCsvMapping) -> Result<Parsed> {
    let (bytes, name) = super::read_bytes(path)?;
    read(&bytes, &name, mapping)
}

/// Reads a bank CSV export with `mapping`.
pub fn read(bytes: &[u8], name: &str, mapping: &BankCsvMapping) -> Result<Parsed> {
    let encoding =
        encoding_rs::Encoding::for_label(mapping.encoding.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let (text, _, malformed) = encoding.decode(bytes);
    let mut parsed = Parsed::default();
    if malformed {
        parsed.warnings.push(format!(
            "some bytes are not {}: they were replaced",
            encoding.name()
        ));
    }
    let mut rest: &str = &text;
    for _ in 0..mapping.skip_lines {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    let mut required = vec![mapping.date.column.as_str()];
    match &mapping.amount {
        AmountColumns::Signed { column } => required.push(column),
        AmountColumns::DebitCredit { debit, credit } => {
            required.push(debit);
            required.push(credit);
        }
    }
    let fixed = required.len();
    let mut optional: Vec<&str> = mapping.description.iter().map(String::as_str).collect();
    let described = optional.len();
    optional.extend(mapping.merchant.as_deref());
    optional.extend(mapping.id.as_deref());
    optional.extend(mapping.balance.as_deref());
    // Optional columns the mapping names must be there too: a typo would silently lose data.
    required.extend(optional.iter().copied());
    let table = Table::read_with(
        rest.as_bytes(),
        name,
        &required,
        &[],
        &Dialect {
            delimiter: mapping.delimiter as u8,
            flexible: true,
            skipped_lines: mapping.skip_lines as u64,
        },
    )?;
    let index = |opt: Option<&String>, before: usize| opt.map(|_| before);
    let merchant_at = index(mapping.merchant.as_ref(), fixed + described);
    let id_at = index(
        mapping.id.as_ref(),
        fixed + described + usize::from(merchant_at.is_some()),
    );
    let balance_at = index(
        mapping.balance.as_ref(),
        fixed + described + usize::from(merchant_at.is_some()) + usize::from(id_at.is_some()),
    );

    let currency = parse_currency(&mapping.account.currency)
        .map_err(|e| Error::parse(name, None, e.to_string()))?;
    let account_id =
        AccountId::new(&mapping.account.id).map_err(|e| Error::parse(name, None, e.to_string()))?;
    let mut account = Account::new(
        account_id.clone(),
        &mapping.account.name,
        mapping.account.kind,
        currency,
    );
    account.institution.clone_from(&mapping.account.institution);
    account.external = Some(ExternalRef::new("csv", mapping.account.id.as_str())?);
    parsed.batch.accounts.push(account);

    let mut seen: HashMap<String, u32> = HashMap::new();
    // Per day: (first row's balance, last row's balance), in file order.
    let mut balances: BTreeMap<Day, (Decimal, Decimal)> = BTreeMap::new();
    let mut days_in_order: Vec<Day> = Vec::new();
    for row in table.rows() {
        let date_text = row.get(0);
        let no_amount = (1..fixed).all(|i| row.get(i).is_empty());
        let day = match NaiveDate::parse_from_str(date_text, &mapping.date.format) {
            Ok(d) => Day::from_naive(d),
            // A footer ("closing balance …") or a blank row: no date and no amount.
            Err(_) if date_text.is_empty() || no_amount => {
                parsed.skip(
                    format!("line {}", row.line),
                    "not a transaction (no date or no amount)",
                );
                continue;
            }
            Err(_) => {
                return Err(row.error(format!(
                    "'{date_text}' is not a date in the format '{}'",
                    mapping.date.format
                )));
            }
        };
        let amount = match &mapping.amount {
            AmountColumns::Signed { .. } => mapping.amount(row.get(1)).map_err(|e| row.error(e))?,
            AmountColumns::DebitCredit { .. } => {
                let part = |i: usize| -> Result<Decimal> {
                    let t = row.get(i);
                    if t.is_empty() {
                        Ok(Decimal::ZERO)
                    } else {
                        mapping.amount(t).map_err(|e| row.error(e)).map(|d| d.abs())
                    }
                };
                let (debit, credit) = (part(1)?, part(2)?);
                if row.get(1).is_empty() && row.get(2).is_empty() {
                    return Err(row.error("neither a debit nor a credit amount"));
                }
                credit - debit
            }
        };
        let amount = if mapping.negate { -amount } else { amount };
        let description = (fixed..fixed + described)
            .map(|i| row.get(i))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let bank_id = id_at.map(|i| row.get(i)).filter(|t| !t.is_empty());
        let key = match bank_id {
            Some(id) => id.to_owned(),
            None => {
                let base = format!("{day}|{amount}|{description}");
                let n = seen.entry(base.clone()).or_insert(0);
                *n += 1;
                format!("{day}/{:016x}/{n}", stable_hash(&base))
            }
        };
        let external =
            ExternalRef::new("csv", format!("{}/{key}", account_id)).map_err(|e| row.core(e))?;
        let id = TransactionId::new(format!(
            "csv-{account_id}-{:016x}",
            stable_hash(external.external_id())
        ))
        .map_err(|e| row.core(e))?;
        let mut t = Transaction::new(id, account_id.clone(), day, Money::new(amount, currency));
        t.external = Some(external);
        t.description = description;
        t.merchant = merchant_at
            .map(|i| row.get(i).to_owned())
            .filter(|m| !m.is_empty());
        parsed.batch.transactions.push(t);
        if let Some(i) = balance_at
            && !row.get(i).is_empty()
        {
            let b = mapping.amount(row.get(i)).map_err(|e| row.error(e))?;
            let b = if mapping.negate { -b } else { b };
            balances
                .entry(day)
                .and_modify(|e| e.1 = b)
                .or_insert((b, b));
            if days_in_order.last() != Some(&day) {
                days_in_order.push(day);
            }
        }
    }
    // Newest first when the dates never rise through the file.
    let newest_first = days_in_order.windows(2).all(|w| w[0] >= w[1]) && days_in_order.len() > 1;
    for (day, (first, last)) in balances {
        let closing = if newest_first { first } else { last };
        // Credit and loan balances are kept as the amount owed, positive.
        let closing = if matches!(
            mapping.account.kind,
            AccountType::Credit | AccountType::Loan
        ) {
            -closing
        } else {
            closing
        };
        parsed.batch.balances.push(BalanceSnapshot::new(
            account_id.clone(),
            day,
            Money::new(closing, currency),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests;
