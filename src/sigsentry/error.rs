//! Typed API errors, built from the error envelope (or from what came instead of it).

use super::contract::{codes, ErrorEnvelope, MAX_BODY_BYTES};
use super::sanitize::Redactor;
use std::fmt;
use std::time::Duration;

/// A problem with one field, from `error.details`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Field path such as `credentials.secretAccessKey`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why an API call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// 400 VALIDATION_ERROR.
    Validation {
        /// Server message.
        message: String,
        /// Per-field problems.
        details: Vec<FieldError>,
    },
    /// 401: missing or invalid API key.
    Unauthorized {
        /// Server message.
        message: String,
    },
    /// 403 FORBIDDEN: the key lacks a permission.
    Forbidden {
        /// Server message.
        message: String,
    },
    /// 403 QUOTA_EXCEEDED.
    QuotaExceeded {
        /// Server message.
        message: String,
    },
    /// 404 NOT_FOUND.
    NotFound {
        /// Server message.
        message: String,
    },
    /// 404 PROJECT_NOT_FOUND: the project named is not the tenant's. Never "the source is
    /// gone": nothing was looked up.
    ProjectNotFound {
        /// Server message.
        message: String,
    },
    /// 422: the idempotency key was used for another request.
    IdempotencyKeyReused {
        /// Server message.
        message: String,
    },
    /// 409: the same idempotency key is still being processed.
    IdempotencyInProgress {
        /// Server message.
        message: String,
    },
    /// 429.
    RateLimited {
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
        /// Server message.
        message: String,
    },
    /// 5xx with an error envelope.
    Server {
        /// HTTP status.
        status: u16,
        /// `Retry-After`, when sent (503).
        retry_after: Option<Duration>,
        /// error.code.
        code: String,
        /// Server message.
        message: String,
    },
    /// Another status with an error envelope.
    Unexpected {
        /// HTTP status.
        status: u16,
        /// error.code.
        code: String,
        /// Server message.
        message: String,
    },
    /// The answer was not the JSON we expected (an HTML error page, a truncated body).
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// What it was, for a person.
        what: String,
    },
    /// A body larger than the client reads ([`MAX_BODY_BYTES`]).
    TooLarge {
        /// HTTP status.
        status: u16,
    },
    /// A well-formed answer that breaks the contract (an id other than the one asked for,
    /// a field of the wrong type, `"success": false` on a 2xx, a page that never ends).
    /// Never retried: asking again gets the same answer.
    BadAnswer {
        /// What was wrong, for a person (no value from the answer beyond field names).
        what: String,
    },
    /// The operation's overall deadline passed (attempts and waits together).
    Deadline {
        /// The deadline, in seconds.
        seconds: u64,
        /// Attempts made.
        attempts: u32,
        /// Why the last attempt failed.
        last: String,
    },
    /// The request never got an answer (refused, reset, timed out).
    Transport {
        /// What happened, naming the host but never the key.
        message: String,
        /// True for connection failures before anything was sent.
        connect: bool,
    },
    /// A plain `http://` URL to a non-loopback host: the key would travel unencrypted.
    InsecureUrl {
        /// The URL's host.
        host: String,
    },
    /// No API key configured.
    MissingApiKey,
    /// Terraform asked the provider to stop.
    Cancelled,
    /// The client configuration is unusable.
    Config(String),
}

impl ApiError {
    /// Builds the error for a non-success `status` with `body`.
    /// Every text from the API is cleaned by `redact` (secrets of the request replaced,
    /// control characters dropped) before it is kept.
    pub(crate) fn from_response(
        status: u16,
        retry_after: Option<Duration>,
        body: &[u8],
        content_type: &str,
        redact: &Redactor,
    ) -> ApiError {
        let Ok(env) = serde_json::from_slice::<ErrorEnvelope>(body) else {
            return ApiError::InvalidResponse {
                status,
                what: describe_body(body, content_type, redact),
            };
        };
        let mut e = env.error;
        // Shown in messages too: cleaned like the message.
        e.code = redact.clean(&e.code);
        let message = redact.clean(&e.message);
        match (status, e.code.as_str()) {
            (_, codes::VALIDATION) | (400, "") => ApiError::Validation {
                message,
                details: e
                    .details
                    .into_iter()
                    .take(50)
                    .map(|d| FieldError {
                        field: redact.clean(&d.field),
                        message: redact.clean(&d.message),
                    })
                    .collect(),
            },
            (_, codes::UNAUTHORIZED) | (401, _) => ApiError::Unauthorized { message },
            (_, codes::QUOTA_EXCEEDED) => ApiError::QuotaExceeded { message },
            (_, codes::FORBIDDEN) | (403, _) => ApiError::Forbidden { message },
            (_, codes::PROJECT_NOT_FOUND) => ApiError::ProjectNotFound { message },
            (_, codes::NOT_FOUND) | (404, _) => ApiError::NotFound { message },
            (_, codes::IDEMPOTENCY_KEY_REUSED) => ApiError::IdempotencyKeyReused { message },
            (_, codes::IDEMPOTENCY_IN_PROGRESS) => ApiError::IdempotencyInProgress { message },
            (_, codes::RATE_LIMITED) | (429, _) => ApiError::RateLimited {
                retry_after,
                message,
            },
            (500..=599, _) => ApiError::Server {
                status,
                retry_after,
                code: e.code,
                message,
            },
            _ => ApiError::Unexpected {
                status,
                code: e.code,
                message,
            },
        }
    }

    /// Whether trying again may succeed. This alone decides a retry: every request can be
    /// sent again safely (see `call::Kind`).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::RateLimited { .. }
            | ApiError::IdempotencyInProgress { .. }
            | ApiError::Server { .. }
            | ApiError::Transport { .. } => true,
            ApiError::InvalidResponse { status, .. } => unreadable_may_be_done(*status),
            _ => false,
        }
    }

    /// True when the API answered and refused the request as such (a 4xx other than "not
    /// found", "too many requests" and the idempotency conflicts): asking again gets the
    /// same answer, and the request is not something this API does.
    pub fn is_refusal(&self) -> bool {
        match self {
            ApiError::Validation { .. }
            | ApiError::Unauthorized { .. }
            | ApiError::Forbidden { .. }
            | ApiError::QuotaExceeded { .. } => true,
            ApiError::Unexpected { status, .. } => (400..500).contains(status),
            _ => false,
        }
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { retry_after, .. } | ApiError::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// True when a failed attempt may still have been carried out by the API (the request
    /// went out and no definite refusal came back), so a replay of its key may be our own.
    pub fn may_have_committed(&self) -> bool {
        match self {
            ApiError::Transport { connect, .. } => !connect,
            ApiError::Server { .. } | ApiError::Deadline { .. } | ApiError::Cancelled => true,
            ApiError::InvalidResponse { status, .. } => unreadable_may_be_done(*status),
            _ => false,
        }
    }
}

/// Whether an answer that could not be read, with `status`, may stand for work the API
/// did: a proxy's 5xx page, or a 2xx whose body was cut off after the API committed. The
/// same request under the same idempotency key is then answered by a replay, so it is
/// retried, and its replay counts as ours.
fn unreadable_may_be_done(status: u16) -> bool {
    status >= 500 || (200..300).contains(&status)
}

/// A short, safe description of a body that is not the expected JSON.
fn describe_body(body: &[u8], content_type: &str, redact: &Redactor) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if content_type.contains("html") || trimmed.starts_with('<') {
        "an HTML page, not JSON (a proxy or load balancer answered instead of the API)".into()
    } else if body.is_empty() {
        "an empty body".into()
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        "malformed or truncated JSON".into()
    } else {
        // Redacted first (a secret anywhere in the body), then printable ASCII only and
        // short: never echo much of a body back.
        let snippet: String = redact
            .clean(trimmed)
            .chars()
            .take(60)
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        format!("text that is not JSON ({snippet:?})")
    }
}

fn with_message(f: &mut fmt::Formatter<'_>, head: &str, message: &str) -> fmt::Result {
    if message.is_empty() {
        write!(f, "{head}")
    } else {
        write!(f, "{head}: {message}")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Validation { message, details } => {
                with_message(f, "validation failed (400 VALIDATION_ERROR)", message)?;
                for d in details {
                    write!(f, "; {}: {}", d.field, d.message)?;
                }
                Ok(())
            }
            ApiError::Unauthorized { message } => {
                with_message(f, "the API key is missing or invalid (401)", message)
            }
            ApiError::Forbidden { message } => {
                with_message(f, "the API key lacks the needed permission (403)", message)
            }
            ApiError::QuotaExceeded { message } => with_message(
                f,
                "the plan's log source quota is reached (403 QUOTA_EXCEEDED)",
                message,
            ),
            ApiError::NotFound { message } => with_message(f, "not found (404)", message),
            ApiError::ProjectNotFound { message } => {
                with_message(f, "project not found (404 PROJECT_NOT_FOUND)", message)
            }
            ApiError::IdempotencyKeyReused { message } => with_message(
                f,
                "the idempotency key was already used for a different request (422)",
                message,
            ),
            ApiError::IdempotencyInProgress { message } => with_message(
                f,
                "the same request is still being processed (409)",
                message,
            ),
            ApiError::RateLimited { message, .. } => {
                with_message(f, "rate limited (429); retries exhausted", message)
            }
            ApiError::Server {
                status,
                code,
                message,
                ..
            } => with_message(f, &format!("server error ({status} {code})"), message),
            ApiError::Unexpected {
                status,
                code,
                message,
            } => with_message(f, &format!("unexpected answer ({status} {code})"), message),
            ApiError::InvalidResponse { status, what } => {
                write!(f, "the API answered {status} with {what}")
            }
            ApiError::TooLarge { status } => write!(
                f,
                "the API answered {status} with a body larger than {} MiB; refused unread",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
            ApiError::BadAnswer { what } => write!(f, "the API's answer was refused: {what}"),
            ApiError::Deadline {
                seconds,
                attempts,
                last,
            } => write!(
                f,
                "gave up after {seconds} s and {attempts} attempt(s) (total_timeout_seconds); the last one: {last}"
            ),
            ApiError::Transport { message, .. } => write!(f, "{message}"),
            ApiError::InsecureUrl { host } => write!(
                f,
                "refusing to send the API key over plain http:// to {host}: use https://, or \
                 http:// only for a loopback address (127.0.0.1, ::1, localhost)"
            ),
            ApiError::MissingApiKey => write!(
                f,
                "no API key: set api_key in the provider block or the SIGSENTRY_API_KEY \
                 environment variable"
            ),
            ApiError::Cancelled => write!(f, "cancelled: Terraform asked the provider to stop"),
            ApiError::Config(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_codes_map_to_variants() {
        let body = br#"{"success":false,"error":{"code":"VALIDATION_ERROR","message":"bad","details":[{"field":"name","message":"too long"}]}}"#;
        let e = ApiError::from_response(400, None, body, "application/json", &Redactor::default());
        assert_eq!(
            e,
            ApiError::Validation {
                message: "bad".into(),
                details: vec![FieldError {
                    field: "name".into(),
                    message: "too long".into()
                }]
            }
        );
        let q = br#"{"success":false,"error":{"code":"QUOTA_EXCEEDED","message":"q"}}"#;
        assert!(matches!(
            ApiError::from_response(403, None, q, "", &Redactor::default()),
            ApiError::QuotaExceeded { .. }
        ));
        let f = br#"{"success":false,"error":{"code":"FORBIDDEN","message":"f"}}"#;
        assert!(matches!(
            ApiError::from_response(403, None, f, "", &Redactor::default()),
            ApiError::Forbidden { .. }
        ));
    }

    #[test]
    fn html_and_truncated_bodies_are_described_safely() {
        let e = ApiError::from_response(
            502,
            None,
            b"<html><body>Bad Gateway</body></html>",
            "text/html",
            &Redactor::default(),
        );
        assert!(e.to_string().contains("HTML page"), "{e}");
        assert!(e.is_retryable());
        let t = ApiError::from_response(
            500,
            None,
            br#"{"success":false,"err"#,
            "application/json",
            &Redactor::default(),
        );
        assert!(t.to_string().contains("truncated"), "{t}");
        let nf = ApiError::from_response(404, None, b"<html>", "text/html", &Redactor::default());
        assert!(!nf.is_retryable());
    }

    #[test]
    fn messages_from_the_api_are_redacted_and_stripped() {
        let body = br#"{"success":false,"error":{"code":"VALIDATION_ERROR","message":"token tok-s3cret-value is bad \u001b[31m","details":[{"field":"credentials.token","message":"tok-s3cret-value rejected"}]}}"#;
        let e = ApiError::from_response(400, None, body, "", &Redactor::new(["tok-s3cret-value"]));
        let text = e.to_string();
        assert!(!text.contains("tok-s3cret-value"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
