//! Checks of one attribute's configured value, attached to its declaration. A validator
//! sees only known values: unknown ones (from other resources) are checked later, when
//! Terraform knows them, and are never taken for empty.

use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::{AttributePath, Value};
use std::sync::Arc;

type Check = dyn Fn(&Value, &AttributePath) -> Diagnostics + Send + Sync;

/// A check of an attribute's value at a path. Built with the functions below.
#[derive(Clone)]
pub struct Validator(Arc<Check>);

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

impl Validator {
    /// A validator from a function of a known, non-null value.
    pub fn new(
        check: impl Fn(&Value, &AttributePath) -> Diagnostics + Send + Sync + 'static,
    ) -> Validator {
        Validator(Arc::new(check))
    }

    /// Runs it; null and unknown values pass.
    pub fn check(&self, value: &Value, at: &AttributePath) -> Diagnostics {
        if value.is_null() || value.is_unknown() {
            Diagnostics::new()
        } else {
            (self.0)(value, at)
        }
    }
}

/// A string that must be one of `options`; `summary` heads the error.
pub fn one_of(options: &'static [&'static str], summary: &'static str) -> Validator {
    Validator::new(move |v, at| match v.as_str() {
        Some(s) if !options.contains(&s) => Diagnostic::error(
            summary,
            format!("{at} is {s:?}, but must be one of: {}.", options.join(", ")),
        )
        .at(at.clone())
        .into(),
        _ => Diagnostics::new(),
    })
}

/// A string of `min` to `max` characters (Unicode scalar values, as the API counts).
pub fn length_between(min: usize, max: usize, summary: &'static str) -> Validator {
    Validator::new(move |v, at| match v.as_str() {
        Some(s) => {
            let n = s.chars().count();
            if (min..=max).contains(&n) {
                Diagnostics::new()
            } else {
                Diagnostic::error(
                    summary,
                    format!("{at} must be {min} to {max} characters long; it has {n}."),
                )
                .at(at.clone())
                .into()
            }
        }
        None => Diagnostics::new(),
    })
}

/// A whole number from `min` to `max`.
pub fn integer_between(min: i64, max: i64) -> Validator {
    Validator::new(move |v, at| {
        let ok = v
            .as_number()
            .and_then(|n| n.to_i64())
            .is_some_and(|n| (min..=max).contains(&n));
        if ok {
            Diagnostics::new()
        } else {
            Diagnostic::error(
                format!("Invalid {at}"),
                format!("{at} must be a whole number from {min} to {max}."),
            )
            .at(at.clone())
            .into()
        }
    })
}

/// The known elements of a list or set value.
fn elements(v: &Value) -> Option<&[Value]> {
    match v {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
        _ => None,
    }
}

/// A collection with at least one element.
pub fn not_empty(summary: &'static str, detail: &'static str) -> Validator {
    Validator::new(move |v, at| match elements(v) {
        Some([]) => Diagnostic::error(summary, detail).at(at.clone()).into(),
        _ => Diagnostics::new(),
    })
}

/// A collection whose known string elements are all non-empty.
pub fn no_empty_strings(summary: &'static str, detail: &'static str) -> Validator {
    Validator::new(move |v, at| {
        let empty = elements(v)
            .unwrap_or_default()
            .iter()
            .any(|e| e.as_str().is_some_and(str::is_empty));
        if empty {
            // Sets have no index Terraform could show: the whole attribute is named.
            Diagnostic::error(summary, detail).at(at.clone()).into()
        } else {
            Diagnostics::new()
        }
    })
}

/// A collection without null elements.
pub fn no_nulls(summary: &'static str, detail: &'static str) -> Validator {
    Validator::new(move |v, at| {
        if elements(v).unwrap_or_default().iter().any(Value::is_null) {
            Diagnostic::error(summary, detail).at(at.clone()).into()
        } else {
            Diagnostics::new()
        }
    })
}

/// A string that is a valid regular expression (Rust `regex` syntax).
pub fn regex(summary: &'static str) -> Validator {
    Validator::new(move |v, at| match v.as_str().map(::regex::Regex::new) {
        Some(Err(e)) => Diagnostic::error(summary, e.to_string())
            .at(at.clone())
            .into(),
        _ => Diagnostics::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    #[test]
    fn unknown_and_null_values_are_never_checked() {
        let v = one_of(&["a"], "bad");
        let at = AttributePath::attr("x");
        assert!(v.check(&Value::Unknown, &at).is_empty());
        assert!(v.check(&Value::Null, &at).is_empty());
        let d = v.check(&s("b"), &at);
        assert_eq!(d.0[0].attribute, Some(at.clone()));
        assert!(d.0[0].detail.contains("x is \"b\", but must be one of: a."));
    }

    #[test]
    fn lengths_count_characters_and_collections_their_elements() {
        let at = AttributePath::attr("name");
        let v = length_between(1, 3, "bad");
        assert!(v.check(&s("ééé"), &at).is_empty());
        assert!(v.check(&s("éééé"), &at).has_errors());
        let set = |items: Vec<Value>| Value::Set(items);
        assert!(not_empty("s", "d").check(&set(vec![]), &at).has_errors());
        assert!(no_empty_strings("s", "d")
            .check(&set(vec![s("a"), s("")]), &at)
            .has_errors());
        assert!(no_empty_strings("s", "d")
            .check(&set(vec![s("a"), Value::Unknown]), &at)
            .is_empty());
        assert!(no_nulls("s", "d")
            .check(&set(vec![Value::Null]), &at)
            .has_errors());
        assert!(regex("bad").check(&s("("), &at).has_errors());
    }
}
