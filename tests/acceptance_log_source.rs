//! Acceptance tests of `sigsentry_log_source`: the real terraform CLI drives the provider
//! binary (through dev_overrides) against the bundled fake SigSentry API on 127.0.0.1.

mod support;

use support::setup;

use support::fake::Fault;
use support::terraform::require_terraform;

const CLOUDWATCH: &str = r#"
resource "sigsentry_log_source" "cw" {
  type = "cloudwatch"
  name = "prod-cloudwatch"
  credentials = {
    accessKeyId     = "AKIAIOSFODNN7EXAMPLE"
    secretAccessKey = "wJalrXUtnFEMI-SECRET-VALUE-1"
  }
  sources = ["/aws/lambda/checkout-api", "/aws/lambda/billing-worker"]
}
"#;

#[test]
fn create_then_second_plan_is_empty() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    let s = &sources[0];
    assert_eq!(s.name, "prod-cloudwatch");
    assert_eq!(s.log_type, "cloudwatch");
    assert_eq!(
        s.credentials.get("secretAccessKey").map(String::as_str),
        Some("wJalrXUtnFEMI-SECRET-VALUE-1")
    );
    let state = ws.resource("sigsentry_log_source.cw");
    assert_eq!(state["id"], s.id.as_str());
    assert_eq!(state["is_active"], true);
    assert!(state["tenant_id"].as_str().is_some_and(|t| !t.is_empty()));
    ws.assert_no_changes();
}

#[test]
fn each_source_costs_terraform_as_little_state_as_it_can() {
    let Some((_fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    // Terraform copies and re-encodes every instance's private data and sensitive paths on
    // each state save, so a new source carries no private data and no sensitive path but
    // that of `credentials`.
    // Terraform 1.0.3 records only the paths of values marked sensitive in configuration, so
    // there the list is empty.
    let fresh = ws.first_instance_in_state_file();
    assert!(fresh.get("private").is_none(), "{fresh}");
    let only_credentials = serde_json::json!([{"type": "get_attr", "value": "credentials"}]);
    let paths = fresh["sensitive_attributes"].as_array().cloned();
    assert!(
        paths.is_some_and(|p| p.iter().all(|path| *path == only_credentials)),
        "{fresh}"
    );
    // The first update starts the generation counter that keys later updates.
    ws.config(&CLOUDWATCH.replace("prod-cloudwatch", "prod-cw-2"));
    ws.apply(&[]);
    let updated = ws.first_instance_in_state_file();
    assert!(updated["private"].as_str().is_some(), "{updated}");
    ws.assert_no_changes();
}

#[test]
fn repeating_an_earlier_change_is_applied_not_replayed() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    // A to B, back to A, and to B again, all within the API's idempotency window: the third
    // PATCH has the first one's body, and must still change the source.
    for name in ["prod-cw-b", "prod-cloudwatch", "prod-cw-b"] {
        ws.config(&CLOUDWATCH.replace("prod-cloudwatch", name));
        ws.apply(&[]);
        assert_eq!(fake.sources()[0].name, name);
    }
    ws.assert_no_changes();
}

#[test]
fn order_of_sources_never_makes_a_diff() {
    let Some((_fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    ws.config(&CLOUDWATCH.replace(
        r#"["/aws/lambda/checkout-api", "/aws/lambda/billing-worker"]"#,
        r#"["/aws/lambda/billing-worker", "/aws/lambda/checkout-api"]"#,
    ));
    ws.assert_no_changes();
}

#[test]
fn name_sources_and_credentials_update_in_place() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    let id = fake.sources()[0].id.clone();
    ws.config(
        &CLOUDWATCH
            .replace("prod-cloudwatch", "prod-cw-renamed")
            .replace("SECRET-VALUE-1", "SECRET-VALUE-2")
            .replace(
                r#", "/aws/lambda/billing-worker""#,
                r#", "/aws/lambda/new-one""#,
            ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply(&[]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].id, id);
    assert_eq!(sources[0].name, "prod-cw-renamed");
    let mut got = sources[0].sources.clone();
    got.sort();
    assert_eq!(got, vec!["/aws/lambda/checkout-api", "/aws/lambda/new-one"]);
    assert_eq!(
        sources[0]
            .credentials
            .get("secretAccessKey")
            .map(String::as_str),
        Some("wJalrXUtnFEMI-SECRET-VALUE-2")
    );
    ws.assert_no_changes();
}

#[test]
fn type_change_replaces() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    let old = fake.sources()[0].id.clone();
    ws.config(
        r#"
resource "sigsentry_log_source" "cw" {
  type        = "datadog"
  name        = "prod-cloudwatch"
  credentials = { apiKey = "dd-api", appKey = "dd-app" }
  sources     = ["service:checkout-api"]
}
"#,
    );
    let plan = ws.plan();
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.all());
    ws.apply(&[]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    assert_ne!(sources[0].id, old);
    assert_eq!(sources[0].log_type, "datadog");
    ws.assert_no_changes();
}

#[test]
fn out_of_band_rename_is_detected_and_reverted() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    let id = fake.sources()[0].id.clone();
    fake.rename(&id, "renamed-in-dashboard");
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("renamed-in-dashboard"),
        "{}",
        plan.stdout
    );
    ws.apply(&[]);
    assert_eq!(fake.sources()[0].name, "prod-cloudwatch");
    assert_eq!(fake.sources()[0].id, id);
    ws.assert_no_changes();
}

#[test]
fn out_of_band_delete_is_recreated() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.apply(&[]);
    let id = fake.sources()[0].id.clone();
    fake.remove(&id);
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    ws.apply(&[]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    assert_ne!(sources[0].id, id);
    ws.assert_no_changes();
}

#[test]
fn destroy_removes_and_tolerates_already_gone() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&format!(
        "{CLOUDWATCH}\n{}",
        CLOUDWATCH
            .replace("\"cw\"", "\"cw2\"")
            .replace("prod-cloudwatch", "second")
    ));
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 2);
    let first = fake.sources()[0].id.clone();
    fake.remove(&first);
    // -refresh=false so destroy meets the 404 itself.
    ws.run(&["destroy", "-auto-approve", "-no-color", "-refresh=false"])
        .ok();
    assert!(fake.sources().is_empty());
}

#[test]
fn import_by_cli_then_credentials_update_in_place() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    let id = fake.create_out_of_band(
        "cloudwatch",
        "prod-cloudwatch",
        &["/aws/lambda/checkout-api", "/aws/lambda/billing-worker"],
    );
    ws.config(CLOUDWATCH);
    ws.run(&["import", "-no-color", "sigsentry_log_source.cw", &id])
        .ok();
    let state = ws.resource("sigsentry_log_source.cw");
    assert_eq!(state["id"], id.as_str());
    assert_eq!(state["name"], "prod-cloudwatch");
    assert!(state["credentials"].is_null());
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply(&[]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].id, id);
    assert_eq!(
        sources[0]
            .credentials
            .get("secretAccessKey")
            .map(String::as_str),
        Some("wJalrXUtnFEMI-SECRET-VALUE-1")
    );
    ws.assert_no_changes();
}

#[test]
fn import_block_generates_config_without_replacement() {
    if !require_terraform(1, 5) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    let id = fake.create_out_of_band("loki", "loki-staging", &["{app=\"x\"}"]);
    ws.config(&format!(
        "import {{\n  to = sigsentry_log_source.imported\n  id = \"{id}\"\n}}\n"
    ));
    let gen = ws.run(&["plan", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap_or_default();
    assert!(
        generated.contains("loki-staging"),
        "{}\n{generated}",
        gen.all()
    );
    // Terraform cannot know the credentials: the user adds them, as the docs say.
    let fixed = generated.replace(
        "credentials            = null",
        "credentials            = { host = \"https://loki.example.com\" }",
    );
    let fixed = if fixed == generated {
        generated.replace(
            "resource \"sigsentry_log_source\" \"imported\" {",
            "resource \"sigsentry_log_source\" \"imported\" {\n  credentials = { host = \"https://loki.example.com\" }",
        )
    } else {
        fixed
    };
    std::fs::write(ws.path().join("generated.tf"), fixed).unwrap();
    let plan = ws.plan();
    assert!(plan.stdout.contains("1 to import"), "{}", plan.all());
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert!(plan.stdout.contains("0 to add"), "{}", plan.stdout);
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    assert_eq!(fake.sources()[0].id, id);
    ws.assert_no_changes();
}

#[test]
fn api_auth_permission_and_quota_errors_are_clear() {
    let Some((fake, mut ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.set_env("SIGSENTRY_API_KEY", "ss_secret_wrong");
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains("API key rejected"), "{}", run.all());
    assert!(!run.all().contains("ss_secret_wrong"), "{}", run.all());

    ws.set_env("SIGSENTRY_API_KEY", support::fake::READ_ONLY_KEY);
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains("lacks permission"), "{}", run.all());

    ws.set_env("SIGSENTRY_API_KEY", support::fake::KEY);
    fake.fail_next(Fault::status(
        "POST",
        "/v1/config/log-sources",
        1,
        403,
        "QUOTA_EXCEEDED",
    ));
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains("quota"), "{}", run.all());
    assert!(fake.sources().is_empty());
}

#[test]
fn two_503s_then_success_make_one_source_with_one_key() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    fake.fail_next(Fault::status(
        "POST",
        "/v1/config/log-sources",
        2,
        503,
        "UNAVAILABLE",
    ));
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    let posts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/config/log-sources")
        .collect();
    assert_eq!(posts.len(), 3, "{posts:?}");
    let key = posts[0].idempotency_key.clone();
    assert!(key.is_some());
    assert!(posts.iter().all(|p| p.idempotency_key == key), "{posts:?}");
    ws.assert_no_changes();
}

#[test]
fn lost_response_yields_exactly_one_source() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    fake.fail_next(Fault::commit_then_drop("POST", "/v1/config/log-sources"));
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    let state = ws.resource("sigsentry_log_source.cw");
    assert_eq!(state["id"], fake.sources()[0].id.as_str());
    ws.assert_no_changes();
}

#[test]
fn killed_after_commit_then_reapply_adopts_the_first_source() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    // The API commits, then holds the response long enough for us to kill terraform.
    fake.fail_next(Fault::commit_then_delay(
        "POST",
        "/v1/config/log-sources",
        std::time::Duration::from_secs(60),
    ));
    let mut child = ws
        .command(&["apply", "-auto-approve", "-no-color"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while fake.sources().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the create never reached the API"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    support::kill_stray_providers(ws.path());
    assert!(ws.resource("sigsentry_log_source.cw").is_null());
    // As a user re-running after a crash would: wait for a lock left by the dead run.
    ws.apply(&["-lock-timeout=20s"]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1, "a second source was created");
    assert_eq!(
        ws.resource("sigsentry_log_source.cw")["id"],
        sources[0].id.as_str()
    );
    ws.assert_no_changes();
}

#[test]
fn thirty_sources_under_429s_are_created_once() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(
        r#"
resource "sigsentry_log_source" "many" {
  count       = 30
  type        = "splunk"
  name        = "splunk-${count.index}"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main"]
}
"#,
    );
    fake.fail_next(Fault::rate_limited("POST", "/v1/config/log-sources", 20, 1));
    ws.apply(&["-parallelism=10"]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 30);
    let mut names: Vec<_> = sources.iter().map(|s| s.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 30);
    ws.assert_no_changes();
}

#[test]
fn identical_twins_get_distinct_sources() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(
        r#"
resource "sigsentry_log_source" "twin" {
  count       = 2
  type        = "splunk"
  name        = "same"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main"]
}
"#,
    );
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 2);
}

#[test]
fn write_only_credentials_stay_out_of_state_and_rotate_by_version() {
    if !require_terraform(1, 11) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    let config = |secret: &str, version: &str| {
        format!(
            r#"
resource "sigsentry_log_source" "dd" {{
  type                   = "datadog"
  name                   = "datadog-prod"
  credentials_wo         = {{ apiKey = "dd-api-key", appKey = "{secret}" }}
  credentials_wo_version = "{version}"
  sources                = ["service:checkout"]
}}
"#
        )
    };
    ws.config(&config("WO-SECRET-ONE", "1"));
    // Not marked sensitive in the schema (a mark would cost every instance a sensitive path
    // in state), yet the plan never shows the value: Terraform hides write-only attributes.
    let plan = ws.plan();
    // Matched per line: the padding before `=` follows the longest attribute name shown.
    assert!(
        plan.stdout.lines().any(|l| {
            let l = l.trim_start_matches([' ', '+']);
            l.starts_with("credentials_wo ") && l.ends_with("= (write-only attribute)")
        }),
        "{}",
        plan.stdout
    );
    assert!(!plan.all().contains("WO-SECRET-ONE"), "{}", plan.all());
    ws.apply(&[]);
    assert_eq!(
        fake.sources()[0]
            .credentials
            .get("appKey")
            .map(String::as_str),
        Some("WO-SECRET-ONE")
    );
    assert!(!ws.state_file().contains("WO-SECRET-ONE"));
    assert!(!ws.state_file().contains("dd-api-key"));
    ws.assert_no_changes();
    // A new value alone is invisible to Terraform; bumping the version sends it.
    ws.config(&config("WO-SECRET-TWO", "1"));
    ws.assert_no_changes();
    ws.config(&config("WO-SECRET-TWO", "2"));
    ws.apply(&[]);
    assert_eq!(
        fake.sources()[0]
            .credentials
            .get("appKey")
            .map(String::as_str),
        Some("WO-SECRET-TWO")
    );
    assert!(!ws.state_file().contains("WO-SECRET-TWO"));
    ws.assert_no_changes();
}

/// Every entry of the zip archive at `path` (a saved plan), uncompressed and joined: what
/// the file holds, not its deflated bytes.
fn zip_contents(path: &std::path::Path) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist(): sys.stdout.buffer.write(z.read(n))",
        ])
        .arg(path)
        .output()
        .expect("python3 reads the plan file");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn write_only_credentials_from_an_ephemeral_variable_are_never_written_down() {
    if !require_terraform(1, 11) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(
        r#"
variable "app_key" {
  type      = string
  ephemeral = true
}

resource "sigsentry_log_source" "dd" {
  type                   = "datadog"
  name                   = "datadog-ephemeral"
  credentials_wo         = { apiKey = "dd-api-key", appKey = var.app_key }
  credentials_wo_version = "1"
  sources                = ["service:checkout"]
}
"#,
    );
    let secret = "EPHEMERAL-APP-KEY";
    let var = format!("-var=app_key={secret}");
    let plan = ws.run(&["plan", "-no-color", "-out=tfplan", &var]).ok();
    assert!(!plan.all().contains(secret), "{}", plan.all());
    let saved = zip_contents(&ws.path().join("tfplan"));
    assert!(
        saved.contains("datadog-ephemeral"),
        "not the plan's contents"
    );
    assert!(!saved.contains(secret), "the secret is in the saved plan");
    let shown = ws.run(&["show", "-json", "tfplan"]).ok();
    assert!(!shown.stdout.contains(secret), "{}", shown.stdout);
    // An ephemeral variable is given again when the saved plan is applied.
    let applied = ws.apply(&[&var, "tfplan"]);
    assert!(!applied.all().contains(secret), "{}", applied.all());
    assert_eq!(
        fake.sources()[0]
            .credentials
            .get("appKey")
            .map(String::as_str),
        Some(secret)
    );
    assert!(!ws.state_file().contains(secret));
    assert!(!ws.run(&["show", "-json"]).ok().stdout.contains(secret));
    let again = ws.run(&["plan", "-detailed-exitcode", "-no-color", &var]);
    assert_eq!(again.code, 0, "{}", again.all());
}

#[test]
fn trace_logs_never_contain_secrets_or_the_api_key() {
    let Some((_fake, mut ws)) = setup() else {
        return;
    };
    ws.config(CLOUDWATCH);
    ws.set_env("TF_LOG", "trace");
    let apply = ws.run(&["apply", "-auto-approve", "-no-color"]).ok();
    let update = {
        ws.config(&CLOUDWATCH.replace("SECRET-VALUE-1", "SECRET-VALUE-2"));
        ws.run(&["apply", "-auto-approve", "-no-color"]).ok()
    };
    for run in [apply, update] {
        let all = run.all();
        assert!(
            all.contains("provider.terraform-provider-sigsentry"),
            "no provider logs seen"
        );
        for secret in ["SECRET-VALUE-1", "SECRET-VALUE-2", support::fake::KEY] {
            assert!(!all.contains(secret), "{secret} leaked into the output");
        }
    }
}
