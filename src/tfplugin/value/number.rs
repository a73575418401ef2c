//! Arbitrary-precision numbers, as Terraform's `number` type requires.

use bigdecimal::BigDecimal;
use std::fmt;
use std::str::FromStr;

/// The largest decimal exponent magnitude accepted.
const MAX_SCALE: u64 = 1000;

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

    /// Parses a decimal literal such as `12`, `-0.5` or `1e400`. Errors never repeat the
    /// input: a mistyped secret could be in it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() || t.len() > 4096 {
            return Err("expected a number, found text that is not one".into());
        }
        let d = BigDecimal::from_str(t)
            .map_err(|_| "expected a number, found text that is not one".to_string())?;
        // Huge exponents make formatting and conversion cost time and memory in proportion
        // to the exponent: refuse them, as no Terraform value needs them.
        let (_, scale) = d.as_bigint_and_exponent();
        if scale.unsigned_abs() > MAX_SCALE {
            return Err("the number is out of the supported range (exponent beyond 1000)".into());
        }
        Ok(Number(d))
    }
}

impl fmt::Display for Number {
    /// Plain decimal notation without trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalized())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_by_value_and_hostile_exponents_stay_cheap() {
        let a: Number = "1".parse().unwrap();
        let b: Number = "1.0".parse().unwrap();
        let c: Number = "1e0".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        let started = std::time::Instant::now();
        assert!("1e999999999".parse::<Number>().is_err());
        assert!("-1e-999999999".parse::<Number>().is_err());
        for text in ["1e900", "-1e-900", "1e-400"] {
            let n: Number = text.parse().unwrap();
            let _ = (n.to_i64(), n.to_f64(), n.to_string());
            let bytes = crate::tfplugin::value::msgpack::encode(
                &crate::tfplugin::value::Type::Number,
                &crate::tfplugin::value::Value::Number(n),
            )
            .unwrap();
            assert!(bytes.len() < 200, "{text} encoded to {} bytes", bytes.len());
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
