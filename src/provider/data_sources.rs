//! Data sources: `sigsentry_log_source` (one, by id or name) and `sigsentry_log_sources`
//! (every source of a project, optionally filtered). Both read sources through
//! [`LogSourceView`], the one mapping from the API (see `mapping`); the first copies it
//! into its own model by attribute name.

use super::context::ProviderContext;

use super::filters;
use super::mapping::LogSourceView;
use crate::framework::model::copy_same_named;
use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::{computed, optional_computed, DataSource, Field, ReadDataResponse, Set};
use crate::sigsentry::{ApiError, ListFilter, LogSource};
use std::sync::Arc;

crate::model! {
    /// `sigsentry_log_source`: what to look up, and what was found.
    pub struct LogSourceLookup {
        description: "Looks up one SigSentry log source by id or by name.",
        id: Field<String> = optional_computed("The id to look up. Set exactly one of `id` and `name`."),
        name: Field<String> = optional_computed(
            "The name to look up; it must match exactly one log source. Set exactly one of \
             `id` and `name`.",
        ),
        project_id: Field<String> = optional_computed(
            "The project to look in (`prj_...`); unset, the provider's `project_id`, or a \
             project-scoped key's own project. Read back as the project the source lives in.",
        )
        .validate(super::log_source::model::project_id_format()),
        log_type as "type": Field<String> = computed("The log platform."),
        sources: Field<Set<Field<String>>> = computed("Log groups, indexes, indices or label selectors."),
        is_active: Field<bool> = computed("Whether SigSentry reads from it."),
        tenant_id: Field<String> = computed("The tenant it belongs to."),
        created_at: Field<String> = computed("When it was created (RFC 3339)."),
    }
}

/// `data "sigsentry_log_source"`: one log source, looked up by `id` or by `name`.
pub struct LogSourceData {
    ctx: Arc<ProviderContext>,
}

impl LogSourceData {
    /// Bound to the provider's shared context.
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        LogSourceData { ctx }
    }
}

impl DataSource for LogSourceData {
    type Model = LogSourceLookup;

    fn type_name(&self) -> &'static str {
        "sigsentry_log_source"
    }

    fn validate(&self, config: &LogSourceLookup) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if matches!(
            (&config.id, &config.name),
            (Field::Known(_), Field::Known(_))
        ) {
            diags.push(
                Diagnostic::error("Conflicting lookup", "Set either id or name, not both.")
                    .at(AttributePath::attr("name")),
            );
        }
        if config.id.is_null() && config.name.is_null() {
            diags.push(Diagnostic::error(
                "Missing lookup",
                "Set id or name to say which log source to read.",
            ));
        }
        diags
    }

    async fn read(&self, config: LogSourceLookup) -> ReadDataResponse<LogSourceLookup> {
        let client = match self.ctx.client_in(config.project_id.known()) {
            Ok(c) => c,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let project = client.project().map(str::to_string);
        let problem = |e: &ApiError, action: &str| self.ctx.failed(e, &client, action);
        let found = if let Field::Known(id) = &config.id {
            match client.get(id).await {
                Ok(s) => Ok(s),
                Err(ApiError::NotFound { .. }) => Err(Diagnostic::error(
                    "Log source not found",
                    format!(
                        "No log source with id {id:?} exists in {}.",
                        in_project(&project)
                    ),
                )
                .at(AttributePath::attr("id"))
                .into()),
                Err(e) => Err(problem(&e, "read")),
            }
        } else {
            let name = config.name.known().cloned().unwrap_or_default();
            match client.list(&ListFilter::default()).await {
                Ok(all) => only_one_named(all, &name, &project),
                Err(e) => Err(problem(&e, "list")),
            }
        };
        let found = found.and_then(|s| {
            let mut out = copy_same_named(&LogSourceView::from(&s), config)?;
            if out.project_id.is_null() || out.project_id.is_unknown() {
                out.project_id = project.clone().into();
            }
            Ok(out)
        });
        match found {
            Ok(s) => ReadDataResponse::ok(s),
            Err(d) => ReadDataResponse::failed(d),
        }
    }
}

/// "project P", or "the key's project", for messages.
fn in_project(project: &Option<String>) -> String {
    match project {
        Some(p) => format!("project {p:?}"),
        None => "this API key's project".to_string(),
    }
}

/// The one source named `name`, or an error naming every candidate's id.
fn only_one_named(
    all: Vec<LogSource>,
    name: &str,
    project: &Option<String>,
) -> Result<LogSource, Diagnostics> {
    let mut matches: Vec<LogSource> = all.into_iter().filter(|s| s.name == name).collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Diagnostic::error(
            "Log source not found",
            format!(
                "No log source named {name:?} exists in {}.",
                in_project(project)
            ),
        )
        .at(AttributePath::attr("name"))
        .into()),
        n => Err(Diagnostic::error(
            "Several log sources match",
            format!(
                "{n} log sources are named {name:?}: {}. Look one up by id instead.",
                matches
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .at(AttributePath::attr("name"))
        .into()),
    }
}

crate::model! {
    /// `sigsentry_log_sources`: its filters and what it found.
    pub struct LogSourcesModel {
        description: "Lists the project's SigSentry log sources (every page).",
        project_id: Field<String> = filters::project_attribute(),
        log_type as "type": Field<String> = filters::type_attribute(),
        name_regex: Field<String> = filters::name_regex_attribute(),
        log_sources: Field<Vec<LogSourceView>> = computed("The matching log sources, in the API's order."),
        ids: Field<Vec<Field<String>>> = computed("The ids of the matching log sources."),
    }
}

/// `data "sigsentry_log_sources"`: every log source of the project, optionally filtered.
pub struct LogSourcesData {
    ctx: Arc<ProviderContext>,
}

impl LogSourcesData {
    /// Bound to the provider's shared context.
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        LogSourcesData { ctx }
    }
}

impl DataSource for LogSourcesData {
    type Model = LogSourcesModel;

    fn type_name(&self) -> &'static str {
        "sigsentry_log_sources"
    }

    async fn read(&self, config: LogSourcesModel) -> ReadDataResponse<LogSourcesModel> {
        let client = match self.ctx.client_in(config.project_id.known()) {
            Ok(c) => c,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let pattern = match filters::name_pattern(config.name_regex.known()) {
            Ok(p) => p,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let filter = ListFilter {
            log_type: config.log_type.known().cloned(),
            ..Default::default()
        };
        match client.list(&filter).await {
            Ok(all) => {
                let picked: Vec<LogSourceView> = all
                    .iter()
                    .filter(|s| pattern.as_ref().is_none_or(|r| r.is_match(&s.name)))
                    .map(LogSourceView::from)
                    .collect();
                ReadDataResponse::ok(LogSourcesModel {
                    ids: Field::Known(picked.iter().map(|v| v.id.clone()).collect()),
                    log_sources: Field::Known(picked),
                    ..config
                })
            }
            Err(e) => ReadDataResponse::failed(self.ctx.failed(&e, &client, "list")),
        }
    }
}
