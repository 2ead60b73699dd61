//! Transactions and balances in SQLite (schema version 4): every field in its own column, and the
//! balance series kept in step with the balance rows.

use std::collections::BTreeMap;

use chrono::Datelike;
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{BalanceSnapshot, Transaction};
use pa_core::ids::{AccountId, ExternalRef, TransactionId};
use pa_core::money::{Currency, Money, parse_currency};
use pa_core::ports::upsert::{self, ContentHash, Lookup, Stored};
use pa_core::ports::{AuditAction, RecordKind};
use pa_core::time::Day;
use rusqlite::{Connection, OptionalExtension, Row, Transaction as SqlTx, params};

use super::{decimal, series};
use crate::error::{Error, Result};
use crate::storage::{Tally, ext_columns, rekey};

const TX_COLUMNS: &str = "id, account_id, source, external_id, posted, authorized, amount, \
                          currency, merchant, description, category, pending, pending_id, transfer";

/// The currency of a stored account; `None` when there is no such account.
fn account_currency(tx: &SqlTx<'_>, user: &str, account: &AccountId) -> Result<Option<Currency>> {
    let code: Option<String> = tx
        .prepare_cached("SELECT currency FROM accounts WHERE user_id = ?1 AND id = ?2")?
        .query_row(params![user, account.as_str()], |r| r.get(0))
        .optional()?;
    Ok(code.map(|c| parse_currency(&c)).transpose()?)
}

/// A transaction from a row of [`TX_COLUMNS`].
fn transaction_of(r: &Row<'_>) -> Result<Transaction> {
    Decoder::default().transaction(r)
}

/// Reads rows of [`TX_COLUMNS`], remembering the currencies and categories already parsed: a
/// long read repeats a few of each thousands of times (2,400 demo transactions: parsing them
/// again was about 6 % of the native side of the read, by perf).
#[derive(Default)]
struct Decoder {
    currency: Option<(String, Currency)>,
    categories: std::collections::HashMap<String, pa_core::finance::Category>,
}

impl Decoder {
    fn transaction(&mut self, r: &Row<'_>) -> Result<Transaction> {
        let text = |i: usize| -> Result<Option<&str>> {
            Ok(r.get_ref(i)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)?)
        };
        let code = text(7)?.unwrap_or_default();
        let currency = match &self.currency {
            Some((known, c)) if known == code => *c,
            _ => {
                let c = parse_currency(code)?;
                self.currency = Some((code.to_owned(), c));
                c
            }
        };
        let external = match (
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ) {
            (Some(source), Some(id)) => Some(ExternalRef::new(source, id)?),
            _ => None,
        };
        let day = |i: usize| -> Result<Option<Day>> {
            Ok(text(i)?.map(|d| d.parse::<Day>()).transpose()?)
        };
        let category = match text(10)? {
            None => None,
            Some(path) => Some(match self.categories.get(path) {
                Some(c) => c.clone(),
                None => {
                    let c: pa_core::finance::Category = path.parse()?;
                    self.categories.insert(path.to_owned(), c.clone());
                    c
                }
            }),
        };
        Ok(Transaction {
            id: TransactionId::new(r.get::<_, String>(0)?)?,
            external,
            account: AccountId::new(r.get::<_, String>(1)?)?,
            posted: day(4)?.ok_or_else(|| {
                Error::Core(pa_core::Error::invalid(
                    "stored transaction",
                    "no posted day",
                ))
            })?,
            authorized: day(5)?,
            amount: Money::new(decimal(text(6)?.unwrap_or_default())?, currency),
            merchant: r.get(8)?,
            description: r.get(9)?,
            category,
            pending: r.get::<_, i64>(11)? != 0,
            pending_id: r
                .get::<_, Option<String>>(12)?
                .map(TransactionId::new)
                .transpose()?,
            transfer: r.get::<_, i64>(13)? != 0,
        })
    }
}

pub(super) fn write_transaction(
    tx: &SqlTx<'_>,
    user: &str,
    t: &Transaction,
    tally: &mut Tally,
) -> Result<()> {
    upsert::check_transaction(t, account_currency(tx, user, &t.account)?)?;
    let ext = ext_columns(t.external.as_ref());
    // Stored column by column: the stored record is read back and hashed for pa-core's rule.
    let planned = upsert::plan(
        t,
        t.id.as_str(),
        t.external.as_ref(),
        |l| -> Result<Option<Stored>> {
            let old = match l {
                Lookup::External(e) => tx
                    .prepare_cached(&format!(
                        "SELECT {TX_COLUMNS} FROM transactions WHERE user_id = ?1 AND source = ?2 AND external_id = ?3"
                    ))?
                    .query_row(params![user, e.source(), e.external_id()], |r| {
                        Ok(transaction_of(r))
                    })
                    .optional()?
                    .transpose()?,
                Lookup::Key(k) => tx
                    .prepare_cached(&format!(
                        "SELECT {TX_COLUMNS} FROM transactions WHERE user_id = ?1 AND id = ?2"
                    ))?
                    .query_row(params![user, k], |r| Ok(transaction_of(r)))
                    .optional()?
                    .transpose()?,
            };
            old.map(|old| {
                Ok(Stored {
                    key: old.id.to_string(),
                    hash: ContentHash::of(&old)?.to_string(),
                })
            })
            .transpose()
        },
        rekey,
    )?;
    let Some((t, _, _)) = tally.count(RecordKind::Transaction, planned) else {
        return Ok(());
    };
    tx.prepare_cached(&format!(
        "INSERT INTO transactions (user_id, {TX_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (user_id, id) DO UPDATE SET account_id = excluded.account_id,
           source = excluded.source, external_id = excluded.external_id, posted = excluded.posted,
           authorized = excluded.authorized, amount = excluded.amount, currency = excluded.currency,
           merchant = excluded.merchant, description = excluded.description,
           category = excluded.category, pending = excluded.pending,
           pending_id = excluded.pending_id, transfer = excluded.transfer"
    ))?
    .execute(params![
        user,
        t.id.as_str(),
        t.account.as_str(),
        ext.0,
        ext.1,
        t.posted.to_string(),
        t.authorized.map(|d| d.to_string()),
        t.amount.amount().to_string(),
        t.amount.currency().code(),
        t.merchant,
        t.description,
        t.category.as_ref().map(|c| c.path().to_owned()),
        t.pending,
        t.pending_id.as_ref().map(|p| p.as_str().to_owned()),
        t.transfer
    ])?;
    Ok(())
}

pub(super) fn transactions(
    c: &Connection,
    user: &str,
    from: Day,
    to: Day,
) -> Result<Vec<Transaction>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {TX_COLUMNS} FROM transactions WHERE user_id = ?1 AND posted BETWEEN ?2 AND ?3
         ORDER BY posted, id"
    ))?;
    let mut rows = stmt.query(params![user, from.to_string(), to.to_string()])?;
    let (mut out, mut decoder) = (Vec::new(), Decoder::default());
    while let Some(r) = rows.next()? {
        out.push(decoder.transaction(r)?);
    }
    Ok(out)
}

/// Writes balances, one account-year blob at a time: each touched year is read, updated and
/// stored once however many of its days the batch holds.
pub(super) fn write_balances(
    tx: &SqlTx<'_>,
    user: &str,
    balances: &[BalanceSnapshot],
    tally: &mut Tally,
) -> Result<()> {
    let mut groups: BTreeMap<(&str, i32), Vec<&BalanceSnapshot>> = BTreeMap::new();
    let mut currencies: BTreeMap<&str, Currency> = BTreeMap::new();
    for b in balances {
        let account = b.account.as_str();
        let currency = match currencies.get(account) {
            Some(c) => Some(*c),
            None => account_currency(tx, user, &b.account)?,
        };
        upsert::check_balance(b, currency)?;
        if let Some(c) = currency {
            currencies.insert(account, c);
        }
        groups
            .entry((account, b.day.naive().year()))
            .or_default()
            .push(b);
    }
    for ((account, year), snaps) in groups {
        let (mut points, _) = series::load(tx, user, account, year)?;
        let mut changed = false;
        for b in snaps {
            let point = series::Point {
                current: b.current.amount(),
                available: b.available.map(|m| m.amount()),
                limit: b.limit.map(|m| m.amount()),
            };
            let key = upsert::balance_key(&b.account, b.day);
            match points.insert(b.day, point) {
                Some(old) if old == point => tally.report.unchanged += 1,
                Some(_) => {
                    tally.change(RecordKind::Balance, &key, AuditAction::Updated);
                    changed = true;
                }
                None => {
                    tally.change(RecordKind::Balance, &key, AuditAction::Added);
                    changed = true;
                }
            }
        }
        if changed {
            series::store(tx, user, account, year, currencies[account].code(), &points)?;
        }
    }
    Ok(())
}

/// Deletes one balance; whether it existed.
pub(super) fn delete_balance(tx: &SqlTx<'_>, user: &str, account: &str, day: Day) -> Result<bool> {
    let year = day.naive().year();
    let (mut points, currency) = series::load(tx, user, account, year)?;
    let (Some(currency), Some(_)) = (currency, points.remove(&day)) else {
        return Ok(false);
    };
    series::store(tx, user, account, year, &currency, &points)?;
    Ok(true)
}

/// Deletes every balance before `before`; how many.
pub(super) fn prune_balances(tx: &SqlTx<'_>, user: &str, before: Day) -> Result<u64> {
    let year = before.naive().year();
    let mut n = 0u64;
    let rows: Vec<(String, i32, String, Vec<u8>)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT account_id, year, currency, points FROM balance_series
             WHERE user_id = ?1 AND year <= ?2",
        )?;
        stmt.query_map(params![user, year], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (account, y, currency, blob) in rows {
        let mut kept = series::Year::new();
        series::decode(y, &blob, |d, p| {
            if d < before {
                n += 1;
            } else {
                kept.insert(d, p);
            }
            Ok(())
        })?;
        series::store(tx, user, &account, y, &currency, &kept)?;
    }
    Ok(n)
}

/// Snapshots of the account-years `rows` yields (account, year, currency, blob) whose day `keep`
/// selects, in row then day order.
fn snapshots(
    stmt: &mut rusqlite::CachedStatement<'_>,
    args: impl rusqlite::Params,
    mut keep: impl FnMut(&str, Day) -> bool,
) -> Result<Vec<BalanceSnapshot>> {
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let account = AccountId::new(r.get::<_, String>(0)?)?;
        let year: i32 = r.get(1)?;
        let currency = parse_currency(&r.get::<_, String>(2)?)?;
        let blob = blob(r, 3)?;
        series::decode(year, blob, |day, p| {
            if keep(account.as_str(), day) {
                out.push(snapshot(account.clone(), day, p, currency));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The snapshot of one stored balance.
fn snapshot(account: AccountId, day: Day, p: series::Point, currency: Currency) -> BalanceSnapshot {
    let mut b = BalanceSnapshot::new(account, day, Money::new(p.current, currency));
    b.available = p.available.map(|a| Money::new(a, currency));
    b.limit = p.limit.map(|l| Money::new(l, currency));
    b
}

fn blob<'r>(r: &'r Row<'_>, i: usize) -> Result<&'r [u8]> {
    r.get_ref(i)?.as_blob().map_err(|_| {
        Error::Core(pa_core::Error::invalid(
            "stored balance series",
            "not a blob",
        ))
    })
}

pub(super) fn balances(
    c: &Connection,
    user: &str,
    from: Day,
    to: Day,
) -> Result<Vec<BalanceSnapshot>> {
    let mut stmt = c.prepare_cached(
        "SELECT account_id, year, currency, points FROM balance_series
         WHERE user_id = ?1 AND year BETWEEN ?2 AND ?3 ORDER BY account_id, year",
    )?;
    snapshots(
        &mut stmt,
        params![user, from.naive().year(), to.naive().year()],
        |_, d| d >= from && d <= to,
    )
}

pub(super) fn latest_balances(
    c: &Connection,
    user: &str,
    day: Day,
) -> Result<Vec<BalanceSnapshot>> {
    let accounts: Vec<String> = {
        let mut stmt =
            c.prepare_cached("SELECT id FROM accounts WHERE user_id = ?1 ORDER BY id")?;
        stmt.query_map([user], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::new();
    let mut stmt = c.prepare_cached(
        "SELECT account_id, year, currency, points FROM balance_series
         WHERE user_id = ?1 AND account_id = ?2 AND year <= ?3 ORDER BY year DESC",
    )?;
    for account in accounts {
        // Newest year first: the first year with a balance on or before `day` holds the last one.
        let mut rows = stmt.query(params![user, account, day.naive().year()])?;
        while let Some(r) = rows.next()? {
            let year: i32 = r.get(1)?;
            let currency = parse_currency(&r.get::<_, String>(2)?)?;
            let mut last: Option<(Day, series::Point)> = None;
            series::decode(year, blob(r, 3)?, |d, p| {
                if d <= day {
                    last = Some((d, p));
                }
                Ok(())
            })?;
            if let Some((d, p)) = last {
                out.push(snapshot(AccountId::new(account.clone())?, d, p, currency));
                break;
            }
        }
    }
    Ok(out)
}

/// Each account's balances in `[from, to]` and its last one before `from`: years before `from`'s
/// are decoded only until that last balance is found.
pub(super) fn balance_histories(
    c: &Connection,
    user: &str,
    from: Day,
    to: Day,
) -> Result<Vec<BalanceHistory>> {
    let mut stmt = c.prepare_cached(
        "SELECT account_id, year, currency, points FROM balance_series
         WHERE user_id = ?1 AND year <= ?2 ORDER BY account_id, year DESC",
    )?;
    let mut rows = stmt.query(params![user, to.naive().year()])?;
    let mut out: Vec<BalanceHistory> = Vec::new();
    // Rows come newest year first per account: each year's points are kept apart and joined
    // oldest first once the account is done, so nothing is moved twice.
    let mut years: Vec<Vec<(Day, Money)>> = Vec::new();
    let mut current: Option<String> = None;
    let mut carried = false;
    let finish = |account: Option<String>,
                  years: &mut Vec<Vec<(Day, Money)>>,
                  out: &mut Vec<BalanceHistory>|
     -> Result<()> {
        if let Some(account) = account {
            let mut points = Vec::with_capacity(years.iter().map(Vec::len).sum());
            for y in years.drain(..).rev() {
                points.extend(y);
            }
            if !points.is_empty() {
                out.push(BalanceHistory {
                    account: AccountId::new(account)?,
                    points,
                });
            }
        }
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let account: String = r.get(0)?;
        if current.as_deref() != Some(account.as_str()) {
            finish(current.take(), &mut years, &mut out)?;
            current = Some(account);
            carried = false;
        }
        if carried {
            continue;
        }
        let year: i32 = r.get(1)?;
        let currency = parse_currency(&r.get::<_, String>(2)?)?;
        let mut year_points: Vec<(Day, Money)> = Vec::with_capacity(366);
        let mut before: Option<(Day, Money)> = None;
        series::decode(year, blob(r, 3)?, |day, p| {
            let point = (day, Money::new(p.current, currency));
            if day < from {
                before = Some(point);
            } else if day <= to {
                year_points.push(point);
            }
            Ok(())
        })?;
        if let Some(b) = before {
            year_points.insert(0, b);
            carried = true;
        }
        years.push(year_points);
    }
    finish(current, &mut years, &mut out)?;
    Ok(out)
}
