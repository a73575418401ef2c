//! Mistakes caught at plan time, with the real CLI: a missing API key, a create that would
//! duplicate a source made in the dashboard, and new write-only credentials that would not
//! be sent because their version did not change.

mod support;

use support::setup;
use support::terraform::require_terraform;

const SPLUNK: &str = r#"
resource "sigsentry_log_source" "s" {
  type        = "splunk"
  name        = "prod-splunk"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main"]
}
"#;

#[test]
fn a_missing_api_key_fails_the_plan_saying_where_a_key_comes_from() {
    let Some((fake, mut ws)) = setup() else {
        return;
    };
    ws.set_env("SIGSENTRY_API_KEY", "");
    ws.config(&format!("provider \"sigsentry\" {{}}\n{SPLUNK}"));
    // validate stays offline and needs no key.
    ws.run(&["validate", "-no-color"]).ok();
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{}", plan.all());
    let all = plan.all();
    for needed in [
        "No SigSentry API key",
        "api_key",
        "SIGSENTRY_API_KEY",
        "config:write",
    ] {
        assert!(all.contains(needed), "missing {needed:?} in:\n{all}");
    }
    assert_eq!(all.matches("Error: ").count(), 1, "{all}");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[test]
fn a_key_known_only_after_apply_still_plans() {
    if !require_terraform(1, 4) {
        return;
    }
    let Some((_fake, mut ws)) = setup() else {
        return;
    };
    ws.set_env("SIGSENTRY_API_KEY", "");
    ws.config(&format!(
        "resource \"terraform_data\" \"key\" {{\n  input = \"{}\"\n}}\n\nprovider \"sigsentry\" {{\n  api_key = terraform_data.key.output\n}}\n{SPLUNK}",
        support::fake::KEY
    ));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
}

#[test]
fn a_create_duplicating_a_dashboard_source_warns_with_its_import_block() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    let id = fake.create_out_of_band("splunk", "prod-splunk", &["main"]);
    fake.create_out_of_band("splunk", "another-name", &["main"]);
    ws.config(SPLUNK);
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let all = plan.all();
    assert!(all.contains("already exists"), "{all}");
    assert!(all.contains(&format!("id = \"{id}\"")), "{all}");
    assert!(all.contains("to = sigsentry_log_source."), "{all}");
    assert!(
        all.contains(&format!(
            "terraform import sigsentry_log_source.ADDRESS {id}"
        )),
        "{all}"
    );
    // One listing served the advice (besides the one-source read that checks the
    // project); nothing was created.
    let lists = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/config/log-sources")
        .filter(|r| r.query != "limit=1")
        .count();
    assert_eq!(lists, 1);
    assert_eq!(fake.sources().len(), 2);

    // A plan with updates only lists nothing.
    ws.apply(&[]);
    ws.config(&SPLUNK.replace("\"main\"", "\"main\", \"audit\""));
    fake.handle().clear_log();
    let update = ws.plan();
    assert_eq!(update.code, 2, "{}", update.all());
    assert!(!update.all().contains("already exists"), "{}", update.all());
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.path != "/v1/config/log-sources"),
        "{:?}",
        fake.requests()
    );
}

#[test]
fn write_only_credentials_under_new_keys_without_a_version_bump_warn_until_bumped() {
    if !require_terraform(1, 11) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    let config = |credentials: &str, version: &str| {
        format!(
            r#"
resource "sigsentry_log_source" "es" {{
  type                   = "elastic"
  name                   = "elastic-prod"
  credentials_wo         = {{ host = "https://es.example.com", {credentials} }}
  credentials_wo_version = "{version}"
  sources                = ["logs-*"]
}}
"#
        )
    };
    ws.config(&config(
        r#"username = "ops", password = "WO-SECRET-ONE""#,
        "1",
    ));
    ws.apply(&[]);
    ws.assert_no_changes();

    // From a password to an API key without a new version: the apply would send nothing.
    ws.config(&config(r#"apiKey = "WO-SECRET-TWO""#, "1"));
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(plan.all().contains("will not be sent"), "{}", plan.all());
    assert!(
        plan.all().contains("credentials_wo_version"),
        "{}",
        plan.all()
    );

    ws.config(&config(r#"apiKey = "WO-SECRET-TWO""#, "2"));
    let apply = ws.apply(&[]);
    assert!(!apply.all().contains("will not be sent"), "{}", apply.all());
    assert_eq!(
        fake.sources()[0]
            .credentials
            .get("apiKey")
            .map(String::as_str),
        Some("WO-SECRET-TWO")
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(!plan.all().contains("will not be sent"), "{}", plan.all());

    // A new value under the same keys cannot be seen: nothing derived from a value is
    // kept, so no guess can be tested against the state.
    ws.config(&config(r#"apiKey = "WO-SECRET-THREE""#, "2"));
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(!plan.all().contains("will not be sent"), "{}", plan.all());
    let state = ws.state_file();
    for secret in ["WO-SECRET-ONE", "WO-SECRET-TWO", "ops"] {
        assert!(!state.contains(secret), "{secret} is in the state");
    }
}
