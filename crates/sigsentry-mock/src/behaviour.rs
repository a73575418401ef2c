//! How far the fake honours the contract's [assumed] idempotency, and its clock. By
//! default it behaves exactly as the contract says; each other mode departs from it the
//! way an API that honours only the published page might, so a client can be tested
//! against each (`sigsentry-mock --api-mode`, `PUT /_fake/mode`). The clock can be moved
//! forward (`POST /_fake/clock`), so that key windows and `createdAt` can be tested without
//! waiting.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// The fake's departures from the contract's idempotency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiMode {
    /// As the contract says.
    #[default]
    Contract,
    /// PATCH ignores `Idempotency-Key`: every PATCH is carried out.
    PatchIgnoresKeys,
    /// Replays come without the `Idempotent-Replayed` header.
    ReplaysUnmarked,
    /// PATCH keys are forgotten after [`SHORT_PATCH_WINDOW`]; POST keys last the contract's
    /// 24 hours.
    ShortPatchWindow,
    /// A PATCH that names no field (`{}`) is refused with 400 VALIDATION_ERROR.
    RefusesEmptyPatch,
}

/// Every mode, for tests that run a case in each.
pub const ALL_MODES: [ApiMode; 5] = [
    ApiMode::Contract,
    ApiMode::PatchIgnoresKeys,
    ApiMode::ReplaysUnmarked,
    ApiMode::ShortPatchWindow,
    ApiMode::RefusesEmptyPatch,
];

/// How long PATCH keys are kept in [`ApiMode::ShortPatchWindow`].
pub const SHORT_PATCH_WINDOW: Duration = Duration::from_secs(60);

impl ApiMode {
    /// Its name on the command line and in the admin route.
    pub fn name(self) -> &'static str {
        match self {
            ApiMode::Contract => "contract",
            ApiMode::PatchIgnoresKeys => "patch-ignores-keys",
            ApiMode::ReplaysUnmarked => "replays-unmarked",
            ApiMode::ShortPatchWindow => "short-patch-window",
            ApiMode::RefusesEmptyPatch => "refuses-empty-patch",
        }
    }

    /// The mode named `name`.
    pub fn parse(name: &str) -> Option<ApiMode> {
        ALL_MODES.into_iter().find(|m| m.name() == name)
    }
}

/// The fake's clock: the real one, moved forward by what tests asked.
#[derive(Debug, Default)]
pub struct Clock {
    ahead_ms: AtomicU64,
}

impl Clock {
    /// Now, on the fake's clock.
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_millis(self.ahead_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.ahead_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Now as RFC 3339 with whole seconds, as the API writes `createdAt`.
    pub fn rfc3339(&self) -> String {
        time::OffsetDateTime::from(self.now())
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

/// Middleware: every answer's `Date` comes from the fake's clock.
pub(crate) async fn date_header(
    axum::extract::State(shared): axum::extract::State<std::sync::Arc<super::Shared>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&httpdate::fmt_http_date(shared.clock.now())) {
        resp.headers_mut().insert(axum::http::header::DATE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_by_name_and_the_clock_moves_forward() {
        for m in ALL_MODES {
            assert_eq!(ApiMode::parse(m.name()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        let c = Clock::default();
        let before = c.now();
        c.advance(Duration::from_secs(3600));
        assert!(c.now().duration_since(before).unwrap() >= Duration::from_secs(3600));
    }
}
