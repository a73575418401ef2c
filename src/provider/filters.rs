//! The filters a listing takes (`project_id`, `type`, `name_regex`), declared once for the
//! data sources and the `sigsentry_log_source` list resource.

use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::validators::{one_of, regex};
use crate::framework::{optional, AttributeSpec};
use crate::provider::platforms::LOG_TYPES;

/// The `project_id` attribute of a lookup: which project to read.
pub fn project_attribute() -> AttributeSpec {
    optional(
        "The project to read (`prj_...`); unset, the provider's `project_id`, or a \
         project-scoped key's own project.",
    )
    .validate(crate::provider::log_source::model::project_id_format())
}

/// The `type` filter attribute.
pub fn type_attribute() -> AttributeSpec {
    optional("Only log sources of this platform type.")
        .validate(one_of(&LOG_TYPES, "Unsupported log source type"))
}

/// The `name_regex` filter attribute.
pub fn name_regex_attribute() -> AttributeSpec {
    optional(
        "Only log sources whose name matches this regular expression (Rust `regex` syntax; \
         unanchored, so use `^...$` for a whole-name match).",
    )
    .validate(regex("Invalid name_regex"))
}

/// The compiled `name_regex`, when set; its error points at the attribute (validation
/// has already refused a bad one, so this is the second line of defence).
pub fn name_pattern(pattern: Option<&String>) -> Result<Option<::regex::Regex>, Diagnostics> {
    match pattern.map(|p| ::regex::Regex::new(p)) {
        None => Ok(None),
        Some(Ok(r)) => Ok(Some(r)),
        Some(Err(e)) => Err(Diagnostic::error("Invalid name_regex", e.to_string())
            .at(AttributePath::attr("name_regex"))
            .into()),
    }
}
