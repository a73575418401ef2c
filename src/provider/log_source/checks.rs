//! Plan-time checks of a log source's configuration that span attributes: exactly one of
//! the two credential attributes, and each platform's credential keys (see `platforms`).
//! Single attributes are checked by the validators in their declaration (`model.rs`).
//! Unknown values are skipped until known; an unknown is never treated as empty.

use super::model::LogSourceModel;
use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::Field;
use crate::provider::platforms::check_credentials;

/// Checks the configuration of `sigsentry_log_source` across its attributes.
pub fn validate(config: &LogSourceModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let (plain, wo) = (&config.credentials, &config.credentials_wo);
    match (plain.is_null(), wo.is_null()) {
        (false, false) if !plain.is_unknown() && !wo.is_unknown() => diags.push(
            Diagnostic::error(
                "Conflicting credentials",
                "Set exactly one of credentials and credentials_wo, not both.",
            )
            .at(AttributePath::attr("credentials_wo")),
        ),
        (true, true) => diags.push(
            Diagnostic::error(
                "Missing credentials",
                "Set credentials (stored in state, marked sensitive) or credentials_wo \
                 (write-only, Terraform 1.11+, never stored).",
            )
            .at(AttributePath::attr("credentials")),
        ),
        _ => {}
    }
    if matches!(config.credentials_wo_version, Field::Known(_)) && wo.is_null() {
        diags.push(
            Diagnostic::warning(
                "credentials_wo_version without credentials_wo",
                "credentials_wo_version only matters together with credentials_wo; it is ignored.",
            )
            .at(AttributePath::attr("credentials_wo_version")),
        );
    }
    if let Field::Known(t) = &config.log_type {
        for (attr, creds) in [("credentials", plain), ("credentials_wo", wo)] {
            if let Field::Known(creds) = creds {
                diags.extend(check_credentials(t, creds, AttributePath::attr(attr)));
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::prelude::Severity;
    use crate::framework::{Declared, Model, Set};

    #[test]
    fn attribute_and_cross_attribute_rules_name_their_paths() {
        let config = LogSourceModel {
            log_type: Field::Known("kafka".into()),
            name: Field::Known(String::new()),
            sources: Field::Known(Set(Vec::new())),
            ..Default::default()
        };
        let declared = Declared::of::<LogSourceModel>(0);
        let mut d = declared.check(&config.to_value());
        d.extend(validate(&config));
        let mut paths: Vec<String> = d
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
            .collect();
        paths.sort();
        assert_eq!(paths, vec!["credentials", "name", "sources", "type"]);
    }
}
