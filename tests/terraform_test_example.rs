//! examples/testing, as docs/guides/testing-modules.md tells a module author to run it:
//! `sigsentry-mock --seed seed.json`, a fault injected through `POST /_fake/faults`, the
//! provider pointed at the fake with SIGSENTRY_API_URL / SIGSENTRY_API_KEY, then
//! `terraform test` (Terraform 1.6 or later).

mod support;

use serde_json::{json, Value};
use std::path::Path;
use support::mock::MockProcess;
use support::terraform::{require_terraform, Workspace};

/// The key sigsentry-mock accepts when given none, as the guide uses it.
const DEMO_KEY: &str = "ss_secret_demo_key";

/// The mock binary, started as the guide starts it; killed when dropped.
struct Mock(MockProcess);

impl Mock {
    fn start(seed: &Path) -> Mock {
        Mock(MockProcess::start([
            "--seed".as_ref(),
            seed.as_os_str(),
            "--admin".as_ref(),
        ]))
    }

    fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut req = reqwest::Client::new()
                .request(method.parse().unwrap(), format!("{}{path}", self.0.url));
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.unwrap();
            assert!(
                resp.status().is_success(),
                "{method} {path}: {}",
                resp.status()
            );
            resp.json().await.unwrap()
        })
    }
}

#[test]
fn terraform_test_passes_on_the_example_module_against_the_seeded_fake() {
    if !require_terraform(
        1,
        6,
        "terraform_test_passes_on_the_example_module_against_the_seeded_fake",
    ) {
        return;
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/testing");
    let mock = Mock::start(&example.join("seed.json"));
    let seeded: Vec<Value> = mock
        .admin("GET", "/_fake/sources", None)
        .as_array()
        .cloned()
        .unwrap();
    let seeded_names: Vec<&str> = seeded.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(seeded_names, ["checkout-loki", "legacy-cloudwatch"]);

    // The guide's fault: the next two creates answered 503.
    mock.admin(
        "POST",
        "/_fake/faults",
        Some(json!({
            "method": "POST", "path_prefix": "/v1/config/log-sources", "count": 2,
            "action": {"kind": "status", "status": 503, "code": "SERVICE_UNAVAILABLE"}
        })),
    );

    let ws = Workspace::new(&mock.0.url, DEMO_KEY);
    for entry in std::fs::read_dir(&example).unwrap().flatten() {
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), ws.path().join(entry.file_name())).unwrap();
        }
    }
    let run = ws.run(&["test", "-no-color"]);
    assert_eq!(run.code, 0, "terraform test failed:\n{}", run.all());
    for line in [
        "run \"creates_the_team_log_source\"... pass",
        "run \"refuses_a_name_taken_in_the_project\"... pass",
        "run \"refuses_a_team_name_that_is_no_name\"... pass",
        "3 passed, 0 failed",
    ] {
        assert!(
            run.stdout.contains(line),
            "{line:?} missing:\n{}",
            run.all()
        );
    }

    // The creates met the fault and the provider retried through it.
    let requests = mock.admin("GET", "/_fake/requests", None);
    let creates: Vec<u64> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/v1/config/log-sources")
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(creates, [503, 503, 201]);

    // terraform test destroyed what it created: only the seeds are left.
    let left: Vec<Value> = mock
        .admin("GET", "/_fake/sources", None)
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(left, seeded);
}
