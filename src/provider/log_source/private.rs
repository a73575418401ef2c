//! What `sigsentry_log_source` keeps in Terraform's private state (the framework owns the
//! bytes; see `framework::private`). Nothing here is secret or derived from a secret:
//! write-only credentials leave no trace but their key names.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The private state of one log source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSourcePrivate {
    /// Successful updates so far: part of the update's idempotency key, so changing A to
    /// B, back to A and to B again within the key window is never taken for a replay.
    #[serde(default, rename = "g", skip_serializing_if = "is_zero")]
    pub generation: u64,
    /// Claim the source before its first apply-time write: it was imported (import is
    /// trusted, not arbitrated), or an earlier release could not claim it after creating it.
    #[serde(default, rename = "u", skip_serializing_if = "std::ops::Not::not")]
    pub claim_before_write: bool,
    /// This process's adoption mark: set on a source adopted in this process, so that a
    /// delete of the same id by another object of this process (a deposed object) is told
    /// apart from a delete of the adopter itself (`terraform test` destroys in-process).
    #[serde(default, rename = "a", skip_serializing_if = "Option::is_none")]
    pub adopted_in: Option<String>,
    /// The key names (never the values) of the write-only credentials last sent.
    #[serde(default, rename = "wk", skip_serializing_if = "Option::is_none")]
    pub write_only_keys: Option<BTreeSet<String>>,
    /// What the first plan of a create saw, carried to its apply by Terraform 1.16+.
    #[serde(default, rename = "p", skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanFacts>,
    /// A keyed digest of write-only values that earlier releases kept: read so it can
    /// be dropped, never written.
    #[serde(default, rename = "w", skip_serializing)]
    pub(super) legacy_digest: Option<serde_json::Value>,
    /// The key fingerprint that went with `legacy_digest`: read, never written.
    #[serde(default, rename = "k", skip_serializing)]
    pub(super) legacy_key: Option<serde_json::Value>,
}

/// What the plan walk knew about a planned create (Terraform 1.16+ hands it to the apply).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFacts {
    /// Sources that objects of this state hold with the create's type, name and sources:
    /// a replay naming one of them is never this object's.
    #[serde(default, rename = "h", skip_serializing_if = "BTreeSet::is_empty")]
    pub held: BTreeSet<String>,
    /// The plan already gave the duplicate advice: the final plan does not list again.
    #[serde(default, rename = "adv")]
    pub advised: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl LogSourcePrivate {
    /// The generation after one more successful update (saturating: a counter read back
    /// from state must not overflow).
    pub fn bump(&mut self, used: u64) {
        self.generation = used.saturating_add(1);
    }

    /// True when state written by an earlier release still holds a credentials digest.
    pub fn holds_legacy_digest(&self) -> bool {
        self.legacy_digest.is_some() || self.legacy_key.is_some()
    }

    /// The same private state without what earlier releases kept and this one drops.
    pub fn without_legacy(mut self) -> Self {
        self.legacy_digest = None;
        self.legacy_key = None;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::private::{decode, encode};

    #[test]
    fn private_state_of_earlier_releases_still_reads() {
        // 0.1: {"g":N}, "u" for a create whose claim failed, "w"/"k" for a digest.
        let p: LogSourcePrivate = decode(br#"{"g":3,"u":true,"w":"ab","k":"cd"}"#);
        assert_eq!(p.generation, 3);
        assert!(p.claim_before_write);
        assert!(p.holds_legacy_digest());
        // The digest is never written again.
        assert_eq!(encode(&p.clone().without_legacy()), br#"{"g":3,"u":true}"#);
        assert_eq!(encode(&p), br#"{"g":3,"u":true}"#);
        assert_eq!(
            decode::<LogSourcePrivate>(br#"{"g":0}"#),
            LogSourcePrivate::default()
        );
    }

    #[test]
    fn a_plain_object_keeps_nothing_and_a_counter_does_not_overflow() {
        assert!(encode(&LogSourcePrivate::default()).is_empty());
        let mut p: LogSourcePrivate = decode(format!("{{\"g\":{}}}", u64::MAX).as_bytes());
        p.bump(p.generation);
        assert_eq!(p.generation, u64::MAX);
    }
}
