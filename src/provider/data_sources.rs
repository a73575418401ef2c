//! Data sources: `sigsentry_log_source` (one, by id or name) and `sigsentry_log_sources`
//! (every source of the project, optionally filtered).

use super::context::ProviderContext;
use super::errors::{api_diagnostics, CredentialsAttr};
use crate::framework::object::{self, Field};
use crate::framework::{BoxFuture, DataSource, ReadDataRequest, ReadDataResponse};
use crate::sigsentry::{ApiError, ListFilter, LogSource};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::schema::{Attribute, Block, Schema, StringKind};
use crate::tfplugin::value::{AttributePath, Type, Value};
use std::sync::Arc;

/// The attributes every log source exposes, as (name, type, description).
fn source_fields() -> [(&'static str, Type, &'static str); 7] {
    [
        ("id", Type::String, "The log source's id."),
        ("type", Type::String, "The log platform."),
        ("name", Type::String, "The human-readable label."),
        (
            "sources",
            Type::set(Type::String),
            "Log groups, indexes, indices or label selectors.",
        ),
        ("is_active", Type::Bool, "Whether SigSentry reads from it."),
        ("tenant_id", Type::String, "The tenant it belongs to."),
        (
            "created_at",
            Type::String,
            "When it was created (RFC 3339).",
        ),
    ]
}

fn source_object_type() -> Type {
    Type::object(source_fields().into_iter().map(|(n, t, _)| (n, t)))
}

fn source_value(s: &LogSource) -> Value {
    object::object([
        ("id", object::str_value(&s.id)),
        ("type", object::str_value(&s.log_type)),
        ("name", object::str_value(&s.name)),
        ("sources", object::string_set(s.sources.iter().cloned())),
        ("is_active", Value::Bool(s.is_active)),
        ("tenant_id", object::str_value(&s.tenant_id)),
        ("created_at", object::str_value(&s.created_at)),
    ])
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
    fn type_name(&self) -> &'static str {
        "sigsentry_log_source"
    }

    fn schema(&self) -> Schema {
        let attributes = source_fields()
            .into_iter()
            .map(|(name, ty, text)| {
                let a = Attribute::new(name, ty).computed();
                match name {
                    "id" => a
                        .optional()
                        .describe("The id to look up. Set exactly one of `id` and `name`."),
                    "name" => a.optional().describe(
                        "The name to look up; it must match exactly one log source. Set exactly \
                         one of `id` and `name`.",
                    ),
                    _ => a.describe(text),
                }
            })
            .collect();
        Schema {
            version: 0,
            block: Block {
                attributes,
                description: "Looks up one SigSentry log source by id or by name.".into(),
                description_kind: StringKind::Markdown,
                ..Default::default()
            },
        }
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let id = object::string(config, "id");
        let name = object::string(config, "name");
        if matches!((&id, &name), (Field::Known(_), Field::Known(_))) {
            diags.push(
                Diagnostic::error("Conflicting lookup", "Set either id or name, not both.")
                    .at(AttributePath::attr("name")),
            );
        }
        if id == Field::Null && name == Field::Null {
            diags.push(Diagnostic::error(
                "Missing lookup",
                "Set id or name to say which log source to read.",
            ));
        }
        diags
    }

    fn read(&self, req: ReadDataRequest) -> BoxFuture<'_, ReadDataResponse> {
        Box::pin(async move {
            let mut out = ReadDataResponse::default();
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => {
                    out.diagnostics = d;
                    return out;
                }
            };
            let found = if let Field::Known(id) = object::string(&req.config, "id") {
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
                let name = object::string(&req.config, "name").known().unwrap_or("");
                match client.list(&ListFilter::default()).await {
                    Ok(all) => {
                        let mut matches: Vec<LogSource> =
                            all.into_iter().filter(|s| s.name == name).collect();
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
                    Err(e) => Err(api_diagnostics(&e, "list", CredentialsAttr::Plain)),
                }
            };
            match found {
                Ok(s) => out.state = source_value(&s),
                Err(d) => out.diagnostics = d,
            }
            out
        })
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
    fn type_name(&self) -> &'static str {
        "sigsentry_log_sources"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::new("type", Type::String)
                        .optional()
                        .describe("Only log sources of this platform type."),
                    Attribute::new("name_regex", Type::String).optional().describe(
                        "Only log sources whose name matches this regular expression (Rust `regex` \
                         syntax; unanchored, so use `^...$` for a whole-name match).",
                    ),
                    Attribute::new("log_sources", Type::list(source_object_type()))
                        .computed()
                        .describe("The matching log sources, in the API's order."),
                    Attribute::new("ids", Type::list(Type::String))
                        .computed()
                        .describe("The ids of the matching log sources."),
                ],
                description: "Lists the project's SigSentry log sources (every page).".into(),
                description_kind: StringKind::Markdown,
                ..Default::default()
            },
        }
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Field::Known(re) = object::string(config, "name_regex") {
            if let Err(e) = regex::Regex::new(re) {
                diags.push(
                    Diagnostic::error("Invalid name_regex", e.to_string())
                        .at(AttributePath::attr("name_regex")),
                );
            }
        }
        if let Field::Known(t) = object::string(config, "type") {
            if !super::log_source::rules::LOG_TYPES.contains(&t) {
                diags.push(
                    Diagnostic::error(
                        "Unsupported log source type",
                        format!(
                            "type is {t:?}, but must be one of: {}.",
                            super::log_source::rules::LOG_TYPES.join(", ")
                        ),
                    )
                    .at(AttributePath::attr("type")),
                );
            }
        }
        diags
    }

    fn read(&self, req: ReadDataRequest) -> BoxFuture<'_, ReadDataResponse> {
        Box::pin(async move {
            let mut out = ReadDataResponse::default();
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => {
                    out.diagnostics = d;
                    return out;
                }
            };
            let regex = match object::string(&req.config, "name_regex").known() {
                Some(re) => match regex::Regex::new(re) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        out.diagnostics.push(
                            Diagnostic::error("Invalid name_regex", e.to_string())
                                .at(AttributePath::attr("name_regex")),
                        );
                        return out;
                    }
                },
                None => None,
            };
            let filter = ListFilter {
                log_type: object::string(&req.config, "type")
                    .known()
                    .map(str::to_string),
                ..Default::default()
            };
            match client.list(&filter).await {
                Ok(all) => {
                    let picked: Vec<&LogSource> = all
                        .iter()
                        .filter(|s| regex.as_ref().is_none_or(|r| r.is_match(&s.name)))
                        .collect();
                    out.state = object::object([
                        (
                            "type",
                            req.config.get_attr("type").cloned().unwrap_or(Value::Null),
                        ),
                        (
                            "name_regex",
                            req.config
                                .get_attr("name_regex")
                                .cloned()
                                .unwrap_or(Value::Null),
                        ),
                        (
                            "log_sources",
                            Value::List(picked.iter().map(|s| source_value(s)).collect()),
                        ),
                        (
                            "ids",
                            Value::List(picked.iter().map(|s| object::str_value(&s.id)).collect()),
                        ),
                    ]);
                }
                Err(e) => out.diagnostics = api_diagnostics(&e, "list", CredentialsAttr::Plain),
            }
            out
        })
    }
}
