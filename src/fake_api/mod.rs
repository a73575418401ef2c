//! A stateful fake of the SigSentry API, for tests, the demo and offline pipelines. It
//! follows `sigsentry-api-contract.md`: auth by key scope and permission, validation per
//! type, quotas, pagination, PATCH rules, idempotency (replay, 409 in flight, 422 reuse)
//! and the connection test. Credentials whose values contain `invalid` or `reject` fail
//! the connection test with `AUTH_FAILED`, so rejected-credential paths can be exercised.
//!
//! Tests drive it through [`FakeHandle`] (fault injection, out-of-band edits, the request
//! log); other processes use the same controls under `/_fake/` (no auth, loopback only):
//! `GET /_fake/sources`, `GET|DELETE /_fake/requests`, `POST /_fake/faults`,
//! `PATCH|DELETE /_fake/sources/{id}`, `POST /_fake/sources` (create without auth).

mod validate;

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

const BASE: &str = "/v1/config/log-sources";
const KEY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Who a key belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyScope {
    /// A project-scoped key.
    Project(String),
    /// A tenant-scoped key: requests name the project with `X-Project-Id`.
    Tenant,
}

/// An API key the fake accepts.
#[derive(Clone, Debug)]
pub struct ApiKey {
    /// The bearer token.
    pub token: String,
    /// Its scope.
    pub scope: KeyScope,
    /// `config:read`.
    pub read: bool,
    /// `config:write`.
    pub write: bool,
}

impl ApiKey {
    /// A project-scoped key with read and write permission.
    pub fn project(token: &str, project: &str) -> Self {
        ApiKey {
            token: token.into(),
            scope: KeyScope::Project(project.into()),
            read: true,
            write: true,
        }
    }

    /// Parses `TOKEN[:project=P|:tenant][:read|:write|:rw]` (default project prj_default, rw).
    pub fn parse(spec: &str) -> Result<ApiKey, String> {
        let mut parts = spec.split(':');
        let token = parts.next().filter(|t| !t.is_empty()).ok_or("empty key")?;
        let mut key = ApiKey::project(token, DEFAULT_PROJECT);
        for p in parts {
            match p {
                "tenant" => key.scope = KeyScope::Tenant,
                "read" => (key.read, key.write) = (true, false),
                "write" => (key.read, key.write) = (false, true),
                "rw" => (key.read, key.write) = (true, true),
                other => match other.strip_prefix("project=") {
                    Some(prj) if !prj.is_empty() => key.scope = KeyScope::Project(prj.into()),
                    _ => return Err(format!("unknown key option {other:?}")),
                },
            }
        }
        Ok(key)
    }
}

/// The project of keys that do not name one.
pub const DEFAULT_PROJECT: &str = "prj_default";
/// The one tenant.
pub const TENANT: &str = "tnt_fake";

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
    #[serde(skip)]
    started: Option<Instant>,
}

/// A log source as stored, credentials included (the fake is a test tool).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StoredSource {
    /// Id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// Type.
    pub log_type: String,
    /// Name.
    pub name: String,
    /// Sources.
    pub sources: Vec<String>,
    /// Credentials as last sent.
    pub credentials: BTreeMap<String, String>,
    /// Active flag.
    pub is_active: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// Insertion order, for stable listing.
    pub seq: u64,
}

impl StoredSource {
    fn public(&self) -> Value {
        json!({
            "id": self.id, "tenantId": TENANT, "projectId": self.project_id,
            "type": self.log_type, "name": self.name, "sources": self.sources,
            "isActive": self.is_active, "createdAt": self.created_at, "updatedAt": self.updated_at,
        })
    }
}

enum IdemEntry {
    InFlight {
        fingerprint: String,
    },
    Done {
        fingerprint: String,
        status: u16,
        body: Value,
        at: Instant,
    },
}

#[derive(Default, Serialize, Deserialize)]
struct Persisted {
    sources: Vec<StoredSource>,
    seq: u64,
}

struct Store {
    sources: BTreeMap<String, StoredSource>,
    seq: u64,
    idem: HashMap<(String, String), IdemEntry>,
    faults: Vec<FaultRule>,
    log: Vec<RequestRecord>,
}

struct Shared {
    keys: Vec<ApiKey>,
    projects: Vec<String>,
    quota: usize,
    state_file: Option<PathBuf>,
    store: Mutex<Store>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn persist(&self, store: &Store) {
        let Some(path) = &self.state_file else { return };
        let data = Persisted {
            sources: store.sources.values().cloned().collect(),
            seq: store.seq,
        };
        let Ok(text) = serde_json::to_vec_pretty(&data) else {
            return;
        };
        let tmp = path.with_extension("tmp");
        // Write then rename, so a crash never leaves a half-written state file; owner-only,
        // because it holds credentials.
        let written = {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&tmp).and_then(|mut f| f.write_all(&text))
        };
        if written.is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// A log source to preload: one entry of `sigsentry-mock --seed FILE`, whose file is a JSON
/// array of `{"type", "name", "sources", "isActive"?, "projectId"?}` objects.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedSource {
    /// Platform type, e.g. `loki`.
    #[serde(rename = "type")]
    pub log_type: String,
    /// Name.
    pub name: String,
    /// Sources (log groups, streams, indexes...).
    pub sources: Vec<String>,
    /// Active flag (default true).
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Project (default `prj_default`).
    #[serde(default)]
    pub project_id: Option<String>,
}

impl SeedSource {
    /// Parses a seed file: a JSON array of entries, each checked as the API checks a create
    /// (type, name, sources; seeded sources have no credentials).
    pub fn parse_list(text: &str) -> Result<Vec<SeedSource>, String> {
        let list: Vec<SeedSource> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (i, s) in list.iter().enumerate() {
            let mut details = Vec::new();
            validate::check_type(Some(&json!(s.log_type)), &mut details);
            validate::check_name(Some(&json!(s.name)), &mut details);
            validate::check_sources(Some(&json!(s.sources)), &mut details);
            if let Some((field, why)) = details.first() {
                return Err(format!("entry {i}: {field} {why}"));
            }
        }
        Ok(list)
    }
}

/// Configures and starts a fake API.
#[derive(Clone, Debug)]
pub struct FakeApi {
    keys: Vec<ApiKey>,
    projects: Vec<String>,
    quota: usize,
    state_file: Option<PathBuf>,
    seeds: Vec<SeedSource>,
}

impl Default for FakeApi {
    fn default() -> Self {
        FakeApi {
            keys: Vec::new(),
            projects: vec![DEFAULT_PROJECT.to_string()],
            quota: 1000,
            state_file: None,
            seeds: Vec::new(),
        }
    }
}

/// Why the fake could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl FakeApi {
    /// A fake with no keys yet, project `prj_default`, quota 1000.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts `key`.
    pub fn key(mut self, key: ApiKey) -> Self {
        if let KeyScope::Project(p) = &key.scope {
            if !self.projects.contains(p) {
                self.projects.push(p.clone());
            }
        }
        self.keys.push(key);
        self
    }

    /// Adds a project of the tenant (for tenant-scoped keys).
    pub fn project(mut self, id: &str) -> Self {
        if !self.projects.iter().any(|p| p == id) {
            self.projects.push(id.into());
        }
        self
    }

    /// The plan's `logSourcesPerProject`.
    pub fn quota(mut self, n: usize) -> Self {
        self.quota = n;
        self
    }

    /// Keeps state in `path` across restarts.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Preloads `sources` (their projects join the tenant), unless a state file with saved
    /// state is loaded: seeds describe a fresh start and are never added twice.
    pub fn seed(mut self, sources: impl IntoIterator<Item = SeedSource>) -> Self {
        for s in sources {
            if let Some(p) = &s.project_id {
                self = self.project(p);
            }
            self.seeds.push(s);
        }
        self
    }

    /// Starts serving on `addr` (port 0: any free port).
    pub async fn start(self, addr: SocketAddr) -> Result<FakeHandle, StartError> {
        let saved = matches!(&self.state_file, Some(p) if p.exists());
        let persisted: Persisted = match &self.state_file {
            Some(p) if p.exists() => {
                let text = std::fs::read(p)
                    .map_err(|e| StartError(format!("cannot read {}: {e}", p.display())))?;
                serde_json::from_slice(&text)
                    .map_err(|e| StartError(format!("cannot parse {}: {e}", p.display())))?
            }
            _ => Persisted::default(),
        };
        let shared = Arc::new(Shared {
            keys: self.keys,
            projects: self.projects,
            quota: self.quota,
            state_file: self.state_file,
            store: Mutex::new(Store {
                sources: persisted
                    .sources
                    .into_iter()
                    .map(|s| (s.id.clone(), s))
                    .collect(),
                seq: persisted.seq,
                idem: HashMap::new(),
                faults: Vec::new(),
                log: Vec::new(),
            }),
        });
        if !saved && !self.seeds.is_empty() {
            let mut store = shared.lock();
            for s in self.seeds {
                let project = s.project_id.as_deref().unwrap_or(DEFAULT_PROJECT);
                let mut made = new_source(
                    &mut store,
                    project,
                    &s.log_type,
                    &s.name,
                    s.sources,
                    BTreeMap::new(),
                );
                if let Some(active) = s.is_active {
                    made.is_active = active;
                    store.sources.insert(made.id.clone(), made);
                }
            }
            shared.persist(&store);
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError(format!("cannot listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| StartError(e.to_string()))?;
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await;
        });
        Ok(FakeHandle {
            addr: local,
            shared,
            stop: Mutex::new(Some(stop_tx)),
            task: Mutex::new(Some(task)),
        })
    }
}

/// A running fake API.
pub struct FakeHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl FakeHandle {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every live log source, in creation order, credentials included.
    pub fn sources(&self) -> Vec<StoredSource> {
        let store = self.shared.lock();
        let mut v: Vec<_> = store.sources.values().cloned().collect();
        v.sort_by_key(|s| s.seq);
        v
    }

    /// Injects a fault.
    pub fn fail_next(&self, rule: FaultRule) {
        self.shared.lock().faults.push(rule);
    }

    /// Every request so far (admin requests excluded).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        self.shared.lock().log.clear();
    }

    /// Changes a source out of band (as the dashboard would): JSON with any of
    /// `name`, `sources`, `isActive`.
    pub fn edit(&self, id: &str, patch: &Value) -> bool {
        let mut store = self.shared.lock();
        let Some(s) = store.sources.get_mut(id) else {
            return false;
        };
        apply_patch(s, patch);
        self.shared.persist(&store);
        true
    }

    /// Deletes a source out of band.
    pub fn remove(&self, id: &str) -> bool {
        let mut store = self.shared.lock();
        let removed = store.sources.remove(id).is_some();
        self.shared.persist(&store);
        removed
    }

    /// Creates a source out of band in `prj_default` (as if made in the dashboard).
    pub fn insert(&self, log_type: &str, name: &str, sources: &[&str]) -> String {
        let mut store = self.shared.lock();
        let s = new_source(
            &mut store,
            DEFAULT_PROJECT,
            log_type,
            name,
            sources.iter().map(|s| s.to_string()).collect(),
            BTreeMap::new(),
        );
        self.shared.persist(&store);
        s.id
    }

    /// Stops serving.
    pub async fn shutdown(&self) {
        let stop = self.stop.lock().ok().and_then(|mut s| s.take());
        if let Some(tx) = stop {
            let _ = tx.send(());
        }
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = task {
            let _ = t.await;
        }
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn new_id() -> String {
    let hex = |n: usize| -> String {
        (0..n)
            .map(|_| format!("{:x}", fastrand::u8(0..16)))
            .collect()
    };
    format!(
        "ls_{}-{}-4{}-{}-{}",
        hex(8),
        hex(4),
        hex(3),
        hex(4),
        hex(12)
    )
}

fn new_source(
    store: &mut Store,
    project: &str,
    log_type: &str,
    name: &str,
    sources: Vec<String>,
    credentials: BTreeMap<String, String>,
) -> StoredSource {
    store.seq += 1;
    let now = now_rfc3339();
    let s = StoredSource {
        id: new_id(),
        project_id: project.into(),
        log_type: log_type.into(),
        name: name.into(),
        sources,
        credentials,
        is_active: true,
        created_at: now.clone(),
        updated_at: now,
        seq: store.seq,
    };
    store.sources.insert(s.id.clone(), s.clone());
    s
}

fn apply_patch(s: &mut StoredSource, patch: &Value) {
    if let Some(n) = patch.get("name").and_then(Value::as_str) {
        s.name = n.into();
    }
    if let Some(items) = patch.get("sources").and_then(Value::as_array) {
        s.sources = items
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
    }
    if let Some(a) = patch.get("isActive").and_then(Value::as_bool) {
        s.is_active = a;
    }
    if let Some(c) = patch.get("credentials").and_then(Value::as_object) {
        s.credentials = c
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect();
    }
    s.updated_at = now_rfc3339();
}

fn json_response(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn error_body(code: &str, message: &str, details: &[validate::Detail]) -> Value {
    let mut e = json!({"code": code, "message": message});
    if !details.is_empty() {
        e["details"] = details
            .iter()
            .map(|(f, m)| json!({"field": f, "message": m}))
            .collect();
    }
    json!({"success": false, "error": e})
}

/// An answer before faults that act after the change are applied.
struct Outcome {
    status: u16,
    body: Value,
    replayed: bool,
    retry_after: Option<u64>,
}

impl Outcome {
    fn ok(status: u16, data: Value) -> Outcome {
        Outcome {
            status,
            body: json!({"success": true, "data": data}),
            replayed: false,
            retry_after: None,
        }
    }

    fn err(status: u16, code: &str, message: &str) -> Outcome {
        Outcome {
            status,
            body: error_body(code, message, &[]),
            replayed: false,
            retry_after: None,
        }
    }
}

async fn handle(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let path = uri.path().to_string();
    if let Some(rest) = path.strip_prefix("/_fake") {
        return admin(&shared, &method, rest, &body);
    }
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut record = RequestRecord {
        method: method.to_string(),
        path: path.clone(),
        query: uri.query().unwrap_or("").to_string(),
        idempotency_key: header("idempotency-key"),
        key_tail: header("authorization").map(|a| {
            let t: String = a.chars().rev().take(4).collect();
            t.chars().rev().collect()
        }),
        status: 0,
        replayed: false,
        micros: 0,
        started: Some(Instant::now()),
    };

    let fault = {
        let mut store = shared.lock();
        let idx = store.faults.iter().position(|f| {
            f.count > 0
                && path.starts_with(&f.path_prefix)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
        });
        idx.map(|i| {
            store.faults[i].count -= 1;
            let action = store.faults[i].action.clone();
            if store.faults[i].count == 0 {
                store.faults.remove(i);
            }
            action
        })
    };

    // Faults that answer instead of the API.
    match &fault {
        Some(FaultAction::Status {
            status,
            code,
            retry_after,
        }) => {
            let mut out = Outcome::err(*status, code, "injected fault");
            out.retry_after = *retry_after;
            return finish(&shared, record, out);
        }
        Some(FaultAction::Html502) => {
            record.status = 502;
            log_request(&shared, record);
            return Response::builder()
                .status(502)
                .header("content-type", "text/html")
                .body(Body::from(
                    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
                ))
                .unwrap_or_default();
        }
        _ => {}
    }

    // Like a real server, finish the work even when the client hangs up mid-request.
    let outcome = {
        let (shared, method, path, headers, fault) = (
            shared.clone(),
            method.clone(),
            path.clone(),
            headers.clone(),
            fault.clone(),
        );
        let query = uri.query().unwrap_or("").to_string();
        let worker = tokio::spawn(async move {
            process(
                &shared,
                &method,
                &path,
                &query,
                &headers,
                &body,
                fault.as_ref(),
            )
            .await
        });
        match worker.await {
            Ok(o) => o,
            Err(_) => Outcome::err(500, "INTERNAL_ERROR", "the fake failed"),
        }
    };

    match fault {
        Some(FaultAction::CommitThenDrop) => {
            record.status = 0;
            log_request(&shared, record);
            // Headers go out, then the body fails: the client sees the connection break.
            let stream = broken_body();
            Response::builder()
                .status(outcome.status)
                .header("content-type", "application/json")
                .body(Body::from_stream(stream))
                .unwrap_or_default()
        }
        Some(FaultAction::CommitThen500) => finish(
            &shared,
            record,
            Outcome::err(500, "INTERNAL_ERROR", "injected fault after commit"),
        ),
        Some(FaultAction::CommitThenTruncated) => {
            record.status = outcome.status;
            log_request(&shared, record);
            // Cut bytes, not chars: a name with non-ASCII letters must not panic here.
            let mut bytes = outcome.body.to_string().into_bytes();
            bytes.truncate(bytes.len() / 2);
            Response::builder()
                .status(outcome.status)
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap_or_default()
        }
        Some(FaultAction::CommitThenDelay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            finish(&shared, record, outcome)
        }
        _ => finish(&shared, record, outcome),
    }
}

/// A body stream that fails at once, so hyper aborts the response.
fn broken_body(
) -> impl tokio_stream::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send {
    tokio_stream::once(Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "injected: connection dropped after commit",
    )))
}

/// Appends `record` to the request log with the time spent on it.
fn log_request(shared: &Shared, mut record: RequestRecord) {
    record.micros = record
        .started
        .map(|s| s.elapsed().as_micros() as u64)
        .unwrap_or(0);
    shared.lock().log.push(record);
}

fn finish(shared: &Shared, mut record: RequestRecord, out: Outcome) -> Response {
    record.status = out.status;
    record.replayed = out.replayed;
    log_request(shared, record);
    if out.status == 204 {
        return Response::builder()
            .status(204)
            .body(Body::empty())
            .unwrap_or_default();
    }
    let mut resp = json_response(out.status, &out.body);
    if out.replayed {
        resp.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    if let Some(ra) = out.retry_after {
        if let Ok(v) = axum::http::HeaderValue::from_str(&ra.to_string()) {
            resp.headers_mut().insert("retry-after", v);
        }
    }
    resp
}

/// Authenticates: the project the request acts in, or the error answer.
fn authorize(shared: &Shared, headers: &HeaderMap, write: bool) -> Result<String, Outcome> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| Outcome::err(401, "UNAUTHORIZED", "missing API key"))?;
    let key = shared
        .keys
        .iter()
        .find(|k| k.token == token)
        .ok_or_else(|| Outcome::err(401, "UNAUTHORIZED", "invalid API key"))?;
    let allowed = if write { key.write } else { key.read };
    if !allowed {
        let perm = if write { "config:write" } else { "config:read" };
        return Err(Outcome::err(
            403,
            "FORBIDDEN",
            &format!("API key lacks {perm}"),
        ));
    }
    let named = headers.get("x-project-id").and_then(|v| v.to_str().ok());
    match &key.scope {
        KeyScope::Project(p) => match named {
            Some(n) if n != p => Err(Outcome::err(
                403,
                "FORBIDDEN",
                "API key is scoped to another project",
            )),
            _ => Ok(p.clone()),
        },
        KeyScope::Tenant => match named {
            Some(n) if shared.projects.iter().any(|p| p == n) => Ok(n.to_string()),
            Some(_) => Err(Outcome::err(
                403,
                "FORBIDDEN",
                "no such project in this tenant",
            )),
            None => Err(Outcome::err(
                400,
                "VALIDATION_ERROR",
                "tenant-scoped keys need X-Project-Id",
            )),
        },
    }
}

fn validation(details: Vec<validate::Detail>) -> Outcome {
    Outcome {
        status: 400,
        body: error_body("VALIDATION_ERROR", "validation failed", &details),
        replayed: false,
        retry_after: None,
    }
}

async fn process(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
    fault: Option<&FaultAction>,
) -> Outcome {
    let Some(rest) = path.strip_prefix(BASE) else {
        return Outcome::err(404, "NOT_FOUND", "no such endpoint");
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let write = *method != Method::GET;
    let project = match authorize(shared, headers, write) {
        Ok(p) => p,
        Err(o) => return o,
    };

    // Idempotency (POST and PATCH).
    let idem_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let idem = if (*method == Method::POST && segments.is_empty()) || *method == Method::PATCH {
        match idem_key {
            Some(k)
                if k.is_empty()
                    || k.len() > 255
                    || !k.bytes().all(|b| (0x20..0x7f).contains(&b)) =>
            {
                return validation(vec![(
                    "Idempotency-Key".into(),
                    "must be 1 to 255 printable ASCII characters".into(),
                )])
            }
            Some(k) => Some(k),
            None => None,
        }
    } else {
        None
    };
    let fingerprint = format!("{method} {path} {}", String::from_utf8_lossy(body));
    if let Some(k) = &idem {
        let mut store = shared.lock();
        let slot = (project.clone(), k.clone());
        match store.idem.get(&slot) {
            Some(IdemEntry::Done {
                fingerprint: f,
                status,
                body,
                at,
            }) if at.elapsed() < KEY_WINDOW => {
                if *f == fingerprint {
                    return Outcome {
                        status: *status,
                        body: body.clone(),
                        replayed: true,
                        retry_after: None,
                    };
                }
                return Outcome::err(
                    422,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used for a different request",
                );
            }
            Some(IdemEntry::InFlight { fingerprint: f }) => {
                if *f == fingerprint {
                    return Outcome::err(
                        409,
                        "IDEMPOTENCY_IN_PROGRESS",
                        "the first request with this key is still being processed",
                    );
                }
                return Outcome::err(
                    422,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used for a different request",
                );
            }
            _ => {
                store.idem.insert(
                    slot,
                    IdemEntry::InFlight {
                        fingerprint: fingerprint.clone(),
                    },
                );
            }
        }
    }

    if let Some(FaultAction::Delay { ms }) = fault {
        tokio::time::sleep(Duration::from_millis(*ms)).await;
    }

    let out = execute(shared, method, &segments, query, &project, body);

    if let Some(k) = idem {
        let mut store = shared.lock();
        let slot = (project, k);
        // Only completed answers are kept; a failed validation can be retried with the key.
        store.idem.insert(
            slot,
            IdemEntry::Done {
                fingerprint,
                status: out.status,
                body: out.body.clone(),
                at: Instant::now(),
            },
        );
    }
    out
}

fn execute(
    shared: &Shared,
    method: &Method,
    segments: &[&str],
    query: &str,
    project: &str,
    body: &[u8],
) -> Outcome {
    let parse_body = || -> Result<serde_json::Map<String, Value>, Outcome> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(validation(vec![(
                "body".into(),
                "must be a JSON object".into(),
            )])),
        }
    };
    let mut store = shared.lock();
    let found = |store: &Store, id: &str| {
        store
            .sources
            .get(id)
            .filter(|s| s.project_id == project)
            .cloned()
    };
    match (method.clone(), segments) {
        (Method::POST, []) => {
            let b = match parse_body() {
                Ok(b) => b,
                Err(o) => return o,
            };
            let mut details = Vec::new();
            let t = validate::check_type(b.get("type"), &mut details);
            validate::check_name(b.get("name"), &mut details);
            validate::check_sources(b.get("sources"), &mut details);
            if let Some(t) = &t {
                validate::check_credentials(t, b.get("credentials"), &mut details);
            }
            if !details.is_empty() {
                return validation(details);
            }
            let in_project = store
                .sources
                .values()
                .filter(|s| s.project_id == project)
                .count();
            if in_project >= shared.quota {
                return Outcome::err(
                    403,
                    "QUOTA_EXCEEDED",
                    "the plan's logSourcesPerProject quota is reached",
                );
            }
            let creds = b["credentials"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            let sources = b["sources"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let s = new_source(
                &mut store,
                project,
                t.as_deref().unwrap_or_default(),
                b["name"].as_str().unwrap_or_default(),
                sources,
                creds,
            );
            shared.persist(&store);
            Outcome::ok(201, s.public())
        }
        (Method::GET, []) => {
            let params: HashMap<String, String> = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.replace("%2F", "/")))
                .collect();
            let limit = match params.get("limit").map(|l| l.parse::<usize>()) {
                None => 50,
                Some(Ok(l)) if (1..=100).contains(&l) => l,
                _ => return validation(vec![("limit".into(), "must be 1 to 100".into())]),
            };
            let start = match params.get("cursor") {
                None => 0,
                Some(c) => match c.strip_prefix("c").and_then(|n| n.parse::<usize>().ok()) {
                    Some(n) => n,
                    None => return validation(vec![("cursor".into(), "is not a cursor".into())]),
                },
            };
            let mut all: Vec<&StoredSource> = store
                .sources
                .values()
                .filter(|s| s.project_id == project)
                .filter(|s| params.get("type").is_none_or(|t| &s.log_type == t))
                .collect();
            all.sort_by_key(|s| s.seq);
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take(limit)
                .map(|s| s.public())
                .collect();
            let next = (start + limit < all.len()).then(|| format!("c{}", start + limit));
            Outcome {
                status: 200,
                body: json!({"success": true, "data": page, "nextCursor": next}),
                replayed: false,
                retry_after: None,
            }
        }
        (Method::GET, [id]) => match found(&store, id) {
            Some(s) => Outcome::ok(200, s.public()),
            None => Outcome::err(404, "NOT_FOUND", "no such log source in this project"),
        },
        (Method::PATCH, [id]) => {
            let Some(mut s) = found(&store, id) else {
                return Outcome::err(404, "NOT_FOUND", "no such log source in this project");
            };
            let b = match parse_body() {
                Ok(b) => b,
                Err(o) => return o,
            };
            let mut details = Vec::new();
            for k in b.keys() {
                match k.as_str() {
                    "name" | "credentials" | "sources" | "isActive" => {}
                    "type" => details.push((
                        "type".into(),
                        "cannot change; create a new log source".into(),
                    )),
                    other => {
                        details.push((other.into(), "is not a field that can be changed".into()))
                    }
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
            if !details.is_empty() {
                return validation(details);
            }
            apply_patch(&mut s, &Value::Object(b));
            store.sources.insert(s.id.clone(), s.clone());
            shared.persist(&store);
            Outcome::ok(200, s.public())
        }
        (Method::DELETE, [id]) => {
            if found(&store, id).is_none() {
                return Outcome::err(404, "NOT_FOUND", "no such log source in this project");
            }
            store.sources.remove(*id);
            shared.persist(&store);
            Outcome {
                status: 204,
                body: Value::Null,
                replayed: false,
                retry_after: None,
            }
        }
        (Method::POST, [id, "test"]) => match found(&store, id) {
            Some(s) => {
                let rejected = s
                    .credentials
                    .values()
                    .any(|v| v.contains("invalid") || v.contains("reject"));
                if rejected {
                    Outcome::ok(
                        200,
                        json!({"ok": false, "sampleLines": [], "error": {"code": "AUTH_FAILED", "message": format!("{} rejected the credentials", s.log_type)}}),
                    )
                } else {
                    Outcome::ok(
                        200,
                        json!({"ok": true, "sampleLines": s.sources.iter().map(|src| format!("{src}: sample log line")).collect::<Vec<_>>(), "error": null}),
                    )
                }
            }
            None => Outcome::err(404, "NOT_FOUND", "no such log source in this project"),
        },
        _ => Outcome::err(404, "NOT_FOUND", "no such endpoint"),
    }
}

/// The `/_fake` admin routes.
fn admin(shared: &Arc<Shared>, method: &Method, rest: &str, body: &[u8]) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let mut store = shared.lock();
    match (method.clone(), segments.as_slice()) {
        (Method::GET, ["sources"]) => {
            let mut v: Vec<_> = store.sources.values().cloned().collect();
            v.sort_by_key(|s| s.seq);
            json_response(200, &json!(v))
        }
        (Method::POST, ["sources"]) => {
            let b = parsed.unwrap_or_default();
            let s = new_source(
                &mut store,
                b["projectId"].as_str().unwrap_or(DEFAULT_PROJECT),
                b["type"].as_str().unwrap_or("splunk"),
                b["name"].as_str().unwrap_or("unnamed"),
                b["sources"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                BTreeMap::new(),
            );
            shared.persist(&store);
            json_response(201, &json!(s))
        }
        (Method::PATCH, ["sources", id]) => match store.sources.get_mut(*id) {
            Some(s) => {
                apply_patch(s, &parsed.unwrap_or_default());
                let out = json!(s);
                shared.persist(&store);
                json_response(200, &out)
            }
            None => json_response(404, &json!({"error": "no such source"})),
        },
        (Method::DELETE, ["sources", id]) => {
            let removed = store.sources.remove(*id).is_some();
            shared.persist(&store);
            json_response(
                if removed { 200 } else { 404 },
                &json!({"removed": removed}),
            )
        }
        (Method::GET, ["requests"]) => json_response(200, &json!(store.log)),
        (Method::DELETE, ["requests"]) => {
            store.log.clear();
            json_response(200, &json!({}))
        }
        (Method::POST, ["faults"]) => {
            match parsed.and_then(|v| serde_json::from_value::<FaultRule>(v).ok()) {
                Some(rule) => {
                    store.faults.push(rule);
                    json_response(201, &json!({}))
                }
                None => json_response(
                    400,
                    &json!({"error": "expected a fault rule: {method, path_prefix, count, action: {kind, ...}}"}),
                ),
            }
        }
        _ => json_response(404, &json!({"error": "no such admin route"})),
    }
}
