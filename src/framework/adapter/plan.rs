//! A resource's change planned: its configuration's validation, and the plan (the engine's,
//! then the resource's own adjustments), with its private state and identity.

use super::codec::{decode, encode};
use super::ProviderAdapter;
use crate::framework::plan;
use crate::framework::provider::Provider;
use crate::framework::registry::PlanInput;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::AttributePath;

impl<P: Provider> ProviderAdapter<P> {
    pub(super) fn validate_resource(
        &self,
        req: ValidateResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let config = decode(&req.config, &r.declared, "resource configuration")?;
        let allowed = req.client_capabilities.write_only_attributes_allowed;
        let mut diags = Diagnostics::new();
        if !allowed {
            for spec in r.declared.specs.iter().filter(|s| s.write_only) {
                if config.get_attr(spec.name).is_some_and(|v| !v.is_null()) {
                    diags.push(
                        Diagnostic::error(
                            "Write-only attribute not supported by this Terraform",
                            format!(
                                "{} is write-only and needs Terraform 1.11 or later. Upgrade \
                                 Terraform or use the regular attribute instead.",
                                spec.name
                            ),
                        )
                        .at(AttributePath::attr(spec.name)),
                    );
                }
            }
        }
        diags.extend(r.declared.check(&config));
        diags.extend(r.ops.validate(&config, allowed)?);
        Ok(diags)
    }

    pub(super) async fn plan_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> Result<PlanResourceChangeResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let prior = decode(&req.prior_state, &r.declared, "prior state")?;
        let proposed = decode(&req.proposed_new_state, &r.declared, "proposed state")?;
        let config = decode(&req.config, &r.declared, "configuration")?;
        let (mut planned, mut requires_replace) =
            plan::plan(&r.declared.specs, &prior, &proposed, &config);
        // An update keeps the object's identity; a create has none before apply.
        let planned_identity = self.identity(r, &prior, req.prior_identity.as_ref())?;
        let mut diagnostics = Diagnostics::new();
        let mut planned_private = req.prior_private.clone();
        if !planned.is_null() {
            let out = r
                .ops
                .modify_plan(PlanInput {
                    prior,
                    planned,
                    config,
                    prior_private: req.prior_private,
                    // Terraform 1.16 sends the first plan's private to the final plan.
                    saved_plan_private: (!req.planned_private.is_empty())
                        .then_some(req.planned_private),
                    plan_private_returns: req.client_capabilities.store_planned_private,
                })
                .await?;
            planned = out.planned;
            requires_replace.extend(out.requires_replace);
            if let Some(p) = out.private {
                planned_private = p;
            }
            diagnostics = out.diagnostics;
            plan::null_write_only(&mut planned, &r.declared.specs);
        }
        Ok(PlanResourceChangeResponse {
            planned_state: Some(encode(&r.declared, &planned, "planned state")?),
            requires_replace,
            planned_private,
            diagnostics,
            deferred: None,
            planned_identity: if planned.is_null() {
                None
            } else {
                planned_identity
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::tfplugin::rpc::*;
    use crate::tfplugin::value::{AttributePath, Value};

    fn config(pairs: &[(&str, Value)]) -> Value {
        object::<Thing>(pairs)
    }

    #[tokio::test]
    async fn validate_resource_config() {
        let cases = [
            ("valid", THING, config(&[("name", s("a"))]), true, say(&[])),
            (
                "a write-only value refused to a Terraform without them",
                THING,
                config(&[("name", s("a")), ("secret", s("x"))]),
                false,
                say(&["error: Write-only attribute not supported by this Terraform at secret"]),
            ),
            (
                "a write-only value taken by a Terraform with them",
                THING,
                config(&[("name", s("a")), ("secret", s("x"))]),
                true,
                say(&[]),
            ),
            (
                "an attribute's validator",
                THING,
                config(&[("name", s(""))]),
                true,
                say(&["error: Invalid name at name"]),
            ),
            (
                "unknown values are not checked",
                THING,
                config(&[("name", Value::Unknown)]),
                true,
                say(&[]),
            ),
            (
                "the resource's own check",
                THING,
                config(&[("name", s("warn"))]),
                true,
                say(&["warning: Thing warns at name"]),
            ),
            (
                "a type not served",
                "test_nothing",
                config(&[]),
                true,
                say(&["error: Unknown resource type"]),
            ),
        ];
        for (name, type_name, config, allowed, want) in cases {
            let (a, _) = serve(Script::default());
            let req = ValidateResourceConfigRequest {
                type_name: type_name.into(),
                config: dv::<Thing>(&config),
                client_capabilities: ClientCapabilities {
                    write_only_attributes_allowed: allowed,
                    ..Default::default()
                },
            };
            assert_eq!(said(&a.validate_resource_config(req).await), want, "{name}");
        }
    }

    /// One PlanResourceChange: what Terraform sends, and what it should get back.
    #[derive(Default)]
    struct Planning {
        name: &'static str,
        script: Script,
        prior: Value,
        proposed: Value,
        config: Value,
        prior_private: Vec<u8>,
        saved_private: Vec<u8>,
        prior_identity: Option<Value>,
        store_planned_private: bool,
        want: Seen,
    }

    #[tokio::test]
    async fn plan_resource_change() {
        let create_config = config(&[("name", s("a")), ("secret", s("x"))]);
        let created = object::<Thing>(&[
            ("id", Value::Unknown),
            ("name", s("a")),
            ("on", Value::Bool(true)),
            ("updated", Value::Unknown),
        ]);
        let renamed = thing(&[("name", s("b"))]);
        let plan_call = |prior_private: u64| {
            say(&[&format!(
                "plan prior_private={prior_private} saved=None returns=false"
            )])
        };
        let cases = [
            Planning {
                name: "create: computed unknown, default planned, write-only null",
                proposed: create_config.clone(),
                config: create_config.clone(),
                want: Seen {
                    state: created.clone(),
                    calls: plan_call(0),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "create: write-only null even when the resource plans it",
                script: Script {
                    echoes_secret: true,
                    ..Script::default()
                },
                proposed: create_config.clone(),
                config: create_config.clone(),
                want: Seen {
                    state: created.clone(),
                    calls: plan_call(0),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "update: the id kept, what the provider sets unknown, identity kept",
                prior: thing(&[]),
                proposed: renamed.clone(),
                config: config(&[("name", s("b"))]),
                prior_identity: Some(identity("t1")),
                want: Seen {
                    state: thing(&[("name", s("b")), ("updated", Value::Unknown)]),
                    identity: Some(identity("t1")),
                    calls: plan_call(0),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "no change plans the prior state exactly",
                prior: thing(&[]),
                proposed: thing(&[]),
                config: config(&[("name", s("a"))]),
                want: Seen {
                    state: thing(&[]),
                    identity: Some(identity("t1")),
                    calls: plan_call(0),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "a changed RequiresReplace attribute is reported",
                prior: thing(&[("kind", s("x"))]),
                proposed: thing(&[("kind", s("y"))]),
                config: config(&[("name", s("a")), ("kind", s("y"))]),
                want: Seen {
                    state: thing(&[("kind", s("y")), ("updated", Value::Unknown)]),
                    identity: Some(identity("t1")),
                    replace: vec![AttributePath::attr("kind")],
                    calls: plan_call(0),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "the prior private state is kept when the resource plans none",
                prior: thing(&[]),
                proposed: thing(&[]),
                config: config(&[("name", s("a"))]),
                prior_private: private(3),
                want: Seen {
                    state: thing(&[]),
                    private: private(3),
                    identity: Some(identity("t1")),
                    calls: plan_call(3),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "the private state the resource plans goes to apply",
                script: Script {
                    private: Some(Memo { n: 5 }),
                    ..Script::default()
                },
                proposed: create_config.clone(),
                config: create_config.clone(),
                prior_private: private(3),
                want: Seen {
                    state: created.clone(),
                    private: private(5),
                    calls: plan_call(3),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "Terraform 1.16 gives the first plan's private state to the final plan",
                proposed: create_config.clone(),
                config: create_config.clone(),
                saved_private: private(7),
                store_planned_private: true,
                want: Seen {
                    state: created.clone(),
                    calls: say(&["plan prior_private=0 saved=Some(7) returns=true"]),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "destroy: planned null, no identity, the resource not asked",
                prior: thing(&[]),
                prior_private: private(3),
                prior_identity: Some(identity("t1")),
                want: Seen {
                    private: private(3),
                    ..Seen::default()
                },
                ..Planning::default()
            },
            Planning {
                name: "an identity that would change is refused",
                script: Script {
                    identity: Some("t2"),
                    ..Script::default()
                },
                prior: thing(&[]),
                proposed: renamed.clone(),
                config: config(&[("name", s("b"))]),
                prior_identity: Some(identity("t1")),
                want: Seen {
                    said: say(&["error: Identity changed"]),
                    ..Seen::default()
                },
                ..Planning::default()
            },
        ];
        for case in cases {
            let (a, calls) = serve(case.script);
            let req = PlanResourceChangeRequest {
                type_name: THING.into(),
                prior_state: dv::<Thing>(&case.prior),
                proposed_new_state: dv::<Thing>(&case.proposed),
                config: dv::<Thing>(&case.config),
                prior_private: case.prior_private,
                prior_identity: case.prior_identity.as_ref().map(dv::<ThingIdentity>),
                planned_private: case.saved_private,
                client_capabilities: ClientCapabilities {
                    store_planned_private: case.store_planned_private,
                    ..Default::default()
                },
                ..Default::default()
            };
            let got = a.plan_resource_change(req).await;
            let got = Seen {
                state: value::<Thing>(&got.planned_state),
                private: got.planned_private,
                identity: got
                    .planned_identity
                    .as_ref()
                    .map(|i| value::<ThingIdentity>(&Some(i.clone()))),
                replace: got.requires_replace,
                said: said(&got.diagnostics),
                calls: calls.take(),
            };
            assert_eq!(got, case.want, "{}", case.name);
        }
    }
}
