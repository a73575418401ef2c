//! Data sources and `verify`, with the real terraform CLI against the fake API.

mod support;

use support::setup;

#[test]
fn lookup_by_id_and_by_name() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    let id = fake.create_out_of_band("loki", "loki-prod", &["{app=\"a\"}", "{app=\"b\"}"]);
    fake.create_out_of_band("splunk", "other", &["main"]);
    ws.config(&format!(
        r#"
data "sigsentry_log_source" "by_id" {{
  id = "{id}"
}}

data "sigsentry_log_source" "by_name" {{
  name = "loki-prod"
}}

output "by_id_name" {{
  value = data.sigsentry_log_source.by_id.name
}}

output "by_name_id" {{
  value = data.sigsentry_log_source.by_name.id
}}

output "by_name_sources" {{
  value = sort(tolist(data.sigsentry_log_source.by_name.sources))
}}
"#
    ));
    ws.apply(&[]);
    let out = ws.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["by_id_name"]["value"], "loki-prod");
    assert_eq!(v["by_name_id"]["value"], id.as_str());
    assert_eq!(
        v["by_name_sources"]["value"],
        serde_json::json!(["{app=\"a\"}", "{app=\"b\"}"])
    );
}

#[test]
fn lookup_errors_name_the_problem_and_the_candidates() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    let a = fake.create_out_of_band("splunk", "dup", &["main"]);
    let b = fake.create_out_of_band("splunk", "dup", &["main"]);
    ws.config("data \"sigsentry_log_source\" \"x\" {\n  name = \"nope\"\n}\n");
    let run = ws.plan();
    assert_eq!(run.code, 1);
    assert!(
        run.all().contains("No log source named \"nope\""),
        "{}",
        run.all()
    );

    ws.config("data \"sigsentry_log_source\" \"x\" {\n  name = \"dup\"\n}\n");
    let run = ws.plan();
    assert_eq!(run.code, 1);
    let all = run.all();
    assert!(all.contains("2 log sources are named \"dup\""), "{all}");
    assert!(all.contains(&a) && all.contains(&b), "{all}");

    ws.config("data \"sigsentry_log_source\" \"x\" {\n  id = \"ls_missing\"\n}\n");
    let run = ws.plan();
    assert_eq!(run.code, 1);
    assert!(
        run.all().contains("No log source with id \"ls_missing\""),
        "{}",
        run.all()
    );
}

#[test]
fn listing_follows_pages_and_filters() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    // The provider asks for 100 per page: 250 splunk sources span three pages.
    for i in 0..250 {
        fake.create_out_of_band("splunk", &format!("splunk-{i:03}"), &["main"]);
    }
    for i in 0..5 {
        fake.create_out_of_band("loki", &format!("loki-{i}"), &["{a=\"b\"}"]);
    }
    ws.config(
        r#"
data "sigsentry_log_sources" "splunk" {
  type = "splunk"
}

data "sigsentry_log_sources" "prod" {
  name_regex = "^splunk-00[0-9]$"
}

output "splunk_count" {
  value = length(data.sigsentry_log_sources.splunk.ids)
}

output "prod_names" {
  value = [for s in data.sigsentry_log_sources.prod.log_sources : s.name]
}
"#,
    );
    ws.apply(&[]);
    let out = ws.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["splunk_count"]["value"], 250);
    assert_eq!(v["prod_names"]["value"].as_array().unwrap().len(), 10);
    let pages = fake
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path == "/v1/config/log-sources"
                && r.query.contains("type=splunk")
        })
        .count();
    assert!(pages >= 3, "expected at least 3 pages, saw {pages}");
}

#[test]
fn verify_fails_on_rejected_credentials_and_keeps_the_source_in_state() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(
        r#"
resource "sigsentry_log_source" "v" {
  type        = "datadog"
  name        = "dd"
  credentials = { apiKey = "invalid-key", appKey = "app" }
  sources     = ["service:a"]
  verify      = true
}
"#,
    );
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    let all = run.all();
    assert!(all.contains("verification failed"), "{all}");
    assert!(all.contains("AUTH_FAILED"), "{all}");
    assert!(!all.contains("invalid-key"), "the credential leaked: {all}");
    let sources = fake.sources();
    assert_eq!(sources.len(), 1, "the source must exist once");
    let state = ws.state_file();
    assert!(
        state.contains(&sources[0].id),
        "the created source is not in state"
    );
    assert!(
        state.contains("tainted"),
        "a failed create is recorded tainted"
    );
}

#[test]
fn verify_passes_silently() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(
        r#"
resource "sigsentry_log_source" "v" {
  type        = "datadog"
  name        = "dd"
  credentials = { apiKey = "good", appKey = "app" }
  sources     = ["service:a"]
  verify      = true
}
"#,
    );
    let run = ws.apply(&[]);
    let all = run.all();
    // The only warning allowed is Terraform's own about dev_overrides.
    assert_eq!(
        all.matches("Warning:").count(),
        all.matches("Warning: Provider development overrides")
            .count(),
        "{all}"
    );
    assert!(!all.contains("Error"), "{all}");
    assert_eq!(fake.sources().len(), 1);
    assert!(fake.requests().iter().any(|r| r.path.ends_with("/test")));
    ws.assert_no_changes();
}
