//! The one mapping between the API's log source and Terraform's attributes: the
//! [`LogSourceView`] that both data sources show and the resource refreshes from, and the
//! API field names, which error details use to point at an attribute.

use crate::framework::prelude::AttributePath;
use crate::framework::{computed, Field, Set};
use crate::sigsentry::contract::fields;
use crate::sigsentry::LogSource;

crate::model! {
    /// A log source as the API describes it, in Terraform's terms: each element of
    /// `sigsentry_log_sources`, and what the resource and the `sigsentry_log_source` data
    /// source copy their same-named attributes from (see `framework::model::copy_same_named`).
    pub struct LogSourceView {
        description: "A SigSentry log source.",
        id: Field<String> = computed("Its id (`ls_...`)."),
        log_type as "type": Field<String> = computed("The log platform."),
        name: Field<String> = computed("Its name."),
        sources: Field<Set<Field<String>>> = computed("Log groups, indexes, indices or label selectors."),
        is_active: Field<bool> = computed("Whether SigSentry reads from it."),
        tenant_id: Field<String> = computed("The tenant it belongs to."),
        project_id: Field<String> = computed("The project it lives in (when the API reports it)."),
        created_at: Field<String> = computed("When it was created (RFC 3339)."),
    }
}

/// Each API field with the attribute it maps to. `credentials` is sent, never returned.
pub const API_FIELDS: [(&str, &str); 9] = [
    (fields::ID, "id"),
    (fields::TYPE, "type"),
    (fields::NAME, "name"),
    (fields::SOURCES, "sources"),
    (fields::IS_ACTIVE, "is_active"),
    (fields::TENANT_ID, "tenant_id"),
    (fields::PROJECT_ID, "project_id"),
    (fields::CREATED_AT, "created_at"),
    (fields::CREDENTIALS, "credentials"),
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
            project_id: s.project_id.clone().into(),
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
    fn the_view_copies_into_every_model_that_shares_its_attributes() {
        use crate::framework::model::copy_same_named;
        let source = LogSource {
            id: "ls_1".into(),
            tenant_id: "tnt".into(),
            project_id: Some("prj_a".into()),
            log_type: "loki".into(),
            name: "n".into(),
            sources: vec!["a".into()],
            is_active: false,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: None,
        };
        let view = LogSourceView::from(&source);
        let model = copy_same_named(
            &view,
            crate::provider::log_source::LogSourceModel::default(),
        )
        .unwrap();
        assert_eq!(model.name, Field::Known("n".into()));
        assert_eq!(model.project_id, Field::Known("prj_a".into()));
        assert_eq!(model.is_active, Field::Known(false));
        let lookup = copy_same_named(
            &view,
            crate::provider::data_sources::LogSourceLookup::default(),
        )
        .unwrap();
        assert_eq!(lookup.id, Field::Known("ls_1".into()));
        assert_eq!(lookup.tenant_id, Field::Known("tnt".into()));
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
