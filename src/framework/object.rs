//! Typed access to attributes of a decoded object, keeping null and unknown apart
//! (an unknown is never treated as empty).

use crate::tfplugin::value::Value;
use std::collections::BTreeMap;

/// An attribute as a provider sees it: not set, not known yet, or known.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    /// Null in configuration or state.
    Null,
    /// Not known until apply.
    Unknown,
    /// Known.
    Known(T),
}

impl<T> Field<T> {
    /// The known value, if any.
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// True when unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }
}

fn field<'a, T>(obj: &'a Value, name: &str, f: impl FnOnce(&'a Value) -> Option<T>) -> Field<T> {
    match obj.get_attr(name) {
        None | Some(Value::Null) => Field::Null,
        Some(Value::Unknown) => Field::Unknown,
        Some(v) => f(v).map(Field::Known).unwrap_or(Field::Null),
    }
}

/// A string attribute.
pub fn string<'a>(obj: &'a Value, name: &str) -> Field<&'a str> {
    field(obj, name, Value::as_str)
}

/// A bool attribute.
pub fn boolean(obj: &Value, name: &str) -> Field<bool> {
    field(obj, name, Value::as_bool)
}

/// The elements of a list or set attribute (each may itself be null or unknown).
pub fn elements<'a>(obj: &'a Value, name: &str) -> Field<&'a [Value]> {
    field(obj, name, |v| match v {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items.as_slice()),
        _ => None,
    })
}

/// The entries of a map attribute (each may itself be null or unknown).
pub fn entries<'a>(obj: &'a Value, name: &str) -> Field<&'a BTreeMap<String, Value>> {
    field(obj, name, |v| match v {
        Value::Map(m) => Some(m),
        _ => None,
    })
}

/// Builds a known object from `(name, value)` pairs.
pub fn object<I, K>(pairs: I) -> Value
where
    I: IntoIterator<Item = (K, Value)>,
    K: Into<String>,
{
    Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// A known string value.
pub fn str_value(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

/// A known set of strings.
pub fn string_set<I, S>(items: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Value::Set(items.into_iter().map(|s| Value::String(s.into())).collect())
}

/// A known map of strings, or null for `None`.
pub fn string_map<I, K, S>(entries: Option<I>) -> Value
where
    I: IntoIterator<Item = (K, S)>,
    K: Into<String>,
    S: Into<String>,
{
    match entries {
        Some(e) => Value::Map(
            e.into_iter()
                .map(|(k, v)| (k.into(), Value::String(v.into())))
                .collect(),
        ),
        None => Value::Null,
    }
}
