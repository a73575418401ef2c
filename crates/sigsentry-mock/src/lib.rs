//! A stateful fake of the SigSentry API, for tests, the demo and users' own pipelines. It
//! follows `sigsentry-api-contract.md` and is written independently of the client, so it
//! cannot drift into agreeing with the client's bugs.
//!
//! Where each concern lives:
//! - `keys`: API keys, scopes and permissions (the authorisation middleware);
//! - `store`: the sources and the state file;
//! - `idempotency`: replay, 409 in flight, 422 reuse (middleware);
//! - `behaviour`: the API modes that depart from the contract, and the fake's clock;
//! - `faults`: injected faults (middleware);
//! - `pacing`: latency and a rate limit (middleware);
//! - `request_log`: what was asked and answered (middleware);
//! - `routes`: the endpoints; `validate`: the contract's rules; `admin`: `/_fake`;
//! - `seed`: the sources a fake starts with (`sigsentry-mock --seed`);
//! - `browser_guard`: what keeps web pages in the user's browser out (middleware).
//!
//! Credentials whose values contain `invalid` or `reject` fail the connection test with
//! `AUTH_FAILED`, so rejected-credential paths can be exercised. Tests drive the fake
//! through [`FakeHandle`]; other processes use the `/_fake` admin routes when the fake was
//! started with admin enabled.

mod admin;
mod behaviour;
mod browser_guard;
mod faults;
mod idempotency;
mod keys;
mod pacing;
mod request_log;
mod routes;
mod seed;
mod store;
mod validate;

pub use behaviour::{ApiMode, ALL_MODES, SHORT_PATCH_WINDOW};
pub use faults::{FaultAction, FaultRule};
pub use keys::{ApiKey, KeyScope, DEFAULT_PROJECT, TENANT};
pub use pacing::{RateLimitHeaders, Settings};
pub use request_log::RequestRecord;
pub use seed::SeedSource;
pub use store::StoredSource;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// What every part of the fake shares.
pub(crate) struct Shared {
    keys: Vec<ApiKey>,
    projects: Vec<String>,
    quota: usize,
    state_file: Option<store::StateFile>,
    store: Mutex<store::Store>,
    idempotency: Mutex<idempotency::Keys>,
    faults: Mutex<Vec<FaultRule>>,
    log: Mutex<Vec<RequestRecord>>,
    settings: Mutex<Settings>,
    bucket: Mutex<pacing::Bucket>,
    mode: Mutex<ApiMode>,
    clock: Arc<behaviour::Clock>,
}

/// A poisoned lock still guards valid data here: every change is one assignment.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl Shared {
    fn lock_store(&self) -> MutexGuard<'_, store::Store> {
        lock(&self.store)
    }
    fn lock_keys(&self) -> MutexGuard<'_, idempotency::Keys> {
        lock(&self.idempotency)
    }
    fn lock_faults(&self) -> MutexGuard<'_, Vec<FaultRule>> {
        lock(&self.faults)
    }
    fn lock_log(&self) -> MutexGuard<'_, Vec<RequestRecord>> {
        lock(&self.log)
    }
    fn lock_bucket(&self) -> MutexGuard<'_, pacing::Bucket> {
        lock(&self.bucket)
    }
    fn settings(&self) -> Settings {
        *lock(&self.settings)
    }
    fn set_settings(&self, s: Settings) {
        *lock(&self.settings) = s;
    }
    fn mode(&self) -> ApiMode {
        *lock(&self.mode)
    }
    fn set_mode(&self, m: ApiMode) {
        *lock(&self.mode) = m;
    }

    /// Saves the store, when the fake keeps a state file.
    fn persist(&self, store: &store::Store) {
        if let Some(f) = &self.state_file {
            f.save(store);
        }
    }
}

/// A JSON answer.
fn reply(status: u16, body: &Value) -> Response {
    json_bytes(status, Bytes::from(body.to_string()))
}

/// A JSON answer from bytes.
fn json_bytes(status: u16, body: Bytes) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// The success envelope around `data`.
fn ok(status: u16, data: Value) -> Response {
    reply(status, &json!({"success": true, "data": data}))
}

/// The error envelope.
fn error(status: u16, code: &str, message: &str) -> Response {
    reply(
        status,
        &json!({"success": false, "error": {"code": code, "message": message}}),
    )
}

/// 400 VALIDATION_ERROR with per-field details.
fn validation(details: &[validate::Detail]) -> Response {
    let details: Vec<Value> = details
        .iter()
        .map(|(f, m)| json!({"field": f, "message": m}))
        .collect();
    reply(
        400,
        &json!({"success": false, "error": {"code": "VALIDATION_ERROR",
            "message": "validation failed", "details": details}}),
    )
}

/// Middleware: runs the rest of the request on its own task, so the work finishes even
/// when the client hangs up mid-request, as on a real server.
async fn detach(req: Request, next: Next) -> Response {
    tokio::spawn(next.run(req))
        .await
        .unwrap_or_else(|_| error(500, "INTERNAL_ERROR", "the fake failed"))
}

/// Configures and starts a fake API.
#[derive(Clone, Debug)]
pub struct FakeApi {
    keys: Vec<ApiKey>,
    projects: Vec<String>,
    quota: usize,
    state_file: Option<PathBuf>,
    admin: bool,
    admin_from_browsers: bool,
    settings: Settings,
    seeds: Vec<SeedSource>,
    mode: ApiMode,
    allowed_hosts: Vec<String>,
}

impl Default for FakeApi {
    fn default() -> Self {
        FakeApi {
            keys: Vec::new(),
            projects: vec![DEFAULT_PROJECT.to_string()],
            quota: 1000,
            state_file: None,
            admin: false,
            admin_from_browsers: false,
            settings: Settings::default(),
            seeds: Vec::new(),
            mode: ApiMode::default(),
            allowed_hosts: Vec::new(),
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
    /// A fake with no keys yet, project `prj_default`, quota 1000, admin routes off.
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

    /// Serves the `/_fake` admin routes (which need no key and return credentials).
    pub fn admin(mut self, enabled: bool) -> Self {
        self.admin = enabled;
        self
    }

    /// How far idempotency follows the contract (see [`ApiMode`]).
    pub fn mode(mut self, mode: ApiMode) -> Self {
        self.mode = mode;
        self
    }

    /// Also serves requests whose `Host` is `name` (with any port), besides loopback names
    /// and the address it listens on: for clients that reach it by another name, such as a
    /// container network's.
    pub fn allow_host(mut self, name: &str) -> Self {
        self.allowed_hosts.push(name.into());
        self
    }

    /// Latency and rate limit from the start.
    pub fn pacing(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The whole application: the API with its middleware, and the admin routes.
    /// Lets browsers use the admin routes (requests with `Origin`, form bodies), which
    /// are refused by default: a web page could otherwise drive the fake.
    pub fn admin_from_browsers(mut self, allowed: bool) -> Self {
        self.admin_from_browsers = allowed;
        self
    }

    fn app(shared: Arc<Shared>, admin: bool, from_browsers: bool) -> Router {
        const COLLECTION: &str = "/v1/config/log-sources";
        const ONE: &str = "/v1/config/log-sources/{id}";
        let keyed = |h| {
            axum::handler::Handler::layer(
                h,
                tower::ServiceBuilder::new()
                    .layer(from_fn_with_state(shared.clone(), idempotency::layer))
                    .layer(from_fn(faults::delay)),
            )
        };
        let api = Router::new()
            .route(COLLECTION, get(routes::list).post(keyed(routes::create)))
            .route(
                ONE,
                get(routes::get)
                    .patch(axum::handler::Handler::layer(
                        routes::update,
                        tower::ServiceBuilder::new()
                            .layer(from_fn_with_state(shared.clone(), idempotency::layer))
                            .layer(from_fn(faults::delay)),
                    ))
                    .delete(routes::delete),
            )
            .route(&format!("{ONE}/test"), post(routes::test))
            .route_layer(from_fn_with_state(shared.clone(), keys::authorize))
            .fallback(routes::no_such_endpoint)
            .layer(from_fn(detach))
            .layer(from_fn_with_state(shared.clone(), faults::layer))
            .layer(from_fn_with_state(shared.clone(), pacing::layer))
            .layer(from_fn_with_state(shared.clone(), request_log::layer))
            .layer(from_fn_with_state(shared.clone(), behaviour::date_header));
        let app = if admin {
            api.nest("/_fake", admin::router(from_browsers))
        } else {
            api
        };
        app.with_state(shared)
    }

    /// Starts serving on `addr` (port 0: any free port). A state file that cannot be
    /// written refuses the start.
    pub async fn start(self, addr: SocketAddr) -> Result<FakeHandle, StartError> {
        // Seeds describe a fresh start: a state file that already exists wins.
        let saved = matches!(&self.state_file, Some(p) if std::fs::symlink_metadata(p).is_ok());
        let (state_file, mut store) = match &self.state_file {
            Some(p) => {
                let (f, s) = store::StateFile::open(p).map_err(StartError)?;
                (Some(f), s)
            }
            None => (None, store::Store::default()),
        };
        let clock = Arc::new(behaviour::Clock::default());
        store.clock = clock.clone();
        let shared = Arc::new(Shared {
            keys: self.keys,
            projects: self.projects,
            quota: self.quota,
            state_file,
            store: Mutex::new(store),
            idempotency: Mutex::new(Default::default()),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            settings: Mutex::new(self.settings),
            bucket: Mutex::new(Default::default()),
            mode: Mutex::new(self.mode),
            clock,
        });
        if !saved && !self.seeds.is_empty() {
            let mut store = shared.lock_store();
            for s in self.seeds {
                store.insert(store::NewSource {
                    project: s.project_id.as_deref().unwrap_or(DEFAULT_PROJECT),
                    log_type: &s.log_type,
                    name: &s.name,
                    sources: s.sources,
                    credentials: BTreeMap::new(),
                    is_active: s.is_active.unwrap_or(true),
                });
            }
            shared.persist(&store);
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError(format!("cannot listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| StartError(e.to_string()))?;
        let hosts = Arc::new(browser_guard::Hosts::new(local.ip(), &self.allowed_hosts));
        let app = Self::app(shared.clone(), self.admin, self.admin_from_browsers)
            .layer(from_fn_with_state(hosts, browser_guard::check_host));
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
        self.shared.lock_store().ordered()
    }

    /// Injects a fault.
    pub fn fail_next(&self, rule: FaultRule) {
        self.shared.lock_faults().push(rule);
    }

    /// Every request so far (admin requests excluded).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock_log().clone()
    }

    /// The idempotency keys whose request the fake has carried out (answer stored), for
    /// tests that must act the moment a keyed request took effect.
    pub fn completed_keys(&self) -> Vec<String> {
        self.shared
            .lock_keys()
            .iter()
            .filter(|(_, e)| matches!(e, idempotency::Entry::Done { .. }))
            .map(|((_, k), _)| k.clone())
            .collect()
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        self.shared.lock_log().clear();
    }

    /// Sets latency and rate limit.
    pub fn set_pacing(&self, settings: Settings) {
        self.shared.set_settings(settings);
    }

    /// Switches how far idempotency follows the contract.
    pub fn set_mode(&self, mode: ApiMode) {
        self.shared.set_mode(mode);
    }

    /// Moves the fake's clock forward (key windows, `createdAt`, `Date`).
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.shared.clock.advance(by);
    }

    /// Changes a source out of band (as the dashboard would): JSON with any of
    /// `name`, `sources`, `isActive`.
    pub fn edit(&self, id: &str, patch: &Value) -> bool {
        let mut store = self.shared.lock_store();
        let now = store.clock.rfc3339();
        let Some(s) = store.sources.get_mut(id) else {
            return false;
        };
        s.apply_patch(patch, now);
        self.shared.persist(&store);
        true
    }

    /// Deletes a source out of band.
    pub fn remove(&self, id: &str) -> bool {
        let mut store = self.shared.lock_store();
        let removed = store.sources.remove(id).is_some();
        self.shared.persist(&store);
        removed
    }

    /// Creates a source out of band in `prj_default` (as if made in the dashboard).
    pub fn insert(&self, log_type: &str, name: &str, sources: &[&str]) -> String {
        self.insert_in(DEFAULT_PROJECT, log_type, name, sources)
    }

    /// Creates a source out of band in `project`.
    pub fn insert_in(&self, project: &str, log_type: &str, name: &str, sources: &[&str]) -> String {
        let mut store = self.shared.lock_store();
        let s = store.insert(store::NewSource {
            project,
            log_type,
            name,
            sources: sources.iter().map(|s| s.to_string()).collect(),
            credentials: BTreeMap::new(),
            is_active: true,
        });
        self.shared.persist(&store);
        s.id
    }

    /// Stops serving.
    pub async fn shutdown(&self) {
        let stop = lock(&self.stop).take();
        if let Some(tx) = stop {
            let _ = tx.send(());
        }
        let task = lock(&self.task).take();
        if let Some(t) = task {
            let _ = t.await;
        }
    }
}
