//! How to reach the API and how patiently: everything a [`Client`](super::Client) is built
//! from, with defaults that make a dead API fail an operation within about a minute.

use super::secret::Secret;
use std::time::Duration;

/// How to reach the API and how patiently.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://api.sigsentry.com`.
    pub base_url: String,
    /// API key (`ss_secret_…`); calls fail with
    /// [`ApiError::MissingApiKey`](super::ApiError::MissingApiKey) without one.
    pub api_key: Option<Secret>,
    /// Project for tenant-scoped keys (`X-Project-Id`).
    pub project_id: Option<String>,
    /// User-Agent header.
    pub user_agent: String,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// One operation's deadline: every attempt and every wait between them.
    pub total_timeout: Duration,
    /// The deadline of a whole list walk (each page also has `total_timeout`).
    pub walk_timeout: Duration,
    /// First backoff step (it doubles up to `max_backoff`; jitter adds up to as much again
    /// to each wait).
    pub min_backoff: Duration,
    /// Largest backoff step before jitter (a longer `Retry-After` is still honoured).
    pub max_backoff: Duration,
    /// Timeout of one attempt, body included.
    pub request_timeout: Duration,
    /// Timeout of establishing a connection.
    pub connect_timeout: Duration,
}

impl ClientConfig {
    /// Defaults for `base_url`: a dead API fails an operation within about a minute.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key: None,
            project_id: None,
            user_agent: format!("terraform-provider-sigsentry/{}", env!("CARGO_PKG_VERSION")),
            max_retries: 5,
            total_timeout: Duration::from_secs(60),
            walk_timeout: Duration::from_secs(300),
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}
