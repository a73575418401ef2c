//! Terraform values: types, values (known, null or unknown), numbers and attribute paths,
//! plus the two wire codecs Terraform uses (msgpack and JSON). Values are always decoded
//! *against a type*, as cty does, so that an object gets exactly its attributes.

pub mod json;
pub mod msgpack;
mod number;
mod path;
#[cfg(test)]
mod proptests;
mod types;

pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use types::{Type, TypeError};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

/// A Terraform value. Collections hold `Value`s that follow the element type given at
/// decode/encode time; the value itself does not carry its type except for `Dynamic`.
///
/// Equality is structural, except that sets compare as sets (element order carries no
/// meaning) and numbers by numeric value. Two unknowns are equal here (the same value);
/// whether a plan may treat them as unchanged is the plan engine's question.
#[derive(Clone, Debug)]
pub enum Value {
    /// A null of any type.
    Null,
    /// A value that is not known yet (refinements, if any were sent, are dropped).
    Unknown,
    /// A known boolean.
    Bool(bool),
    /// A known number of arbitrary precision.
    Number(Number),
    /// A known string.
    String(String),
    /// A known list.
    List(Vec<Value>),
    /// A known set (element order carries no meaning; duplicates are removed on decode).
    Set(Vec<Value>),
    /// A known tuple.
    Tuple(Vec<Value>),
    /// A known map with string keys.
    Map(BTreeMap<String, Value>),
    /// A known object: every attribute of the object type is present (null if unset).
    Object(BTreeMap<String, Value>),
    /// A value whose type was `dynamic` in the schema: the concrete type travels with it.
    Dynamic {
        /// The concrete type of `value`.
        ty: Type,
        /// The value itself, following `ty`.
        value: Box<Value>,
    },
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => {
                let (x, y): (HashSet<&Value>, HashSet<&Value>) =
                    (a.iter().collect(), b.iter().collect());
                x == y
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Dynamic { ty: t, value: v }, Value::Dynamic { ty: u, value: w }) => {
                t == u && v == w
            }
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null | Value::Unknown => {}
            Value::Bool(b) => b.hash(state),
            Value::Number(n) => n.hash(state),
            Value::String(s) => s.hash(state),
            Value::List(items) | Value::Tuple(items) => items.hash(state),
            Value::Set(items) => {
                // Order-free, like set equality: a commutative sum of the distinct
                // elements' hashes.
                let distinct: HashSet<&Value> = items.iter().collect();
                let sum = distinct.iter().fold(0u64, |acc, v| {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    v.hash(&mut h);
                    acc.wrapping_add(h.finish())
                });
                (distinct.len(), sum).hash(state);
            }
            Value::Map(m) | Value::Object(m) => m.hash(state),
            Value::Dynamic { ty, value } => (ty, value).hash(state),
        }
    }
}

/// The elements of a set without repeats, first occurrences in order, in linear time
/// (hashing; a hostile set of 100,000 elements costs no more than its size). Only wholly
/// known elements can repeat: two unknowns may turn out different (`[a.arn, b.arn]` at
/// plan time), so each is kept, as Terraform keeps them.
pub(crate) fn distinct(items: Vec<Value>) -> Vec<Value> {
    let hasher = std::collections::hash_map::RandomState::new();
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::with_capacity(items.len());
    for v in items {
        if !v.is_wholly_known() {
            out.push(v);
            continue;
        }
        let bucket = buckets.entry(hasher.hash_one(&v)).or_default();
        if bucket.iter().any(|&i| out[i] == v) {
            continue;
        }
        bucket.push(out.len());
        out.push(v);
    }
    out
}

impl Value {
    /// True for `Value::Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for `Value::Unknown`.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when the value and everything inside it is known.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic { value, .. } => value.is_wholly_known(),
            _ => true,
        }
    }

    /// The attribute `name` of a known object (None for null, unknown and non-objects).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// The string inside a known string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean inside a known bool value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number inside a known number value.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
}

/// A value as it crosses the wire: msgpack (what Terraform sends) or JSON (older clients,
/// state upgrades). An empty `DynamicValue` (both fields empty) means null. Its `Debug`
/// shows sizes only: the bytes may hold credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DynamicValue {
    /// msgpack bytes; preferred when non-empty.
    pub msgpack: Vec<u8>,
    /// JSON bytes; read only when `msgpack` is empty.
    pub json: Vec<u8>,
}

impl std::fmt::Debug for DynamicValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DynamicValue {{ msgpack: {} bytes, json: {} bytes }}",
            self.msgpack.len(),
            self.json.len()
        )
    }
}

impl DynamicValue {
    /// Decodes against `ty`: msgpack when present, else JSON, else null.
    pub fn decode(&self, ty: &Type) -> Result<Value, DecodeError> {
        if !self.msgpack.is_empty() {
            msgpack::decode(ty, &self.msgpack)
        } else if !self.json.is_empty() {
            json::decode(ty, &self.json)
        } else {
            Ok(Value::Null)
        }
    }

    /// Encodes `value` as msgpack against `ty` (responses are always msgpack).
    pub fn encode(ty: &Type, value: &Value) -> Result<DynamicValue, EncodeError> {
        Ok(DynamicValue {
            msgpack: msgpack::encode(ty, value)?,
            json: Vec::new(),
        })
    }
}

/// Why bytes could not be decoded into a value of the expected type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Where inside the value the problem is (empty for the root).
    pub path: AttributePath,
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a value could not be encoded as the given type (a bug in the caller, reported as
/// an error diagnostic rather than a panic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    /// Where inside the value the mismatch is.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for EncodeError {}

impl Default for Value {
    /// Null: what an unset attribute is.
    fn default() -> Self {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use std::time::{Duration, Instant};

    fn hash(v: &Value) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn repeats_of_known_elements_go_but_every_unknown_stays() {
        let s = |v: &str| Value::String(v.into());
        let items = vec![s("a"), Value::Unknown, s("a"), Value::Unknown];
        assert_eq!(
            distinct(items),
            vec![s("a"), Value::Unknown, Value::Unknown]
        );
    }

    #[test]
    fn sets_equal_without_order_and_hash_alike() {
        let s = |v: &str| Value::String(v.into());
        let a = Value::Set(vec![s("1"), s("2")]);
        let b = Value::Set(vec![s("2"), s("1")]);
        assert_eq!(a, b);
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(a, Value::Set(vec![s("1")]));
        assert_ne!(a, Value::List(vec![s("1"), s("2")]));
        let one = Value::Number(Number::from_str("1").unwrap());
        let one_point_oh = Value::Number(Number::from_str("1.0").unwrap());
        assert_eq!(one, one_point_oh);
        assert_eq!(hash(&one), hash(&one_point_oh));
    }

    /// Fastest of three runs of `f`.
    fn fastest(f: impl Fn()) -> Duration {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    }

    /// Decoding a set grows with its size, not its square: four times the elements must
    /// cost well under the sixteen times a pairwise de-duplication would (a ratio measured
    /// in one run, so the machine's speed cancels out).
    #[test]
    fn set_decoding_is_not_quadratic() {
        let ty = Type::set(Type::String);
        let encoded = |n: usize| {
            let v = Value::Set(
                (0..n)
                    .map(|i| Value::String(format!("source-{i}")))
                    .collect(),
            );
            (
                msgpack::encode(&ty, &v).unwrap(),
                json::encode(&ty, &v).unwrap(),
            )
        };
        let (small_mp, small_js) = encoded(20_000);
        let (big_mp, big_js) = encoded(80_000);
        for (small, big, decode) in [
            (
                &small_mp,
                &big_mp,
                msgpack::decode as fn(&Type, &[u8]) -> Result<Value, DecodeError>,
            ),
            (&small_js, &big_js, json::decode),
        ] {
            let t_small = fastest(|| assert!(decode(&ty, small).is_ok()));
            let t_big = fastest(|| assert!(decode(&ty, big).is_ok()));
            let ratio = t_big.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
            assert!(ratio < 9.0, "4x the elements took {ratio:.1}x the time");
        }
    }
}
