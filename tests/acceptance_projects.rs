//! Many projects from one tenant key: `project_id` on each resource, data source and list,
//! with the real terraform CLI against a fake API that enforces the contract's project
//! rules (a tenant key names a project on every request; a project-scoped key acts in its
//! own; a project the tenant lacks is 404 PROJECT_NOT_FOUND).

mod support;

use sigsentry_mock::{ApiKey, FakeApi};
use support::fake::Fake;
use support::terraform::{require_terraform, Run, Workspace};

const TENANT_KEY: &str = "ss_secret_tenant_key";
const PROJECT_KEY: &str = "ss_secret_project_key";
const PROJECTS: [&str; 3] = ["prj_alpha", "prj_beta", "prj_gamma"];

/// A fake with a tenant key over three projects, and a project-scoped key of the first.
fn fake() -> Option<Fake> {
    if !require_terraform(1, 0) {
        return None;
    }
    let mut api = FakeApi::new()
        .key(ApiKey::tenant(TENANT_KEY))
        .key(ApiKey::project(PROJECT_KEY, PROJECTS[0]));
    for p in PROJECTS {
        api = api.project(p);
    }
    Some(Fake::start_with(api))
}

fn splunk(resource: &str, project: Option<&str>, name: &str) -> String {
    let project = project
        .map(|p| format!("project_id  = \"{p}\"\n  "))
        .unwrap_or_default();
    format!(
        r#"
resource "sigsentry_log_source" "{resource}" {{
  {project}type        = "splunk"
  name        = "{name}"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
    )
}

/// Writes to the API since the log was cleared.
fn writes(fake: &Fake) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn in_project(fake: &Fake, project: &str) -> Vec<String> {
    fake.sources()
        .into_iter()
        .filter(|s| s.project_id == project)
        .map(|s| s.name)
        .collect()
}

fn assert_fails_naming(run: &Run, what: &[&str]) {
    assert_ne!(run.code, 0, "{}", run.all());
    let text = run.all();
    for w in what {
        assert!(text.contains(w), "{w:?} missing from:\n{text}");
    }
}

#[test]
fn one_tenant_key_manages_three_projects_in_one_configuration() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    ws.config(
        r#"
variable "projects" {
  default = { alpha = "prj_alpha", beta = "prj_beta", gamma = "prj_gamma" }
}

resource "sigsentry_log_source" "per_project" {
  for_each    = var.projects
  project_id  = each.value
  type        = "splunk"
  name        = "logs-${each.key}"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main"]
}
"#,
    );
    ws.apply(&[]);
    for (key, project) in [
        ("alpha", PROJECTS[0]),
        ("beta", PROJECTS[1]),
        ("gamma", PROJECTS[2]),
    ] {
        assert_eq!(in_project(&fake, project), [format!("logs-{key}")]);
        let state = ws.resource(&format!("sigsentry_log_source.per_project[\"{key}\"]"));
        assert_eq!(state["project_id"], project);
    }
    ws.assert_no_changes();
}

#[test]
fn an_unset_project_is_the_provider_s_and_a_move_between_projects_replaces() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    let provider = format!(
        "provider \"sigsentry\" {{\n  project_id = \"{}\"\n}}\n",
        PROJECTS[0]
    );
    ws.config(&format!("{provider}{}", splunk("a", None, "moving")));
    ws.apply(&[]);
    assert_eq!(
        ws.resource("sigsentry_log_source.a")["project_id"],
        PROJECTS[0]
    );
    ws.assert_no_changes();
    let before = fake.sources()[0].id.clone();
    ws.config(&format!(
        "{provider}{}",
        splunk("a", Some(PROJECTS[1]), "moving")
    ));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply(&[]);
    assert!(in_project(&fake, PROJECTS[0]).is_empty());
    assert_eq!(in_project(&fake, PROJECTS[1]), ["moving"]);
    assert_ne!(fake.sources()[0].id, before);
    ws.assert_no_changes();
}

#[test]
fn a_project_scoped_key_naming_another_project_fails_the_plan() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), PROJECT_KEY);
    // The key's own project becomes known from an answer: one source made there first.
    ws.config(&splunk("own", None, "own"));
    ws.apply(&[]);
    assert_eq!(
        ws.resource("sigsentry_log_source.own")["project_id"],
        PROJECTS[0]
    );
    fake.handle().clear_log();
    ws.config(&format!(
        "{}{}",
        splunk("own", None, "own"),
        splunk("other", Some(PROJECTS[1]), "elsewhere")
    ));
    let plan = ws.plan();
    assert_fails_naming(
        &plan,
        &["project_id", PROJECTS[1], PROJECTS[0], "tenant-scoped"],
    );
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
}

#[test]
fn a_tenant_key_without_any_project_fails_the_plan() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    ws.config(&splunk("a", None, "nowhere"));
    let plan = ws.plan();
    assert_fails_naming(&plan, &["project_id", "tenant-scoped"]);
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
}

#[test]
fn a_project_the_tenant_does_not_have_fails_the_plan() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    ws.config(&splunk("a", Some("prj_missing"), "lost"));
    let plan = ws.plan();
    assert_fails_naming(&plan, &["project_id", "prj_missing", "PROJECT_NOT_FOUND"]);
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
}

#[test]
fn a_project_known_only_at_apply_is_checked_then_before_anything_is_written() {
    // terraform_data is Terraform 1.4+.
    if !require_terraform(1, 4) {
        return;
    }
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    ws.config(&format!(
        "resource \"terraform_data\" \"p\" {{\n  input = \"prj_missing\"\n}}\n{}",
        splunk("a", None, "later").replace(
            "type        = \"splunk\"",
            "project_id  = terraform_data.p.output\n  type        = \"splunk\""
        )
    ));
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_fails_naming(&run, &["project_id", "prj_missing"]);
    assert!(
        writes(&fake).iter().all(|w| !w.starts_with("POST")),
        "{:?}",
        writes(&fake)
    );
}

#[test]
fn import_takes_a_project_prefix_and_a_bare_id_means_the_default_project() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    let default = fake
        .handle()
        .insert_in(PROJECTS[0], "splunk", "dashboard-a", &["main"]);
    let other = fake
        .handle()
        .insert_in(PROJECTS[2], "splunk", "dashboard-c", &["main"]);
    let provider = format!(
        "provider \"sigsentry\" {{\n  project_id = \"{}\"\n}}\n",
        PROJECTS[0]
    );
    ws.config(&format!(
        "{provider}{}{}",
        splunk("here", None, "dashboard-a"),
        splunk("there", Some(PROJECTS[2]), "dashboard-c")
    ));
    ws.run(&["import", "-no-color", "sigsentry_log_source.here", &default])
        .ok();
    ws.run(&[
        "import",
        "-no-color",
        "sigsentry_log_source.there",
        &format!("{}/{other}", PROJECTS[2]),
    ])
    .ok();
    assert_eq!(
        ws.resource("sigsentry_log_source.here")["project_id"],
        PROJECTS[0]
    );
    assert_eq!(
        ws.resource("sigsentry_log_source.there")["project_id"],
        PROJECTS[2]
    );
    // The imported objects' credentials are sent in place; nothing is replaced.
    let plan = ws.plan();
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply(&[]);
    ws.assert_no_changes();
    assert_eq!(fake.sources().len(), 2);
    // A bare id of another project's source is not found in the default project.
    let stray = Workspace::new(&fake.url(), TENANT_KEY);
    stray.config(&format!("{provider}{}", splunk("x", None, "dashboard-c")));
    let run = stray.run(&["import", "-no-color", "sigsentry_log_source.x", &other]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains(PROJECTS[0]), "{}", run.all());
}

#[test]
fn the_data_sources_read_the_project_they_are_given() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    let a = fake
        .handle()
        .insert_in(PROJECTS[0], "loki", "in-alpha", &["{app=\"a\"}"]);
    fake.handle()
        .insert_in(PROJECTS[1], "loki", "in-beta", &["{app=\"b\"}"]);
    fake.handle()
        .insert_in(PROJECTS[1], "splunk", "also-beta", &["main"]);
    ws.config(&format!(
        r#"
provider "sigsentry" {{
  project_id = "{alpha}"
}}

data "sigsentry_log_source" "by_id" {{
  id = "{a}"
}}

data "sigsentry_log_source" "by_name_elsewhere" {{
  project_id = "{beta}"
  name       = "in-beta"
}}

data "sigsentry_log_sources" "beta" {{
  project_id = "{beta}"
}}

output "by_id" {{ value = data.sigsentry_log_source.by_id.project_id }}
output "elsewhere" {{ value = data.sigsentry_log_source.by_name_elsewhere.project_id }}
output "beta_names" {{ value = sort([for s in data.sigsentry_log_sources.beta.log_sources : s.name]) }}
"#,
        alpha = PROJECTS[0],
        beta = PROJECTS[1],
    ));
    ws.apply(&[]);
    let out = ws.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["by_id"]["value"], PROJECTS[0]);
    assert_eq!(v["elsewhere"]["value"], PROJECTS[1]);
    assert_eq!(
        v["beta_names"]["value"],
        serde_json::json!(["also-beta", "in-beta"])
    );
}

#[test]
fn one_body_in_two_projects_is_two_sources() {
    let Some(fake) = fake() else { return };
    let ws = Workspace::new(&fake.url(), TENANT_KEY);
    ws.config(&format!(
        "{}{}",
        splunk("a", Some(PROJECTS[0]), "same"),
        splunk("b", Some(PROJECTS[1]), "same")
    ));
    ws.apply(&[]);
    assert_eq!(in_project(&fake, PROJECTS[0]), ["same"]);
    assert_eq!(in_project(&fake, PROJECTS[1]), ["same"]);
    ws.assert_no_changes();
    // Destroying one project's leaves the other's.
    ws.config(&splunk("b", Some(PROJECTS[1]), "same"));
    ws.apply(&[]);
    assert!(in_project(&fake, PROJECTS[0]).is_empty());
    assert_eq!(in_project(&fake, PROJECTS[1]), ["same"]);
}
