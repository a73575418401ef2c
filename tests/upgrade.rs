//! Upgrades are invisible: state written by the previous release (a build of it from git
//! history, made by scripts/build-previous-release.sh and named by
//! SIGSENTRY_PREVIOUS_PROVIDER) plans empty under this build, private state included, and
//! updates stay in place.

mod support;

use std::path::PathBuf;
use support::setup;
use support::terraform::require_terraform;

/// The previous release's binary, or `None` with a printed reason. When scripts/test.sh
/// built it (SIGSENTRY_REQUIRE_PREVIOUS), a missing binary is a failure.
fn previous_release(test: &str) -> Option<PathBuf> {
    let bin = std::env::var_os("SIGSENTRY_PREVIOUS_PROVIDER")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    if bin.is_none() {
        let why = "SIGSENTRY_PREVIOUS_PROVIDER names no binary (scripts/build-previous-release.sh builds it from git history)";
        assert!(
            std::env::var_os("SIGSENTRY_REQUIRE_PREVIOUS").is_none(),
            "{test}: {why}"
        );
        eprintln!("SKIP {test}: {why}");
    }
    bin
}

const CONFIG: &str = r#"
resource "sigsentry_log_source" "plain" {
  type        = "splunk"
  name        = "NAME"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main", "audit"]
}

resource "sigsentry_log_source" "paused" {
  type        = "loki"
  name        = "paused"
  is_active   = false
  verify      = true
  credentials = { host = "https://loki.example.com" }
  sources     = ["{app=\"x\"}"]
}
"#;

const WRITE_ONLY: &str = r#"
resource "sigsentry_log_source" "wo" {
  type                   = "datadog"
  name                   = "wo"
  credentials_wo         = { apiKey = "k", appKey = "a" }
  credentials_wo_version = "1"
  sources                = ["service:x"]
}
"#;

#[test]
fn state_of_the_previous_release_plans_empty_and_updates_in_place() {
    let test = "state_of_the_previous_release_plans_empty_and_updates_in_place";
    let Some(previous) = previous_release(test) else {
        return;
    };
    let Some((fake, ws)) = setup() else {
        return;
    };
    let write_only = require_terraform(1, 11);
    let config = |name: &str| {
        let mut c = CONFIG.replace("NAME", name);
        if write_only {
            c.push_str(WRITE_ONLY);
        }
        c
    };
    ws.use_provider_binary(&previous);
    ws.config(&config("before"));
    ws.apply(&[]);
    // A second update under the old release, so private state holds a generation.
    ws.config(&config("renamed"));
    ws.apply(&[]);
    let ids: Vec<String> = fake.sources().into_iter().map(|s| s.id).collect();

    if write_only {
        // The previous release kept a keyed digest of the write-only values.
        assert!(ws.private_of("wo").get("w").is_some());
    }

    ws.use_this_build();
    ws.assert_no_changes();
    // An update after the upgrade stays in place and lands.
    ws.config(&config("after-upgrade"));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply(&[]);
    let after: Vec<String> = fake.sources().into_iter().map(|s| s.id).collect();
    assert_eq!(after, ids, "the upgrade replaced a source");
    assert!(fake.sources().iter().any(|s| s.name == "after-upgrade"));
    ws.assert_no_changes();
    if write_only {
        // The first apply after the upgrade drops it: nothing to test a guess against.
        let private = ws.private_of("wo");
        assert!(
            private.get("w").is_none() && private.get("k").is_none(),
            "{private}"
        );
    }
    ws.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert!(fake.sources().is_empty());
}

/// The identities in state (`terraform state identities -json`, Terraform 1.12+).
fn identities(ws: &support::terraform::Workspace) -> serde_json::Value {
    let out = ws.run(&["state", "identities", "-json"]).ok();
    serde_json::from_str(&out.stdout).expect("identities JSON")
}

/// State the previous release wrote, with a tenant key (the provider names the project)
/// or a project-scoped key (it names none), upgrades silently: the first plan is empty,
/// the identity does not change, and the source stays in its project.
#[test]
fn per_resource_projects_upgrade_silently_with_either_kind_of_key() {
    use sigsentry_mock::{ApiKey, FakeApi};
    let test = "per_resource_projects_upgrade_silently_with_either_kind_of_key";
    let Some(previous) = previous_release(test) else {
        return;
    };
    if !require_terraform(1, 0) {
        return;
    }
    let with_identities = require_terraform(1, 12);
    let fake = support::fake::Fake::start_with(
        FakeApi::new()
            .key(ApiKey::tenant("ss_secret_tenant"))
            .project("prj_team"),
    );
    for (key, provider) in [
        (
            "ss_secret_tenant",
            "provider \"sigsentry\" {\n  project_id = \"prj_team\"\n}\n",
        ),
        (support::fake::KEY, ""),
    ] {
        let ws = support::terraform::Workspace::new(&fake.url(), key);
        ws.use_provider_binary(&previous);
        ws.config(&format!("{provider}{}", CONFIG.replace("NAME", "kept")));
        ws.apply(&[]);
        let ids = fake.sources().len();
        let before = with_identities.then(|| identities(&ws));

        ws.use_this_build();
        ws.assert_no_changes();
        // A refresh-and-apply with nothing to change keeps every identity.
        ws.apply(&[]);
        if let Some(before) = before {
            assert_eq!(identities(&ws), before, "{key}: an identity changed");
        }
        ws.assert_no_changes();
        assert_eq!(
            fake.sources().len(),
            ids,
            "{key}: a source was made or lost"
        );
        let plain = ws.resource("sigsentry_log_source.plain");
        let expected = if provider.is_empty() {
            serde_json::Value::Null
        } else {
            "prj_team".into()
        };
        assert_eq!(plain["project_id"], expected, "{key}");
    }
}
