//! `sigsentry-mock --seed FILE` and `FakeApi::seed`: log sources that exist before the first
//! request, as a module's tests expect to find them.

mod support;

use serde_json::Value;
use sigsentry_mock::{ApiKey, FakeApi, FakeHandle, SeedSource};
use std::process::Command;
use support::mock::MockProcess;

const KEY: &str = "ss_secret_seed_key";
const OTHER: &str = "ss_secret_seed_other";
const BASE: &str = "/v1/config/log-sources";

const SEED: &str = r#"[
  {"type": "loki", "name": "shared-loki", "sources": ["{app=\"checkout\"}"]},
  {"type": "splunk", "name": "retired-splunk", "sources": ["main"], "isActive": false},
  {"type": "datadog", "name": "other-team", "sources": ["service:billing"], "projectId": "prj_other"}
]"#;

fn http() -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// The log sources the API lists for `key`, as JSON.
async fn list(url: &str, key: &str) -> Vec<Value> {
    let body: Value = http()
        .get(format!("{url}{BASE}"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

fn names(sources: &[Value]) -> Vec<String> {
    sources
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn start(api: FakeApi) -> FakeHandle {
    api.key(ApiKey::project(KEY, "prj_default"))
        .key(ApiKey::project(OTHER, "prj_other"))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn seeded_sources_are_there_before_the_first_request() {
    let seeds = SeedSource::parse_list(SEED).unwrap();
    let fake = start(FakeApi::new().seed(seeds)).await;
    let mine = list(&fake.url(), KEY).await;
    assert_eq!(names(&mine), ["shared-loki", "retired-splunk"]);
    assert_eq!(mine[0]["type"], "loki");
    assert_eq!(mine[0]["isActive"], true);
    assert_eq!(mine[1]["isActive"], false);
    assert!(mine[0]["id"].as_str().unwrap().starts_with("ls_"));
    // A seed's projectId puts it in that project, and only there.
    assert_eq!(names(&list(&fake.url(), OTHER).await), ["other-team"]);
    fake.shutdown().await;
}

#[tokio::test]
async fn seeds_are_not_added_again_over_saved_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let seeds = SeedSource::parse_list(SEED).unwrap();
    let first = start(FakeApi::new().state_file(&path).seed(seeds.clone())).await;
    let before = list(&first.url(), KEY).await;
    first.shutdown().await;
    let again = start(FakeApi::new().state_file(&path).seed(seeds)).await;
    let after = list(&again.url(), KEY).await;
    assert_eq!(
        after, before,
        "the saved state wins; nothing is seeded twice"
    );
    again.shutdown().await;
}

/// A value that must never show in an error: seeds may be cut from real exports.
const LEAK: &str = "ss_secret_leak";

#[test]
fn bad_seed_entries_are_refused_with_the_entry_and_the_field_never_the_value() {
    let cases = [
        (
            r#"[{"type": "loki", "name": "a", "sources": ["x"]}, {"type": "ss_secret_leak", "name": "b", "sources": ["y"]}]"#,
            r#"entry 1 "b": type must be one of"#,
        ),
        (
            r#"[{"type": "loki", "name": "", "sources": ["x"]}]"#,
            "entry 0: name must be 1 to 255 characters",
        ),
        (
            r#"[{"type": "loki", "name": {"v": "ss_secret_leak"}, "sources": ["x"]}]"#,
            "entry 0: name must be a string",
        ),
        (
            r#"[{"type": "loki", "name": "a", "sources": []}]"#,
            r#"entry 0 "a": sources must hold at least one entry"#,
        ),
        (
            r#"[{"type": "loki", "name": "a", "sources": "ss_secret_leak"}]"#,
            r#"entry 0 "a": sources must be an array of strings"#,
        ),
        (
            r#"[{"type": "loki", "name": "a", "sources": ["x", {"token": "ss_secret_leak"}]}]"#,
            r#"entry 0 "a": sources[1] must be a string"#,
        ),
        (
            r#"[{"type": "loki", "name": "a", "sources": ["x"], "isActive": "ss_secret_leak"}]"#,
            r#"entry 0 "a": isActive must be true or false"#,
        ),
        (
            r#"[{"type": "loki", "name": "a", "sources": ["x"], "projectId": ["ss_secret_leak"]}]"#,
            r#"entry 0 "a": projectId must be a string"#,
        ),
        (
            r#"[{"type": "loki", "name": "a", "source": ["ss_secret_leak"]}]"#,
            r#"entry 0 "a": unknown field "source""#,
        ),
        (r#"["ss_secret_leak"]"#, "entry 0: expected a JSON object"),
        (
            r#""ss_secret_leak""#,
            "expected a JSON array of log sources",
        ),
        (
            r#"[{"type": "ss_secret_leak"#,
            "not JSON: EOF while parsing",
        ),
    ];
    for (text, expected) in cases {
        let err = SeedSource::parse_list(text).unwrap_err();
        assert!(err.contains(expected), "{text}: {err}");
        assert!(
            !err.contains(LEAK),
            "{text}: the error shows the value: {err}"
        );
    }
}

#[test]
fn the_binary_serves_a_seed_file_and_rejects_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, SEED).unwrap();
    let key = format!("{KEY}:rw");
    let mock = MockProcess::start([
        "--key".as_ref(),
        key.as_ref(),
        "--seed".as_ref(),
        seed.as_os_str(),
    ]);
    let url = mock.url.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listed = rt.block_on(list(&url, KEY));
    drop(mock);
    assert_eq!(names(&listed), ["shared-loki", "retired-splunk"]);

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"type": "loki", "name": "a", "sources": ["x"], "isActive": "ss_secret_leak"}]"#,
    )
    .unwrap();
    let out = Command::new(support::mock::bin())
        .arg("--seed")
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bad --seed")
            && stderr.contains(r#"entry 0 "a": isActive must be true or false"#),
        "{stderr}"
    );
    assert!(!stderr.contains(LEAK), "{stderr}");
    let missing = Command::new(support::mock::bin())
        .arg("--seed")
        .arg(dir.path().join("nope.json"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
}
