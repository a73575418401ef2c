//! The JSON encoding of values (cty's JSON form): read for old clients and state upgrades.
//! Objects fill missing attributes with null but refuse extra ones; numbers keep their
//! full precision (serde_json's `arbitrary_precision`); `dynamic` is `{"type":…,"value":…}`.
//! JSON has no way to say "unknown".

use super::{AttributePath, DecodeError, EncodeError, Number, PathStep, Type, Value};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::str::FromStr;

/// How deeply values may nest before decoding refuses them.
const MAX_DEPTH: usize = super::msgpack::MAX_DEPTH;

/// Decodes JSON `bytes` as a value of type `ty`.
pub fn decode(ty: &Type, bytes: &[u8]) -> Result<Value, DecodeError> {
    let doc: J = serde_json::from_slice(bytes).map_err(|e| DecodeError {
        path: AttributePath::root(),
        message: format!("invalid JSON: {e}"),
    })?;
    let mut path = AttributePath::root();
    from_json(ty, &doc, &mut path, 0)
}

/// Encodes `value` (which must be wholly known) as JSON of type `ty`.
pub fn encode(ty: &Type, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut path = AttributePath::root();
    Ok(to_json(ty, value, &mut path)?.to_string().into_bytes())
}

fn err(path: &AttributePath, message: impl Into<String>) -> DecodeError {
    DecodeError {
        path: path.clone(),
        message: message.into(),
    }
}

fn kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

fn from_json(
    ty: &Type,
    j: &J,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(err(
            path,
            format!("the value nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    if j.is_null() {
        return Ok(Value::Null);
    }
    let mismatch = |path: &AttributePath| err(path, format!("expected {ty}, found {}", kind(j)));
    Ok(match (ty, j) {
        (Type::String, J::String(s)) => Value::String(s.clone()),
        (Type::Bool, J::Bool(b)) => Value::Bool(*b),
        (Type::Number, J::Number(n)) => {
            Value::Number(Number::from_str(&n.to_string()).map_err(|e| err(path, e))?)
        }
        // cty accepts numbers written as strings in JSON.
        (Type::Number, J::String(s)) => {
            Value::Number(Number::from_str(s).map_err(|e| err(path, e))?)
        }
        (Type::List(et) | Type::Set(et), J::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.steps.push(PathStep::ElementKeyInt(i as i64));
                let v = from_json(et, item, path, depth + 1);
                path.steps.pop();
                out.push(v?);
            }
            if matches!(ty, Type::Set(_)) {
                Value::Set(super::distinct(out))
            } else {
                Value::List(out)
            }
        }
        (Type::Tuple(ets), J::Array(items)) => {
            if ets.len() != items.len() {
                return Err(err(
                    path,
                    format!(
                        "expected a tuple of {} elements, found {}",
                        ets.len(),
                        items.len()
                    ),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (et, item)) in ets.iter().zip(items).enumerate() {
                path.steps.push(PathStep::ElementKeyInt(i as i64));
                let v = from_json(et, item, path, depth + 1);
                path.steps.pop();
                out.push(v?);
            }
            Value::Tuple(out)
        }
        (Type::Map(et), J::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, item) in m {
                path.steps.push(PathStep::ElementKeyString(k.clone()));
                let v = from_json(et, item, path, depth + 1);
                path.steps.pop();
                out.insert(k.clone(), v?);
            }
            Value::Map(out)
        }
        (Type::Object { attributes, .. }, J::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, item) in m {
                let Some(at) = attributes.get(k) else {
                    return Err(err(path, format!("unsupported attribute {k:?}")));
                };
                path.steps.push(PathStep::Attribute(k.clone()));
                let v = from_json(at, item, path, depth + 1);
                path.steps.pop();
                out.insert(k.clone(), v?);
            }
            for name in attributes.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Value::Object(out)
        }
        (Type::Dynamic, J::Object(m)) => {
            let (Some(t), Some(v)) = (m.get("type"), m.get("value")) else {
                return Err(err(path, "a dynamic value needs \"type\" and \"value\""));
            };
            let inner =
                Type::from_json(t.to_string().as_bytes()).map_err(|e| err(path, e.to_string()))?;
            if inner == Type::Dynamic {
                return Err(err(path, "a dynamic value cannot have type dynamic"));
            }
            let value = from_json(&inner, v, path, depth + 1)?;
            Value::Dynamic {
                ty: inner,
                value: Box::new(value),
            }
        }
        _ => return Err(mismatch(path)),
    })
}

fn enc_err(path: &AttributePath, message: impl Into<String>) -> EncodeError {
    EncodeError {
        path: path.clone(),
        message: message.into(),
    }
}

fn to_json(ty: &Type, v: &Value, path: &mut AttributePath) -> Result<J, EncodeError> {
    Ok(match (ty, v) {
        (_, Value::Null) => J::Null,
        (_, Value::Unknown) => return Err(enc_err(path, "JSON cannot hold unknown values")),
        (Type::String, Value::String(s)) => J::String(s.clone()),
        (Type::Bool, Value::Bool(b)) => J::Bool(*b),
        (Type::Number, Value::Number(n)) => {
            let text = n.to_string();
            serde_json::from_str::<J>(&text).map_err(|e| enc_err(path, e.to_string()))?
        }
        (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.steps.push(PathStep::ElementKeyInt(i as i64));
                let j = to_json(et, item, path);
                path.steps.pop();
                out.push(j?);
            }
            J::Array(out)
        }
        (Type::Tuple(ets), Value::Tuple(items)) if ets.len() == items.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (et, item)) in ets.iter().zip(items).enumerate() {
                path.steps.push(PathStep::ElementKeyInt(i as i64));
                let j = to_json(et, item, path);
                path.steps.pop();
                out.push(j?);
            }
            J::Array(out)
        }
        (Type::Map(et), Value::Map(m)) => {
            let mut out = serde_json::Map::new();
            for (k, item) in m {
                path.steps.push(PathStep::ElementKeyString(k.clone()));
                let j = to_json(et, item, path);
                path.steps.pop();
                out.insert(k.clone(), j?);
            }
            J::Object(out)
        }
        (Type::Object { attributes, .. }, Value::Object(m)) => {
            if let Some(extra) = m.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(enc_err(path, format!("unsupported attribute {extra:?}")));
            }
            let mut out = serde_json::Map::new();
            for (k, at) in attributes {
                path.steps.push(PathStep::Attribute(k.clone()));
                let j = to_json(at, m.get(k).unwrap_or(&Value::Null), path);
                path.steps.pop();
                out.insert(k.clone(), j?);
            }
            J::Object(out)
        }
        (Type::Dynamic, Value::Dynamic { ty: inner, value }) => {
            let t: J = serde_json::from_slice(&inner.to_json())
                .map_err(|e| enc_err(path, e.to_string()))?;
            serde_json::json!({"type": t, "value": to_json(inner, value, path)?})
        }
        (ty, _) => return Err(enc_err(path, format!("value does not fit type {ty}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_json_fills_missing_and_refuses_extra() {
        let ty = Type::object([("id", Type::String), ("n", Type::Number)]);
        let v = decode(&ty, br#"{"id":"x"}"#).unwrap();
        assert_eq!(v.get_attr("n"), Some(&Value::Null));
        assert!(decode(&ty, br#"{"id":"x","zzz":1}"#).is_err());
    }

    #[test]
    fn numbers_keep_their_precision() {
        let text = "123456789012345678901234567890.123456789";
        let v = decode(&Type::Number, text.as_bytes()).unwrap();
        assert_eq!(v.as_number().unwrap().to_string(), text);
        assert_eq!(encode(&Type::Number, &v).unwrap(), text.as_bytes());
    }

    #[test]
    fn dynamic_and_errors() {
        let v = decode(
            &Type::Dynamic,
            br#"{"type":["list","bool"],"value":[true]}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            Value::Dynamic {
                ty: Type::list(Type::Bool),
                value: Box::new(Value::List(vec![Value::Bool(true)]))
            }
        );
        let e = decode(&Type::list(Type::Bool), b"[true, 3]").unwrap_err();
        assert_eq!(e.path.to_string(), "[1]");
        assert!(encode(&Type::String, &Value::Unknown).is_err());
    }
}

#[cfg(test)]
mod echo_tests {
    use super::*;

    #[test]
    fn a_string_for_a_number_is_not_echoed() {
        let e = decode(&Type::Number, br#""ss_secret_oops""#).unwrap_err();
        assert!(!e.to_string().contains("ss_secret_oops"), "{e}");
    }
}
