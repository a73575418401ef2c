//! examples/testing, run with the commands docs/guides/testing-modules.md gives a module
//! author, as written: its first `sigsentry-mock` command (a free port, no admin routes),
//! then examples/testing/run-tests.sh, the guide's fault example (admin routes on for the
//! fault, the provider pointed at the fake, `terraform test` with Terraform 1.6 or later,
//! the request log).

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::mock::MockProcess;
use support::terraform::{require_terraform, terraform_bin, Workspace};

/// The key sigsentry-mock accepts when given none, as the guide uses it.
const DEMO_KEY: &str = "ss_secret_demo_key";
const BASE: &str = "/v1/config/log-sources";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("examples/testing")
}

/// GET `url` (with the demo key on API paths): status and JSON body.
fn get(url: &str) -> (u16, Value) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .get(url)
            .bearer_auth(DEMO_KEY)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    })
}

#[test]
fn the_guides_first_command_serves_the_seeds_on_a_free_port_without_admin_routes() {
    let guide = std::fs::read_to_string(root().join("docs/guides/testing-modules.md")).unwrap();
    let line = guide
        .lines()
        .find(|l| l.starts_with("sigsentry-mock "))
        .expect("the guide starts sigsentry-mock");
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    assert!(
        args.contains(&"127.0.0.1:0") && !args.contains(&"--admin"),
        "the first example: {line}"
    );
    // The script of the fault section starts it the same way, admin routes added.
    let script = std::fs::read_to_string(example().join("run-tests.sh")).unwrap();
    assert!(script.contains(&format!("{line} --admin ")), "{script}");

    let mock = MockProcess::start_in(&example(), &args);
    let port = mock.url.strip_prefix("http://127.0.0.1:").unwrap();
    assert_ne!(port.parse::<u16>().unwrap(), 0);

    let (status, body) = get(&format!("{}{BASE}", mock.url));
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["checkout-loki", "legacy-cloudwatch"]);
    let (status, _) = get(&format!("{}/_fake/sources", mock.url));
    assert_eq!(status, 404, "admin routes are off unless asked for");
}

#[test]
fn terraform_test_passes_on_the_example_module_run_as_the_guide_runs_it() {
    if !require_terraform(1, 6) {
        return;
    }
    // The script sets SIGSENTRY_API_URL and SIGSENTRY_API_KEY itself.
    let ws = Workspace::new("", "");
    for entry in std::fs::read_dir(example()).unwrap().flatten() {
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), ws.path().join(entry.file_name())).unwrap();
        }
    }
    // sigsentry-mock and terraform on PATH, as the script expects them.
    let bin = ws.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(support::mock::bin(), bin.join("sigsentry-mock")).unwrap();
    std::os::unix::fs::symlink(terraform_bin().unwrap(), bin.join("terraform")).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();

    let out = ws
        .program("./run-tests.sh")
        .env("PATH", path)
        .env("TF_CLI_ARGS_test", "-no-color")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "run-tests.sh failed:\n{all}");
    for line in [
        "run \"creates_the_team_log_source\"... pass",
        "run \"refuses_a_name_taken_in_the_project\"... pass",
        "run \"refuses_a_team_name_that_is_no_name\"... pass",
        "3 passed, 0 failed",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{all}");
    }

    // The request log it prints last: the creates met the fault and the provider retried
    // through it, and terraform test destroyed what it created.
    let log: Value = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('['))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or_else(|| panic!("no request log:\n{all}"));
    let requests = log.as_array().unwrap();
    let status = |r: &Value| r["status"].as_u64().unwrap();
    let creates: Vec<u64> = requests
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == BASE)
        .map(status)
        .collect();
    assert_eq!(creates, [503, 503, 201]);
    let deletes: Vec<u64> = requests
        .iter()
        .filter(|r| r["method"] == "DELETE")
        .map(status)
        .collect();
    assert_eq!(deletes, [204]);
}
