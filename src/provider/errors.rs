//! API errors as diagnostics a person can act on: validation details point at attributes,
//! auth, permission and quota problems are named as such.

use crate::sigsentry::ApiError;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::AttributePath;

/// Which attribute carried the credentials of a request (for validation paths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialsAttr {
    /// `credentials`
    Plain,
    /// `credentials_wo`
    WriteOnly,
}

/// Maps an API field name (`credentials.secretAccessKey`, `sources[1]`, `name`) to the
/// resource attribute it came from.
fn field_path(field: &str, creds: CredentialsAttr) -> Option<AttributePath> {
    let creds_attr = match creds {
        CredentialsAttr::Plain => "credentials",
        CredentialsAttr::WriteOnly => "credentials_wo",
    };
    if let Some(key) = field.strip_prefix("credentials.") {
        return Some(AttributePath::attr(creds_attr).key(key));
    }
    let head = field.split(['.', '[']).next().unwrap_or("");
    match head {
        "credentials" => Some(AttributePath::attr(creds_attr)),
        // Sets have no index Terraform could show: point at the whole attribute.
        "sources" => Some(AttributePath::attr("sources")),
        "name" => Some(AttributePath::attr("name")),
        "type" => Some(AttributePath::attr("type")),
        "isActive" => Some(AttributePath::attr("is_active")),
        _ => None,
    }
}

/// Diagnostics for a failed API call made while doing `action` (create, read, ...).
pub fn api_diagnostics(err: &ApiError, action: &str, creds: CredentialsAttr) -> Diagnostics {
    let mut diags = Diagnostics::new();
    match err {
        ApiError::Validation { message, details } => {
            if details.is_empty() {
                diags.error(
                    format!("SigSentry rejected the {action}"),
                    format!("Validation failed: {message}"),
                );
            }
            for d in details {
                let diag = Diagnostic::error(
                    format!("SigSentry rejected the {action}"),
                    format!("{}: {}", d.field, d.message),
                );
                diags.push(match field_path(&d.field, creds) {
                    Some(p) => diag.at(p),
                    None => diag,
                });
            }
        }
        ApiError::Unauthorized { .. } => diags.error(
            "SigSentry API key rejected",
            format!(
                "The API answered 401 UNAUTHORIZED to the {action}: the key is missing, invalid or \
                 revoked. Set api_key in the provider block or SIGSENTRY_API_KEY. ({err})"
            ),
        ),
        ApiError::Forbidden { .. } => diags.error(
            "SigSentry API key lacks permission",
            format!(
                "The API answered 403 FORBIDDEN to the {action}. Reading needs config:read, \
                 changes need config:write; a tenant-scoped key also needs project_id. ({err})"
            ),
        ),
        ApiError::QuotaExceeded { .. } => diags.error(
            "SigSentry log source quota reached",
            format!(
                "The plan's logSourcesPerProject quota is used up, so the {action} was refused. \
                 Delete unused log sources or raise the plan's quota. ({err})"
            ),
        ),
        other => diags.error(format!("SigSentry {action} failed"), other.to_string()),
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_fields_map_to_the_attribute_used() {
        assert_eq!(
            field_path("credentials.token", CredentialsAttr::WriteOnly)
                .map(|p| p.to_string())
                .as_deref(),
            Some("credentials_wo[\"token\"]")
        );
        assert_eq!(
            field_path("sources[2]", CredentialsAttr::Plain)
                .map(|p| p.to_string())
                .as_deref(),
            Some("sources")
        );
        assert_eq!(field_path("weird", CredentialsAttr::Plain), None);
    }
}
