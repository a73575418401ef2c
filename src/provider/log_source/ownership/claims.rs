//! Claims: a no-op PATCH under a key every claimant of a source derives alike, so an API
//! that honours PATCH idempotency carries out only the first and replays it to the rest
//! (see `Client::claim`). None of that is published, so every use here checks it.

use super::ledger::Ledger;
use crate::sigsentry::{ApiError, ClaimAnswer, Client, LogSource};

/// A claim's outcome.
#[derive(Debug)]
pub(crate) enum Claimed {
    /// Carried out now: nobody claimed the source before (or the API does not arbitrate).
    First(LogSource),
    /// Answered as a replay: someone claimed it before.
    Taken,
    /// The source does not exist.
    Gone,
    /// The API does not take claims (it refused the request).
    Refused,
    /// The outcome is not known (the API could not be reached, or answered nonsense).
    Unknown(ApiError),
}

/// Before the first apply-time write of an imported object.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BeforeWrite {
    /// Nobody else claimed it (or the API cannot say).
    Ours,
    /// Another object claimed it first.
    ClaimedByAnother,
    /// It is gone.
    Gone,
}

/// Claims on one client, recorded in one ledger.
pub(crate) struct Claims<'a> {
    pub client: &'a Client,
    pub ledger: &'a Ledger,
}

impl Claims<'_> {
    /// Claims `id`.
    pub async fn claim(&self, id: &str) -> Claimed {
        match self.client.claim(id).await {
            Ok(ClaimAnswer::First(source)) => Claimed::First(source),
            Ok(ClaimAnswer::Repeated) => Claimed::Taken,
            Err(ApiError::NotFound { .. }) => Claimed::Gone,
            Err(e) if e.is_refusal() => Claimed::Refused,
            Err(e) => Claimed::Unknown(e),
        }
    }

    /// Claims sources for the objects that hold them, so that a planned identical create
    /// is answered "taken" if the API replays one of them. Advice to the API, not a
    /// decision: failures are logged and ignored.
    pub async fn for_holders(&self, ids: &[String]) {
        for id in ids {
            match self.claim(id).await {
                Claimed::First(_) | Claimed::Taken => {
                    tracing::debug!(%id, "claimed for the object that holds it")
                }
                other => tracing::debug!(%id, outcome = ?other, "holder claim not made"),
            }
        }
    }

    /// Whether the API arbitrates claims, asked once per process: the claim on `id` just
    /// carried out is sent again, identical, and must come back marked as a replay. An
    /// API that ignores PATCH keys, or replays without saying so, fails this. `None` when
    /// the repeat got no answer (asked again next time).
    pub async fn arbitrates(&self, id: &str) -> Option<bool> {
        if let Some(known) = self.ledger.arbitrates() {
            return Some(known);
        }
        let answer = match self.claim(id).await {
            Claimed::Taken => true,
            Claimed::First(_) | Claimed::Refused | Claimed::Gone => false,
            Claimed::Unknown(e) => {
                tracing::debug!(error = %e, "claim probe got no answer");
                return None;
            }
        };
        if !answer {
            tracing::info!("the API does not show that it arbitrates claims: replayed creates from other runs are not adopted");
        }
        self.ledger.set_arbitrates(answer);
        Some(answer)
    }

    /// Claims an imported object's source before its first apply-time write.
    pub async fn before_write(&self, id: &str) -> Result<BeforeWrite, ApiError> {
        match self.claim(id).await {
            Claimed::First(_) | Claimed::Refused => Ok(BeforeWrite::Ours),
            Claimed::Taken => Ok(BeforeWrite::ClaimedByAnother),
            Claimed::Gone => Ok(BeforeWrite::Gone),
            Claimed::Unknown(e) => Err(e),
        }
    }
}
