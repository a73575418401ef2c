//! What Terraform stores of a resource, read back: stored state and identities upgraded
//! to the current schemas, the refresh, and the rule that an object's identity never
//! changes.

use super::codec::{and, decode, emit};
use super::ProviderAdapter;
use crate::framework::provider::Provider;
use crate::framework::registry::ResourceHandle;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::{json, DynamicValue, Value};

impl<P: Provider> ProviderAdapter<P> {
    /// The identity of the object with state `state`, encoded; `None` without identity or
    /// state. With `known`, the identity Terraform already holds for the object: an
    /// identity must never change for one object, so a different one is an error.
    pub(super) fn identity(
        &self,
        r: &ResourceHandle,
        state: &Value,
        known: Option<&DynamicValue>,
    ) -> Result<Option<DynamicValue>, Diagnostics> {
        let Some(declared) = r.identity() else {
            return Ok(None);
        };
        let Some(identity) = r.ops.identity(state)? else {
            return Ok(None);
        };
        if let Some(known) = known {
            let before = decode(known, declared, "identity")?;
            if let Some((name, was, now)) = identity_change(&before, &identity) {
                return Err(Diagnostic::error(
                    "Identity changed",
                    format!(
                        "The identity of this {} would change: {name} was {was}, now {now}. An \
                         object's identity never changes. If the provider's configuration \
                         changed (a setting that names where objects live), restore it; to \
                         manage the object under the new configuration, remove it from state \
                         (terraform state rm ADDRESS) and import it again.",
                        r.type_name
                    ),
                )
                .into());
            }
        }
        emit(declared, identity, "identity").map(Some)
    }

    pub(super) async fn upgrade(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> Result<UpgradeResourceStateResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        if req.raw_state.json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported state format",
                "This state was written by Terraform 0.11 or older (flatmap). Upgrade it with \
                 Terraform 0.12 to 1.x first.",
            )
            .into());
        }
        let current = r.declared.schema.version;
        if req.version != current {
            let (summary, detail) = if req.version > current {
                (
                    "State written by a newer provider",
                    format!(
                        "The state has schema version {}, newer than this provider's {current}. \
                         Use the provider release that wrote it, or newer.",
                        req.version
                    ),
                )
            } else {
                (
                    "Unsupported state version",
                    format!(
                        "The state of this {} has schema version {}, which this provider cannot \
                         upgrade to {current}.",
                        r.type_name, req.version
                    ),
                )
            };
            return Err(Diagnostic::error(summary, detail).into());
        }
        let state = json::decode(&r.declared.ty, &req.raw_state.json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Stored state does not match the schema",
                format!("The stored state could not be read: {e}."),
            ))
        })?;
        // What the state holds, shown to the resource: advisory, so a state that does not
        // fit the model is reported by the calls that use it, not here.
        if let Err(d) = r.ops.observe(state.clone()).await {
            tracing::debug!(problems = d.has_errors(), "state not observed");
        }
        Ok(UpgradeResourceStateResponse {
            upgraded_state: Some(emit(&r.declared, state, "upgraded state")?),
            diagnostics: Diagnostics::new(),
        })
    }

    pub(super) fn upgrade_identity(
        &self,
        req: UpgradeResourceIdentityRequest,
    ) -> Result<UpgradeResourceIdentityResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let declared = r.identity().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Resource has no identity",
                format!("{} has no identity to upgrade.", r.type_name),
            ))
        })?;
        if req.version != declared.schema.version && !req.raw_identity.json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported identity version",
                format!(
                    "The stored identity of this {} has version {}, which this provider cannot \
                     upgrade to {}.",
                    r.type_name, req.version, declared.schema.version
                ),
            )
            .into());
        }
        // State written before the resource had an identity stores none: there is none
        // to upgrade (the next read fills it in).
        if req.raw_identity.json.is_empty() {
            return Ok(UpgradeResourceIdentityResponse::default());
        }
        let identity = json::decode(&declared.ty, &req.raw_identity.json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Stored identity does not match the schema",
                format!("The stored identity could not be read: {e}."),
            ))
        })?;
        Ok(UpgradeResourceIdentityResponse {
            upgraded_identity: Some(emit(declared, identity, "upgraded identity")?),
            diagnostics: Diagnostics::new(),
        })
    }

    pub(super) async fn read(
        &self,
        req: ReadResourceRequest,
    ) -> Result<ReadResourceResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let state = decode(&req.current_state, &r.declared, "current state")?;
        let out = r.ops.read(state, req.private.clone()).await?;
        let state = out.state.unwrap_or(Value::Null);
        let (new_identity, diagnostics) = and(
            out.diagnostics,
            self.identity(r, &state, req.current_identity.as_ref()),
        );
        let (new_state, diagnostics) =
            and(diagnostics, emit(&r.declared, state, "refreshed state"));
        Ok(ReadResourceResponse {
            new_state,
            diagnostics,
            private: out.private.unwrap_or(req.private),
            deferred: None,
            new_identity: new_identity.flatten(),
        })
    }
}

/// The first attribute that differs between an identity Terraform holds and a new one,
/// with both values. An attribute null on either side is not a change: older states have
/// none yet (filled in), and an optional one may come and go with the configuration (a
/// project implied by the key or named in the provider block).
fn identity_change(before: &Value, now: &Value) -> Option<(String, String, String)> {
    let (Value::Object(b), Value::Object(n)) = (before, now) else {
        return None;
    };
    b.iter().find_map(|(name, was)| {
        let now = n.get(name)?;
        (!was.is_null() && !now.is_null() && was != now)
            .then(|| (name.clone(), show(was), show(now)))
    })
}

/// An identity value for a message: identities hold ids, never secrets. Quoted with
/// escapes (no control characters reach a terminal) and cut short.
fn show(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    };
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::tfplugin::rpc::*;

    #[tokio::test]
    async fn upgrade_resource_state() {
        let stored = r#"{"id":"t1","name":"a","kind":null,"on":true,"secret":"x","updated":"v1"}"#;
        let cases = [
            (
                "the current version: shown to the resource, write-only nulled",
                1,
                raw(stored),
                Seen {
                    state: thing(&[]),
                    calls: say(&["observe a"]),
                    ..Seen::default()
                },
            ),
            (
                "flatmap state from Terraform 0.11",
                1,
                RawState::default(),
                Seen {
                    said: say(&["error: Unsupported state format"]),
                    ..Seen::default()
                },
            ),
            (
                "a newer version",
                2,
                raw(stored),
                Seen {
                    said: say(&["error: State written by a newer provider"]),
                    ..Seen::default()
                },
            ),
            (
                "an older version",
                0,
                raw(stored),
                Seen {
                    said: say(&["error: Unsupported state version"]),
                    ..Seen::default()
                },
            ),
            (
                "state that does not fit the schema",
                1,
                raw("[]"),
                Seen {
                    said: say(&["error: Stored state does not match the schema"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, version, raw_state, want) in cases {
            let (a, calls) = serve(Script::default());
            let req = UpgradeResourceStateRequest {
                type_name: THING.into(),
                version,
                raw_state,
            };
            let got = a.upgrade_resource_state(req).await;
            let got = Seen {
                state: value::<Thing>(&got.upgraded_state),
                said: said(&got.diagnostics),
                calls: calls.take(),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }

    #[tokio::test]
    async fn upgrade_resource_identity() {
        let cases = [
            (
                "the current version",
                0,
                raw(r#"{"id":"t1"}"#),
                Seen {
                    identity: Some(identity("t1")),
                    ..Seen::default()
                },
            ),
            (
                "state from before identities stores none: nothing to upgrade",
                0,
                RawState::default(),
                Seen::default(),
            ),
            (
                "another version",
                3,
                raw(r#"{"id":"t1"}"#),
                Seen {
                    said: say(&["error: Unsupported identity version"]),
                    ..Seen::default()
                },
            ),
            (
                "an identity that does not fit the schema",
                0,
                raw("[]"),
                Seen {
                    said: say(&["error: Stored identity does not match the schema"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, version, raw_identity, want) in cases {
            let (a, _) = serve(Script::default());
            let req = UpgradeResourceIdentityRequest {
                type_name: THING.into(),
                version,
                raw_identity,
            };
            let got = a.upgrade_resource_identity(req).await;
            let got = Seen {
                identity: identity_of(got.upgraded_identity),
                said: said(&got.diagnostics),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }

    #[tokio::test]
    async fn read_resource() {
        let refreshed = thing(&[("updated", s("v2"))]);
        let read = |n: u64| say(&[&format!("read private={n}")]);
        let cases = [
            (
                "refreshed; the identity filled in for state that had none",
                Script::default(),
                dv::<Thing>(&thing(&[])),
                Vec::new(),
                None,
                Seen {
                    state: refreshed.clone(),
                    identity: Some(identity("t1")),
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "the private state kept when the resource returns none",
                Script::default(),
                dv::<Thing>(&thing(&[])),
                private(3),
                Some(identity("t1")),
                Seen {
                    state: refreshed.clone(),
                    private: private(3),
                    identity: Some(identity("t1")),
                    calls: read(3),
                    ..Seen::default()
                },
            ),
            (
                "the private state the resource returns is stored",
                Script {
                    private: Some(Memo { n: 4 }),
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[])),
                private(3),
                None,
                Seen {
                    state: refreshed.clone(),
                    private: private(4),
                    identity: Some(identity("t1")),
                    calls: read(3),
                    ..Seen::default()
                },
            ),
            (
                "an object gone: null state, no identity",
                Script {
                    gone: true,
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[])),
                Vec::new(),
                Some(identity("t1")),
                Seen {
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "a failed read keeps the state",
                Script {
                    fail: true,
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[])),
                Vec::new(),
                None,
                Seen {
                    state: thing(&[]),
                    identity: Some(identity("t1")),
                    said: say(&["error: Read failed"]),
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "a write-only value is never stored",
                Script {
                    echoes_secret: true,
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[("secret", s("x"))])),
                Vec::new(),
                None,
                Seen {
                    state: refreshed.clone(),
                    identity: Some(identity("t1")),
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "a value left unknown is refused",
                Script {
                    leaves_unknown: true,
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[])),
                Vec::new(),
                None,
                Seen {
                    identity: Some(identity("t1")),
                    said: say(&["error: Provider left a value unknown"]),
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "an identity that would change is refused",
                Script {
                    identity: Some("t2"),
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[])),
                Vec::new(),
                Some(identity("t1")),
                Seen {
                    state: refreshed.clone(),
                    said: say(&["error: Identity changed"]),
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "an identity attribute null before is filled in, not changed",
                Script {
                    identity: Some("t2"),
                    ..Script::default()
                },
                dv::<Thing>(&thing(&[])),
                Vec::new(),
                Some(object::<ThingIdentity>(&[])),
                Seen {
                    state: refreshed.clone(),
                    identity: Some(identity("t2")),
                    calls: read(0),
                    ..Seen::default()
                },
            ),
            (
                "a state that does not decode never reaches the resource",
                Script::default(),
                undecodable(),
                private(3),
                None,
                Seen {
                    private: Vec::new(),
                    said: say(&["error: Invalid current state received from Terraform"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, script, current_state, private, current_identity, want) in cases {
            let (a, calls) = serve(script);
            let req = ReadResourceRequest {
                type_name: THING.into(),
                current_state,
                private,
                current_identity: current_identity.as_ref().map(dv::<ThingIdentity>),
                ..Default::default()
            };
            let got = a.read_resource(req).await;
            let got = Seen {
                state: value::<Thing>(&got.new_state),
                private: got.private,
                identity: identity_of(got.new_identity),
                said: said(&got.diagnostics),
                calls: calls.take(),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }
}
