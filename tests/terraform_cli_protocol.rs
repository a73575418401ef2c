//! The real terraform CLI is the judge of protocol work: validate, plan, schema output,
//! provider logs in Terraform's log, and debug (reattach) mode.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::terraform::{require_terraform, Workspace};

const CONFIG: &str = r#"
provider "sigsentry" {
  api_url = "http://127.0.0.1:9"
  api_key = "ss_secret_not_used"
}

resource "sigsentry_log_source" "x" {
  type        = "splunk"
  name        = "splunk"
  credentials = { host = "https://splunk.example.com", token = "t" }
  sources     = ["main"]
}
"#;

#[test]
fn validate_plan_and_schema_json_succeed() {
    if !require_terraform(1, 0) {
        return;
    }
    let ws = Workspace::new("http://127.0.0.1:9", "unused");
    ws.config(CONFIG);
    ws.run(&["validate", "-no-color"]).ok();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("1 to add"), "{}", plan.stdout);
    let schema = ws.run(&["providers", "schema", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&schema.stdout).unwrap();
    let p = &v["provider_schemas"]["registry.terraform.io/sigsentry/sigsentry"];
    let attrs = &p["resource_schemas"]["sigsentry_log_source"]["block"]["attributes"];
    assert_eq!(attrs["credentials"]["sensitive"], true);
    assert_eq!(
        attrs["sources"]["type"],
        serde_json::json!(["set", "string"])
    );
    assert!(p["data_source_schemas"]["sigsentry_log_sources"].is_object());
    assert_eq!(
        p["provider"]["block"]["attributes"]["api_key"]["sensitive"],
        true
    );
}

#[test]
fn provider_logs_show_up_in_terraforms_log() {
    if !require_terraform(1, 0) {
        return;
    }
    let mut ws = Workspace::new("http://127.0.0.1:9", "unused");
    ws.config(CONFIG);
    ws.set_env("TF_LOG", "trace");
    let plan = ws.plan();
    let all = plan.all();
    assert!(
        all.lines()
            .any(|l| l.contains("provider.terraform-provider-sigsentry")
                && l.contains("rpc=PlanResourceChange")),
        "our log lines did not reach Terraform's log"
    );
}

#[test]
fn debug_mode_prints_a_working_reattach_line() {
    if !require_terraform(1, 0) {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-sigsentry"))
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut reattach = None;
    for _ in 0..10 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(v) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(v.trim_end_matches('\'').to_string());
            break;
        }
    }
    let reattach = reattach.expect("a TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let entry = &parsed["registry.terraform.io/sigsentry/sigsentry"];
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 6);
    let mut rest = String::new();
    for _ in 0..4 {
        reader.read_line(&mut rest).unwrap();
    }
    assert!(rest.contains("Anyone who can connect"), "{rest}");
    // No mutual TLS in debug mode: the socket sits in a directory only this user enters.
    assert_eq!(entry["Addr"]["Network"], "unix");
    let socket = std::path::PathBuf::from(entry["Addr"]["String"].as_str().unwrap());
    let dir_mode = std::fs::metadata(socket.parent().unwrap())
        .unwrap()
        .permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&dir_mode) & 0o777,
        0o700
    );
    support::plugin::assert_other_users_cannot_connect(&socket);

    let mut ws = Workspace::new("http://127.0.0.1:9", "unused");
    ws.config(CONFIG);
    ws.set_env("TF_REATTACH_PROVIDERS", &reattach);
    let plan = ws.plan();
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(support::plugin::exits_within(
        &mut child,
        std::time::Duration::from_secs(5)
    ));
    assert_eq!(plan.code, 2, "{}", plan.all());
}

#[test]
fn an_in_process_provider_serves_terraform_through_reattach() {
    if !require_terraform(1, 0) {
        return;
    }
    use sigsentry_provider::framework::ProviderAdapter;
    use sigsentry_provider::provider::{SigSentryProvider, PROVIDER_ADDRESS};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let served = rt
        .block_on(sigsentry_provider::tfplugin::server::serve_in_process(
            ProviderAdapter::new(SigSentryProvider::new()).unwrap(),
            PROVIDER_ADDRESS,
        ))
        .unwrap();
    let mut ws = Workspace::new("http://127.0.0.1:9", "unused");
    ws.config(CONFIG);
    ws.set_env("TF_REATTACH_PROVIDERS", &served.reattach);
    let plan = ws.plan();
    rt.block_on(served.stop()).unwrap();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("1 to add"), "{}", plan.stdout);
}
