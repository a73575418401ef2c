//! API errors as diagnostics a person can act on: validation details point at attributes,
//! auth, permission and quota problems are named as such.

use super::mapping::attribute_path;
pub use super::mapping::CredentialsAttr;
use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::sigsentry::ApiError;

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
        ApiError::ProjectNotFound { .. } => diags.push(
            Diagnostic::error(
                "SigSentry project not found",
                format!(
                    "The API answered the {action} with 404 PROJECT_NOT_FOUND: the project \
                     named is not one of the API key's tenant. Check project_id. ({err})"
                ),
            )
            .at(AttributePath::attr("project_id")),
        ),
        other => diags.error(format!("SigSentry {action} failed"), other.to_string()),
    }
    diags
}

/// The error of a project the key cannot use, at `project_id`: which project, why, and what
/// to do. `None` when `err` is not about the project. `project` is the one the request
/// named (`None`: none named), `key_project` the key's own when an answer showed it.
pub fn project_problem(
    err: &ApiError,
    project: Option<&str>,
    key_project: Option<&str>,
) -> Option<Diagnostic> {
    let at = AttributePath::attr("project_id");
    let own = key_project
        .map(|k| format!(" This key's own project is {k:?}."))
        .unwrap_or_default();
    let d = match (err, project) {
        (ApiError::ProjectNotFound { .. }, Some(p)) => Diagnostic::error(
            "No such project",
            format!(
                "project_id is {p:?}, which is not a project of this API key's tenant (the API \
                 answered 404 PROJECT_NOT_FOUND). Check the id in SigSentry, or leave project_id \
                 out to use the provider's."
            ),
        ),
        (ApiError::Forbidden { .. }, Some(p)) => Diagnostic::error(
            "Project not reachable with this API key",
            format!(
                "project_id is {p:?}, but the API key is scoped to another project (the API \
                 answered 403 FORBIDDEN).{own} Use a tenant-scoped key to manage several \
                 projects, or set project_id to the key's project (or leave it out)."
            ),
        ),
        // A read of one list page naming no project is refused only for want of one; the
        // message must say so, or the error is not taken for it.
        (ApiError::Validation { message, details }, None)
            if mentions_project(message) || details.iter().any(|d| mentions_project(&d.field)) =>
        {
            Diagnostic::error(
                "No project for a tenant-scoped key",
                "The API key is tenant-scoped, and no project is set: the API needs one on every \
             request (it answered 400 VALIDATION_ERROR). Set project_id on the resource, or \
             project_id in the provider block (SIGSENTRY_PROJECT_ID) for every resource.",
            )
        }
        _ => return None,
    };
    Some(d.at(at))
}

fn mentions_project(text: &str) -> bool {
    text.to_ascii_lowercase().contains("project")
}
