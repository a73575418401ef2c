//! The action `sigsentry_log_source_test` (Terraform 1.14+): asks SigSentry to test a log
//! source's connection, streams the preview log lines as progress, and fails with the
//! platform's error when the test fails. Run it with `terraform apply -invoke=...` or
//! from a resource's `action_trigger`; it complements the resource's `verify`, which
//! tests within the apply itself.

use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::{required, Action, Field, Progress};
use crate::provider::context::ProviderContext;
use crate::provider::errors::{api_diagnostics, CredentialsAttr};
use crate::sigsentry::{check_id, ApiError};
use std::sync::Arc;

/// The most preview lines streamed, and how much of each.
const PREVIEW_LINES: usize = 20;
const PREVIEW_CHARS: usize = 200;

crate::model! {
    /// The `config` of an `action "sigsentry_log_source_test"` block.
    pub struct LogSourceTestConfig {
        description: "Tests a log source's connection: SigSentry reads a few log lines with \
            its credentials. The action fails with the platform's error when it cannot.",
        log_source_id: Field<String> = required("The id of the log source to test (`ls_...`)."),
    }
}

/// The action.
pub struct LogSourceTest {
    ctx: Arc<ProviderContext>,
}

impl LogSourceTest {
    /// Bound to the provider's shared context.
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        LogSourceTest { ctx }
    }
}

fn id_problem(id: &str) -> Option<Diagnostics> {
    check_id(id).err().map(|why| {
        Diagnostic::error(
            "Invalid log_source_id",
            format!("The log source id is not usable: {why}."),
        )
        .at(AttributePath::attr("log_source_id"))
        .into()
    })
}

impl Action for LogSourceTest {
    type Config = LogSourceTestConfig;

    fn type_name(&self) -> &'static str {
        "sigsentry_log_source_test"
    }

    fn validate(&self, config: &LogSourceTestConfig) -> Diagnostics {
        config
            .log_source_id
            .known()
            .and_then(|id| id_problem(id))
            .unwrap_or_default()
    }

    /// A known id must name a live source; an id known only after apply (from a resource
    /// created in the same run) is checked when the action runs.
    async fn plan(&self, config: LogSourceTestConfig) -> Diagnostics {
        let (Some(id), Ok(client)) = (config.log_source_id.known(), self.ctx.client()) else {
            return Diagnostics::new();
        };
        match client.get(id).await {
            Ok(_) => Diagnostics::new(),
            Err(ApiError::NotFound { .. }) => Diagnostic::error(
                "Log source not found",
                format!("No log source with id {id:?} exists in this project."),
            )
            .at(AttributePath::attr("log_source_id"))
            .into(),
            Err(e) => api_diagnostics(&e, "read", CredentialsAttr::Plain),
        }
    }

    async fn invoke(&self, config: LogSourceTestConfig, progress: &Progress) -> Diagnostics {
        let client = match self.ctx.client() {
            Ok(c) => c,
            Err(d) => return d,
        };
        let Some(id) = config.log_source_id.known().cloned() else {
            return Diagnostic::error("Missing log_source_id", "Name the log source to test.")
                .at(AttributePath::attr("log_source_id"))
                .into();
        };
        if let Some(d) = id_problem(&id) {
            return d;
        }
        progress.line(format!("Testing log source {id}...")).await;
        // The action knows no credentials: the API key is what may be redacted.
        let result = match client.test(&id, None).await {
            Ok(r) => r,
            Err(e) => return api_diagnostics(&e, "connection test", CredentialsAttr::Plain),
        };
        if !result.ok {
            return Diagnostic::error(
                "Log source test failed",
                format!(
                    "SigSentry could not read logs from {id}: {}.",
                    result.reason()
                ),
            )
            .into();
        }
        let lines = result.sample_lines.len();
        for line in result.sample_lines.iter().take(PREVIEW_LINES) {
            let short: String = line.chars().take(PREVIEW_CHARS).collect();
            if !progress.line(short).await {
                break;
            }
        }
        progress
            .line(format!(
                "Log source {id} works: {lines} preview line(s) read."
            ))
            .await;
        Diagnostics::new()
    }
}
