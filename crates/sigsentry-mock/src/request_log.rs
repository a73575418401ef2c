//! The request log, as the outermost middleware: every API request with its answer, for
//! tests to assert on (which keys were sent, how many retries, what was replayed).

use super::faults::Dropped;
use super::Shared;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

/// One request as the fake saw it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string.
    pub query: String,
    /// Idempotency-Key header.
    pub idempotency_key: Option<String>,
    /// Last 4 characters of the bearer token.
    pub key_tail: Option<String>,
    /// Status answered (0 when the connection was dropped).
    pub status: u16,
    /// Whether the answer was an idempotent replay.
    pub replayed: bool,
    /// Time the fake spent on it, in microseconds (for benchmarks: the fake's share).
    #[serde(default)]
    pub micros: u64,
}

/// Middleware: records the request and its answer.
pub(crate) async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut record = record_of(&req);
    let resp = next.run(req).await;
    record.status = if resp.extensions().get::<Dropped>().is_some() {
        0
    } else {
        resp.status().as_u16()
    };
    record.replayed = resp.headers().contains_key("idempotent-replayed");
    record.micros = started.elapsed().as_micros() as u64;
    shared.lock_log().push(record);
    resp
}

/// What is recorded of `req` before it is answered.
fn record_of(req: &Request) -> RequestRecord {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    RequestRecord {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        query: req.uri().query().unwrap_or("").to_string(),
        idempotency_key: header("idempotency-key"),
        key_tail: header("authorization").map(|a| {
            let t: String = a.chars().rev().take(4).collect();
            t.chars().rev().collect()
        }),
        status: 0,
        replayed: false,
        micros: 0,
    }
}
