//! Adopting objects: import by id or identity, and the configuration Terraform generates
//! for what it imported.

use super::codec::{and, decode, emit};
use super::ProviderAdapter;
use crate::framework::attribute::Mode;
use crate::framework::provider::Provider;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::Value;

impl<P: Provider> ProviderAdapter<P> {
    pub(super) async fn import(
        &self,
        req: ImportResourceStateRequest,
    ) -> Result<ImportResourceStateResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let identity = match (&req.identity, r.identity()) {
            (Some(dv), Some(declared)) => Some(decode(dv, declared, "identity")?),
            _ => None,
        };
        let out = r.ops.import(req.id, identity).await?;
        let mut diagnostics = out.diagnostics;
        let mut imported_resources = Vec::new();
        if let Some(state) = out.state {
            let (identity, d) = and(diagnostics, self.identity(r, &state, None));
            let (encoded, d) = and(d, emit(&r.declared, state, "imported state"));
            diagnostics = d;
            if let Some(state) = encoded {
                imported_resources.push(ImportedResource {
                    type_name: req.type_name,
                    state,
                    private: out.private.unwrap_or_default(),
                    identity: identity.flatten(),
                });
            }
        }
        Ok(ImportResourceStateResponse {
            imported_resources,
            diagnostics,
            deferred: None,
        })
    }

    pub(super) fn generate(
        &self,
        req: GenerateResourceConfigRequest,
    ) -> Result<GenerateResourceConfigResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let state = decode(&req.state, &r.declared, "state")?;
        // Terraform 1.14.0 sends no state here (core issue 37896, fixed in 1.14.1): say so,
        // rather than generate from nothing or blame the provider.
        if state.is_null() {
            return Err(Diagnostic::error(
                "Terraform sent no state to generate configuration from",
                format!(
                    "Terraform asked for the configuration of a {} without sending the \
                     object's state, so there is nothing to generate it from. Terraform \
                     1.14.0 does this for `terraform query -generate-config-out`; it is \
                     fixed in Terraform 1.14.1. Upgrade Terraform, or import with an \
                     `import` block and `terraform plan -generate-config-out`.",
                    r.type_name
                ),
            )
            .into());
        }
        let mut config = r.ops.generate_config(&state)?;
        // What only the provider sets is never configuration.
        if let Value::Object(attrs) = &mut config {
            for spec in r.declared.specs.iter().filter(|s| s.mode == Mode::Computed) {
                attrs.insert(spec.name.to_string(), Value::Null);
            }
        }
        Ok(GenerateResourceConfigResponse {
            config: Some(emit(&r.declared, config, "generated configuration")?),
            diagnostics: Diagnostics::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::tfplugin::rpc::*;
    use crate::tfplugin::value::Value;

    #[tokio::test]
    async fn import_resource_state() {
        let imported = |id: &str| {
            object::<Thing>(&[
                ("id", s(id)),
                ("name", s("imported")),
                ("on", Value::Bool(true)),
                ("updated", s("v1")),
            ])
        };
        let cases = [
            (
                "by id",
                Script::default(),
                "t9",
                None,
                Seen {
                    state: imported("t9"),
                    identity: Some(identity("t9")),
                    calls: say(&["import \"t9\" None"]),
                    ..Seen::default()
                },
            ),
            (
                "by identity",
                Script::default(),
                "",
                Some(identity("t7")),
                Seen {
                    state: imported("t7"),
                    identity: Some(identity("t7")),
                    calls: say(&["import \"\" Some(\"t7\")"]),
                    ..Seen::default()
                },
            ),
            (
                "with private state",
                Script {
                    private: Some(Memo { n: 2 }),
                    ..Script::default()
                },
                "t9",
                None,
                Seen {
                    state: imported("t9"),
                    private: private(2),
                    identity: Some(identity("t9")),
                    calls: say(&["import \"t9\" None"]),
                    ..Seen::default()
                },
            ),
            (
                "failed: nothing imported",
                Script {
                    fail: true,
                    ..Script::default()
                },
                "t9",
                None,
                Seen {
                    said: say(&["error: Import failed"]),
                    calls: say(&["import \"t9\" None"]),
                    ..Seen::default()
                },
            ),
            (
                "a value left unknown: nothing imported",
                Script {
                    leaves_unknown: true,
                    ..Script::default()
                },
                "t9",
                None,
                Seen {
                    said: say(&["error: Provider left a value unknown"]),
                    calls: say(&["import \"t9\" None"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, script, id, identity, want) in cases {
            let (a, calls) = serve(script);
            let req = ImportResourceStateRequest {
                type_name: THING.into(),
                id: id.into(),
                identity: identity.as_ref().map(dv::<ThingIdentity>),
                ..Default::default()
            };
            let got = a.import_resource_state(req).await;
            assert!(got.imported_resources.len() <= 1, "{name}");
            let one = got.imported_resources.into_iter().next();
            let got = Seen {
                state: value::<Thing>(&one.as_ref().map(|r| r.state.clone())),
                private: one.as_ref().map(|r| r.private.clone()).unwrap_or_default(),
                identity: identity_of(one.and_then(|r| r.identity)),
                said: said(&got.diagnostics),
                calls: calls.take(),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }

    #[tokio::test]
    async fn generate_resource_config() {
        let cases = [
            (
                "what only the provider sets, and write-only values, are left out",
                Script::default(),
                Seen {
                    state: object::<Thing>(&[
                        ("name", s("a")),
                        ("kind", s("k")),
                        ("on", Value::Bool(true)),
                    ]),
                    ..Seen::default()
                },
            ),
            (
                "the resource's refusal",
                Script {
                    fail: true,
                    ..Script::default()
                },
                Seen {
                    said: say(&["error: Cannot generate"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, script, want) in cases {
            let (a, _) = serve(script);
            let req = GenerateResourceConfigRequest {
                type_name: THING.into(),
                state: dv::<Thing>(&thing(&[("kind", s("k")), ("secret", s("x"))])),
            };
            let got = a.generate_resource_config(req).await;
            let got = Seen {
                state: value::<Thing>(&got.config),
                said: said(&got.diagnostics),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }
}
