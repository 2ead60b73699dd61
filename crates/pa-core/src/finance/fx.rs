//! Currency conversion with a caller-supplied rate table. pa fetches no rates itself.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::time::Day;

/// Rates into one target currency, each valid from its day until the next rate of that currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FxTable {
    target: Currency,
    /// Per source currency: (day, rate) sorted by day. 1 unit of source = rate units of target.
    rates: HashMap<Currency, Vec<(Day, Decimal)>>,
}

impl FxTable {
    /// An empty table converting into `target`.
    pub fn new(target: Currency) -> Self {
        Self {
            target,
            rates: HashMap::new(),
        }
    }

    /// The currency everything converts into.
    pub const fn target(&self) -> Currency {
        self.target
    }

    /// Adds "1 `from` = `rate` target from `day` on"; the rate must be above zero.
    pub fn insert(&mut self, from: Currency, day: Day, rate: Decimal) -> Result<()> {
        if rate <= Decimal::ZERO {
            return Err(Error::invalid(
                format!("rate {}→{} on {day}", from.code(), self.target.code()),
                "must be above zero",
            ));
        }
        let list = self.rates.entry(from).or_default();
        match list.binary_search_by_key(&day, |(d, _)| *d) {
            Ok(i) => list[i].1 = rate,
            Err(i) => list.insert(i, (day, rate)),
        }
        Ok(())
    }

    /// The rate in force on `day` (the latest on or before it); 1 for the target itself.
    pub fn rate(&self, from: Currency, day: Day) -> Result<Decimal> {
        if from == self.target {
            return Ok(Decimal::ONE);
        }
        let missing = || {
            Error::invalid(
                format!("exchange rate {}→{}", from.code(), self.target.code()),
                format!("none on or before {day}"),
            )
        };
        let list = self.rates.get(&from).ok_or_else(missing)?;
        let i = list.partition_point(|(d, _)| *d <= day);
        i.checked_sub(1).map(|i| list[i].1).ok_or_else(missing)
    }

    /// `money` in the target currency on `day`, rounded half to even to the target's minor unit.
    pub fn convert(&self, money: Money, day: Day) -> Result<Money> {
        let rate = self.rate(money.currency(), day)?;
        let amount = money
            .amount()
            .checked_mul(rate)
            .ok_or_else(|| Error::out_of_range(format!("{money} × {rate}")))?;
        Ok(Money::new(amount, self.target).rounded())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::parse_currency;
    use rust_decimal::dec;

    #[test]
    fn latest_rate_on_or_before() {
        let (usd, eur, gbp) = (
            parse_currency("USD").unwrap(),
            parse_currency("EUR").unwrap(),
            parse_currency("GBP").unwrap(),
        );
        let mut fx = FxTable::new(usd);
        fx.insert(eur, "2026-01-01".parse().unwrap(), dec!(1.10))
            .unwrap();
        fx.insert(eur, "2026-02-01".parse().unwrap(), dec!(1.20))
            .unwrap();
        assert_eq!(
            fx.rate(eur, "2026-01-31".parse().unwrap()).unwrap(),
            dec!(1.10)
        );
        assert_eq!(
            fx.rate(eur, "2026-02-01".parse().unwrap()).unwrap(),
            dec!(1.20)
        );
        assert!(fx.rate(eur, "2025-12-31".parse().unwrap()).is_err());
        assert!(fx.rate(gbp, "2026-02-01".parse().unwrap()).is_err());
        assert_eq!(
            fx.rate(usd, "1999-01-01".parse().unwrap()).unwrap(),
            Decimal::ONE
        );
        let m = fx
            .convert(
                Money::parse("10.005", eur).unwrap(),
                "2026-03-01".parse().unwrap(),
            )
            .unwrap();
        assert_eq!(m.amount(), dec!(12.01)); // 12.006 → 12.01
        assert!(
            fx.insert(eur, "2026-03-01".parse().unwrap(), dec!(0))
                .is_err()
        );
    }
}
