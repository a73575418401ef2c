//! Private state: what a resource keeps beside its state that Terraform never shows. The
//! resource declares a typed value; the framework owns the bytes. The rules live here:
//! the default value is stored as no bytes at all (Terraform then keeps no private data
//! for the instance, which it would otherwise copy into every state save), bytes that do
//! not parse read as the default, and a response that returns no private value keeps the
//! bytes Terraform sent, unread fields included, so data a newer release wrote survives.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A resource's private state: plain data, JSON on the wire. Fields are added with
/// `#[serde(default)]`, which is how the format evolves: an older release's bytes read as
/// the new type, and a field the type no longer has is dropped the next time it is written.
pub trait PrivateState:
    Serialize + DeserializeOwned + Default + PartialEq + Send + Sync + 'static
{
}

impl<T: Serialize + DeserializeOwned + Default + PartialEq + Send + Sync + 'static> PrivateState
    for T
{
}

/// Reads private bytes; none, or bytes that do not parse, are the default.
pub fn decode<P: PrivateState>(bytes: &[u8]) -> P {
    if bytes.is_empty() {
        return P::default();
    }
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        tracing::debug!(error = %e, "private state not readable; using the default");
        P::default()
    })
}

/// Writes private bytes; the default is no bytes.
pub fn encode<P: PrivateState>(private: &P) -> Vec<u8> {
    if *private == P::default() {
        return Vec::new();
    }
    serde_json::to_vec(private).unwrap_or_default()
}

/// The bytes to answer with: `chosen` when the resource chose a value, else `kept`.
pub fn answer<P: PrivateState>(chosen: Option<&P>, kept: Vec<u8>) -> Vec<u8> {
    chosen.map_or(kept, encode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct P {
        #[serde(default, rename = "g")]
        generation: u64,
    }

    #[test]
    fn the_default_is_no_bytes_and_garbage_reads_as_the_default() {
        assert!(encode(&P::default()).is_empty());
        assert_eq!(decode::<P>(b""), P::default());
        assert_eq!(decode::<P>(b"\xff"), P::default());
        assert_eq!(decode::<P>(br#"{"g":3}"#), P { generation: 3 });
        assert_eq!(encode(&P { generation: 3 }), br#"{"g":3}"#);
    }

    #[test]
    fn no_answer_keeps_the_bytes_sent_unread_fields_and_all() {
        let sent = br#"{"g":3,"later":"field"}"#.to_vec();
        assert_eq!(answer::<P>(None, sent.clone()), sent);
        assert_eq!(answer(Some(&P { generation: 4 }), sent), br#"{"g":4}"#);
    }
}
