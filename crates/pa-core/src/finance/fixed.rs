//! Exact sums at speed: decimals rescaled to one common scale and added as `i128`.
//!
//! `rust_decimal` addition costs tens of nanoseconds; summing tens of thousands of amounts that way
//! would dominate every report. Amounts of one currency are brought to a common scale (the largest
//! scale among them, at most [`MAX_SCALE`]) and summed as integers, which is exact; overflow is an
//! error, never a wrap.

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The finest scale summed exactly (digits after the point).
pub(crate) const MAX_SCALE: u32 = 12;

/// The scale to sum `amounts` at: the largest among them.
pub(crate) fn common_scale(amounts: impl IntoIterator<Item = Decimal>) -> Result<u32> {
    let scale = amounts.into_iter().map(|d| d.scale()).max().unwrap_or(0);
    if scale > MAX_SCALE {
        return Err(Error::out_of_range(format!(
            "an amount with {scale} decimal places (at most {MAX_SCALE})"
        )));
    }
    Ok(scale)
}

/// 10^0 ..= 10^28, the scales a `Decimal` can have.
const POW10: [i128; 29] = {
    let mut p = [1_i128; 29];
    let mut i = 1;
    while i < 29 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// `d` as an integer count of 10^-scale units; `scale` must be ≥ `d.scale()`.
#[inline]
pub(crate) fn to_fixed(d: Decimal, scale: u32) -> Result<i128> {
    if d.scale() == scale {
        return Ok(d.mantissa());
    }
    scale
        .checked_sub(d.scale())
        .and_then(|up| POW10.get(up as usize))
        .and_then(|p| d.mantissa().checked_mul(*p))
        .ok_or_else(|| Error::out_of_range(format!("{d} at scale {scale}")))
}

/// The decimal for `units` × 10^-scale; an error beyond `Decimal`'s 96-bit range.
pub(crate) fn from_fixed(units: i128, scale: u32) -> Result<Decimal> {
    Decimal::try_from_i128_with_scale(units, scale)
        .map_err(|_| Error::out_of_range(format!("a sum of {units}e-{scale}")))
}

/// `a + b`, or an error on overflow.
pub(crate) fn add(a: i128, b: i128) -> Result<i128> {
    a.checked_add(b)
        .ok_or_else(|| Error::out_of_range("a sum of amounts"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn round_trips_exactly() {
        let xs = [dec!(1.5), dec!(-0.25), dec!(100)];
        let s = common_scale(xs).unwrap();
        assert_eq!(s, 2);
        let total = xs
            .iter()
            .try_fold(0i128, |acc, d| add(acc, to_fixed(*d, s)?))
            .unwrap();
        assert_eq!(from_fixed(total, s).unwrap(), dec!(101.25));
        assert!(common_scale([dec!(0.0000000000001)]).is_err());
        assert!(add(i128::MAX, 1).is_err());
    }
}
