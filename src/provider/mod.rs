//! The SigSentry provider: its configuration, the `sigsentry_log_source` resource and the
//! data sources, built on [`crate::framework`] and [`crate::sigsentry`].

mod context;
pub mod data_sources;
mod errors;
pub mod log_source;

use self::context::ProviderContext;
use crate::framework::object::{self, Field};
use crate::framework::{BoxFuture, ConfigureRequest, DataSource, Provider, Resource};
use crate::sigsentry::Secret;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::schema::{Attribute, Block, Schema, StringKind};
use crate::tfplugin::value::{AttributePath, Type, Value};
use std::sync::Arc;

/// The provider's registry address.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/sigsentry/sigsentry";
/// Where the API lives unless configured otherwise.
pub const DEFAULT_API_URL: &str = "https://api.sigsentry.com";
/// The most retries a user may configure.
const MAX_RETRIES_LIMIT: i64 = 20;

/// The SigSentry provider.
pub struct SigSentryProvider {
    ctx: Arc<ProviderContext>,
}

impl Default for SigSentryProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl SigSentryProvider {
    /// A provider waiting for ConfigureProvider.
    pub fn new() -> Self {
        SigSentryProvider {
            ctx: Arc::new(ProviderContext::default()),
        }
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(format!(
            "{url:?} is not an http:// or https:// URL (for example {DEFAULT_API_URL})."
        ))
    }
}

fn max_retries(config: &Value) -> Result<Option<u32>, Diagnostic> {
    let at = AttributePath::attr("max_retries");
    let bad = || {
        Diagnostic::error(
            "Invalid max_retries",
            format!("max_retries must be a whole number from 0 to {MAX_RETRIES_LIMIT}."),
        )
    };
    match config.get_attr("max_retries") {
        Some(Value::Number(n)) => match n.to_i64() {
            Some(v) if (0..=MAX_RETRIES_LIMIT).contains(&v) => Ok(Some(v as u32)),
            _ => Err(bad().at(at)),
        },
        _ => match env_nonempty("SIGSENTRY_MAX_RETRIES") {
            Some(s) => match s.trim().parse::<i64>() {
                Ok(v) if (0..=MAX_RETRIES_LIMIT).contains(&v) => Ok(Some(v as u32)),
                _ => Err(Diagnostic::error(
                    "Invalid SIGSENTRY_MAX_RETRIES",
                    format!(
                        "SIGSENTRY_MAX_RETRIES must be a whole number from 0 to {MAX_RETRIES_LIMIT}."
                    ),
                )),
            },
            None => Ok(None),
        },
    }
}

impl Provider for SigSentryProvider {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description: "Manage SigSentry log sources as code.".into(),
                description_kind: StringKind::Markdown,
                attributes: vec![
                    Attribute::new("api_key", Type::String)
                        .optional()
                        .sensitive()
                        .describe("SigSentry API key (`ss_secret_...`). Env: `SIGSENTRY_API_KEY`."),
                    Attribute::new("api_url", Type::String).optional().describe(
                        "Base URL of the API. Env: `SIGSENTRY_API_URL`. Default: \
                         `https://api.sigsentry.com`. Plain `http://` is accepted only for loopback \
                         addresses, so the key never crosses a network unencrypted.",
                    ),
                    Attribute::new("project_id", Type::String).optional().describe(
                        "Project to manage, for tenant-scoped keys (sent as `X-Project-Id`). Env: \
                         `SIGSENTRY_PROJECT_ID`.",
                    ),
                    Attribute::new("max_retries", Type::Number).optional().describe(
                        "How many times a failed call (429, 5xx, connection error) is retried, 0 to \
                         20. Env: `SIGSENTRY_MAX_RETRIES`. Default: 5.",
                    ),
                ],
                ..Default::default()
            },
        }
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Field::Known(url) = object::string(config, "api_url") {
            if let Err(msg) = check_url(url) {
                diags.push(
                    Diagnostic::error("Invalid api_url", msg).at(AttributePath::attr("api_url")),
                );
            }
        }
        if let Err(d) = max_retries(config) {
            if d.attribute.is_some() {
                diags.push(d);
            }
        }
        diags
    }

    fn configure(&self, req: ConfigureRequest) -> BoxFuture<'_, Diagnostics> {
        Box::pin(async move {
            let mut diags = Diagnostics::new();
            let config = &req.config;
            let unknown = ["api_key", "api_url", "project_id", "max_retries"]
                .iter()
                .any(|a| config.get_attr(a).is_some_and(Value::is_unknown));
            if unknown {
                self.ctx.defer();
                return diags;
            }
            let api_url = object::string(config, "api_url")
                .known()
                .map(str::to_string)
                .or_else(|| env_nonempty("SIGSENTRY_API_URL"))
                .unwrap_or_else(|| DEFAULT_API_URL.to_string());
            let api_key = object::string(config, "api_key")
                .known()
                .map(str::to_string)
                .or_else(|| env_nonempty("SIGSENTRY_API_KEY"))
                .map(Secret::new);
            let project = object::string(config, "project_id")
                .known()
                .map(str::to_string)
                .or_else(|| env_nonempty("SIGSENTRY_PROJECT_ID"));
            let retries = match max_retries(config) {
                Ok(r) => r,
                Err(d) => {
                    diags.push(d);
                    return diags;
                }
            };
            let user_agent = format!(
                "terraform-provider-sigsentry/{} terraform/{}",
                env!("CARGO_PKG_VERSION"),
                req.terraform_version
            );
            if let Err(msg) = check_url(&api_url).and_then(|_| {
                self.ctx
                    .configure(api_url, api_key, project, retries, user_agent)
            }) {
                diags.push(
                    Diagnostic::error("Cannot use the SigSentry API URL", msg)
                        .at(AttributePath::attr("api_url")),
                );
            }
            diags
        })
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(log_source::LogSourceResource::new(
            self.ctx.clone(),
        ))]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(data_sources::LogSourceData::new(self.ctx.clone())),
            Arc::new(data_sources::LogSourcesData::new(self.ctx.clone())),
        ]
    }

    fn stop(&self) {
        self.ctx.stop();
    }
}
