//! Every detail of the SigSentry API this client relies on, in one place. Items marked
//! [assumed] are not in the published API page; when the real API says otherwise, this
//! file is the one edit.

/// Collection path of log sources. [seed]
pub const LOG_SOURCES_PATH: &str = "/v1/config/log-sources";
/// Path suffix of the connection test, after `/{id}`. [seed: exists; shape assumed]
pub const TEST_SUFFIX: &str = "/test";
/// Header naming the project for tenant-scoped keys. [seed]
pub const PROJECT_HEADER: &str = "X-Project-Id";
/// Idempotency header on POST and PATCH. [seed for POST; assumed for PATCH]
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Response header marking a replayed idempotent response. [assumed]
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// List page size we ask for (the API allows 1..=100). [assumed]
pub const PAGE_SIZE: u32 = 100;
/// Query parameter names of the list endpoint. [assumed]
pub const QUERY_LIMIT: &str = "limit";
/// Cursor parameter. [assumed]
pub const QUERY_CURSOR: &str = "cursor";
/// Type filter parameter. [assumed]
pub const QUERY_TYPE: &str = "type";

/// Error codes in `error.code`. [seed: first four; assumed: the rest]
pub mod codes {
    /// 400: body failed validation.
    pub const VALIDATION: &str = "VALIDATION_ERROR";
    /// 401: missing or invalid key.
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    /// 403: key lacks a permission.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// 403: plan quota reached.
    pub const QUOTA_EXCEEDED: &str = "QUOTA_EXCEEDED";
    /// 404: no such log source.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// 409: same idempotency key still in flight.
    pub const IDEMPOTENCY_IN_PROGRESS: &str = "IDEMPOTENCY_IN_PROGRESS";
    /// 422: same idempotency key with another request.
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    /// 429: too many requests.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
}

/// The success envelope `{"success": true, "data": …}` plus the list's `nextCursor`.
#[derive(Debug, serde::Deserialize)]
pub struct Envelope<T> {
    /// The payload.
    pub data: T,
    /// Present on list responses: the next page's cursor, null at the end. [assumed]
    #[serde(default, rename = "nextCursor")]
    pub next_cursor: Option<String>,
}

/// The error envelope `{"success": false, "error": {…}}`. [seed: code; assumed: rest]
#[derive(Debug, serde::Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// `error` of the error envelope.
#[derive(Debug, serde::Deserialize)]
pub struct ErrorBody {
    /// Machine-readable code.
    #[serde(default)]
    pub code: String,
    /// Human-readable text.
    #[serde(default)]
    pub message: String,
    /// Per-field problems.
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
}

/// One entry of `error.details`. [assumed]
#[derive(Debug, serde::Deserialize)]
pub struct ErrorDetail {
    /// Field path such as `credentials.secretAccessKey`.
    #[serde(default)]
    pub field: String,
    /// What is wrong with it.
    #[serde(default)]
    pub message: String,
}
