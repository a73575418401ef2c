//! The declaration check: every block a provider serves (its configuration, each resource
//! and its identity, data sources, list configurations, action configurations) and the
//! handles themselves, checked once when the adapter is built. A declaration that
//! contradicts itself is then an error before anything is served, never an attribute or a
//! list that quietly does nothing. The rules of one attribute are
//! [`AttributeSpec::problems`]; here are the rules of the block it is in, and of the
//! provider's handles together.

use super::attribute::{AttributeSpec, Mode, PlanModifier};
use super::registry::Declared;
use crate::tfplugin::value::Type;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Why a provider cannot be served: every problem found in its declarations, each naming
/// the block and the attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclarationErrors(pub Vec<String>);

impl fmt::Display for DeclarationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the provider's declarations contradict themselves (a bug in the provider):"
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DeclarationErrors {}

/// What a declared block is for: what its attributes may say depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The provider block.
    Provider,
    /// A managed resource: the only block that is planned.
    Resource,
    /// A managed resource's identity.
    Identity,
    /// A data source.
    DataSource,
    /// A list block's `config`.
    ListConfig,
    /// An action's `config`.
    ActionConfig,
}

/// The problems of one block, each naming its attribute.
pub(crate) fn block(declared: &Declared, role: Role) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for spec in &declared.specs {
        if !seen.insert(spec.name) {
            out.push(format!("{}: declared twice", spec.name));
        }
        out.extend(spec.problems());
        if role != Role::Resource {
            out.extend(planned_only(spec).map(|what| {
                format!(
                    "{}: {what} is for managed resources only (it acts in their plan); this \
                     is {}",
                    spec.name,
                    role.what()
                )
            }));
        }
        if role == Role::Identity {
            out.extend(identity(spec));
        }
    }
    out
}

impl Role {
    fn what(self) -> &'static str {
        match self {
            Role::Provider => "the provider configuration",
            Role::Resource => "a managed resource",
            Role::Identity => "an identity",
            Role::DataSource => "a data source",
            Role::ListConfig => "a list configuration",
            Role::ActionConfig => "an action configuration",
        }
    }
}

/// What a spec declares that only a resource's plan acts on.
fn planned_only(spec: &AttributeSpec) -> impl Iterator<Item = &'static str> {
    [
        (spec.write_only, "write-only"),
        (spec.default.is_some(), "a default"),
        (
            spec.has(PlanModifier::UseStateForUnknown),
            "UseStateForUnknown",
        ),
        (spec.has(PlanModifier::RequiresReplace), "RequiresReplace"),
    ]
    .into_iter()
    .filter_map(|(declared, what)| declared.then_some(what))
}

/// The rules of an identity attribute: Terraform takes identities as import arguments and
/// shows them, so they are given or not (never computed), plain, and of simple types.
fn identity(spec: &AttributeSpec) -> Vec<String> {
    let mut out = Vec::new();
    if !matches!(spec.mode, Mode::Required | Mode::Optional) {
        out.push(format!(
            "{}: an identity attribute is required or optional (what import takes)",
            spec.name
        ));
    }
    if spec.sensitive {
        out.push(format!(
            "{}: an identity attribute is never sensitive (Terraform shows identities)",
            spec.name
        ));
    }
    let simple = |t: &Type| matches!(t, Type::String | Type::Number | Type::Bool);
    let fits = match &spec.ty {
        Type::List(e) => simple(e),
        t => simple(t),
    };
    if !fits {
        out.push(format!(
            "{}: an identity attribute is a string, number, bool or a list of them, not a {}",
            spec.name, spec.ty
        ));
    }
    out
}

/// Collects the problems of a provider's declarations, each prefixed with its place.
#[derive(Default)]
pub(crate) struct Check(Vec<String>);

impl Check {
    /// Adds `problems` found in `place` (e.g. `resource "x"`).
    pub(crate) fn add(&mut self, place: &str, problems: Vec<String>) {
        self.0
            .extend(problems.into_iter().map(|p| format!("{place}: {p}")));
    }

    /// Checks a block.
    pub(crate) fn block(&mut self, place: &str, declared: &Declared, role: Role) {
        self.add(place, block(declared, role));
    }

    /// `handles` by type name; two handles of one name are a problem (one would be lost).
    pub(crate) fn by_name<H>(
        &mut self,
        kind: &str,
        handles: Vec<H>,
        name: fn(&H) -> &'static str,
    ) -> BTreeMap<&'static str, H> {
        let mut out = BTreeMap::new();
        for h in handles {
            let n = name(&h);
            if out.insert(n, h).is_some() {
                self.0
                    .push(format!("{kind} {n:?}: served twice; type names are unique"));
            }
        }
        out
    }

    /// Nothing found, or every problem.
    pub(crate) fn finish(self) -> Result<(), DeclarationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DeclarationErrors(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{computed, optional, optional_computed, required, Field, Set};

    crate::model! {
        /// Every mistake one attribute can make.
        pub struct Contradictions {
            description: "A block whose every attribute contradicts itself.",
            wrong_type: Field<String> = optional_computed("A string with a bool default.")
                .default(true),
            default_on_required: Field<bool> = required("Required, with a default.")
                .default(false),
            null_default: Field<bool> = optional_computed("A null default.")
                .default(Field::<bool>::Null),
            required_write_only: Field<String> = required("Required and write-only.")
                .write_only(),
            replaced_write_only: Field<String> = optional("Write-only and replacing.")
                .write_only()
                .requires_replace(),
            kept_config: Field<String> = optional("Optional, kept for unknown.")
                .use_state_for_unknown(),
            undescribed: Field<String> = optional(""),
        }
    }

    crate::model! {
        /// A block that is fine in a resource and wrong anywhere else.
        pub struct Planned {
            description: "Attributes with plan behaviour.",
            id: Field<String> = computed("Its id.").use_state_for_unknown(),
            on: Field<bool> = optional_computed("On or off.").default(true),
            secret: Field<String> = optional("A secret.").write_only(),
            kind: Field<String> = required("Its kind.").requires_replace(),
        }
    }

    crate::model! {
        /// An identity that breaks every identity rule.
        pub struct BadIdentity {
            description: "A bad identity.",
            id: Field<String> = computed("Computed."),
            token: Field<String> = required("Sensitive.").sensitive(),
            tags: Field<Set<Field<String>>> = optional("A set."),
        }
    }

    fn problems<M: crate::framework::Model>(role: Role) -> Vec<String> {
        block(&Declared::of::<M>(0), role)
    }

    #[test]
    fn each_contradiction_of_an_attribute_is_named() {
        let found = problems::<Contradictions>(Role::Resource);
        let expected = [
            "wrong_type: the default is a bool, but the attribute is a string",
            "default_on_required: only an optional_computed attribute has a default, but this \
             one is required",
            "null_default: the default is null or unknown; a default is a known value",
            "required_write_only: a write-only attribute is optional and not sensitive \
             (Terraform never shows it), but this one is required",
            "replaced_write_only: a write-only attribute is never in plan or state, so its \
             change cannot replace the object (RequiresReplace)",
            "kept_config: UseStateForUnknown needs a computed attribute, but this one is \
             optional",
            "undescribed: no description",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn plan_behaviour_is_a_problem_outside_a_managed_resource() {
        assert_eq!(problems::<Planned>(Role::Resource), Vec::<String>::new());
        for role in [
            Role::Provider,
            Role::DataSource,
            Role::ListConfig,
            Role::ActionConfig,
        ] {
            let found = problems::<Planned>(role);
            assert_eq!(found.len(), 4, "{role:?}: {found:?}");
            assert!(
                found[0].starts_with("id: UseStateForUnknown is for managed resources only"),
                "{found:?}"
            );
            assert!(found[0].ends_with(role.what()), "{found:?}");
        }
    }

    #[test]
    fn identity_rules_are_checked() {
        let found = problems::<BadIdentity>(Role::Identity);
        assert_eq!(
            found,
            [
                "id: an identity attribute is required or optional (what import takes)",
                "token: an identity attribute is never sensitive (Terraform shows identities)",
                "tags: an identity attribute is a string, number, bool or a list of them, not \
                 a set(string)",
            ]
        );
    }

    #[test]
    fn an_attribute_declared_twice_is_named() {
        crate::model! {
            pub struct Twice {
                description: "Two attributes of one name.",
                a: Field<String> = optional("The first."),
                b as "a": Field<String> = optional("The second."),
            }
        }
        assert_eq!(problems::<Twice>(Role::DataSource), ["a: declared twice"]);
    }

    #[test]
    fn the_error_lists_every_problem_with_its_place() {
        let mut check = Check::default();
        check.block(
            "resource \"test_thing\"",
            &Declared::of::<Contradictions>(0),
            Role::Resource,
        );
        let names: BTreeMap<_, _> =
            check.by_name("data source", vec!["x", "x"], |s: &&'static str| *s);
        assert_eq!(names.len(), 1);
        let text = check.finish().unwrap_err().to_string();
        assert!(text.starts_with("the provider's declarations contradict themselves"));
        assert!(text.contains(
            "\n  - resource \"test_thing\": wrong_type: the default is a bool, but the \
             attribute is a string"
        ));
        assert!(text.ends_with("\n  - data source \"x\": served twice; type names are unique"));
    }
}
