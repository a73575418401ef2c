//! A create, exactly once and never shared (the rules are in `ownership`'s module doc).

use super::claims::{Claimed, Claims};
use super::ledger::Ledger;
use crate::sigsentry::{ApiError, Client, LogSource, NewLogSource, Replay};
use std::collections::BTreeSet;

/// How many derived keys a create tries: each replay that is not provably this object's
/// moves on to the next.
pub const MAX_CREATE_KEYS: usize = 16;

/// A replay passed over on the way to the source made or adopted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PassedOver {
    /// Another object holds it, this process bound it to another object, or deleted it.
    Known(String),
    /// It no longer exists.
    Gone(String),
    /// Another object claimed it.
    Taken(String),
    /// It exists and may be a leftover of an interrupted run, or another object's: not
    /// provable either way.
    Unproven(String, Unproven),
}

/// Why a replay could not be proven to be this object's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unproven {
    /// A repeated claim was not marked as a replay: the API does not arbitrate claims.
    NoArbitration,
    /// The API refused the claim.
    ClaimRefused,
}

/// A created or adopted source.
#[derive(Debug)]
pub(crate) struct Made {
    /// The source.
    pub source: LogSource,
    /// True when it is this object's earlier attempt, replayed.
    pub adopted: bool,
    /// The replays passed over first.
    pub passed_over: Vec<PassedOver>,
}

/// Why a create failed.
#[derive(Debug)]
pub(crate) enum CreateFailure {
    /// The API refused or failed the create; nothing was made by it.
    Api(ApiError),
    /// The answer names a source whose `attr` differs from the request; when not
    /// replayed, this request made it and it is kept (so it is not orphaned).
    Mismatch {
        source: Box<LogSource>,
        attr: &'static str,
        replayed: bool,
    },
    /// Whether a replayed source is this object's could not be settled.
    Undecided { id: String, error: ApiError },
    /// Every key tried was replayed and passed over.
    Exhausted(Vec<PassedOver>),
}

/// Which of type, name and sources differ between what a create asked for and what came back.
fn mismatch(source: &LogSource, body: &NewLogSource) -> Option<&'static str> {
    let mut got = source.sources.clone();
    got.sort();
    got.dedup();
    if source.log_type != body.log_type {
        Some("type")
    } else if source.name != body.name {
        Some("name")
    } else if got != body.sources {
        Some("sources")
    } else {
        None
    }
}

/// Creates `body` for one object of the state `scope` (see `ownership`). `held` are the
/// sources the first plan saw objects of this state hold with this create's type, name and
/// sources (Terraform 1.16+; empty otherwise).
pub(crate) async fn create(
    client: &Client,
    ledger: &Ledger,
    body: &NewLogSource,
    scope: &str,
    held: &BTreeSet<String>,
) -> Result<Made, CreateFailure> {
    let claims = Claims { client, ledger };
    let identity = client
        .create_identity(body, scope)
        .map_err(CreateFailure::Api)?;
    let mut passed_over = Vec::new();
    for _ in 0..MAX_CREATE_KEYS {
        let ordinal = ledger.next_ordinal(&identity);
        let created = client
            .create(body, &identity, ordinal)
            .await
            .map_err(CreateFailure::Api)?;
        let id = created.source.id.clone();
        if let Some(attr) = mismatch(&created.source, body) {
            return Err(CreateFailure::Mismatch {
                source: Box::new(created.source),
                attr,
                replayed: created.replay == Replay::Earlier,
            });
        }
        match created.replay {
            Replay::Fresh | Replay::OwnRetry => {
                let adopted = created.replay == Replay::OwnRetry;
                ledger.bind(&id, adopted);
                return Ok(Made {
                    source: created.source,
                    adopted,
                    passed_over,
                });
            }
            Replay::Earlier => {}
        }
        // An earlier create's answer: this object's own interrupted attempt, or another
        // object's source. Adopted only when proven.
        if held.contains(&id) || ledger.known_elsewhere(&id) {
            tracing::info!(%id, "create replayed a source another object holds; trying the next key");
            passed_over.push(PassedOver::Known(id));
            continue;
        }
        if ledger.arbitrates() == Some(false) {
            // No claim can decide: name it only if it still exists.
            match client.get(&id).await {
                Ok(_) => passed_over.push(PassedOver::Unproven(id, Unproven::NoArbitration)),
                Err(ApiError::NotFound { .. }) => passed_over.push(PassedOver::Gone(id)),
                Err(error) => return Err(CreateFailure::Undecided { id, error }),
            }
            continue;
        }
        match claims.claim(&id).await {
            Claimed::First(live) => match claims.arbitrates(&id).await {
                Some(true) => {
                    tracing::info!(%id, "create replayed this object's interrupted earlier attempt; adopting it");
                    ledger.bind(&id, true);
                    return Ok(Made {
                        source: live,
                        adopted: true,
                        passed_over,
                    });
                }
                Some(false) => passed_over.push(PassedOver::Unproven(id, Unproven::NoArbitration)),
                None => return Err(CreateFailure::Undecided {
                    id,
                    error: ApiError::BadAnswer {
                        what:
                            "no answer to the repeated claim that checks the API arbitrates claims"
                                .into(),
                    },
                }),
            },
            Claimed::Taken => {
                tracing::info!(%id, "create replayed a source another object claimed; trying the next key");
                passed_over.push(PassedOver::Taken(id));
            }
            Claimed::Gone => passed_over.push(PassedOver::Gone(id)),
            Claimed::Refused => {
                ledger.set_arbitrates(false);
                passed_over.push(PassedOver::Unproven(id, Unproven::ClaimRefused));
            }
            Claimed::Unknown(error) => return Err(CreateFailure::Undecided { id, error }),
        }
    }
    Err(CreateFailure::Exhausted(passed_over))
}
