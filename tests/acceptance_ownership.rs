//! One remote source, one Terraform object, with the real terraform CLI against the fake
//! API in each of its modes: the contract's, and each way an API that honours only the
//! published page may depart from it (PATCH ignores keys, replays unmarked, PATCH keys
//! forgotten early, the claim body refused). Replacements, later copies and other states
//! never adopt a live source another object holds; a re-run after a crash adopts its own
//! interrupted create when the API shows it arbitrates claims, and otherwise makes a new
//! source and names the leftover; creates cost one request each.

mod support;

use sigsentry_mock::ApiMode;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use support::fake::{Fake, Fault};
use support::terraform::{require_terraform, Run, Workspace};
use support::{in_each_mode, setup};

const PATH: &str = "/v1/config/log-sources";

fn splunk(name: &str, lifecycle: &str) -> String {
    splunk_named("a", name, lifecycle)
}

fn splunk_named(resource: &str, name: &str, lifecycle: &str) -> String {
    format!(
        r#"
resource "sigsentry_log_source" "{resource}" {{
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

/// True when the API carries out an identical repeated claim only once and says so:
/// then a replayed create from another run can be proven this object's.
fn arbitrates(mode: ApiMode) -> bool {
    matches!(mode, ApiMode::Contract | ApiMode::ShortPatchWindow)
}

const NOT_ADOPTED: &str = "An earlier identical create was not adopted";

/// Warnings the provider gave (Terraform's own about the test's dev_overrides aside).
fn provider_warnings(run: &Run) -> usize {
    let text = run.all();
    text.matches("Warning:").count()
        - text
            .matches("Warning: Provider development overrides")
            .count()
}

/// The number of requests with `method` since the log was last cleared.
fn count(fake: &Fake, method: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method)
        .count()
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
fn create_before_destroy_replace_of_an_unchanged_body_makes_a_new_source() {
    in_each_mode(|mode, fake, ws| {
        ws.config(&splunk("cbd", CBD));
        ws.apply(&[]);
        let old = fake.sources()[0].id.clone();
        fake.later();
        fake.handle().clear_log();
        let out = ws.apply(&["-replace=sigsentry_log_source.a"]);
        assert_replaced_by_a_new_source(fake, ws, &old);
        // The API did hand back the old source for the repeated key (first POST); it was
        // not adopted, and the next key made the new source (second POST).
        assert_eq!(count(fake, "POST"), 2, "{:?}", fake.requests());
        if arbitrates(mode) {
            // The plan claimed the old source for its holder: nothing to warn about.
            assert_eq!(provider_warnings(&out), 0, "{}", out.all());
        }
    });
}

#[test]
fn create_before_destroy_after_taint_makes_a_new_source() {
    let Some((fake, ws)) = setup() else {
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
    if !require_terraform(1, 4) {
        return;
    }
    let Some((fake, ws)) = setup() else {
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
    in_each_mode(|_, fake, ws| {
        let one = splunk("copied", "");
        ws.config(&one);
        ws.apply(&[]);
        let original = fake.sources()[0].id.clone();
        fake.later();
        // Copied and pasted under another name, applied in a later run within the key window.
        ws.config(&format!("{one}\n{}", splunk_named("b", "copied", "")));
        ws.apply(&[]);
        let both = live(fake);
        assert_eq!(both.len(), 2, "the copy adopted the original: {both:?}");
        assert_eq!(ids_in_state(ws), both);
        ws.assert_no_changes();
        // Removing the copy deletes its source and leaves the original.
        ws.config(&one);
        ws.apply(&[]);
        assert_eq!(live(fake), BTreeSet::from([original]));
        ws.assert_no_changes();
    });
}

#[test]
fn identical_twins_planned_together_after_a_crash_keep_one_source_each() {
    // Two identical objects (count = 2), one made and saved, the other killed after its
    // create committed: the re-run must not hand the saved one's source to the other.
    in_each_mode(|mode, fake, ws| {
        let twins = r#"
resource "sigsentry_log_source" "t" {
  count       = 2
  type        = "splunk"
  name        = "twin"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main"]
}
"#;
        ws.config(twins);
        // One create's answer is held; the other is answered and saved.
        fake.fail_next(Fault::commit_then_delay(
            "POST",
            PATH,
            Duration::from_secs(60),
        ));
        // Killed once both creates committed and Terraform saved the answered one: before
        // that save, the re-run would rightly have two objects to make, not one.
        kill_the_provider_once(fake, ws, "both creates, one saved", |f| {
            f.sources().len() == 2 && saved_on_disk(ws) == 1
        });
        assert_eq!(ids_in_state(ws).len(), 1);
        fake.later();
        ws.apply(&[]);
        let held = ids_in_state(ws);
        assert_eq!(held.len(), 2, "two objects, two sources: {held:?}");
        let expected = if arbitrates(mode) { 2 } else { 3 };
        assert_eq!(live(fake).len(), expected, "mode {}", mode.name());
        ws.assert_no_changes();
    });
}

#[test]
fn two_workspaces_of_one_directory_get_two_sources() {
    let Some((fake, ws)) = setup() else {
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
    let Some((fake, first)) = setup() else {
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
/// How many log sources the state file holds now, read from disk: unlike `terraform show`,
/// this needs no lock, so it can watch an apply that is still running.
fn saved_on_disk(ws: &Workspace) -> usize {
    let state: serde_json::Value = serde_json::from_str(&ws.state_file()).unwrap_or_default();
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "sigsentry_log_source")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .filter(|i| i["attributes"]["id"].is_string())
        .count()
}

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
    assert!(
        !out.status.success(),
        "the apply survived the kill: {:?}\n{}",
        fake.requests()
            .iter()
            .map(|r| format!(
                "{} {} {:?} {} {}",
                r.method, r.path, r.idempotency_key, r.status, r.replayed
            ))
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn provider_killed_after_the_api_committed_then_reapply_adopts_or_names_the_leftover() {
    in_each_mode(|mode, fake, ws| {
        ws.config(&splunk("killed", ""));
        fake.fail_next(Fault::commit_then_delay(
            "POST",
            PATH,
            Duration::from_secs(60),
        ));
        // The provider dies while the API holds its answer; terraform reports the crash.
        kill_the_provider_once(fake, ws, "the create", |f| !f.sources().is_empty());
        assert!(ws.resource("sigsentry_log_source.a").is_null());
        let leftover = fake.sources()[0].id.clone();
        fake.later();
        let out = ws.apply(&[]);
        if arbitrates(mode) {
            assert_eq!(live(fake), BTreeSet::from([leftover]), "{}", out.all());
            assert!(!out.all().contains(NOT_ADOPTED), "{}", out.all());
        } else {
            // Nothing proves the leftover is this object's: a new source, and the
            // leftover named, never adopted.
            assert_eq!(live(fake).len(), 2);
            assert!(!ids_in_state(ws).contains(&leftover));
            let text = out.all();
            assert!(
                text.contains(NOT_ADOPTED) && text.contains(&leftover),
                "{text}"
            );
        }
        assert_eq!(ids_in_state(ws).len(), 1);
        ws.assert_no_changes();
    });
}

#[test]
fn ten_killed_applies_in_a_row_each_end_with_exactly_one_source_per_object() {
    // As the contract says the API behaves: crash recovery adopts, every time.
    let Some((fake, _)) = setup() else {
        return;
    };
    const N: usize = 4;
    for run in 0..10 {
        let ws = Workspace::new(&fake.url(), support::fake::KEY);
        let config = format!(
            r#"
resource "sigsentry_log_source" "many" {{
  count       = {N}
  type        = "splunk"
  name        = "run-{run}-${{count.index}}"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
        );
        ws.config(&config);
        let before = fake.sources().len();
        fake.fail_next(Fault::commit_then_delay(
            "POST",
            PATH,
            Duration::from_secs(60),
        ));
        // Every create committed; the first one's answer is held, and dies with the provider.
        kill_the_provider_once(&fake, &ws, "the creates", |f| {
            f.sources().len() == before + N
        });
        ws.apply(&["-lock-timeout=20s"]);
        let made = fake.sources().len() - before;
        assert_eq!(made, N, "run {run}: {made} sources for {N} objects");
        assert_eq!(ids_in_state(&ws).len(), N);
    }
}

#[test]
fn removed_from_state_then_reapplied_adopts_or_names_the_leftover() {
    in_each_mode(|mode, fake, ws| {
        ws.config(&splunk("forgotten", ""));
        ws.apply(&[]);
        let first = fake.sources()[0].id.clone();
        ws.run(&["state", "rm", "-no-color", "sigsentry_log_source.a"])
            .ok();
        fake.later();
        let out = ws.apply(&[]);
        if arbitrates(mode) {
            assert_eq!(ids_in_state(ws), BTreeSet::from([first]));
            assert_eq!(live(fake).len(), 1);
        } else {
            assert_eq!(live(fake).len(), 2);
            assert!(out.all().contains(&first), "{}", out.all());
        }
    });
}

#[test]
fn a_plain_taint_of_an_unchanged_body_warns_about_nothing() {
    in_each_mode(|_, fake, ws| {
        ws.config(&splunk("tainted-plain", ""));
        ws.apply(&[]);
        let old = fake.sources()[0].id.clone();
        ws.run(&["taint", "-no-color", "sigsentry_log_source.a"])
            .ok();
        fake.later();
        // Destroy, then create: the create's key names the source this apply deleted.
        let out = ws.apply(&[]);
        assert_eq!(provider_warnings(&out), 0, "{}", out.all());
        let now = live(fake);
        assert_eq!(now.len(), 1);
        assert!(!now.contains(&old));
        assert_eq!(ids_in_state(ws), now);
    });
}

#[test]
fn a_source_deleted_in_the_dashboard_is_made_again_without_warnings() {
    in_each_mode(|_, fake, ws| {
        ws.config(&splunk("deleted-outside", ""));
        ws.apply(&[]);
        let old = fake.sources()[0].id.clone();
        fake.remove(&old);
        fake.later();
        let out = ws.apply(&[]);
        assert_eq!(provider_warnings(&out), 0, "{}", out.all());
        assert_eq!(live(fake).len(), 1);
        assert_eq!(ids_in_state(ws), live(fake));
    });
}

#[test]
fn duplicate_advice_never_names_a_source_the_plan_saw_held() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    // The object create-before-destroy replaces.
    ws.config(&splunk("replaced", CBD));
    ws.apply(&[]);
    let held = fake.sources()[0].id.clone();
    let plan = ws.run(&["plan", "-no-color", "-replace=sigsentry_log_source.a"]);
    assert!(!advises_about(&plan, &held), "{}", plan.all());
    assert_eq!(provider_warnings(&plan), 0, "{}", plan.all());

    // A for_each key renamed without `moved`, planned without refresh.
    let keyed = |key: &str| {
        format!(
            r#"
resource "sigsentry_log_source" "k" {{
  for_each    = toset(["{key}"])
  type        = "splunk"
  name        = "keyed"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
        )
    };
    ws.config(&keyed("old"));
    ws.apply(&[]);
    let keyed_id = ws.resource("sigsentry_log_source.k[\"old\"]")["id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.config(&keyed("new"));
    let plan = ws.run(&["plan", "-no-color", "-refresh=false"]);
    assert!(!advises_about(&plan, &keyed_id), "{}", plan.all());
}

/// True when `run` shows the duplicate advice about source `id`.
fn advises_about(run: &Run, id: &str) -> bool {
    run.all()
        .split("Warning: ")
        .any(|w| w.starts_with("A log source with this type and name") && w.contains(id))
}

#[test]
fn duplicate_advice_about_an_unread_sibling_says_what_else_it_may_be() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&splunk("sibling", ""));
    ws.apply(&[]);
    let sibling = fake.sources()[0].id.clone();
    ws.config(&format!(
        "{}\n{}",
        splunk("sibling", ""),
        splunk_named("b", "sibling", "")
    ));
    // Outside -target the sibling is never read, so the plan cannot know who holds it.
    let plan = ws.run(&["plan", "-no-color", "-target=sigsentry_log_source.b"]);
    let text = plan.all();
    assert!(advises_about(&plan, &sibling), "{text}");
    assert!(
        text.contains("-target") && text.contains("terraform state list"),
        "{text}"
    );
}

#[test]
fn an_imported_source_claimed_by_another_object_warns_at_its_first_change() {
    // Import blocks are Terraform 1.5+.
    if !require_terraform(1, 5) {
        return;
    }
    in_each_mode(|mode, fake, first| {
        let id = fake.create_out_of_band("splunk", "from-dashboard", &["main"]);
        let second = Workspace::new(&fake.url(), support::fake::KEY);
        let config = |name: &str| {
            format!(
                "{}\nimport {{\n  to = sigsentry_log_source.a\n  id = \"{id}\"\n}}\n",
                splunk(name, "")
            )
        };
        // Import is trusted: the plan says nothing. Its apply sends the credentials (the
        // API never returns them), the first change, which claims the source.
        first.config(&config("from-dashboard"));
        let plan = first.plan();
        assert_eq!(provider_warnings(&plan), 0, "{}", plan.all());
        let out = first.apply(&[]);
        assert_eq!(provider_warnings(&out), 0, "{}", out.all());
        // Another state importing the same source finds it claimed at its first change.
        second.config(&config("from-dashboard"));
        let out = second.apply(&[]);
        let warned = out
            .all()
            .contains("Imported log source is claimed by another object");
        assert_eq!(warned, arbitrates(mode), "{}", out.all());
        assert_eq!(live(fake).len(), 1);
    });
}

#[test]
fn an_import_block_planned_then_applied_imports_quietly() {
    // Import blocks are Terraform 1.5+.
    if !require_terraform(1, 5) {
        return;
    }
    let Some((fake, ws)) = setup() else {
        return;
    };
    let id = fake.create_out_of_band("splunk", "from-dashboard", &["main"]);
    ws.config(&format!(
        "{}\nimport {{\n  to = sigsentry_log_source.a\n  id = \"{id}\"\n}}\n",
        splunk("from-dashboard", "")
    ));
    // The plan imports too; the apply imports again: neither may see the other's work.
    let plan = ws.plan();
    assert_eq!(provider_warnings(&plan), 0, "{}", plan.all());
    let out = ws.apply(&[]);
    assert_eq!(provider_warnings(&out), 0, "{}", out.all());
    assert_eq!(ids_in_state(&ws), live(&fake));
    ws.assert_no_changes();
}

#[test]
fn a_create_costs_one_request() {
    in_each_mode(|_, fake, ws| {
        ws.config(
            r#"
resource "sigsentry_log_source" "many" {
  count       = 12
  type        = "splunk"
  name        = "cost-${count.index}"
  credentials = { host = "https://splunk.example.com", token = "tok" }
  sources     = ["main"]
}
"#,
        );
        fake.handle().clear_log();
        ws.apply(&[]);
        assert_eq!(count(fake, "POST"), 12);
        assert_eq!(count(fake, "PATCH"), 0, "no claim on a fresh create");
        // The duplicate advice lists the (empty) project once per command, and each walk
        // checks the project with a one-source read.
        let listings = fake
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.query != "limit=1")
            .count();
        assert!(listings <= 1, "{:?}", fake.requests());
        assert!(count(fake, "GET") <= 3, "{:?}", fake.requests());
    });
}

#[test]
fn a_failed_destroy_keeps_the_private_state_of_the_object() {
    let Some((fake, ws)) = setup() else {
        return;
    };
    ws.config(&splunk("keeps-private", ""));
    ws.apply(&[]);
    ws.config(&splunk("keeps-private-renamed", ""));
    ws.apply(&[]);
    let before = ws.private_of("a");
    assert_eq!(before["g"], 1, "one update counted: {before}");
    fake.fail_next(Fault::status("DELETE", PATH, 1, 403, "FORBIDDEN"));
    let out = ws.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0);
    assert_eq!(
        ws.private_of("a"),
        before,
        "the failed destroy reset private state"
    );
    assert_eq!(fake.sources().len(), 1);
}

#[test]
fn write_only_credentials_leave_nothing_in_state_to_test_a_guess_against() {
    // Write-only attributes are Terraform 1.11+.
    if !require_terraform(1, 11) {
        return;
    }
    let Some((_fake, ws)) = setup() else {
        return;
    };
    let config = |keys: &str| {
        format!(
            r#"
resource "sigsentry_log_source" "a" {{
  type                   = "splunk"
  name                   = "write-only"
  credentials_wo         = {{ {keys} }}
  credentials_wo_version = "1"
  sources                = ["main"]
}}
"#
        )
    };
    ws.config(&config(
        r#"host = "https://splunk.example.com", token = "hunter2-secret""#,
    ));
    ws.apply(&[]);
    let state = ws.state_file();
    assert!(!state.contains("hunter2"), "a write-only value in state");
    // Private state holds the key names sent, and nothing derived from a value.
    let private = ws.private_of("a");
    assert_eq!(private, serde_json::json!({"wk": ["host", "token"]}));
}
