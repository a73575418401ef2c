//! The Terraform 1.12+ features with the real CLI: import by identity, `terraform query`
//! and `-generate-config-out`, and the test action with `action_trigger` and `-invoke`.
//! Each test checks `terraform version` and prints why it skips on an older CLI;
//! scripts/test.sh runs them all in its Terraform 1.15.5 pass, where a skip is a failure
//! (SIGSENTRY_REQUIRE_NEWER_TERRAFORM=1). tests/protocol_terraform_1_12_to_1_16.rs drives
//! the same RPCs as core does, with any CLI or none.

mod support;

use sigsentry_mock::{ApiKey, FakeApi, KeyScope, SeedSource};
use std::collections::BTreeSet;
use support::fake::{Fake, KEY};
use support::hcl::{self, Block, Expr};
use support::setup;
use support::terraform::{require_terraform, Workspace};

const PROVIDER: &str = "provider \"sigsentry\" {}\n";

/// A `list` block for `terraform query` over the project's sources of `log_type`.
fn list_block(log_type: &str, limit: Option<u32>) -> String {
    let limit = limit.map_or(String::new(), |n| format!("  limit    = {n}\n"));
    format!(
        "list \"sigsentry_log_source\" \"found\" {{\n  provider = sigsentry\n{limit}  config {{\n    type = \"{log_type}\"\n  }}\n}}\n"
    )
}

/// Runs `terraform query -generate-config-out=generated.tf` and returns the file's text,
/// which `terraform fmt -check` must accept as it is.
fn query_and_generate(ws: &Workspace) -> (support::terraform::Run, String) {
    let q = ws
        .run(&["query", "-no-color", "-generate-config-out=generated.tf"])
        .ok();
    let text = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    let fmt = ws.run(&["fmt", "-check", "-diff", "-no-color", "generated.tf"]);
    assert_eq!(fmt.code, 0, "not formatted:\n{}\n{text}", fmt.all());
    (q, text)
}

/// The generated resource blocks and import blocks, checked to pair up one to one.
fn resources_and_imports(text: &str) -> (Vec<Block>, Vec<Block>) {
    let (resources, imports): (Vec<Block>, Vec<Block>) = hcl::blocks(text)
        .into_iter()
        .partition(|b| b.kind == "resource");
    assert!(imports.iter().all(|b| b.kind == "import"), "{text}");
    assert!(
        resources
            .iter()
            .all(|b| b.labels.first().map(String::as_str) == Some("sigsentry_log_source")),
        "{text}"
    );
    let addresses: BTreeSet<String> = resources
        .iter()
        .map(|r| format!("sigsentry_log_source.{}", r.labels[1]))
        .collect();
    let targets: BTreeSet<String> = imports
        .iter()
        .map(|i| match i.get("to") {
            Some(Expr::Ref(to)) => to.clone(),
            other => panic!("import without a `to`: {other:?}\n{text}"),
        })
        .collect();
    assert_eq!(addresses, targets, "{text}");
    assert_eq!(addresses.len(), resources.len(), "{text}");
    (resources, imports)
}

/// The id each import block's identity names.
fn identity_ids(imports: &[Block]) -> BTreeSet<String> {
    imports
        .iter()
        .map(|i| {
            assert!(i.get("id").is_none(), "an import by id, not identity");
            let identity = i.get("identity").expect("an identity");
            identity.get("id").and_then(Expr::as_str).unwrap().into()
        })
        .collect()
}

/// `text` with every generated resource's `credentials` set to `value`, as a user adds them
/// (the file never carries credentials), then run through `terraform fmt` as an editor would.
fn add_credentials(ws: &Workspace, file: &str, value: &str) {
    let path = ws.path().join(file);
    let mut text = std::fs::read_to_string(&path).unwrap();
    let (resources, _) = resources_and_imports(&text);
    let mut attrs: Vec<_> = resources
        .iter()
        .map(|r| r.attributes["credentials"].clone())
        .collect();
    // From the bottom up, so earlier line numbers stay right.
    attrs.sort_by_key(|a| std::cmp::Reverse(a.lines.start));
    for a in attrs {
        text = hcl::replace_attribute(&text, &a, "credentials", value);
    }
    std::fs::write(&path, text).unwrap();
    ws.run(&["fmt", file]).ok();
}

#[test]
fn the_hcl_reader_reads_structure_not_layout() {
    let text = "# __generated__\nresource \"t\" \"a\" {\n  provider    = p\n  credentials = null # sensitive\n  type        = \"loki\"\n  sources     = [\"{app=\\\"x\\\"}\", \"b\"]\n}\n\nimport {\n  to = t.a\n  identity = {\n    id         = \"ls_1\"\n    project_id = null\n  }\n}\n";
    let b = hcl::blocks(text);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].labels, ["t", "a"]);
    assert_eq!(b[0].get("type"), Some(&Expr::Str("loki".into())));
    assert_eq!(b[0].get("credentials"), Some(&Expr::Null));
    assert_eq!(
        b[0].get("sources"),
        Some(&Expr::List(vec![
            Expr::Str("{app=\"x\"}".into()),
            Expr::Str("b".into())
        ]))
    );
    assert_eq!(b[1].get("to"), Some(&Expr::Ref("t.a".into())));
    let identity = b[1].get("identity").unwrap();
    assert_eq!(identity.get("id").and_then(Expr::as_str), Some("ls_1"));
    assert_eq!(b[1].attributes["identity"].lines, 10..14);
    let fixed = hcl::replace_attribute(text, &b[0].attributes["credentials"], "credentials", "{}");
    assert_eq!(
        hcl::blocks(&fixed)[0].get("credentials"),
        Some(&Expr::Object(Default::default()))
    );
}

#[test]
fn query_generates_import_blocks_by_identity_that_plan_as_imports() {
    if !require_terraform(1, 14) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    let ids: BTreeSet<String> = (0..3)
        .map(|i| fake.create_out_of_band("loki", &format!("dash-loki-{i}"), &["{app=\"x\"}"]))
        .collect();
    fake.create_out_of_band("splunk", "dash-splunk", &["main"]);
    ws.config(PROVIDER);
    std::fs::write(
        ws.path().join("sources.tfquery.hcl"),
        list_block("loki", None),
    )
    .unwrap();
    let (q, generated) = query_and_generate(&ws);
    for id in &ids {
        assert!(q.stdout.contains(id.as_str()), "{}", q.all());
    }
    let (resources, imports) = resources_and_imports(&generated);
    assert_eq!(resources.len(), 3, "{generated}");
    assert_eq!(identity_ids(&imports), ids, "{generated}");
    let names: BTreeSet<&str> = resources
        .iter()
        .map(|r| r.get("name").and_then(Expr::as_str).unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["dash-loki-0", "dash-loki-1", "dash-loki-2"])
    );
    for r in &resources {
        assert_eq!(
            r.get("type"),
            Some(&Expr::Str("loki".into())),
            "{generated}"
        );
        assert_eq!(
            r.get("sources"),
            Some(&Expr::List(vec![Expr::Str("{app=\"x\"}".into())]))
        );
        assert_eq!(r.get("credentials"), Some(&Expr::Null), "{generated}");
        // What only the provider sets is not configuration.
        for computed in ["id", "tenant_id", "created_at"] {
            assert!(r.get(computed).is_none(), "{computed} in\n{generated}");
        }
    }

    // The user adds credentials, as the docs say; then the plan imports, creating nothing.
    add_credentials(
        &ws,
        "generated.tf",
        "{ host = \"https://loki.example.com\" }",
    );
    let plan = ws.run(&["plan", "-no-color", "-out=tfplan"]).ok();
    assert!(
        plan.stdout.contains("3 to import, 0 to add"),
        "{}",
        plan.all()
    );
    let planned: serde_json::Value =
        serde_json::from_str(&ws.run(&["show", "-json", "tfplan"]).ok().stdout).unwrap();
    let changes = planned["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{planned}");
    let importing: BTreeSet<String> = changes
        .iter()
        .map(|c| {
            assert_ne!(c["change"]["actions"][0], "create", "{c}");
            c["change"]["importing"]["identity"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(importing, ids);
    ws.apply(&["tfplan"]);
    assert_eq!(fake.sources().len(), 4);
    ws.assert_no_changes();
}

#[test]
fn a_generated_file_is_formatted_and_holds_no_credential() {
    if !require_terraform(1, 14) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    // Made by one workspace with credentials the API keeps...
    ws.config(
        r#"
resource "sigsentry_log_source" "made" {
  type        = "splunk"
  name        = "made-here"
  credentials = { host = "https://splunk.example.com", token = "GENERATED-SECRET" }
  sources     = ["main"]
}
"#,
    );
    ws.apply(&[]);
    assert_eq!(
        fake.sources()[0]
            .credentials
            .get("token")
            .map(String::as_str),
        Some("GENERATED-SECRET")
    );
    // ...found by another, which generates its configuration.
    let other = Workspace::new(&fake.url(), KEY);
    other.config(PROVIDER);
    std::fs::write(
        other.path().join("found.tfquery.hcl"),
        list_block("splunk", None),
    )
    .unwrap();
    let (q, generated) = query_and_generate(&other);
    for secret in ["GENERATED-SECRET", KEY] {
        assert!(!generated.contains(secret), "{generated}");
        assert!(!q.all().contains(secret), "{}", q.all());
    }
    let (resources, _) = resources_and_imports(&generated);
    assert_eq!(resources.len(), 1, "{generated}");
    for attr in ["credentials", "credentials_wo"] {
        assert!(
            matches!(resources[0].get(attr), None | Some(Expr::Null)),
            "{attr} in\n{generated}"
        );
    }
}

/// The messages of type `kind` that `terraform query -json` printed.
fn messages(run: &support::terraform::Run, kind: &str) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["type"] == kind)
        .collect()
}

#[test]
fn query_json_reads_every_page_and_stops_at_the_limit() {
    if !require_terraform(1, 14) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    // 130 sources: two pages of the API's 100.
    let total = 130;
    for i in 0..total {
        fake.create_out_of_band("loki", &format!("paged-{i:03}"), &["{app=\"x\"}"]);
    }
    fake.create_out_of_band("splunk", "not-listed", &["main"]);
    ws.config(PROVIDER);
    let list_requests = || {
        fake.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/v1/config/log-sources")
            .count()
    };
    // (limit, results, list pages read)
    for (limit, want, pages) in [(50, 50, 1), (120, 120, 2), (500, total, 2)] {
        std::fs::write(
            ws.path().join("paged.tfquery.hcl"),
            list_block("loki", Some(limit)),
        )
        .unwrap();
        let before = list_requests();
        let q = ws.run(&["query", "-json"]).ok();
        let results = messages(&q, "list_resource_found");
        assert_eq!(results.len(), want, "limit {limit}:\n{}", q.stderr);
        let ids: BTreeSet<&str> = results
            .iter()
            .map(|m| {
                m["list_resource_found"]["identity"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no identity in {m}"))
            })
            .collect();
        assert_eq!(ids.len(), want, "limit {limit}: an id twice");
        let complete = messages(&q, "list_complete");
        assert_eq!(complete.len(), 1, "{}", q.stdout);
        assert_eq!(complete[0]["list_complete"]["total"], want, "{}", q.stdout);
        assert_eq!(list_requests() - before, pages, "limit {limit}");
    }
}

#[test]
fn an_import_block_by_identity_adopts_the_source() {
    if !require_terraform(1, 12) {
        return;
    }
    let Some((fake, ws)) = setup() else {
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

const TENANT_KEY: &str = "ss_secret_tenant_scoped_key";

#[test]
fn a_tenant_scoped_key_imports_by_identity_in_the_project_it_names() {
    if !require_terraform(1, 12) {
        return;
    }
    let seed = |project: &str| SeedSource {
        log_type: "splunk".into(),
        name: "team-logs".into(),
        sources: vec!["main".into()],
        is_active: None,
        project_id: Some(project.into()),
    };
    let tenant = ApiKey {
        scope: KeyScope::Tenant,
        ..ApiKey::project(TENANT_KEY, "unused")
    };
    // The same name in two projects: only the one named may be adopted.
    let fake = Fake::start_with(
        FakeApi::new()
            .key(tenant)
            .seed([seed("prj_team"), seed("prj_default")]),
    );
    let team = fake
        .sources()
        .into_iter()
        .find(|s| s.project_id == "prj_team")
        .unwrap()
        .id;
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    let config = |identity: &str| {
        format!(
            r#"
provider "sigsentry" {{
  project_id = "prj_team"
}}

import {{
  to       = sigsentry_log_source.team
  identity = {identity}
}}

resource "sigsentry_log_source" "team" {{
  type        = "splunk"
  name        = "team-logs"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
        )
    };
    // An identity naming a project the tenant does not have is refused, naming it.
    ws.config(&config(&format!(
        "{{ id = \"{team}\", project_id = \"prj_elsewhere\" }}"
    )));
    let refused = ws.plan();
    assert_eq!(refused.code, 1, "{}", refused.all());
    assert!(
        refused.all().contains("prj_elsewhere") && refused.all().contains("project_id"),
        "{}",
        refused.all()
    );
    // The id alone: the project is the provider's.
    ws.config(&config(&format!("{{ id = \"{team}\" }}")));
    let plan = ws.plan();
    assert!(
        plan.stdout.contains("1 to import, 0 to add"),
        "{}",
        plan.all()
    );
    ws.apply(&[]);
    let instance = ws.first_instance_in_state_file();
    assert_eq!(instance["identity"]["id"], team.as_str(), "{instance}");
    assert_eq!(instance["identity"]["project_id"], "prj_team", "{instance}");
    assert_eq!(fake.sources().len(), 2);
    ws.assert_no_changes();
    assert!(!ws.state_file().contains(TENANT_KEY));
}

const WITH_ACTION: &str = r#"
resource "sigsentry_log_source" "checked" {
  type        = "splunk"
  name        = "checked"
  credentials = { host = "https://splunk.example.com", token = "TOKEN" }
  sources     = SOURCES

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

fn with_action(token: &str, sources: &str) -> String {
    WITH_ACTION
        .replace("TOKEN", token)
        .replace("SOURCES", sources)
}

/// How many connection tests the fake has run.
fn tests_run(fake: &Fake) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/test"))
        .count()
}

#[test]
fn the_test_action_runs_after_create_after_update_and_with_invoke() {
    if !require_terraform(1, 14) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&with_action("tok-good", "[\"main\"]"));
    let created = ws.apply(&[]);
    assert!(
        created.all().contains("Testing log source"),
        "{}",
        created.all()
    );
    assert_eq!(tests_run(&fake), 1);
    // Nothing to change: no trigger.
    ws.apply(&[]);
    assert_eq!(tests_run(&fake), 1);
    ws.config(&with_action("tok-good", "[\"main\", \"audit\"]"));
    let updated = ws.apply(&[]);
    assert!(
        updated.all().contains("Testing log source"),
        "{}",
        updated.all()
    );
    assert_eq!(tests_run(&fake), 2);
    let invoked = ws.apply(&["-invoke=action.sigsentry_log_source_test.check"]);
    assert!(
        invoked.all().contains("sample log line"),
        "{}",
        invoked.all()
    );
    assert!(invoked.all().contains("works"), "{}", invoked.all());
    assert_eq!(tests_run(&fake), 3);
    assert_eq!(fake.sources().len(), 1);
    ws.assert_no_changes();
}

#[test]
fn a_failing_test_action_fails_the_apply_and_keeps_the_source() {
    if !require_terraform(1, 14) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    // The fake's platforms reject credentials containing "reject".
    ws.config(&with_action("reject-me", "[\"main\"]"));
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("AUTH_FAILED"), "{}", run.all());
    assert!(!run.all().contains("reject-me"), "{}", run.all());
    // The source was made and is kept: in state, neither tainted nor made twice.
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    let instance = ws.first_instance_in_state_file();
    assert_eq!(instance["attributes"]["id"], sources[0].id.as_str());
    assert!(instance["status"].is_null(), "{instance}");

    // After an update the same: the apply fails, the update stays.
    ws.config(&with_action("reject-me", "[\"main\", \"audit\"]"));
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("AUTH_FAILED"), "{}", run.all());
    let sources = fake.sources();
    assert_eq!(sources.len(), 1);
    let mut read = sources[0].sources.clone();
    read.sort();
    assert_eq!(read, ["audit", "main"]);
    let instance = ws.first_instance_in_state_file();
    assert_eq!(instance["attributes"]["id"], sources[0].id.as_str());
    assert!(instance["status"].is_null(), "{instance}");
    ws.assert_no_changes();
}
