//! Against an API at scale, with the real CLI: a refresh of many sources walks the list
//! instead of reading each, a few sources in a big project are still read one by one,
//! drift is still seen, and a rate limit slows the provider down instead of failing it.

mod support;

use sigsentry_mock::{FakeApi, Settings};
use support::fake::Fake;
use support::terraform::{require_terraform, Workspace};

const COLLECTION: &str = "/v1/config/log-sources";

fn splunk(count: usize) -> String {
    format!(
        r#"
resource "sigsentry_log_source" "s" {{
  count       = {count}
  type        = "splunk"
  name        = "scale-${{count.index}}"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
    )
}

/// (list requests, per-source GETs) since the log was cleared.
fn reads(fake: &Fake) -> (usize, usize) {
    let r = fake.requests();
    let gets = r.iter().filter(|r| r.method == "GET");
    let lists = gets.clone().filter(|r| r.path == COLLECTION).count();
    (lists, gets.count() - lists)
}

fn applied(n: usize, test: &str) -> Option<(Fake, Workspace)> {
    let (fake, ws) = support::setup(test)?;
    ws.config(&splunk(n));
    ws.apply(&["-parallelism=20"]);
    assert_eq!(fake.sources().len(), n);
    fake.handle().clear_log();
    Some((fake, ws))
}

#[test]
fn a_refresh_of_250_sources_walks_the_list_and_gets_none() {
    let Some((fake, ws)) = applied(250, "a_refresh_of_250_sources_walks_the_list") else {
        return;
    };
    ws.assert_no_changes();
    let (lists, gets) = reads(&fake);
    assert!(lists <= 5, "{lists} list requests");
    assert_eq!(gets, 0, "per-source GETs: {:?}", fake.requests());
}

#[test]
fn drift_is_still_seen_under_the_list_snapshot() {
    let Some((fake, ws)) = applied(250, "drift_is_still_seen_under_the_list_snapshot") else {
        return;
    };
    let all = fake.sources();
    fake.rename(&all[10].id, "renamed-in-dashboard");
    fake.remove(&all[200].id);
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("renamed-in-dashboard"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("1 to add, 1 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    // The deleted one was confirmed by GET (a 404) before it left state.
    let (lists, gets) = reads(&fake);
    assert!(lists <= 5, "{lists} list requests");
    assert_eq!(gets, 1, "{:?}", fake.requests());
    ws.apply(&["-parallelism=20"]);
    assert_eq!(fake.sources().len(), 250);
    ws.assert_no_changes();
}

#[test]
fn three_sources_in_a_project_of_500_are_read_one_by_one() {
    let Some((fake, ws)) = applied(3, "three_sources_in_a_project_of_500") else {
        return;
    };
    for i in 0..497 {
        fake.create_out_of_band("loki", &format!("other-{i}"), &["{a=\"b\"}"]);
    }
    fake.handle().clear_log();
    ws.assert_no_changes();
    assert_eq!(reads(&fake), (0, 3), "{:?}", fake.requests());
}

#[test]
fn a_rate_limited_apply_creates_each_source_once() {
    if !require_terraform(1, 0, "a_rate_limited_apply_creates_each_source_once") {
        return;
    }
    let fake = Fake::start_with(FakeApi::new().pacing(Settings {
        latency_ms: 0,
        rate_limit: 20,
    }));
    let ws = Workspace::new(&fake.url(), support::fake::KEY);
    ws.config(&splunk(60));
    ws.apply(&["-parallelism=20"]);
    let sources = fake.sources();
    assert_eq!(sources.len(), 60);
    let mut names: Vec<_> = sources.iter().map(|s| s.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 60, "a source was created twice");
    let requests = fake.requests();
    let limited = requests.iter().filter(|r| r.status == 429).count();
    assert!(
        limited * 20 < requests.len(),
        "{limited} of {} requests answered 429",
        requests.len()
    );
    ws.assert_no_changes();
}
