//! The plan engine: from Terraform's proposal to the planned state, following the rules
//! Terraform checks in `plan_valid.go`, driven by the attribute specs: non-computed
//! attributes keep their config value; computed ones the config leaves null get their
//! default, or become unknown when they may change; write-only ones are always null; and
//! changed `RequiresReplace` attributes are reported.

use super::attribute::{AttributeSpec, PlanModifier};
use crate::tfplugin::value::{AttributePath, Value};

/// Equality as a plan sees it: equal and wholly known (an unknown may turn out to be
/// anything, so it equals nothing, itself included). Sets compare without order.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    a == b && a.is_wholly_known()
}

fn in_config(config: &Value, name: &str) -> bool {
    config.get_attr(name).is_some_and(|v| !v.is_null())
}

/// Plans a change. `prior` is null on create; `proposed` null means destroy.
/// Returns the planned state and the paths whose change forces replacement.
pub fn plan(
    specs: &[AttributeSpec],
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> (Value, Vec<AttributePath>) {
    let Value::Object(proposed_attrs) = proposed else {
        return (proposed.clone(), Vec::new());
    };
    let creating = prior.is_null();
    let mut planned = proposed_attrs.clone();

    for spec in specs {
        if spec.write_only {
            planned.insert(spec.name.to_string(), Value::Null);
            continue;
        }
        if spec.mode.computed() && !in_config(config, spec.name) {
            if let Some(default) = spec.default_value() {
                planned.insert(spec.name.to_string(), default.clone());
            } else if creating {
                planned.insert(spec.name.to_string(), Value::Unknown);
            }
        }
    }

    if !creating {
        // Computed values the config does not set may change whenever anything else does.
        let changed = specs.iter().any(|s| {
            !s.write_only
                && !values_equal(
                    planned.get(s.name).unwrap_or(&Value::Null),
                    prior.get_attr(s.name).unwrap_or(&Value::Null),
                )
        });
        if changed {
            for spec in specs {
                let keep =
                    spec.has(PlanModifier::UseStateForUnknown) || spec.default_value().is_some();
                if spec.mode.computed() && !in_config(config, spec.name) && !keep {
                    planned.insert(spec.name.to_string(), Value::Unknown);
                }
            }
        }
    }

    let mut replace = Vec::new();
    if !creating {
        for spec in specs
            .iter()
            .filter(|s| s.has(PlanModifier::RequiresReplace))
        {
            let before = prior.get_attr(spec.name).unwrap_or(&Value::Null);
            let after = planned.get(spec.name).unwrap_or(&Value::Null);
            if !values_equal(before, after) {
                replace.push(AttributePath::attr(spec.name));
            }
        }
    }
    (Value::Object(planned), replace)
}

/// Sets every write-only attribute of an object to null, as Terraform requires in every
/// plan, apply, read and upgrade response.
pub fn null_write_only(value: &mut Value, specs: &[AttributeSpec]) {
    if let Value::Object(attrs) = value {
        for spec in specs.iter().filter(|s| s.write_only) {
            if let Some(v) = attrs.get_mut(spec.name) {
                *v = Value::Null;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::attribute::{computed, optional, optional_computed, required};
    use crate::tfplugin::value::Type;

    fn specs() -> Vec<AttributeSpec> {
        vec![
            computed("id")
                .use_state_for_unknown()
                .named("id", Type::String),
            required("kind")
                .requires_replace()
                .named("kind", Type::String),
            required("name").named("name", Type::String),
            optional_computed("active")
                .default(true)
                .named("active", Type::Bool),
            computed("updated").named("updated", Type::String),
            optional("secret")
                .write_only()
                .named("secret", Type::String),
        ]
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn prior() -> Value {
        obj(&[
            ("id", s("x")),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Bool(true)),
            ("updated", s("t1")),
            ("secret", Value::Null),
        ])
    }

    #[test]
    fn create_marks_computed_unknown_applies_defaults_and_nulls_write_only() {
        let config = obj(&[
            ("id", Value::Null),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Null),
            ("updated", Value::Null),
            ("secret", s("hunter2")),
        ]);
        let (planned, replace) = plan(&specs(), &Value::Null, &config, &config);
        assert!(replace.is_empty());
        assert_eq!(planned.get_attr("id"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("updated"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("active"), Some(&Value::Bool(true)));
        assert_eq!(planned.get_attr("secret"), Some(&Value::Null));
        assert_eq!(planned.get_attr("name"), Some(&s("n")));
    }

    #[test]
    fn no_change_plans_prior_exactly() {
        let config = obj(&[
            ("id", Value::Null),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Null),
            ("updated", Value::Null),
            ("secret", Value::Null),
        ]);
        let (planned, replace) = plan(&specs(), &prior(), &prior(), &config);
        assert_eq!(planned, prior());
        assert!(replace.is_empty());
    }

    #[test]
    fn update_keeps_state_for_unknown_and_unknowns_the_rest() {
        let mut proposed = prior();
        if let Value::Object(m) = &mut proposed {
            m.insert("name".into(), s("renamed"));
        }
        let config = obj(&[("kind", s("a")), ("name", s("renamed"))]);
        let (planned, replace) = plan(&specs(), &prior(), &proposed, &config);
        assert_eq!(planned.get_attr("id"), Some(&s("x")));
        assert_eq!(planned.get_attr("updated"), Some(&Value::Unknown));
        assert!(replace.is_empty());
    }

    #[test]
    fn requires_replace_reports_the_path() {
        let mut proposed = prior();
        if let Value::Object(m) = &mut proposed {
            m.insert("kind".into(), s("b"));
        }
        let config = obj(&[("kind", s("b")), ("name", s("n"))]);
        let (_, replace) = plan(&specs(), &prior(), &proposed, &config);
        assert_eq!(replace, vec![AttributePath::attr("kind")]);
    }

    #[test]
    fn unknowns_are_never_equal() {
        assert!(values_equal(&s("a"), &s("a")));
        assert!(!values_equal(&Value::Unknown, &Value::Unknown));
        let a = Value::Set(vec![s("1"), s("2")]);
        let b = Value::Set(vec![s("2"), s("1")]);
        assert!(values_equal(&a, &b));
    }
}
