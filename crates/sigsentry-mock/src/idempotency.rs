//! The contract's idempotency, as middleware on POST to the collection and PATCH of a
//! source: the same key with the same method, path and body within the window replays the
//! first answer; while the first is still running, 409; with another request, 422. A key
//! is scoped to the project. The API modes of `behaviour` bend these rules.

use super::keys::Project;
use super::{error, validation, ApiMode, Shared, SHORT_PATCH_WINDOW};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a key is kept.
pub const KEY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The largest body the fake reads.
const MAX_BODY: usize = 1024 * 1024;

/// What the fake remembers of a key.
pub enum Entry {
    /// The first request with the key is still being processed.
    InFlight {
        /// Method, path and body of that request.
        fingerprint: String,
    },
    /// Done: its answer, to replay.
    Done {
        /// Method, path and body.
        fingerprint: String,
        /// Status answered.
        status: u16,
        /// Body answered.
        body: axum::body::Bytes,
        /// When, on the fake's clock.
        at: SystemTime,
    },
}

/// Keys by (project, key).
pub type Keys = HashMap<(String, String), Entry>;

fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Middleware: replays, refuses or records, around the handler.
pub(crate) async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let mode = shared.mode();
    let patch = req.method() == axum::http::Method::PATCH;
    if patch && mode == ApiMode::PatchIgnoresKeys {
        return next.run(req).await;
    }
    let window = if patch && mode == ApiMode::ShortPatchWindow {
        SHORT_PATCH_WINDOW
    } else {
        KEY_WINDOW
    };
    let now = shared.clock.now();
    let Some(key) = req
        .headers()
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or("").to_string())
    else {
        return next.run(req).await;
    };
    if !valid_key(&key) {
        return validation(&[(
            "Idempotency-Key".into(),
            "must be 1 to 255 printable ASCII characters".into(),
        )]);
    }
    let project = req
        .extensions()
        .get::<Project>()
        .map(|p| p.0.clone())
        .unwrap_or_default();
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return validation(&[("body".into(), "is too large or unreadable".into())]);
    };
    let fingerprint = format!(
        "{} {} {}",
        parts.method,
        parts.uri.path(),
        String::from_utf8_lossy(&body)
    );
    let slot = (project, key);
    {
        let mut keys = shared.lock_keys();
        match keys.get(&slot) {
            Some(Entry::Done {
                fingerprint: f,
                status,
                body,
                at,
            }) if now.duration_since(*at).unwrap_or_default() < window => {
                if *f != fingerprint {
                    return reused();
                }
                let mut replay = super::json_bytes(*status, body.clone());
                if mode != ApiMode::ReplaysUnmarked {
                    replay
                        .headers_mut()
                        .insert("idempotent-replayed", HeaderValue::from_static("true"));
                }
                return replay;
            }
            Some(Entry::InFlight { fingerprint: f }) => {
                return if *f == fingerprint {
                    error(
                        409,
                        "IDEMPOTENCY_IN_PROGRESS",
                        "the first request with this key is still being processed",
                    )
                } else {
                    reused()
                };
            }
            _ => {
                keys.insert(
                    slot.clone(),
                    Entry::InFlight {
                        fingerprint: fingerprint.clone(),
                    },
                );
            }
        }
    }
    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (rparts, rbody) = resp.into_parts();
    let rbody = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    // Every completed answer is kept, refusals included: the same request gets the same.
    shared.lock_keys().insert(
        slot,
        Entry::Done {
            fingerprint,
            status: rparts.status.as_u16(),
            body: rbody.clone(),
            at: shared.clock.now(),
        },
    );
    Response::from_parts(rparts, Body::from(rbody))
}

fn reused() -> Response {
    error(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        "this Idempotency-Key was used for a different request",
    )
}
