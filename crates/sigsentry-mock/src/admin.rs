//! The `/_fake` admin routes, for processes that drive the fake from outside (a demo, a
//! module's own tests): seed and edit sources as the dashboard would, read the request log,
//! inject faults, set latency and a rate limit. They need no API key and return stored
//! credentials, so they are served only when the fake was started with admin enabled, and
//! never to a browser (`browser_guard`).

use super::faults::FaultRule;
use super::keys::DEFAULT_PROJECT;
use super::pacing::Settings;
use super::store::{strings, NewSource};
use super::{reply, Shared};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type Admin = State<Arc<Shared>>;

/// The admin router, to be nested at `/_fake`.
/// Browsers are refused unless `from_browsers` (see `browser_guard`).
pub fn router(from_browsers: bool) -> Router<Arc<Shared>> {
    let routes = Router::new()
        .route("/sources", get(sources).post(create))
        .route("/sources/{id}", patch(edit).delete(remove))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", post(fault))
        .route("/settings", put(settings).get(current_settings))
        .route("/mode", put(mode))
        .route("/clock", post(clock));
    if from_browsers {
        routes
    } else {
        routes.layer(axum::middleware::from_fn(
            super::browser_guard::refuse_browsers,
        ))
    }
}

/// `PUT /_fake/mode` with `{"mode": "patch-ignores-keys"}` (see `behaviour::ApiMode`).
async fn mode(State(shared): Admin, body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    struct Body {
        mode: super::ApiMode,
    }
    match serde_json::from_slice::<Body>(&body) {
        Ok(b) => {
            shared.set_mode(b.mode);
            reply(200, &json!({"mode": b.mode}))
        }
        Err(_) => reply(
            400,
            &json!({"error": "expected {\"mode\": one of contract, patch-ignores-keys, replays-unmarked, short-patch-window, refuses-empty-patch}"}),
        ),
    }
}

/// `POST /_fake/clock` with `{"advance_s": N}`: moves the fake's clock forward.
async fn clock(State(shared): Admin, body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    struct Body {
        advance_s: u64,
    }
    match serde_json::from_slice::<Body>(&body) {
        Ok(b) => {
            shared
                .clock
                .advance(std::time::Duration::from_secs(b.advance_s));
            reply(200, &json!({"now": shared.clock.rfc3339()}))
        }
        Err(_) => reply(400, &json!({"error": "expected {\"advance_s\": seconds}"})),
    }
}

async fn sources(State(shared): Admin) -> Response {
    reply(200, &json!(shared.lock_store().ordered()))
}

async fn create(State(shared): Admin, Json(b): Json<Value>) -> Response {
    let mut store = shared.lock_store();
    let s = store.insert(NewSource {
        project: b["projectId"].as_str().unwrap_or(DEFAULT_PROJECT),
        log_type: b["type"].as_str().unwrap_or("splunk"),
        name: b["name"].as_str().unwrap_or("unnamed"),
        sources: b["sources"]
            .as_array()
            .map(|a| strings(a))
            .unwrap_or_default(),
        credentials: BTreeMap::new(),
        is_active: b["isActive"].as_bool().unwrap_or(true),
    });
    shared.persist(&store);
    reply(201, &json!(s))
}

async fn edit(State(shared): Admin, Path(id): Path<String>, Json(b): Json<Value>) -> Response {
    let mut store = shared.lock_store();
    let now = store.clock.rfc3339();
    let Some(s) = store.sources.get_mut(&id) else {
        return reply(404, &json!({"error": "no such source"}));
    };
    s.apply_patch(&b, now);
    let out = json!(s);
    shared.persist(&store);
    reply(200, &out)
}

async fn remove(State(shared): Admin, Path(id): Path<String>) -> Response {
    let mut store = shared.lock_store();
    let removed = store.sources.remove(&id).is_some();
    shared.persist(&store);
    reply(
        if removed { 200 } else { 404 },
        &json!({"removed": removed}),
    )
}

async fn requests(State(shared): Admin) -> Response {
    reply(200, &json!(*shared.lock_log()))
}

async fn clear_requests(State(shared): Admin) -> Response {
    shared.lock_log().clear();
    reply(200, &json!({}))
}

async fn fault(State(shared): Admin, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(rule) => {
            shared.lock_faults().push(rule);
            reply(201, &json!({}))
        }
        Err(_) => reply(
            400,
            &json!({"error": "expected a fault rule: {method, path_prefix, count, action: {kind, ...}}"}),
        ),
    }
}

async fn settings(State(shared): Admin, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Settings>(&body) {
        Ok(s) => {
            shared.set_settings(s);
            reply(200, &json!(s))
        }
        Err(_) => reply(
            400,
            &json!({"error": "expected settings: {latency_ms, rate_limit, rate_limit_headers: \"full\" or \"none\"}"}),
        ),
    }
}

async fn current_settings(State(shared): Admin) -> Response {
    reply(200, &json!(shared.settings()))
}
