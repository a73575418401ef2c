//! Request and response shapes of log sources. Answers are read from JSON field by field,
//! so that a missing field or one of the wrong type is an error that names it, never a
//! silent default.

use super::contract::{fields, MAX_ID_LEN};
use super::error::ApiError;
use super::sanitize::Redactor;
use super::secret::Secret;
use serde_json::Value;
use std::collections::BTreeMap;

/// A log source as the API returns it (credentials are never returned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    /// Opaque id (`ls_…`), checked by [`check_id`].
    pub id: String,
    /// Tenant.
    pub tenant_id: String,
    /// Project. [assumed]
    pub project_id: Option<String>,
    /// Platform type.
    pub log_type: String,
    /// Label.
    pub name: String,
    /// Log groups, indexes, indices or selectors.
    pub sources: Vec<String>,
    /// Whether SigSentry reads it.
    pub is_active: bool,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last update time. [assumed]
    pub updated_at: Option<String>,
}

/// Checks an id before it is used in a path or kept in state: ids are opaque, but must
/// be non-empty, at most [`MAX_ID_LEN`] bytes, free of control characters, and not `.` or
/// `..` (which a URL resolves to the collection or its parent even when percent-encoded).
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("the id is empty".into());
    }
    if id.len() > MAX_ID_LEN {
        return Err(format!(
            "the id is {} bytes long (at most {MAX_ID_LEN})",
            id.len()
        ));
    }
    if id == "." || id == ".." {
        return Err("the id is a dot segment".into());
    }
    if id.chars().any(char::is_control) {
        return Err("the id holds control characters".into());
    }
    Ok(())
}

/// Reads the fields of one JSON object, naming the object and field in every error.
struct Fields<'a> {
    what: &'a str,
    map: &'a serde_json::Map<String, Value>,
}

impl<'a> Fields<'a> {
    fn of(what: &'a str, v: &'a Value) -> Result<Fields<'a>, ApiError> {
        match v {
            Value::Object(map) => Ok(Fields { what, map }),
            other => Err(bad(format!("{what} is {}, not an object", kind(other)))),
        }
    }

    fn wrong(&self, field: &str, want: &str, got: &Value) -> ApiError {
        bad(format!(
            "{} has `{field}` of type {}; the contract says {want}",
            self.what,
            kind(got)
        ))
    }

    fn string(&self, field: &str) -> Result<String, ApiError> {
        match self.map.get(field) {
            Some(Value::String(s)) => Ok(s.clone()),
            None => Err(bad(format!("{} has no `{field}`", self.what))),
            Some(other) => Err(self.wrong(field, "a string", other)),
        }
    }

    fn opt_string(&self, field: &str) -> Result<Option<String>, ApiError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(field, "a string or null", other)),
        }
    }

    fn boolean(&self, field: &str) -> Result<bool, ApiError> {
        match self.map.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            None => Err(bad(format!("{} has no `{field}`", self.what))),
            Some(other) => Err(self.wrong(field, "a boolean", other)),
        }
    }

    fn strings(&self, field: &str, required: bool) -> Result<Vec<String>, ApiError> {
        match self.map.get(field) {
            None | Some(Value::Null) if !required => Ok(Vec::new()),
            None => Err(bad(format!("{} has no `{field}`", self.what))),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong(field, "an array of strings", other)),
                })
                .collect(),
            Some(other) => Err(self.wrong(field, "an array of strings", other)),
        }
    }
}

fn bad(what: String) -> ApiError {
    ApiError::BadAnswer { what }
}

/// The JSON kind of `v`, for messages (never its value: it may be anything).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl LogSource {
    /// Reads a log source from the `data` of an answer, checking every field's type and
    /// the id.
    pub(crate) fn from_json(v: &Value) -> Result<LogSource, ApiError> {
        let f = Fields::of("the log source", v)?;
        let id = f.string(fields::ID)?;
        check_id(&id).map_err(|why| bad(format!("the log source's id is unusable: {why}")))?;
        Ok(LogSource {
            tenant_id: f.string(fields::TENANT_ID)?,
            project_id: f.opt_string(fields::PROJECT_ID)?,
            log_type: f.string(fields::TYPE)?,
            name: f.string(fields::NAME)?,
            sources: f.strings(fields::SOURCES, true)?,
            is_active: f.boolean(fields::IS_ACTIVE)?,
            created_at: f.string(fields::CREATED_AT)?,
            updated_at: f.opt_string(fields::UPDATED_AT)?,
            id,
        })
    }
}

fn exposed(creds: &BTreeMap<String, Secret>) -> serde_json::Value {
    serde_json::Value::Object(
        creds
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.expose().to_string())))
            .collect(),
    )
}

/// The body of a create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLogSource {
    /// Platform type.
    pub log_type: String,
    /// Label.
    pub name: String,
    /// Credentials (sent, never printed).
    pub credentials: BTreeMap<String, Secret>,
    /// Sources, at least one.
    pub sources: Vec<String>,
}

impl NewLogSource {
    /// The credential values, to redact from anything the API says back.
    pub(crate) fn redactor(&self) -> Redactor {
        Redactor::new(self.credentials.values().map(Secret::expose))
    }

    /// The JSON body; the only place credential values are exposed.
    pub fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert(fields::TYPE.into(), self.log_type.clone().into());
        m.insert(fields::NAME.into(), self.name.clone().into());
        m.insert(fields::CREDENTIALS.into(), exposed(&self.credentials));
        m.insert(fields::SOURCES.into(), self.sources.clone().into());
        serde_json::Value::Object(m)
    }
}

/// The body of an update: only the fields that change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSourcePatch {
    /// New label.
    pub name: Option<String>,
    /// New credentials (replace all).
    pub credentials: Option<BTreeMap<String, Secret>>,
    /// New sources (replace the list).
    pub sources: Option<Vec<String>>,
    /// Activate or pause.
    pub is_active: Option<bool>,
}

impl LogSourcePatch {
    /// True when it changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &LogSourcePatch::default()
    }

    /// The credential values, to redact from anything the API says back.
    pub(crate) fn redactor(&self) -> Redactor {
        Redactor::new(self.credentials.iter().flatten().map(|(_, v)| v.expose()))
    }

    /// The JSON body; credential values are exposed here only.
    pub fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(n) = &self.name {
            m.insert(fields::NAME.into(), n.clone().into());
        }
        if let Some(c) = &self.credentials {
            m.insert(fields::CREDENTIALS.into(), exposed(c));
        }
        if let Some(s) = &self.sources {
            m.insert(fields::SOURCES.into(), s.clone().into());
        }
        if let Some(a) = self.is_active {
            m.insert(fields::IS_ACTIVE.into(), a.into());
        }
        serde_json::Value::Object(m)
    }
}

/// Filters of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only this platform type.
    pub log_type: Option<String>,
    /// Page size (1..=100; default: the largest).
    pub page_size: Option<u32>,
}

/// The platform's complaint when a connection test fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestError {
    /// Platform error code.
    pub code: String,
    /// Platform message.
    pub message: String,
}

/// Result of a connection test. [assumed shape]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestResult {
    /// Whether SigSentry could read logs.
    pub ok: bool,
    /// A few log lines, when it could (as the platform sent them: clean before showing).
    pub sample_lines: Vec<String>,
    /// Why not, when it could not.
    pub error: Option<TestError>,
}

impl TestResult {
    /// Why the test failed, as `CODE: message` (placeholders when the API gave none).
    pub fn reason(&self) -> String {
        let (code, message) = match &self.error {
            Some(e) => (e.code.as_str(), e.message.as_str()),
            None => ("", ""),
        };
        let code = if code.is_empty() { "UNKNOWN" } else { code };
        let message = if message.is_empty() {
            "no reason given"
        } else {
            message
        };
        format!("{code}: {message}")
    }

    /// Reads a test result from the `data` of an answer.
    pub(crate) fn from_json(v: &Value) -> Result<TestResult, ApiError> {
        let f = Fields::of("the connection test result", v)?;
        let error = match f.map.get("error") {
            None | Some(Value::Null) => None,
            Some(e) => {
                let e = Fields::of("the connection test error", e)?;
                Some(TestError {
                    code: e.opt_string("code")?.unwrap_or_default(),
                    message: e.opt_string("message")?.unwrap_or_default(),
                })
            }
        };
        Ok(TestResult {
            ok: f.boolean("ok")?,
            sample_lines: f.strings("sampleLines", false)?,
            error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_with_missing_or_mistyped_fields_are_refused_by_name() {
        let good = json!({"id": "ls_1", "tenantId": "t", "type": "loki", "name": "n",
            "sources": ["a"], "isActive": true, "createdAt": "2026-01-01T00:00:00Z", "extra": 1});
        assert_eq!(LogSource::from_json(&good).unwrap().id, "ls_1");
        let mut wrong = good.clone();
        wrong["isActive"] = json!("yes");
        let e = LogSource::from_json(&wrong).unwrap_err().to_string();
        assert!(e.contains("`isActive` of type string"), "{e}");
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("sources");
        let e = LogSource::from_json(&missing).unwrap_err().to_string();
        assert!(e.contains("no `sources`"), "{e}");
        for id in ["", ".", "..", "a\u{7}b"] {
            let mut bad_id = good.clone();
            bad_id["id"] = json!(id);
            assert!(LogSource::from_json(&bad_id).is_err(), "{id:?} accepted");
        }
        let mut long = good;
        long["id"] = json!("x".repeat(MAX_ID_LEN + 1));
        assert!(LogSource::from_json(&long).is_err());
    }

    #[test]
    fn debug_hides_credentials_and_bodies_carry_them() {
        let mut c = BTreeMap::new();
        c.insert("token".to_string(), Secret::new("tok-123"));
        let n = NewLogSource {
            log_type: "splunk".into(),
            name: "s".into(),
            credentials: c.clone(),
            sources: vec!["main".into()],
        };
        assert!(!format!("{n:?}").contains("tok-123"));
        assert_eq!(n.to_body()["credentials"]["token"], "tok-123");
        let p = LogSourcePatch {
            credentials: Some(c),
            ..Default::default()
        };
        assert!(!format!("{p:?}").contains("tok-123"));
        assert_eq!(
            p.to_body(),
            serde_json::json!({"credentials": {"token": "tok-123"}})
        );
    }
}
