//! Investments: securities, holdings snapshots, portfolio value by day and allocation.
//!
//! A holdings snapshot is the list of an account's positions on one `as_of` day. On any day, an
//! account's positions are those of its latest snapshot on or before that day, so a position sold
//! (absent from a later snapshot) stops counting.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{AccountId, ExternalRef, InvestmentTransactionId, SecurityId};
use crate::money::{Currency, Money};
use crate::time::Day;

/// The kind of a security, for allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityType {
    /// Shares of a company.
    Equity,
    /// An exchange-traded fund.
    Etf,
    /// A mutual fund.
    MutualFund,
    /// Bonds and other fixed income.
    FixedIncome,
    /// Cash and money market.
    Cash,
    /// Crypto-assets.
    Crypto,
    /// Options and other derivatives.
    Derivative,
    /// Anything else.
    Other,
}

/// A security.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Security {
    /// pa's id.
    pub id: SecurityId,
    /// Ticker symbol.
    pub symbol: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: SecurityType,
    /// Currency it is priced in.
    pub currency: Currency,
}

/// A position in one security in one account on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    /// The account.
    pub account: AccountId,
    /// The security.
    pub security: SecurityId,
    /// The day the snapshot describes.
    pub as_of: Day,
    /// Units held.
    pub quantity: Decimal,
    /// Price per unit.
    pub price: Money,
    /// Market value (as reported; [`Holding::new`] computes quantity × price).
    pub value: Money,
    /// What was paid in total, when known.
    pub cost_basis: Option<Money>,
}

impl Holding {
    /// A holding valued at quantity × price, rounded half to even to the minor unit.
    pub fn new(
        account: AccountId,
        security: SecurityId,
        as_of: Day,
        quantity: Decimal,
        price: Money,
    ) -> Result<Self> {
        let value = quantity
            .checked_mul(price.amount())
            .map(|v| Money::new(v, price.currency()).rounded())
            .ok_or_else(|| Error::out_of_range(format!("{quantity} × {price}")))?;
        Ok(Self {
            account,
            security,
            as_of,
            quantity,
            price,
            value,
            cost_basis: None,
        })
    }

    /// Checks price, value and cost basis share one currency.
    pub fn validate(&self) -> Result<()> {
        let currency = self.price.currency();
        let other = [Some(self.value), self.cost_basis]
            .into_iter()
            .flatten()
            .find(|m| m.currency() != currency);
        if let Some(m) = other {
            return Err(Error::invalid(
                format!("holding {}/{}/{}", self.account, self.security, self.as_of),
                format!("mixes {} and {}", currency.code(), m.currency().code()),
            ));
        }
        Ok(())
    }

    /// Unrealised gain: value − cost basis.
    pub fn gain(&self) -> Option<Result<Money>> {
        self.cost_basis.map(|c| self.value.checked_sub(&c))
    }
}

/// What an investment transaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvestmentAction {
    /// Units bought.
    Buy,
    /// Units sold.
    Sell,
    /// A dividend or distribution paid in cash.
    Dividend,
    /// Interest paid in cash.
    Interest,
    /// Income used to buy more units.
    Reinvest,
    /// A fee or expense.
    Fee,
    /// Units moved in or out without cash.
    Transfer,
    /// Cash paid in.
    Deposit,
    /// Cash taken out.
    Withdrawal,
    /// A split or other change of units.
    Split,
    /// Anything else (return of capital, journal entries, option closures).
    Other,
}

/// A trade, income or cash movement in an investment account.
///
/// Signs: `quantity` is positive for units in (buy, reinvest, transfer in), negative for units
/// out; `amount` is the cash effect on the account, negative when cash leaves it (a buy), with
/// fees included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvestmentTransaction {
    /// pa's id.
    pub id: InvestmentTransactionId,
    /// The source record.
    pub external: Option<ExternalRef>,
    /// The account.
    pub account: AccountId,
    /// The security, when it concerns one.
    pub security: Option<SecurityId>,
    /// The trade (or settlement) day.
    pub day: Day,
    /// What it did.
    pub action: InvestmentAction,
    /// Units, signed.
    pub quantity: Option<Decimal>,
    /// Price per unit.
    pub price: Option<Money>,
    /// Cash effect on the account, signed.
    pub amount: Money,
    /// Commissions and fees.
    pub fees: Option<Money>,
    /// The institution's description.
    pub description: String,
}

impl InvestmentTransaction {
    /// Checks that every amount is in one currency.
    pub fn validate(&self) -> Result<()> {
        let currency = self.amount.currency();
        if let Some(m) = [self.price, self.fees]
            .into_iter()
            .flatten()
            .find(|m| m.currency() != currency)
        {
            return Err(Error::invalid(
                format!("investment transaction {}", self.id),
                format!("mixes {} and {}", currency.code(), m.currency().code()),
            ));
        }
        Ok(())
    }
}

/// Portfolio value on one day in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioDay {
    /// The day.
    pub day: Day,
    /// The currency.
    pub currency: Currency,
    /// Sum of holding values.
    pub value: Decimal,
}

/// Value per currency code of one snapshot.
type SnapshotValue = BTreeMap<&'static str, (Currency, Decimal)>;

/// Per account: snapshot day → value per currency.
fn snapshots(holdings: &[Holding]) -> Result<HashMap<&AccountId, BTreeMap<Day, SnapshotValue>>> {
    let mut by_account: HashMap<&AccountId, BTreeMap<Day, SnapshotValue>> = HashMap::new();
    for h in holdings {
        let cur = h.value.currency();
        let slot = by_account
            .entry(&h.account)
            .or_default()
            .entry(h.as_of)
            .or_default()
            .entry(cur.code())
            .or_insert((cur, Decimal::ZERO));
        slot.1 = slot
            .1
            .checked_add(h.value.amount())
            .ok_or_else(|| Error::out_of_range("portfolio value"))?;
    }
    Ok(by_account)
}

/// Portfolio value per day from `from` to `to`, one row per day per currency held.
pub fn portfolio_value(holdings: &[Holding], from: Day, to: Day) -> Result<Vec<PortfolioDay>> {
    if to < from {
        return Err(Error::invalid(
            "portfolio range",
            format!("ends {to} before it starts {from}"),
        ));
    }
    let span = from.days_until(to) + 1;
    if span > crate::fitness::pmc::MAX_SPAN_DAYS {
        return Err(Error::invalid(
            "portfolio range",
            format!("{span} days is too long"),
        ));
    }
    let snaps = snapshots(holdings)?;
    let mut currencies: BTreeMap<&'static str, Currency> = BTreeMap::new();
    for days in snaps.values() {
        for per in days.values() {
            for (code, (c, _)) in per {
                currencies.insert(code, *c);
            }
        }
    }
    let mut out = Vec::with_capacity(span as usize * currencies.len());
    for d in from.through(to) {
        for (code, &currency) in &currencies {
            let mut value = Decimal::ZERO;
            for days in snaps.values() {
                if let Some((_, per)) = days.range(..=d).next_back()
                    && let Some((_, v)) = per.get(code)
                {
                    value = value
                        .checked_add(*v)
                        .ok_or_else(|| Error::out_of_range("portfolio value"))?;
                }
            }
            out.push(PortfolioDay {
                day: d,
                currency,
                value,
            });
        }
    }
    Ok(out)
}

/// The share of one security type in one currency on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// The type.
    pub kind: SecurityType,
    /// The currency.
    pub currency: Currency,
    /// Value held.
    pub value: Decimal,
    /// Share of the currency's total, 0–1, 4 decimal places (half to even).
    pub share: Decimal,
}

/// Allocation by security type on `on`, per currency, largest first. An error names a holding of
/// an unknown security.
pub fn allocation(
    securities: &[Security],
    holdings: &[Holding],
    on: Day,
) -> Result<Vec<Allocation>> {
    let kinds: HashMap<&SecurityId, SecurityType> =
        securities.iter().map(|s| (&s.id, s.kind)).collect();
    // The latest snapshot of each account on or before `on`.
    let mut latest: HashMap<&AccountId, Day> = HashMap::new();
    for h in holdings.iter().filter(|h| h.as_of <= on) {
        let e = latest.entry(&h.account).or_insert(h.as_of);
        *e = (*e).max(h.as_of);
    }
    let mut sums: BTreeMap<(&'static str, SecurityType), (Currency, Decimal)> = BTreeMap::new();
    for h in holdings
        .iter()
        .filter(|h| latest.get(&h.account) == Some(&h.as_of))
    {
        let &kind = kinds.get(&h.security).ok_or_else(|| {
            Error::invalid(
                format!(
                    "holding of {} in account {} on {}",
                    h.security, h.account, h.as_of
                ),
                "the security is unknown",
            )
        })?;
        let cur = h.value.currency();
        let slot = sums
            .entry((cur.code(), kind))
            .or_insert((cur, Decimal::ZERO));
        slot.1 = slot
            .1
            .checked_add(h.value.amount())
            .ok_or_else(|| Error::out_of_range("allocation"))?;
    }
    let mut totals: HashMap<&'static str, Decimal> = HashMap::new();
    for ((code, _), (_, v)) in &sums {
        *totals.entry(code).or_default() += *v;
    }
    let mut out: Vec<Allocation> = sums
        .into_iter()
        .map(|((code, kind), (currency, value))| {
            let total = totals.get(code).copied().unwrap_or_default();
            let share = if total.is_zero() {
                Decimal::ZERO
            } else {
                (value / total).round_dp_with_strategy(4, RoundingStrategy::MidpointNearestEven)
            };
            Allocation {
                kind,
                currency,
                value,
                share,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.currency
            .code()
            .cmp(b.currency.code())
            .then(b.value.cmp(&a.value))
            .then(a.kind.cmp(&b.kind))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::parse_currency;
    use rust_decimal::dec;

    fn usd() -> Currency {
        parse_currency("USD").unwrap()
    }

    fn h(acct: &str, sec: &str, d: &str, qty: Decimal, price: &str) -> Holding {
        Holding::new(
            AccountId::new(acct).unwrap(),
            SecurityId::new(sec).unwrap(),
            d.parse().unwrap(),
            qty,
            Money::parse(price, usd()).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn value_follows_the_latest_snapshot_of_each_account() {
        let holdings = vec![
            h("ira", "VTI", "2026-01-01", dec!(10), "200.00"),
            h("ira", "BND", "2026-01-01", dec!(20), "70.00"),
            h("ira", "VTI", "2026-01-03", dec!(10), "210.00"), // BND sold: absent from this snapshot
            h("brk", "BTC", "2026-01-02", dec!(0.01), "90000"),
        ];
        let v: Vec<Decimal> = portfolio_value(
            &holdings,
            "2026-01-01".parse().unwrap(),
            "2026-01-04".parse().unwrap(),
        )
        .unwrap()
        .iter()
        .map(|p| p.value)
        .collect();
        assert_eq!(
            v,
            [dec!(3400.00), dec!(4300.00), dec!(3000.00), dec!(3000.00)]
        );
        let secs = vec![
            Security {
                id: SecurityId::new("VTI").unwrap(),
                symbol: Some("VTI".into()),
                name: "Total market".into(),
                kind: SecurityType::Etf,
                currency: usd(),
            },
            Security {
                id: SecurityId::new("BND").unwrap(),
                symbol: None,
                name: "Bonds".into(),
                kind: SecurityType::FixedIncome,
                currency: usd(),
            },
            Security {
                id: SecurityId::new("BTC").unwrap(),
                symbol: None,
                name: "Bitcoin".into(),
                kind: SecurityType::Crypto,
                currency: usd(),
            },
        ];
        let a = allocation(&secs, &holdings, "2026-01-02".parse().unwrap()).unwrap();
        let got: Vec<(SecurityType, Decimal, Decimal)> =
            a.iter().map(|x| (x.kind, x.value, x.share)).collect();
        assert_eq!(
            got,
            vec![
                (SecurityType::Etf, dec!(2000.00), dec!(0.4651)),
                (SecurityType::FixedIncome, dec!(1400.00), dec!(0.3256)),
                (SecurityType::Crypto, dec!(900.00), dec!(0.2093))
            ]
        );
        assert!(allocation(&secs[..1], &holdings, "2026-01-02".parse().unwrap()).is_err());
        let mut with_basis = h("ira", "VTI", "2026-01-01", dec!(10), "200.00");
        with_basis.cost_basis = Some(Money::parse("1500", usd()).unwrap());
        assert_eq!(with_basis.gain().unwrap().unwrap().amount(), dec!(500.00));
    }
}
