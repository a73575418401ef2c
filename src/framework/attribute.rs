//! One attribute, everything about it in one place: its mode, sensitivity, write-only-ness,
//! default, plan modifiers, validators and description. A model declaration (`model!`)
//! lists these; the protocol schema, the plan engine and the typed model all read them.

use super::validators::Validator;
use crate::tfplugin::schema::{Attribute, StringKind};
use crate::tfplugin::value::{Type, Value};

/// Who sets an attribute. One enum, so that contradictions (required and computed, say)
/// cannot be written.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// The configuration must set it.
    Required,
    /// The configuration may set it; left out, it is null.
    Optional,
    /// Only the provider sets it.
    Computed,
    /// The configuration may set it; left out, the provider plans `default`, or decides
    /// at apply ("known after apply") when there is none.
    OptionalComputed {
        /// The value planned when the configuration leaves it out.
        default: Option<Value>,
    },
}

impl Mode {
    /// True when the provider may set it.
    pub fn computed(&self) -> bool {
        matches!(self, Mode::Computed | Mode::OptionalComputed { .. })
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
    spec(Mode::OptionalComputed { default: None }, description)
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

    /// The value planned when the configuration leaves it out; makes the attribute
    /// optional and computed.
    pub fn default(mut self, value: Value) -> Self {
        self.mode = Mode::OptionalComputed {
            default: Some(value),
        };
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
        match &self.mode {
            Mode::OptionalComputed { default } => default.as_ref(),
            _ => None,
        }
    }

    /// What is inconsistent in the declaration, for a unit test over every model: a
    /// write-only attribute that is not plainly optional, or a state-for-unknown modifier
    /// on an attribute the provider never sets.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.write_only && (self.mode != Mode::Optional || self.sensitive) {
            out.push(format!(
                "{}: a write-only attribute is optional and not sensitive (Terraform never shows it)",
                self.name
            ));
        }
        if self.has(PlanModifier::UseStateForUnknown) && !self.mode.computed() {
            out.push(format!(
                "{}: UseStateForUnknown needs a computed attribute",
                self.name
            ));
        }
        if self.description.is_empty() {
            out.push(format!("{}: no description", self.name));
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
            optional: matches!(self.mode, Mode::Optional | Mode::OptionalComputed { .. }),
            computed: self.mode.computed(),
            sensitive: self.sensitive,
            write_only: self.write_only,
            deprecated: false,
        }
    }
}
