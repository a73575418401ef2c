//! The msgpack encoding of values (cty's msgpack form), what Terraform sends and expects.
//!
//! Decoding follows the expected type, as cty does: null is nil, an unknown is any extension
//! value (cty writes fixext1 type 0; refined unknowns use extension type 12 and their
//! refinements are dropped), `dynamic` is a two-element array of type JSON and value.
//! Every length read from the input is checked against the bytes that remain, and nesting
//! is bounded, so hostile input gives an error, never a panic, a hang or a huge allocation.

use super::{AttributePath, DecodeError, EncodeError, Number, Type, Value};
use std::collections::BTreeMap;
use std::str::FromStr;

/// How deeply values may nest before decoding refuses them.
pub const MAX_DEPTH: usize = 64;

/// Decodes msgpack `bytes` as a value of type `ty`.
pub fn decode(ty: &Type, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut r = Reader {
        buf: bytes,
        pos: 0,
        path: AttributePath::root(),
    };
    let v = r.value(ty, 0)?;
    if r.pos != bytes.len() {
        return Err(r.err(format!(
            "{} unexpected bytes after the value",
            bytes.len() - r.pos
        )));
    }
    Ok(v)
}

/// Encodes `value` as msgpack of type `ty`.
pub fn encode(ty: &Type, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(64);
    let mut path = AttributePath::root();
    write_value(&mut out, ty, value, &mut path)?;
    Ok(out)
}

/// A cursor over the input that knows where in the value it is (for error paths).
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    path: AttributePath,
}

/// What one msgpack marker announces.
enum Item<'a> {
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext,
}

impl Item<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Item::Nil => "nil",
            Item::Bool(_) => "a boolean",
            Item::Int(_) => "an integer",
            Item::Float(_) => "a float",
            Item::Str(_) => "a string",
            Item::Bin(_) => "binary data",
            Item::Array(_) => "an array",
            Item::Map(_) => "a map",
            Item::Ext => "an extension value",
        }
    }
}

impl<'a> Reader<'a> {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.err("the value is truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// A length that must fit in the remaining input (each element takes at least a byte).
    fn len(&mut self, n: usize) -> Result<usize, DecodeError> {
        let l = self.be(n)? as usize;
        if l > self.buf.len() - self.pos {
            return Err(self.err("a length runs past the end of the value"));
        }
        Ok(l)
    }

    fn item(&mut self) -> Result<Item<'a>, DecodeError> {
        let m = self.byte()?;
        Ok(match m {
            0x00..=0x7f => Item::Int(i128::from(m)),
            0x80..=0x8f => Item::Map(self.checked((m & 0x0f) as usize)?),
            0x90..=0x9f => Item::Array(self.checked((m & 0x0f) as usize)?),
            0xa0..=0xbf => Item::Str(self.take((m & 0x1f) as usize)?),
            0xc0 => Item::Nil,
            0xc2 => Item::Bool(false),
            0xc3 => Item::Bool(true),
            0xc4 => {
                let l = self.len(1)?;
                Item::Bin(self.take(l)?)
            }
            0xc5 => {
                let l = self.len(2)?;
                Item::Bin(self.take(l)?)
            }
            0xc6 => {
                let l = self.len(4)?;
                Item::Bin(self.take(l)?)
            }
            0xc7..=0xc9 => {
                let l = self.len(match m {
                    0xc7 => 1,
                    0xc8 => 2,
                    _ => 4,
                })?;
                self.take(1 + l)?;
                Item::Ext
            }
            0xca => Item::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            0xcb => Item::Float(f64::from_bits(self.be(8)?)),
            0xcc => Item::Int(i128::from(self.be(1)?)),
            0xcd => Item::Int(i128::from(self.be(2)?)),
            0xce => Item::Int(i128::from(self.be(4)?)),
            0xcf => Item::Int(i128::from(self.be(8)?)),
            0xd0 => Item::Int(i128::from(self.be(1)? as u8 as i8)),
            0xd1 => Item::Int(i128::from(self.be(2)? as u16 as i16)),
            0xd2 => Item::Int(i128::from(self.be(4)? as u32 as i32)),
            0xd3 => Item::Int(i128::from(self.be(8)? as i64)),
            0xd4..=0xd8 => {
                self.take(1 + (1usize << (m - 0xd4)))?;
                Item::Ext
            }
            0xd9 => {
                let l = self.len(1)?;
                Item::Str(self.take(l)?)
            }
            0xda => {
                let l = self.len(2)?;
                Item::Str(self.take(l)?)
            }
            0xdb => {
                let l = self.len(4)?;
                Item::Str(self.take(l)?)
            }
            0xdc => Item::Array(self.len(2)?),
            0xdd => Item::Array(self.len(4)?),
            0xde => Item::Map(self.len(2)?),
            0xdf => Item::Map(self.len(4)?),
            0xe0..=0xff => Item::Int(i128::from(m as i8)),
            0xc1 => return Err(self.err("invalid msgpack byte 0xc1")),
        })
    }

    fn checked(&self, n: usize) -> Result<usize, DecodeError> {
        if n > self.buf.len() - self.pos {
            Err(self.err("a length runs past the end of the value"))
        } else {
            Ok(n)
        }
    }

    fn string(&self, bytes: &[u8]) -> Result<String, DecodeError> {
        String::from_utf8(bytes.to_vec()).map_err(|_| self.err("a string is not valid UTF-8"))
    }

    fn mismatch(&self, ty: &Type, found: &Item<'_>) -> DecodeError {
        self.err(format!("expected {ty}, found {}", found.describe()))
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("the value nests deeper than {MAX_DEPTH} levels")));
        }
        let item = self.item()?;
        match item {
            Item::Nil => return Ok(Value::Null),
            Item::Ext => return Ok(Value::Unknown),
            _ => {}
        }
        match ty {
            Type::String => match item {
                Item::Str(s) => Ok(Value::String(self.string(s)?)),
                other => Err(self.mismatch(ty, &other)),
            },
            Type::Bool => match item {
                Item::Bool(b) => Ok(Value::Bool(b)),
                other => Err(self.mismatch(ty, &other)),
            },
            Type::Number => match item {
                Item::Int(i) => Ok(Value::Number(if let Ok(v) = i64::try_from(i) {
                    Number::from(v)
                } else {
                    Number::from(i as u64)
                })),
                Item::Float(f) => Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| self.err("a number is NaN or infinite")),
                Item::Str(s) => {
                    let text = self.string(s)?;
                    Number::from_str(&text)
                        .map(Value::Number)
                        .map_err(|e| self.err(e))
                }
                other => Err(self.mismatch(ty, &other)),
            },
            Type::List(elem) | Type::Set(elem) => match item {
                Item::Array(n) => {
                    let mut items = Vec::with_capacity(n);
                    for i in 0..n {
                        self.path
                            .steps
                            .push(super::PathStep::ElementKeyInt(i as i64));
                        let v = self.value(elem, depth + 1);
                        self.path.steps.pop();
                        items.push(v?);
                    }
                    Ok(if matches!(ty, Type::Set(_)) {
                        Value::Set(super::distinct(items))
                    } else {
                        Value::List(items)
                    })
                }
                other => Err(self.mismatch(ty, &other)),
            },
            Type::Tuple(elems) => match item {
                Item::Array(n) if n == elems.len() => {
                    let mut items = Vec::with_capacity(n);
                    for (i, et) in elems.iter().enumerate() {
                        self.path
                            .steps
                            .push(super::PathStep::ElementKeyInt(i as i64));
                        let v = self.value(et, depth + 1);
                        self.path.steps.pop();
                        items.push(v?);
                    }
                    Ok(Value::Tuple(items))
                }
                Item::Array(n) => Err(self.err(format!(
                    "expected a tuple of {} elements, found {n}",
                    elems.len()
                ))),
                other => Err(self.mismatch(ty, &other)),
            },
            Type::Map(elem) => match item {
                Item::Map(n) => {
                    let mut m = BTreeMap::new();
                    for _ in 0..n {
                        let key = self.key()?;
                        self.path
                            .steps
                            .push(super::PathStep::ElementKeyString(key.clone()));
                        let v = self.value(elem, depth + 1);
                        self.path.steps.pop();
                        m.insert(key, v?);
                    }
                    Ok(Value::Map(m))
                }
                other => Err(self.mismatch(ty, &other)),
            },
            Type::Object { attributes, .. } => match item {
                Item::Map(n) => {
                    let mut m = BTreeMap::new();
                    for _ in 0..n {
                        let key = self.key()?;
                        let Some(at) = attributes.get(&key) else {
                            return Err(self.err(format!("unsupported attribute {key:?}")));
                        };
                        self.path
                            .steps
                            .push(super::PathStep::Attribute(key.clone()));
                        let v = self.value(at, depth + 1);
                        self.path.steps.pop();
                        m.insert(key, v?);
                    }
                    // Be lenient where cty is strict: a missing attribute reads as null.
                    for name in attributes.keys() {
                        m.entry(name.clone()).or_insert(Value::Null);
                    }
                    Ok(Value::Object(m))
                }
                other => Err(self.mismatch(ty, &other)),
            },
            Type::Dynamic => match item {
                Item::Array(2) => {
                    let type_json = match self.item()? {
                        Item::Str(b) | Item::Bin(b) => b,
                        other => {
                            return Err(self.err(format!(
                                "expected the type of a dynamic value, found {}",
                                other.describe()
                            )))
                        }
                    };
                    let inner = Type::from_json(type_json).map_err(|e| self.err(e.to_string()))?;
                    if inner == Type::Dynamic {
                        return Err(self.err("a dynamic value cannot have type dynamic"));
                    }
                    let value = self.value(&inner, depth + 1)?;
                    Ok(Value::Dynamic {
                        ty: inner,
                        value: Box::new(value),
                    })
                }
                other => Err(self.err(format!(
                    "expected a dynamic value ([type, value]), found {}",
                    other.describe()
                ))),
            },
        }
    }

    fn key(&mut self) -> Result<String, DecodeError> {
        match self.item()? {
            Item::Str(s) => self.string(s),
            other => Err(self.err(format!("expected a string key, found {}", other.describe()))),
        }
    }
}

fn enc_err(path: &AttributePath, message: impl Into<String>) -> EncodeError {
    EncodeError {
        path: path.clone(),
        message: message.into(),
    }
}

fn write_value(
    out: &mut Vec<u8>,
    ty: &Type,
    value: &Value,
    path: &mut AttributePath,
) -> Result<(), EncodeError> {
    use rmp::encode as w;
    // Writes to a Vec cannot fail; map the impossible error anyway rather than unwrap.
    let io = |_| enc_err(path, "write failed");
    match (ty, value) {
        (_, Value::Null) => {
            out.push(0xc0);
        }
        (_, Value::Unknown) => {
            out.extend_from_slice(&[0xd4, 0x00, 0x00]);
        }
        (Type::String, Value::String(s)) => w::write_str(out, s).map_err(io)?,
        (Type::Bool, Value::Bool(b)) => {
            w::write_bool(out, *b).map_err(|_| enc_err(path, "write failed"))?
        }
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => {
            w::write_array_len(out, items.len() as u32).map_err(io)?;
            for (i, v) in items.iter().enumerate() {
                path.steps.push(super::PathStep::ElementKeyInt(i as i64));
                write_value(out, et, v, path)?;
                path.steps.pop();
            }
        }
        (Type::Tuple(ets), Value::Tuple(items)) if ets.len() == items.len() => {
            w::write_array_len(out, items.len() as u32).map_err(io)?;
            for (i, (et, v)) in ets.iter().zip(items).enumerate() {
                path.steps.push(super::PathStep::ElementKeyInt(i as i64));
                write_value(out, et, v, path)?;
                path.steps.pop();
            }
        }
        (Type::Map(et), Value::Map(m)) => {
            w::write_map_len(out, m.len() as u32).map_err(io)?;
            for (k, v) in m {
                w::write_str(out, k).map_err(|_| enc_err(path, "write failed"))?;
                path.steps
                    .push(super::PathStep::ElementKeyString(k.clone()));
                write_value(out, et, v, path)?;
                path.steps.pop();
            }
        }
        (Type::Object { attributes, .. }, Value::Object(m)) => {
            if let Some(extra) = m.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(enc_err(path, format!("unsupported attribute {extra:?}")));
            }
            // Every attribute, in sorted order (BTreeMap), null when the value lacks it.
            w::write_map_len(out, attributes.len() as u32).map_err(io)?;
            for (k, at) in attributes {
                w::write_str(out, k).map_err(|_| enc_err(path, "write failed"))?;
                path.steps.push(super::PathStep::Attribute(k.clone()));
                write_value(out, at, m.get(k).unwrap_or(&Value::Null), path)?;
                path.steps.pop();
            }
        }
        (Type::Dynamic, Value::Dynamic { ty: inner, value }) => {
            w::write_array_len(out, 2).map_err(io)?;
            w::write_bin(out, &inner.to_json()).map_err(|_| enc_err(path, "write failed"))?;
            write_value(out, inner, value, path)?;
        }
        (ty, v) => {
            return Err(enc_err(
                path,
                format!("value {} does not fit type {ty}", short_kind(v)),
            ))
        }
    }
    Ok(())
}

fn short_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Tuple(_) => "tuple",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Dynamic { .. } => "dynamic",
    }
}

/// cty's rule: an integer if it fits int64, else a float64 if that is exact, else a string.
fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.to_i64() {
        let _ = rmp::encode::write_sint(out, i);
        return;
    }
    if n.as_decimal().is_integer() {
        if let Some(u) = bigdecimal::ToPrimitive::to_u64(n.as_decimal()) {
            let _ = rmp::encode::write_uint(out, u);
            return;
        }
    }
    if let Some(f) = n.to_f64() {
        if Number::from_f64(f).as_ref() == Some(n) {
            let _ = rmp::encode::write_f64(out, f);
            return;
        }
    }
    let _ = rmp::encode::write_str(out, &n.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_type() -> Type {
        Type::object([("a", Type::String), ("b", Type::String)])
    }

    #[test]
    fn byte_exact_vectors() {
        let v = Value::Object(
            [
                ("a".to_string(), Value::String("x".into())),
                ("b".to_string(), Value::Null),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            encode(&obj_type(), &v).unwrap(),
            vec![0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]
        );
        assert_eq!(
            encode(&Type::String, &Value::Unknown).unwrap(),
            vec![0xd4, 0, 0]
        );
        assert_eq!(
            encode(&Type::Number, &Value::Number(1i64.into())).unwrap(),
            vec![1]
        );
        assert_eq!(
            encode(
                &Type::Number,
                &Value::Number(Number::from_f64(0.5).unwrap())
            )
            .unwrap(),
            vec![0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]
        );
        let big: Number = "123456789012345678901234567890.5".parse().unwrap();
        let bytes = encode(&Type::Number, &Value::Number(big.clone())).unwrap();
        assert_eq!(bytes[0], 0xd9);
        assert_eq!(decode(&Type::Number, &bytes).unwrap(), Value::Number(big));
    }

    #[test]
    fn objects_are_completed_and_extra_attributes_refused() {
        let missing = [0x81, 0xa1, b'a', 0xa1, b'x'];
        let v = decode(&obj_type(), &missing).unwrap();
        assert_eq!(v.get_attr("b"), Some(&Value::Null));
        let extra = [0x81, 0xa1, b'z', 0xc0];
        let e = decode(&obj_type(), &extra).unwrap_err();
        assert!(e.message.contains("\"z\""), "{e}");
        let wrong = Value::Object([("z".to_string(), Value::Null)].into_iter().collect());
        assert!(encode(&obj_type(), &wrong).is_err());
    }

    #[test]
    fn unknowns_and_refined_unknowns_decode_as_unknown() {
        assert_eq!(
            decode(&Type::String, &[0xd4, 0, 0]).unwrap(),
            Value::Unknown
        );
        // ext 12 with a refinement map {1: false}
        assert_eq!(
            decode(&Type::String, &[0xc7, 3, 12, 0x81, 0x01, 0xc2]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn errors_carry_paths() {
        let ty = Type::object([("m", Type::map(Type::Bool))]);
        // {"m": {"k": "str"}}
        let bytes = [0x81, 0xa1, b'm', 0x81, 0xa1, b'k', 0xa1, b's'];
        let e = decode(&ty, &bytes).unwrap_err();
        assert_eq!(e.path.to_string(), "m[\"k\"]");
        assert!(e.message.contains("expected bool"), "{e}");
    }

    #[test]
    fn hostile_input_is_an_error() {
        let ty = Type::list(Type::String);
        for bad in [
            &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdb, 0xff, 0xff, 0xff, 0xff],
            &[0x91],
            &[0xc1],
            &[0x90, 0x00],
            &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
        ] {
            assert!(decode(&ty, bad).is_err(), "{bad:?}");
        }
        let mut deep = vec![0x91; 200];
        deep.push(0xc0);
        let mut t = Type::String;
        for _ in 0..200 {
            t = Type::list(t);
        }
        assert!(decode(&t, &deep).is_err());
    }

    #[test]
    fn dynamic_round_trips_with_its_type() {
        let v = Value::Dynamic {
            ty: Type::list(Type::String),
            value: Box::new(Value::List(vec![Value::String("a".into())])),
        };
        let bytes = encode(&Type::Dynamic, &v).unwrap();
        assert_eq!(decode(&Type::Dynamic, &bytes).unwrap(), v);
    }
}
