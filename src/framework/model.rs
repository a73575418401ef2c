//! Typed models: a resource's, data source's or provider's attributes as a Rust struct,
//! declared once with [`model!`](crate::model). From that one declaration come the
//! attribute specs (hence the protocol schema and the plan behaviour), the struct, and its
//! conversions from and to Terraform values, whose errors name the attribute path.
//!
//! A field is a [`Field<T>`]: null, unknown (not known until apply) or known. Collection
//! elements may be `Field`s too, so a configuration with one unknown element among known
//! ones keeps the known ones checkable.

use super::attribute::AttributeSpec;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::{AttributePath, Number, Type, Value};
use std::collections::BTreeMap;

/// An attribute as a provider sees it: not set, not known yet, or known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Field<T> {
    /// Null in configuration or state.
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// Known.
    Known(T),
}

impl<T> Field<T> {
    /// The known value, if any.
    pub fn known(&self) -> Option<&T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The known value, taken.
    pub fn into_known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// True when unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    /// True when null.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Field::Null, Field::Known)
    }
}

/// A set: element order carries no meaning (Terraform's `set(T)`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set<T>(pub Vec<T>);

/// A Rust type that stands for a Terraform type, with its conversions. `from_tf` gets a
/// known, non-null value (a [`Field`] handles null and unknown) and names `at` in errors.
pub trait TfValue: Sized {
    /// The Terraform type.
    fn tf_type() -> Type;
    /// From a value of that type.
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics>;
    /// To a value of that type.
    fn to_tf(&self) -> Value;
}

/// The error for a value of another type than declared (a provider or framework bug, or
/// hostile input: the decoder checked the type already).
pub fn mismatch(at: &AttributePath, want: &Type) -> Diagnostics {
    Diagnostic::error(
        "Value of an unexpected type",
        format!("{at} does not hold a {want}. This is a bug in the provider."),
    )
    .at(at.clone())
    .into()
}

impl<T: TfValue> TfValue for Field<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        match v {
            Value::Null => Ok(Field::Null),
            Value::Unknown => Ok(Field::Unknown),
            v => T::from_tf(v, at).map(Field::Known),
        }
    }
    fn to_tf(&self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Unknown => Value::Unknown,
            Field::Known(v) => v.to_tf(),
        }
    }
}

impl TfValue for String {
    fn tf_type() -> Type {
        Type::String
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| mismatch(at, &Type::String))
    }
    fn to_tf(&self) -> Value {
        Value::String(self.clone())
    }
}

impl TfValue for bool {
    fn tf_type() -> Type {
        Type::Bool
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        v.as_bool().ok_or_else(|| mismatch(at, &Type::Bool))
    }
    fn to_tf(&self) -> Value {
        Value::Bool(*self)
    }
}

impl TfValue for Number {
    fn tf_type() -> Type {
        Type::Number
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        v.as_number()
            .cloned()
            .ok_or_else(|| mismatch(at, &Type::Number))
    }
    fn to_tf(&self) -> Value {
        Value::Number(self.clone())
    }
}

/// The elements of a list or set, each converted at its index.
fn elements<T: TfValue>(items: &[Value], at: &AttributePath) -> Result<Vec<T>, Diagnostics> {
    let mut out = Vec::with_capacity(items.len());
    let mut diags = Diagnostics::new();
    for (i, item) in items.iter().enumerate() {
        match T::from_tf(item, &at.clone().index(i as i64)) {
            Ok(v) => out.push(v),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

impl<T: TfValue> TfValue for Vec<T> {
    fn tf_type() -> Type {
        Type::list(T::tf_type())
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        match v {
            Value::List(items) => elements(items, at),
            _ => Err(mismatch(at, &Self::tf_type())),
        }
    }
    fn to_tf(&self) -> Value {
        Value::List(self.iter().map(TfValue::to_tf).collect())
    }
}

impl<T: TfValue> TfValue for Set<T> {
    fn tf_type() -> Type {
        Type::set(T::tf_type())
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        match v {
            Value::Set(items) => elements(items, at).map(Set),
            _ => Err(mismatch(at, &Self::tf_type())),
        }
    }
    fn to_tf(&self) -> Value {
        Value::Set(self.0.iter().map(TfValue::to_tf).collect())
    }
}

impl<T: TfValue> TfValue for BTreeMap<String, T> {
    fn tf_type() -> Type {
        Type::map(T::tf_type())
    }
    fn from_tf(v: &Value, at: &AttributePath) -> Result<Self, Diagnostics> {
        let Value::Map(m) = v else {
            return Err(mismatch(at, &Self::tf_type()));
        };
        let mut out = BTreeMap::new();
        let mut diags = Diagnostics::new();
        for (k, item) in m {
            match T::from_tf(item, &at.clone().key(k.clone())) {
                Ok(v) => {
                    out.insert(k.clone(), v);
                }
                Err(d) => diags.extend(d),
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(out)
        }
    }
    fn to_tf(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.clone(), v.to_tf())).collect())
    }
}

/// A declared model: its attributes and its conversions from and to an object value.
pub trait Model: TfValue + Clone + Default + Send + Sync + 'static {
    /// The block's description (schema and docs).
    fn description() -> &'static str;
    /// Every attribute, in declaration order.
    fn attributes() -> Vec<AttributeSpec>;
    /// From a whole object (a resource's state or configuration, a provider block).
    fn from_value(v: &Value) -> Result<Self, Diagnostics> {
        Self::from_tf(v, &AttributePath::root())
    }
    /// To a whole object, every attribute present (null when unset), as Terraform needs.
    fn to_value(&self) -> Value {
        self.to_tf()
    }
}

/// Reads attribute `name` of object `obj` (a missing one is null: the JSON form of older
/// states may leave attributes out).
pub fn attribute<T: TfValue + Default>(
    obj: &BTreeMap<String, Value>,
    name: &str,
    at: &AttributePath,
    diags: &mut Diagnostics,
) -> T {
    let v = obj.get(name).unwrap_or(&Value::Null);
    match T::from_tf(v, &at.clone().attribute(name)) {
        Ok(t) => t,
        Err(d) => {
            diags.extend(d);
            T::default()
        }
    }
}

/// Declares a model: a struct of [`Field`]s (or other [`TfValue`]s) whose every field
/// carries its attribute spec, and its [`Model`] implementation. A field named differently
/// in Terraform (a Rust keyword such as `type`) gives the name after `as`.
///
/// ```ignore
/// model! {
///     /// A thing.
///     pub struct Thing {
///         description: "A thing.",
///         id: Field<String> = computed("Its id.").use_state_for_unknown(),
///         kind as "type": Field<String> = required("Its type.").requires_replace(),
///     }
/// }
/// ```
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            description: $desc:expr,
            $( $(#[$fmeta:meta])* $field:ident $(as $tf:literal)? : $ty:ty = $spec:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Default, PartialEq)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        // Models hold credentials: their Debug shows the shape only.
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(concat!(stringify!($name), " { <values redacted> }"))
            }
        }

        impl $name {
            /// Terraform names of the attributes, in declaration order.
            #[allow(dead_code)]
            pub const NAMES: &'static [&'static str] = &[ $( $crate::model!(@name $field $($tf)?) ),+ ];
        }

        impl $crate::framework::model::TfValue for $name {
            fn tf_type() -> $crate::tfplugin::value::Type {
                $crate::tfplugin::value::Type::object([
                    $( ($crate::model!(@name $field $($tf)?),
                        <$ty as $crate::framework::model::TfValue>::tf_type()) ),+
                ])
            }
            fn from_tf(
                v: &$crate::tfplugin::value::Value,
                at: &$crate::tfplugin::value::AttributePath,
            ) -> Result<Self, $crate::tfplugin::diagnostics::Diagnostics> {
                let $crate::tfplugin::value::Value::Object(obj) = v else {
                    return Err($crate::framework::model::mismatch(at, &<Self as $crate::framework::model::TfValue>::tf_type()));
                };
                let mut diags = $crate::tfplugin::diagnostics::Diagnostics::new();
                let out = $name {
                    $( $field: $crate::framework::model::attribute(
                        obj, $crate::model!(@name $field $($tf)?), at, &mut diags), )+
                };
                if diags.has_errors() { Err(diags) } else { Ok(out) }
            }
            fn to_tf(&self) -> $crate::tfplugin::value::Value {
                $crate::tfplugin::value::Value::Object([
                    $( ($crate::model!(@name $field $($tf)?).to_string(),
                        $crate::framework::model::TfValue::to_tf(&self.$field)) ),+
                ].into_iter().collect())
            }
        }

        impl $crate::framework::model::Model for $name {
            fn description() -> &'static str {
                $desc
            }
            fn attributes() -> Vec<$crate::framework::attribute::AttributeSpec> {
                vec![ $( ($spec).named(
                    $crate::model!(@name $field $($tf)?),
                    <$ty as $crate::framework::model::TfValue>::tf_type(),
                ) ),+ ]
            }
        }
    };
    (@name $field:ident $tf:literal) => { $tf };
    (@name $field:ident) => { stringify!($field) };
}

/// `into` with every attribute it shares by name with `from` taken from `from`: one
/// model filled from another without a hand-written copy of each field. Attributes of the
/// same name must have the same type; a declaration where they do not is reported.
pub fn copy_same_named<A: Model, B: Model>(from: &A, into: B) -> Result<B, Diagnostics> {
    let (Value::Object(src), Value::Object(mut dst)) = (from.to_value(), into.to_value()) else {
        return Ok(into);
    };
    for (name, v) in src {
        if let Some(slot) = dst.get_mut(&name) {
            *slot = v;
        }
    }
    B::from_value(&Value::Object(dst))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::attribute::{computed, optional, required};

    crate::model! {
        /// A test model.
        pub struct Thing {
            description: "A thing.",
            id: Field<String> = computed("Its id."),
            kind as "type": Field<String> = required("Its type."),
            tags: Field<Set<Field<String>>> = optional("Its tags."),
            labels: Field<BTreeMap<String, Field<String>>> = optional("Its labels.").sensitive(),
        }
    }

    #[test]
    fn a_model_round_trips_and_names_paths_in_errors() {
        let v = Value::Object(
            [
                ("id".to_string(), Value::Unknown),
                ("type".to_string(), Value::String("a".into())),
                (
                    "tags".to_string(),
                    Value::Set(vec![Value::String("x".into()), Value::Unknown]),
                ),
                ("labels".to_string(), Value::Null),
            ]
            .into_iter()
            .collect(),
        );
        let t = Thing::from_value(&v).unwrap();
        assert_eq!(t.kind, Field::Known("a".into()));
        assert!(t.id.is_unknown());
        assert_eq!(t.to_value(), v);
        assert_eq!(Thing::NAMES, ["id", "type", "tags", "labels"]);
        let specs = Thing::attributes();
        assert_eq!(specs[1].name, "type");
        assert_eq!(specs[3].ty, Type::map(Type::String));
        assert!(specs[3].sensitive);

        let mut bad = v;
        if let Value::Object(m) = &mut bad {
            m.insert(
                "labels".into(),
                Value::Map([("k".to_string(), Value::Bool(true))].into_iter().collect()),
            );
        }
        let e = Thing::from_value(&bad).unwrap_err();
        assert_eq!(
            e.0[0].attribute.as_ref().map(|p| p.to_string()).as_deref(),
            Some("labels[\"k\"]")
        );
        assert_eq!(format!("{t:?}"), "Thing { <values redacted> }");
    }
}
