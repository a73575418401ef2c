//! Plan-time checks of a log source's configuration: the type, the name, the sources and
//! each platform's credential keys. Unknown values (from other resources) are skipped until
//! they are known; an unknown is never treated as empty.

use crate::framework::object::{self, Field};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::{AttributePath, Value};
use std::collections::BTreeMap;

/// The log platforms SigSentry reads from, as the API names them.
pub const LOG_TYPES: [&str; 6] = [
    "cloudwatch",
    "datadog",
    "loki",
    "splunk",
    "elastic",
    "gcp_logging",
];

/// The credential keys of one platform.
struct CredentialKeys {
    required: &'static [&'static str],
    optional: &'static [&'static str],
}

fn keys_for(log_type: &str) -> Option<CredentialKeys> {
    let (required, optional): (&[&str], &[&str]) = match log_type {
        "cloudwatch" => (&["accessKeyId", "secretAccessKey"], &["sessionToken"]),
        "datadog" => (&["apiKey", "appKey"], &[]),
        "loki" => (&["host"], &["apiKey", "orgId"]),
        "splunk" => (&["host", "token"], &[]),
        // Either username+password or apiKey; checked separately below.
        "elastic" => (&["host"], &["username", "password", "apiKey"]),
        "gcp_logging" => (&["serviceAccountJson"], &[]),
        _ => return None,
    };
    Some(CredentialKeys { required, optional })
}

/// Checks the whole configuration object of `sigsentry_log_source`.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let log_type = object::string(config, "type");
    if let Field::Known(t) = log_type {
        if !LOG_TYPES.contains(&t) {
            diags.push(
                Diagnostic::error(
                    "Unsupported log source type",
                    format!(
                        "type is {t:?}, but must be one of: {}.",
                        LOG_TYPES.join(", ")
                    ),
                )
                .at(AttributePath::attr("type")),
            );
        }
    }
    if let Field::Known(name) = object::string(config, "name") {
        let chars = name.chars().count();
        if chars == 0 || chars > 255 {
            diags.push(
                Diagnostic::error(
                    "Invalid log source name",
                    format!("name must be 1 to 255 characters long; it has {chars}."),
                )
                .at(AttributePath::attr("name")),
            );
        }
    }
    if let Field::Known(items) = object::elements(config, "sources") {
        if items.is_empty() {
            diags.push(
                Diagnostic::error(
                    "No sources given",
                    "sources must name at least one log group, index, or label selector.",
                )
                .at(AttributePath::attr("sources")),
            );
        }
        if items.iter().any(|v| v.as_str().is_some_and(str::is_empty)) {
            diags.push(
                Diagnostic::error(
                    "Empty source",
                    "Each entry of sources must be a non-empty string.",
                )
                .at(AttributePath::attr("sources")),
            );
        }
        if items.iter().any(Value::is_null) {
            diags.push(
                Diagnostic::error("Null source", "sources must not contain null.")
                    .at(AttributePath::attr("sources")),
            );
        }
    }

    let plain = config.get_attr("credentials").unwrap_or(&Value::Null);
    let wo = config.get_attr("credentials_wo").unwrap_or(&Value::Null);
    match (plain.is_null(), wo.is_null()) {
        (false, false) if !plain.is_unknown() && !wo.is_unknown() => diags.push(
            Diagnostic::error(
                "Conflicting credentials",
                "Set exactly one of credentials and credentials_wo, not both.",
            )
            .at(AttributePath::attr("credentials_wo")),
        ),
        (true, true) => diags.push(
            Diagnostic::error(
                "Missing credentials",
                "Set credentials (stored in state, marked sensitive) or credentials_wo \
                 (write-only, Terraform 1.11+, never stored).",
            )
            .at(AttributePath::attr("credentials")),
        ),
        _ => {}
    }
    if !object::string(config, "credentials_wo_version").is_unknown()
        && object::string(config, "credentials_wo_version") != Field::Null
        && wo.is_null()
    {
        diags.push(
            Diagnostic::warning(
                "credentials_wo_version without credentials_wo",
                "credentials_wo_version only matters together with credentials_wo; it is ignored.",
            )
            .at(AttributePath::attr("credentials_wo_version")),
        );
    }

    if let Field::Known(t) = log_type {
        for attr in ["credentials", "credentials_wo"] {
            if let Field::Known(creds) = object::entries(config, attr) {
                diags.extend(check_credentials(t, creds, AttributePath::attr(attr)));
            }
        }
    }
    diags
}

/// Checks one platform's credential keys. `at` is the attribute holding the map.
pub fn check_credentials(
    log_type: &str,
    creds: &BTreeMap<String, Value>,
    at: AttributePath,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(keys) = keys_for(log_type) else {
        return diags;
    };
    // Present means: set and not the empty string; unknown counts as present (decided later).
    let present = |k: &str| match creds.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    for key in keys.required {
        if !present(key) {
            let empty = matches!(creds.get(*key), Some(Value::String(s)) if s.is_empty());
            diags.push(
                Diagnostic::error(
                    "Missing credential",
                    format!(
                        "{log_type} credentials need {key:?}{}.",
                        if empty { ", and it is empty" } else { "" }
                    ),
                )
                .at(at.clone().key(*key)),
            );
        }
    }
    if log_type == "elastic" {
        let basic = present("username") || present("password");
        let api_key = present("apiKey");
        if basic && api_key {
            diags.push(
                Diagnostic::error(
                    "Two elastic authentication methods",
                    "elastic credentials take either username and password, or apiKey, not both.",
                )
                .at(at.clone().key("apiKey")),
            );
        } else if !basic && !api_key {
            diags.push(
                Diagnostic::error(
                    "Missing elastic authentication",
                    "elastic credentials need username and password, or apiKey.",
                )
                .at(at.clone()),
            );
        } else if basic {
            for key in ["username", "password"] {
                if !present(key) {
                    diags.push(
                        Diagnostic::error(
                            "Missing credential",
                            format!("elastic basic authentication needs both username and password; {key:?} is missing."),
                        )
                        .at(at.clone().key(key)),
                    );
                }
            }
        }
    }
    if let Some(Value::String(host)) = creds.get("host") {
        if !host.is_empty() && !is_http_url(host) {
            diags.push(
                Diagnostic::error(
                    "Invalid host",
                    format!("{log_type} credentials need host to be an http:// or https:// URL, such as https://logs.example.com."),
                )
                .at(at.clone().key("host")),
            );
        }
    }
    if let Some(Value::String(doc)) = creds.get("serviceAccountJson") {
        if !doc.is_empty() {
            match serde_json::from_str::<serde_json::Value>(doc) {
                Ok(serde_json::Value::Object(_)) => {}
                Ok(_) => diags.push(
                    Diagnostic::error(
                        "Invalid service account JSON",
                        "serviceAccountJson must be a JSON object (the key file from Google Cloud), \
                         for example file(\"sa.json\").",
                    )
                    .at(at.clone().key("serviceAccountJson")),
                ),
                // The serde error quotes no input, so no secret leaks through it.
                Err(e) => diags.push(
                    Diagnostic::error(
                        "Invalid service account JSON",
                        format!("serviceAccountJson is not valid JSON ({e})."),
                    )
                    .at(at.clone().key("serviceAccountJson")),
                ),
            }
        }
    }
    for key in creds.keys() {
        let known = keys.required.contains(&key.as_str()) || keys.optional.contains(&key.as_str());
        if !known {
            diags.push(
                Diagnostic::warning(
                    "Unknown credential key",
                    format!(
                        "{key:?} is not a {log_type} credential key this provider knows ({}). \
                         It is sent as given; the API may reject it.",
                        keys.required
                            .iter()
                            .chain(keys.optional)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at(at.clone().key(key.clone())),
            );
        }
    }
    diags
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::diagnostics::Severity;

    fn creds(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn errors(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn cloudwatch_needs_both_keys_and_empty_counts_as_missing() {
        let d = check_credentials(
            "cloudwatch",
            &creds(&[("accessKeyId", s("AKIA")), ("secretAccessKey", s(""))]),
            AttributePath::attr("credentials"),
        );
        assert_eq!(errors(&d), vec!["credentials[\"secretAccessKey\"]"]);
    }

    #[test]
    fn unknown_values_are_not_missing() {
        let d = check_credentials(
            "splunk",
            &creds(&[("host", Value::Unknown), ("token", Value::Unknown)]),
            AttributePath::attr("credentials"),
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn elastic_takes_exactly_one_method() {
        let at = AttributePath::attr("credentials");
        let both = creds(&[
            ("host", s("https://e")),
            ("username", s("u")),
            ("password", s("p")),
            ("apiKey", s("k")),
        ]);
        assert_eq!(
            errors(&check_credentials("elastic", &both, at.clone())).len(),
            1
        );
        let none = creds(&[("host", s("https://e"))]);
        assert_eq!(
            errors(&check_credentials("elastic", &none, at.clone())).len(),
            1
        );
        let half = creds(&[("host", s("https://e")), ("username", s("u"))]);
        assert_eq!(
            errors(&check_credentials("elastic", &half, at.clone())),
            vec!["credentials[\"password\"]"]
        );
        let ok = creds(&[("host", s("https://e")), ("apiKey", s("k"))]);
        assert!(check_credentials("elastic", &ok, at).is_empty());
    }

    #[test]
    fn host_must_be_http_url_and_gcp_json_an_object() {
        let at = AttributePath::attr("credentials");
        let d = check_credentials("loki", &creds(&[("host", s("loki.local"))]), at.clone());
        assert_eq!(errors(&d), vec!["credentials[\"host\"]"]);
        let d = check_credentials(
            "gcp_logging",
            &creds(&[("serviceAccountJson", s("[1]"))]),
            at.clone(),
        );
        assert_eq!(errors(&d), vec!["credentials[\"serviceAccountJson\"]"]);
        let d = check_credentials(
            "gcp_logging",
            &creds(&[("serviceAccountJson", s("{\"type\":\"service_account\"}"))]),
            at,
        );
        assert!(d.is_empty());
    }

    #[test]
    fn unknown_keys_warn() {
        let d = check_credentials(
            "datadog",
            &creds(&[("apiKey", s("a")), ("appKey", s("b")), ("site", s("eu"))]),
            AttributePath::attr("credentials"),
        );
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].severity, Severity::Warning);
    }

    #[test]
    fn config_level_rules() {
        let config = object::object([
            ("type", s("kafka")),
            ("name", s("")),
            ("sources", Value::Set(vec![])),
            ("credentials", Value::Null),
            ("credentials_wo", Value::Null),
        ]);
        let d = validate(&config);
        let mut paths = errors(&d);
        paths.sort();
        assert_eq!(paths, vec!["credentials", "name", "sources", "type"]);
    }
}
