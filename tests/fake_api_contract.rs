//! The fake API against the contract text itself (plain HTTP, not our client), so it cannot
//! drift into agreeing with the client's bugs.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sigsentry_mock::{ApiKey, FakeApi, FakeHandle, FaultAction, FaultRule, KeyScope};

const RW: &str = "ss_secret_rw";
const RO: &str = "ss_secret_ro";
const WO: &str = "ss_secret_wo";
const TENANT: &str = "ss_secret_tenant";
const OTHER: &str = "ss_secret_other_project";
const BASE: &str = "/v1/config/log-sources";

async fn start(api: FakeApi) -> FakeHandle {
    let mut ro = ApiKey::project(RO, "prj_default");
    ro.write = false;
    let mut wo = ApiKey::project(WO, "prj_default");
    wo.read = false;
    let tenant = ApiKey {
        token: TENANT.into(),
        scope: KeyScope::Tenant,
        read: true,
        write: true,
    };
    api.key(ApiKey::project(RW, "prj_default"))
        .key(ro)
        .key(wo)
        .key(tenant)
        .key(ApiKey::project(OTHER, "prj_other"))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// A plain HTTP client (reqwest's rustls backend needs a crypto provider installed).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

struct Call {
    status: StatusCode,
    body: Value,
    replayed: bool,
    retry_after: Option<String>,
}

async fn call(
    fake: &FakeHandle,
    method: &str,
    path: &str,
    key: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Call {
    let client = http();
    let mut req = client.request(method.parse().unwrap(), format!("{}{path}", fake.url()));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    for (h, v) in headers {
        req = req.header(*h, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().await.unwrap();
    Call {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        replayed,
        retry_after,
    }
}

fn cloudwatch(name: &str) -> Value {
    json!({"type": "cloudwatch", "name": name,
           "credentials": {"accessKeyId": "AKIA", "secretAccessKey": "s"},
           "sources": ["/aws/lambda/a"]})
}

fn fields(c: &Call) -> Vec<String> {
    c.body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| d["field"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn create_get_patch_delete_follow_the_contract() {
    let fake = start(FakeApi::new()).await;
    let c = call(&fake, "POST", BASE, Some(RW), &[], Some(cloudwatch("prod"))).await;
    assert_eq!(c.status, StatusCode::CREATED);
    assert_eq!(c.body["success"], true);
    let d = &c.body["data"];
    let id = d["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("ls_"));
    assert_eq!(d["isActive"], true);
    assert!(d["tenantId"].is_string() && d["createdAt"].is_string());
    assert!(
        d.get("credentials").is_none(),
        "credentials are never returned"
    );

    let g = call(&fake, "GET", &format!("{BASE}/{id}"), Some(RO), &[], None).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.body["data"]["name"], "prod");
    assert!(g.body["data"].get("credentials").is_none());

    let p = call(
        &fake,
        "PATCH",
        &format!("{BASE}/{id}"),
        Some(RW),
        &[],
        Some(json!({"name": "renamed", "isActive": false, "sources": ["/x", "/y"]})),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.body["data"]["name"], "renamed");
    assert_eq!(p.body["data"]["isActive"], false);
    assert_eq!(p.body["data"]["sources"], json!(["/x", "/y"]));

    let t = call(
        &fake,
        "PATCH",
        &format!("{BASE}/{id}"),
        Some(RW),
        &[],
        Some(json!({"type": "loki"})),
    )
    .await;
    assert_eq!(t.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&t), vec!["type"]);

    let bad = call(
        &fake,
        "PATCH",
        &format!("{BASE}/{id}"),
        Some(RW),
        &[],
        Some(json!({"credentials": {"accessKeyId": "A"}})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(fields(&bad).contains(&"credentials.secretAccessKey".to_string()));

    let del = call(
        &fake,
        "DELETE",
        &format!("{BASE}/{id}"),
        Some(RW),
        &[],
        None,
    )
    .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let again = call(
        &fake,
        "DELETE",
        &format!("{BASE}/{id}"),
        Some(RW),
        &[],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.body["error"]["code"], "NOT_FOUND");
    let gone = call(&fake, "GET", &format!("{BASE}/{id}"), Some(RW), &[], None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn validation_rules_per_type() {
    let fake = start(FakeApi::new()).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"type": "kafka", "name": "n", "credentials": {}, "sources": ["a"]}),
            "type",
        ),
        (
            json!({"type": "loki", "name": "", "credentials": {"host": "https://h"}, "sources": ["a"]}),
            "name",
        ),
        (
            json!({"type": "loki", "name": "x".repeat(256), "credentials": {"host": "https://h"}, "sources": ["a"]}),
            "name",
        ),
        (
            json!({"type": "loki", "name": "n", "credentials": {"host": "https://h"}, "sources": []}),
            "sources",
        ),
        (
            json!({"type": "loki", "name": "n", "credentials": {"host": "https://h"}, "sources": ["a", ""]}),
            "sources[1]",
        ),
        (
            json!({"type": "loki", "name": "n", "credentials": {"host": "https://h"}, "sources": ["a", "a"]}),
            "sources[1]",
        ),
        (
            json!({"type": "cloudwatch", "name": "n", "credentials": {"accessKeyId": "A", "secretAccessKey": ""}, "sources": ["a"]}),
            "credentials.secretAccessKey",
        ),
        (
            json!({"type": "datadog", "name": "n", "credentials": {"apiKey": "a"}, "sources": ["a"]}),
            "credentials.appKey",
        ),
        (
            json!({"type": "loki", "name": "n", "credentials": {"host": "ftp://h"}, "sources": ["a"]}),
            "credentials.host",
        ),
        (
            json!({"type": "splunk", "name": "n", "credentials": {"host": "https://h"}, "sources": ["a"]}),
            "credentials.token",
        ),
        (
            json!({"type": "elastic", "name": "n", "credentials": {"host": "https://h", "username": "u", "password": "p", "apiKey": "k"}, "sources": ["a"]}),
            "credentials",
        ),
        (
            json!({"type": "elastic", "name": "n", "credentials": {"host": "https://h"}, "sources": ["a"]}),
            "credentials",
        ),
        (
            json!({"type": "gcp_logging", "name": "n", "credentials": {"serviceAccountJson": "[1]"}, "sources": ["a"]}),
            "credentials.serviceAccountJson",
        ),
        (
            json!({"type": "datadog", "name": "n", "credentials": {"apiKey": "a", "appKey": "b", "site": "eu"}, "sources": ["a"]}),
            "credentials.site",
        ),
    ];
    for (body, field) in cases {
        let c = call(&fake, "POST", BASE, Some(RW), &[], Some(body.clone())).await;
        assert_eq!(c.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(c.body["error"]["code"], "VALIDATION_ERROR");
        assert!(
            fields(&c).contains(&field.to_string()),
            "{body}: {:?}",
            fields(&c)
        );
    }
    for ok in [
        json!({"type": "elastic", "name": "n", "credentials": {"host": "https://h", "apiKey": "k"}, "sources": ["a"]}),
        json!({"type": "gcp_logging", "name": "n", "credentials": {"serviceAccountJson": "{\"type\":\"service_account\"}"}, "sources": ["a"]}),
        json!({"type": "loki", "name": "é".repeat(255), "credentials": {"host": "http://h", "orgId": "o"}, "sources": ["a"]}),
    ] {
        let c = call(&fake, "POST", BASE, Some(RW), &[], Some(ok.clone())).await;
        assert_eq!(c.status, StatusCode::CREATED, "{ok}: {}", c.body);
    }
    assert!(fake
        .requests()
        .iter()
        .all(|r| r.key_tail.as_deref() == Some("t_rw")));
}

#[tokio::test]
async fn keys_scopes_and_permissions() {
    let fake = start(FakeApi::new()).await;
    let none = call(&fake, "GET", BASE, None, &[], None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let wrong = call(&fake, "GET", BASE, Some("ss_secret_nope"), &[], None).await;
    assert_eq!(wrong.body["error"]["code"], "UNAUTHORIZED");
    let ro = call(&fake, "POST", BASE, Some(RO), &[], Some(cloudwatch("x"))).await;
    assert_eq!(ro.status, StatusCode::FORBIDDEN);
    assert_eq!(ro.body["error"]["code"], "FORBIDDEN");
    let wo = call(&fake, "GET", BASE, Some(WO), &[], None).await;
    assert_eq!(wo.status, StatusCode::FORBIDDEN);

    // Tenant keys name the project; project keys see only their project.
    let t = call(
        &fake,
        "POST",
        BASE,
        Some(TENANT),
        &[],
        Some(cloudwatch("x")),
    )
    .await;
    assert_eq!(t.status, StatusCode::BAD_REQUEST);
    let t = call(
        &fake,
        "POST",
        BASE,
        Some(TENANT),
        &[("X-Project-Id", "prj_other")],
        Some(cloudwatch("t")),
    )
    .await;
    assert_eq!(t.status, StatusCode::CREATED);
    let id = t.body["data"]["id"].as_str().unwrap().to_string();
    let other = call(
        &fake,
        "GET",
        &format!("{BASE}/{id}"),
        Some(OTHER),
        &[],
        None,
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    let default = call(&fake, "GET", &format!("{BASE}/{id}"), Some(RW), &[], None).await;
    assert_eq!(
        default.status,
        StatusCode::NOT_FOUND,
        "another project's source is invisible"
    );
    let unknown = call(
        &fake,
        "GET",
        BASE,
        Some(TENANT),
        &[("X-Project-Id", "prj_nope")],
        None,
    )
    .await;
    // A project the tenant does not have (contract, Transport: "Projects").
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["error"]["code"], "PROJECT_NOT_FOUND");
}

#[tokio::test]
async fn quota_per_project() {
    let fake = start(FakeApi::new().quota(2)).await;
    for i in 0..2 {
        let c = call(
            &fake,
            "POST",
            BASE,
            Some(RW),
            &[],
            Some(cloudwatch(&format!("q{i}"))),
        )
        .await;
        assert_eq!(c.status, StatusCode::CREATED);
    }
    let c = call(&fake, "POST", BASE, Some(RW), &[], Some(cloudwatch("q3"))).await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);
    assert_eq!(c.body["error"]["code"], "QUOTA_EXCEEDED");
}

#[tokio::test]
async fn pagination_with_a_type_filter() {
    let fake = start(FakeApi::new()).await;
    for i in 0..7 {
        fake.insert("splunk", &format!("s{i}"), &["main"]);
        fake.insert("loki", &format!("l{i}"), &["{a=\"b\"}"]);
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("{BASE}?limit=3&type=splunk&cursor={c}"),
            None => format!("{BASE}?limit=3&type=splunk"),
        };
        let c = call(&fake, "GET", &q, Some(RO), &[], None).await;
        assert_eq!(c.status, StatusCode::OK);
        pages += 1;
        for s in c.body["data"].as_array().unwrap() {
            assert_eq!(s["type"], "splunk");
            names.push(s["name"].as_str().unwrap().to_string());
        }
        match c.body["nextCursor"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => {
                assert!(c.body["nextCursor"].is_null());
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, (0..7).map(|i| format!("s{i}")).collect::<Vec<_>>());
    for bad in ["0", "101", "x"] {
        let c = call(
            &fake,
            "GET",
            &format!("{BASE}?limit={bad}"),
            Some(RO),
            &[],
            None,
        )
        .await;
        assert_eq!(c.status, StatusCode::BAD_REQUEST, "limit={bad}");
    }
    let all = call(&fake, "GET", BASE, Some(RO), &[], None).await;
    assert_eq!(
        all.body["data"].as_array().unwrap().len(),
        14,
        "default limit 50"
    );
}

#[tokio::test]
async fn idempotency_replay_reuse_and_in_progress() {
    let fake = start(FakeApi::new()).await;
    let key = [("Idempotency-Key", "k-1")];
    let a = call(&fake, "POST", BASE, Some(RW), &key, Some(cloudwatch("i"))).await;
    let b = call(&fake, "POST", BASE, Some(RW), &key, Some(cloudwatch("i"))).await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(b.status, StatusCode::CREATED);
    assert!(!a.replayed && b.replayed);
    assert_eq!(a.body, b.body);
    assert_eq!(fake.sources().len(), 1);
    let reused = call(
        &fake,
        "POST",
        BASE,
        Some(RW),
        &key,
        Some(cloudwatch("other")),
    )
    .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.body["error"]["code"], "IDEMPOTENCY_KEY_REUSED");
    let bad = call(
        &fake,
        "POST",
        BASE,
        Some(RW),
        &[("Idempotency-Key", "")],
        Some(cloudwatch("e")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // While the first request with a key is in flight, the same request gets 409.
    fake.fail_next(FaultRule {
        method: Some("POST".into()),
        path_prefix: BASE.into(),
        count: 1,
        action: FaultAction::Delay { ms: 1500 },
    });
    let slow_key = [("Idempotency-Key", "k-slow")];
    let first = call(
        &fake,
        "POST",
        BASE,
        Some(RW),
        &slow_key,
        Some(cloudwatch("slow")),
    );
    let second = async {
        // Wait until the first request is logged as started... it is logged at the end,
        // so poll the store for the in-flight key through a harmless retry loop instead.
        loop {
            let c = call(
                &fake,
                "POST",
                BASE,
                Some(RW),
                &slow_key,
                Some(cloudwatch("slow")),
            )
            .await;
            if c.status == StatusCode::CONFLICT {
                return c;
            }
            assert_ne!(
                c.status,
                StatusCode::CREATED,
                "the second request created or replayed before the first finished"
            );
        }
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.body["error"]["code"], "IDEMPOTENCY_IN_PROGRESS");
    assert_eq!(fake.sources().len(), 2);
}

#[tokio::test]
async fn faults_and_out_of_band_controls() {
    let fake = start(FakeApi::new().admin(true)).await;
    fake.fail_next(FaultRule {
        method: Some("GET".into()),
        path_prefix: BASE.into(),
        count: 1,
        action: FaultAction::Status {
            status: 429,
            code: "RATE_LIMITED".into(),
            retry_after: Some(7),
        },
    });
    let c = call(&fake, "GET", BASE, Some(RW), &[], None).await;
    assert_eq!(c.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(c.retry_after.as_deref(), Some("7"));
    assert_eq!(
        call(&fake, "GET", BASE, Some(RW), &[], None).await.status,
        StatusCode::OK
    );

    fake.fail_next(FaultRule {
        method: None,
        path_prefix: BASE.into(),
        count: 1,
        action: FaultAction::Html502,
    });
    let h = call(&fake, "GET", BASE, Some(RW), &[], None).await;
    assert_eq!(h.status, StatusCode::BAD_GATEWAY);
    assert!(h.body.is_null(), "an HTML page, not JSON");

    fake.fail_next(FaultRule {
        method: Some("POST".into()),
        path_prefix: BASE.into(),
        count: 1,
        action: FaultAction::CommitThen500,
    });
    let e = call(&fake, "POST", BASE, Some(RW), &[], Some(cloudwatch("c500"))).await;
    assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fake.sources().len(), 1, "committed despite the 500");

    fake.fail_next(FaultRule {
        method: Some("POST".into()),
        path_prefix: BASE.into(),
        count: 1,
        action: FaultAction::CommitThenDrop,
    });
    let client = http();
    let dropped = client
        .post(format!("{}{BASE}", fake.url()))
        .bearer_auth(RW)
        .json(&cloudwatch("dropped"))
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "the connection should break");
    assert_eq!(fake.sources().len(), 2, "committed before the drop");

    let id = fake.sources()[0].id.clone();
    assert!(fake.edit(&id, &json!({"name": "edited"})));
    assert_eq!(fake.sources()[0].name, "edited");
    assert!(fake.remove(&id));
    assert_eq!(fake.sources().len(), 1);
    assert!(fake
        .requests()
        .iter()
        .all(|r| !r.path.starts_with("/_fake")));

    // The same controls over HTTP, for other processes.
    let admin = call(&fake, "GET", "/_fake/sources", None, &[], None).await;
    assert_eq!(admin.body.as_array().unwrap().len(), 1);
    let rule = json!({"method": "GET", "path_prefix": BASE, "count": 1,
                      "action": {"kind": "status", "status": 503, "code": "UNAVAILABLE"}});
    assert_eq!(
        call(&fake, "POST", "/_fake/faults", None, &[], Some(rule))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        call(&fake, "GET", BASE, Some(RW), &[], None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn connection_test_endpoint() {
    let fake = start(FakeApi::new()).await;
    let good = call(&fake, "POST", BASE, Some(RW), &[], Some(cloudwatch("good"))).await;
    let id = good.body["data"]["id"].as_str().unwrap().to_string();
    let t = call(
        &fake,
        "POST",
        &format!("{BASE}/{id}/test"),
        Some(RW),
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(t.body["data"]["ok"], true);
    assert!(!t.body["data"]["sampleLines"].as_array().unwrap().is_empty());
    let mut bad = cloudwatch("bad");
    bad["credentials"]["secretAccessKey"] = json!("reject-me");
    let b = call(&fake, "POST", BASE, Some(RW), &[], Some(bad)).await;
    let id = b.body["data"]["id"].as_str().unwrap().to_string();
    let t = call(
        &fake,
        "POST",
        &format!("{BASE}/{id}/test"),
        Some(RW),
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(t.body["data"]["ok"], false);
    assert_eq!(t.body["data"]["error"]["code"], "AUTH_FAILED");
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let fake = start(FakeApi::new().state_file(&path)).await;
    let c = call(&fake, "POST", BASE, Some(RW), &[], Some(cloudwatch("kept"))).await;
    let id = c.body["data"]["id"].as_str().unwrap().to_string();
    fake.shutdown().await;
    let again = start(FakeApi::new().state_file(&path)).await;
    let g = call(&again, "GET", &format!("{BASE}/{id}"), Some(RW), &[], None).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.body["data"]["name"], "kept");
    let n = call(
        &again,
        "POST",
        BASE,
        Some(RW),
        &[],
        Some(cloudwatch("next")),
    )
    .await;
    assert_ne!(n.body["data"]["id"], json!(id));
}

#[test]
fn the_binary_prints_its_address_and_serves() {
    let mock =
        support::mock::MockProcess::start(["--listen", "127.0.0.1:0", "--key", "ss_secret_bin:rw"]);
    let url = mock.url.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        http()
            .get(format!("{url}{BASE}"))
            .bearer_auth("ss_secret_bin")
            .send()
            .await
            .unwrap()
            .status()
    });
    let exited = mock.terminate();
    assert_eq!(status, StatusCode::OK);
    assert!(exited.success(), "exits cleanly on SIGTERM");
}

#[tokio::test]
async fn admin_routes_exist_only_when_enabled() {
    let fake = start(FakeApi::new()).await;
    call(
        &fake,
        "POST",
        BASE,
        Some(RW),
        &[],
        Some(cloudwatch("secretive")),
    )
    .await;
    for (method, path) in [("GET", "/_fake/sources"), ("GET", "/_fake/requests")] {
        let c = call(&fake, method, path, None, &[], None).await;
        assert_eq!(c.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert!(!c.body.to_string().contains("secretAccessKey"));
    }
    let admin = start(FakeApi::new().admin(true)).await;
    let c = call(&admin, "GET", "/_fake/sources", None, &[], None).await;
    assert_eq!(c.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unwritable_state_file_refuses_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("state.json");
    let err = FakeApi::new()
        .state_file(&missing)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("cannot write"), "{err}");
    #[cfg(unix)]
    {
        let target = dir.path().join("real.json");
        std::fs::write(&target, "{\"sources\":[],\"seq\":0}").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = FakeApi::new()
            .state_file(&link)
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
    }
}

#[tokio::test]
async fn latency_and_a_rate_limit_pace_every_request() {
    use sigsentry_mock::Settings;
    let fake = start(FakeApi::new().pacing(Settings {
        latency_ms: 100,
        rate_limit: 2,
        ..Settings::default()
    }))
    .await;
    let started = std::time::Instant::now();
    let mut limited = Vec::new();
    for _ in 0..8 {
        let c = call(&fake, "GET", BASE, Some(RW), &[], None).await;
        if c.status == StatusCode::TOO_MANY_REQUESTS {
            limited.push(c);
        }
    }
    // Every request waited its latency, sequentially.
    assert!(started.elapsed() >= std::time::Duration::from_millis(800));
    assert!(
        !limited.is_empty(),
        "a burst past the limit was not refused"
    );
    for c in &limited {
        assert_eq!(c.body["error"]["code"], "RATE_LIMITED");
        assert!(c
            .retry_after
            .as_deref()
            .is_some_and(|r| r.parse::<u64>().unwrap() >= 1));
    }
    let refused = fake.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, limited.len());
    fake.set_pacing(Settings::default());
    assert_eq!(
        call(&fake, "GET", BASE, Some(RW), &[], None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn rate_limit_headers_can_be_turned_off_leaving_retry_after_alone() {
    use sigsentry_mock::{RateLimitHeaders, Settings};
    let fake = start(FakeApi::new().admin(true).pacing(Settings {
        rate_limit: 1,
        rate_limit_headers: RateLimitHeaders::None,
        ..Settings::default()
    }))
    .await;
    let client = http();
    let get = || async {
        client
            .get(format!("{}{BASE}", fake.url()))
            .bearer_auth(RW)
            .send()
            .await
            .unwrap()
    };
    let names = |r: &reqwest::Response| {
        let mut n: Vec<String> = r
            .headers()
            .keys()
            .map(|k| k.as_str().to_string())
            .filter(|k| k.starts_with("ratelimit-") || k == "retry-after")
            .collect();
        n.sort();
        n
    };
    let (ok, refused) = (get().await, get().await);
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(names(&ok), Vec::<String>::new());
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(names(&refused), ["retry-after"]);
    // The admin route turns them on again.
    let put = client
        .put(format!("{}/_fake/settings", fake.url()))
        .json(&json!({"rate_limit": 1, "rate_limit_headers": "full"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let names = names(&get().await);
    for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        assert!(names.iter().any(|n| n == h), "{h} missing from {names:?}");
    }
}

#[test]
fn the_binary_takes_keys_from_the_environment_and_warns_off_loopback() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = std::process::Command::new(support::mock::bin())
        .args(["--listen", "0.0.0.0:0"])
        .env("SIGSENTRY_MOCK_KEYS", "ss_secret_from_env")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&cmdline).contains("ss_secret_from_env"));
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    assert!(line.starts_with("listening on "), "{line}");
}
