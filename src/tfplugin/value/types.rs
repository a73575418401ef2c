//! Terraform types and their JSON form (the bytes in `Attribute.type`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A Terraform (cty) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `string`
    String,
    /// `number` (arbitrary precision)
    Number,
    /// `bool`
    Bool,
    /// `dynamic`: any type, decided by the value.
    Dynamic,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)`
    Map(Box<Type>),
    /// `object({...})`, with the names of optional attributes.
    Object {
        /// Attribute types by name.
        attributes: BTreeMap<String, Type>,
        /// Names of attributes marked optional (type JSON's third element).
        optional: BTreeSet<String>,
    },
    /// `tuple([...])`
    Tuple(Vec<Type>),
}

/// A type JSON document that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError(pub String);

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid type: {}", self.0)
    }
}

impl std::error::Error for TypeError {}

/// How deeply type JSON may nest before it is refused (hostile input guard).
const MAX_TYPE_DEPTH: usize = 64;

impl Type {
    /// `list(elem)`
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    /// `set(elem)`
    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }

    /// `map(elem)`
    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }

    /// An object type with no optional attributes.
    pub fn object<I, K>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
    {
        Type::Object {
            attributes: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// The type as cty's JSON type notation, e.g. `["map","string"]`.
    pub fn to_json(&self) -> Vec<u8> {
        self.to_json_value().to_string().into_bytes()
    }

    fn to_json_value(&self) -> serde_json::Value {
        use serde_json::{json, Value as J};
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(e) => json!(["list", e.to_json_value()]),
            Type::Set(e) => json!(["set", e.to_json_value()]),
            Type::Map(e) => json!(["map", e.to_json_value()]),
            Type::Tuple(items) => json!([
                "tuple",
                J::Array(items.iter().map(Type::to_json_value).collect())
            ]),
            Type::Object {
                attributes,
                optional,
            } => {
                let attrs: serde_json::Map<String, J> = attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json_value()))
                    .collect();
                if optional.is_empty() {
                    json!(["object", attrs])
                } else {
                    // BTreeSet iterates sorted, as cty writes them.
                    json!(["object", attrs, optional.iter().collect::<Vec<_>>()])
                }
            }
        }
    }

    /// Parses cty's JSON type notation.
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TypeError(e.to_string()))?;
        Self::from_json_value(&v, 0)
    }

    fn from_json_value(v: &serde_json::Value, depth: usize) -> Result<Type, TypeError> {
        use serde_json::Value as J;
        if depth > MAX_TYPE_DEPTH {
            return Err(TypeError("type nests too deeply".into()));
        }
        match v {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(TypeError(format!("unknown primitive type {other:?}"))),
            },
            J::Array(items) => {
                let kind = items
                    .first()
                    .and_then(J::as_str)
                    .ok_or_else(|| TypeError("a type array must start with its kind".into()))?;
                let arg = items
                    .get(1)
                    .ok_or_else(|| TypeError(format!("{kind} needs an argument")))?;
                match (kind, items.len()) {
                    ("list", 2) => Ok(Type::list(Self::from_json_value(arg, depth + 1)?)),
                    ("set", 2) => Ok(Type::set(Self::from_json_value(arg, depth + 1)?)),
                    ("map", 2) => Ok(Type::map(Self::from_json_value(arg, depth + 1)?)),
                    ("tuple", 2) => {
                        let elems = arg
                            .as_array()
                            .ok_or_else(|| TypeError("tuple needs an array of types".into()))?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(|e| Self::from_json_value(e, depth + 1))
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    ("object", 2 | 3) => {
                        let attrs = arg
                            .as_object()
                            .ok_or_else(|| TypeError("object needs a map of types".into()))?;
                        let attributes = attrs
                            .iter()
                            .map(|(k, t)| Ok((k.clone(), Self::from_json_value(t, depth + 1)?)))
                            .collect::<Result<BTreeMap<_, _>, TypeError>>()?;
                        let mut optional = BTreeSet::new();
                        if let Some(opt) = items.get(2) {
                            let names = opt.as_array().ok_or_else(|| {
                                TypeError("object's optional attributes must be a list".into())
                            })?;
                            for n in names {
                                let n = n.as_str().ok_or_else(|| {
                                    TypeError("optional attribute names must be strings".into())
                                })?;
                                if !attributes.contains_key(n) {
                                    return Err(TypeError(format!(
                                        "optional attribute {n:?} is not an attribute"
                                    )));
                                }
                                optional.insert(n.to_string());
                            }
                        }
                        Ok(Type::Object {
                            attributes,
                            optional,
                        })
                    }
                    (k, n) => Err(TypeError(format!("unknown type kind {k:?} with {n} parts"))),
                }
            }
            _ => Err(TypeError("a type is a string or an array".into())),
        }
    }
}

impl fmt::Display for Type {
    /// HCL-style: `map(string)`, `object({a=string})`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => write!(f, "string"),
            Type::Number => write!(f, "number"),
            Type::Bool => write!(f, "bool"),
            Type::Dynamic => write!(f, "dynamic"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Tuple(items) => {
                write!(f, "tuple([")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, "])")
            }
            Type::Object { attributes, .. } => {
                write!(f, "object({{")?;
                for (i, (k, t)) in attributes.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                write!(f, "}})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_matches_cty_notation() {
        let t = Type::Object {
            attributes: [
                ("b".to_string(), Type::map(Type::String)),
                ("a".to_string(), Type::Tuple(vec![Type::Number, Type::Bool])),
            ]
            .into_iter()
            .collect(),
            optional: ["b".to_string()].into_iter().collect(),
        };
        let json = String::from_utf8(t.to_json()).unwrap();
        assert_eq!(
            json,
            r#"["object",{"a":["tuple",["number","bool"]],"b":["map","string"]},["b"]]"#
        );
        assert_eq!(Type::from_json(json.as_bytes()).unwrap(), t);
        assert_eq!(Type::set(Type::String).to_json(), br#"["set","string"]"#);
    }

    #[test]
    fn bad_type_json_is_an_error_not_a_panic() {
        for bad in [
            &b"[]"[..],
            b"[\"list\"]",
            b"\"float\"",
            b"[\"object\",{},[\"x\"]]",
            b"{",
            b"7",
        ] {
            assert!(
                Type::from_json(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{}\"string\"{}", "[\"list\",".repeat(100), "]".repeat(100));
        assert!(Type::from_json(deep.as_bytes()).is_err());
    }
}
