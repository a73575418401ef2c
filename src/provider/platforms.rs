//! The log platforms SigSentry reads from and the credential keys each takes, in one place:
//! the resource checks credentials against it, the data sources check their type filter,
//! and the docs print it.

use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::Field;
use std::collections::BTreeMap;

/// One platform: its API name and credential keys.
pub struct Platform {
    /// The `type` the API uses.
    pub name: &'static str,
    /// Keys that must be set (and non-empty).
    pub required: &'static [&'static str],
    /// Keys that may be set.
    pub optional: &'static [&'static str],
    /// A note for the docs' table.
    pub note: &'static str,
}

/// Every platform, in the API's order.
pub const PLATFORMS: [Platform; 6] = [
    Platform {
        name: "cloudwatch",
        required: &["accessKeyId", "secretAccessKey"],
        optional: &["sessionToken"],
        note: "",
    },
    Platform {
        name: "datadog",
        required: &["apiKey", "appKey"],
        optional: &[],
        note: "",
    },
    Platform {
        name: "loki",
        required: &["host"],
        optional: &["apiKey", "orgId"],
        note: "",
    },
    Platform {
        name: "splunk",
        required: &["host", "token"],
        optional: &[],
        note: "",
    },
    // Either username+password or apiKey; checked separately below.
    Platform {
        name: "elastic",
        required: &["host"],
        optional: &["username", "password", "apiKey"],
        note: "plus `username` and `password`, or `apiKey`",
    },
    Platform {
        name: "gcp_logging",
        required: &["serviceAccountJson"],
        optional: &[],
        note: "`serviceAccountJson` is a JSON object",
    },
];

/// The platforms' names.
pub const LOG_TYPES: [&str; 6] = [
    PLATFORMS[0].name,
    PLATFORMS[1].name,
    PLATFORMS[2].name,
    PLATFORMS[3].name,
    PLATFORMS[4].name,
    PLATFORMS[5].name,
];

/// The platform called `name`.
pub fn platform(name: &str) -> Option<&'static Platform> {
    PLATFORMS.iter().find(|p| p.name == name)
}

/// The platforms as a markdown table, for the docs.
pub fn markdown_table() -> String {
    let keys = |k: &[&str]| {
        k.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out =
        String::from("| type | required keys | optional keys | notes |\n|---|---|---|---|\n");
    for p in &PLATFORMS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            p.name,
            keys(p.required),
            keys(p.optional),
            p.note
        ));
    }
    out
}

/// A credential map as configured: each value null, unknown or known.
pub type Credentials = BTreeMap<String, Field<String>>;

/// Checks one platform's credential keys. `at` is the attribute holding the map. Unknown
/// values count as present (they are checked once known); empty strings as missing.
pub fn check_credentials(log_type: &str, creds: &Credentials, at: AttributePath) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(p) = platform(log_type) else {
        return diags;
    };
    let present = |k: &str| match creds.get(k) {
        None | Some(Field::Null) => false,
        Some(Field::Known(s)) => !s.is_empty(),
        Some(Field::Unknown) => true,
    };
    for key in p.required {
        if !present(key) {
            let empty = matches!(creds.get(*key), Some(Field::Known(s)) if s.is_empty());
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
        diags.extend(check_elastic(&present, &at));
    }
    if let Some(Field::Known(host)) = creds.get("host") {
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
    if let Some(Field::Known(doc)) = creds.get("serviceAccountJson") {
        if !doc.is_empty() {
            if let Some(d) = check_service_account(doc) {
                diags.push(d.at(at.clone().key("serviceAccountJson")));
            }
        }
    }
    for key in creds.keys() {
        let known = p.required.contains(&key.as_str()) || p.optional.contains(&key.as_str());
        if !known {
            diags.push(
                Diagnostic::warning(
                    "Unknown credential key",
                    format!(
                        "{key:?} is not a {log_type} credential key this provider knows ({}). \
                         It is sent as given; the API may reject it.",
                        p.required
                            .iter()
                            .chain(p.optional)
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

/// Elastic takes exactly one of username+password and apiKey.
fn check_elastic(present: &dyn Fn(&str) -> bool, at: &AttributePath) -> Diagnostics {
    let mut diags = Diagnostics::new();
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
    diags
}

/// A service account key file must be a JSON object.
fn check_service_account(doc: &str) -> Option<Diagnostic> {
    match serde_json::from_str::<serde_json::Value>(doc) {
        Ok(serde_json::Value::Object(_)) => None,
        Ok(_) => Some(Diagnostic::error(
            "Invalid service account JSON",
            "serviceAccountJson must be a JSON object (the key file from Google Cloud), for \
             example file(\"sa.json\").",
        )),
        // The serde error quotes no input, so no secret leaks through it.
        Err(e) => Some(Diagnostic::error(
            "Invalid service account JSON",
            format!("serviceAccountJson is not valid JSON ({e})."),
        )),
    }
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
    use crate::framework::prelude::Severity;

    fn creds(pairs: &[(&str, Field<String>)]) -> Credentials {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn s(v: &str) -> Field<String> {
        Field::Known(v.into())
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

    fn at() -> AttributePath {
        AttributePath::attr("credentials")
    }

    #[test]
    fn cloudwatch_needs_both_keys_and_empty_counts_as_missing() {
        let d = check_credentials(
            "cloudwatch",
            &creds(&[("accessKeyId", s("AKIA")), ("secretAccessKey", s(""))]),
            at(),
        );
        assert_eq!(errors(&d), vec!["credentials[\"secretAccessKey\"]"]);
    }

    #[test]
    fn unknown_values_are_not_missing() {
        let d = check_credentials(
            "splunk",
            &creds(&[("host", Field::Unknown), ("token", Field::Unknown)]),
            at(),
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn elastic_takes_exactly_one_method() {
        let both = creds(&[
            ("host", s("https://e")),
            ("username", s("u")),
            ("password", s("p")),
            ("apiKey", s("k")),
        ]);
        assert_eq!(errors(&check_credentials("elastic", &both, at())).len(), 1);
        let none = creds(&[("host", s("https://e"))]);
        assert_eq!(errors(&check_credentials("elastic", &none, at())).len(), 1);
        let half = creds(&[("host", s("https://e")), ("username", s("u"))]);
        assert_eq!(
            errors(&check_credentials("elastic", &half, at())),
            vec!["credentials[\"password\"]"]
        );
        let ok = creds(&[("host", s("https://e")), ("apiKey", s("k"))]);
        assert!(check_credentials("elastic", &ok, at()).is_empty());
    }

    #[test]
    fn host_must_be_http_url_and_gcp_json_an_object() {
        let d = check_credentials("loki", &creds(&[("host", s("loki.local"))]), at());
        assert_eq!(errors(&d), vec!["credentials[\"host\"]"]);
        let d = check_credentials(
            "gcp_logging",
            &creds(&[("serviceAccountJson", s("[1]"))]),
            at(),
        );
        assert_eq!(errors(&d), vec!["credentials[\"serviceAccountJson\"]"]);
        let d = check_credentials(
            "gcp_logging",
            &creds(&[("serviceAccountJson", s("{\"type\":\"service_account\"}"))]),
            at(),
        );
        assert!(d.is_empty());
    }

    #[test]
    fn unknown_keys_warn() {
        let d = check_credentials(
            "datadog",
            &creds(&[("apiKey", s("a")), ("appKey", s("b")), ("site", s("eu"))]),
            at(),
        );
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].severity, Severity::Warning);
    }

    #[test]
    fn the_table_lists_every_platform() {
        let t = markdown_table();
        for p in &PLATFORMS {
            assert!(t.contains(&format!("| `{}` |", p.name)));
        }
    }
}
