//! One attribute, everything about it in one place: its mode, sensitivity, write-only-ness,
//! default, plan modifiers, validators and description. A model declaration (`model!`)
//! lists these; the protocol schema, the plan engine and the typed model all read them.

use super::model::TfValue;
use super::validators::Validator;
use crate::tfplugin::schema::{Attribute, StringKind};
use crate::tfplugin::value::{Type, Value};

/// Who sets an attribute. One enum, so that contradictions (required and computed, say)
/// cannot be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The configuration must set it.
    Required,
    /// The configuration may set it; left out, it is null.
    Optional,
    /// Only the provider sets it.
    Computed,
    /// The configuration may set it; left out, the provider plans the attribute's default,
    /// or decides at apply ("known after apply") when it has none.
    OptionalComputed,
}

impl Mode {
    /// True when the provider may set it.
    pub fn computed(&self) -> bool {
        matches!(self, Mode::Computed | Mode::OptionalComputed)
    }

    /// The builder that declares it, for messages.
    fn builder(&self) -> &'static str {
        match self {
            Mode::Required => "required",
            Mode::Optional => "optional",
            Mode::Computed => "computed",
            Mode::OptionalComputed => "optional_computed",
        }
    }
}

/// A default: the value planned when the configuration leaves an attribute out, converted
/// once from the Rust value declared, with the Terraform type of that Rust value (the
/// declaration check compares it with the attribute's).
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultValue {
    /// The value.
    pub value: Value,
    /// The Terraform type of the Rust value it was converted from.
    pub ty: Type,
}

/// What [`AttributeSpec::default`] takes: a value of the field's known type (`true` for a
/// `Field<bool>`, `"x"` for a `Field<String>`).
pub trait IntoDefault {
    /// The value, converted, with its type.
    fn into_default(self) -> DefaultValue;
}

impl<T: TfValue> IntoDefault for T {
    fn into_default(self) -> DefaultValue {
        DefaultValue {
            value: self.to_tf(),
            ty: T::tf_type(),
        }
    }
}

impl IntoDefault for &str {
    fn into_default(self) -> DefaultValue {
        self.to_string().into_default()
    }
}

/// How a change of an attribute is planned, beyond what its mode says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanModifier {
    /// Keep the prior value instead of "known after apply" on updates (values the API
    /// never changes, such as ids and creation times).
    UseStateForUnknown,
    /// A change of this attribute replaces the object.
    RequiresReplace,
}

/// The declaration of one attribute.
#[derive(Clone, Debug)]
pub struct AttributeSpec {
    /// Its name in Terraform.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Who sets it.
    pub mode: Mode,
    /// What the plan holds when the configuration leaves it out (optional_computed only).
    pub default: Option<DefaultValue>,
    /// Redacted in plan output and marked in state.
    pub sensitive: bool,
    /// Never stored in plan or state (Terraform 1.11+); read from configuration only.
    pub write_only: bool,
    /// Plan modifiers.
    pub plan: Vec<PlanModifier>,
    /// Checks of its configured value (unknown values are never checked).
    pub validators: Vec<Validator>,
    /// Markdown description (schema and docs).
    pub description: &'static str,
}

fn spec(mode: Mode, description: &'static str) -> AttributeSpec {
    AttributeSpec {
        name: "",
        ty: Type::Dynamic,
        mode,
        default: None,
        sensitive: false,
        write_only: false,
        plan: Vec::new(),
        validators: Vec::new(),
        description,
    }
}

/// A required attribute.
pub fn required(description: &'static str) -> AttributeSpec {
    spec(Mode::Required, description)
}

/// An optional attribute.
pub fn optional(description: &'static str) -> AttributeSpec {
    spec(Mode::Optional, description)
}

/// An attribute only the provider sets.
pub fn computed(description: &'static str) -> AttributeSpec {
    spec(Mode::Computed, description)
}

/// An optional attribute that the provider decides when the configuration leaves it out.
pub fn optional_computed(description: &'static str) -> AttributeSpec {
    spec(Mode::OptionalComputed, description)
}

impl AttributeSpec {
    /// Marks it sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks it write-only. Only an optional attribute can be write-only (the value comes
    /// from configuration alone); on any other mode this does nothing but fail the
    /// declaration check ([`AttributeSpec::problems`]).
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// The value planned when the configuration leaves it out, of the field's type:
    /// `.default(true)` on a `Field<bool>`. Only an optional_computed attribute has one;
    /// the declaration check ([`AttributeSpec::problems`]) reports a default on any other
    /// mode, or of another type than the attribute's.
    pub fn default(mut self, value: impl IntoDefault) -> Self {
        self.default = Some(value.into_default());
        self
    }

    /// Adds [`PlanModifier::UseStateForUnknown`].
    pub fn use_state_for_unknown(mut self) -> Self {
        self.plan.push(PlanModifier::UseStateForUnknown);
        self
    }

    /// Adds [`PlanModifier::RequiresReplace`].
    pub fn requires_replace(mut self) -> Self {
        self.plan.push(PlanModifier::RequiresReplace);
        self
    }

    /// Adds a validator.
    pub fn validate(mut self, v: Validator) -> Self {
        self.validators.push(v);
        self
    }

    /// Names and types it (done by `model!`, from the field).
    pub fn named(mut self, name: &'static str, ty: Type) -> Self {
        self.name = name;
        self.ty = ty;
        self
    }

    /// True when it has `modifier`.
    pub fn has(&self, modifier: PlanModifier) -> bool {
        self.plan.contains(&modifier)
    }

    /// The default planned for it, if any.
    pub fn default_value(&self) -> Option<&Value> {
        self.default.as_ref().map(|d| &d.value)
    }

    /// What contradicts itself in this declaration, wherever the attribute is used (the
    /// rules that depend on the block it is in are `declaration`'s). The adapter refuses
    /// to serve a provider with any of these.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut problem = |text: String| out.push(format!("{}: {text}", self.name));
        if self.write_only && (self.mode != Mode::Optional || self.sensitive) {
            problem(format!(
                "a write-only attribute is optional and not sensitive (Terraform never shows \
                 it), but this one is {}{}",
                self.mode.builder(),
                if self.sensitive { " and sensitive" } else { "" }
            ));
        }
        if self.write_only && self.has(PlanModifier::RequiresReplace) {
            problem(
                "a write-only attribute is never in plan or state, so its change cannot \
                 replace the object (RequiresReplace)"
                    .into(),
            );
        }
        if self.has(PlanModifier::UseStateForUnknown) && !self.mode.computed() {
            problem(format!(
                "UseStateForUnknown needs a computed attribute, but this one is {}",
                self.mode.builder()
            ));
        }
        if let Some(default) = &self.default {
            if self.mode != Mode::OptionalComputed {
                problem(format!(
                    "only an optional_computed attribute has a default, but this one is {}",
                    self.mode.builder()
                ));
            }
            if default.ty != self.ty {
                problem(format!(
                    "the default is a {}, but the attribute is a {}",
                    default.ty, self.ty
                ));
            }
            if !default.value.is_wholly_known() || default.value.is_null() {
                problem("the default is null or unknown; a default is a known value".into());
            }
        }
        if self.description.is_empty() {
            problem("no description".into());
        }
        out
    }

    /// The protocol attribute.
    pub fn to_schema(&self) -> Attribute {
        Attribute {
            name: self.name.to_string(),
            ty: self.ty.clone(),
            description: self.description.to_string(),
            description_kind: StringKind::Markdown,
            required: self.mode == Mode::Required,
            optional: matches!(self.mode, Mode::Optional | Mode::OptionalComputed),
            computed: self.mode.computed(),
            sensitive: self.sensitive,
            write_only: self.write_only,
            deprecated: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_is_converted_once_and_checked_against_the_attribute() {
        let on = optional_computed("On.")
            .default(true)
            .named("on", Type::Bool);
        assert_eq!(on.default_value(), Some(&Value::Bool(true)));
        assert!(on.problems().is_empty());
        let name = optional_computed("A name.")
            .default("x")
            .named("name", Type::String);
        assert_eq!(name.default_value(), Some(&Value::String("x".into())));
        assert!(name.problems().is_empty());
        let wrong = optional_computed("A name.")
            .default(false)
            .named("name", Type::String);
        assert_eq!(
            wrong.problems(),
            ["name: the default is a bool, but the attribute is a string"]
        );
    }
}
