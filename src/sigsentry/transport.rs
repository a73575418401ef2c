//! The transport: one connection pool, the rules for reaching the API safely (TLS, a proxy
//! for https only, plain http to loopback only, no redirects), the shared pace, and one
//! exchange at a time with a capped body. It knows no operation and never retries: what a
//! request is comes from [`Call`], whether to try again from the retry policy.

use super::call::Call;
use super::config::ClientConfig;
use super::contract::{self, MAX_BODY_BYTES};
use super::error::ApiError;
use super::pacing::{self, Pacer, Signal};
use super::retry_after;
use super::sanitize::Redactor;
use super::secret::Secret;
use reqwest::{Method, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A 2xx answer with a readable body.
pub(super) struct Answer {
    pub status: StatusCode,
    /// The API says it replayed the stored answer to this idempotency key.
    pub replayed: bool,
    /// The API's clock when it answered (`Date`).
    pub date: Option<std::time::SystemTime>,
    pub body: Vec<u8>,
    /// An earlier attempt of the same call failed in a way the API may still have carried
    /// out, so a replay may be of our own request. Set by the retrying caller, which
    /// alone knows the earlier attempts.
    pub after_uncertain_attempt: bool,
}

/// The HTTP side of a client.
#[derive(Debug)]
pub(super) struct Transport {
    http: reqwest::Client,
    base: reqwest::Url,
    /// The API's host, for error messages (never the path or query).
    host: String,
    api_key: Option<Secret>,
    request_timeout: Duration,
    /// Shared with every client of this process using the same key (see
    /// `pacing::for_key`), so parallel workers, and projects, slow down together.
    pacer: Arc<Pacer>,
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The proxy for an `https://` API, from `HTTPS_PROXY` (or `https_proxy`) with `NO_PROXY`
/// honoured. Plain `http://` (loopback only) never goes through a proxy: the key would
/// cross it in cleartext. `HTTP_PROXY` and `ALL_PROXY` are ignored for the same reason.
fn https_proxy() -> Result<Option<reqwest::Proxy>, ApiError> {
    let Some(url) = ["HTTPS_PROXY", "https_proxy"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
    else {
        return Ok(None);
    };
    let proxy = reqwest::Proxy::https(url.trim()).map_err(|_| {
        // Never echo the value: a proxy URL may carry a password.
        ApiError::Config("HTTPS_PROXY is not a usable proxy URL".into())
    })?;
    Ok(Some(proxy.no_proxy(reqwest::NoProxy::from_env())))
}

/// Why a body could not be read.
enum BodyError {
    /// Larger than the cap.
    TooLarge,
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// The body of an answer, refused unread past `cap` bytes: a hostile or broken API
/// cannot make the provider hold more than that.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Transport {
    /// The transport for `config`; refuses a plain-http URL to anything but loopback.
    pub fn new(config: &ClientConfig) -> Result<Transport, ApiError> {
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
        if base.query().is_some() || base.fragment().is_some() {
            return Err(ApiError::Config(
                "api_url must not have a query (?…) or fragment (#…)".into(),
            ));
        }
        let https = match base.scheme() {
            "https" => true,
            "http" if is_loopback(&host) => false,
            "http" => return Err(ApiError::InsecureUrl { host }),
            other => {
                return Err(ApiError::Config(format!(
                    "api_url must use https:// (or http:// to a loopback address), not {other}://"
                )))
            }
        };
        // reqwest's rustls backend needs a process-wide crypto provider; ours is aws-lc-rs.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            // No proxy from the environment unless chosen below.
            .no_proxy()
            // A redirect could carry the key to another host: the API never redirects.
            .redirect(reqwest::redirect::Policy::none());
        if https {
            if let Some(p) = https_proxy()? {
                builder = builder.proxy(p);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))?;
        let pacer = match &config.api_key {
            Some(k) => pacing::for_key(base.as_str(), k.expose()),
            // Without a key nothing is sent.
            None => Arc::new(Pacer::default()),
        };
        Ok(Transport {
            http,
            base,
            host,
            api_key: config.api_key.clone(),
            request_timeout: config.request_timeout,
            pacer,
        })
    }

    /// The base URL, as parsed.
    pub fn base(&self) -> &reqwest::Url {
        &self.base
    }

    /// Sends `call` once, in its turn of the shared pace, within `deadline`. `None` when
    /// its turn, or the time left after waiting for it, falls at or past the deadline:
    /// nothing was sent.
    pub async fn send(
        &self,
        call: &Call,
        deadline: Instant,
        redact: &Redactor,
    ) -> Option<Result<Answer, ApiError>> {
        // The shared pace first: a rate limit slows every worker of the process.
        if !self.paced(deadline).await {
            return None;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        Some(
            self.attempt(call, self.request_timeout.min(left), redact)
                .await,
        )
    }

    /// Waits for a slot of the shared pace; false when none comes before `deadline`.
    /// Bounded by the deadline: every turn waits, and a slot past it ends the loop.
    async fn paced(&self, deadline: Instant) -> bool {
        let Some(mut slot) = self.pacer.reserve(deadline) else {
            return false;
        };
        let mut wait = slot.wait;
        while !wait.is_zero() {
            if Instant::now() + wait >= deadline {
                return false;
            }
            tokio::time::sleep(wait).await;
            // A 429 while we waited moved every waiting slot back, ours with them.
            wait = self.pacer.moved(&mut slot);
        }
        true
    }

    /// Whether `other` shares this transport's pace.
    #[cfg(test)]
    pub fn shares_pace_with(&self, other: &Transport) -> bool {
        Arc::ptr_eq(&self.pacer, &other.pacer)
    }

    /// The URL of `call`: each path segment percent-encoded on its own, never concatenated.
    fn url(&self, call: &Call) -> Result<reqwest::Url, ApiError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| ApiError::Config("api_url cannot have a path".into()))?
            .pop_if_empty()
            .extend(&call.segments);
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(call.query.iter());
        }
        Ok(url)
    }

    /// One HTTP exchange within `timeout`, mapped to an [`Answer`] or an [`ApiError`].
    async fn attempt(
        &self,
        call: &Call,
        timeout: Duration,
        redact: &Redactor,
    ) -> Result<Answer, ApiError> {
        let api_key = self.api_key.as_ref().ok_or(ApiError::MissingApiKey)?;
        let mut req = self
            .http
            .request(call.method.clone(), self.url(call)?)
            .timeout(timeout)
            .bearer_auth(api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(p) = &call.project {
            req = req.header(contract::PROJECT_HEADER, p);
        }
        if let Some(k) = call.key() {
            req = req.header(contract::IDEMPOTENCY_HEADER, k);
        }
        if let Some(b) = &call.body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let sent = Instant::now();
        let resp = req.send().await.map_err(|e| self.failure(&e, redact))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match read_capped(resp, MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(BodyError::TooLarge) => {
                return Err(ApiError::TooLarge {
                    status: status.as_u16(),
                })
            }
            Err(BodyError::Transport(e)) => return Err(self.failure(&e, redact)),
        };
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let number = |name| header(name).and_then(|v| v.trim().parse::<u64>().ok());
        let retry_after = header(reqwest::header::RETRY_AFTER.as_str())
            .and_then(|v| retry_after::parse(v, std::time::SystemTime::now()));
        self.pacer.observe(
            sent,
            Signal {
                limited: status == StatusCode::TOO_MANY_REQUESTS,
                retry_after,
                limit: number(contract::RATE_LIMIT_LIMIT).and_then(|n| u32::try_from(n).ok()),
                remaining: number(contract::RATE_LIMIT_REMAINING)
                    .and_then(|n| u32::try_from(n).ok()),
                reset: number(contract::RATE_LIMIT_RESET).map(Duration::from_secs),
            },
        );
        if status.is_success() {
            // A 2xx whose body is cut off or not JSON is a fault worth retrying (a read is
            // simply sent again; a change gets the replay under its idempotency key), so it
            // is checked here, before the retry policy decides. A delete's body is never
            // read.
            let unreadable = call.method != Method::DELETE
                && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err();
            if unreadable {
                return Err(ApiError::InvalidResponse {
                    status: status.as_u16(),
                    what: "a body that is not the expected JSON (truncated or malformed)".into(),
                });
            }
            let replayed = header(contract::REPLAYED_HEADER)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            let date = header(reqwest::header::DATE.as_str())
                .and_then(|v| httpdate::parse_http_date(v).ok());
            return Ok(Answer {
                status,
                replayed,
                date,
                body,
                after_uncertain_attempt: false,
            });
        }
        Err(ApiError::from_response(
            status.as_u16(),
            retry_after,
            &body,
            header(reqwest::header::CONTENT_TYPE.as_str()).unwrap_or(""),
            redact,
        ))
    }

    /// A transport failure, described without the URL's path or any header.
    fn failure(&self, e: &reqwest::Error, redact: &Redactor) -> ApiError {
        let what = if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            "could not connect".to_string()
        } else if e.is_body() || e.is_decode() {
            "the connection broke while reading the answer".to_string()
        } else {
            "the request failed".to_string()
        };
        // The innermost cause reads best ("connection refused"); cleaned all the same, as
        // a proxy's or TLS library's words may quote what was sent.
        let mut cause = std::error::Error::source(e);
        let mut root = None;
        while let Some(c) = cause {
            root = Some(redact.clean(&c.to_string()));
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
}
