//! The schema of `sigsentry_log_source`, with the descriptions the docs are built from.

use crate::framework::{AttributeRules, ResourceSchema};
use crate::tfplugin::schema::{Attribute, Block, Schema, StringKind};
use crate::tfplugin::value::{Type, Value};

/// The resource type name.
pub const TYPE_NAME: &str = "sigsentry_log_source";

/// Builds the schema and plan rules.
pub fn schema() -> ResourceSchema {
    let keep = AttributeRules {
        use_state_for_unknown: true,
        ..Default::default()
    };
    ResourceSchema::new(Schema {
        version: 0,
        block: Block {
            description: "A SigSentry log source: the connection that lets SigSentry read logs \
                from one platform (CloudWatch, Datadog, Loki, Splunk, Elastic or GCP Logging). \
                Credentials are sent to the API, which encrypts them at rest and never returns them."
                .into(),
            description_kind: StringKind::Markdown,
            attributes: vec![
                Attribute::new("id", Type::String)
                    .computed()
                    .describe("The log source's id, as the API assigns it (`ls_...`). Import takes it."),
                Attribute::new("type", Type::String).required().describe(
                    "The log platform: one of `cloudwatch`, `datadog`, `loki`, `splunk`, `elastic`, \
                     `gcp_logging`. Changing it replaces the log source.",
                ),
                Attribute::new("name", Type::String)
                    .required()
                    .describe("A human-readable label, 1 to 255 characters, e.g. `prod-cloudwatch`."),
                Attribute::new("credentials", Type::map(Type::String))
                    .optional()
                    .sensitive()
                    .describe(
                        "Platform credentials, keys by type: cloudwatch `accessKeyId`, \
                         `secretAccessKey` (optional `sessionToken`); datadog `apiKey`, `appKey`; \
                         loki `host` (optional `apiKey`, `orgId`); splunk `host`, `token`; elastic \
                         `host` plus `username` and `password` or `apiKey`; gcp_logging \
                         `serviceAccountJson`. Stored in state (sensitive). The API never returns \
                         credentials, so changes made outside Terraform cannot be detected. Set \
                         exactly one of `credentials` and `credentials_wo`.",
                    ),
                // Not marked sensitive: a write-only value never reaches plan, state or output
                // (Terraform shows "(write-only attribute)"), and the mark would cost a
                // sensitive path on every instance, which Terraform re-encodes on each save.
                Attribute::new("credentials_wo", Type::map(Type::String))
                    .optional()
                    .write_only()
                    .describe(
                        "Write-only platform credentials (Terraform 1.11+), same keys as \
                         `credentials`: sent to the API but never stored in plan or state. Sent on \
                         create and whenever `credentials_wo_version` changes.",
                    ),
                Attribute::new("credentials_wo_version", Type::String)
                    .optional()
                    .describe(
                        "Any string; change it to send `credentials_wo` again (rotation). Terraform \
                         cannot see write-only values change by themselves.",
                    ),
                Attribute::new("sources", Type::set(Type::String)).required().describe(
                    "Log groups, indexes, indices or label selectors to query; at least one. A set: \
                     order never causes a diff.",
                ),
                Attribute::new("is_active", Type::Bool)
                    .optional()
                    .computed()
                    .describe("Whether SigSentry reads from this source. Defaults to `true`."),
                Attribute::new("verify", Type::Bool).optional().describe(
                    "When `true`, after a create, or an update that changed credentials or sources, \
                     ask SigSentry to test the connection (`POST .../test`). If the platform rejects \
                     the credentials the apply fails with the platform's error, and the log source \
                     stays recorded in state (tainted after a create) so nothing is orphaned. \
                     Default: `false`.",
                ),
                Attribute::new("tenant_id", Type::String)
                    .computed()
                    .describe("The tenant the log source belongs to."),
                Attribute::new("created_at", Type::String)
                    .computed()
                    .describe("When the log source was created (RFC 3339)."),
            ],
            ..Default::default()
        },
    })
    .with_rules("id", keep.clone())
    .with_rules("tenant_id", keep.clone())
    .with_rules("created_at", keep)
    .with_rules(
        "type",
        AttributeRules {
            requires_replace: true,
            ..Default::default()
        },
    )
    .with_rules(
        "is_active",
        AttributeRules {
            default: Some(Value::Bool(true)),
            ..Default::default()
        },
    )
}
