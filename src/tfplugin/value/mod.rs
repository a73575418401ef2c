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

use std::collections::BTreeMap;

/// A Terraform value. Collections hold `Value`s that follow the element type given at
/// decode/encode time; the value itself does not carry its type except for `Dynamic`.
#[derive(Clone, Debug, PartialEq)]
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
