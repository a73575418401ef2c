//! The HTTP client: one connection pool per configured provider, typed operations, and
//! retries that never duplicate. Every answer is bounded (body size, one deadline per
//! operation covering attempts and waits, pages per walk) and checked (envelope, ids,
//! field types) before anything is believed.

use super::call::Call;
use super::contract::{self, MAX_BODY_BYTES, MAX_CURSOR_LEN};
use super::error::ApiError;
use super::keys::KeyDeriver;
use super::models::{check_id, ListFilter, LogSource, LogSourcePatch, NewLogSource, TestResult};
use super::pacing::{self, Pacer, Signal};
use super::retry_after;
use super::sanitize::Redactor;
use super::secret::Secret;
use super::walk::PageWalk;
use backon::BackoffBuilder;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;
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
    /// One operation's deadline: every attempt and every wait between them.
    pub total_timeout: Duration,
    /// The deadline of a whole list walk (each page also has `total_timeout`).
    pub walk_timeout: Duration,
    /// First backoff delay (doubles, with jitter, up to `max_backoff`).
    pub min_backoff: Duration,
    /// Largest single backoff delay (a longer `Retry-After` is still honoured).
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

/// A create's outcome.
#[derive(Clone, Debug)]
pub struct Created {
    /// The log source.
    pub source: LogSource,
    /// True when the API replayed an earlier answer to the same idempotency key.
    pub replayed: bool,
}

/// How many generations an update moves past keys the API has already seen.
const MAX_STALE_UPDATE_KEYS: u32 = 8;

/// A carried-out update (see [`Client::update`]).
#[derive(Clone, Debug)]
pub struct Updated {
    /// The source as it is now.
    pub source: LogSource,
    /// The generation whose key carried the change out: the next update uses one more.
    pub generation: u64,
}

/// A claim's outcome (see [`Client::claim`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request was the first claim: the source is the caller's. The source as it
    /// is now.
    Won(LogSource),
    /// Someone claimed it before: it belongs to another Terraform object.
    Taken,
}

/// One page of a list.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The sources on it.
    pub items: Vec<LogSource>,
    /// The cursor of the next page, `None` on the last.
    pub next: Option<String>,
    /// The size of the answer's body, for a walk's byte budget.
    pub bytes: usize,
}

/// The SigSentry API client. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
    host: String,
    config: ClientConfig,
    keys: Option<KeyDeriver>,
    redact: Redactor,
    /// Shared with every client of this process using the same key (see `pacing::for_key`).
    pacer: Arc<Pacer>,
    cancel: CancellationToken,
}

/// One attempt's answer.
struct Answer {
    status: StatusCode,
    replayed: bool,
    body: Vec<u8>,
    /// An earlier attempt of the same call failed in a way the API may still have carried
    /// out, so a replay may be of our own request.
    after_uncertain_attempt: bool,
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

/// The `data` of a success envelope `{"success": true, "data": …}` and, on list pages,
/// its `nextCursor`.
fn envelope(answer: &Answer) -> Result<(Value, Option<Value>), ApiError> {
    let v: Value = serde_json::from_slice(&answer.body).map_err(|_| ApiError::InvalidResponse {
        status: answer.status.as_u16(),
        what: "a body that is not the expected JSON (truncated or malformed)".into(),
    })?;
    let Value::Object(mut map) = v else {
        return Err(ApiError::BadAnswer {
            what: "the answer is not a JSON object".into(),
        });
    };
    if map.get("success") != Some(&Value::Bool(true)) {
        return Err(ApiError::BadAnswer {
            what: format!(
                "a {} answer whose envelope does not say \"success\": true",
                answer.status.as_u16()
            ),
        });
    }
    let data = map.remove("data").ok_or_else(|| ApiError::BadAnswer {
        what: "the envelope has no `data`".into(),
    })?;
    Ok((data, map.remove("nextCursor")))
}

/// Refuses an answer about another source than the one asked for: believing it would
/// point state, and a later delete, at someone else's source.
fn same_id(asked: &str, got: LogSource) -> Result<LogSource, ApiError> {
    if got.id == asked {
        Ok(got)
    } else {
        Err(ApiError::BadAnswer {
            what: "the API answered about a different log source than the one asked for".into(),
        })
    }
}

/// Refuses an id from the user or state before it goes into a path.
fn usable_id(id: &str) -> Result<(), ApiError> {
    check_id(id).map_err(|why| ApiError::Config(format!("log source id not usable: {why}")))
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
        let redact = Redactor::new(config.api_key.iter().map(Secret::expose));
        let pacer = match &config.api_key {
            Some(k) => pacing::for_key(base.as_str(), k.expose()),
            // Without a key nothing is sent.
            None => Arc::new(Pacer::default()),
        };
        Ok(Client {
            http,
            base,
            host,
            keys: config.api_key.as_ref().map(KeyDeriver::new),
            redact,
            pacer,
            config,
            cancel: CancellationToken::new(),
        })
    }

    /// Uses `token` to cancel in-flight calls and backoff waits at once.
    pub fn with_cancellation(mut self, token: CancellationToken) -> Self {
        self.cancel = token;
        self
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn keys(&self) -> Result<&KeyDeriver, ApiError> {
        self.keys.as_ref().ok_or(ApiError::MissingApiKey)
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
        let api_key = self
            .config
            .api_key
            .as_ref()
            .ok_or(ApiError::MissingApiKey)?;
        let mut req = self
            .http
            .request(call.method.clone(), self.url(call)?)
            .timeout(timeout)
            .bearer_auth(api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(p) = &self.config.project_id {
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
        let resp = req.send().await.map_err(|e| self.transport(&e, redact))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match read_capped(resp, MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(BodyError::TooLarge) => {
                return Err(ApiError::TooLarge {
                    status: status.as_u16(),
                })
            }
            Err(BodyError::Transport(e)) => return Err(self.transport(&e, redact)),
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
            // A 2xx whose body is cut off or not JSON is a fault worth retrying (the same
            // idempotency key gets the replay), so check it here, inside the retry loop.
            // A delete's body is never read.
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
            return Ok(Answer {
                status,
                replayed,
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
    fn transport(&self, e: &reqwest::Error, redact: &Redactor) -> ApiError {
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

    /// A call with retries, all within one deadline: each attempt gets at most what is
    /// left of it, and a wait (backoff or `Retry-After`) that would pass it ends the call.
    async fn call(&self, call: Call) -> Result<Answer, ApiError> {
        let started = Instant::now();
        let total = self.config.total_timeout;
        let deadline = started + total;
        let mut redact = self.redact.clone();
        redact.extend(&call.redact);
        let mut delays = backon::ExponentialBuilder::default()
            .with_min_delay(self.config.min_backoff)
            .with_max_delay(self.config.max_backoff)
            .with_max_times(self.config.max_retries as usize)
            .with_jitter()
            .build();
        let mut attempts = 0u32;
        let mut uncertain = false;
        let mut first_transport: Option<ApiError> = None;
        let label = call.label();
        let run = async {
            loop {
                attempts += 1;
                // The shared pace first: a rate limit slows every worker of the process.
                if !self.paced(deadline).await {
                    break Err(self.past_deadline(total, attempts - 1, first_transport.take()));
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break Err(self.past_deadline(total, attempts - 1, first_transport.take()));
                }
                let result = self
                    .attempt(&call, self.config.request_timeout.min(left), &redact)
                    .await;
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let e = match result {
                    Ok(mut a) => {
                        tracing::debug!(method = %call.method, path = %label, status = a.status.as_u16(), attempt = attempts, elapsed_ms, "SigSentry API call");
                        a.after_uncertain_attempt = uncertain;
                        break Ok(a);
                    }
                    Err(e) => e,
                };
                tracing::debug!(method = %call.method, path = %label, attempt = attempts, elapsed_ms, error = %e, "SigSentry API call failed");
                if !e.is_retryable() {
                    break Err(e);
                }
                let Some(backoff) = delays.next() else {
                    break Err(e);
                };
                uncertain |= e.may_have_committed();
                if matches!(e, ApiError::Transport { .. }) && first_transport.is_none() {
                    first_transport = Some(e.clone());
                }
                let wait = e.retry_after().map_or(backoff, |ra| ra.max(backoff));
                let left = deadline.saturating_duration_since(Instant::now());
                if wait >= left {
                    break Err(match e.retry_after() {
                        Some(ra) if ra >= left => ApiError::Deadline {
                            seconds: total.as_secs(),
                            attempts,
                            last: format!(
                                "{e}; the API asked to wait {} s, past the deadline",
                                ra.as_secs()
                            ),
                        },
                        _ => self.past_deadline(total, attempts, Some(e)),
                    });
                }
                tokio::time::sleep(wait).await;
            }
        };
        let result = if call.cancellable {
            tokio::select! {
                r = run => r,
                _ = self.cancel.cancelled() => Err(ApiError::Cancelled),
            }
        } else {
            run.await
        };
        result.map_err(|e| match (e, first_transport) {
            // A timed-out first attempt makes its retries meet "still in progress": report
            // the cause a person can act on.
            (
                ApiError::IdempotencyInProgress { .. },
                Some(ApiError::Transport { message, connect }),
            ) => ApiError::Transport {
                message: format!(
                    "{message}; retries found the API still processing the first request"
                ),
                connect,
            },
            (e, _) => e,
        })
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

    /// Whether `other` shares this client's pace.
    #[cfg(test)]
    pub(super) fn shares_pace_with(&self, other: &Client) -> bool {
        Arc::ptr_eq(&self.pacer, &other.pacer)
    }

    fn past_deadline(&self, total: Duration, attempts: u32, last: Option<ApiError>) -> ApiError {
        ApiError::Deadline {
            seconds: total.as_secs(),
            attempts,
            last: last.map_or_else(|| "no attempt finished".to_string(), |e| e.to_string()),
        }
    }

    /// The opaque identity of a create: equal for identical creates (same body, project,
    /// API and `scope`), so a caller can count them.
    pub fn create_identity(&self, source: &NewLogSource, scope: &str) -> Result<String, ApiError> {
        Ok(self.keys()?.create_identity(
            scope,
            self.base.as_str(),
            self.config.project_id.as_deref().unwrap_or(""),
            &source.to_body(),
        ))
    }

    /// Creates a log source under the key of the `ordinal`-th create with `identity`
    /// (see [`Client::create_identity`]).
    pub async fn create(
        &self,
        source: &NewLogSource,
        identity: &str,
        ordinal: u32,
    ) -> Result<Created, ApiError> {
        let key = self.keys()?.create(identity, ordinal);
        let a = self
            .call(Call::create(source.to_body(), key, source.redactor()))
            .await?;
        let (data, _) = envelope(&a)?;
        Ok(Created {
            source: LogSource::from_json(&data)?,
            replayed: a.replayed,
        })
    }

    /// Claims source `id` for the caller: a PATCH that changes nothing, under a key every
    /// possible claimant derives alike, so the API carries out only the first and replays
    /// it to the rest. A create that was replayed may hand back a source another
    /// Terraform object already holds (an identical create in another state, or the
    /// object a create-before-destroy replaces); the claim tells them apart. A replay that
    /// answers our own earlier, uncertain attempt of this claim counts as won. It is not
    /// cancelled half-way: its outcome must be known.
    pub async fn claim(&self, id: &str) -> Result<Claim, ApiError> {
        usable_id(id)?;
        let key = self.keys()?.claim(id);
        let body: Value = serde_json::from_str(contract::CLAIM_BODY).unwrap_or_default();
        let a = match self
            .call(Call::patch(id, body, key, Redactor::default()).not_cancellable())
            .await
        {
            Ok(a) => a,
            // The claim key was used with another body: not ours either way.
            Err(ApiError::IdempotencyKeyReused { .. }) => return Ok(Claim::Taken),
            Err(e) => return Err(e),
        };
        if a.replayed && !a.after_uncertain_attempt {
            return Ok(Claim::Taken);
        }
        let (data, _) = envelope(&a)?;
        Ok(Claim::Won(same_id(id, LogSource::from_json(&data)?)?))
    }

    /// Reads one log source.
    pub async fn get(&self, id: &str) -> Result<LogSource, ApiError> {
        usable_id(id)?;
        let a = self.call(Call::get(id)).await?;
        let (data, _) = envelope(&a)?;
        same_id(id, LogSource::from_json(&data)?)
    }

    /// Reads one page of the list, starting at `cursor`. The page must hold no more than
    /// the page size asked for.
    pub async fn list_page(
        &self,
        filter: &ListFilter,
        cursor: Option<&str>,
    ) -> Result<Page, ApiError> {
        let limit = filter
            .page_size
            .unwrap_or(contract::PAGE_SIZE)
            .clamp(1, 100);
        let mut query = vec![(contract::QUERY_LIMIT, limit.to_string())];
        if let Some(t) = &filter.log_type {
            query.push((contract::QUERY_TYPE, t.clone()));
        }
        if let Some(c) = cursor {
            query.push((contract::QUERY_CURSOR, c.to_string()));
        }
        let a = self.call(Call::list(query)).await?;
        let (data, next) = envelope(&a)?;
        let Value::Array(items) = data else {
            return Err(ApiError::BadAnswer {
                what: "a list page whose `data` is not an array".into(),
            });
        };
        if items.len() > limit as usize {
            return Err(ApiError::BadAnswer {
                what: format!(
                    "a list page of {} items when at most {limit} were asked for",
                    items.len()
                ),
            });
        }
        let next = match next {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) if c.is_empty() => None,
            Some(Value::String(c))
                if c.len() <= MAX_CURSOR_LEN && c.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Some(c)
            }
            Some(_) => {
                return Err(ApiError::BadAnswer {
                    what: "a list page whose `nextCursor` is not a short printable string".into(),
                })
            }
        };
        Ok(Page {
            bytes: a.body.len(),
            items: items
                .iter()
                .map(LogSource::from_json)
                .collect::<Result<_, _>>()?,
            next,
        })
    }

    /// Walks the list page by page, within every bound of [`PageWalk`].
    pub fn walk(&self, filter: ListFilter) -> PageWalk<'_> {
        PageWalk::new(self, filter)
    }

    /// The deadline of one whole list walk.
    pub fn walk_timeout(&self) -> Duration {
        self.config.walk_timeout
    }

    /// Lists every log source (all pages), within every bound of [`PageWalk`].
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<LogSource>, ApiError> {
        let mut walk = self.walk(filter.clone());
        let mut all = Vec::new();
        while let Some(items) = walk.next().await {
            all.extend(items?);
        }
        Ok(all)
    }

    /// Updates source `id`, whose `generation`-th update this is (a count the caller
    /// keeps, so repeating an earlier change is never taken for a replay of it). A key
    /// the API has seen before, from no attempt of this call, is passed over for the next
    /// generation; the answer says which one carried the change.
    pub async fn update(
        &self,
        id: &str,
        patch: &LogSourcePatch,
        generation: u64,
    ) -> Result<Updated, ApiError> {
        usable_id(id)?;
        let body = patch.to_body();
        let mut generation = generation;
        for _ in 0..MAX_STALE_UPDATE_KEYS {
            let key = self.keys()?.update(id, generation, &body);
            let a = self
                .call(Call::patch(id, body.clone(), key, patch.redactor()))
                .await?;
            // A replay that answers no attempt of this call is an older update's answer
            // (its generation was lost with a failed save, or the object was imported
            // again): it changed nothing now, so send the change under the next key.
            if a.replayed && !a.after_uncertain_attempt {
                generation = generation.saturating_add(1);
                continue;
            }
            let (data, _) = envelope(&a)?;
            return Ok(Updated {
                source: same_id(id, LogSource::from_json(&data)?)?,
                generation,
            });
        }
        Err(ApiError::BadAnswer {
            what: format!(
                "{MAX_STALE_UPDATE_KEYS} replayed answers in a row to an update of {id}, each \
                 for a key this run had not used"
            ),
        })
    }

    /// Deletes a log source (a 404 is returned as [`ApiError::NotFound`]). Any 2xx is
    /// success, with or without a body, unless the body says `"success": false`.
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        usable_id(id)?;
        let a = self.call(Call::delete(id)).await?;
        let said_failure = serde_json::from_slice::<Value>(&a.body)
            .ok()
            .and_then(|v| v.get("success").cloned())
            == Some(Value::Bool(false));
        if said_failure {
            return Err(ApiError::BadAnswer {
                what: format!(
                    "a {} answer to a delete that says it failed",
                    a.status.as_u16()
                ),
            });
        }
        Ok(())
    }

    /// Asks SigSentry to test the connection (read-only, so safe to repeat). Every text of
    /// the result comes back cleaned, `credentials` (the source's, when known) redacted.
    pub async fn test(
        &self,
        id: &str,
        credentials: Option<&std::collections::BTreeMap<String, Secret>>,
    ) -> Result<TestResult, ApiError> {
        usable_id(id)?;
        let creds = Redactor::new(credentials.into_iter().flatten().map(|(_, v)| v.expose()));
        let a = self.call(Call::test(id, creds.clone())).await?;
        let (data, _) = envelope(&a)?;
        // The platform's words may quote the credentials: cleaned here, for every caller.
        let mut redact = self.redact.clone();
        redact.extend(&creds);
        let mut result = TestResult::from_json(&data)?;
        for line in &mut result.sample_lines {
            *line = redact.clean(line);
        }
        if let Some(e) = &mut result.error {
            e.code = redact.clean(&e.code);
            e.message = redact.clean(&e.message);
        }
        Ok(result)
    }

    /// A keyed digest (HMAC with the API key) of credential values, and the key's
    /// fingerprint: enough to notice that credentials changed, nothing to guess them from.
    pub fn credentials_digest(
        &self,
        credentials: &std::collections::BTreeMap<String, Secret>,
    ) -> Option<(String, String)> {
        let keys = self.keys.as_ref()?;
        let values: serde_json::Map<String, Value> = credentials
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.expose().to_string())))
            .collect();
        Some((
            keys.credentials_digest(&Value::Object(values)),
            keys.fingerprint(),
        ))
    }

    /// Cleans text the API sent (a test's sample lines, a platform's error) for showing:
    /// the API key redacted, control characters dropped, the length capped.
    pub fn clean(&self, text: &str) -> String {
        self.redact.clean(text)
    }
}
