//! What the resource keeps so its idempotency keys never repeat by accident. The keys
//! themselves are derived by the client (`sigsentry::Client`) from the real request body:
//!
//! - Create: keyed by the identity of identical creates plus an ordinal. Identical creates
//!   of one provider process (`count = 2` twins) take ordinals 0, 1, …; a later run after a
//!   crash starts again at 0 and so repeats the key of its own interrupted attempt. Every
//!   created or adopted source is claimed, so a replay naming a source another object
//!   holds moves on to the next ordinal instead (see `create_and_claim`). A run that
//!   crashes between the claim and Terraform's state save cannot adopt its own source
//!   later (the claim is taken): the re-run warns, naming it, and makes a new one.
//! - A source kept after a claim that failed is marked `unclaimed`. A replacement's
//!   replayed create may then adopt it (it claims it); updating or deleting the unclaimed
//!   object claims it first, so a deposed object whose source was adopted lets it go
//!   instead of deleting it, and no update changes a source another object holds. Reads
//!   and imports never claim: they run in plans too, whose claims would be forgotten.
//! - Update: keyed by the source id, the generation counter kept in private state (bumped
//!   after every successful update) and the PATCH body, so changing A to B, back to A and
//!   to B again within the key window is never mistaken for a replay; a key the API
//!   replays anyway (a generation lost with a failed save) is passed over by the client.

use std::collections::HashMap;
use std::sync::Mutex;

/// Hands out create ordinals: how many identical creates this process has keyed already.
#[derive(Debug, Default)]
pub struct Ordinals {
    seen: Mutex<HashMap<String, u32>>,
}

impl Ordinals {
    /// The next ordinal for creates with `identity` (0 the first time).
    pub fn next(&self, identity: &str) -> u32 {
        let mut seen = match self.seen.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = seen.entry(identity.to_string()).or_insert(0);
        let current = *n;
        *n += 1;
        current
    }
}

/// What the resource keeps in Terraform's private state.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Private {
    /// Successful updates so far: part of the update key.
    #[serde(default, rename = "g")]
    pub generation: u64,
    /// The keyed digest of the write-only credentials last sent (see
    /// `Client::credentials_digest`), to warn when they change without a version bump.
    #[serde(default, rename = "w", skip_serializing_if = "Option::is_none")]
    pub sent_write_only: Option<String>,
    /// The fingerprint of the API key that made `sent_write_only`.
    #[serde(default, rename = "k", skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The create's claim failed: whether another object holds the source is unknown
    /// until a claim succeeds.
    #[serde(default, rename = "u", skip_serializing_if = "std::ops::Not::not")]
    pub unclaimed: bool,
}

impl Private {
    /// The generation after one more successful update (saturating: a counter read back
    /// from state must not overflow).
    pub fn bump(&mut self, used: u64) {
        self.generation = used.saturating_add(1);
    }

    /// Reads private bytes; anything unreadable counts as generation 0.
    pub fn from_bytes(bytes: &[u8]) -> Private {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// Serialises for Terraform. Generation 0 is written as nothing at all: Terraform then
    /// keeps no private data for the instance, which it would otherwise copy, encode and
    /// write to the state file once per resource on every state save.
    pub fn to_bytes(&self) -> Vec<u8> {
        if *self == Private::default() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_creates_count_up_and_a_new_process_starts_again() {
        let first_run = Ordinals::default();
        assert_eq!(first_run.next("d"), 0);
        assert_eq!(first_run.next("d"), 1);
        assert_eq!(first_run.next("other"), 0);
        assert_eq!(Ordinals::default().next("d"), 0);
    }

    #[test]
    fn private_round_trips_and_tolerates_garbage() {
        let p = Private {
            generation: 7,
            sent_write_only: Some("ab".into()),
            key: Some("cd".into()),
            unclaimed: true,
        };
        assert_eq!(Private::from_bytes(&p.to_bytes()), p);
        assert_eq!(Private::from_bytes(b"\xff"), Private::default());
    }

    #[test]
    fn generation_zero_is_no_private_data_and_old_states_still_read() {
        assert!(Private::default().to_bytes().is_empty());
        assert_eq!(Private::from_bytes(b""), Private::default());
        // States written before this change carry `{"g":0}`.
        assert_eq!(Private::from_bytes(br#"{"g":0}"#), Private::default());
        assert_eq!(Private::from_bytes(br#"{"g":3}"#).generation, 3);
        // A claimed source adds nothing to what earlier releases wrote.
        let p = Private {
            generation: 3,
            ..Default::default()
        };
        assert_eq!(p.to_bytes(), br#"{"g":3}"#);
    }

    #[test]
    fn a_counter_at_its_limit_does_not_overflow() {
        let mut p = Private::from_bytes(format!("{{\"g\":{}}}", u64::MAX).as_bytes());
        assert_eq!(p.generation, u64::MAX);
        p.bump(p.generation);
        assert_eq!(p.generation, u64::MAX);
    }
}
