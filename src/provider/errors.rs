//! API errors as diagnostics a person can act on: validation details point at attributes,
//! auth, permission and quota problems are named as such.

use super::mapping::attribute_path;
pub use super::mapping::CredentialsAttr;
use crate::sigsentry::ApiError;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};

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
                diags.push(match attribute_path(&d.field, creds) {
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
