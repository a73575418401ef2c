//! Every detail of the SigSentry API this client relies on, in one place. Items marked
//! [assumed] are not in the published API page; when the real API says otherwise, this
//! file is the one edit. Limits the client imposes on the API's answers are here too: the
//! network is untrusted, so every answer is bounded before it is believed.
//!
//! # What ownership relies on
//! (the provider's `log_source::ownership`), and what happens without it. Only the first two
//! are published; the provider checks the rest and, without them, never adopts what it
//! cannot prove is its own.
//!
//! - POST honours `Idempotency-Key` [seed]: a re-run after a crash is answered with the
//!   source its interrupted create made, instead of a second one.
//! - `createdAt` [seed]: a create's answer whose `createdAt` is earlier than the API's `Date`
//!   less the request's duration is a replay, header or not.
//! - PATCH honours `Idempotency-Key`, and a repeated PATCH is marked [`REPLAYED_HEADER`]
//!   [assumed]: claims are carried out once. Checked once per process (a repeated identical
//!   claim must come back marked); without it, no replay from another run is adopted.
//! - PATCH keys are kept at least from plan to apply [assumed]: holders claimed in the plan
//!   are still claimed when the apply's create asks. Without it, a saved plan applied late
//!   may adopt a twin's source (Terraform 1.16+ carries the plan's facts instead).
//! - [`CLAIM_BODY`] is accepted [assumed]: a refused claim counts as no arbitration.

use std::time::Duration;

/// Path segments of the log-source collection, `/v1/config/log-sources`. [seed]
pub const LOG_SOURCES: [&str; 3] = ["v1", "config", "log-sources"];
/// Path segment of the connection test, after `/{id}`. [seed: exists; shape assumed]
pub const TEST_SEGMENT: &str = "test";
/// Header naming the project for tenant-scoped keys. [seed] A project-scoped key may send it
/// naming its own project; another is 403 FORBIDDEN. A tenant-scoped key must send it (400
/// VALIDATION_ERROR without), naming one of the tenant's projects (404 PROJECT_NOT_FOUND).
/// Quotas and idempotency keys are per project; the rate limit is per API key. [assumed]
pub const PROJECT_HEADER: &str = "X-Project-Id";
/// A project id: `prj_` then letters, digits, `_` or `-`. [assumed]
pub fn is_project_id(id: &str) -> bool {
    id.strip_prefix("prj_").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= MAX_ID_LEN
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}
/// Idempotency header on POST and PATCH. [seed for POST; assumed for PATCH]
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Response header marking a replayed idempotent response. [assumed]
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// Longest Idempotency-Key the API accepts (printable ASCII). [assumed]
pub const MAX_IDEMPOTENCY_KEY: usize = 255;
/// How long the API keeps an idempotency key. [assumed]
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// List page size we ask for; the API allows 1..=100. [assumed]
pub const PAGE_SIZE: u32 = 100;
/// Query parameter names of the list endpoint. [assumed]
pub const QUERY_LIMIT: &str = "limit";
/// Cursor parameter. [assumed]
pub const QUERY_CURSOR: &str = "cursor";
/// Type filter parameter. [assumed]
pub const QUERY_TYPE: &str = "type";

/// Rate-limit headers, sent on every answer while a limit applies: the requests allowed
/// per second, how many remain now, and the seconds until the allowance is whole again.
/// The client paces itself by them when they come (and by 429 and `Retry-After` when they
/// do not). [assumed]
pub const RATE_LIMIT_LIMIT: &str = "RateLimit-Limit";
/// See [`RATE_LIMIT_LIMIT`]. [assumed]
pub const RATE_LIMIT_REMAINING: &str = "RateLimit-Remaining";
/// See [`RATE_LIMIT_LIMIT`]. [assumed]
pub const RATE_LIMIT_RESET: &str = "RateLimit-Reset";

/// A PATCH with an empty object changes nothing, answers 200 with the source, and honours
/// an Idempotency-Key like any other PATCH (replayed for the same key and body). The
/// provider claims a source this way; see `Client::claim`. [assumed]
pub const CLAIM_BODY: &str = "{}";

/// The largest response body read from the API. A list page of 100 sources is a few tens
/// of kilobytes; anything larger is refused before it is parsed.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The most pages one list walk reads (100,000 sources at 100 per page).
pub const MAX_PAGES: usize = 1000;
/// The most bytes one list walk reads (about 100,000 sources of ordinary size): a walk
/// holds what it reads, so an endless stream of full pages must end long before memory does.
pub const MAX_WALK_BYTES: usize = 128 * 1024 * 1024;
/// Longest list cursor accepted.
pub const MAX_CURSOR_LEN: usize = 1024;
/// Longest id accepted (ids are opaque; the seed shows `ls_` plus a UUID).
pub const MAX_ID_LEN: usize = 255;
/// Longest error message from the API that is shown, after cleaning.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// The JSON field names of a log source, in requests and answers: the one place they are
/// spelled. [seed: id, tenantId, type, name, credentials, sources, isActive, createdAt;
/// assumed: projectId, updatedAt]
pub mod fields {
    /// `id`.
    pub const ID: &str = "id";
    /// `tenantId`.
    pub const TENANT_ID: &str = "tenantId";
    /// `projectId`. [assumed]
    pub const PROJECT_ID: &str = "projectId";
    /// `type`.
    pub const TYPE: &str = "type";
    /// `name`.
    pub const NAME: &str = "name";
    /// `credentials`: sent, never returned.
    pub const CREDENTIALS: &str = "credentials";
    /// `sources`.
    pub const SOURCES: &str = "sources";
    /// `isActive`.
    pub const IS_ACTIVE: &str = "isActive";
    /// `createdAt`.
    pub const CREATED_AT: &str = "createdAt";
    /// `updatedAt`. [assumed]
    pub const UPDATED_AT: &str = "updatedAt";
}

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
    /// 404: the project named is not the tenant's. [assumed]
    pub const PROJECT_NOT_FOUND: &str = "PROJECT_NOT_FOUND";
    /// 409: same idempotency key still in flight.
    pub const IDEMPOTENCY_IN_PROGRESS: &str = "IDEMPOTENCY_IN_PROGRESS";
    /// 422: same idempotency key with another request.
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    /// 429: too many requests.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
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
