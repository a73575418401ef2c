//! A planned change applied: create, update or delete, with the rules that keep what
//! Terraform stores when a change fails (the prior state after a failed update, the object
//! and its private state after a failed delete, what Terraform sent when a request does not
//! decode).

use super::codec::{and, decode, emit};
use super::ProviderAdapter;
use crate::framework::provider::Provider;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::Value;

impl<P: Provider> ProviderAdapter<P> {
    pub(super) async fn apply(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> Result<ApplyResourceChangeResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let decoded = decode(&req.prior_state, &r.declared, "prior state").and_then(|prior| {
            let planned = decode(&req.planned_state, &r.declared, "planned state")?;
            let config = decode(&req.config, &r.declared, "configuration")?;
            Ok((prior, planned, config))
        });
        let (prior, planned, config) = match decoded {
            Ok(t) => t,
            // Keep what Terraform had: an undecodable request must not drop state, nor
            // the private data stored with it (Terraform stores what we answer).
            Err(diagnostics) => {
                return Ok(ApplyResourceChangeResponse {
                    new_state: Some(req.prior_state),
                    private: req.planned_private,
                    diagnostics,
                    ..Default::default()
                })
            }
        };
        let private = req.planned_private;
        let (state, out_private, diagnostics) = if planned.is_null() {
            let out = r.ops.delete(prior.clone(), private.clone()).await?;
            // A failed delete keeps the object in state, and its private data with it:
            // Terraform stores the private bytes of every object it keeps.
            if out.diagnostics.has_errors() {
                (prior, out.private.unwrap_or(private), out.diagnostics)
            } else {
                (Value::Null, Vec::new(), out.diagnostics)
            }
        } else if prior.is_null() {
            let out = r.ops.create(planned, config, private.clone()).await?;
            (
                out.state.unwrap_or(Value::Null),
                out.private.unwrap_or(private),
                out.diagnostics,
            )
        } else {
            let out = r
                .ops
                .update(prior.clone(), planned, config, private.clone())
                .await?;
            // A failed update never drops the object: the prior state stands.
            (
                out.state.unwrap_or(prior),
                out.private.unwrap_or(private),
                out.diagnostics,
            )
        };
        let (new_identity, diagnostics) = and(
            diagnostics,
            self.identity(r, &state, req.planned_identity.as_ref()),
        );
        let (new_state, diagnostics) = and(diagnostics, emit(&r.declared, state, "new state"));
        Ok(ApplyResourceChangeResponse {
            new_state,
            private: out_private,
            diagnostics,
            new_identity: new_identity.flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::tfplugin::rpc::*;
    use crate::tfplugin::value::Value;

    fn config(pairs: &[(&str, Value)]) -> Value {
        object::<Thing>(pairs)
    }

    /// One ApplyResourceChange: what Terraform sends, and what it should get back.
    #[derive(Default)]
    struct Applying {
        name: &'static str,
        script: Script,
        prior: Value,
        planned: Option<Value>,
        config: Value,
        planned_private: Vec<u8>,
        planned_identity: Option<Value>,
        want: Seen,
    }

    #[tokio::test]
    async fn apply_resource_change() {
        let planned_create = object::<Thing>(&[
            ("id", Value::Unknown),
            ("name", s("a")),
            ("on", Value::Bool(true)),
            ("updated", Value::Unknown),
        ]);
        let create_config = config(&[("name", s("a")), ("secret", s("x"))]);
        let planned_update = thing(&[("name", s("b")), ("updated", Value::Unknown)]);
        let updated = thing(&[("name", s("b")), ("updated", s("v2"))]);
        let fails = |state_on_failure| Script {
            fail: true,
            state_on_failure,
            ..Script::default()
        };
        let create = |name, script, want| Applying {
            name,
            script,
            planned: Some(planned_create.clone()),
            config: create_config.clone(),
            want,
            ..Applying::default()
        };
        let update = |name, script, want| Applying {
            name,
            script,
            prior: thing(&[]),
            planned: Some(planned_update.clone()),
            config: config(&[("name", s("b"))]),
            planned_private: private(2),
            planned_identity: Some(identity("t1")),
            want,
        };
        let delete = |name, script, want| Applying {
            name,
            script,
            prior: thing(&[]),
            planned: Some(Value::Null),
            planned_private: private(3),
            want,
            ..Applying::default()
        };
        let cases = [
            create(
                "create",
                Script::default(),
                Seen {
                    state: thing(&[]),
                    identity: Some(identity("t1")),
                    calls: say(&["create planned_private=0"]),
                    ..Seen::default()
                },
            ),
            create(
                "create: a write-only value is never stored",
                Script {
                    echoes_secret: true,
                    ..Script::default()
                },
                Seen {
                    state: thing(&[]),
                    identity: Some(identity("t1")),
                    calls: say(&["create planned_private=0"]),
                    ..Seen::default()
                },
            ),
            create(
                "create failed having made nothing",
                fails(false),
                Seen {
                    said: say(&["error: Create failed"]),
                    calls: say(&["create planned_private=0"]),
                    ..Seen::default()
                },
            ),
            create(
                "create failed after making the object: it is kept",
                fails(true),
                Seen {
                    state: thing(&[]),
                    identity: Some(identity("t1")),
                    said: say(&["error: Create failed"]),
                    calls: say(&["create planned_private=0"]),
                    ..Seen::default()
                },
            ),
            create(
                "a value left unknown after apply is refused",
                Script {
                    leaves_unknown: true,
                    ..Script::default()
                },
                Seen {
                    identity: Some(identity("t1")),
                    said: say(&["error: Provider left a value unknown"]),
                    calls: say(&["create planned_private=0"]),
                    ..Seen::default()
                },
            ),
            update(
                "update: the planned private state kept when none is returned",
                Script::default(),
                Seen {
                    state: updated.clone(),
                    private: private(2),
                    identity: Some(identity("t1")),
                    calls: say(&["update planned_private=2"]),
                    ..Seen::default()
                },
            ),
            update(
                "update: the private state returned is stored",
                Script {
                    private: Some(Memo { n: 4 }),
                    ..Script::default()
                },
                Seen {
                    state: updated.clone(),
                    private: private(4),
                    identity: Some(identity("t1")),
                    calls: say(&["update planned_private=2"]),
                    ..Seen::default()
                },
            ),
            update(
                "a failed update that returns no state keeps the prior one",
                fails(false),
                Seen {
                    state: thing(&[]),
                    private: private(2),
                    identity: Some(identity("t1")),
                    said: say(&["error: Update failed"]),
                    calls: say(&["update planned_private=2"]),
                    ..Seen::default()
                },
            ),
            update(
                "a failed update that returns a state stores it",
                fails(true),
                Seen {
                    state: updated.clone(),
                    private: private(2),
                    identity: Some(identity("t1")),
                    said: say(&["error: Update failed"]),
                    calls: say(&["update planned_private=2"]),
                    ..Seen::default()
                },
            ),
            update(
                "an identity that would change is refused; the state is stored",
                Script {
                    identity: Some("t2"),
                    ..Script::default()
                },
                Seen {
                    state: updated.clone(),
                    private: private(2),
                    said: say(&["error: Identity changed"]),
                    calls: say(&["update planned_private=2"]),
                    ..Seen::default()
                },
            ),
            delete(
                "delete: no state, no private state",
                Script::default(),
                Seen {
                    calls: say(&["delete private=3"]),
                    ..Seen::default()
                },
            ),
            delete(
                "a failed delete keeps the object and its private state",
                fails(false),
                Seen {
                    state: thing(&[]),
                    private: private(3),
                    identity: Some(identity("t1")),
                    said: say(&["error: Delete failed"]),
                    calls: say(&["delete private=3"]),
                    ..Seen::default()
                },
            ),
            delete(
                "a failed delete stores the private state the resource chose",
                Script {
                    fail: true,
                    private: Some(Memo { n: 4 }),
                    ..Script::default()
                },
                Seen {
                    state: thing(&[]),
                    private: private(4),
                    identity: Some(identity("t1")),
                    said: say(&["error: Delete failed"]),
                    calls: say(&["delete private=3"]),
                    ..Seen::default()
                },
            ),
            Applying {
                name: "a request that does not decode keeps what Terraform had",
                prior: thing(&[]),
                planned: None,
                planned_private: private(3),
                want: Seen {
                    state: thing(&[]),
                    private: private(3),
                    said: say(&["error: Invalid planned state received from Terraform"]),
                    ..Seen::default()
                },
                ..Applying::default()
            },
        ];
        for case in cases {
            let (a, calls) = serve(case.script);
            let planned = match &case.planned {
                Some(v) => dv::<Thing>(v),
                None => undecodable(),
            };
            let req = ApplyResourceChangeRequest {
                type_name: THING.into(),
                prior_state: dv::<Thing>(&case.prior),
                planned_state: planned,
                config: dv::<Thing>(&case.config),
                planned_private: case.planned_private,
                planned_identity: case.planned_identity.as_ref().map(dv::<ThingIdentity>),
                ..Default::default()
            };
            let got = a.apply_resource_change(req).await;
            let got = Seen {
                state: value::<Thing>(&got.new_state),
                private: got.private,
                identity: identity_of(got.new_identity),
                said: said(&got.diagnostics),
                calls: calls.take(),
                ..Seen::default()
            };
            assert_eq!(got, case.want, "{}", case.name);
        }
    }
}
