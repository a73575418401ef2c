//! The Terraform 1.12+ features with the real CLI: `terraform query
//! -generate-config-out`, import by identity, and the test action with `-invoke` and
//! `action_trigger`. No CLI that new runs on the machines this project is built on, so
//! each test checks `terraform version` and prints why it skips; they run wherever
//! SIGSENTRY_TERRAFORM names Terraform 1.12 (identity) or 1.14 (query, actions) or newer.
//! tests/protocol_terraform_1_12_to_1_16.rs drives the same RPCs as core does, everywhere.

mod support;

use support::setup;
use support::terraform::require_terraform;

const PROVIDER: &str = "provider \"sigsentry\" {}\n";

#[test]
fn query_generates_import_blocks_by_identity_that_plan_as_imports() {
    if !require_terraform(1, 14, "query_generates_import_blocks_by_identity") {
        return;
    }
    let Some((fake, ws)) = setup("query_generates_import_blocks_by_identity") else {
        return;
    };
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(fake.create_out_of_band("loki", &format!("dash-loki-{i}"), &["{app=\"x\"}"]));
    }
    fake.create_out_of_band("splunk", "dash-splunk", &["main"]);
    ws.config(PROVIDER);
    std::fs::write(
        ws.path().join("sources.tfquery.hcl"),
        "list \"sigsentry_log_source\" \"loki\" {\n  provider = sigsentry\n  config {\n    type = \"loki\"\n  }\n}\n",
    )
    .unwrap();
    let q = ws
        .run(&["query", "-no-color", "-generate-config-out=generated.tf"])
        .ok();
    for id in &ids {
        assert!(q.stdout.contains(id.as_str()), "{}", q.all());
    }
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("import {").count(), 3, "{generated}");
    assert_eq!(generated.matches("identity").count(), 3, "{generated}");
    assert!(
        generated.contains("type = \"loki\"") || generated.contains("type        = \"loki\""),
        "{generated}"
    );
    assert!(!generated.contains("tenant_id"), "{generated}");
    assert!(!generated.contains("dash-splunk"), "{generated}");
    // The user adds credentials, as the docs say; then the plan imports, creating nothing.
    let fixed = generated
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("credentials ") {
                "  credentials = { host = \"https://loki.example.com\" }".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(ws.path().join("generated.tf"), fixed).unwrap();
    let plan = ws.plan();
    assert!(
        plan.stdout.contains("3 to import, 0 to add"),
        "{}",
        plan.all()
    );
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 4);
    ws.assert_no_changes();
}

#[test]
fn an_import_block_by_identity_adopts_the_source() {
    if !require_terraform(1, 12, "an_import_block_by_identity_adopts_the_source") {
        return;
    }
    let Some((fake, ws)) = setup("an_import_block_by_identity_adopts_the_source") else {
        return;
    };
    let id = fake.create_out_of_band("splunk", "by-identity", &["main"]);
    ws.config(&format!(
        r#"
import {{
  to       = sigsentry_log_source.adopted
  identity = {{ id = "{id}" }}
}}

resource "sigsentry_log_source" "adopted" {{
  type        = "splunk"
  name        = "by-identity"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
    ));
    let plan = ws.plan();
    assert!(plan.stdout.contains("1 to import"), "{}", plan.all());
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    let instance = ws.first_instance_in_state_file();
    assert_eq!(instance["identity"]["id"], id.as_str(), "{instance}");
    ws.assert_no_changes();
}

const WITH_ACTION: &str = r#"
resource "sigsentry_log_source" "checked" {
  type        = "splunk"
  name        = "checked"
  credentials = { host = "https://splunk.example.com", token = "TOKEN" }
  sources     = ["main", "audit"]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.sigsentry_log_source_test.check]
    }
  }
}

action "sigsentry_log_source_test" "check" {
  config {
    log_source_id = sigsentry_log_source.checked.id
  }
}
"#;

#[test]
fn the_test_action_runs_after_create_and_with_invoke() {
    if !require_terraform(1, 14, "the_test_action_runs_after_create_and_with_invoke") {
        return;
    }
    let Some((_fake, ws)) = setup("the_test_action_runs_after_create_and_with_invoke") else {
        return;
    };
    ws.config(&WITH_ACTION.replace("TOKEN", "tok-good"));
    let created = ws.apply(&[]);
    assert!(
        created.all().contains("Testing log source"),
        "{}",
        created.all()
    );
    let invoked = ws.apply(&["-invoke=action.sigsentry_log_source_test.check"]);
    assert!(
        invoked.all().contains("sample log line"),
        "{}",
        invoked.all()
    );
    assert!(invoked.all().contains("works"), "{}", invoked.all());
}

#[test]
fn the_test_action_fails_with_the_platform_error() {
    if !require_terraform(1, 14, "the_test_action_fails_with_the_platform_error") {
        return;
    }
    let Some((_fake, ws)) = setup("the_test_action_fails_with_the_platform_error") else {
        return;
    };
    // The fake's platforms reject credentials containing "reject".
    ws.config(&WITH_ACTION.replace("TOKEN", "reject-me"));
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("AUTH_FAILED"), "{}", run.all());
    assert!(!run.all().contains("reject-me"), "{}", run.all());
}
