//! Latency and a rate limit, to measure the provider as a real API would treat it: a
//! fixed delay before every API request, and a token bucket of `rate_limit` requests per
//! second (a burst of one second's worth) beyond which the fake answers 429 with
//! `Retry-After`. While a limit is set every answer carries `RateLimit-Limit`,
//! `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the bucket is full again),
//! unless the headers are turned off: those headers are our assumption, and an API that
//! sends only `Retry-After` must be measurable too.

use super::{error, Shared};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The knobs, settable at start and on the admin route `PUT /_fake/settings`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Milliseconds added before every API request.
    #[serde(default)]
    pub latency_ms: u64,
    /// Requests per second allowed; 0 for no limit.
    #[serde(default)]
    pub rate_limit: u32,
    /// Whether answers under a limit carry the `RateLimit-*` headers.
    #[serde(default)]
    pub rate_limit_headers: RateLimitHeaders,
}

/// Which rate-limit headers the fake sends while a limit is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RateLimitHeaders {
    /// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` on every answer, and
    /// `Retry-After` on a 429.
    #[default]
    Full,
    /// Only `Retry-After`, and only on a 429.
    None,
}

/// The token bucket behind the rate limit.
#[derive(Debug)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            tokens: f64::MAX,
            at: Instant::now(),
        }
    }
}

/// What the bucket said about one request.
struct Verdict {
    allowed: bool,
    remaining: u32,
    /// Seconds until a token is free (when refused) or the bucket is full (when allowed).
    wait: f64,
}

impl Bucket {
    fn take(&mut self, rate: u32) -> Verdict {
        let rate = f64::from(rate.max(1));
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * rate;
        self.tokens = (self.tokens.min(rate) + refill).min(rate);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Verdict {
                allowed: true,
                remaining: self.tokens.floor() as u32,
                wait: (rate - self.tokens) / rate,
            }
        } else {
            Verdict {
                allowed: false,
                remaining: 0,
                wait: (1.0 - self.tokens) / rate,
            }
        }
    }
}

fn header(v: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&v.to_string()).unwrap_or(HeaderValue::from_static("0"))
}

/// Middleware: waits the latency, then applies the rate limit.
pub(crate) async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let settings = shared.settings();
    if settings.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(settings.latency_ms)).await;
    }
    if settings.rate_limit == 0 {
        return next.run(req).await;
    }
    let verdict = shared.lock_bucket().take(settings.rate_limit);
    let mut resp = if verdict.allowed {
        next.run(req).await
    } else {
        let mut r = error(429, "RATE_LIMITED", "too many requests");
        r.headers_mut()
            .insert("retry-after", header(verdict.wait.ceil().max(1.0) as u64));
        r
    };
    if settings.rate_limit_headers == RateLimitHeaders::Full {
        let h = resp.headers_mut();
        h.insert("ratelimit-limit", header(settings.rate_limit));
        h.insert("ratelimit-remaining", header(verdict.remaining));
        h.insert("ratelimit-reset", header(verdict.wait.ceil() as u64));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_then_refuses_until_refilled() {
        let mut b = Bucket::default();
        let allowed = (0..25).filter(|_| b.take(20).allowed).count();
        assert_eq!(allowed, 20);
        let refused = b.take(20);
        assert!(!refused.allowed && refused.wait > 0.0 && refused.wait <= 0.05 + 1e-9);
    }
}
