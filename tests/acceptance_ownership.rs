//! One remote source, one Terraform object: replacements, copies and other states never
//! adopt a live source another object holds, while a re-run after a crash still adopts its
//! own interrupted create. The real terraform CLI against the bundled fake API.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use support::fake::{Fake, Fault};
use support::setup;
use support::terraform::{require_terraform, Workspace};

const PATH: &str = "/v1/config/log-sources";

fn splunk(name: &str, lifecycle: &str) -> String {
    format!(
        r#"
resource "sigsentry_log_source" "a" {{
  type        = "splunk"
  name        = "{name}"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
  {lifecycle}
}}
"#
    )
}

const CBD: &str = "lifecycle {\n    create_before_destroy = true\n  }";

/// The ids of `sigsentry_log_source` objects in the workspace's state.
fn ids_in_state(ws: &Workspace) -> BTreeSet<String> {
    ws.state()["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| r["type"] == "sigsentry_log_source")
        .map(|r| r["values"]["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn live(fake: &Fake) -> BTreeSet<String> {
    fake.sources().into_iter().map(|s| s.id).collect()
}

/// After a create-before-destroy replacement whose POST body equals the old one's:
/// exactly one live source, a new one, in state, and the next plan is empty.
fn assert_replaced_by_a_new_source(fake: &Fake, ws: &Workspace, old: &str) {
    let live = live(fake);
    assert_eq!(live.len(), 1, "live sources: {live:?}");
    assert!(
        !live.contains(old),
        "the old source survived or was re-adopted"
    );
    assert_eq!(ids_in_state(ws), live, "state and API disagree");
    ws.assert_no_changes();
}

#[test]
fn create_before_destroy_replace_makes_a_new_source() {
    let Some((fake, ws)) = setup("create_before_destroy_replace_makes_a_new_source") else {
        return;
    };
    ws.config(&splunk("cbd", CBD));
    ws.apply(&[]);
    let old = fake.sources()[0].id.clone();
    ws.apply(&["-replace=sigsentry_log_source.a"]);
    assert_replaced_by_a_new_source(&fake, &ws, &old);
    // The API did hand back the old source for the repeated key; it was not adopted.
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.replayed && r.method == "POST"));
}

#[test]
fn create_before_destroy_after_taint_makes_a_new_source() {
    let Some((fake, ws)) = setup("create_before_destroy_after_taint_makes_a_new_source") else {
        return;
    };
    ws.config(&splunk("tainted", CBD));
    ws.apply(&[]);
    let old = fake.sources()[0].id.clone();
    ws.run(&["taint", "-no-color", "sigsentry_log_source.a"])
        .ok();
    ws.apply(&[]);
    assert_replaced_by_a_new_source(&fake, &ws, &old);
}

#[test]
fn create_before_destroy_replace_triggered_by_makes_a_new_source() {
    // replace_triggered_by is Terraform 1.2+, terraform_data (the trigger here) 1.4+.
    if !require_terraform(
        1,
        4,
        "create_before_destroy_replace_triggered_by_makes_a_new_source",
    ) {
        return;
    }
    let Some((fake, ws)) = setup("create_before_destroy_replace_triggered_by") else {
        return;
    };
    let config = |rev: &str| {
        format!(
            "resource \"terraform_data\" \"rev\" {{\n  input = \"{rev}\"\n}}\n{}",
            splunk(
                "triggered",
                "lifecycle {\n    create_before_destroy = true\n    replace_triggered_by  = [terraform_data.rev]\n  }"
            )
        )
    };
    ws.config(&config("1"));
    ws.apply(&[]);
    let old = fake.sources()[0].id.clone();
    ws.config(&config("2"));
    ws.apply(&[]);
    assert_replaced_by_a_new_source(&fake, &ws, &old);
}

#[test]
fn an_identical_copy_added_later_to_the_same_state_gets_its_own_source() {
    let Some((fake, ws)) = setup("an_identical_copy_added_later_gets_its_own_source") else {
        return;
    };
    let one = splunk("copied", "");
    ws.config(&one);
    ws.apply(&[]);
    // Copied and pasted under another name, applied in a later run within the key window.
    ws.config(&format!(
        "{one}\n{}",
        one.replace(
            "\"sigsentry_log_source\" \"a\"",
            "\"sigsentry_log_source\" \"b\""
        )
    ));
    ws.apply(&[]);
    let live = live(&fake);
    assert_eq!(live.len(), 2, "the copy adopted the original: {live:?}");
    assert_eq!(ids_in_state(&ws), live);
    ws.assert_no_changes();
    // Removing the copy deletes its source and leaves the original.
    let original = ws.resource("sigsentry_log_source.a")["id"].clone();
    ws.config(&one);
    ws.apply(&[]);
    let left: Vec<String> = fake.sources().into_iter().map(|s| s.id).collect();
    assert_eq!(left, [original.as_str().unwrap_or_default()]);
    ws.assert_no_changes();
}

#[test]
fn two_workspaces_of_one_directory_get_two_sources() {
    let Some((fake, ws)) = setup("two_workspaces_of_one_directory_get_two_sources") else {
        return;
    };
    ws.config(&splunk("shared-name", ""));
    ws.apply(&[]);
    ws.run(&["workspace", "new", "-no-color", "staging"]).ok();
    ws.apply(&[]);
    assert_eq!(
        live(&fake).len(),
        2,
        "the second workspace adopted the first's source"
    );
    let staging = ids_in_state(&ws);
    ws.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    ws.run(&["workspace", "select", "-no-color", "default"])
        .ok();
    let default = ids_in_state(&ws);
    assert_ne!(staging, default);
    assert_eq!(
        live(&fake),
        default,
        "destroying one workspace deleted the other's source"
    );
    ws.assert_no_changes();
}

#[test]
fn two_directories_with_identical_configs_get_two_sources() {
    let Some((fake, first)) = setup("two_directories_with_identical_configs_get_two_sources")
    else {
        return;
    };
    let second = Workspace::new(&fake.url(), support::fake::KEY);
    for ws in [&first, &second] {
        ws.config(&splunk("same-everywhere", ""));
        ws.apply(&[]);
    }
    assert_eq!(
        live(&fake).len(),
        2,
        "the second directory adopted the first's source"
    );
    second.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    assert_eq!(live(&fake), ids_in_state(&first));
    first.assert_no_changes();
}

/// Runs an apply and kills its provider as soon as `reached` says the API got that far
/// (polling what the fake records, not sleeping for a guess); the apply then fails.
fn kill_the_provider_once(
    fake: &Fake,
    ws: &Workspace,
    what: &str,
    reached: impl Fn(&Fake) -> bool,
) {
    let child = ws
        .command(&["apply", "-auto-approve", "-no-color"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reached(fake) {
        assert!(Instant::now() < deadline, "{what} never reached the API");
        std::thread::sleep(Duration::from_millis(20));
    }
    support::kill_stray_providers(ws.path());
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "the apply survived the kill");
}

#[test]
fn provider_killed_after_the_api_committed_then_reapply_adopts() {
    let Some((fake, ws)) = setup("provider_killed_after_the_api_committed_then_reapply_adopts")
    else {
        return;
    };
    ws.config(&splunk("killed", ""));
    fake.fail_next(Fault::commit_then_delay(
        "POST",
        PATH,
        Duration::from_secs(60),
    ));
    // The provider dies while the API holds its answer; terraform reports the crash.
    kill_the_provider_once(&fake, &ws, "the create", |f| !f.sources().is_empty());
    assert!(ws.resource("sigsentry_log_source.a").is_null());
    ws.apply(&[]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 1, "a second source was created");
    assert_eq!(ids_in_state(&ws), live(&fake));
    ws.assert_no_changes();
}

#[test]
fn a_claim_whose_answer_is_lost_still_adopts_the_source() {
    let Some((fake, ws)) = setup("a_claim_whose_answer_is_lost_still_adopts_the_source") else {
        return;
    };
    ws.config(&splunk("claim-lost", ""));
    // The claim (a PATCH) is carried out, then its answer is lost: the retry is replayed,
    // and a replay of our own uncertain attempt is ours.
    fake.fail_next(Fault::commit_then_drop("PATCH", PATH));
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    assert_eq!(ids_in_state(&ws), live(&fake));
    ws.assert_no_changes();
}

/// The private data Terraform stores with the first instance, decoded.
fn private_of(ws: &Workspace) -> serde_json::Value {
    use base64::Engine;
    let instance = ws.first_instance_in_state_file();
    let Some(b64) = instance["private"].as_str() else {
        return serde_json::Value::Null;
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("private is base64");
    serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
}

/// An apply whose create succeeds and whose claim is refused: the source is kept, tainted.
fn create_with_a_failed_claim(fake: &Fake, ws: &Workspace, name: &str) -> String {
    ws.config(&splunk(name, CBD));
    fake.fail_next(Fault::status("PATCH", PATH, 1, 403, "FORBIDDEN"));
    let out = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0, "the apply should fail: {}", out.all());
    let kept = fake.sources();
    assert_eq!(kept.len(), 1);
    assert_eq!(ids_in_state(ws), live(fake), "the source made was not kept");
    kept[0].id.clone()
}

/// Replaces the tainted, unclaimed object after `before` (commands run first) with
/// `apply_args`: the replacement's create repeats the old key, the API replays the old
/// source and the replacement claims it; the deposed object, claiming before it deletes,
/// finds it taken and leaves it. One source, held by one object.
fn replace_the_unclaimed_object(name: &str, before: &[&[&str]], apply_args: &[&str]) {
    let Some((fake, ws)) = setup(name) else {
        return;
    };
    let old = create_with_a_failed_claim(&fake, &ws, name);
    for args in before {
        ws.run(args);
    }
    let out = ws.apply(apply_args);
    let live = live(&fake);
    assert_eq!(live.len(), 1, "a source was deleted or orphaned: {live:?}");
    assert!(live.contains(&old), "the replacement did not adopt {old}");
    assert_eq!(ids_in_state(&ws), live, "state and API disagree");
    assert!(
        out.all().contains("Log source left in place"),
        "{}",
        out.all()
    );
    ws.assert_no_changes();
}

#[test]
fn a_source_kept_after_a_failed_claim_is_replaced_leaving_one_source() {
    replace_the_unclaimed_object("unclaimed", &[], &[]);
}

#[test]
fn without_refresh_a_replacement_that_adopts_the_unclaimed_source_keeps_it() {
    replace_the_unclaimed_object("unclaimed-norefresh", &[], &["-refresh=false"]);
}

#[test]
fn a_plan_before_the_replacement_changes_nothing() {
    // A plan's reads must not claim: its claim would be forgotten with the plan, and the
    // apply's claim would then read as another object's.
    replace_the_unclaimed_object("unclaimed-planned", &[&["plan", "-no-color"]], &[]);
}

#[test]
fn a_failed_destroy_keeps_the_private_state_of_the_object() {
    let Some((fake, ws)) = setup("a_failed_destroy_keeps_the_private_state") else {
        return;
    };
    ws.config(&splunk("keeps-private", ""));
    ws.apply(&[]);
    ws.config(&splunk("keeps-private-renamed", ""));
    ws.apply(&[]);
    let before = private_of(&ws);
    assert_eq!(before["g"], 1, "one update counted: {before}");
    fake.fail_next(Fault::status("DELETE", PATH, 1, 403, "FORBIDDEN"));
    let out = ws.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0);
    assert_eq!(
        private_of(&ws),
        before,
        "the failed destroy reset private state"
    );
    assert_eq!(fake.sources().len(), 1);
}

#[test]
fn an_import_block_planned_then_applied_imports_quietly() {
    // Import blocks are Terraform 1.5+.
    if !require_terraform(1, 5, "an_import_block_planned_then_applied_imports_quietly") {
        return;
    }
    let Some((fake, ws)) = setup("an_import_block_planned_then_applied_imports_quietly") else {
        return;
    };
    let id = fake.create_out_of_band("splunk", "from-dashboard", &["main"]);
    ws.config(&format!(
        "{}
import {{
  to = sigsentry_log_source.a
  id = \"{id}\"
}}
",
        splunk("from-dashboard", "")
    ));
    // The plan imports too; the apply imports again: neither may see the other's work.
    // (The only warning allowed is Terraform's own about the test's dev_overrides.)
    let provider_warnings = |text: &str| {
        text.matches("Warning:").count()
            - text
                .matches("Warning: Provider development overrides")
                .count()
    };
    let plan = ws.plan();
    assert_eq!(provider_warnings(&plan.all()), 0, "{}", plan.all());
    let out = ws.apply(&[]);
    assert_eq!(provider_warnings(&out.all()), 0, "{}", out.all());
    assert_eq!(ids_in_state(&ws), live(&fake));
    ws.assert_no_changes();
}

#[test]
fn a_run_killed_after_its_claim_warns_about_the_source_it_left_behind() {
    let Some((fake, ws)) = setup("a_run_killed_after_its_claim_warns") else {
        return;
    };
    ws.config(&splunk("killed-after-claim", ""));
    // The claim is carried out, then its answer held until the provider is killed.
    fake.fail_next(Fault::commit_then_delay(
        "PATCH",
        PATH,
        Duration::from_secs(60),
    ));
    // Claim keys are `tfss-k1-...` (src/sigsentry/keys.rs).
    kill_the_provider_once(&fake, &ws, "the claim", |f| {
        f.completed_keys().iter().any(|k| k.starts_with("tfss-k1-"))
    });
    let orphan = fake.sources()[0].id.clone();
    // The re-run cannot tell its own claimed source from another object's: it makes a new
    // one, and says which source may have been left behind.
    let out = ws.apply(&[]);
    let text = out.all();
    assert!(
        text.contains("An earlier identical create was replayed") && text.contains(&orphan),
        "{text}"
    );
    assert_eq!(live(&fake).len(), 2);
    assert!(!ids_in_state(&ws).contains(&orphan));
}
