//! Money: an exact decimal amount with its ISO 4217 currency. Never a float.
//!
//! Sign rule for the whole library: from the account holder's view, negative = money out.
//! Providers with another convention (Plaid: positive = out) are converted at the adapter.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use iso_currency::Currency;

/// An amount of money in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// Parses an ISO 4217 code (`EUR`), case-insensitively.
pub fn parse_currency(code: &str) -> Result<Currency> {
    Currency::from_code(&code.trim().to_ascii_uppercase()).ok_or_else(|| {
        Error::invalid(
            "currency",
            format!("'{code}' is not an ISO 4217 currency code"),
        )
    })
}

impl Money {
    /// The amount in whole units with thousands grouped by commas, for plain-words summaries:
    /// `5506.38` → `5,506`, `-1234567.5` → `-1,234,568` (half away from zero).
    pub fn whole_grouped(&self) -> String {
        let whole = self
            .amount
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .abs()
            .to_string();
        let mut out = String::with_capacity(whole.len() + whole.len() / 3 + 1);
        if self.amount.is_sign_negative() && !whole.chars().all(|c| c == '0') {
            out.push('-');
        }
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// An exact amount; it keeps every digit given (see [`Money::rounded`]).
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// From an integer count of minor units (cents for USD, yen for JPY, fils for KWD).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self::new(Decimal::new(minor, exponent(currency)), currency)
    }

    /// Parses a decimal string such as `-12.34` in the given currency.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self> {
        Decimal::from_str(amount.trim())
            .map(|a| Self::new(a, currency))
            .map_err(|_| Error::invalid("amount", format!("'{amount}' is not a decimal number")))
    }

    /// The exact amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount rounded to the currency's minor unit, half to even (banker's rounding).
    pub fn rounded(&self) -> Self {
        Self::new(
            self.amount.round_dp_with_strategy(
                exponent(self.currency),
                RoundingStrategy::MidpointNearestEven,
            ),
            self.currency,
        )
    }

    /// The amount in minor units after [`Money::rounded`]; an error if it does not fit an `i64`.
    pub fn to_minor(&self) -> Result<i64> {
        let scaled = self.rounded().amount * Decimal::from(10_i64.pow(exponent(self.currency)));
        i64::try_from(scaled.trunc())
            .map_err(|_| Error::out_of_range(format!("{self} in minor units")))
    }

    /// True when money goes out (the amount is below zero).
    pub fn is_outflow(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// The sum, or an error for different currencies or overflow.
    pub fn checked_add(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| Error::out_of_range(format!("{self} + {other}")))
    }

    /// The difference, or an error for different currencies or overflow.
    pub fn checked_sub(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| Error::out_of_range(format!("{self} - {other}")))
    }

    /// The amount with its sign flipped.
    pub fn negated(&self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                left: self.currency.code().to_owned(),
                right: other.currency.code().to_owned(),
            })
        }
    }
}

/// Digits after the decimal point of the currency's minor unit; 2 when ISO 4217 gives none (e.g. XAU).
fn exponent(currency: Currency) -> u32 {
    currency.exponent().map_or(2, u32::from)
}

impl fmt::Display for Money {
    /// `-12.30 EUR`: the amount at the currency's precision, then the code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.rounded();
        write!(
            f,
            "{:.*} {}",
            exponent(self.currency) as usize,
            r.amount,
            self.currency.code()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    fn eur() -> Currency {
        parse_currency("eur").unwrap()
    }

    #[test]
    fn whole_grouped_rounds_and_groups() {
        let m = |s: &str| Money::parse(s, eur()).unwrap().whole_grouped();
        assert_eq!(m("5506.38"), "5,506");
        assert_eq!(m("1600"), "1,600");
        assert_eq!(m("999.5"), "1,000");
        assert_eq!(m("-1234567.5"), "-1,234,568");
        assert_eq!(m("12"), "12");
        assert_eq!(m("-0.2"), "0");
        assert_eq!(m("100000"), "100,000");
    }

    #[test]
    fn minor_units_follow_the_currency_exponent() {
        assert_eq!(Money::from_minor(-1234, eur()).amount(), dec!(-12.34));
        assert_eq!(
            Money::from_minor(500, parse_currency("JPY").unwrap()).amount(),
            dec!(500)
        );
        assert_eq!(
            Money::from_minor(1500, parse_currency("KWD").unwrap()).amount(),
            dec!(1.500)
        );
        assert_eq!(Money::new(dec!(0.125), eur()).to_minor().unwrap(), 12);
        assert_eq!(Money::new(dec!(0.135), eur()).to_minor().unwrap(), 14);
        assert_eq!(
            Money::new(dec!(-2.5), parse_currency("JPY").unwrap())
                .to_minor()
                .unwrap(),
            -2
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let a = Money::parse("10.10", eur()).unwrap();
        let b = Money::parse("0.20", parse_currency("USD").unwrap()).unwrap();
        assert_eq!(
            a.checked_add(&b),
            Err(Error::CurrencyMismatch {
                left: "EUR".into(),
                right: "USD".into()
            })
        );
        let c = Money::parse("0.20", eur()).unwrap();
        assert_eq!(a.checked_add(&c).unwrap().amount(), dec!(10.30));
        assert_eq!(c.checked_sub(&a).unwrap().to_string(), "-9.90 EUR");
        assert!(c.checked_sub(&a).unwrap().is_outflow());
        assert!(!Money::zero(eur()).negated().is_outflow());
    }

    #[test]
    fn bad_text_is_a_typed_error() {
        assert!(Money::parse("12,34", eur()).is_err());
        assert!(Money::parse("NaN", eur()).is_err());
        assert!(parse_currency("EURO").is_err());
    }

    #[test]
    fn serde_keeps_the_exact_amount() {
        let m = Money::parse("19.99", eur()).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"19.99","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in -1_000_000_000_000_i64..1_000_000_000_000) {
            let m = Money::from_minor(minor, eur());
            prop_assert_eq!(m.to_minor().unwrap(), minor);
        }

        #[test]
        fn addition_is_exact(a in -1_000_000_000_i64..1_000_000_000, b in -1_000_000_000_i64..1_000_000_000) {
            let sum = Money::from_minor(a, eur()).checked_add(&Money::from_minor(b, eur())).unwrap();
            prop_assert_eq!(sum.to_minor().unwrap(), a + b);
        }
    }
}
