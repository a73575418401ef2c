//! One request to the API as a value. Whether it may be sent again follows from what it
//! is, never from a flag at the call site: reads and deletes are repeatable by nature, and
//! a POST or PATCH that changes something can only be built with its idempotency key, so
//! every attempt carries the same key and a repeat is answered by a replay.

use super::contract;
use super::sanitize::Redactor;
use reqwest::Method;

/// What kind of request a [`Call`] is. Each kind is safe to repeat; there is no kind for
/// an unkeyed change, so none can be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// GET, or a POST that only reads (the connection test): safe to repeat.
    Read,
    /// DELETE: repeating it deletes nothing more (a second one answers 404).
    Delete,
    /// POST or PATCH that changes something, sent under this idempotency key.
    Keyed(String),
}

/// A request: method, path segments under the base URL, query, body and kind.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub method: Method,
    /// Path segments, each percent-encoded on its own when the URL is built.
    pub segments: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    pub kind: Kind,
    /// Secrets the body carries, redacted from anything the API says back.
    pub redact: Redactor,
    /// False for a request that must finish even when Terraform asks the provider to
    /// stop (a claim: abandoning it half-way would leave the answer unknown).
    pub cancellable: bool,
    /// The project it is about (`X-Project-Id`), set by the client that sends it.
    pub project: Option<String>,
}

/// The collection path followed by `more` segments.
fn path(more: &[&str]) -> Vec<String> {
    contract::LOG_SOURCES
        .iter()
        .chain(more)
        .map(|s| s.to_string())
        .collect()
}

impl Call {
    fn new(method: Method, segments: Vec<String>, kind: Kind) -> Call {
        Call {
            method,
            segments,
            query: Vec::new(),
            body: None,
            kind,
            redact: Redactor::default(),
            cancellable: true,
            project: None,
        }
    }

    /// GET of the collection with `query`.
    pub fn list(query: Vec<(&'static str, String)>) -> Call {
        let mut c = Call::new(Method::GET, path(&[]), Kind::Read);
        c.query = query;
        c
    }

    /// GET of one source.
    pub fn get(id: &str) -> Call {
        Call::new(Method::GET, path(&[id]), Kind::Read)
    }

    /// DELETE of one source.
    pub fn delete(id: &str) -> Call {
        Call::new(Method::DELETE, path(&[id]), Kind::Delete)
    }

    /// POST to the collection under `key`.
    pub fn create(body: serde_json::Value, key: String, redact: Redactor) -> Call {
        let mut c = Call::new(Method::POST, path(&[]), Kind::Keyed(key));
        c.body = Some(body);
        c.redact = redact;
        c
    }

    /// PATCH of one source under `key`.
    pub fn patch(id: &str, body: serde_json::Value, key: String, redact: Redactor) -> Call {
        let mut c = Call::new(Method::PATCH, path(&[id]), Kind::Keyed(key));
        c.body = Some(body);
        c.redact = redact;
        c
    }

    /// The connection test of one source: a POST that changes nothing. `redact` holds the
    /// credentials the source was given, which a platform's error may quote.
    pub fn test(id: &str, redact: Redactor) -> Call {
        let mut c = Call::new(
            Method::POST,
            path(&[id, contract::TEST_SEGMENT]),
            Kind::Read,
        );
        c.body = Some(serde_json::json!({}));
        c.redact = redact;
        c
    }

    /// Finishes even when the provider is told to stop.
    pub fn not_cancellable(mut self) -> Call {
        self.cancellable = false;
        self
    }

    /// The idempotency key, for a keyed call.
    pub fn key(&self) -> Option<&str> {
        match &self.kind {
            Kind::Keyed(k) => Some(k),
            _ => None,
        }
    }

    /// The path as logged, with `{id}` in place of the id (logs stay uniform, and an id
    /// the API sent is never written out raw).
    pub fn label(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.segments.iter().enumerate() {
            out.push('/');
            out.push_str(if i == contract::LOG_SOURCES.len() {
                "{id}"
            } else {
                s
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_carry_their_key_and_labels_hide_ids() {
        let c = Call::create(serde_json::json!({}), "k".into(), Redactor::default());
        assert_eq!(c.key(), Some("k"));
        assert_eq!(Call::get("a").key(), None);
        assert_eq!(
            Call::test("ls_9", Redactor::default()).label(),
            "/v1/config/log-sources/{id}/test"
        );
        assert_eq!(Call::list(Vec::new()).label(), "/v1/config/log-sources");
    }
}
