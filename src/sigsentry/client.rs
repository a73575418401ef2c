//! The HTTP client: one connection pool per configured provider, typed operations, and
//! retries that never duplicate (POST and PATCH are repeated only with their idempotency
//! key, the same key on every attempt).

use super::contract::{self, Envelope};
use super::error::ApiError;
use super::models::{ListFilter, LogSource, LogSourcePatch, NewLogSource, TestResult};
use super::secret::Secret;
use backon::{ExponentialBuilder, Retryable};
use reqwest::{Method, StatusCode};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How to reach the API and how patiently.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://api.sigsentry.com`.
    pub base_url: String,
    /// API key (`ss_secret_…`); calls fail with [`ApiError::MissingApiKey`] without one.
    pub api_key: Option<Secret>,
    /// Project for tenant-scoped keys (`X-Project-Id`).
    pub project_id: Option<String>,
    /// User-Agent header.
    pub user_agent: String,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Upper bound of all waiting between attempts.
    pub max_elapsed: Duration,
    /// First backoff delay (doubles, with jitter, up to `max_backoff`).
    pub min_backoff: Duration,
    /// Largest single backoff delay (a longer `Retry-After` is still honoured).
    pub max_backoff: Duration,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Timeout of establishing a connection.
    pub connect_timeout: Duration,
}

impl ClientConfig {
    /// Defaults for `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key: None,
            project_id: None,
            user_agent: format!("terraform-provider-sigsentry/{}", env!("CARGO_PKG_VERSION")),
            max_retries: 5,
            max_elapsed: Duration::from_secs(60),
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// A create's outcome.
#[derive(Clone, Debug)]
pub struct Created {
    /// The log source.
    pub source: LogSource,
    /// True when the API replayed an earlier answer to the same idempotency key.
    pub replayed: bool,
}

/// The SigSentry API client. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
    host: String,
    config: ClientConfig,
    cancel: CancellationToken,
}

/// One attempt's answer.
struct Answer {
    status: StatusCode,
    replayed: bool,
    body: Vec<u8>,
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-encodes an id for use as one path segment.
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    /// A client for `config`; refuses a plain-http URL to anything but loopback.
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let base = reqwest::Url::parse(config.base_url.trim_end_matches('/'))
            .map_err(|e| ApiError::Config(format!("api_url is not a valid URL ({e})")))?;
        let host = base.host_str().unwrap_or_default().to_string();
        if !base.username().is_empty() || base.password().is_some() {
            // Never echo the URL: its user-info may be a secret.
            return Err(ApiError::Config(
                "api_url must not contain a user name or password; give the key in api_key or \
                 SIGSENTRY_API_KEY"
                    .into(),
            ));
        }
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => return Err(ApiError::InsecureUrl { host }),
            other => {
                return Err(ApiError::Config(format!(
                    "api_url must use https:// (or http:// to a loopback address), not {other}://"
                )))
            }
        }
        // reqwest's rustls backend needs a process-wide crypto provider; ours is aws-lc-rs.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            // A redirect could carry the key to another host: the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            base,
            host,
            config,
            cancel: CancellationToken::new(),
        })
    }

    /// Uses `token` to cancel in-flight calls and backoff waits at once.
    pub fn with_cancellation(mut self, token: CancellationToken) -> Self {
        self.cancel = token;
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    /// One HTTP exchange, mapped to an [`Answer`] or an [`ApiError`].
    async fn attempt(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        key: Option<&str>,
    ) -> Result<Answer, ApiError> {
        let api_key = self
            .config
            .api_key
            .as_ref()
            .ok_or(ApiError::MissingApiKey)?;
        let mut req = self
            .http
            .request(method.clone(), self.url(path))
            .bearer_auth(api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(p) = &self.config.project_id {
            req = req.header(contract::PROJECT_HEADER, p);
        }
        if let Some(k) = key {
            req = req.header(contract::IDEMPOTENCY_HEADER, k);
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.map_err(|e| self.transport(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| self.transport(&e))?.to_vec();
        if status.is_success() {
            // A 2xx whose body is cut off or not JSON is a fault worth retrying (the same
            // idempotency key gets the replay), so check it here, inside the retry loop.
            if status != StatusCode::NO_CONTENT
                && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err()
            {
                return Err(ApiError::InvalidResponse {
                    status: status.as_u16(),
                    what: "a body that is not the expected JSON (truncated or malformed)".into(),
                });
            }
            let replayed = headers
                .get(contract::REPLAYED_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            return Ok(Answer {
                status,
                replayed,
                body,
            });
        }
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Err(ApiError::from_response(
            status.as_u16(),
            retry_after,
            &body,
            content_type,
        ))
    }

    /// A transport failure, described without the URL's path or any header.
    fn transport(&self, e: &reqwest::Error) -> ApiError {
        let what = if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            "could not connect".to_string()
        } else if e.is_body() || e.is_decode() {
            "the connection broke while reading the answer".to_string()
        } else {
            "the request failed".to_string()
        };
        // The innermost cause reads best ("connection refused"); it never holds headers.
        let mut cause = std::error::Error::source(e);
        let mut root = None;
        while let Some(c) = cause {
            root = Some(c.to_string());
            cause = c.source();
        }
        ApiError::Transport {
            message: match root {
                Some(r) => format!("SigSentry API at {}: {what} ({r})", self.host),
                None => format!("SigSentry API at {}: {what}", self.host),
            },
            connect: e.is_connect(),
        }
    }

    /// An exchange with retries: `repeatable` says whether the request may be sent again.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: Vec<(&str, String)>,
        body: Option<serde_json::Value>,
        key: Option<&str>,
        repeatable: bool,
    ) -> Result<Answer, ApiError> {
        let started = Instant::now();
        let mut attempt_no = 0u32;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.config.min_backoff)
            .with_max_delay(self.config.max_backoff)
            .with_max_times(self.config.max_retries as usize)
            .with_total_delay(Some(self.config.max_elapsed))
            .with_jitter();
        let budget = self.config.max_elapsed;
        let first_failure: std::sync::Mutex<Option<ApiError>> = std::sync::Mutex::new(None);
        let first_failure = &first_failure;
        let run = (|| {
            attempt_no += 1;
            let n = attempt_no;
            let (method, query, body) = (method.clone(), query.clone(), body.clone());
            async move {
                let r = self.attempt(&method, path, &query, body.as_ref(), key).await;
                if let Err(e @ ApiError::Transport { .. }) = &r {
                    if let Ok(mut f) = first_failure.lock() {
                        f.get_or_insert_with(|| e.clone());
                    }
                }
                match &r {
                    Ok(a) => tracing::debug!(%method, path, status = a.status.as_u16(), attempt = n, elapsed_ms = started.elapsed().as_millis() as u64, "SigSentry API call"),
                    Err(e) => tracing::debug!(%method, path, attempt = n, elapsed_ms = started.elapsed().as_millis() as u64, error = %e, "SigSentry API call failed"),
                }
                r
            }
        })
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|e: &ApiError| repeatable && e.is_retryable())
        .adjust(move |e: &ApiError, next: Option<Duration>| {
            // Honour Retry-After (it may exceed the backoff cap), within the total budget.
            let next = next?;
            match e.retry_after() {
                Some(ra) if started.elapsed() + ra <= budget => Some(ra.max(next)),
                Some(_) => None,
                None => Some(next),
            }
        });
        let result = tokio::select! {
            r = run => r,
            _ = self.cancel.cancelled() => Err(ApiError::Cancelled),
        };
        // A timed-out first attempt makes its retries meet "still in progress": report
        // the cause a person can act on.
        let first = first_failure.lock().ok().and_then(|mut f| f.take());
        match (result, first) {
            (
                Err(ApiError::IdempotencyInProgress { .. }),
                Some(ApiError::Transport { message, connect }),
            ) => Err(ApiError::Transport {
                message: format!(
                    "{message}; retries found the API still processing the first request"
                ),
                connect,
            }),
            (r, _) => r,
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<Envelope<T>, ApiError> {
        serde_json::from_slice(&answer.body).map_err(|_| ApiError::InvalidResponse {
            status: answer.status.as_u16(),
            what: "a body that is not the expected JSON (truncated or malformed)".into(),
        })
    }

    /// Creates a log source under `idempotency_key`.
    pub async fn create(
        &self,
        source: &NewLogSource,
        idempotency_key: &str,
    ) -> Result<Created, ApiError> {
        let a = self
            .call(
                Method::POST,
                contract::LOG_SOURCES_PATH,
                Vec::new(),
                Some(source.to_body()),
                Some(idempotency_key),
                true,
            )
            .await?;
        Ok(Created {
            source: Self::parse::<LogSource>(&a)?.data,
            replayed: a.replayed,
        })
    }

    /// Reads one log source.
    pub async fn get(&self, id: &str) -> Result<LogSource, ApiError> {
        let path = format!("{}/{}", contract::LOG_SOURCES_PATH, segment(id));
        let a = self
            .call(Method::GET, &path, Vec::new(), None, None, true)
            .await?;
        Ok(Self::parse::<LogSource>(&a)?.data)
    }

    /// Lists every log source (all pages).
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<LogSource>, ApiError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut query = vec![(
                contract::QUERY_LIMIT,
                filter.page_size.unwrap_or(contract::PAGE_SIZE).to_string(),
            )];
            if let Some(t) = &filter.log_type {
                query.push((contract::QUERY_TYPE, t.clone()));
            }
            if let Some(c) = &cursor {
                query.push((contract::QUERY_CURSOR, c.clone()));
            }
            let a = self
                .call(
                    Method::GET,
                    contract::LOG_SOURCES_PATH,
                    query,
                    None,
                    None,
                    true,
                )
                .await?;
            let page = Self::parse::<Vec<LogSource>>(&a)?;
            all.extend(page.data);
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(c) if !seen.insert(c.clone()) => {
                    return Err(ApiError::InvalidResponse {
                        status: a.status.as_u16(),
                        what: "a list cursor that repeats (the pages would never end)".into(),
                    })
                }
                Some(c) => cursor = Some(c),
                None => return Ok(all),
            }
        }
    }

    /// Updates a log source under `idempotency_key`.
    pub async fn update(
        &self,
        id: &str,
        patch: &LogSourcePatch,
        idempotency_key: &str,
    ) -> Result<LogSource, ApiError> {
        let path = format!("{}/{}", contract::LOG_SOURCES_PATH, segment(id));
        let a = self
            .call(
                Method::PATCH,
                &path,
                Vec::new(),
                Some(patch.to_body()),
                Some(idempotency_key),
                true,
            )
            .await?;
        Ok(Self::parse::<LogSource>(&a)?.data)
    }

    /// Deletes a log source (a 404 is returned as [`ApiError::NotFound`]).
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("{}/{}", contract::LOG_SOURCES_PATH, segment(id));
        self.call(Method::DELETE, &path, Vec::new(), None, None, true)
            .await
            .map(|_| ())
    }

    /// Asks SigSentry to test the connection (read-only, so safe to repeat).
    pub async fn test(&self, id: &str) -> Result<TestResult, ApiError> {
        let path = format!(
            "{}/{}{}",
            contract::LOG_SOURCES_PATH,
            segment(id),
            contract::TEST_SUFFIX
        );
        let a = self
            .call(
                Method::POST,
                &path,
                Vec::new(),
                Some(serde_json::json!({})),
                None,
                true,
            )
            .await?;
        Ok(Self::parse::<TestResult>(&a)?.data)
    }
}
