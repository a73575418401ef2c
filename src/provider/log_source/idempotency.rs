//! Idempotency keys derived from the plan, never random, so that a retried or re-run
//! apply sends the same key and the API replays instead of creating a duplicate.
//!
//! - Create: digest of (API URL, project, the planned POST body with the credentials
//!   replaced by their digest) plus the ordinal of identical creates in this provider
//!   process. Twins with equal bodies (`count = 2`) get ordinals 0 and 1, so distinct keys;
//!   a later `terraform apply` after a crash starts a new process and derives the same keys.
//! - Update: digest of (source id, the generation counter kept in private state and bumped
//!   after every successful update, the planned PATCH body), so changing A to B, back to A
//!   and to B again within the key window is never mistaken for a replay.

use aws_lc_rs::digest::{digest, SHA256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    digest(&SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A digest standing in for credential values inside a key's input.
pub fn credentials_digest(creds: &BTreeMap<String, String>) -> String {
    // BTreeMap serialises in key order, so equal maps give equal bytes.
    let bytes = serde_json::to_vec(creds).unwrap_or_default();
    sha256_hex(&bytes)
}

/// Hands out create ordinals: how many identical creates this process has keyed already.
#[derive(Debug, Default)]
pub struct Ordinals {
    seen: Mutex<HashMap<String, u32>>,
}

impl Ordinals {
    /// The next ordinal for `digest` (0 the first time).
    pub fn next(&self, digest: &str) -> u32 {
        let mut seen = match self.seen.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = seen.entry(digest.to_string()).or_insert(0);
        let current = *n;
        *n += 1;
        current
    }
}

/// The digest part of a create key. `body` is the canonical JSON of the planned POST body
/// with credentials replaced by [`credentials_digest`].
pub fn create_digest(api_url: &str, project: &str, body: &serde_json::Value) -> String {
    let input = serde_json::json!({"url": api_url, "project": project, "body": body});
    sha256_hex(input.to_string().as_bytes())
}

/// The create key for `digest` and `ordinal`.
pub fn create_key(digest: &str, ordinal: u32) -> String {
    format!("tfss-create-{}-{ordinal}", &digest[..digest.len().min(40)])
}

/// The update key for source `id` at `generation` with the planned PATCH `body`
/// (credentials already replaced by their digest).
pub fn update_key(id: &str, generation: u64, body: &serde_json::Value) -> String {
    let input = serde_json::json!({"id": id, "generation": generation, "body": body});
    let d = sha256_hex(input.to_string().as_bytes());
    format!("tfss-update-{}", &d[..40])
}

/// What the resource keeps in Terraform's private state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Private {
    /// Successful updates so far: part of the update key.
    #[serde(default, rename = "g")]
    pub generation: u64,
}

impl Private {
    /// Reads private bytes; anything unreadable counts as generation 0.
    pub fn from_bytes(bytes: &[u8]) -> Private {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// Serialises for Terraform. Generation 0 is written as nothing at all: Terraform then
    /// keeps no private data for the instance, which it would otherwise copy, encode and
    /// write to the state file once per resource on every state save.
    pub fn to_bytes(self) -> Vec<u8> {
        if self == Private::default() {
            return Vec::new();
        }
        serde_json::to_vec(&self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_creates_get_distinct_keys_and_a_new_process_repeats_them() {
        let body = serde_json::json!({"type": "loki", "name": "a"});
        let d = create_digest("http://127.0.0.1:1", "", &body);
        let first_run = Ordinals::default();
        let k0 = create_key(&d, first_run.next(&d));
        let k1 = create_key(&d, first_run.next(&d));
        assert_ne!(k0, k1);
        let second_run = Ordinals::default();
        assert_eq!(create_key(&d, second_run.next(&d)), k0);
        assert!(k0.len() <= 255 && k0.is_ascii());
    }

    #[test]
    fn keys_change_with_url_body_and_generation() {
        let body = serde_json::json!({"name": "a"});
        let other = serde_json::json!({"name": "b"});
        assert_ne!(
            create_digest("https://a", "", &body),
            create_digest("https://b", "", &body)
        );
        assert_ne!(update_key("ls_1", 0, &body), update_key("ls_1", 1, &body));
        assert_ne!(update_key("ls_1", 0, &body), update_key("ls_1", 0, &other));
    }

    #[test]
    fn credential_digest_hides_values() {
        let mut c = BTreeMap::new();
        c.insert("token".to_string(), "s3cret".to_string());
        let d = credentials_digest(&c);
        assert!(!d.contains("s3cret"));
        assert_eq!(d.len(), 64);
    }

    #[test]
    fn private_round_trips_and_tolerates_garbage() {
        let p = Private { generation: 7 };
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
    }
}
