//! The list resource `sigsentry_log_source` (Terraform 1.13+, `terraform query`): the
//! project's log sources, filtered, streamed a page at a time as the API hands them out,
//! each with its identity, so `terraform query -generate-config-out` can import them.

use super::model::LogSourceModel;
use super::LogSourceResource;
use crate::framework::prelude::Diagnostics;
use crate::framework::{optional, Field, ListRequest, ListResource, ListSink, Listed};

use crate::provider::filters;
use crate::sigsentry::{ListFilter, LogSource};
use std::sync::Arc;

crate::model! {
    /// The `config` of a `list "sigsentry_log_source"` block.
    pub struct LogSourceListConfig {
        description: "Lists the project's log sources, optionally filtered, for `terraform query`.",
        project_id: Field<String> = filters::project_attribute(),
        log_type as "type": Field<String> = filters::type_attribute(),
        name_regex: Field<String> = filters::name_regex_attribute(),
        source: Field<String> = optional(
            "Only log sources that read this source (a log group, index or selector, exactly).",
        ),
    }
}

/// The list resource.
pub struct LogSourceList {
    resource: Arc<LogSourceResource>,
}

impl LogSourceList {
    /// Lists what `resource` manages.
    pub fn new(resource: Arc<LogSourceResource>) -> Self {
        LogSourceList { resource }
    }
}

/// What a source must match.
struct Filter {
    name: Option<::regex::Regex>,
    source: Option<String>,
}

impl Filter {
    fn keeps(&self, s: &LogSource) -> bool {
        self.name.as_ref().is_none_or(|r| r.is_match(&s.name))
            && self
                .source
                .as_ref()
                .is_none_or(|want| s.sources.iter().any(|have| have == want))
    }
}

impl ListResource for LogSourceList {
    type Config = LogSourceListConfig;
    type Resource = LogSourceResource;

    async fn list(
        &self,
        req: ListRequest<LogSourceListConfig>,
        sink: &mut ListSink<LogSourceResource>,
    ) -> Diagnostics {
        let client = match self.resource.ctx.client_in(req.config.project_id.known()) {
            Ok(c) => c,
            Err(d) => return d,
        };
        let project = client.project().map(str::to_string);
        let name = match filters::name_pattern(req.config.name_regex.known()) {
            Ok(p) => p,
            Err(d) => return d,
        };
        let filter = Filter {
            name,
            source: req.config.source.known().cloned(),
        };
        let query = ListFilter {
            log_type: req.config.log_type.known().cloned(),
            ..Default::default()
        };
        let mut walk = client.walk(query);
        while let Some(page) = walk.next().await {
            let items = match page {
                Ok(items) => items,
                Err(e) => return self.resource.ctx.failed(&e, &client, "list"),
            };
            for s in items.iter().filter(|s| filter.keeps(s)) {
                let in_project = s.project_id.clone().or_else(|| project.clone());
                let mut object = LogSourceModel::default().refreshed(s);
                object.project_id = in_project.clone().into();
                let listed = Listed {
                    identity: self.resource.identity_of(&s.id, in_project.as_deref()),
                    // The API's text, for a terminal: cleaned like every message.
                    display_name: client.clean(&s.name),
                    // Credentials are never returned: null in every listed object.
                    object,
                };
                if !sink.send(listed).await {
                    return Diagnostics::new();
                }
            }
        }
        Diagnostics::new()
    }
}
