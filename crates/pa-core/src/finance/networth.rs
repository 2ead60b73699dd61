//! Net worth: a daily series of assets − liabilities.
//!
//! Rules:
//! - Each account's balance on a day is its latest snapshot on or before that day, carried
//!   forward; before its first snapshot the account contributes nothing. Two snapshots of one
//!   account on one day: the later one in the input wins.
//! - An account counts only while open: from `opened` (inclusive) to `closed` (exclusive).
//! - Depository, investment and other balances are assets; credit and loan balances are what is
//!   owed (positive) and are liabilities. Net worth = assets − liabilities.
//! - Without an FX table the series is per currency: one row per day per currency, never a sum
//!   across currencies. With a table ([`net_worth_in`]), each currency's per-type totals are
//!   converted at that day's rate, rounded half to even to the target's minor unit, then added.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::fixed::{add, common_scale, from_fixed, to_fixed};
use super::fx::FxTable;
use super::{Account, AccountType, BalanceSnapshot};
use crate::error::{Error, Result};
use crate::fitness::pmc::MAX_SPAN_DAYS;
use crate::ids::AccountId;
use crate::money::{Currency, Money};
use crate::time::Day;

const TYPES: usize = AccountType::ALL.len();

/// Net worth on one day in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWorthRow {
    /// The day.
    pub day: Day,
    /// The currency of every amount in the row.
    pub currency: Currency,
    /// Sum of asset balances.
    pub assets: Decimal,
    /// Sum of amounts owed.
    pub liabilities: Decimal,
    /// Assets − liabilities.
    pub net_worth: Decimal,
    /// Balance per account type, indexed by [`AccountType::index`] (liabilities as owed).
    pub by_type: [Decimal; TYPES],
}

impl NetWorthRow {
    /// The summed balance of one account type.
    pub fn of_type(&self, kind: AccountType) -> Decimal {
        self.by_type[kind.index()]
    }
}

/// A period to compare net worth over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 7 days.
    Week,
    /// The same day of the previous month (the month's last day if it is shorter).
    Month,
    /// The same day of the previous year (28 February for 29 February).
    Year,
}

impl Period {
    fn before(self, day: Day) -> Option<Day> {
        let d = day.naive();
        let earlier = match self {
            Period::Week => d.checked_sub_days(chrono::Days::new(7)),
            Period::Month => d.checked_sub_months(chrono::Months::new(1)),
            Period::Year => d.checked_sub_months(chrono::Months::new(12)),
        };
        earlier.map(Day::from_naive)
    }
}

/// A net-worth series: rows ordered by day, then by currency code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWorthSeries {
    /// First day.
    pub start: Day,
    /// Last day.
    pub end: Day,
    /// The currencies present, by code.
    pub currencies: Vec<Currency>,
    /// One row per day per currency.
    pub rows: Vec<NetWorthRow>,
}

impl NetWorthSeries {
    /// The row for `day` in `currency`.
    pub fn on(&self, day: Day, currency: Currency) -> Option<&NetWorthRow> {
        let d = usize::try_from(self.start.days_until(day)).ok()?;
        let c = self.currencies.iter().position(|x| *x == currency)?;
        self.rows
            .get(d * self.currencies.len() + c)
            .filter(|r| r.day == day)
    }

    /// Net worth on `day` minus net worth one `period` earlier; `None` when either day is outside
    /// the series.
    pub fn change(&self, day: Day, currency: Currency, period: Period) -> Option<Decimal> {
        let now = self.on(day, currency)?;
        let then = self.on(period.before(day)?, currency)?;
        now.net_worth.checked_sub(then.net_worth)
    }

    /// The only currency of the series; an error naming them when there are several (sum them
    /// with [`net_worth_in`] and an FX table instead).
    pub fn single_currency(&self) -> Result<Currency> {
        match self.currencies.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::invalid("net worth", "has no balances")),
            many => Err(Error::invalid(
                "net worth",
                format!(
                    "mixes {} without an FX table",
                    many.iter().map(|c| c.code()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
}

/// Balances of one account over time: an alternative input to a flat list of snapshots that
/// carries the account id once, as a store returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceHistory {
    /// The account.
    pub account: AccountId,
    /// (day, balance) points in any order; on a day given twice, the later point wins.
    pub points: Vec<(Day, Money)>,
}

/// Daily totals per currency as fixed-point integers, before they become rows.
struct Totals {
    start: Day,
    days: usize,
    currencies: Vec<Currency>,
    scale: u32,
    /// `days × currencies × TYPES` running balances.
    cells: Vec<i128>,
}

/// Checks the range and the accounts; the number of days and the account index by id.
fn prepare(
    accounts: &[Account],
    from: Day,
    to: Day,
) -> Result<(usize, FxHashMap<&AccountId, usize>)> {
    if to < from {
        return Err(Error::invalid(
            "net worth range",
            format!("ends {to} before it starts {from}"),
        ));
    }
    let span = from.days_until(to) + 1;
    if span > MAX_SPAN_DAYS {
        return Err(Error::invalid(
            "net worth range",
            format!("{span} days is longer than {MAX_SPAN_DAYS}"),
        ));
    }
    // FxHash: ids are ours, not attacker-chosen keys, and SipHash would dominate the sweep.
    let index: FxHashMap<&AccountId, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.id, i))
        .collect();
    if index.len() != accounts.len() {
        return Err(Error::invalid("accounts", "an account id appears twice"));
    }
    for a in accounts {
        a.validate()?;
    }
    Ok((span as usize, index))
}

/// Balances grouped per account, each (day, amount), and the finest scale among them.
type Grouped = (Vec<Vec<(Day, Decimal)>>, u32);

fn group_snapshots(
    accounts: &[Account],
    index: &FxHashMap<&AccountId, usize>,
    balances: &[BalanceSnapshot],
) -> Result<Grouped> {
    let per = balances.len() / accounts.len().max(1) + 1;
    let mut per_account: Vec<Vec<(Day, Decimal)>> = (0..accounts.len())
        .map(|_| Vec::with_capacity(per))
        .collect();
    let mut finest = 0;
    for b in balances {
        let what = || format!("balance of account {} on {}", b.account, b.day);
        let &i = index
            .get(&b.account)
            .ok_or_else(|| Error::invalid(what(), "the account is unknown"))?;
        if b.current.currency() != accounts[i].currency {
            return Err(Error::invalid(
                what(),
                format!(
                    "is in {} but the account is in {}",
                    b.current.currency().code(),
                    accounts[i].currency.code()
                ),
            ));
        }
        b.validate()?;
        finest = finest.max(b.current.amount().scale());
        per_account[i].push((b.day, b.current.amount()));
    }
    Ok((per_account, finest))
}

fn group_histories(
    accounts: &[Account],
    index: &FxHashMap<&AccountId, usize>,
    histories: &[BalanceHistory],
) -> Result<Grouped> {
    let mut per_account: Vec<Vec<(Day, Decimal)>> = vec![Vec::new(); accounts.len()];
    let mut finest = 0;
    for h in histories {
        let &i = index.get(&h.account).ok_or_else(|| {
            Error::invalid(
                format!("balance history of account {}", h.account),
                "the account is unknown",
            )
        })?;
        let points = &mut per_account[i];
        points.reserve(h.points.len());
        for (day, money) in &h.points {
            if money.currency() != accounts[i].currency {
                return Err(Error::invalid(
                    format!("balance of account {} on {day}", h.account),
                    format!(
                        "is in {} but the account is in {}",
                        money.currency().code(),
                        accounts[i].currency.code()
                    ),
                ));
            }
            finest = finest.max(money.amount().scale());
            points.push((*day, money.amount()));
        }
    }
    Ok((per_account, finest))
}

/// The daily running totals from balances grouped per account.
fn totals(
    accounts: &[Account],
    grouped: Grouped,
    from: Day,
    to: Day,
    days: usize,
) -> Result<Totals> {
    let (mut per_account, finest) = grouped;
    let scale = common_scale([Decimal::new(0, finest)])?;
    let mut currencies: Vec<Currency> = accounts
        .iter()
        .zip(&per_account)
        .filter(|(_, s)| !s.is_empty())
        .map(|(a, _)| a.currency)
        .collect();
    currencies.sort_by_key(|c| c.code());
    currencies.dedup();
    let ncur = currencies.len();

    // Deltas: each account adds (new value − old value) on the days its contribution changes.
    let first_day = from.days_from_ce();
    let mut cells = vec![0_i128; days * ncur * TYPES];
    for (account, snaps) in accounts.iter().zip(per_account.iter_mut()) {
        if snaps.is_empty() {
            continue;
        }
        snaps.sort_by_key(|(d, _)| *d);
        // The days it counts on, inside the range: [open_from, open_to].
        let open_from = account.opened.map_or(from, |o| o.max(from));
        let open_to = match account.closed {
            Some(c) if c <= to => c.pred()?,
            _ => to,
        };
        if open_to < open_from {
            continue;
        }
        let c = currencies
            .iter()
            .position(|x| *x == account.currency)
            .unwrap_or(0);
        let mut put = |day: Day, delta: i128| -> Result<()> {
            let at = ((day.days_from_ce() - first_day) as usize * ncur + c) * TYPES
                + account.kind.index();
            cells[at] = add(cells[at], delta)?;
            Ok(())
        };
        // The balance carried into the first open day, then each later snapshot in turn.
        let first_after = snaps.partition_point(|(d, _)| *d <= open_from);
        let mut current = match first_after.checked_sub(1) {
            Some(i) => to_fixed(snaps[i].1, scale)?,
            None => 0,
        };
        put(open_from, current)?;
        let mut i = first_after;
        while i < snaps.len() && snaps[i].0 <= open_to {
            // The last snapshot of a day wins.
            while i + 1 < snaps.len() && snaps[i + 1].0 == snaps[i].0 {
                i += 1;
            }
            let v = to_fixed(snaps[i].1, scale)?;
            if v != current {
                put(snaps[i].0, v - current)?;
                current = v;
            }
            i += 1;
        }
        if open_to < to {
            put(open_to.succ()?, -current)?;
        }
    }
    // Running sums turn the deltas into balances.
    for i in ncur * TYPES..cells.len() {
        cells[i] = add(cells[i], cells[i - ncur * TYPES])?;
    }
    Ok(Totals {
        start: from,
        days,
        currencies,
        scale,
        cells,
    })
}

/// A row from per-type totals in fixed-point units at `scale`.
fn row(day: Day, currency: Currency, units: &[i128], scale: u32) -> Result<NetWorthRow> {
    let (mut assets, mut liabilities) = (0_i128, 0_i128);
    let mut by_type = [Decimal::ZERO; TYPES];
    for t in AccountType::ALL {
        let v = units[t.index()];
        if t.is_liability() {
            liabilities = add(liabilities, v)?;
        } else {
            assets = add(assets, v)?;
        }
        by_type[t.index()] = from_fixed(v, scale)?;
    }
    let net = assets
        .checked_sub(liabilities)
        .ok_or_else(|| Error::out_of_range("net worth"))?;
    Ok(NetWorthRow {
        day,
        currency,
        assets: from_fixed(assets, scale)?,
        liabilities: from_fixed(liabilities, scale)?,
        net_worth: from_fixed(net, scale)?,
        by_type,
    })
}

/// Rows from totals: per currency, or converted into `fx`'s target and summed.
fn series(t: Totals, from: Day, to: Day, fx: Option<&FxTable>) -> Result<NetWorthSeries> {
    let ncur = t.currencies.len();
    let mut date = t.start.naive();
    let Some(fx) = fx else {
        let mut rows = Vec::with_capacity(t.days * ncur);
        for d in 0..t.days {
            for (c, &currency) in t.currencies.iter().enumerate() {
                let base = (d * ncur + c) * TYPES;
                rows.push(row(
                    Day::from_naive(date),
                    currency,
                    &t.cells[base..base + TYPES],
                    t.scale,
                )?);
            }
            date = date.succ_opt().unwrap_or(date);
        }
        return Ok(NetWorthSeries {
            start: from,
            end: to,
            currencies: t.currencies,
            rows,
        });
    };
    let target = fx.target();
    // Converted amounts are rounded to the target's minor unit, so that is the scale they sum at.
    let scale = u32::from(target.exponent().unwrap_or(2));
    let mut rows = Vec::with_capacity(t.days);
    for d in 0..t.days {
        let day = Day::from_naive(date);
        let mut units = [0_i128; TYPES];
        for (c, &currency) in t.currencies.iter().enumerate() {
            let base = (d * ncur + c) * TYPES;
            for (k, v) in units.iter_mut().enumerate() {
                let cell = t.cells[base + k];
                if cell != 0 {
                    let converted =
                        fx.convert(Money::new(from_fixed(cell, t.scale)?, currency), day)?;
                    *v = add(*v, to_fixed(converted.amount(), scale)?)?;
                }
            }
        }
        rows.push(row(day, target, &units, scale)?);
        date = date.succ_opt().unwrap_or(date);
    }
    Ok(NetWorthSeries {
        start: from,
        end: to,
        currencies: vec![target],
        rows,
    })
}

/// The daily net-worth series from `from` to `to` (inclusive), one row per day per currency.
///
/// Errors name the record: a balance of an unknown account, a balance in another currency than
/// its account, a range that ends before it starts.
pub fn net_worth(
    accounts: &[Account],
    balances: &[BalanceSnapshot],
    from: Day,
    to: Day,
) -> Result<NetWorthSeries> {
    let (days, index) = prepare(accounts, from, to)?;
    let grouped = group_snapshots(accounts, &index, balances)?;
    series(totals(accounts, grouped, from, to, days)?, from, to, None)
}

/// The daily net-worth series converted into `fx`'s target currency: one row per day.
pub fn net_worth_in(
    accounts: &[Account],
    balances: &[BalanceSnapshot],
    from: Day,
    to: Day,
    fx: &FxTable,
) -> Result<NetWorthSeries> {
    let (days, index) = prepare(accounts, from, to)?;
    let grouped = group_snapshots(accounts, &index, balances)?;
    series(
        totals(accounts, grouped, from, to, days)?,
        from,
        to,
        Some(fx),
    )
}

/// As [`net_worth`] (or [`net_worth_in`] with `fx`), from balances already grouped per account.
pub fn net_worth_of_histories(
    accounts: &[Account],
    histories: &[BalanceHistory],
    from: Day,
    to: Day,
    fx: Option<&FxTable>,
) -> Result<NetWorthSeries> {
    let (days, index) = prepare(accounts, from, to)?;
    let grouped = group_histories(accounts, &index, histories)?;
    series(totals(accounts, grouped, from, to, days)?, from, to, fx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AccountId;
    use crate::money::{Money, parse_currency};
    use proptest::prelude::*;
    use rust_decimal::dec;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    fn usd() -> Currency {
        parse_currency("USD").unwrap()
    }

    fn account(id: &str, kind: AccountType, cur: Currency) -> Account {
        Account::new(AccountId::new(id).unwrap(), id, kind, cur)
    }

    fn bal(id: &str, d: &str, amount: Decimal, cur: Currency) -> BalanceSnapshot {
        BalanceSnapshot::new(AccountId::new(id).unwrap(), day(d), Money::new(amount, cur))
    }

    #[test]
    fn carries_balances_forward_and_subtracts_debts() {
        let mut card = account("card", AccountType::Credit, usd());
        card.opened = Some(day("2026-01-03"));
        let mut old = account("old", AccountType::Depository, usd());
        old.closed = Some(day("2026-01-04"));
        let accounts = vec![account("chk", AccountType::Depository, usd()), card, old];
        let balances = vec![
            bal("chk", "2025-12-20", dec!(1000.00), usd()),
            bal("chk", "2026-01-02", dec!(900.50), usd()),
            bal("card", "2026-01-01", dec!(250), usd()), // before it opened: counts from 01-03
            bal("old", "2026-01-01", dec!(40.00), usd()),
        ];
        let s = net_worth(&accounts, &balances, day("2026-01-01"), day("2026-01-05")).unwrap();
        let nets: Vec<Decimal> = s.rows.iter().map(|r| r.net_worth).collect();
        assert_eq!(
            nets,
            [
                dec!(1040.00),
                dec!(940.50),
                dec!(690.50),
                dec!(650.50),
                dec!(650.50)
            ]
        );
        let r = s.on(day("2026-01-03"), usd()).unwrap();
        assert_eq!((r.assets, r.liabilities), (dec!(940.50), dec!(250)));
        assert_eq!(r.of_type(AccountType::Credit), dec!(250));
        assert_eq!(s.change(day("2026-01-05"), usd(), Period::Week), None);
        assert_eq!(s.single_currency().unwrap(), usd());
    }

    #[test]
    fn several_currencies_stay_apart_unless_converted() {
        let eur = parse_currency("EUR").unwrap();
        let accounts = vec![
            account("us", AccountType::Depository, usd()),
            account("eu", AccountType::Investment, eur),
        ];
        let balances = vec![
            bal("us", "2026-01-01", dec!(100), usd()),
            bal("eu", "2026-01-01", dec!(200), eur),
        ];
        let s = net_worth(&accounts, &balances, day("2026-01-01"), day("2026-01-02")).unwrap();
        assert_eq!(s.currencies, vec![eur, usd()]);
        assert_eq!(s.rows.len(), 4);
        assert!(
            s.single_currency()
                .unwrap_err()
                .to_string()
                .contains("EUR, USD")
        );
        let mut fx = FxTable::new(usd());
        fx.insert(eur, day("2026-01-01"), dec!(1.1)).unwrap();
        fx.insert(eur, day("2026-01-02"), dec!(1.2)).unwrap();
        let c = net_worth_in(
            &accounts,
            &balances,
            day("2026-01-01"),
            day("2026-01-02"),
            &fx,
        )
        .unwrap();
        let nets: Vec<Decimal> = c.rows.iter().map(|r| r.net_worth).collect();
        assert_eq!(nets, [dec!(320.0), dec!(340.0)]);
        let no_rate = FxTable::new(usd());
        assert!(
            net_worth_in(
                &accounts,
                &balances,
                day("2026-01-01"),
                day("2026-01-02"),
                &no_rate
            )
            .is_err()
        );
    }

    #[test]
    fn bad_records_are_named() {
        let accounts = vec![account("chk", AccountType::Depository, usd())];
        let err = net_worth(
            &accounts,
            &[bal("ghost", "2026-01-01", dec!(1), usd())],
            day("2026-01-01"),
            day("2026-01-02"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid balance of account ghost on 2026-01-01: the account is unknown"
        );
        let eur = parse_currency("EUR").unwrap();
        let err = net_worth(
            &accounts,
            &[bal("chk", "2026-01-01", dec!(1), eur)],
            day("2026-01-01"),
            day("2026-01-02"),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("is in EUR but the account is in USD"),
            "{err}"
        );
        assert!(net_worth(&accounts, &[], day("2026-01-02"), day("2026-01-01")).is_err());
    }

    #[test]
    fn change_over_periods() {
        let accounts = vec![account("chk", AccountType::Depository, usd())];
        let balances = vec![
            bal("chk", "2025-03-31", dec!(10), usd()),
            bal("chk", "2026-02-28", dec!(30), usd()),
            bal("chk", "2026-03-31", dec!(70), usd()),
        ];
        let s = net_worth(&accounts, &balances, day("2025-03-01"), day("2026-03-31")).unwrap();
        assert_eq!(
            s.change(day("2026-03-31"), usd(), Period::Month),
            Some(dec!(40))
        ); // vs 02-28
        assert_eq!(
            s.change(day("2026-03-31"), usd(), Period::Year),
            Some(dec!(60))
        );
        assert_eq!(
            s.change(day("2026-03-31"), usd(), Period::Week),
            Some(dec!(40))
        );
    }

    #[test]
    fn histories_give_the_same_series_as_snapshots() {
        let accounts = vec![
            account("chk", AccountType::Depository, usd()),
            account("card", AccountType::Credit, usd()),
        ];
        let balances = vec![
            bal("chk", "2026-01-02", dec!(10), usd()),
            bal("card", "2026-01-01", dec!(3), usd()),
            bal("chk", "2026-01-01", dec!(5), usd()),
            bal("chk", "2026-01-02", dec!(12), usd()),
        ];
        let histories: Vec<BalanceHistory> = accounts
            .iter()
            .map(|a| BalanceHistory {
                account: a.id.clone(),
                points: balances
                    .iter()
                    .filter(|b| b.account == a.id)
                    .map(|b| (b.day, b.current))
                    .collect(),
            })
            .collect();
        let (from, to) = (day("2026-01-01"), day("2026-01-03"));
        assert_eq!(
            net_worth_of_histories(&accounts, &histories, from, to, None).unwrap(),
            net_worth(&accounts, &balances, from, to).unwrap()
        );
        let ghost = vec![BalanceHistory {
            account: AccountId::new("ghost").unwrap(),
            points: vec![],
        }];
        assert!(net_worth_of_histories(&accounts, &ghost, from, to, None).is_err());
    }

    proptest! {
        /// Net worth on every day equals the sum of each open account's carried balance.
        #[test]
        fn equals_the_sum_of_carried_balances(
            snaps in proptest::collection::vec((0usize..4, 0i64..40, -100_000i64..100_000), 0..40),
            opened in proptest::option::of(0i64..20), closed in proptest::option::of(20i64..40),
        ) {
            let start = day("2026-01-01");
            let kinds = [AccountType::Depository, AccountType::Credit, AccountType::Loan, AccountType::Investment];
            let mut accounts: Vec<Account> = kinds.iter().enumerate().map(|(i, k)| account(&format!("a{i}"), *k, usd())).collect();
            accounts[0].opened = opened.map(|o| start.add_days(o).unwrap());
            accounts[0].closed = closed.map(|c| start.add_days(c).unwrap());
            let balances: Vec<BalanceSnapshot> = snaps.iter()
                .map(|(a, d, cents)| BalanceSnapshot::new(accounts[*a].id.clone(), start.add_days(*d).unwrap(), Money::from_minor(*cents, usd())))
                .collect();
            let from = start.add_days(5).unwrap();
            let to = start.add_days(35).unwrap();
            let s = net_worth(&accounts, &balances, from, to).unwrap();
            for d in from.through(to) {
                let mut expected = Decimal::ZERO;
                for a in &accounts {
                    if !a.is_open_on(d) { continue; }
                    // The last snapshot on or before d, the later one on a tie.
                    let last = balances.iter().filter(|b| b.account == a.id && b.day <= d).max_by_key(|b| b.day);
                    let tie = last.map(|l| balances.iter().rfind(|b| b.account == a.id && b.day == l.day).unwrap_or(l));
                    if let Some(b) = tie {
                        if a.kind.is_liability() { expected -= b.current.amount(); } else { expected += b.current.amount(); }
                    }
                }
                let got = s.on(d, usd()).map_or(Decimal::ZERO, |r| r.net_worth);
                prop_assert_eq!(got, expected, "on {}", d);
            }
        }
    }
}
