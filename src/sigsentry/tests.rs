//! Client tests against an HTTP mock: exact requests, error classes, retries.

use super::*;
use httpmock::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const PATH: &str = "/v1/config/log-sources";

fn source_json(id: &str) -> serde_json::Value {
    json!({"id": id, "tenantId": "tnt_1", "type": "splunk", "name": "s",
           "sources": ["main"], "isActive": true, "createdAt": "2026-01-01T00:00:00Z",
           "someFutureField": 1})
}

fn client(server: &MockServer, retries: u32) -> Client {
    let mut cfg = ClientConfig::new(server.base_url());
    cfg.api_key = Some(Secret::new("ss_secret_test"));
    cfg.project_id = Some("prj_1".into());
    cfg.max_retries = retries;
    cfg.min_backoff = Duration::from_millis(5);
    cfg.max_backoff = Duration::from_millis(20);
    Client::new(cfg).unwrap()
}

fn new_source() -> NewLogSource {
    let mut c = BTreeMap::new();
    c.insert(
        "host".to_string(),
        Secret::new("https://splunk.example.com"),
    );
    c.insert("token".to_string(), Secret::new("tok-secret"));
    NewLogSource {
        log_type: "splunk".into(),
        name: "s".into(),
        credentials: c,
        sources: vec!["main".into()],
    }
}

#[tokio::test]
async fn create_sends_the_exact_request() {
    let server = MockServer::start_async().await;
    let c = client(&server, 0);
    let identity = c.create_identity(&new_source(), "scope").unwrap();
    let expected_key =
        super::keys::KeyDeriver::new(&Secret::new("ss_secret_test")).create(&identity, 0);
    assert!(expected_key.starts_with("tfss-c1-"));
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("authorization", "Bearer ss_secret_test")
                .header("x-project-id", "prj_1")
                .header("idempotency-key", expected_key.as_str())
                .header("content-type", "application/json")
                .json_body(json!({"type": "splunk", "name": "s", "sources": ["main"],
                    "credentials": {"host": "https://splunk.example.com", "token": "tok-secret"}}));
            then.status(201)
                .header("Idempotent-Replayed", "true")
                .json_body(json!({"success": true, "data": source_json("ls_1")}));
        })
        .await;
    let created = c.create(&new_source(), &identity, 0).await.unwrap();
    m.assert_async().await;
    assert_eq!(created.source.id, "ls_1");
    assert_eq!(created.replay, Replay::Earlier);
}

/// `createdAt` as the API would write it, `ago` before now.
fn created_ago(ago: Duration) -> String {
    let t = time::OffsetDateTime::now_utc() - ago;
    t.replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A create answered 201 without the replay header, with `createdAt` `ago` before now.
async fn unmarked_create(ago: Duration) -> Replay {
    let server = MockServer::start_async().await;
    let mut body = source_json("ls_1");
    body["createdAt"] = json!(created_ago(ago));
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(201)
                .json_body(json!({"success": true, "data": body}));
        })
        .await;
    client(&server, 0)
        .create(&new_source(), "id", 0)
        .await
        .unwrap()
        .replay
}

#[tokio::test]
async fn an_unmarked_replay_is_told_by_its_created_at() {
    // The API's `Date` and `createdAt` come from one clock: the local clock plays no part.
    assert_eq!(unmarked_create(Duration::ZERO).await, Replay::Fresh);
    assert_eq!(
        unmarked_create(Duration::from_secs(600)).await,
        Replay::Earlier
    );
    // A `createdAt` the client cannot read proves nothing.
    let server = MockServer::start_async().await;
    let mut body = source_json("ls_1");
    body["createdAt"] = json!("yesterday");
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(201)
                .json_body(json!({"success": true, "data": body}));
        })
        .await;
    let created = client(&server, 0).create(&new_source(), "id", 0).await;
    assert_eq!(created.unwrap().replay, Replay::Fresh);
}

#[tokio::test]
async fn retries_a_post_with_the_same_key_then_gives_the_last_error() {
    let server = MockServer::start_async().await;
    let key = super::keys::KeyDeriver::new(&Secret::new("ss_secret_test")).create("id", 0);
    let m = server
        .mock_async(|when, then| {
            // Every attempt carries the one key of create 0 with this identity.
            when.method(POST)
                .path(PATH)
                .header("idempotency-key", key.as_str());
            then.status(503).json_body(
                json!({"success": false, "error": {"code": "UNAVAILABLE", "message": "down"}}),
            );
        })
        .await;
    let err = client(&server, 3)
        .create(&new_source(), "id", 0)
        .await
        .unwrap_err();
    m.assert_calls_async(4).await;

    assert!(
        matches!(err, ApiError::Server { status: 503, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for (status, code) in [
        (400, "VALIDATION_ERROR"),
        (401, "UNAUTHORIZED"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (422, "IDEMPOTENCY_KEY_REUSED"),
    ] {
        let server = MockServer::start_async().await;
        let m = server
            .mock_async(|when, then| {
                when.method(POST).path(PATH);
                then.status(status)
                    .json_body(json!({"success": false, "error": {"code": code, "message": "no"}}));
            })
            .await;
        let err = client(&server, 5)
            .create(&new_source(), "id", 0)
            .await
            .unwrap_err();
        m.assert_calls_async(1).await;
        assert!(!err.to_string().is_empty());
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/ls_1"));
            then.status(429)
                .header("Retry-After", "1")
                .json_body(json!({"success": false, "error": {"code": "RATE_LIMITED", "message": "slow down"}}));
        })
        .await;
    let started = Instant::now();
    let err = client(&server, 1).get("ls_1").await.unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    m.assert_calls_async(2).await;
    assert!(matches!(err, ApiError::RateLimited { .. }));
}

#[tokio::test]
async fn html_and_truncated_bodies_become_clear_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/html"));
            then.status(502)
                .header("content-type", "text/html")
                .body("<html><body><h1>502 Bad Gateway</h1></body></html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/cut"));
            then.status(200)
                .body(r#"{"success": true, "data": {"id": "ls_"#);
        })
        .await;
    let c = client(&server, 1);
    let e = c.get("html").await.unwrap_err();
    assert!(e.to_string().contains("502 with an HTML page"), "{e}");
    let e = c.get("cut").await.unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[tokio::test]
async fn list_follows_every_page() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param("cursor", "c2")
                .query_param("type", "splunk");
            then.status(200).json_body(
                json!({"success": true, "data": [source_json("ls_3")], "nextCursor": null}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH).query_param("cursor", "c1");
            then.status(200).json_body(
                json!({"success": true, "data": [source_json("ls_2")], "nextCursor": "c2"}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param_missing("cursor")
                .query_param("limit", "100");
            then.status(200).json_body(
                json!({"success": true, "data": [source_json("ls_1")], "nextCursor": "c1"}),
            );
        })
        .await;
    let all = client(&server, 0)
        .list(&ListFilter {
            log_type: Some("splunk".into()),
            page_size: None,
        })
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["ls_1", "ls_2", "ls_3"]);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let mut cfg = ClientConfig::new("http://api.example.com");
    cfg.api_key = Some(Secret::new("ss_secret_x"));
    let err = Client::new(cfg).unwrap_err();
    assert!(matches!(err, ApiError::InsecureUrl { .. }));
    assert!(err.to_string().contains("loopback"));
    assert!(!format!("{err:?}").contains("ss_secret_x"));
    assert!(Client::new(ClientConfig::new("http://127.0.0.1:9")).is_ok());
    assert!(Client::new(ClientConfig::new("http://[::1]:9")).is_ok());
}

#[test]
fn one_key_is_one_pace_whatever_the_project() {
    let make = |key: &str, project: &str| {
        let mut cfg = ClientConfig::new("https://api.example.com");
        cfg.api_key = Some(Secret::new(key));
        cfg.project_id = Some(project.into());
        Client::new(cfg).unwrap()
    };
    let a = make("ss_secret_tenant_pace", "prj_a");
    assert!(a.shares_pace_with(&make("ss_secret_tenant_pace", "prj_b")));
    assert!(!a.shares_pace_with(&make("ss_secret_other_pace", "prj_a")));
    assert!(!format!("{a:?}").contains("ss_secret_tenant_pace"));
}

#[tokio::test]
async fn a_429_to_one_project_holds_the_next_request_to_another() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/ls_a"));
            then.status(429)
                .header("retry-after", "1")
                .json_body(json!({"success": false, "error": {"code": "RATE_LIMITED", "message": "slow down"}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/ls_b"));
            then.status(200)
                .json_body(json!({"success": true, "data": source_json("ls_b")}));
        })
        .await;
    let a = client(&server, 0);
    let mut other = ClientConfig::new(server.base_url());
    other.api_key = Some(Secret::new("ss_secret_test"));
    other.project_id = Some("prj_2".into());
    let b = Client::new(other).unwrap();
    assert!(a.get("ls_a").await.is_err());
    let started = Instant::now();
    b.get("ls_b").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn missing_key_and_cancellation() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/slow"));
            then.status(200)
                .delay(Duration::from_secs(20))
                .json_body(json!({}));
        })
        .await;
    let no_key = Client::new(ClientConfig::new(server.base_url())).unwrap();
    assert_eq!(no_key.get("x").await.unwrap_err(), ApiError::MissingApiKey);

    let token = tokio_util::sync::CancellationToken::new();
    let c = client(&server, 0).with_cancellation(token.clone());
    let started = Instant::now();
    let (r, _) = tokio::join!(c.get("slow"), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        token.cancel();
    });
    assert_eq!(r.unwrap_err(), ApiError::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn debug_output_holds_no_secret() {
    let mut cfg = ClientConfig::new("https://api.sigsentry.com");
    cfg.api_key = Some(Secret::new("ss_secret_hidden"));
    let c = Client::new(cfg.clone()).unwrap();
    assert!(!format!("{cfg:?} {c:?}").contains("ss_secret_hidden"));
}

#[tokio::test]
async fn redirects_are_not_followed_and_urls_with_user_info_are_refused() {
    let server = MockServer::start_async().await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.method(GET).path("/elsewhere");
            then.status(200)
                .json_body(json!({"success": true, "data": source_json("x")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/moved"));
            then.status(302).header("Location", "/elsewhere");
        })
        .await;
    let err = client(&server, 0).get("moved").await.unwrap_err();
    assert_eq!(
        elsewhere.calls_async().await,
        0,
        "the redirect was followed"
    );
    assert!(!err.to_string().is_empty());
    let e = Client::new(ClientConfig::new(
        "https://user:ss_secret_pw@api.sigsentry.com",
    ))
    .unwrap_err();
    assert!(!e.to_string().contains("ss_secret_pw"), "{e}");
}

#[tokio::test]
async fn an_update_key_replayed_from_an_earlier_run_moves_on_to_the_next_generation() {
    let server = MockServer::start_async().await;
    let c = client(&server, 0);
    let keys = super::keys::KeyDeriver::new(&Secret::new("ss_secret_test"));
    let patch = LogSourcePatch {
        name: Some("renamed".into()),
        ..Default::default()
    };
    let body = patch.to_body();
    let id = "ls_11111111-2222-4333-8444-555555555555";
    let stale = keys.update(id, 3, &body);
    let fresh = keys.update(id, 4, &body);
    let old = server
        .mock_async(|when, then| {
            when.method(PATCH).header("idempotency-key", stale.as_str());
            then.status(200)
                .header("Idempotent-Replayed", "true")
                .json_body(json!({"success": true, "data": source_json(id)}));
        })
        .await;
    let new = server
        .mock_async(|when, then| {
            when.method(PATCH).header("idempotency-key", fresh.as_str());
            then.status(200)
                .json_body(json!({"success": true, "data": source_json(id)}));
        })
        .await;
    let done = c.update(id, &patch, 3).await.unwrap();
    // The stored answer of generation 3 changed nothing now: generation 4 carried it.
    assert_eq!(done.generation, 4);
    old.assert_calls_async(1).await;
    new.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_platform_error_quoting_the_credentials_comes_back_redacted() {
    let server = MockServer::start_async().await;
    let c = client(&server, 0);
    let id = "ls_11111111-2222-4333-8444-555555555555";
    server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{PATH}/{id}/test"));
            then.status(200).json_body(json!({"success": true, "data": {"ok": false,
                "error": {"code": "AUTH_FAILED tok-secret",
                          "message": "token tok-secret rejected for host https://splunk.example.com"},
                "sampleLines": ["line with tok-secret in it"]}}));
        })
        .await;
    let creds = new_source().credentials;
    let r = c.test(id, Some(&creds)).await.unwrap();
    let text = format!("{} {:?}", r.reason(), r.sample_lines);
    assert!(!text.contains("tok-secret"), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
}

#[test]
fn a_body_that_is_not_json_never_shows_part_of_a_secret() {
    use super::sanitize::Redactor;
    let redact = Redactor::new(["ss_secret_test_key_123"]);
    // The secret starts inside the first 60 characters and ends after them; non-ASCII before it.
    let body = format!("é{}ss_secret_test_key_123 trailing", "x".repeat(50));
    let e = ApiError::from_response(500, None, body.as_bytes(), "text/plain", &redact);
    let text = e.to_string();
    assert!(!text.contains("ss_secret"), "{text}");
}

/// A listed source of `log_type` with `padding` bytes of a field the client ignores.
fn padded_source_json(id: &str, log_type: &str, padding: usize) -> serde_json::Value {
    json!({"id": id, "tenantId": "tnt_1", "type": log_type, "name": "s",
           "sources": ["main"], "isActive": true, "createdAt": "2026-01-01T00:00:00Z",
           "futureField": "x".repeat(padding)})
}

#[tokio::test]
async fn endless_full_pages_end_at_the_byte_budget() {
    let server = MockServer::start_async().await;
    // Every page nearly 4 MiB, each naming a new cursor: only the budget ends it.
    let items: Vec<_> = (0..100)
        .map(|i| padded_source_json(&format!("ls_{i}"), "splunk", 40_000))
        .collect();
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH);
            then.status(200).respond_with(move |req: &HttpMockRequest| {
                let n = req.query_params().len();
                let body = json!({"success": true, "data": items,
                    "nextCursor": format!("c{n}-{}", fastrand::u64(..))});
                HttpMockResponse::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .build()
            });
        })
        .await;
    let c = client(&server, 0);
    let mut walk = c.walk(ListFilter::default());
    let mut last = None;
    while let Some(page) = walk.next().await {
        last = Some(page.map(|items| items.len()));
    }
    let err = last.unwrap().unwrap_err().to_string();
    assert!(err.contains("a list of more than 128 MiB"), "{err}");
    assert!(walk.pages() <= 40, "{} pages", walk.pages());
}

#[tokio::test]
async fn sources_of_another_type_than_asked_for_are_left_out() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH).query_param("type", "loki");
            then.status(200).json_body(json!({"success": true, "data": [
                padded_source_json("ls_a", "loki", 0), padded_source_json("ls_b", "splunk", 0)], "nextCursor": null}));
        })
        .await;
    let c = client(&server, 0);
    let filter = ListFilter {
        log_type: Some("loki".into()),
        ..Default::default()
    };
    let all = c.list(&filter).await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["ls_a"]
    );
}
