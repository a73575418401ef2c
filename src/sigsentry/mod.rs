//! TEMP STUB (lead's worktree only; replaced by the client branch).
#![allow(missing_docs, dead_code)]
use std::collections::BTreeMap;
use std::time::Duration;
#[derive(Clone)]
pub struct Secret(String);
impl Secret {
    pub fn new(s: String) -> Self {
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<redacted>")
    }
}
#[derive(Clone, Debug)]
pub struct LogSource {
    pub id: String,
    pub tenant_id: String,
    pub project_id: Option<String>,
    pub log_type: String,
    pub name: String,
    pub sources: Vec<String>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: Option<String>,
}
#[derive(Debug)]
pub struct NewLogSource {
    pub log_type: String,
    pub name: String,
    pub credentials: BTreeMap<String, Secret>,
    pub sources: Vec<String>,
}
#[derive(Debug, Default)]
pub struct LogSourcePatch {
    pub name: Option<String>,
    pub credentials: Option<BTreeMap<String, Secret>>,
    pub sources: Option<Vec<String>>,
    pub is_active: Option<bool>,
}
pub struct Created {
    pub source: LogSource,
    pub replayed: bool,
}
#[derive(Debug)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}
#[derive(Debug)]
pub enum ApiError {
    Validation {
        message: String,
        details: Vec<FieldError>,
    },
    Unauthorized {
        message: String,
    },
    Forbidden {
        message: String,
    },
    QuotaExceeded {
        message: String,
    },
    NotFound {
        message: String,
    },
    Other(String),
}
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
pub struct ClientConfig {
    pub base_url: String,
    pub api_key: Option<Secret>,
    pub project_id: Option<String>,
    pub user_agent: String,
    pub max_retries: u32,
    pub max_elapsed: Duration,
}
impl ClientConfig {
    pub fn new(base_url: String) -> Self {
        ClientConfig {
            base_url,
            api_key: None,
            project_id: None,
            user_agent: String::new(),
            max_retries: 5,
            max_elapsed: Duration::from_secs(60),
        }
    }
}
pub struct Client;
impl Client {
    pub fn new(_c: ClientConfig) -> Result<Client, ApiError> {
        Ok(Client)
    }
    pub fn with_cancellation(self, _t: tokio_util::sync::CancellationToken) -> Self {
        self
    }
    pub async fn create(&self, _b: &NewLogSource, _k: &str) -> Result<Created, ApiError> {
        Err(ApiError::Other(String::new()))
    }
    pub async fn get(&self, _id: &str) -> Result<LogSource, ApiError> {
        Err(ApiError::Other(String::new()))
    }
    pub async fn update(
        &self,
        _id: &str,
        _p: &LogSourcePatch,
        _k: &str,
    ) -> Result<LogSource, ApiError> {
        Err(ApiError::Other(String::new()))
    }
    pub async fn delete(&self, _id: &str) -> Result<(), ApiError> {
        Err(ApiError::Other(String::new()))
    }
}
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub log_type: Option<String>,
    pub page_size: Option<u32>,
}
#[derive(Debug, Clone)]
pub struct TestError {
    pub code: String,
    pub message: String,
}
#[derive(Debug, Clone)]
pub struct TestResult {
    pub ok: bool,
    pub sample_lines: Vec<String>,
    pub error: Option<TestError>,
}
impl Client {
    pub async fn list(&self, _f: &ListFilter) -> Result<Vec<LogSource>, ApiError> {
        Err(ApiError::Other(String::new()))
    }
    pub async fn test(&self, _id: &str) -> Result<TestResult, ApiError> {
        Err(ApiError::Other(String::new()))
    }
}
