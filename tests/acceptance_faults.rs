//! API faults and interrupts, with the real terraform CLI: after each, the fake API holds
//! exactly the intended sources and the state matches it (no orphan, no duplicate).

mod support;

use support::setup;

use sigsentry_mock::FaultAction;
use std::time::{Duration, Instant};
use support::fake::{Fake, Fault};
use support::terraform::{require_terraform, Workspace};

const PATH: &str = "/v1/config/log-sources";

fn splunk(count: usize, prefix: &str) -> String {
    format!(
        r#"
resource "sigsentry_log_source" "s" {{
  count       = {count}
  type        = "splunk"
  name        = "{prefix}-${{count.index}}"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
    )
}

/// The fake holds exactly the sources in state, with distinct ids and `n` of them.
fn assert_converged(fake: &Fake, ws: &Workspace, n: usize) {
    let live: std::collections::BTreeSet<String> =
        fake.sources().into_iter().map(|s| s.id).collect();
    assert_eq!(live.len(), n, "sources in the API");
    let state = ws.state();
    let in_state: std::collections::BTreeSet<String> = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| r["type"] == "sigsentry_log_source")
        .map(|r| r["values"]["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(in_state, live, "state and API disagree");
}

#[test]
fn connection_refused_fails_clearly_and_quickly() {
    if !require_terraform(1, 0) {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut ws = Workspace::new(&format!("http://127.0.0.1:{port}"), "ss_secret_k");
    ws.set_env("SIGSENTRY_MAX_RETRIES", "1");
    ws.config(&splunk(1, "refused"));
    let started = Instant::now();
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains("could not connect"), "{}", run.all());
    assert!(run.all().contains("127.0.0.1"), "{}", run.all());
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn hanging_api_times_out_in_bounded_time() {
    let Some((fake, mut ws)) = setup() else {
        return;
    };
    ws.set_env("SIGSENTRY_TIMEOUT_SECONDS", "1");
    ws.set_env("SIGSENTRY_MAX_RETRIES", "1");
    ws.config(&splunk(1, "hang"));
    fake.fail_next(Fault::with_method(
        "POST",
        PATH,
        5,
        FaultAction::Delay { ms: 30_000 },
    ));
    let started = Instant::now();
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains("timed out"), "{}", run.all());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(fake.sources().is_empty());
}

#[test]
fn proxy_html_502_truncated_json_and_500_after_commit_end_with_one_source_each() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&splunk(1, "a"));
    fake.fail_next(Fault::with_method("POST", PATH, 2, FaultAction::Html502));
    ws.apply(&[]);
    assert_converged(&fake, &ws, 1);

    ws.config(&splunk(2, "a"));
    fake.fail_next(Fault::with_method(
        "POST",
        PATH,
        1,
        FaultAction::CommitThenTruncated,
    ));
    ws.apply(&[]);
    assert_converged(&fake, &ws, 2);

    ws.config(&splunk(3, "a"));
    fake.fail_next(Fault::with_method(
        "POST",
        PATH,
        1,
        FaultAction::CommitThen500,
    ));
    ws.apply(&[]);
    assert_converged(&fake, &ws, 3);
    ws.assert_no_changes();
}

#[test]
fn rate_limit_storm_at_parallelism_20_over_200_sources() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&splunk(200, "storm"));
    fake.fail_next(Fault::rate_limited("POST", PATH, 60, 1));
    ws.apply(&["-parallelism=20"]);
    assert_converged(&fake, &ws, 200);
    let throttled = fake.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(throttled, 60);
}

#[test]
fn replay_naming_a_deleted_source_creates_again() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&splunk(1, "again"));
    ws.apply(&[]);
    let first = fake.sources()[0].id.clone();
    ws.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(fake.sources().is_empty());
    // Same configuration, same derived key: the API replays the deleted source.
    ws.apply(&[]);
    let replays = fake.requests().iter().filter(|r| r.replayed).count();
    assert!(
        replays >= 1,
        "the API should have replayed the first create"
    );
    assert_converged(&fake, &ws, 1);
    assert_ne!(fake.sources()[0].id, first);
    ws.assert_no_changes();
}

#[test]
fn ctrl_c_during_apply_loses_nothing_and_the_next_apply_converges() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&splunk(50, "intr"));
    // Slow creates, so the interrupt lands mid-apply.
    fake.fail_next(Fault::with_method(
        "POST",
        PATH,
        50,
        FaultAction::Delay { ms: 300 },
    ));
    let child = ws
        .command(&["apply", "-auto-approve", "-no-color", "-parallelism=5"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.sources().len() < 5 {
        assert!(Instant::now() < deadline, "creates never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("Interrupt received") || text.contains("interrupt"),
        "{text}"
    );
    let created = fake.sources().len();
    assert!(created < 50, "the interrupt came too late to test anything");
    let in_state = ws.state()["values"]["root_module"]["resources"]
        .as_array()
        .map(|a| a.len())
        .unwrap_or(0);
    // Every source Terraform saw complete is in state; the rest are adopted next time.
    assert!(in_state <= created, "state has {in_state}, API {created}");
    ws.apply(&[]);
    assert_converged(&fake, &ws, 50);
    ws.assert_no_changes();
}
