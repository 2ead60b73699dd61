//! Cash flow: income, spending and net by month and by category, top merchants, savings rate.
//!
//! Rules:
//! - Only settled transactions count ([`settled`]): a pending one replaced by its posted one is
//!   counted once.
//! - Transfers between the holder's own accounts are excluded: those flagged
//!   [`Transaction::transfer`], and, unless turned off, detected pairs: an outflow and an inflow
//!   of the same amount and currency on two different accounts within 3 days of each other
//!   (each transaction pairs at most once, closest day first).
//! - Income is the sum of positive amounts, spending the sum of negative amounts as a positive
//!   number (so a refund is income); net = income − spending. Months follow the posted day.
//! - Category sums include every descendant category (`Food` includes `Food/Groceries`);
//!   uncategorised transactions count under `Uncategorized`.
//! - Savings rate = net / income, rounded half to even to 4 decimal places; none without income.
//! - Amounts of different currencies are never added together: every result is per currency.

use rust_decimal::{Decimal, RoundingStrategy};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::fixed::{MAX_SCALE, add, common_scale, from_fixed, to_fixed};
use super::recurring::normalize_merchant;
use super::{Account, Category, Transaction, settled};
use crate::error::{Error, Result};
use crate::ids::AccountId;
use crate::money::Currency;
use crate::time::Month;

/// Tuning for [`cash_flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashflowOptions {
    /// Detect transfer pairs in addition to the flagged ones.
    pub detect_transfers: bool,
    /// Most days between the two legs of a transfer.
    pub transfer_window_days: u32,
    /// How many merchants to list per currency.
    pub top_merchants: usize,
}

impl Default for CashflowOptions {
    fn default() -> Self {
        Self {
            detect_transfers: true,
            transfer_window_days: 3,
            top_merchants: 10,
        }
    }
}

/// Income and spending of one month in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthFlow {
    /// The month.
    pub month: Month,
    /// The currency.
    pub currency: Currency,
    /// Money in.
    pub income: Decimal,
    /// Money out, as a positive number.
    pub spending: Decimal,
    /// Income − spending.
    pub net: Decimal,
    /// Net / income, 4 decimal places; `None` without income.
    pub savings_rate: Option<Decimal>,
}

/// Income and spending of one category (descendants included) in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryFlow {
    /// The category.
    pub category: Category,
    /// The currency.
    pub currency: Currency,
    /// Money in.
    pub income: Decimal,
    /// Money out, as a positive number.
    pub spending: Decimal,
    /// Income − spending.
    pub net: Decimal,
    /// Transactions counted.
    pub count: u32,
}

/// Spending at one merchant (merchant names normalised as in recurring detection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MerchantFlow {
    /// The merchant, as first written.
    pub merchant: String,
    /// The currency.
    pub currency: Currency,
    /// Money out, as a positive number.
    pub spending: Decimal,
    /// Payments counted.
    pub count: u32,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CashFlow {
    /// Per month and currency, oldest first.
    pub by_month: Vec<MonthFlow>,
    /// Per category and currency, by category path.
    pub by_category: Vec<CategoryFlow>,
    /// Per currency, the merchants with the most spending, most first.
    pub top_merchants: Vec<MerchantFlow>,
    /// Transactions left out as transfers.
    pub transfers_excluded: usize,
}

/// Income (index 0) and spending (index 1) in fixed-point units, plus a count.
#[derive(Clone, Copy, Default)]
struct Sums {
    income: i128,
    spending: i128,
    count: u32,
}

impl Sums {
    fn add(&mut self, units: i128) -> Result<()> {
        if units >= 0 {
            self.income = add(self.income, units)?;
        } else {
            self.spending = add(self.spending, -units)?;
        }
        self.count += 1;
        Ok(())
    }
}

/// Validates accounts and currencies, then returns the settled, non-transfer transactions.
pub(crate) fn countable<'a>(
    accounts: &[Account],
    transactions: &'a [Transaction],
    detect_transfers: bool,
    window_days: u32,
) -> Result<(Vec<&'a Transaction>, usize)> {
    let currency_of: FxHashMap<&AccountId, Currency> =
        accounts.iter().map(|a| (&a.id, a.currency)).collect();
    for t in transactions {
        let &cur = currency_of.get(&t.account).ok_or_else(|| {
            Error::invalid(
                format!("transaction {}", t.id),
                format!("account {} is unknown", t.account),
            )
        })?;
        if t.amount.currency() != cur {
            return Err(Error::invalid(
                format!("transaction {}", t.id),
                format!(
                    "is in {} but account {} is in {}",
                    t.amount.currency().code(),
                    t.account,
                    cur.code()
                ),
            ));
        }
    }
    let live = settled(transactions);
    let mut is_transfer: Vec<bool> = live.iter().map(|t| t.transfer).collect();
    if detect_transfers {
        pair_transfers(&live, &mut is_transfer, window_days);
    }
    let excluded = is_transfer.iter().filter(|x| **x).count();
    let kept = live
        .into_iter()
        .zip(is_transfer)
        .filter(|(_, x)| !x)
        .map(|(t, _)| t)
        .collect();
    Ok((kept, excluded))
}

/// Marks outflow/inflow pairs of equal amount on different accounts within the window.
fn pair_transfers(live: &[&Transaction], is_transfer: &mut [bool], window_days: u32) {
    // Keyed by the amount as an integer at the finest scale: cheaper than hashing a decimal.
    // An amount too fine for that scale cannot be matched and is simply never paired.
    let key = |t: &Transaction| {
        to_fixed(t.amount.amount().abs(), MAX_SCALE)
            .ok()
            .map(|units| (t.amount.currency(), units))
    };
    // Inflows by (currency, amount), each list sorted by day.
    let mut inflows: FxHashMap<(Currency, i128), Vec<usize>> = FxHashMap::default();
    for (i, t) in live.iter().enumerate() {
        if !is_transfer[i]
            && t.amount.amount() > Decimal::ZERO
            && let Some(k) = key(t)
        {
            inflows.entry(k).or_default().push(i);
        }
    }
    for list in inflows.values_mut() {
        list.sort_unstable_by_key(|&i| (live[i].posted, i));
    }
    // Only outflows with a same-amount inflow can pair; only those are sorted (by day, for a
    // deterministic closest-first pairing).
    let mut outflows: Vec<usize> = (0..live.len())
        .filter(|&i| !is_transfer[i] && live[i].amount.amount() < Decimal::ZERO)
        .filter(|&i| key(live[i]).is_some_and(|k| inflows.contains_key(&k)))
        .collect();
    outflows.sort_unstable_by_key(|&i| (live[i].posted, i));
    let window = i64::from(window_days);
    for o in outflows {
        let out = live[o];
        let Some(list) = key(out).and_then(|k| inflows.get(&k)) else {
            continue;
        };
        // Only the inflows inside the window are looked at.
        let lo = list.partition_point(|&i| out.posted.days_until(live[i].posted) < -window);
        let best = list[lo..]
            .iter()
            .copied()
            .map(|i| (out.posted.days_until(live[i].posted), i))
            .take_while(|(gap, _)| *gap <= window)
            .filter(|&(_, i)| !is_transfer[i] && live[i].account != out.account)
            .min_by_key(|&(gap, i)| (gap.unsigned_abs(), i));
        if let Some((_, i)) = best {
            is_transfer[o] = true;
            is_transfer[i] = true;
        }
    }
}

fn decimal(units: i128, scale: u32) -> Result<Decimal> {
    from_fixed(units, scale)
}

/// The cash-flow report of `transactions` on `accounts` (see the module rules).
///
/// Errors name the record: a transaction on an unknown account, or in another currency than its
/// account.
pub fn cash_flow(
    accounts: &[Account],
    transactions: &[Transaction],
    options: &CashflowOptions,
) -> Result<CashFlow> {
    let (kept, transfers_excluded) = countable(
        accounts,
        transactions,
        options.detect_transfers,
        options.transfer_window_days,
    )?;

    // First pass: the currencies and the span of months, so sums can live in dense arrays.
    let mut currencies: Vec<Currency> = Vec::new();
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    let mut finest = 0;
    for t in &kept {
        finest = finest.max(t.amount.amount().scale());
        if !currencies.contains(&t.amount.currency()) {
            currencies.push(t.amount.currency());
        }
        let m = month_number(t.posted.month());
        lo = lo.min(m);
        hi = hi.max(m);
    }
    let scale = common_scale([Decimal::new(0, finest)])?;
    let ncur = currencies.len();
    let nmonths = if kept.is_empty() {
        0
    } else {
        (hi - lo + 1) as usize
    };
    let mut months = vec![Sums::default(); nmonths * ncur];
    // Categories and merchants are interned once; their sums are indexed [interned × currency].
    let uncategorized = Category::new(["Uncategorized"])?;
    let mut category_index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut category_paths: Vec<Category> = Vec::new();
    let mut path_index: FxHashMap<Category, usize> = FxHashMap::default();
    let mut rollup: Vec<Vec<usize>> = Vec::new();
    let mut categories: Vec<Sums> = Vec::new();
    // Store numbers make most raw merchant strings distinct: size for that, not for rehashing.
    let mut merchant_group: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(kept.len(), Default::default());
    let mut groups: FxHashMap<String, usize> =
        FxHashMap::with_capacity_and_hasher(kept.len() / 4, Default::default());
    let mut merchant_names: Vec<&str> = Vec::new();
    let mut merchants: Vec<Sums> = Vec::new();

    for t in &kept {
        let c = currencies
            .iter()
            .position(|x| *x == t.amount.currency())
            .unwrap_or(0);
        let units = to_fixed(t.amount.amount(), scale)?;
        months[(month_number(t.posted.month()) - lo) as usize * ncur + c].add(units)?;

        let cat = t.category.as_ref().unwrap_or(&uncategorized);
        let ci = match category_index.get(cat.path()) {
            Some(&i) => i,
            None => {
                let ids: Vec<usize> = cat
                    .ancestors()
                    .map(|a| {
                        *path_index.entry(a.clone()).or_insert_with(|| {
                            category_paths.push(a);
                            categories.resize(category_paths.len() * ncur, Sums::default());
                            category_paths.len() - 1
                        })
                    })
                    .collect();
                rollup.push(ids);
                category_index.insert(cat.path(), rollup.len() - 1);
                rollup.len() - 1
            }
        };
        for &p in &rollup[ci] {
            categories[p * ncur + c].add(units)?;
        }

        if units < 0
            && let Some(m) = t
                .merchant
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
        {
            let g = match merchant_group.get(m) {
                Some(&g) => g,
                None => {
                    let g = *groups.entry(normalize_merchant(m)).or_insert_with(|| {
                        merchant_names.push(m);
                        merchants.resize(merchant_names.len() * ncur, Sums::default());
                        merchant_names.len() - 1
                    });
                    merchant_group.insert(m, g);
                    g
                }
            };
            merchants[g * ncur + c].add(units)?;
        }
    }

    let mut by_month = Vec::new();
    for (i, s) in months.iter().enumerate().filter(|(_, s)| s.count > 0) {
        let (m, c) = (i / ncur, i % ncur);
        let month = month_from_number(lo + m as i32)?;
        let (income, spending) = (decimal(s.income, scale)?, decimal(s.spending, scale)?);
        let net = income - spending;
        let savings_rate = (!income.is_zero())
            .then(|| net.checked_div(income))
            .flatten()
            .map(|r| r.round_dp_with_strategy(4, RoundingStrategy::MidpointNearestEven));
        by_month.push(MonthFlow {
            month,
            currency: currencies[c],
            income,
            spending,
            net,
            savings_rate,
        });
    }
    by_month.sort_by(|a, b| (a.month, a.currency.code()).cmp(&(b.month, b.currency.code())));

    let mut by_category = Vec::new();
    for (i, s) in categories.iter().enumerate().filter(|(_, s)| s.count > 0) {
        let (p, c) = (i / ncur, i % ncur);
        let (income, spending) = (decimal(s.income, scale)?, decimal(s.spending, scale)?);
        by_category.push(CategoryFlow {
            category: category_paths[p].clone(),
            currency: currencies[c],
            income,
            spending,
            net: income - spending,
            count: s.count,
        });
    }
    by_category
        .sort_by(|a, b| (&a.category, a.currency.code()).cmp(&(&b.category, b.currency.code())));

    let mut top_merchants = Vec::new();
    for (c, &currency) in currencies.iter().enumerate() {
        let mut list: Vec<MerchantFlow> = Vec::new();
        for (g, s) in merchants
            .iter()
            .skip(c)
            .step_by(ncur.max(1))
            .enumerate()
            .filter(|(_, s)| s.count > 0)
        {
            list.push(MerchantFlow {
                merchant: merchant_names[g].to_owned(),
                currency,
                spending: decimal(s.spending, scale)?,
                count: s.count,
            });
        }
        list.sort_by(|a, b| {
            b.spending
                .cmp(&a.spending)
                .then_with(|| a.merchant.cmp(&b.merchant))
        });
        list.truncate(options.top_merchants);
        top_merchants.extend(list);
    }
    top_merchants.sort_by(|a, b| {
        a.currency
            .code()
            .cmp(b.currency.code())
            .then(b.spending.cmp(&a.spending))
            .then_with(|| a.merchant.cmp(&b.merchant))
    });

    Ok(CashFlow {
        by_month,
        by_category,
        top_merchants,
        transfers_excluded,
    })
}

/// Months as consecutive integers, for dense arrays.
fn month_number(m: Month) -> i32 {
    m.year() * 12 + m.number() as i32 - 1
}

fn month_from_number(n: i32) -> Result<Month> {
    Month::new(n.div_euclid(12), n.rem_euclid(12) as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::AccountType;
    use crate::ids::TransactionId;
    use crate::money::{Money, parse_currency};
    use proptest::prelude::*;
    use rust_decimal::dec;

    fn usd() -> Currency {
        parse_currency("USD").unwrap()
    }

    fn accounts() -> Vec<Account> {
        vec![
            Account::new(
                AccountId::new("chk").unwrap(),
                "Checking",
                AccountType::Depository,
                usd(),
            ),
            Account::new(
                AccountId::new("sav").unwrap(),
                "Savings",
                AccountType::Depository,
                usd(),
            ),
            Account::new(
                AccountId::new("card").unwrap(),
                "Card",
                AccountType::Credit,
                usd(),
            ),
        ]
    }

    fn tx(
        id: &str,
        acct: &str,
        day: &str,
        amount: &str,
        merchant: Option<&str>,
        cat: Option<&str>,
    ) -> Transaction {
        let mut t = Transaction::new(
            TransactionId::new(id).unwrap(),
            AccountId::new(acct).unwrap(),
            day.parse().unwrap(),
            Money::parse(amount, usd()).unwrap(),
        );
        t.merchant = merchant.map(str::to_owned);
        t.category = cat.map(|c| c.parse().unwrap());
        t
    }

    #[test]
    fn hand_computed_report() {
        let mut pending = tx(
            "p",
            "card",
            "2026-01-29",
            "-40.00",
            Some("Grocer"),
            Some("Food/Groceries"),
        );
        pending.pending = true;
        let mut posted = tx(
            "t5",
            "card",
            "2026-02-01",
            "-40.00",
            Some("GROCER #12"),
            Some("Food/Groceries"),
        );
        posted.pending_id = Some(TransactionId::new("p").unwrap());
        let txns = vec![
            tx(
                "t1",
                "chk",
                "2026-01-01",
                "3000.00",
                Some("Employer"),
                Some("Income/Salary"),
            ),
            tx(
                "t2",
                "chk",
                "2026-01-05",
                "-1200.00",
                Some("Landlord"),
                Some("Housing/Rent"),
            ),
            tx(
                "t3",
                "card",
                "2026-01-10",
                "-60.25",
                Some("Grocer"),
                Some("Food/Groceries"),
            ),
            tx(
                "t4",
                "card",
                "2026-01-12",
                "-19.75",
                Some("Cafe"),
                Some("Food/Restaurants"),
            ),
            pending,
            posted,
            // A transfer pair, two days apart: excluded.
            tx("x1", "chk", "2026-01-20", "-500.00", None, None),
            tx("x2", "sav", "2026-01-22", "500.00", None, None),
            tx(
                "r1",
                "card",
                "2026-02-03",
                "5.00",
                Some("Cafe"),
                Some("Food/Restaurants"),
            ),
        ];
        let cf = cash_flow(&accounts(), &txns, &CashflowOptions::default()).unwrap();
        assert_eq!(cf.transfers_excluded, 2);
        let jan = &cf.by_month[0];
        assert_eq!(
            (jan.income, jan.spending, jan.net),
            (dec!(3000.00), dec!(1280.00), dec!(1720.00))
        );
        assert_eq!(jan.savings_rate, Some(dec!(0.5733)));
        let feb = &cf.by_month[1];
        assert_eq!(
            (feb.income, feb.spending, feb.net),
            (dec!(5.00), dec!(40.00), dec!(-35.00))
        );
        let food = cf
            .by_category
            .iter()
            .find(|c| c.category.to_string() == "Food")
            .unwrap();
        assert_eq!(
            (food.spending, food.income, food.count),
            (dec!(120.00), dec!(5.00), 4)
        );
        let groceries = cf
            .by_category
            .iter()
            .find(|c| c.category.to_string() == "Food/Groceries")
            .unwrap();
        assert_eq!(groceries.spending, dec!(100.25));
        assert_eq!(cf.top_merchants[0].merchant, "Landlord");
        let grocer = cf
            .top_merchants
            .iter()
            .find(|m| m.merchant == "Grocer")
            .unwrap();
        assert_eq!(
            (grocer.spending, grocer.count),
            (dec!(100.25), 2),
            "GROCER #12 is the same merchant"
        );
        let no_detect = CashflowOptions {
            detect_transfers: false,
            ..CashflowOptions::default()
        };
        let cf = cash_flow(&accounts(), &txns, &no_detect).unwrap();
        assert!(
            cf.by_category
                .iter()
                .any(|c| c.category.to_string() == "Uncategorized")
        );
    }

    #[test]
    fn bad_records_are_named() {
        let err = cash_flow(
            &accounts(),
            &[tx("t9", "ghost", "2026-01-01", "-1", None, None)],
            &CashflowOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid transaction t9: account ghost is unknown"
        );
        let mut t = tx("t8", "chk", "2026-01-01", "-1", None, None);
        t.amount = Money::parse("-1", parse_currency("EUR").unwrap()).unwrap();
        assert!(
            cash_flow(&accounts(), &[t], &CashflowOptions::default())
                .unwrap_err()
                .to_string()
                .contains("is in EUR")
        );
    }

    proptest! {
        /// Income − spending over all months equals the sum of the counted transactions.
        #[test]
        fn totals_equal_the_sum_of_transactions(rows in proptest::collection::vec((0usize..3, 0i64..90, -50_000i64..50_000, 0usize..4), 1..60)) {
            let cats = [None, Some("Food"), Some("Food/Groceries"), Some("Bills")];
            let names = ["chk", "sav", "card"];
            let start: crate::time::Day = "2026-01-01".parse().unwrap();
            let txns: Vec<Transaction> = rows.iter().enumerate().map(|(i, (a, d, cents, c))| {
                let mut t = Transaction::new(TransactionId::new(format!("t{i}")).unwrap(), AccountId::new(names[*a]).unwrap(), start.add_days(*d).unwrap(), Money::from_minor(*cents, usd()));
                t.category = cats[*c].map(|c| c.parse().unwrap());
                t
            }).collect();
            let opts = CashflowOptions { detect_transfers: false, ..CashflowOptions::default() };
            let cf = cash_flow(&accounts(), &txns, &opts).unwrap();
            let total: Decimal = txns.iter().map(|t| t.amount.amount()).sum();
            let by_month: Decimal = cf.by_month.iter().map(|m| m.net).sum();
            prop_assert_eq!(by_month, total);
            // Top-level categories partition the transactions.
            let top: Decimal = cf.by_category.iter().filter(|c| c.category.depth() == 1).map(|c| c.net).sum();
            prop_assert_eq!(top, total);
        }
    }
}
