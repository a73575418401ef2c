//! Idempotency keys, derived rather than random so that a retried or re-run request sends
//! the same key. Every key is an HMAC-SHA256 keyed with the API key: the request body
//! (credentials included) is part of the input, and without the API key nobody who sees
//! the header (a proxy's log, the API's own logs) can test guesses of a credential against
//! it. The version tag in each prefix lets a later scheme never collide with this one.

use super::contract::MAX_IDEMPOTENCY_KEY;
use super::secret::Secret;
use aws_lc_rs::hmac;

/// Derives the keys of one API key.
pub(crate) struct KeyDeriver {
    key: hmac::Key,
}

impl std::fmt::Debug for KeyDeriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyDeriver { <keyed> }")
    }
}

/// Bytes of the HMAC kept in a key (160 bits).
const TAG_BYTES: usize = 20;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl KeyDeriver {
    /// Keys derived under `api_key`.
    pub fn new(api_key: &Secret) -> KeyDeriver {
        KeyDeriver {
            key: hmac::Key::new(hmac::HMAC_SHA256, api_key.expose().as_bytes()),
        }
    }

    /// The HMAC of `purpose` and the canonical JSON of `material` (serde_json sorts
    /// object keys, so equal values give equal bytes).
    fn tag(&self, purpose: &str, material: &serde_json::Value) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(purpose.as_bytes());
        ctx.update(&[0]);
        ctx.update(material.to_string().as_bytes());
        let tag = ctx.sign();
        let tag = tag.as_ref();
        hex(tag.get(..TAG_BYTES).unwrap_or(tag))
    }

    /// What identical creates share: equal for the same scope, API, project and body.
    pub fn create_identity(
        &self,
        scope: &str,
        base_url: &str,
        project: &str,
        body: &serde_json::Value,
    ) -> String {
        self.tag(
            "create",
            &serde_json::json!({"scope": scope, "url": base_url, "project": project, "body": body}),
        )
    }

    /// The key of the `ordinal`-th create with `identity`.
    pub fn create(&self, identity: &str, ordinal: u32) -> String {
        bounded(format!("tfss-c1-{identity}-{ordinal}"))
    }

    /// The key of an update of source `id` at `generation` with the PATCH `body`.
    pub fn update(&self, id: &str, generation: u64, body: &serde_json::Value) -> String {
        let tag = self.tag(
            "update",
            &serde_json::json!({"id": id, "generation": generation, "body": body}),
        );
        bounded(format!("tfss-u1-{tag}"))
    }

    /// The key that claims source `id`: the same for everyone who may be handed `id` by a
    /// replay (they share the API key), so only the first claim is carried out.
    pub fn claim(&self, id: &str) -> String {
        let tag = self.tag("claim", &serde_json::Value::String(id.to_string()));
        bounded(format!("tfss-k1-{tag}"))
    }
}

/// Keys are printable ASCII by construction; this keeps them within the API's length.
fn bounded(mut key: String) -> String {
    key.truncate(MAX_IDEMPOTENCY_KEY);
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(secret: &str) -> serde_json::Value {
        json!({"type": "elastic", "name": "es", "sources": ["logs-*"],
               "credentials": {"host": "https://es.example.com", "username": "u", "password": secret}})
    }

    #[test]
    fn keys_are_stable_distinct_and_fit_the_header() {
        let d = KeyDeriver::new(&Secret::new("ss_secret_a"));
        let id = d.create_identity("ws", "https://api", "", &body("pw"));
        assert_eq!(id, d.create_identity("ws", "https://api", "", &body("pw")));
        assert_ne!(
            id,
            d.create_identity("other", "https://api", "", &body("pw"))
        );
        assert_ne!(id, d.create_identity("ws", "https://api", "", &body("pw2")));
        assert_ne!(d.create(&id, 0), d.create(&id, 1));
        let b = json!({"name": "x"});
        assert_ne!(d.update("ls_1", 0, &b), d.update("ls_1", 1, &b));
        assert_ne!(d.claim("ls_1"), d.claim("ls_2"));
        for k in [d.create(&id, 7), d.update("ls_1", 0, &b), d.claim("ls_1")] {
            assert!(k.len() <= MAX_IDEMPOTENCY_KEY && k.bytes().all(|c| c.is_ascii_graphic()));
        }
    }

    /// An observer who sees the key and knows everything but the API key (the body
    /// without the password, the scope, the URL) cannot find the password among
    /// candidates; the same search with the API key finds it, so the test can tell.
    #[test]
    fn a_key_reveals_nothing_about_the_credentials_without_the_api_key() {
        let api_key = Secret::new("ss_secret_owner");
        let real = KeyDeriver::new(&api_key);
        let seen = real.create(
            &real.create_identity("ws", "https://api", "", &body("hunter7")),
            0,
        );
        assert!(!seen.contains("hunter7"));
        let candidates: Vec<String> = (0..128).map(|i| format!("hunter{i}")).collect();
        let search = |d: &KeyDeriver| {
            candidates.iter().find(|c| {
                d.create(&d.create_identity("ws", "https://api", "", &body(c)), 0) == seen
            })
        };
        assert_eq!(search(&real).map(String::as_str), Some("hunter7"));
        for guess in ["", "ss_secret_other", "ss_secret_owne"] {
            assert_eq!(search(&KeyDeriver::new(&Secret::new(guess))), None);
        }
        // Nor is it the unkeyed digest an earlier scheme used.
        let unkeyed = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            body("hunter7").to_string().as_bytes(),
        );
        assert!(!seen.contains(&hex(&unkeyed.as_ref()[..8])));
    }
}
