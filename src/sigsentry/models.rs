//! Request and response shapes of log sources.

use super::secret::Secret;
use std::collections::BTreeMap;

/// A log source as the API returns it (credentials are never returned).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct LogSource {
    /// Opaque id (`ls_…`).
    pub id: String,
    /// Tenant.
    #[serde(rename = "tenantId", default)]
    pub tenant_id: String,
    /// Project. [assumed]
    #[serde(rename = "projectId", default)]
    pub project_id: Option<String>,
    /// Platform type.
    #[serde(rename = "type")]
    pub log_type: String,
    /// Label.
    pub name: String,
    /// Log groups, indexes, indices or selectors.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Whether SigSentry reads it.
    #[serde(rename = "isActive", default = "yes")]
    pub is_active: bool,
    /// Creation time (RFC 3339).
    #[serde(rename = "createdAt", default)]
    pub created_at: String,
    /// Last update time. [assumed]
    #[serde(rename = "updatedAt", default)]
    pub updated_at: Option<String>,
}

fn yes() -> bool {
    true
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
    /// The JSON body; the only place credential values are exposed.
    pub fn to_body(&self) -> serde_json::Value {
        serde_json::json!({
            "type": self.log_type,
            "name": self.name,
            "credentials": exposed(&self.credentials),
            "sources": self.sources,
        })
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
    /// The JSON body; credential values are exposed here only.
    pub fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(n) = &self.name {
            m.insert("name".into(), n.clone().into());
        }
        if let Some(c) = &self.credentials {
            m.insert("credentials".into(), exposed(c));
        }
        if let Some(s) = &self.sources {
            m.insert("sources".into(), s.clone().into());
        }
        if let Some(a) = self.is_active {
            m.insert("isActive".into(), a.into());
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct TestError {
    /// Platform error code.
    #[serde(default)]
    pub code: String,
    /// Platform message.
    #[serde(default)]
    pub message: String,
}

/// Result of a connection test. [assumed shape]
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct TestResult {
    /// Whether SigSentry could read logs.
    pub ok: bool,
    /// A few log lines, when it could.
    #[serde(rename = "sampleLines", default)]
    pub sample_lines: Vec<String>,
    /// Why not, when it could not.
    #[serde(default)]
    pub error: Option<TestError>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
