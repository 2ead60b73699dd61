//! Tests of recurring-bill detection, including precision and recall on generated histories.

use super::*;
use crate::money::{Currency, parse_currency};
use crate::time::Month;

fn usd() -> Currency {
    parse_currency("USD").unwrap()
}

fn day(s: &str) -> Day {
    s.parse().unwrap()
}

fn pay(id: usize, merchant: &str, d: Day, cents: i64) -> Transaction {
    let mut t = Transaction::new(
        TransactionId::new(format!("t{id}")).unwrap(),
        AccountId::new("chk").unwrap(),
        d,
        Money::from_minor(-cents, usd()),
    );
    t.merchant = Some(merchant.to_owned());
    t
}

#[test]
fn merchant_names_are_normalised() {
    assert_eq!(normalize_merchant("NETFLIX.COM"), "netflix");
    assert_eq!(normalize_merchant("Netflix, Inc."), "netflix");
    assert_eq!(normalize_merchant("SQ *BLUE BOTTLE 0423"), "blue bottle");
    assert_eq!(normalize_merchant("Trader Joe's #552"), "trader joe's");
    assert_eq!(normalize_merchant("12345"), "12345");
}

#[test]
fn monthly_due_days_keep_the_day_of_month() {
    assert_eq!(
        Cadence::Monthly.next_after(day("2026-01-31"), 31).unwrap(),
        day("2026-02-28")
    );
    assert_eq!(
        Cadence::Monthly.next_after(day("2026-02-28"), 31).unwrap(),
        day("2026-03-31")
    );
    assert_eq!(
        Cadence::Quarterly
            .next_after(day("2026-11-15"), 15)
            .unwrap(),
        day("2027-02-15")
    );
    assert_eq!(
        Cadence::Yearly.next_after(day("2024-02-29"), 29).unwrap(),
        day("2025-02-28")
    );
    assert_eq!(
        Cadence::Biweekly.next_after(day("2026-01-01"), 1).unwrap(),
        day("2026-01-15")
    );
}

#[test]
fn a_subscription_with_a_price_change_and_a_missed_payment() {
    let mut txns = Vec::new();
    let mut m = Month::new(2025, 1).unwrap();
    for i in 0..10 {
        let cents = if i < 6 { 1549 } else { 1799 };
        txns.push(pay(
            i,
            "NETFLIX.COM",
            Day::from_ymd(m.year(), m.number(), 15).unwrap(),
            cents,
        ));
        m = m.last_day().succ().unwrap().month();
    }
    // Last payment 2025-10-15; due 2025-11-15; as of 2025-11-22 still within the 7 days' grace.
    let found = detect_recurring(&txns, day("2025-11-22"), &RecurringOptions::default()).unwrap();
    assert_eq!(found.len(), 1);
    let b = &found[0];
    assert_eq!(
        (b.bill.cadence, b.bill.next_due, b.occurrences, b.missed),
        (Cadence::Monthly, day("2025-11-15"), 10, false)
    );
    assert_eq!(b.bill.amount, Money::from_minor(1799, usd()));
    // A 16 % rise: under the 20 % grouping tolerance, but a change between two runs of one price.
    let change = b.amount_change.as_ref().unwrap();
    assert_eq!(
        (change.from.amount(), change.to.amount(), change.on),
        (
            Decimal::new(1549, 2),
            Decimal::new(1799, 2),
            day("2025-07-15")
        )
    );
    assert_eq!(b.bill.id.as_str(), "detected:chk:netflix");
    let later = detect_recurring(&txns, day("2025-11-23"), &RecurringOptions::default()).unwrap();
    assert!(later[0].missed);
}

#[test]
fn a_varying_bill_has_no_price_change() {
    let cents = [9_500, 10_200, 8_900, 9_800, 9_100, 10_050];
    let txns: Vec<Transaction> = cents
        .iter()
        .enumerate()
        .map(|(i, c)| {
            pay(
                i,
                "City Power",
                Day::from_ymd(2025, 1 + i as u32, 10).unwrap(),
                *c,
            )
        })
        .collect();
    let found = detect_recurring(&txns, day("2025-06-20"), &RecurringOptions::default()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].amount_change, None);
    assert_eq!(found[0].bill.amount, Money::from_minor(9_800, usd())); // median of the last three
}

#[test]
fn shopping_is_not_a_bill() {
    // Weekly-ish visits with amounts all over the place.
    let txns: Vec<Transaction> = (0..30)
        .map(|i| {
            pay(
                i,
                "Grocer",
                day("2025-01-01").add_days(7 * i as i64).unwrap(),
                2000 + (i as i64 * 3779) % 9000,
            )
        })
        .collect();
    assert!(
        detect_recurring(&txns, day("2025-08-01"), &RecurringOptions::default())
            .unwrap()
            .is_empty()
    );
    // Two payments are not enough for a monthly bill.
    let two = vec![
        pay(0, "Gym", day("2025-01-05"), 2500),
        pay(1, "Gym", day("2025-02-05"), 2500),
    ];
    assert!(
        detect_recurring(&two, day("2025-02-10"), &RecurringOptions::default())
            .unwrap()
            .is_empty()
    );
}

/// A small deterministic generator (xorshift64*), so histories are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
}

struct Series {
    merchant: &'static str,
    cadence: Cadence,
    cents: i64,
    /// New price from this payment index on.
    change: Option<(usize, i64)>,
    noise_pct: i64,
    jitter: i64,
    skip: f64,
    /// Months of the year it runs in (lawn care), or all.
    season: Option<(u32, u32)>,
    /// Stops after this many payments (a cancelled subscription).
    stop_after: Option<usize>,
}

const SERIES: [Series; 11] = [
    Series {
        merchant: "NETFLIX.COM",
        cadence: Cadence::Monthly,
        cents: 1549,
        change: Some((22, 1799)),
        noise_pct: 0,
        jitter: 1,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "Landlord Properties LLC",
        cadence: Cadence::Monthly,
        cents: 150_000,
        change: Some((12, 157_500)),
        noise_pct: 0,
        jitter: 2,
        skip: 0.04,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "PLANET FITNESS #1123",
        cadence: Cadence::Monthly,
        cents: 2499,
        change: None,
        noise_pct: 0,
        jitter: 2,
        skip: 0.05,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "Spotify USA",
        cadence: Cadence::Monthly,
        cents: 1099,
        change: Some((30, 1199)),
        noise_pct: 0,
        jitter: 1,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "City Power & Light",
        cadence: Cadence::Monthly,
        cents: 9_500,
        change: None,
        noise_pct: 8,
        jitter: 3,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "City Water Utility",
        cadence: Cadence::Quarterly,
        cents: 8_500,
        change: None,
        noise_pct: 5,
        jitter: 4,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "GEICO AUTO",
        cadence: Cadence::Quarterly,
        cents: 31_000,
        change: Some((6, 33_500)),
        noise_pct: 0,
        jitter: 3,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "NAMECHEAP.COM",
        cadence: Cadence::Yearly,
        cents: 1_298,
        change: None,
        noise_pct: 0,
        jitter: 2,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "Amazon Prime",
        cadence: Cadence::Yearly,
        cents: 13_900,
        change: None,
        noise_pct: 0,
        jitter: 1,
        skip: 0.0,
        season: None,
        stop_after: None,
    },
    Series {
        merchant: "HelloFresh",
        cadence: Cadence::Weekly,
        cents: 5_999,
        change: None,
        noise_pct: 0,
        jitter: 1,
        skip: 0.06,
        season: None,
        stop_after: Some(60),
    },
    Series {
        merchant: "Green Lawn Care",
        cadence: Cadence::Biweekly,
        cents: 4_500,
        change: None,
        noise_pct: 0,
        jitter: 1,
        skip: 0.0,
        season: Some((4, 10)),
        stop_after: None,
    },
];

/// Three years of one person's card and checking history: the series above with jitter, skipped
/// months, price changes and amount noise, buried in groceries, restaurants, fuel and one-offs.
fn history(seed: u64) -> Vec<Transaction> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (start, end) = (day("2023-01-01"), day("2025-12-31"));
    let mut out = Vec::new();
    let mut id = 0usize;
    let mut push = |merchant: &str, d: Day, cents: i64, out: &mut Vec<Transaction>| {
        if d >= start && d <= end {
            out.push(pay(id, merchant, d, cents));
            id += 1;
        }
    };
    for s in &SERIES {
        let anchor = start.add_days(rng.range(0, 27)).unwrap();
        let mut due = anchor;
        let mut paid = 0usize;
        while due <= end && s.stop_after.is_none_or(|n| paid < n) {
            let in_season = s
                .season
                .is_none_or(|(a, b)| (a..=b).contains(&due.month_number()));
            if in_season && !rng.chance(s.skip) {
                let base = match s.change {
                    Some((at, new)) if paid >= at => new,
                    _ => s.cents,
                };
                let noise = if s.noise_pct > 0 {
                    base * rng.range(-s.noise_pct, s.noise_pct) / 100
                } else {
                    0
                };
                push(
                    s.merchant,
                    due.add_days(rng.range(-s.jitter, s.jitter)).unwrap(),
                    base + noise,
                    &mut out,
                );
                paid += 1;
            }
            due = s.cadence.next_after(due, anchor.day_of_month()).unwrap();
        }
    }
    let stores = ["WHOLEFDS MKT #10234", "TRADER JOE'S #552", "SAFEWAY 1290"];
    let restaurants: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "Restaurant {}",
                [
                    "Aurora", "Basil", "Cedar", "Dune", "Ember", "Fig", "Grove", "Harbor"
                ][i % 8]
                    .to_owned()
                    + &"x".repeat(i / 8)
            )
        })
        .collect();
    let mut d = start;
    while d <= end {
        if rng.chance(0.35) {
            push(
                stores[rng.range(0, 2) as usize],
                d,
                rng.range(1_500, 18_000),
                &mut out,
            );
        }
        if rng.chance(0.25) {
            push(
                &restaurants[rng.range(0, 39) as usize],
                d,
                rng.range(1_200, 9_000),
                &mut out,
            );
        }
        if rng.chance(0.12) {
            push("SHELL OIL 57442", d, rng.range(3_000, 7_000), &mut out);
        }
        if rng.chance(0.05) {
            let one_off = format!("Shop {}", rng.range(0, 5_000));
            push(&one_off, d, rng.range(500, 40_000), &mut out);
        }
        d = d.succ().unwrap();
    }
    out
}

#[test]
fn precision_and_recall_on_generated_histories() {
    let truth: Vec<String> = SERIES
        .iter()
        .map(|s| normalize_merchant(s.merchant))
        .collect();
    let (mut tp, mut fp, mut fnn) = (0usize, 0usize, 0usize);
    let mut mistakes = Vec::new();
    for seed in 1..=8 {
        let txns = history(seed);
        let found =
            detect_recurring(&txns, day("2026-01-05"), &RecurringOptions::default()).unwrap();
        let keys: Vec<&str> = found.iter().map(|b| b.key.as_str()).collect();
        for k in &keys {
            if truth.iter().any(|t| t == k) {
                tp += 1;
            } else {
                fp += 1;
                mistakes.push(format!("seed {seed}: false positive {k}"));
            }
        }
        for t in &truth {
            if !keys.contains(&t.as_str()) {
                fnn += 1;
                mistakes.push(format!("seed {seed}: missed {t}"));
            }
        }
        // Every detected bill carries the right cadence and a sane amount.
        for b in &found {
            if let Some(s) = SERIES
                .iter()
                .find(|s| normalize_merchant(s.merchant) == b.key)
            {
                assert_eq!(b.bill.cadence, s.cadence, "seed {seed}: {}", b.key);
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fnn).max(1) as f64;
    println!(
        "recurring detection over 8 generated 3-year histories: precision {precision:.3}, recall {recall:.3} (tp {tp}, fp {fp}, fn {fnn})"
    );
    for m in &mistakes {
        println!("  {m}");
    }
    assert!(precision >= 0.95, "precision {precision:.3}: {mistakes:?}");
    assert!(recall >= 0.95, "recall {recall:.3}: {mistakes:?}");
}

#[test]
fn cancelled_subscription_is_flagged_missed() {
    let txns = history(3);
    let found = detect_recurring(&txns, day("2026-01-05"), &RecurringOptions::default()).unwrap();
    let fresh = found
        .iter()
        .find(|b| b.key == "hellofresh")
        .expect("HelloFresh found");
    assert!(fresh.missed);
    let netflix = found
        .iter()
        .find(|b| b.key == "netflix")
        .expect("Netflix found");
    assert!(!netflix.missed);
    assert_eq!(
        netflix.amount_change.as_ref().map(|c| c.to.amount()),
        Some(Decimal::new(1799, 2))
    );
}
