//! Balances, packed: each account's balances of one calendar year are one row of `balance_series`
//! holding a blob. Ten years of daily balances for 20 accounts are 200 rows of about 2 KB instead
//! of 73,000 rows, which is what keeps a ten-year net worth within milliseconds and the file small.
//!
//! Blob format (version 2): a version byte, then per balance in day order: the day as a LEB128
//! varint (day of year − 1 for the first, the gap in days after that), a flags byte (bit 0: an
//! available amount follows, bit 1: a limit follows), then each amount as its decimal scale (one
//! byte) and its mantissa as a zigzag LEB128 varint (up to 128 bits). A daily balance in cents
//! takes about six bytes.

use std::collections::BTreeMap;

use chrono::Datelike as _;
use pa_core::time::Day;
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

const VERSION: u8 = 2;
const HAS_AVAILABLE: u8 = 1;
const HAS_LIMIT: u8 = 2;

/// One day's balance of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Point {
    pub(super) current: Decimal,
    pub(super) available: Option<Decimal>,
    pub(super) limit: Option<Decimal>,
}

/// One account-year: day → balance.
pub(super) type Year = BTreeMap<Day, Point>;

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

#[inline(always)]
fn get_varint(bytes: &[u8], pos: &mut usize) -> Result<u128> {
    // The first nine bytes (63 bits) accumulate in a u64, which is the common and cheap case.
    let mut low: u64 = 0;
    for shift in (0..63).step_by(7) {
        let b = *bytes.get(*pos).ok_or_else(|| corrupt("truncated"))?;
        *pos += 1;
        low |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(u128::from(low));
        }
    }
    let mut v = u128::from(low);
    for shift in (63..128).step_by(7) {
        let b = *bytes.get(*pos).ok_or_else(|| corrupt("truncated"))?;
        *pos += 1;
        v |= u128::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(corrupt("varint too long"))
}

fn put_decimal(out: &mut Vec<u8>, d: Decimal) {
    out.push(d.scale() as u8);
    let m = d.mantissa();
    put_varint(out, ((m << 1) ^ (m >> 127)) as u128);
}

#[inline(always)]
fn get_decimal(bytes: &[u8], pos: &mut usize) -> Result<Decimal> {
    let scale = u32::from(*bytes.get(*pos).ok_or_else(|| corrupt("truncated"))?);
    *pos += 1;
    let z = get_varint(bytes, pos)?;
    let mantissa = ((z >> 1) as i128) ^ -((z & 1) as i128);
    // Most amounts fit 64 bits, whose constructor is the cheap one.
    match i64::try_from(mantissa) {
        Ok(m) => Decimal::try_new(m, scale),
        Err(_) => Decimal::try_from_i128_with_scale(mantissa, scale),
    }
    .map_err(|_| corrupt("amount out of range"))
}

/// Packs one account-year.
pub(super) fn encode(year: &Year) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + year.len() * 6);
    out.push(VERSION);
    let mut prev: Option<u32> = None;
    for (day, p) in year {
        let ordinal = day.naive().ordinal0();
        put_varint(&mut out, u128::from(ordinal - prev.unwrap_or(0)));
        prev = Some(ordinal);
        let flags = u8::from(p.available.is_some()) * HAS_AVAILABLE
            + u8::from(p.limit.is_some()) * HAS_LIMIT;
        out.push(flags);
        put_decimal(&mut out, p.current);
        for d in [p.available, p.limit].into_iter().flatten() {
            put_decimal(&mut out, d);
        }
    }
    out
}

/// Unpacks a blob of `year`, calling `f` with each balance in day order.
pub(super) fn decode(
    year: i32,
    bytes: &[u8],
    mut f: impl FnMut(Day, Point) -> Result<()>,
) -> Result<()> {
    if bytes.first() != Some(&VERSION) {
        return Err(corrupt("unknown version"));
    }
    chrono::NaiveDate::from_yo_opt(year, 1).ok_or_else(|| corrupt("bad year"))?;
    let (mut pos, mut ordinal) = (1, 0u128);
    while pos < bytes.len() {
        ordinal += get_varint(bytes, &mut pos)?;
        let flags = *bytes.get(pos).ok_or_else(|| corrupt("truncated"))?;
        pos += 1;
        if flags & !(HAS_AVAILABLE | HAS_LIMIT) != 0 {
            return Err(corrupt("unknown flags"));
        }
        let current = get_decimal(bytes, &mut pos)?;
        let available = (flags & HAS_AVAILABLE != 0)
            .then(|| get_decimal(bytes, &mut pos))
            .transpose()?;
        let limit = (flags & HAS_LIMIT != 0)
            .then(|| get_decimal(bytes, &mut pos))
            .transpose()?;
        let day = u32::try_from(ordinal + 1)
            .ok()
            .and_then(|o| chrono::NaiveDate::from_yo_opt(year, o))
            .ok_or_else(|| corrupt("day out of range"))?;
        f(
            Day::from_naive(day),
            Point {
                current,
                available,
                limit,
            },
        )?;
    }
    Ok(())
}

/// The stored account-year (empty when there is none) and its currency.
pub(super) fn load(
    conn: &Connection,
    user: &str,
    account: &str,
    year: i32,
) -> Result<(Year, Option<String>)> {
    let row: Option<(String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT currency, points FROM balance_series
             WHERE user_id = ?1 AND account_id = ?2 AND year = ?3",
        )?
        .query_row(params![user, account, year], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut out = Year::new();
    let Some((currency, blob)) = row else {
        return Ok((out, None));
    };
    decode(year, &blob, |d, p| {
        out.insert(d, p);
        Ok(())
    })?;
    Ok((out, Some(currency)))
}

/// Stores an account-year (removes the row when it is empty).
pub(super) fn store(
    conn: &Connection,
    user: &str,
    account: &str,
    year: i32,
    currency: &str,
    points: &Year,
) -> Result<()> {
    if points.is_empty() {
        conn.prepare_cached(
            "DELETE FROM balance_series WHERE user_id = ?1 AND account_id = ?2 AND year = ?3",
        )?
        .execute(params![user, account, year])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO balance_series (user_id, account_id, year, currency, points)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (user_id, account_id, year) DO UPDATE SET
               currency = excluded.currency, points = excluded.points",
        )?
        .execute(params![user, account, year, currency, encode(points)])?;
    }
    Ok(())
}

/// Moves the balance rows of a version-3 store into series (migration 4), then drops the table.
pub(super) fn migrate_rows(conn: &Connection) -> Result<()> {
    type Key = (String, String, i32, String);
    let mut years: BTreeMap<Key, Year> = BTreeMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT user_id, account_id, day, current, currency, available, credit_limit FROM balances",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let day: Day = r.get::<_, String>(2)?.parse()?;
            let opt = |i: usize| -> Result<Option<Decimal>> {
                r.get::<_, Option<String>>(i)?
                    .map(|t| super::decimal(&t))
                    .transpose()
            };
            let point = Point {
                current: super::decimal(&r.get::<_, String>(3)?)?,
                available: opt(5)?,
                limit: opt(6)?,
            };
            let key = (r.get(0)?, r.get(1)?, day.naive().year(), r.get(4)?);
            years.entry(key).or_default().insert(day, point);
        }
    }
    for ((user, account, year, currency), points) in &years {
        store(conn, user, account, *year, currency, points)?;
    }
    conn.execute_batch("DROP TABLE balances;")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(
            year in 1900i32..2200,
            raw in proptest::collection::btree_map(
                0u32..366,
                (dec(), proptest::option::of(dec()), proptest::option::of(dec())),
                0..60,
            ),
        ) {
            let points: Year = raw
                .into_iter()
                .filter_map(|(ord, (current, available, limit))| {
                    let d = chrono::NaiveDate::from_yo_opt(year, ord + 1)?;
                    Some((Day::from_naive(d), Point { current, available, limit }))
                })
                .collect();
            let blob = encode(&points);
            let mut back = Year::new();
            decode(year, &blob, |d, p| {
                back.insert(d, p);
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
        let points: Year = (1..=365)
            .map(|o| {
                let d = chrono::NaiveDate::from_yo_opt(2026, o).unwrap();
                let p = Point {
                    current: Decimal::new(1_234_567, 2),
                    available: None,
                    limit: None,
                };
                (Day::from_naive(d), p)
            })
            .collect();
        assert!(encode(&points).len() <= 1 + 365 * 7);
        assert!(
            decode(2026, &[1, 0], |_, _| Ok(())).is_err(),
            "unknown version"
        );
        assert!(
            decode(2026, &[2, 0x80], |_, _| Ok(())).is_err(),
            "truncated"
        );
        assert!(
            decode(2026, &[2, 0, 4, 2, 2], |_, _| Ok(())).is_err(),
            "unknown flags"
        );
        assert!(
            decode(2026, &[2, 0x80, 3, 0, 2, 2], |_, _| Ok(())).is_err(),
            "day 385"
        );
    }
}
