//! The network is untrusted: the real terraform CLI drives the provider against small
//! servers that each answer one bad way. Every case ends in a clear error within a stated
//! bound, or in the right state; no panic reaches Terraform's log, no request goes to a
//! path the provider did not mean, and no secret comes back out.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::hostile::{source, Hostile, Reply, Seen};
use support::terraform::{require_terraform, Run, Workspace};

const COLLECTION: &str = "/v1/config/log-sources";
const SECRET: &str = "tok-hostile-SECRET-1234";

/// The credential comes from a sensitive variable (`TF_VAR_token`), as it would in real
/// use: a literal in the configuration would be shown by Terraform itself whenever a
/// diagnostic points at the attribute.
fn resource() -> String {
    r#"
variable "token" {
  type      = string
  sensitive = true
}

resource "sigsentry_log_source" "s" {
  type        = "splunk"
  name        = "hostile"
  credentials = { host = "https://splunk.example.com", token = var.token }
  sources     = ["main"]
}
"#
    .to_string()
}

const LIST: &str = r#"
data "sigsentry_log_sources" "all" {}
output "n" { value = length(data.sigsentry_log_sources.all.ids) }
"#;

/// A workspace against `h`, logging at debug so a panic would show, with fast retries.
fn workspace(h: &Hostile) -> Option<Workspace> {
    if !require_terraform(1, 0) {
        return None;
    }
    let mut ws = Workspace::new(&h.url(), support::fake::KEY);
    ws.set_env("TF_VAR_token", SECRET);
    ws.set_env("TF_LOG", "debug");
    ws.set_env("SIGSENTRY_MAX_RETRIES", "2");
    Some(ws)
}

/// What every hostile case must show: a failure (or success) without a panic, the secret
/// and the API key absent, and only the paths the provider means.
fn assert_contained(run: &Run, h: &Hostile, allowed: &[&str]) {
    let all = run.all();
    assert!(!all.contains("panicked"), "a panic reached the log:\n{all}");
    assert!(!all.contains(SECRET), "the credential leaked");
    assert!(!all.contains(support::fake::KEY), "the API key leaked");
    for s in h.seen() {
        assert!(
            allowed.iter().any(|p| s.path() == *p),
            "unexpected request {} {}",
            s.method,
            s.target
        );
    }
}

/// An empty list page: the answer to the plan-time listing, which these cases are not about.
fn empty_page() -> Reply {
    Reply::json(
        200,
        json!({"success": true, "data": [], "nextCursor": null}),
    )
}

fn is_list(req: &Seen) -> bool {
    req.method == "GET" && req.path() == COLLECTION
}

fn count(h: &Hostile, method: &str) -> usize {
    h.seen().iter().filter(|s| s.method == method).count()
}

fn timed(f: impl FnOnce() -> Run) -> (Run, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

#[test]
fn list_pages_that_never_end_stop_at_the_page_limit() {
    let h = Hostile::start(|_, n| {
        Reply::json(
            200,
            json!({"success": true, "data": [], "nextCursor": format!("c{n}")}),
        )
    });
    let Some(ws) = workspace(&h) else {
        return;
    };
    ws.config(LIST);
    let (run, took) = timed(|| ws.run(&["plan", "-no-color"]));
    assert_ne!(run.code, 0);
    assert!(
        run.all().contains("longer than 1000 pages"),
        "{}",
        run.all()
    );
    assert!(took < Duration::from_secs(120), "{took:?}");
    assert_eq!(h.seen().len(), 1000);
    assert_contained(&run, &h, &[COLLECTION]);
}

#[test]
fn a_page_of_110_mb_is_refused_unread_in_bounded_memory() {
    for declared in [false, true] {
        let h = Hostile::start(move |_, _| Reply::Huge {
            prefix: r#"{"success":true,"nextCursor":null,"data":["#.into(),
            chunk: format!("{},", source("ls_big", &"n".repeat(180))),
            total: 110 * 1024 * 1024,
            declared,
        });
        let Some(mut ws) = workspace(&h) else {
            return;
        };
        let usage = ws.path().join("usage.txt");
        ws.set_env("SIGSENTRY_USAGE_FILE", &usage.display().to_string());
        ws.config(LIST);
        let run = ws.run(&["plan", "-no-color"]);
        assert_ne!(run.code, 0);
        assert!(run.all().contains("larger than 4 MiB"), "{}", run.all());
        assert_contained(&run, &h, &[COLLECTION]);
        // Every provider process of the run reports its peak RSS (kB) when it exits.
        let peak_kb = std::fs::read_to_string(&usage)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
            .max()
            .expect("the provider reported its usage");
        assert!(peak_kb < 100 * 1024, "peak RSS {peak_kb} kB");
    }
}

#[test]
fn an_endless_retry_after_after_a_slow_attempt_fails_without_a_panic() {
    let h = Hostile::start(|req: &Seen, _| {
        if is_list(req) {
            return empty_page();
        }
        Reply::After(
            Duration::from_millis(1500),
            Box::new(Reply::Full(
                429,
                vec![("Retry-After".into(), "18446744073709551615".into())],
                json!({"success": false, "error": {"code": "RATE_LIMITED", "message": "later"}})
                    .to_string(),
            )),
        )
    });
    let Some(ws) = workspace(&h) else {
        return;
    };
    ws.config(&resource());
    let (run, took) = timed(|| ws.run(&["apply", "-auto-approve", "-no-color"]));
    assert_ne!(run.code, 0);
    assert!(run.all().contains("asked to wait"), "{}", run.all());
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(
        count(&h, "POST"),
        1,
        "a wait past the deadline is not waited"
    );
    assert_contained(&run, &h, &[COLLECTION]);
}

#[test]
fn a_body_dripped_a_byte_at_a_time_is_bounded_by_the_total_timeout() {
    let h = Hostile::start(|_, _| {
        Reply::Drip(
            200,
            json!({"success": true, "data": source("ls_drip", "d")}).to_string(),
            Duration::from_millis(100),
        )
    });
    let Some(mut ws) = workspace(&h) else {
        return;
    };
    ws.set_env("SIGSENTRY_TIMEOUT_SECONDS", "2");
    ws.set_env("SIGSENTRY_TOTAL_TIMEOUT_SECONDS", "5");
    ws.set_env("SIGSENTRY_MAX_RETRIES", "20");
    ws.config(r#"data "sigsentry_log_source" "d" { id = "ls_drip" }"#);
    let (run, took) = timed(|| ws.run(&["plan", "-no-color"]));
    assert_ne!(run.code, 0);
    assert!(run.all().contains("gave up after 5 s"), "{}", run.all());
    // 5 s for the operation plus Terraform's own start-up and shutdown.
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert_contained(&run, &h, &[&format!("{COLLECTION}/ls_drip")]);
}

#[test]
fn unusable_ids_from_a_create_never_reach_state_or_a_path() {
    for id in [".", "", ".."] {
        let h = Hostile::start(move |req: &Seen, _| {
            if is_list(req) {
                empty_page()
            } else {
                Reply::ok(201, source(id, "hostile"))
            }
        });
        let Some(ws) = workspace(&h) else {
            return;
        };
        ws.config(&resource());
        let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
        assert_ne!(run.code, 0, "id {id:?} accepted");
        assert!(run.all().contains("id is unusable"), "{}", run.all());
        assert!(ws.resource("sigsentry_log_source.s").is_null());
        let destroy = ws.run(&["destroy", "-auto-approve", "-no-color"]).ok();
        // Only the one POST: no claim, no DELETE of the collection or its parent.
        assert_eq!(count(&h, "POST"), 1, "{:?}", h.seen());
        assert_eq!(
            h.seen().len(),
            count(&h, "POST") + count(&h, "GET"),
            "{:?}",
            h.seen()
        );
        assert_contained(&destroy, &h, &[COLLECTION]);
    }
}

#[test]
fn an_answer_about_another_source_is_refused_and_never_deleted() {
    // Creates and claims answer about ls_mine; later reads answer about ls_theirs.
    let h = Hostile::start(|req: &Seen, _| match req.method.as_str() {
        "POST" => Reply::ok(201, source("ls_mine", "hostile")),
        "PATCH" => Reply::ok(200, source("ls_mine", "hostile")),
        "DELETE" => Reply::Full(204, Vec::new(), String::new()),
        _ => Reply::ok(200, source("ls_theirs", "hostile")),
    });
    let Some(ws) = workspace(&h) else {
        return;
    };
    ws.config(&resource());
    ws.apply(&[]);
    let plan = ws.run(&["plan", "-no-color"]);
    assert_ne!(plan.code, 0);
    assert!(
        plan.all().contains("different log source"),
        "{}",
        plan.all()
    );
    assert_eq!(ws.resource("sigsentry_log_source.s")["id"], "ls_mine");
    let destroy = ws
        .run(&["destroy", "-auto-approve", "-no-color", "-refresh=false"])
        .ok();
    let deletes: Vec<String> = h
        .seen()
        .into_iter()
        .filter(|s| s.method == "DELETE")
        .map(|s| s.target)
        .collect();
    assert_eq!(deletes, [format!("{COLLECTION}/ls_mine")]);
    assert_contained(
        &destroy,
        &h,
        &[COLLECTION, &format!("{COLLECTION}/ls_mine")],
    );
}

#[test]
fn success_false_is_an_error_and_an_empty_200_delete_is_success() {
    let h = Hostile::start(|req: &Seen, _| match req.method.as_str() {
        "POST" if req.body.contains("\"name\":\"refused\"") => Reply::json(
            201,
            json!({"success": false, "data": source("ls_no", "refused")}),
        ),
        "POST" => Reply::ok(201, source("ls_yes", "hostile")),
        "PATCH" => Reply::ok(200, source("ls_yes", "hostile")),
        "DELETE" => Reply::Full(200, Vec::new(), String::new()),
        _ => Reply::ok(200, source("ls_yes", "hostile")),
    });
    let Some(ws) = workspace(&h) else {
        return;
    };
    ws.config(&resource().replace("\"hostile\"", "\"refused\""));
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(run.all().contains("does not say"), "{}", run.all());
    assert!(ws.resource("sigsentry_log_source.s").is_null());

    ws.config(&resource());
    ws.apply(&[]);
    let destroy = ws.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    let deletes = h.seen().iter().filter(|s| s.method == "DELETE").count();
    assert_eq!(deletes, 1, "a successful delete was retried");
    assert_contained(&destroy, &h, &[COLLECTION, &format!("{COLLECTION}/ls_yes")]);
}

#[test]
fn proxies_are_never_used_for_a_plain_http_api() {
    let Some((fake, mut ws)) = support::setup() else {
        return;
    };
    let proxy = Hostile::start(|_, _| Reply::json(502, json!({})));
    ws.set_env("TF_VAR_token", SECRET);
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
    ] {
        ws.set_env(var, &proxy.url());
    }
    ws.config(&resource());
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    assert!(proxy.seen().is_empty(), "the proxy saw {:?}", proxy.seen());
}

#[test]
fn api_error_text_is_redacted_and_stripped_of_control_characters() {
    let h = Hostile::start(|req: &Seen, _| {
        // Echo the submitted token back, with an ANSI escape, as a careless API might.
        let token = req
            .body
            .split("\"token\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("")
            .to_string();
        Reply::json(
            400,
            json!({"success": false, "error": {"code": "VALIDATION_ERROR",
                "message": format!("token {token} is invalid \u{1b}[2J\u{1b}[31mred"),
                "details": [{"field": "credentials.token", "message": format!("{token} rejected")}]}}),
        )
    });
    let Some(mut ws) = workspace(&h) else {
        return;
    };
    ws.set_env("TF_LOG", "trace");
    ws.config(&resource());
    let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
    assert_ne!(run.code, 0);
    let all = run.all();
    assert!(all.contains("<redacted> is invalid"), "{all}");
    assert!(
        !all.contains('\u{1b}'),
        "an escape sequence reached the output"
    );
    assert_contained(&run, &h, &[COLLECTION]);
}
