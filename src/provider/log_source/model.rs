//! `sigsentry_log_source`'s attributes, declared once: the schema, the plan behaviour and
//! the struct the resource works on all come from here, descriptions (and so the docs)
//! included.

use crate::framework::validators::{
    length_between, no_empty_strings, no_nulls, not_empty, one_of, Validator,
};
use crate::framework::{computed, optional, optional_computed, required, Field, Set};
use crate::provider::platforms::{Credentials, LOG_TYPES};

crate::model! {
    /// The configuration, plan and state of one log source.
    pub struct LogSourceModel {
        description: "A SigSentry log source: the connection that lets SigSentry read logs \
            from one platform (CloudWatch, Datadog, Loki, Splunk, Elastic or GCP Logging). \
            Credentials are sent to the API, which encrypts them at rest and never returns them.",
        id: Field<String> = computed(
            "The log source's id, as the API assigns it (`ls_...`). Import takes it.",
        )
        .use_state_for_unknown(),
        log_type as "type": Field<String> = required(
            "The log platform: one of `cloudwatch`, `datadog`, `loki`, `splunk`, `elastic`, \
             `gcp_logging`. Changing it replaces the log source.",
        )
        .requires_replace()
        .validate(one_of(&LOG_TYPES, "Unsupported log source type")),
        name: Field<String> = required(
            "A human-readable label, 1 to 255 characters, e.g. `prod-cloudwatch`.",
        )
        .validate(length_between(1, 255, "Invalid log source name")),
        credentials: Field<Credentials> = optional(
            "Platform credentials, keys by type: cloudwatch `accessKeyId`, `secretAccessKey` \
             (optional `sessionToken`); datadog `apiKey`, `appKey`; loki `host` (optional \
             `apiKey`, `orgId`); splunk `host`, `token`; elastic `host` plus `username` and \
             `password` or `apiKey`; gcp_logging `serviceAccountJson`. Stored in state \
             (sensitive). The API never returns credentials, so changes made outside Terraform \
             cannot be detected. Set exactly one of `credentials` and `credentials_wo`.",
        )
        .sensitive(),
        // Not marked sensitive: a write-only value never reaches plan, state or output
        // (Terraform shows "(write-only attribute)"), and the mark would cost a sensitive
        // path on every instance, which Terraform re-encodes on each save.
        credentials_wo: Field<Credentials> = optional(
            "Write-only platform credentials (Terraform 1.11+), same keys as `credentials`: \
             sent to the API but never stored in plan or state. Sent on create and whenever \
             `credentials_wo_version` changes.",
        )
        .write_only(),
        credentials_wo_version: Field<String> = optional(
            "Any string; change it to send `credentials_wo` again (rotation). Terraform cannot \
             see write-only values change by themselves.",
        ),
        sources: Field<Set<Field<String>>> = required(
            "Log groups, indexes, indices or label selectors to query; at least one. A set: \
             order never causes a diff.",
        )
        .validate(not_empty(
            "No sources given",
            "sources must name at least one log group, index, or label selector.",
        ))
        .validate(no_empty_strings(
            "Empty source",
            "Each entry of sources must be a non-empty string.",
        ))
        .validate(no_nulls("Null source", "sources must not contain null.")),
        is_active: Field<bool> = optional_computed(
            "Whether SigSentry reads from this source. Defaults to `true`.",
        )
        .default(true),
        verify: Field<bool> = optional(
            "When `true`, after a create, or an update that changed credentials or sources, \
             ask SigSentry to test the connection (`POST .../test`). If the platform rejects \
             the credentials the apply fails with the platform's error, and the log source \
             stays recorded in state (tainted after a create) so nothing is orphaned. \
             Default: `false`.",
        ),
        project_id: Field<String> = optional_computed(
            "The project the log source lives in (`prj_...`). Unset, it is the provider's \
             `project_id`, or with a project-scoped key and no provider project, the key's own \
             project as the API reports it. A tenant-scoped key can so manage many projects \
             from one provider block. Changing it replaces the log source: a source cannot move \
             between projects.",
        )
        .use_state_for_unknown()
        .validate(project_id_format()),
        tenant_id: Field<String> = computed("The tenant the log source belongs to.")
            .use_state_for_unknown(),
        created_at: Field<String> = computed("When the log source was created (RFC 3339).")
            .use_state_for_unknown(),
    }
}

impl LogSourceModel {
    /// The known credential values of `field` (unknown or null entries left out).
    pub fn known_credentials(
        field: &Field<Credentials>,
    ) -> Option<std::collections::BTreeMap<String, String>> {
        field.known().map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.known().map(|s| (k.clone(), s.clone())))
                .collect()
        })
    }

    /// The known sources, sorted and without repeats (a set has no order).
    pub fn known_sources(&self) -> Vec<String> {
        let mut items: Vec<String> = self
            .sources
            .known()
            .map(|s| s.0.iter().filter_map(|v| v.known().cloned()).collect())
            .unwrap_or_default();
        items.sort();
        items.dedup();
        items
    }
}

/// A project id as the API writes them (`prj_` then letters, digits, `_` or `-`).
pub fn project_id_format() -> Validator {
    Validator::new(|v, at| match v.as_str() {
        Some(p) if !crate::sigsentry::contract::is_project_id(p) => {
            crate::framework::prelude::Diagnostic::error(
                "Invalid project id",
                format!(
                    "{at} is {p:?}, which is not a SigSentry project id: they look like \
                     \"prj_\" followed by letters, digits, \"_\" or \"-\"."
                ),
            )
            .at(at.clone())
            .into()
        }
        _ => Default::default(),
    })
}

crate::model! {
    /// What identifies a log source to Terraform 1.12+ (`import { identity = {...} }`,
    /// `terraform query`): its id, and the project it lives in.
    pub struct LogSourceIdentity {
        description: "The identity of a SigSentry log source.",
        id: Field<String> = required("The log source's id (`ls_...`)."),
        project_id: Field<String> = optional(
            "The project it belongs to (the resource's `project_id`). Optional when importing: \
             unset, the provider's `project_id`, or a project-scoped key's own project.",
        ),
    }
}
