//! Every bad configuration fails at `terraform plan`, pointing at the attribute at fault,
//! and never reaches the API. Unknown values (from other resources) are not mistaken for
//! missing ones.

mod support;

use support::fake::Fake;
use support::terraform::{require_terraform, terraform_version, Workspace};

/// One bad configuration: the attribute lines of a `sigsentry_log_source "bad"` block, what
/// the error must say, and the attribute (line) it must point at.
struct Case {
    name: &'static str,
    type_: &'static str,
    name_attr: String,
    sources: &'static str,
    credentials: &'static str,
    extra: &'static str,
    expect: &'static str,
    /// Which line of the block the error must point at (2 type, 3 name, 4 sources,
    /// 5 credentials), or 0 when the attribute is absent.
    line: usize,
    min_minor: u32,
}

fn case(
    name: &'static str,
    type_: &'static str,
    credentials: &'static str,
    expect: &'static str,
    line: usize,
) -> Case {
    Case {
        name,
        type_,
        name_attr: "\"ok-name\"".into(),
        sources: r#"["main"]"#,
        credentials,
        extra: "",
        expect,
        line,
        min_minor: 0,
    }
}

fn cases() -> Vec<Case> {
    let cw = r#"credentials = { accessKeyId = "AKIA", secretAccessKey = "s" }"#;
    let mut v = vec![
        case("unknown type", "\"kafka\"", cw, "must be one of", 2),
        case("empty type", "\"\"", cw, "must be one of", 2),
        Case {
            name_attr: "\"\"".into(),
            ..case("empty name", "\"cloudwatch\"", cw, "1 to 255 characters", 3)
        },
        Case {
            name_attr: format!("\"{}\"", "n".repeat(256)),
            ..case(
                "name too long",
                "\"cloudwatch\"",
                cw,
                "1 to 255 characters",
                3,
            )
        },
        Case {
            name_attr: format!("\"{}\"", "é".repeat(256)),
            ..case(
                "unicode name too long",
                "\"cloudwatch\"",
                cw,
                "1 to 255 characters",
                3,
            )
        },
        Case {
            sources: "[]",
            ..case("no sources", "\"cloudwatch\"", cw, "at least one", 4)
        },
        Case {
            sources: r#"["main", ""]"#,
            ..case("empty source", "\"cloudwatch\"", cw, "non-empty", 4)
        },
        case(
            "no credentials",
            "\"cloudwatch\"",
            "",
            "Missing credentials",
            0,
        ),
        case(
            "cloudwatch secret missing",
            "\"cloudwatch\"",
            r#"credentials = { accessKeyId = "AKIA" }"#,
            "secretAccessKey",
            5,
        ),
        case(
            "cloudwatch secret empty",
            "\"cloudwatch\"",
            r#"credentials = { accessKeyId = "AKIA", secretAccessKey = "" }"#,
            "secretAccessKey",
            5,
        ),
        case(
            "cloudwatch access key missing",
            "\"cloudwatch\"",
            r#"credentials = { secretAccessKey = "s" }"#,
            "accessKeyId",
            5,
        ),
        case(
            "datadog app key missing",
            "\"datadog\"",
            r#"credentials = { apiKey = "a" }"#,
            "appKey",
            5,
        ),
        case(
            "loki host missing",
            "\"loki\"",
            r#"credentials = { orgId = "o" }"#,
            "host",
            5,
        ),
        case(
            "loki host not a URL",
            "\"loki\"",
            r#"credentials = { host = "loki.internal" }"#,
            "http:// or https:// URL",
            5,
        ),
        case(
            "splunk token missing",
            "\"splunk\"",
            r#"credentials = { host = "https://s" }"#,
            "token",
            5,
        ),
        case(
            "splunk host wrong scheme",
            "\"splunk\"",
            r#"credentials = { host = "ftp://s", token = "t" }"#,
            "http:// or https:// URL",
            5,
        ),
        case(
            "elastic both methods",
            "\"elastic\"",
            r#"credentials = { host = "https://e", username = "u", password = "p", apiKey = "k" }"#,
            "not both",
            5,
        ),
        case(
            "elastic no method",
            "\"elastic\"",
            r#"credentials = { host = "https://e" }"#,
            "username and password, or apiKey",
            5,
        ),
        case(
            "elastic username without password",
            "\"elastic\"",
            r#"credentials = { host = "https://e", username = "u" }"#,
            "password",
            5,
        ),
        case(
            "gcp json invalid",
            "\"gcp_logging\"",
            r#"credentials = { serviceAccountJson = "{not json" }"#,
            "not valid JSON",
            5,
        ),
        case(
            "gcp json not an object",
            "\"gcp_logging\"",
            r#"credentials = { serviceAccountJson = "[1, 2]" }"#,
            "JSON object",
            5,
        ),
        case(
            "gcp json missing",
            "\"gcp_logging\"",
            r#"credentials = { other = "x" }"#,
            "serviceAccountJson",
            5,
        ),
        Case {
            extra: "is_active = \"maybe\"",
            ..case("is_active not a bool", "\"cloudwatch\"", cw, "bool", 0)
        },
        Case {
            sources: r#""main""#,
            ..case(
                "sources not a set",
                "\"cloudwatch\"",
                cw,
                "set of string",
                0,
            )
        },
        Case {
            min_minor: 4,
            ..case(
                "unknown host does not hide a missing token",
                "\"splunk\"",
                r#"credentials = { host = terraform_data.later.output }"#,
                "token",
                5,
            )
        },
        Case {
            min_minor: 11,
            extra: r#"credentials_wo = { accessKeyId = "AKIA", secretAccessKey = "s" }"#,
            ..case(
                "credentials and credentials_wo together",
                "\"cloudwatch\"",
                cw,
                "exactly one of credentials and credentials_wo",
                0,
            )
        },
        Case {
            min_minor: 11,
            credentials: "",
            extra: r#"credentials_wo = { accessKeyId = "AKIA" }"#,
            ..case(
                "write-only credentials checked too",
                "\"cloudwatch\"",
                "",
                "secretAccessKey",
                0,
            )
        },
    ];
    v.retain(|c| {
        let minor = terraform_version().map(|v| v.1).unwrap_or(0);
        if minor < c.min_minor {
            eprintln!("SKIP case {:?}: needs Terraform 1.{}", c.name, c.min_minor);
        }
        minor >= c.min_minor
    });
    v
}

fn render(c: &Case) -> String {
    format!(
        "resource \"sigsentry_log_source\" \"bad\" {{\n  type = {}\n  name = {}\n  sources = {}\n  {}\n  {}\n}}\n\nresource \"terraform_data\" \"later\" {{\n  input = \"https://splunk.example.com\"\n}}\n",
        c.type_, c.name_attr, c.sources, c.credentials, c.extra
    )
}

#[test]
fn bad_configurations_fail_at_plan_with_the_attribute_and_no_api_call() {
    if !require_terraform(1, 0) {
        return;
    }
    let fake = Fake::start();
    let all = cases();
    assert!(all.len() >= 20);
    for c in &all {
        let ws = Workspace::new(&fake.url(), support::fake::KEY);
        let mut hcl = render(c);
        if terraform_version().is_some_and(|v| v.1 < 4) {
            // terraform_data arrived in 1.4.
            hcl = hcl
                .split("resource \"terraform_data\"")
                .next()
                .unwrap()
                .to_string();
        }
        ws.config(&hcl);
        let plan = ws.plan();
        let out = plan.all();
        assert_eq!(plan.code, 1, "case {:?} planned:\n{out}", c.name);
        assert!(
            out.contains(c.expect),
            "case {:?}: missing {:?} in:\n{out}",
            c.name,
            c.expect
        );
        if c.line > 0 {
            assert!(
                out.contains(&format!("on main.tf line {}", c.line)),
                "case {:?}: not pointing at line {}:\n{out}",
                c.name,
                c.line
            );
        }
    }
    let calls: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(calls.is_empty(), "bad configs reached the API: {calls:?}");
}

#[test]
fn unknown_values_are_checked_later_not_treated_as_missing() {
    if !require_terraform(1, 4) {
        return;
    }
    let fake = Fake::start();
    let ws = Workspace::new(&fake.url(), support::fake::KEY);
    ws.config(
        r#"
resource "terraform_data" "later" {
  input = "https://splunk.example.com"
}

resource "sigsentry_log_source" "s" {
  type        = "splunk"
  name        = "splunk"
  credentials = { host = terraform_data.later.output, token = "t" }
  sources     = ["main"]
}
"#,
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
    ws.assert_no_changes();
}

#[test]
fn sources_unknown_at_plan_time_stay_apart_until_known() {
    if !require_terraform(1, 4) {
        return;
    }
    let fake = Fake::start();
    let ws = Workspace::new(&fake.url(), support::fake::KEY);
    // Two elements unknown at plan time: one set element each, never merged into one.
    ws.config(
        r#"
resource "terraform_data" "a" {
  input = "group-a"
}

resource "terraform_data" "b" {
  input = "group-b"
}

resource "sigsentry_log_source" "s" {
  type        = "splunk"
  name        = "two-unknown-sources"
  credentials = { host = "https://splunk.example.com", token = "t" }
  sources     = [terraform_data.a.output, terraform_data.b.output]
}
"#,
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    ws.apply(&[]);
    let mut sources = fake.sources()[0].sources.clone();
    sources.sort();
    assert_eq!(sources, ["group-a", "group-b"]);
    ws.assert_no_changes();
}

#[test]
fn bad_provider_configuration_is_named() {
    if !require_terraform(1, 0) {
        return;
    }
    let fake = Fake::start();
    let ws = Workspace::new(&fake.url(), support::fake::KEY);
    for (block, expect) in [
        ("max_retries = 99", "max_retries"),
        ("api_url = \"ftp://api.example.com\"", "api_url"),
        ("api_url = \"http://api.example.com\"", "loopback"),
    ] {
        ws.config(&format!(
            "provider \"sigsentry\" {{\n  {block}\n}}\n\nresource \"sigsentry_log_source\" \"s\" {{\n  type = \"loki\"\n  name = \"l\"\n  credentials = {{ host = \"https://l\" }}\n  sources = [\"x\"]\n}}\n"
        ));
        let plan = ws.plan();
        assert_eq!(plan.code, 1, "{block}:\n{}", plan.all());
        assert!(plan.all().contains(expect), "{block}:\n{}", plan.all());
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn provider_settings_unknown_at_plan_time_do_not_break_planning() {
    if !require_terraform(1, 4) {
        return;
    }
    let fake = Fake::start();
    let mut ws = Workspace::new("", "");
    ws.set_env("SIGSENTRY_API_URL", "");
    ws.set_env("SIGSENTRY_API_KEY", support::fake::KEY);
    ws.config(&format!(
        r#"
resource "terraform_data" "endpoint" {{
  input = "{}"
}}

provider "sigsentry" {{
  api_url = terraform_data.endpoint.output
}}

resource "sigsentry_log_source" "s" {{
  type        = "loki"
  name        = "late-bound"
  credentials = {{ host = "https://loki.example.com" }}
  sources     = ["{{a=\"b\"}}"]
}}
"#,
        fake.url()
    ));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    ws.apply(&[]);
    assert_eq!(fake.sources().len(), 1);
}
