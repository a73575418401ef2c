//! Arbitrary-precision numbers, as Terraform's `number` type requires.

use bigdecimal::BigDecimal;
use std::fmt;
use std::str::FromStr;

/// A Terraform number: arbitrary precision, compared by numeric value (1 == 1.0).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Number(BigDecimal);

impl Number {
    /// The value as an `i64` when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.0.is_integer() {
            bigdecimal::ToPrimitive::to_i64(&self.0)
        } else {
            None
        }
    }

    /// The value as the nearest `f64`.
    pub fn to_f64(&self) -> Option<f64> {
        bigdecimal::ToPrimitive::to_f64(&self.0)
    }

    /// A number from a finite `f64` (None for NaN and infinities, which Terraform has not).
    pub fn from_f64(v: f64) -> Option<Number> {
        if !v.is_finite() {
            return None;
        }
        // Shortest round-trip decimal form, so 0.1 stays 0.1 rather than its binary expansion.
        BigDecimal::from_str(&format!("{v:?}")).ok().map(Number)
    }

    /// The underlying decimal.
    pub fn as_decimal(&self) -> &BigDecimal {
        &self.0
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number(BigDecimal::from(v))
    }
}

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        Number(BigDecimal::from(v))
    }
}

impl From<BigDecimal> for Number {
    fn from(v: BigDecimal) -> Self {
        Number(v)
    }
}

impl FromStr for Number {
    type Err = String;

    /// Parses a decimal literal such as `12`, `-0.5` or `1e400`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() || t.len() > 4096 {
            return Err(format!("{s:?} is not a number"));
        }
        BigDecimal::from_str(t)
            .map(Number)
            .map_err(|_| format!("{s:?} is not a number"))
    }
}

impl fmt::Display for Number {
    /// Plain decimal notation without trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalized())
    }
}
