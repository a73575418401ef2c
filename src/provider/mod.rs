//! The SigSentry provider: its configuration, the `sigsentry_log_source` resource and the
//! data sources, built on [`crate::framework`] and [`crate::sigsentry`].

mod context;
pub mod data_sources;
mod errors;
pub mod log_source;
mod state_scope;

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
            "the API URL must start with https:// (or http:// for a loopback address), for \
             example {DEFAULT_API_URL}. It is not repeated here in case it holds a secret."
        ))
    }
}

/// A whole-number setting from attribute `attr`, else environment variable `env`, within
/// `range`. Errors name the attribute (with its path) or the variable.
fn whole_number(
    config: &Value,
    attr: &str,
    env: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<u64>, Diagnostic> {
    let explain = |what: &str| {
        format!(
            "{what} must be a whole number from {} to {}.",
            range.start(),
            range.end()
        )
    };
    match config.get_attr(attr) {
        Some(Value::Number(n)) => match n.to_i64() {
            Some(v) if range.contains(&v) => Ok(Some(v as u64)),
            _ => Err(Diagnostic::error(format!("Invalid {attr}"), explain(attr))
                .at(AttributePath::attr(attr))),
        },
        _ => match env_nonempty(env) {
            Some(s) => match s.trim().parse::<i64>() {
                Ok(v) if range.contains(&v) => Ok(Some(v as u64)),
                _ => Err(Diagnostic::error(format!("Invalid {env}"), explain(env))),
            },
            None => Ok(None),
        },
    }
}

fn max_retries(config: &Value) -> Result<Option<u32>, Diagnostic> {
    whole_number(
        config,
        "max_retries",
        "SIGSENTRY_MAX_RETRIES",
        0..=MAX_RETRIES_LIMIT,
    )
    .map(|v| v.map(|n| n as u32))
}

fn timeout(config: &Value) -> Result<Option<std::time::Duration>, Diagnostic> {
    whole_number(
        config,
        "timeout_seconds",
        "SIGSENTRY_TIMEOUT_SECONDS",
        1..=3600,
    )
    .map(|v| v.map(std::time::Duration::from_secs))
}

fn total_timeout(config: &Value) -> Result<Option<std::time::Duration>, Diagnostic> {
    whole_number(
        config,
        "total_timeout_seconds",
        "SIGSENTRY_TOTAL_TIMEOUT_SECONDS",
        1..=86_400,
    )
    .map(|v| v.map(std::time::Duration::from_secs))
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
                    Attribute::new("timeout_seconds", Type::Number).optional().describe(
                        "How long one API request may take, its answer included, before it fails \
                         (and is retried), 1 to 3600. Env: `SIGSENTRY_TIMEOUT_SECONDS`. Default: 30.",
                    ),
                    Attribute::new("total_timeout_seconds", Type::Number).optional().describe(
                        "How long one API operation may take in all, every retry and wait \
                         (`Retry-After` included) counted, 1 to 86400. Env: \
                         `SIGSENTRY_TOTAL_TIMEOUT_SECONDS`. Default: 60, so a dead API fails an \
                         operation within about a minute.",
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
        for d in [
            max_retries(config).err(),
            timeout(config).err(),
            total_timeout(config).err(),
        ]
        .into_iter()
        .flatten()
        {
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
            let unknown = [
                "api_key",
                "api_url",
                "project_id",
                "max_retries",
                "timeout_seconds",
                "total_timeout_seconds",
            ]
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
            let (retries, timeout, total_timeout) =
                match (max_retries(config), timeout(config), total_timeout(config)) {
                    (Ok(r), Ok(t), Ok(total)) => (r, t, total),
                    (r, t, total) => {
                        diags.extend(Diagnostics(
                            r.err()
                                .into_iter()
                                .chain(t.err())
                                .chain(total.err())
                                .collect(),
                        ));
                        return diags;
                    }
                };
            let user_agent = format!(
                "terraform-provider-sigsentry/{} terraform/{}",
                env!("CARGO_PKG_VERSION"),
                req.terraform_version
            );
            if let Err(msg) = check_url(&api_url).and_then(|_| {
                self.ctx.configure(context::Settings {
                    api_url,
                    api_key,
                    project,
                    max_retries: retries,
                    timeout,
                    total_timeout,
                    user_agent,
                })
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
