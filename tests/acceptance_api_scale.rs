//! Against an API at scale, with the real CLI: a refresh of many sources walks the list
//! instead of reading each, a few sources in a big project are still read one by one,
//! drift is still seen, and a rate limit slows the provider down instead of failing it.

mod support;

use sigsentry_mock::{ApiKey, FakeApi, RateLimitHeaders, Settings};
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

fn applied(n: usize) -> Option<(Fake, Workspace)> {
    let (fake, ws) = support::setup()?;
    ws.config(&splunk(n));
    ws.apply(&["-parallelism=20"]);
    assert_eq!(fake.sources().len(), n);
    fake.handle().clear_log();
    Some((fake, ws))
}

#[test]
fn a_refresh_of_250_sources_walks_the_list_and_gets_none() {
    let Some((fake, ws)) = applied(250) else {
        return;
    };
    ws.assert_no_changes();
    let (lists, gets) = reads(&fake);
    assert!(lists <= 5, "{lists} list requests");
    assert_eq!(gets, 0, "per-source GETs: {:?}", fake.requests());
}

#[test]
fn drift_is_still_seen_under_the_list_snapshot() {
    let Some((fake, ws)) = applied(250) else {
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
    let Some((fake, ws)) = applied(3) else {
        return;
    };
    for i in 0..497 {
        fake.create_out_of_band("loki", &format!("other-{i}"), &["{a=\"b\"}"]);
    }
    fake.handle().clear_log();
    ws.assert_no_changes();
    assert_eq!(reads(&fake), (0, 3), "{:?}", fake.requests());
}

/// Applies `creates` sources at `-parallelism=20` under a limit of 20 requests a second
/// and checks each was made once; the 429s met and the requests made. With `projects`, a
/// tenant-scoped key spreads them over those projects: the limit is the key's, and so is
/// the pace.
fn rate_limited_apply(
    creates: usize,
    headers: RateLimitHeaders,
    projects: &[&str],
) -> (usize, usize) {
    let mut api = FakeApi::new().pacing(Settings {
        rate_limit: 20,
        rate_limit_headers: headers,
        ..Settings::default()
    });
    for p in projects {
        api = api.project(p);
    }
    const TENANT_KEY: &str = "ss_secret_tenant_scale";
    let fake = Fake::start_with(api.key(ApiKey::tenant(TENANT_KEY)));
    let (key, config) = if projects.is_empty() {
        (support::fake::KEY, splunk(creates))
    } else {
        let list = projects
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let spread =
            format!("project_id  = element([{list}], count.index)\n  type        = \"splunk\"");
        (
            TENANT_KEY,
            splunk(creates).replace("type        = \"splunk\"", &spread),
        )
    };
    let ws = Workspace::new(&fake.url(), key);
    ws.config(&config);
    ws.apply(&["-parallelism=20"]);
    let sources = fake.sources();
    assert_eq!(sources.len(), creates);
    for p in projects {
        let here = sources.iter().filter(|s| s.project_id == *p).count();
        assert!(
            here * projects.len() >= creates - projects.len(),
            "{p}: {here}"
        );
    }
    let mut names: Vec<_> = sources.iter().map(|s| s.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), creates, "a source was created twice");
    let requests = fake.requests();
    let limited = requests.iter().filter(|r| r.status == 429).count();
    ws.assert_no_changes();
    (limited, requests.len())
}

#[test]
fn a_rate_limited_apply_creates_each_source_once() {
    if !require_terraform(1, 0) {
        return;
    }
    let (limited, requests) = rate_limited_apply(60, RateLimitHeaders::Full, &[]);
    assert!(
        limited * 20 < requests,
        "{limited} of {requests} requests answered 429"
    );
}

#[test]
fn an_apply_over_three_projects_under_a_limit_that_sends_only_retry_after_learns_its_pace() {
    if !require_terraform(1, 0) {
        return;
    }
    // 300: the requests already on their way when the first 429 comes (up to one per
    // worker) are a fixed cost, so a small apply cannot show the share. Spread over three
    // projects of one tenant key, which share the key's one limit.
    let (limited, requests) = rate_limited_apply(
        300,
        RateLimitHeaders::None,
        &["prj_one", "prj_two", "prj_three"],
    );
    assert!(
        limited * 20 <= requests,
        "{limited} of {requests} requests answered 429"
    );
}
