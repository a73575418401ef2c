//! The bundled fake SigSentry API, run in-process on its own runtime so tests can drive
//! the terraform CLI with plain blocking calls.

use sigsentry_mock::{
    ApiKey, FakeApi, FakeHandle, FaultAction, FaultRule, RequestRecord, StoredSource,
};
use std::time::Duration;

/// A read-write key of the default project.
pub const KEY: &str = "ss_secret_acceptance_key";
/// A key with config:read only.
pub const READ_ONLY_KEY: &str = "ss_secret_read_only_key";

/// A running fake API.
pub struct Fake {
    handle: FakeHandle,
    // Declared last: dropped after the handle.
    rt: tokio::runtime::Runtime,
}

/// Fault rules in the tests' words.
pub struct Fault;

const ANY: Option<String> = None;

impl Fault {
    /// Answer `count` matching requests with `status` and `code`.
    pub fn status(method: &str, path: &str, count: u32, status: u16, code: &str) -> FaultRule {
        FaultRule {
            method: Some(method.into()),
            path_prefix: path.into(),
            count,
            action: FaultAction::Status {
                status,
                code: code.into(),
                retry_after: None,
            },
        }
    }

    /// 429 with `Retry-After: secs` for `count` matching requests.
    pub fn rate_limited(method: &str, path: &str, count: u32, secs: u64) -> FaultRule {
        FaultRule {
            method: Some(method.into()),
            path_prefix: path.into(),
            count,
            action: FaultAction::Status {
                status: 429,
                code: "RATE_LIMITED".into(),
                retry_after: Some(secs),
            },
        }
    }

    /// Commit the next matching request, then drop the connection.
    pub fn commit_then_drop(method: &str, path: &str) -> FaultRule {
        FaultRule {
            method: Some(method.into()),
            path_prefix: path.into(),
            count: 1,
            action: FaultAction::CommitThenDrop,
        }
    }

    /// Commit the next matching request, then hold the answer for `d`.
    pub fn commit_then_delay(method: &str, path: &str, d: Duration) -> FaultRule {
        FaultRule {
            method: Some(method.into()),
            path_prefix: path.into(),
            count: 1,
            action: FaultAction::CommitThenDelay {
                ms: d.as_millis() as u64,
            },
        }
    }

    /// `method` requests under `path` answered by `action`, `count` times.
    pub fn with_method(method: &str, path: &str, count: u32, action: FaultAction) -> FaultRule {
        FaultRule {
            method: Some(method.into()),
            path_prefix: path.into(),
            count,
            action,
        }
    }

    /// Any request under `path` answered by `action`, `count` times.
    pub fn any(path: &str, count: u32, action: FaultAction) -> FaultRule {
        FaultRule {
            method: ANY,
            path_prefix: path.into(),
            count,
            action,
        }
    }
}

impl Fake {
    /// Starts a fake with [`KEY`] and [`READ_ONLY_KEY`] on a free loopback port.
    pub fn start() -> Fake {
        Self::start_with(FakeApi::new())
    }

    /// Starts `api` (plus the two test keys).
    pub fn start_with(api: FakeApi) -> Fake {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mut ro = ApiKey::project(READ_ONLY_KEY, "prj_default");
        ro.write = false;
        let api = api.key(ApiKey::project(KEY, "prj_default")).key(ro);
        let handle = rt
            .block_on(api.start("127.0.0.1:0".parse().unwrap()))
            .expect("fake API starts");
        Fake { handle, rt }
    }

    /// Idempotency keys whose request was carried out.
    pub fn completed_keys(&self) -> Vec<String> {
        self.handle.completed_keys()
    }

    /// Base URL.
    pub fn url(&self) -> String {
        self.handle.url()
    }

    /// Live sources, in creation order.
    pub fn sources(&self) -> Vec<StoredSource> {
        self.handle.sources()
    }

    /// The request log.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.handle.requests()
    }

    /// Injects a fault.
    pub fn fail_next(&self, rule: FaultRule) {
        self.handle.fail_next(rule);
    }

    /// Renames a source out of band.
    pub fn rename(&self, id: &str, name: &str) {
        assert!(self.handle.edit(id, &serde_json::json!({ "name": name })));
    }

    /// Deletes a source out of band.
    pub fn remove(&self, id: &str) {
        assert!(self.handle.remove(id));
    }

    /// Creates a source out of band (as in the dashboard); returns its id.
    pub fn create_out_of_band(&self, log_type: &str, name: &str, sources: &[&str]) -> String {
        self.handle.insert(log_type, name, sources)
    }

    /// Moves the fake's clock on by ten minutes: what a test does between commands, so a
    /// replay is told by `createdAt` as it would be once a person has run them, and key
    /// windows shorter than that pass.
    pub fn later(&self) {
        self.handle.advance_clock(Duration::from_secs(600));
    }

    /// The underlying handle.
    pub fn handle(&self) -> &FakeHandle {
        &self.handle
    }

    /// The runtime the fake runs on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }
}
