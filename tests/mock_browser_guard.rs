//! `sigsentry-mock` on a developer's laptop, where browsers run: a web page that rebinds its
//! own name to 127.0.0.1 is refused by its `Host` on the API and the admin routes alike
//! unless the name was allowed with `--allow-host`, and the admin routes refuse what a
//! browser sends (an `Origin`, a body that is not JSON).

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::mock::MockProcess;

const DEMO_KEY: &str = "ss_secret_demo_key";
const API: &str = "/v1/config/log-sources";
const ADMIN: &str = "/_fake/sources";

/// One request's answer.
struct Answer {
    status: StatusCode,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends `method path` to `mock` with `headers` (a `host` among them replaces the real one)
/// and `body`, the demo key on API paths.
fn send(
    mock: &MockProcess,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req =
            reqwest::Client::new().request(method.parse().unwrap(), format!("{}{path}", mock.url));
        if path.starts_with("/v1/") {
            req = req.bearer_auth(DEMO_KEY);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        Answer {
            status: resp.status(),
            body: resp.text().await.unwrap(),
        }
    })
}

/// The port of `mock`, for Host headers.
fn port(mock: &MockProcess) -> String {
    mock.url.rsplit(':').next().unwrap().to_string()
}

/// A mock with admin on and one log source with a credential in it.
fn mock_with_a_credential(extra: &[&str]) -> MockProcess {
    let mut args = vec!["--listen", "127.0.0.1:0", "--admin"];
    args.extend_from_slice(extra);
    let mock = MockProcess::start(args);
    let source = json!({"type": "splunk", "name": "kept", "sources": ["main"],
                        "credentials": {"host": "https://splunk.example.com", "token": "ss_secret_stored"}});
    let created = send(
        &mock,
        "POST",
        API,
        &[("content-type", "application/json")],
        Some(&source.to_string()),
    );
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    mock
}

#[test]
fn a_foreign_host_is_refused_on_the_api_and_the_admin_routes() {
    let mock = mock_with_a_credential(&[]);
    let foreign = format!("rebind.attacker.example:{}", port(&mock));
    for path in [API, ADMIN] {
        let a = send(&mock, "GET", path, &[("host", &foreign)], None);
        assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST, "{path}");
        let body = a.json();
        assert_eq!(body["success"], false, "{path}: {}", a.body);
        assert_eq!(body["error"]["code"], "MISDIRECTED_REQUEST");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("--allow-host") && !message.contains('\n'),
            "{message}"
        );
        assert!(!a.body.contains("ss_secret"), "{path}: {}", a.body);
    }
    // Loopback names and addresses, with any port, are served.
    for host in [
        format!("localhost:{}", port(&mock)),
        format!("127.0.0.1:{}", port(&mock)),
        "[::1]:8087".to_string(),
        "localhost".to_string(),
    ] {
        for path in [API, ADMIN] {
            let a = send(&mock, "GET", path, &[("host", &host)], None);
            assert_eq!(a.status, StatusCode::OK, "{host} {path}: {}", a.body);
        }
    }
}

#[test]
fn allow_host_serves_that_name_and_no_other() {
    let mock = mock_with_a_credential(&["--allow-host", "sigsentry-mock"]);
    let allowed = format!("sigsentry-mock:{}", port(&mock));
    let other = format!("other-service:{}", port(&mock));
    for path in [API, ADMIN] {
        let a = send(&mock, "GET", path, &[("host", &allowed)], None);
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        let a = send(&mock, "GET", path, &[("host", &other)], None);
        assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST, "{path}");
    }
}

#[test]
fn admin_writes_from_a_browser_are_refused() {
    let mock = mock_with_a_credential(&[]);
    let json = ("content-type", "application/json");
    let fault = json!({"method": "GET", "path_prefix": API, "count": 1,
                       "action": {"kind": "status", "status": 503, "code": "UNAVAILABLE"}})
    .to_string();
    let origin = ("origin", "https://attacker.example");
    let a = send(
        &mock,
        "POST",
        "/_fake/faults",
        &[json, origin],
        Some(&fault),
    );
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(a.json()["error"]["code"], "FORBIDDEN");
    // What an HTML form or a plain-text fetch sends, with no Origin (as older browsers did).
    for form in ["text/plain", "application/x-www-form-urlencoded"] {
        let a = send(
            &mock,
            "POST",
            "/_fake/faults",
            &[("content-type", form)],
            Some(&fault),
        );
        assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{form}");
    }
    let renamed = json!({"name": "renamed"}).to_string();
    let id = send(&mock, "GET", ADMIN, &[], None).json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("{ADMIN}/{id}");
    let a = send(&mock, "PATCH", &path, &[json, origin], Some(&renamed));
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&mock, "DELETE", &path, &[origin], None);
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // None of them took effect: no fault injected, the source unchanged and still there.
    assert_eq!(send(&mock, "GET", API, &[], None).status, StatusCode::OK);
    let stored = send(&mock, "GET", ADMIN, &[], None).json();
    assert_eq!(stored[0]["name"], "kept");
    // The same write as a test tool sends it is served.
    let a = send(&mock, "POST", "/_fake/faults", &[json], Some(&fault));
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(
        send(&mock, "GET", API, &[], None).status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[test]
fn browsers_use_the_admin_routes_only_when_asked_for() {
    let mock = mock_with_a_credential(&["--admin-from-browsers"]);
    let origin = ("origin", "http://localhost:3000");
    let a = send(&mock, "GET", ADMIN, &[origin], None);
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // The Host check still holds.
    let foreign = format!("rebind.attacker.example:{}", port(&mock));
    let a = send(&mock, "GET", ADMIN, &[origin, ("host", &foreign)], None);
    assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST);
}

#[test]
fn help_gives_each_flag_a_sentence_and_says_what_admin_exposes() {
    let out = std::process::Command::new(support::mock::bin())
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = help.lines().collect();
    for flag in [
        "--listen",
        "--allow-host",
        "--key",
        "--admin",
        "--latency-ms",
        "--rate-limit",
        "--project",
        "--quota",
        "--state-file",
        "--seed",
    ] {
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} missing:\n{help}"));
        let description = lines.get(at + 1).map(|l| l.trim()).unwrap_or_default();
        assert!(
            description.split_whitespace().count() >= 6,
            "{flag} has no sentence:\n{help}"
        );
    }
    let admin = lines
        .iter()
        .position(|l| l.trim_start().starts_with("--admin"))
        .unwrap();
    let admin = lines[admin + 1];
    for exposed in ["no key", "credentials", "request log", "faults"] {
        assert!(admin.contains(exposed), "--admin: {admin}");
    }
}
