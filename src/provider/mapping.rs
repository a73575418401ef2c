//! The one mapping between the API's log source and Terraform's attributes: the
//! [`LogSourceView`] that both data sources show and the resource refreshes from, and the
//! API field names, which error details use to point at an attribute.

use crate::framework::{computed, optional_computed, Field, Set};
use crate::sigsentry::LogSource;
use crate::tfplugin::value::AttributePath;

crate::model! {
    /// A log source as the API describes it, in Terraform's terms: what the data source
    /// `sigsentry_log_source` reads, and each element of `sigsentry_log_sources`.
    pub struct LogSourceView {
        description: "Looks up one SigSentry log source by id or by name.",
        id: Field<String> = optional_computed("The id to look up. Set exactly one of `id` and `name`."),
        log_type as "type": Field<String> = computed("The log platform."),
        name: Field<String> = optional_computed(
            "The name to look up; it must match exactly one log source. Set exactly one of \
             `id` and `name`.",
        ),
        sources: Field<Set<Field<String>>> = computed("Log groups, indexes, indices or label selectors."),
        is_active: Field<bool> = computed("Whether SigSentry reads from it."),
        tenant_id: Field<String> = computed("The tenant it belongs to."),
        created_at: Field<String> = computed("When it was created (RFC 3339)."),
    }
}

/// Each API field with the attribute it maps to. `credentials` is sent, never returned.
pub const API_FIELDS: [(&str, &str); 8] = [
    ("id", "id"),
    ("type", "type"),
    ("name", "name"),
    ("sources", "sources"),
    ("isActive", "is_active"),
    ("tenantId", "tenant_id"),
    ("createdAt", "created_at"),
    ("credentials", "credentials"),
];

fn known(s: &str) -> Field<String> {
    Field::Known(s.to_string())
}

impl From<&LogSource> for LogSourceView {
    fn from(s: &LogSource) -> LogSourceView {
        LogSourceView {
            id: known(&s.id),
            log_type: known(&s.log_type),
            name: known(&s.name),
            sources: Field::Known(Set(s.sources.iter().map(|v| known(v)).collect())),
            is_active: Field::Known(s.is_active),
            tenant_id: known(&s.tenant_id),
            created_at: known(&s.created_at),
        }
    }
}

/// Which credentials attribute a request's credentials came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialsAttr {
    /// `credentials`
    Plain,
    /// `credentials_wo`
    WriteOnly,
}

/// The attribute an API field name points at (`credentials.secretAccessKey`, `sources[1]`,
/// `isActive`), for error details.
pub fn attribute_path(field: &str, creds: CredentialsAttr) -> Option<AttributePath> {
    let creds_attr = match creds {
        CredentialsAttr::Plain => "credentials",
        CredentialsAttr::WriteOnly => "credentials_wo",
    };
    if let Some(key) = field.strip_prefix("credentials.") {
        return Some(AttributePath::attr(creds_attr).key(key));
    }
    let head = field.split(['.', '[']).next().unwrap_or("");
    let (_, attr) = API_FIELDS.iter().find(|(api, _)| *api == head)?;
    Some(AttributePath::attr(match *attr {
        "credentials" => creds_attr,
        // Sets have no index Terraform could show: the whole attribute is named.
        other => other,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_attribute_has_its_api_field() {
        for name in LogSourceView::NAMES {
            assert!(
                API_FIELDS.iter().any(|(_, attr)| attr == name),
                "{name} has no API field"
            );
        }
    }

    #[test]
    fn api_fields_point_at_the_attribute_used() {
        let path = |f, c| attribute_path(f, c).map(|p| p.to_string());
        assert_eq!(
            path("credentials.token", CredentialsAttr::WriteOnly).as_deref(),
            Some("credentials_wo[\"token\"]")
        );
        assert_eq!(
            path("sources[2]", CredentialsAttr::Plain).as_deref(),
            Some("sources")
        );
        assert_eq!(
            path("isActive", CredentialsAttr::Plain).as_deref(),
            Some("is_active")
        );
        assert_eq!(path("weird", CredentialsAttr::Plain), None);
    }
}
