//! The API's endpoints, one handler each, following `sigsentry-api-contract.md`: create,
//! list (pages and a type filter), read, update, delete and the connection test.

use super::keys::Project;
use super::store::{strings, NewSource};
use super::{error, ok, validate, validation, Shared};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};
use std::sync::Arc;

type Api = State<Arc<Shared>>;

fn not_found() -> Response {
    error(404, "NOT_FOUND", "no such log source in this project")
}

/// The body as a JSON object, or the contract's validation error.
fn object(body: &Bytes) -> Result<Map<String, Value>, Box<Response>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Box::new(validation(&[(
            "body".into(),
            "must be a JSON object".into(),
        )]))),
    }
}

/// `POST /v1/config/log-sources`.
pub async fn create(
    State(shared): Api,
    Extension(Project(project)): Extension<Project>,
    body: Bytes,
) -> Response {
    let b = match object(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut details = Vec::new();
    let t = validate::check_type(b.get("type"), &mut details);
    validate::check_name(b.get("name"), &mut details);
    validate::check_sources(b.get("sources"), &mut details);
    if let Some(t) = &t {
        validate::check_credentials(t, b.get("credentials"), &mut details);
    }
    if !details.is_empty() {
        return validation(&details);
    }
    let mut store = shared.lock_store();
    let in_project = store
        .sources
        .values()
        .filter(|s| s.project_id == project)
        .count();
    if in_project >= shared.quota {
        return error(
            403,
            "QUOTA_EXCEEDED",
            "the plan's logSourcesPerProject quota is reached",
        );
    }
    let credentials = b["credentials"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let s = store.insert(NewSource {
        project: &project,
        log_type: t.as_deref().unwrap_or_default(),
        name: b["name"].as_str().unwrap_or_default(),
        sources: b["sources"]
            .as_array()
            .map(|a| strings(a))
            .unwrap_or_default(),
        credentials,
        is_active: true,
    });
    shared.persist(&store);
    ok(201, s.public())
}

/// Query of the list endpoint.
#[derive(serde::Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
    #[serde(rename = "type")]
    log_type: Option<String>,
}

/// `GET /v1/config/log-sources?limit=N&cursor=C&type=T`.
pub async fn list(
    State(shared): Api,
    Extension(Project(project)): Extension<Project>,
    Query(q): Query<ListQuery>,
) -> Response {
    let limit = match q.limit.as_deref().map(str::parse::<usize>) {
        None => 50,
        Some(Ok(l)) if (1..=100).contains(&l) => l,
        _ => return validation(&[("limit".into(), "must be 1 to 100".into())]),
    };
    let start = match q.cursor.as_deref() {
        None => 0,
        Some(c) => match c.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return validation(&[("cursor".into(), "is not a cursor".into())]),
        },
    };
    let store = shared.lock_store();
    let all: Vec<_> = store
        .ordered()
        .into_iter()
        .filter(|s| s.project_id == project)
        .filter(|s| q.log_type.as_ref().is_none_or(|t| &s.log_type == t))
        .collect();
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(limit)
        .map(|s| s.public())
        .collect();
    let next = (start + limit < all.len()).then(|| format!("c{}", start + limit));
    super::reply(
        200,
        &json!({"success": true, "data": page, "nextCursor": next}),
    )
}

/// `GET /v1/config/log-sources/{id}`.
pub async fn get(
    State(shared): Api,
    Extension(Project(project)): Extension<Project>,
    Path(id): Path<String>,
) -> Response {
    match shared.lock_store().in_project(&project, &id) {
        Some(s) => ok(200, s.public()),
        None => not_found(),
    }
}

/// `PATCH /v1/config/log-sources/{id}`: any subset of name, credentials, sources, isActive.
pub async fn update(
    State(shared): Api,
    Extension(Project(project)): Extension<Project>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut store = shared.lock_store();
    let Some(mut s) = store.in_project(&project, &id).cloned() else {
        return not_found();
    };
    let b = match object(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut details = Vec::new();
    for k in b.keys() {
        match k.as_str() {
            "name" | "credentials" | "sources" | "isActive" => {}
            "type" => details.push((
                "type".into(),
                "cannot change; create a new log source".into(),
            )),
            other => details.push((other.into(), "is not a field that can be changed".into())),
        }
    }
    if b.contains_key("name") {
        validate::check_name(b.get("name"), &mut details);
    }
    if b.contains_key("sources") {
        validate::check_sources(b.get("sources"), &mut details);
    }
    if b.contains_key("credentials") {
        validate::check_credentials(&s.log_type, b.get("credentials"), &mut details);
    }
    if b.get("isActive").is_some_and(|v| !v.is_boolean()) {
        details.push(("isActive".into(), "must be a boolean".into()));
    }
    if b.is_empty() && shared.mode() == super::ApiMode::RefusesEmptyPatch {
        details.push(("body".into(), "names no field to change".into()));
    }
    if !details.is_empty() {
        return validation(&details);
    }
    let now = store.clock.rfc3339();
    s.apply_patch(&Value::Object(b), now);
    store.sources.insert(s.id.clone(), s.clone());
    shared.persist(&store);
    ok(200, s.public())
}

/// `DELETE /v1/config/log-sources/{id}`: 204, or 404 when already gone.
pub async fn delete(
    State(shared): Api,
    Extension(Project(project)): Extension<Project>,
    Path(id): Path<String>,
) -> Response {
    let mut store = shared.lock_store();
    if store.in_project(&project, &id).is_none() {
        return not_found();
    }
    store.sources.remove(&id);
    shared.persist(&store);
    Response::builder()
        .status(204)
        .body(axum::body::Body::empty())
        .unwrap_or_default()
}

/// `POST /v1/config/log-sources/{id}/test`: credentials whose values contain `invalid`
/// or `reject` fail with `AUTH_FAILED`; others pass with a sample line per source.
pub async fn test(
    State(shared): Api,
    Extension(Project(project)): Extension<Project>,
    Path(id): Path<String>,
) -> Response {
    let store = shared.lock_store();
    let Some(s) = store.in_project(&project, &id) else {
        return not_found();
    };
    let rejected = s
        .credentials
        .values()
        .any(|v| v.contains("invalid") || v.contains("reject"));
    if rejected {
        ok(
            200,
            json!({"ok": false, "sampleLines": [], "error": {"code": "AUTH_FAILED",
                "message": format!("{} rejected the credentials", s.log_type)}}),
        )
    } else {
        let lines: Vec<String> = s
            .sources
            .iter()
            .map(|src| format!("{src}: sample log line"))
            .collect();
        ok(
            200,
            json!({"ok": true, "sampleLines": lines, "error": null}),
        )
    }
}

/// Anything else: 404.
pub async fn no_such_endpoint() -> Response {
    error(404, "NOT_FOUND", "no such endpoint")
}
