//! Terraform types and their JSON form (the bytes in `Attribute.type`).

use std::collections::{BTreeMap, BTreeSet};

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

impl std::fmt::Display for TypeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid type: {}", self.0)
    }
}

impl std::error::Error for TypeError {}

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
}
