//! The plan engine: from Terraform's proposal to the planned state, following the rules
//! Terraform checks in `plan_valid.go`: non-computed attributes keep their config value,
//! computed attributes the config leaves null become unknown when they may change, write-only
//! attributes are always null, and changed `RequiresReplace` attributes are reported.

use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::{AttributePath, Value};
use std::collections::BTreeMap;

/// Plan behaviour of one attribute, beyond what the schema flags say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeRules {
    /// Keep the prior value instead of "known after apply" on updates (for values the API
    /// never changes, such as ids and creation times).
    pub use_state_for_unknown: bool,
    /// A change of this attribute replaces the object.
    pub requires_replace: bool,
    /// The value planned when an optional+computed attribute is null in config.
    pub default: Option<Value>,
}

/// A resource schema plus the plan rules of its attributes.
#[derive(Clone, Debug, Default)]
pub struct ResourceSchema {
    /// The protocol schema.
    pub schema: Schema,
    /// Rules by attribute name; attributes absent here have none.
    pub rules: BTreeMap<String, AttributeRules>,
}

impl ResourceSchema {
    /// A schema with no plan rules yet.
    pub fn new(schema: Schema) -> Self {
        ResourceSchema {
            schema,
            rules: BTreeMap::new(),
        }
    }

    /// Adds rules for attribute `name`.
    pub fn with_rules(mut self, name: &str, rules: AttributeRules) -> Self {
        self.rules.insert(name.to_string(), rules);
        self
    }

    /// Names of the write-only attributes.
    pub fn write_only_attributes(&self) -> Vec<String> {
        self.schema
            .block
            .attributes
            .iter()
            .filter(|a| a.write_only)
            .map(|a| a.name.clone())
            .collect()
    }
}

/// Equality as a plan sees it: equal and wholly known (an unknown may turn out to be
/// anything, so it equals nothing, itself included). Sets compare without order.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    a == b && a.is_wholly_known()
}

/// Plans a change. `prior` is null on create; `proposed` null means destroy.
/// Returns the planned state and the paths whose change forces replacement.
pub fn plan(
    schema: &ResourceSchema,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> (Value, Vec<AttributePath>) {
    let Value::Object(proposed_attrs) = proposed else {
        return (proposed.clone(), Vec::new());
    };
    let creating = prior.is_null();
    let mut planned = proposed_attrs.clone();
    let attributes = &schema.schema.block.attributes;

    for attr in attributes {
        let rules = schema.rules.get(&attr.name);
        if attr.write_only {
            planned.insert(attr.name.clone(), Value::Null);
            continue;
        }
        let in_config = config.get_attr(&attr.name).is_some_and(|v| !v.is_null());
        if attr.computed && !in_config {
            if let Some(default) = rules.and_then(|r| r.default.clone()) {
                planned.insert(attr.name.clone(), default);
            } else if creating {
                planned.insert(attr.name.clone(), Value::Unknown);
            }
        }
    }

    if !creating {
        // Computed values the config does not set may change whenever anything else does.
        let changed = attributes.iter().any(|a| {
            !a.write_only
                && !values_equal(
                    planned.get(&a.name).unwrap_or(&Value::Null),
                    prior.get_attr(&a.name).unwrap_or(&Value::Null),
                )
        });
        if changed {
            for attr in attributes {
                let keep = schema
                    .rules
                    .get(&attr.name)
                    .is_some_and(|r| r.use_state_for_unknown || r.default.is_some());
                let in_config = config.get_attr(&attr.name).is_some_and(|v| !v.is_null());
                if attr.computed && !in_config && !keep {
                    planned.insert(attr.name.clone(), Value::Unknown);
                }
            }
        }
    }

    let mut replace = Vec::new();
    if !creating {
        for attr in attributes {
            if schema
                .rules
                .get(&attr.name)
                .is_some_and(|r| r.requires_replace)
            {
                let before = prior.get_attr(&attr.name).unwrap_or(&Value::Null);
                let after = planned.get(&attr.name).unwrap_or(&Value::Null);
                if !values_equal(before, after) {
                    replace.push(AttributePath::attr(attr.name.clone()));
                }
            }
        }
    }
    (Value::Object(planned), replace)
}

/// Sets every write-only attribute of an object to null, as Terraform requires in every
/// plan, apply, read and upgrade response.
pub fn null_write_only(value: &mut Value, write_only: &[String]) {
    if let Value::Object(attrs) = value {
        for name in write_only {
            if let Some(v) = attrs.get_mut(name) {
                *v = Value::Null;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::schema::{Attribute, Block};
    use crate::tfplugin::value::Type;

    fn schema() -> ResourceSchema {
        ResourceSchema::new(Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::new("id", Type::String).computed(),
                    Attribute::new("kind", Type::String).required(),
                    Attribute::new("name", Type::String).required(),
                    Attribute::new("active", Type::Bool).optional().computed(),
                    Attribute::new("updated", Type::String).computed(),
                    Attribute::new("secret", Type::String)
                        .optional()
                        .write_only(),
                ],
                ..Default::default()
            },
        })
        .with_rules(
            "id",
            AttributeRules {
                use_state_for_unknown: true,
                ..Default::default()
            },
        )
        .with_rules(
            "kind",
            AttributeRules {
                requires_replace: true,
                ..Default::default()
            },
        )
        .with_rules(
            "active",
            AttributeRules {
                default: Some(Value::Bool(true)),
                ..Default::default()
            },
        )
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
        let (planned, replace) = plan(&schema(), &Value::Null, &config, &config);
        assert!(replace.is_empty());
        assert_eq!(planned.get_attr("id"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("updated"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("active"), Some(&Value::Bool(true)));
        assert_eq!(planned.get_attr("secret"), Some(&Value::Null));
        assert_eq!(planned.get_attr("name"), Some(&s("n")));
    }

    #[test]
    fn no_change_plans_prior_exactly() {
        let prior = obj(&[
            ("id", s("x")),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Bool(true)),
            ("updated", s("t1")),
            ("secret", Value::Null),
        ]);
        let config = obj(&[
            ("id", Value::Null),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Null),
            ("updated", Value::Null),
            ("secret", Value::Null),
        ]);
        let (planned, replace) = plan(&schema(), &prior, &prior, &config);
        assert_eq!(planned, prior);
        assert!(replace.is_empty());
    }

    #[test]
    fn update_keeps_state_for_unknown_and_unknowns_the_rest() {
        let prior = obj(&[
            ("id", s("x")),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Bool(true)),
            ("updated", s("t1")),
            ("secret", Value::Null),
        ]);
        let mut proposed = prior.clone();
        if let Value::Object(m) = &mut proposed {
            m.insert("name".into(), s("renamed"));
        }
        let config = obj(&[("kind", s("a")), ("name", s("renamed"))]);
        let (planned, replace) = plan(&schema(), &prior, &proposed, &config);
        assert_eq!(planned.get_attr("id"), Some(&s("x")));
        assert_eq!(planned.get_attr("updated"), Some(&Value::Unknown));
        assert!(replace.is_empty());
    }

    #[test]
    fn requires_replace_reports_the_path() {
        let prior = obj(&[
            ("id", s("x")),
            ("kind", s("a")),
            ("name", s("n")),
            ("active", Value::Bool(true)),
            ("updated", s("t1")),
            ("secret", Value::Null),
        ]);
        let mut proposed = prior.clone();
        if let Value::Object(m) = &mut proposed {
            m.insert("kind".into(), s("b"));
        }
        let config = obj(&[("kind", s("b")), ("name", s("n"))]);
        let (_, replace) = plan(&schema(), &prior, &proposed, &config);
        assert_eq!(replace, vec![AttributePath::attr("kind")]);
    }

    #[test]
    fn sets_compare_without_order() {
        let a = Value::Set(vec![s("1"), s("2")]);
        let b = Value::Set(vec![s("2"), s("1")]);
        assert!(values_equal(&a, &b));
        assert!(!values_equal(&a, &Value::Set(vec![s("1")])));
    }
}
