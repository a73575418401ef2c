//! The list resource `sigsentry_log_source` (Terraform 1.13+, `terraform query`): the
//! project's log sources, filtered, streamed a page at a time as the API hands them out,
//! each with its identity, so `terraform query -generate-config-out` can import them.

use super::model::LogSourceModel;
use super::LogSourceResource;
use crate::framework::validators::{one_of, regex};
use crate::framework::{optional, BoxFuture, Field, ListRequest, ListResource, ListSink, Listed};
use crate::provider::errors::{api_diagnostics, CredentialsAttr};
use crate::provider::platforms::LOG_TYPES;
use crate::sigsentry::{contract, ListFilter, LogSource};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::AttributePath;
use std::collections::HashSet;
use std::sync::Arc;

crate::model! {
    /// The `config` of a `list "sigsentry_log_source"` block.
    pub struct LogSourceListConfig {
        description: "Lists the project's log sources, optionally filtered, for `terraform query`.",
        log_type as "type": Field<String> = optional("Only log sources of this platform type.")
            .validate(one_of(&LOG_TYPES, "Unsupported log source type")),
        name_regex: Field<String> = optional(
            "Only log sources whose name matches this regular expression (Rust `regex` syntax; \
             unanchored, so use `^...$` for a whole-name match).",
        )
        .validate(regex("Invalid name_regex")),
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

    fn list<'a>(
        &'a self,
        req: ListRequest<LogSourceListConfig>,
        sink: &'a mut ListSink<LogSourceResource>,
    ) -> BoxFuture<'a, Diagnostics> {
        Box::pin(async move {
            let client = match self.resource.ctx.client() {
                Ok(c) => c,
                Err(d) => return d,
            };
            let name = match req
                .config
                .name_regex
                .known()
                .map(|r| ::regex::Regex::new(r))
            {
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => {
                    return Diagnostic::error("Invalid name_regex", e.to_string())
                        .at(AttributePath::attr("name_regex"))
                        .into()
                }
                None => None,
            };
            let filter = Filter {
                name,
                source: req.config.source.known().cloned(),
            };
            let query = ListFilter {
                log_type: req.config.log_type.known().cloned(),
                ..Default::default()
            };
            let mut cursor: Option<String> = None;
            let mut cursors = HashSet::new();
            for _ in 0..contract::MAX_PAGES {
                let page = match client.list_page(&query, cursor.as_deref()).await {
                    Ok(p) => p,
                    Err(e) => return api_diagnostics(&e, "list", CredentialsAttr::Plain),
                };
                for s in page.items.iter().filter(|s| filter.keeps(s)) {
                    let listed = Listed {
                        identity: self.resource.identity_of(&s.id),
                        display_name: s.name.clone(),
                        // Credentials are never returned: null in every listed object.
                        object: LogSourceModel::default().refreshed(s),
                    };
                    if !sink.send(listed).await {
                        return Diagnostics::new();
                    }
                }
                match page.next {
                    None => return Diagnostics::new(),
                    Some(c) if !cursors.insert(c.clone()) => {
                        return Diagnostic::error(
                            "The API's list never ends",
                            "A list page named a cursor seen before; stopped.",
                        )
                        .into()
                    }
                    Some(c) => cursor = Some(c),
                }
            }
            Diagnostic::error(
                "The API's list never ends",
                format!("Stopped after {} pages.", contract::MAX_PAGES),
            )
            .into()
        })
    }
}
