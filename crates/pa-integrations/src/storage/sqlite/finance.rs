//! Transactions and balances in SQLite (schema version 4): every field in its own column, and the
//! balance series kept in step with the balance rows.

use chrono::Datelike;
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{BalanceSnapshot, Transaction};
use pa_core::ids::{AccountId, ExternalRef, TransactionId};
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{AuditAction, RecordKind};
use pa_core::time::Day;
use rusqlite::{Connection, OptionalExtension, Row, Transaction as SqlTx, params};

use super::{decimal, series};
use crate::error::{Error, Result};
use crate::storage::{Tally, ext_columns};

const TX_COLUMNS: &str = "id, account_id, source, external_id, posted, authorized, amount, \
                          currency, merchant, description, category, pending, pending_id, transfer";

/// The currency of a stored account, or an error naming `what`.
fn account_currency(tx: &SqlTx<'_>, user: &str, account: &AccountId, what: &str) -> Result<String> {
    tx.prepare_cached("SELECT currency FROM accounts WHERE user_id = ?1 AND id = ?2")?
        .query_row(params![user, account.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::Core(pa_core::Error::invalid(
                what,
                format!("account {account} is unknown"),
            ))
        })
}

/// A transaction from a row of [`TX_COLUMNS`].
fn transaction_of(r: &Row<'_>) -> Result<Transaction> {
    let currency = parse_currency(&r.get::<_, String>(7)?)?;
    let external = match (
        r.get::<_, Option<String>>(2)?,
        r.get::<_, Option<String>>(3)?,
    ) {
        (Some(source), Some(id)) => Some(ExternalRef::new(source, id)?),
        _ => None,
    };
    let day = |i: usize| -> Result<Option<Day>> {
        Ok(r.get::<_, Option<String>>(i)?
            .map(|d| d.parse::<Day>())
            .transpose()?)
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
        amount: Money::new(decimal(&r.get::<_, String>(6)?)?, currency),
        merchant: r.get(8)?,
        description: r.get(9)?,
        category: r
            .get::<_, Option<String>>(10)?
            .map(|c| c.parse())
            .transpose()?,
        pending: r.get::<_, i64>(11)? != 0,
        pending_id: r
            .get::<_, Option<String>>(12)?
            .map(TransactionId::new)
            .transpose()?,
        transfer: r.get::<_, i64>(13)? != 0,
    })
}

pub(super) fn write_transaction(
    tx: &SqlTx<'_>,
    user: &str,
    t: &Transaction,
    tally: &mut Tally,
) -> Result<()> {
    let what = format!("transaction {}", t.id);
    let currency = account_currency(tx, user, &t.account, &what)?;
    if currency != t.amount.currency().code() {
        return Err(Error::Core(pa_core::Error::invalid(
            what,
            format!(
                "is in {} but account {} is in {currency}",
                t.amount.currency().code(),
                t.account
            ),
        )));
    }
    let ext = ext_columns(t.external.as_ref());
    // The stored record this one replaces: by external reference, then by id.
    let mut stored: Option<Transaction> = None;
    if let (Some(source), Some(id)) = ext {
        stored = tx
            .prepare_cached(&format!(
                "SELECT {TX_COLUMNS} FROM transactions WHERE user_id = ?1 AND source = ?2 AND external_id = ?3"
            ))?
            .query_row(params![user, source, id], |r| Ok(transaction_of(r)))
            .optional()?
            .transpose()?;
    }
    if stored.is_none() {
        stored = tx
            .prepare_cached(&format!(
                "SELECT {TX_COLUMNS} FROM transactions WHERE user_id = ?1 AND id = ?2"
            ))?
            .query_row(params![user, t.id.as_str()], |r| Ok(transaction_of(r)))
            .optional()?
            .transpose()?;
    }
    let mut t = t.clone();
    match &stored {
        Some(old) => {
            t.id = old.id.clone();
            if *old == t {
                tally.report.unchanged += 1;
                return Ok(());
            }
            tally.change(RecordKind::Transaction, t.id.as_str(), AuditAction::Updated);
        }
        None => tally.change(RecordKind::Transaction, t.id.as_str(), AuditAction::Added),
    }
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
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(transaction_of(r)?);
    }
    Ok(out)
}

pub(super) fn write_balance(
    tx: &SqlTx<'_>,
    user: &str,
    b: &BalanceSnapshot,
    tally: &mut Tally,
) -> Result<()> {
    b.validate()?;
    let what = format!("balance of account {} on {}", b.account, b.day);
    let currency = account_currency(tx, user, &b.account, &what)?;
    if currency != b.current.currency().code() {
        return Err(Error::Core(pa_core::Error::invalid(
            what,
            format!(
                "is in {} but the account is in {currency}",
                b.current.currency().code()
            ),
        )));
    }
    let values = (
        b.current.amount().to_string(),
        b.available.map(|m| m.amount().to_string()),
        b.limit.map(|m| m.amount().to_string()),
    );
    let old: Option<(String, Option<String>, Option<String>)> = tx
        .prepare_cached("SELECT current, available, credit_limit FROM balances WHERE user_id = ?1 AND account_id = ?2 AND day = ?3")?
        .query_row(params![user, b.account.as_str(), b.day.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let key = format!("{}/{}", b.account, b.day);
    match old {
        Some(o) if o == values => {
            tally.report.unchanged += 1;
            return Ok(());
        }
        Some(_) => tally.change(RecordKind::Balance, &key, AuditAction::Updated),
        None => tally.change(RecordKind::Balance, &key, AuditAction::Added),
    }
    tx.prepare_cached(
        "INSERT INTO balances (user_id, account_id, day, current, currency, available, credit_limit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (user_id, account_id, day) DO UPDATE SET current = excluded.current, currency = excluded.currency,
           available = excluded.available, credit_limit = excluded.credit_limit",
    )?
    .execute(params![user, b.account.as_str(), b.day.to_string(), values.0, currency, values.1, values.2])?;
    tally
        .balance_years
        .insert((b.account.to_string(), b.day.naive().year()));
    Ok(())
}

/// Balance rows (account, day, current, currency, available, limit) as snapshots.
fn select_balances(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<BalanceSnapshot>> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut q = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let currency = parse_currency(&r.get::<_, String>(3)?)?;
        let money = |text: Option<String>| -> Result<Option<Money>> {
            text.map(|t| Ok(Money::new(decimal(&t)?, currency)))
                .transpose()
        };
        let mut b = BalanceSnapshot::new(
            AccountId::new(r.get::<_, String>(0)?)?,
            r.get::<_, String>(1)?.parse()?,
            Money::new(decimal(&r.get::<_, String>(2)?)?, currency),
        );
        b.available = money(r.get(4)?)?;
        b.limit = money(r.get(5)?)?;
        out.push(b);
    }
    Ok(out)
}

pub(super) fn balances(
    c: &Connection,
    user: &str,
    from: Day,
    to: Day,
) -> Result<Vec<BalanceSnapshot>> {
    // Per account, one range of the primary key.
    select_balances(
        c,
        "SELECT b.account_id, b.day, b.current, b.currency, b.available, b.credit_limit
         FROM accounts a JOIN balances b ON b.user_id = a.user_id AND b.account_id = a.id
           AND b.day BETWEEN ?2 AND ?3
         WHERE a.user_id = ?1 ORDER BY a.id, b.day",
        params![user, from.to_string(), to.to_string()],
    )
}

pub(super) fn latest_balances(
    c: &Connection,
    user: &str,
    day: Day,
) -> Result<Vec<BalanceSnapshot>> {
    // Per account, one index probe for its last day: no scan of the history.
    select_balances(
        c,
        "SELECT b.account_id, b.day, b.current, b.currency, b.available, b.credit_limit
         FROM accounts a JOIN balances b ON b.user_id = a.user_id AND b.account_id = a.id
           AND b.day = (SELECT MAX(day) FROM balances
                        WHERE user_id = a.user_id AND account_id = a.id AND day <= ?2)
         WHERE a.user_id = ?1 ORDER BY a.id",
        params![user, day.to_string()],
    )
}

/// Each account's balances in `[from, to]` and its last one before `from`, from the packed
/// series: years before `from`'s are decoded only for that last balance.
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
    // Newest year first per account; points are collected per year and reversed into place.
    let mut carried = false;
    while let Some(r) = rows.next()? {
        let account: String = r.get(0)?;
        let year: i32 = r.get(1)?;
        let currency = parse_currency(&r.get::<_, String>(2)?)?;
        let blob = r.get_ref(3)?.as_blob().map_err(|_| {
            Error::Core(pa_core::Error::invalid(
                "stored balance series",
                "not a blob",
            ))
        })?;
        let new_account = out.last().is_none_or(|h| h.account.as_str() != account);
        if new_account {
            out.push(BalanceHistory {
                account: AccountId::new(account)?,
                points: Vec::new(),
            });
            carried = false;
        }
        let Some(h) = out.last_mut() else { continue };
        if carried {
            continue;
        }
        let mut year_points: Vec<(Day, Money)> = Vec::new();
        let mut before: Option<(Day, Money)> = None;
        series::decode(year, blob, |day, amount| {
            let point = (day, Money::new(amount, currency));
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
        // Years arrive newest first: this year's points go before what is collected so far.
        year_points.append(&mut h.points);
        h.points = year_points;
    }
    out.retain(|h| !h.points.is_empty());
    Ok(out)
}
