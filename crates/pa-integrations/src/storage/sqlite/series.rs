//! Balance series: each account's balances of one calendar year packed into one blob, derived from
//! the `balances` rows inside the same transaction as every write that touches them, so that net
//! worth over ten years reads about 200 rows instead of 73,000.
//!
//! Blob format (version 1): a version byte, then per balance in day order: the day as a LEB128
//! varint (day of year − 1 for the first, the gap in days after that), the decimal scale as one
//! byte, and the mantissa as a zigzag LEB128 varint (up to 128 bits). A daily balance in cents
//! takes about six bytes.

use std::collections::BTreeSet;

use chrono::Datelike;
use pa_core::time::Day;
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

const VERSION: u8 = 1;

fn corrupt(what: &str) -> Error {
    Error::Core(pa_core::Error::invalid("stored balance series", what))
}

fn put_varint(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> Result<u128> {
    let mut v: u128 = 0;
    for shift in (0..128).step_by(7) {
        let b = *bytes.get(*pos).ok_or_else(|| corrupt("truncated"))?;
        *pos += 1;
        v |= u128::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(corrupt("varint too long"))
}

/// Packs `points` (days of one year, ascending).
pub(super) fn encode(points: &[(Day, Decimal)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + points.len() * 6);
    out.push(VERSION);
    let mut prev: Option<u32> = None;
    for (day, amount) in points {
        let ordinal = day.naive().ordinal0();
        put_varint(&mut out, u128::from(ordinal - prev.unwrap_or(0)));
        prev = Some(ordinal);
        out.push(amount.scale() as u8);
        let m = amount.mantissa();
        put_varint(&mut out, ((m << 1) ^ (m >> 127)) as u128);
    }
    out
}

/// Unpacks a blob of `year`, calling `f` with each point in day order.
pub(super) fn decode(
    year: i32,
    bytes: &[u8],
    mut f: impl FnMut(Day, Decimal) -> Result<()>,
) -> Result<()> {
    if bytes.first() != Some(&VERSION) {
        return Err(corrupt("unknown version"));
    }
    let jan1 = chrono::NaiveDate::from_yo_opt(year, 1).ok_or_else(|| corrupt("bad year"))?;
    let (mut pos, mut ordinal) = (1, 0u128);
    while pos < bytes.len() {
        ordinal += get_varint(bytes, &mut pos)?;
        let scale = u32::from(*bytes.get(pos).ok_or_else(|| corrupt("truncated"))?);
        pos += 1;
        let z = get_varint(bytes, &mut pos)?;
        let mantissa = ((z >> 1) as i128) ^ -((z & 1) as i128);
        let amount = Decimal::try_from_i128_with_scale(mantissa, scale)
            .map_err(|_| corrupt("amount out of range"))?;
        let offset = u64::try_from(ordinal).map_err(|_| corrupt("day out of range"))?;
        let day = jan1
            .checked_add_days(chrono::Days::new(offset))
            .filter(|d| d.year() == year)
            .ok_or_else(|| corrupt("day out of range"))?;
        f(Day::from_naive(day), amount)?;
    }
    Ok(())
}

/// Rewrites the series of the given (account, year) pairs from the balance rows.
pub(super) fn rebuild(
    conn: &Connection,
    user: &str,
    dirty: &BTreeSet<(String, i32)>,
) -> Result<()> {
    let mut select = conn.prepare_cached(
        "SELECT day, current, currency FROM balances
         WHERE user_id = ?1 AND account_id = ?2 AND day BETWEEN ?3 AND ?4 ORDER BY day",
    )?;
    for (account, year) in dirty {
        let mut points = Vec::new();
        let mut currency = None;
        let mut rows = select.query(params![
            user,
            account,
            format!("{year:04}-01-01"),
            format!("{year:04}-12-31")
        ])?;
        while let Some(r) = rows.next()? {
            let day: Day = r.get::<_, String>(0)?.parse()?;
            points.push((day, super::decimal(&r.get::<_, String>(1)?)?));
            currency = Some(r.get::<_, String>(2)?);
        }
        match currency {
            Some(currency) => conn
                .prepare_cached(
                    "INSERT INTO balance_series (user_id, account_id, year, currency, points)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (user_id, account_id, year) DO UPDATE SET
                       currency = excluded.currency, points = excluded.points",
                )?
                .execute(params![user, account, year, currency, encode(&points)])?,
            None => conn
                .prepare_cached(
                    "DELETE FROM balance_series WHERE user_id = ?1 AND account_id = ?2 AND year = ?3",
                )?
                .execute(params![user, account, year])?,
        };
    }
    Ok(())
}

/// Rewrites every series of `user` (all users when `None`) from the balance rows: after the
/// migration that adds series, and after pruning balances.
pub(super) fn rebuild_all(conn: &Connection, user: Option<&str>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT user_id, account_id, CAST(substr(day, 1, 4) AS INTEGER) FROM balances
         WHERE ?1 IS NULL OR user_id = ?1",
    )?;
    let pairs = stmt
        .query_map([user], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i32>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    conn.execute(
        "DELETE FROM balance_series WHERE ?1 IS NULL OR user_id = ?1",
        [user],
    )?;
    let mut by_user: std::collections::BTreeMap<String, BTreeSet<(String, i32)>> =
        std::collections::BTreeMap::new();
    for (u, a, y) in pairs {
        by_user.entry(u).or_default().insert((a, y));
    }
    for (u, dirty) in by_user {
        rebuild(conn, &u, &dirty)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(
            year in 1900i32..2200,
            raw in proptest::collection::btree_map(0u32..366, (any::<i64>(), 0u32..=28), 0..60),
        ) {
            let points: Vec<(Day, Decimal)> = raw
                .into_iter()
                .filter_map(|(ord, (m, scale))| {
                    let d = chrono::NaiveDate::from_yo_opt(year, ord + 1)?;
                    Some((Day::from_naive(d), Decimal::new(m, scale)))
                })
                .collect();
            let blob = encode(&points);
            let mut back = Vec::new();
            decode(year, &blob, |d, a| {
                back.push((d, a));
                Ok(())
            })
            .unwrap();
            prop_assert_eq!(back, points);
        }

        #[test]
        fn garbage_is_an_error_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(2026, &bytes, |_, _| Ok(()));
        }
    }

    #[test]
    fn a_cent_balance_takes_a_few_bytes() {
        let points: Vec<(Day, Decimal)> = (1..=365)
            .map(|o| {
                let d = chrono::NaiveDate::from_yo_opt(2026, o).unwrap();
                (Day::from_naive(d), Decimal::new(1_234_567, 2))
            })
            .collect();
        assert!(encode(&points).len() <= 1 + 365 * 6);
        assert!(
            decode(2026, &[2, 0], |_, _| Ok(())).is_err(),
            "unknown version"
        );
        assert!(
            decode(2026, &[1, 0x80], |_, _| Ok(())).is_err(),
            "truncated"
        );
    }
}
