//! Injected faults, as middleware. A rule matches the next `count` requests by method and
//! path prefix. Some faults answer instead of the API (a status, a proxy's HTML page);
//! some let the API do its work first and then spoil the answer (drop the connection, a
//! 500, a truncated body, a late answer), which is what makes lost-response bugs visible;
//! a delay holds the request after its idempotency key is taken, as a slow server would.

use super::{error, Shared};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// What an injected fault does.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status and error code (and `Retry-After` seconds).
    Status {
        /// HTTP status.
        status: u16,
        /// error.code.
        code: String,
        /// Retry-After seconds.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Wait, then handle the request normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Handle the request, then drop the connection without an answer.
    CommitThenDrop,
    /// Handle the request, then answer 500.
    CommitThen500,
    /// Handle the request, then wait before answering.
    CommitThenDelay {
        /// Milliseconds.
        ms: u64,
    },
    /// Answer 502 with an HTML page, as a proxy would.
    Html502,
    /// Handle the request, then answer with truncated JSON.
    CommitThenTruncated,
}

/// A fault for the next `count` requests matching `method` and `path_prefix`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FaultRule {
    /// HTTP method, or any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path prefix, e.g. `/v1/config/log-sources`.
    pub path_prefix: String,
    /// How many requests it applies to.
    pub count: u32,
    /// What it does.
    pub action: FaultAction,
}

/// Marks a response whose connection was dropped on purpose (the request log says 0).
#[derive(Clone, Copy, Debug)]
pub struct Dropped;

/// Takes the first rule matching the request, counting it down.
fn take(shared: &Shared, req: &Request) -> Option<FaultAction> {
    let mut faults = shared.lock_faults();
    let path = req.uri().path();
    let i = faults.iter().position(|f| {
        f.count > 0
            && path.starts_with(&f.path_prefix)
            && f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(req.method().as_str()))
    })?;
    faults[i].count -= 1;
    let action = faults[i].action.clone();
    if faults[i].count == 0 {
        faults.remove(i);
    }
    Some(action)
}

/// Middleware, outside the API's own handling: answers instead of it, or spoils its answer.
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let fault = take(&shared, &req);
    match &fault {
        Some(FaultAction::Status {
            status,
            code,
            retry_after,
        }) => {
            let mut resp = error(*status, code, "injected fault");
            if let Some(v) = retry_after.and_then(|s| s.to_string().parse().ok()) {
                resp.headers_mut().insert("retry-after", v);
            }
            return resp;
        }
        Some(FaultAction::Html502) => {
            return Response::builder()
                .status(502)
                .header("content-type", "text/html")
                .body(Body::from(
                    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
                ))
                .unwrap_or_default();
        }
        Some(FaultAction::Delay { ms }) => {
            req.extensions_mut()
                .insert(Delay(Duration::from_millis(*ms)));
        }
        _ => {}
    }
    let resp = next.run(req).await;
    match fault {
        Some(FaultAction::CommitThenDrop) => {
            // Headers go out, then the body fails: the client sees the connection break.
            let mut r = Response::builder()
                .status(resp.status())
                .header("content-type", "application/json")
                .body(Body::from_stream(tokio_stream::once(Err::<
                    axum::body::Bytes,
                    std::io::Error,
                >(
                    std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "injected: connection dropped after commit",
                    ),
                ))))
                .unwrap_or_default();
            r.extensions_mut().insert(Dropped);
            r
        }
        Some(FaultAction::CommitThen500) => {
            error(500, "INTERNAL_ERROR", "injected fault after commit")
        }
        Some(FaultAction::CommitThenTruncated) => {
            let (mut parts, body) = resp.into_parts();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            let mut bytes = to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default()
                .to_vec();
            // Cut bytes, not chars: a name with non-ASCII letters must not panic here.
            bytes.truncate(bytes.len() / 2);
            Response::from_parts(parts, Body::from(bytes))
        }
        Some(FaultAction::CommitThenDelay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            resp
        }
        _ => resp,
    }
}

/// A delay a [`FaultAction::Delay`] asked for, applied by [`delay`].
#[derive(Clone, Copy, Debug)]
struct Delay(Duration);

/// Middleware, inside the idempotency layer: waits as a matched delay fault asks.
pub(crate) async fn delay(req: Request, next: Next) -> Response {
    if let Some(Delay(d)) = req.extensions().get::<Delay>().copied() {
        tokio::time::sleep(d).await;
    }
    next.run(req).await
}
