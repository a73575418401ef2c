//! The provider block, declared once, and how each setting is resolved: the attribute,
//! else its environment variable, else the default. The API URL's default lives here; the
//! timeouts' and retries' in the client's `ClientConfig::new`. The descriptions name them
//! for the docs, and a test holds them to the values.

use crate::framework::prelude::{AttributePath, Number};
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::validators::{integer_between, Validator};
use crate::framework::{optional, Field, Model};
use crate::sigsentry::Secret;
use std::ops::RangeInclusive;
use std::time::Duration;

/// Where the API lives unless configured otherwise.
pub const DEFAULT_API_URL: &str = "https://api.sigsentry.com";
/// The most retries a user may configure.
const RETRIES: RangeInclusive<i64> = 0..=20;
/// Per-request timeout bounds, seconds.
const TIMEOUT: RangeInclusive<i64> = 1..=3600;
/// Operation deadline bounds, seconds.
const TOTAL_TIMEOUT: RangeInclusive<i64> = 1..=86_400;

fn url_scheme() -> Validator {
    Validator::new(|v, at| match v.as_str().map(check_url) {
        Some(Err(msg)) => Diagnostic::error("Invalid api_url", msg)
            .at(at.clone())
            .into(),
        _ => Diagnostics::new(),
    })
}

crate::model! {
    /// The `provider "sigsentry"` block.
    pub struct ProviderConfig {
        description: "Manage SigSentry log sources as code.",
        api_key: Field<String> = optional(
            "SigSentry API key (`ss_secret_...`). Env: `SIGSENTRY_API_KEY`.",
        )
        .sensitive(),
        api_url: Field<String> = optional(
            "Base URL of the API. Env: `SIGSENTRY_API_URL`. Default: \
             `https://api.sigsentry.com`. Plain `http://` is accepted only for loopback \
             addresses, so the key never crosses a network unencrypted.",
        )
        .validate(url_scheme()),
        project_id: Field<String> = optional(
            "The default project of every resource, data source and list (sent as \
             `X-Project-Id`); each may name another with its own `project_id`. Needed by a \
             tenant-scoped key unless every resource names its project. Env: \
             `SIGSENTRY_PROJECT_ID`.",
        )
        .validate(crate::provider::log_source::model::project_id_format()),
        timeout_seconds: Field<Number> = optional(
            "How long one API request may take, its answer included, before it fails (and is \
             retried), 1 to 3600. Env: `SIGSENTRY_TIMEOUT_SECONDS`. Default: 30.",
        )
        .validate(integer_between(*TIMEOUT.start(), *TIMEOUT.end())),
        total_timeout_seconds: Field<Number> = optional(
            "How long one API operation may take in all, every retry and wait (`Retry-After` \
             included) counted, 1 to 86400. Env: `SIGSENTRY_TOTAL_TIMEOUT_SECONDS`. Default: \
             60, so a dead API fails an operation within about a minute.",
        )
        .validate(integer_between(*TOTAL_TIMEOUT.start(), *TOTAL_TIMEOUT.end())),
        max_retries: Field<Number> = optional(
            "How many times a failed call (429, 5xx, connection error) is retried, 0 to 20. \
             Env: `SIGSENTRY_MAX_RETRIES`. Default: 5.",
        )
        .validate(integer_between(*RETRIES.start(), *RETRIES.end())),
    }
}

/// Refuses anything but an http(s) URL, without repeating it (it may hold a secret).
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(format!(
            "the API URL must start with https:// (or http:// for a loopback address), for \
             example {DEFAULT_API_URL}. It is not repeated here in case it holds a secret."
        ))
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The provider's settings, resolved.
pub struct Settings {
    /// API base URL.
    pub api_url: String,
    /// API key, if any.
    pub api_key: Option<Secret>,
    /// Project for tenant-scoped keys.
    pub project: Option<String>,
    /// Retries, when set.
    pub max_retries: Option<u32>,
    /// Per-request timeout, when set.
    pub timeout: Option<Duration>,
    /// Deadline of one operation (attempts and waits), when set.
    pub total_timeout: Option<Duration>,
}

/// A whole number from `field`, else environment variable `env`, within `range`. Errors
/// name the attribute (with its path) or the variable.
fn whole_number(
    field: &Field<Number>,
    attr: &str,
    env: &str,
    range: &RangeInclusive<i64>,
) -> Result<Option<u64>, Diagnostic> {
    let explain = |what: &str| {
        format!(
            "{what} must be a whole number from {} to {}.",
            range.start(),
            range.end()
        )
    };
    match field {
        Field::Known(n) => match n.to_i64() {
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

impl ProviderConfig {
    /// True when a setting is not known until apply (it comes from another resource).
    pub fn has_unknowns(&self) -> bool {
        !self.to_value().is_wholly_known()
    }

    /// Every setting from the block, else the environment, else the default.
    pub fn resolve(&self) -> Result<Settings, Diagnostics> {
        let attr_or_env =
            |f: &Field<String>, env: &str| f.known().cloned().or_else(|| env_nonempty(env));
        let retries = whole_number(
            &self.max_retries,
            "max_retries",
            "SIGSENTRY_MAX_RETRIES",
            &RETRIES,
        );
        let timeout = whole_number(
            &self.timeout_seconds,
            "timeout_seconds",
            "SIGSENTRY_TIMEOUT_SECONDS",
            &TIMEOUT,
        );
        let total = whole_number(
            &self.total_timeout_seconds,
            "total_timeout_seconds",
            "SIGSENTRY_TOTAL_TIMEOUT_SECONDS",
            &TOTAL_TIMEOUT,
        );
        let api_url = attr_or_env(&self.api_url, "SIGSENTRY_API_URL")
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let url_ok = check_url(&api_url).map_err(|msg| {
            Diagnostic::error("Cannot use the SigSentry API URL", msg)
                .at(AttributePath::attr("api_url"))
        });
        match (retries, timeout, total, url_ok) {
            (Ok(r), Ok(t), Ok(total), Ok(())) => Ok(Settings {
                api_url,
                api_key: attr_or_env(&self.api_key, "SIGSENTRY_API_KEY").map(Secret::new),
                project: attr_or_env(&self.project_id, "SIGSENTRY_PROJECT_ID"),
                max_retries: r.map(|n| n as u32),
                timeout: t.map(Duration::from_secs),
                total_timeout: total.map(Duration::from_secs),
            }),
            (r, t, total, u) => Err(Diagnostics(
                [r.err(), t.err(), total.err(), u.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_the_defaults_the_client_uses() {
        let client = crate::sigsentry::ClientConfig::new(DEFAULT_API_URL);
        let described = |name: &str| {
            ProviderConfig::attributes()
                .into_iter()
                .find(|a| a.name == name)
                .map(|a| a.description.to_string())
                .unwrap_or_default()
        };
        for (name, default) in [
            ("api_url", DEFAULT_API_URL.to_string()),
            (
                "timeout_seconds",
                client.request_timeout.as_secs().to_string(),
            ),
            (
                "total_timeout_seconds",
                client.total_timeout.as_secs().to_string(),
            ),
            ("max_retries", client.max_retries.to_string()),
        ] {
            let text = described(name).replace("\\\n", "");
            let said = text
                .split("Default:")
                .nth(1)
                .map(|rest| rest.trim_start().trim_start_matches('`'))
                .unwrap_or_default();
            assert!(
                said.starts_with(&default),
                "{name}: {text:?} does not say {default}"
            );
        }
    }
}
