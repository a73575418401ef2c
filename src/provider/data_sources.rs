//! Data sources: `sigsentry_log_source` (one, by id or name) and `sigsentry_log_sources`
//! (every source of the project, optionally filtered). Both show sources as
//! [`LogSourceView`]s, the one mapping from the API (see `mapping`).

use super::context::ProviderContext;
use super::errors::{api_diagnostics, CredentialsAttr};
use super::filters;
use super::mapping::LogSourceView;
use crate::framework::{computed, DataSource, Field, ReadDataResponse};
use crate::sigsentry::{ApiError, ListFilter, LogSource};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::AttributePath;
use std::sync::Arc;

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
    type Model = LogSourceView;

    fn type_name(&self) -> &'static str {
        "sigsentry_log_source"
    }

    fn validate(&self, config: &LogSourceView) -> Diagnostics {
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

    async fn read(&self, config: LogSourceView) -> ReadDataResponse<LogSourceView> {
        let client = match self.ctx.client() {
            Ok(c) => c,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let found = if let Field::Known(id) = &config.id {
            match client.get(id).await {
                Ok(s) => Ok(s),
                Err(ApiError::NotFound { .. }) => Err(Diagnostic::error(
                    "Log source not found",
                    format!("No log source with id {id:?} exists in this project."),
                )
                .at(AttributePath::attr("id"))
                .into()),
                Err(e) => Err(api_diagnostics(&e, "read", CredentialsAttr::Plain)),
            }
        } else {
            let name = config.name.known().cloned().unwrap_or_default();
            match client.list(&ListFilter::default()).await {
                Ok(all) => only_one_named(all, &name),
                Err(e) => Err(api_diagnostics(&e, "list", CredentialsAttr::Plain)),
            }
        };
        match found {
            Ok(s) => ReadDataResponse::ok(LogSourceView::from(&s)),
            Err(d) => ReadDataResponse::failed(d),
        }
    }
}

/// The one source named `name`, or an error naming every candidate's id.
fn only_one_named(all: Vec<LogSource>, name: &str) -> Result<LogSource, Diagnostics> {
    let mut matches: Vec<LogSource> = all.into_iter().filter(|s| s.name == name).collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Diagnostic::error(
            "Log source not found",
            format!("No log source named {name:?} exists in this project."),
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
        let client = match self.ctx.client() {
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
            Err(e) => ReadDataResponse::failed(api_diagnostics(&e, "list", CredentialsAttr::Plain)),
        }
    }
}
