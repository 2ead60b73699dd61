//! Benchmarks of the finance calculations against the targets: net worth over 10 years ×
//! 20 accounts ≤ 1 ms; cash flow over 50,000 transactions ≤ 5 ms; recurring detection over 50,000
//! transactions ≤ 50 ms.

#![allow(clippy::expect_used)] // fixed inputs: a failure here is a broken benchmark

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pa_core::finance::cashflow::{CashflowOptions, cash_flow};
use pa_core::finance::networth::{BalanceHistory, net_worth, net_worth_of_histories};
use pa_core::finance::recurring::{RecurringOptions, detect_recurring};
use pa_core::finance::{Account, AccountType, BalanceSnapshot, Transaction};
use pa_core::ids::{AccountId, TransactionId};
use pa_core::money::{Money, parse_currency};
use pa_core::time::Day;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn accounts(n: usize) -> Vec<Account> {
    let usd = parse_currency("USD").expect("USD");
    let kinds = [
        AccountType::Depository,
        AccountType::Credit,
        AccountType::Investment,
        AccountType::Loan,
        AccountType::Other,
    ];
    (0..n)
        .map(|i| {
            Account::new(
                AccountId::new(format!("a{i}")).expect("id"),
                format!("Account {i}"),
                kinds[i % kinds.len()],
                usd,
            )
        })
        .collect()
}

/// A daily balance for every account for ten years: 73,000 snapshots.
fn daily_balances(accounts: &[Account], start: Day, days: i64) -> Vec<BalanceSnapshot> {
    let mut rng = Rng(7);
    let mut out = Vec::with_capacity(accounts.len() * days as usize);
    for d in 0..days {
        let day = start.add_days(d).expect("day");
        for a in accounts {
            let cents = 100_000 + rng.below(5_000_000) as i64;
            out.push(BalanceSnapshot::new(
                a.id.clone(),
                day,
                Money::from_minor(cents, a.currency),
            ));
        }
    }
    out
}

/// 50,000 transactions over five years: shopping at 500 merchants in 30 categories, plus monthly
/// subscriptions.
fn transactions(accounts: &[Account], n: usize) -> Vec<Transaction> {
    let mut rng = Rng(11);
    let start = Day::from_ymd(2021, 1, 1).expect("day");
    let cats: Vec<String> = (0..30)
        .map(|i| format!("Group {}/Category {i}", i % 6))
        .collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let a = &accounts[rng.below(5) as usize];
        let (day, merchant, cents) = if i % 50 == 0 {
            let k = (i / 50) % 20;
            let month = (i / 1000) as i64;
            (
                start.add_days(month * 30 + k as i64).expect("day"),
                format!("Subscription {k}"),
                -(999 + k as i64 * 100),
            )
        } else {
            let cents = if rng.below(10) == 0 {
                250_000
            } else {
                -(rng.below(20_000) as i64 + 100)
            };
            (
                start.add_days(rng.below(1826) as i64).expect("day"),
                format!("MERCHANT {} #{}", rng.below(500), rng.below(90)),
                cents,
            )
        };
        let mut t = Transaction::new(
            TransactionId::new(format!("t{i}")).expect("id"),
            a.id.clone(),
            day,
            Money::from_minor(cents, a.currency),
        );
        t.merchant = Some(merchant);
        t.category = Some(cats[rng.below(30) as usize].parse().expect("category"));
        out.push(t);
    }
    out
}

fn bench(c: &mut Criterion) {
    let accts = accounts(20);
    let start = Day::from_ymd(2016, 1, 1).expect("day");
    let balances = daily_balances(&accts, start, 3650);
    let end = start.add_days(3649).expect("day");
    c.bench_function("networth_10y_20_accounts_daily_snapshots", |b| {
        b.iter(|| {
            net_worth(black_box(&accts), black_box(&balances), start, end).expect("net worth")
        })
    });
    let histories: Vec<BalanceHistory> = accts
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
    c.bench_function("networth_10y_20_accounts_daily_histories", |b| {
        b.iter(|| {
            net_worth_of_histories(black_box(&accts), black_box(&histories), start, end, None)
                .expect("net worth")
        })
    });

    let txns = transactions(&accts, 50_000);
    let opts = CashflowOptions::default();
    c.bench_function("cashflow_50000", |b| {
        b.iter(|| cash_flow(black_box(&accts), black_box(&txns), &opts).expect("cash flow"))
    });

    let as_of = Day::from_ymd(2026, 1, 1).expect("day");
    let ropts = RecurringOptions::default();
    c.bench_function("recurring_50000", |b| {
        b.iter(|| detect_recurring(black_box(&txns), as_of, &ropts).expect("recurring"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
