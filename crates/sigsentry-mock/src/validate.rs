//! The contract's validation rules, written independently of the provider's own checks so
//! that the fake cannot drift into agreeing with the provider's bugs.

use serde_json::Value;

/// One failed rule: the field (`credentials.host`, `sources[1]`) and why.
pub type Detail = (String, String);

const TYPES: [&str; 6] = [
    "cloudwatch",
    "datadog",
    "loki",
    "splunk",
    "elastic",
    "gcp_logging",
];

/// Checks `type`.
pub fn check_type(v: Option<&Value>, out: &mut Vec<Detail>) -> Option<String> {
    match v.and_then(Value::as_str) {
        Some(t) if TYPES.contains(&t) => Some(t.to_string()),
        Some(_) => {
            out.push((
                "type".into(),
                format!("must be one of {}", TYPES.join(", ")),
            ));
            None
        }
        None => {
            out.push(("type".into(), "is required".into()));
            None
        }
    }
}

/// Checks `name`.
pub fn check_name(v: Option<&Value>, out: &mut Vec<Detail>) {
    match v.and_then(Value::as_str) {
        Some(n) if (1..=255).contains(&n.chars().count()) => {}
        Some(_) => out.push(("name".into(), "must be 1 to 255 characters".into())),
        None => out.push(("name".into(), "is required".into())),
    }
}

/// Checks `sources`.
pub fn check_sources(v: Option<&Value>, out: &mut Vec<Detail>) {
    let Some(items) = v.and_then(Value::as_array) else {
        out.push(("sources".into(), "must be an array of strings".into()));
        return;
    };
    if items.is_empty() {
        out.push(("sources".into(), "must hold at least one entry".into()));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some("") => out.push((format!("sources[{i}]"), "must not be empty".into())),
            Some(s) if !seen.insert(s) => {
                out.push((format!("sources[{i}]"), "is a duplicate".into()))
            }
            Some(_) => {}
            None => out.push((format!("sources[{i}]"), "must be a string".into())),
        }
    }
}

/// Checks `credentials` for `log_type`.
pub fn check_credentials(log_type: &str, v: Option<&Value>, out: &mut Vec<Detail>) {
    let Some(map) = v.and_then(Value::as_object) else {
        out.push(("credentials".into(), "must be an object of strings".into()));
        return;
    };
    let present = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let (required, optional): (&[&str], &[&str]) = match log_type {
        "cloudwatch" => (&["accessKeyId", "secretAccessKey"], &["sessionToken"]),
        "datadog" => (&["apiKey", "appKey"], &[]),
        "loki" => (&["host"], &["apiKey", "orgId"]),
        "splunk" => (&["host", "token"], &[]),
        "elastic" => (&["host"], &["username", "password", "apiKey"]),
        "gcp_logging" => (&["serviceAccountJson"], &[]),
        _ => return,
    };
    for (k, val) in map {
        if !val.is_string() {
            out.push((format!("credentials.{k}"), "must be a string".into()));
        }
        if !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
            out.push((
                format!("credentials.{k}"),
                format!("is not a {log_type} credential"),
            ));
        }
    }
    for k in required {
        if !present(k) {
            out.push((
                format!("credentials.{k}"),
                format!("is required for type {log_type}"),
            ));
        }
    }
    if log_type == "elastic" {
        let basic = present("username") || present("password");
        let key = present("apiKey");
        if basic && key {
            out.push((
                "credentials".into(),
                "takes username+password or apiKey, not both".into(),
            ));
        } else if !basic && !key {
            out.push((
                "credentials".into(),
                "needs username+password or apiKey".into(),
            ));
        } else if basic && !(present("username") && present("password")) {
            out.push((
                "credentials".into(),
                "needs both username and password".into(),
            ));
        }
    }
    if let Some(h) = map.get("host").and_then(Value::as_str) {
        let ok = ["http://", "https://"]
            .iter()
            .any(|p| h.strip_prefix(p).is_some_and(|r| !r.is_empty()));
        if !h.is_empty() && !ok {
            out.push(("credentials.host".into(), "must be an http(s) URL".into()));
        }
    }
    if let Some(j) = map.get("serviceAccountJson").and_then(Value::as_str) {
        if !j.is_empty() && !matches!(serde_json::from_str::<Value>(j), Ok(Value::Object(_))) {
            out.push((
                "credentials.serviceAccountJson".into(),
                "must be a JSON object".into(),
            ));
        }
    }
}
