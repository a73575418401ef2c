//! The provider's own RPCs: the schemas, and the provider block's validation and
//! configuration.

use super::codec::decode;
use super::ProviderAdapter;
use crate::framework::attribute::Mode;
use crate::framework::model::Model;
use crate::framework::provider::{ConfigureRequest, Provider};
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::*;

impl<P: Provider> ProviderAdapter<P> {
    pub(super) fn schema(&self) -> GetProviderSchemaResponse {
        GetProviderSchemaResponse {
            provider: self.provider_declared.schema.clone(),
            provider_meta: None,
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, r)| (name.to_string(), r.declared.schema.clone()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, d)| (name.to_string(), d.declared.schema.clone()))
                .collect(),
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(name, l)| (name.to_string(), l.declared.schema.clone()))
                .collect(),
            action_schemas: self
                .actions
                .iter()
                .map(|(name, a)| (name.to_string(), a.declared.schema.clone()))
                .collect(),
            server_capabilities: ServerCapabilities {
                plan_destroy: false,
                get_provider_schema_optional: true,
                move_resource_state: false,
                generate_resource_config: true,
            },
            diagnostics: Diagnostics::new(),
        }
    }

    /// Identity schemas of the resources that have one: required attributes are required
    /// to import by identity, the others optional.
    pub(super) fn identity_schemas(&self) -> GetResourceIdentitySchemasResponse {
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, r)| {
                let declared = r.identity()?;
                let attributes = declared
                    .specs
                    .iter()
                    .map(|s| IdentityAttribute {
                        name: s.name.to_string(),
                        ty: s.ty.clone(),
                        required_for_import: s.mode == Mode::Required,
                        optional_for_import: s.mode != Mode::Required,
                        description: s.description.to_string(),
                    })
                    .collect();
                Some((
                    name.to_string(),
                    IdentitySchema {
                        version: declared.schema.version,
                        attributes,
                    },
                ))
            })
            .collect();
        GetResourceIdentitySchemasResponse {
            identity_schemas,
            diagnostics: Diagnostics::new(),
        }
    }

    pub(super) fn validate_provider(
        &self,
        req: ValidateProviderConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let d = &self.provider_declared;
        let config = decode(&req.config, d, "provider configuration")?;
        let mut diags = d.check(&config);
        diags.extend(self.provider.validate(&P::Config::from_value(&config)?));
        Ok(diags)
    }

    pub(super) async fn configure(
        &self,
        req: ConfigureProviderRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let config = decode(
            &req.config,
            &self.provider_declared,
            "provider configuration",
        )?;
        Ok(self
            .provider
            .configure(ConfigureRequest {
                terraform_version: req.terraform_version,
                config: P::Config::from_value(&config)?,
            })
            .await)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::tfplugin::rpc::*;
    use crate::tfplugin::value::{DynamicValue, Value};

    #[tokio::test]
    async fn get_provider_schema_serves_every_declaration() {
        let (a, _) = serve(Script::default());
        let got = a.get_provider_schema().await;
        let names = |m: &std::collections::BTreeMap<String, _>| m.keys().cloned().collect();
        let cases: [(&str, Vec<String>, &[&str]); 4] = [
            ("resources", names(&got.resource_schemas), &["test_thing"]),
            (
                "data sources",
                names(&got.data_source_schemas),
                &["test_lookup"],
            ),
            ("lists", names(&got.list_resource_schemas), &["test_thing"]),
            ("actions", names(&got.action_schemas), &["test_ping"]),
        ];
        for (what, served, want) in cases {
            assert_eq!(served, want, "{what}");
        }
        let thing = &got.resource_schemas["test_thing"];
        assert_eq!(thing.version, 1);
        let attr = |name: &str| thing.block.attributes.iter().find(|a| a.name == name);
        assert!(attr("secret").is_some_and(|a| a.write_only && a.optional));
        assert!(attr("on").is_some_and(|a| a.optional && a.computed));
        assert_eq!(got.provider.block.attributes[0].name, "endpoint");
        assert!(got.server_capabilities.generate_resource_config);
        assert!(got.diagnostics.is_empty());
    }

    #[tokio::test]
    async fn get_resource_identity_schemas_says_what_import_takes() {
        let (a, _) = serve(Script::default());
        let got = a.get_resource_identity_schemas().await;
        let thing = &got.identity_schemas["test_thing"];
        assert_eq!(thing.attributes.len(), 1);
        assert!(thing.attributes[0].required_for_import);
        assert!(!thing.attributes[0].optional_for_import);
        assert_eq!(got.identity_schemas.len(), 1);
    }

    fn settings(endpoint: Value) -> DynamicValue {
        dv::<Settings>(&object::<Settings>(&[("endpoint", endpoint)]))
    }

    #[tokio::test]
    async fn validate_provider_config() {
        let cases = [
            ("valid", settings(s("here")), say(&[])),
            (
                "unknown values are not checked",
                settings(Value::Unknown),
                say(&[]),
            ),
            (
                "an attribute's validator",
                settings(s("")),
                say(&["error: Invalid endpoint at endpoint"]),
            ),
            (
                "the provider's own check",
                settings(s("warn")),
                say(&["warning: Settings warn"]),
            ),
            (
                "a value that does not decode",
                undecodable(),
                say(&["error: Invalid provider configuration received from Terraform"]),
            ),
        ];
        for (name, config, want) in cases {
            let (a, _) = serve(Script::default());
            let got = a
                .validate_provider_config(ValidateProviderConfigRequest { config })
                .await;
            assert_eq!(said(&got), want, "{name}");
        }
    }

    #[tokio::test]
    async fn configure_provider() {
        let cases = [
            (
                "the configuration and Terraform's version reach the provider",
                settings(s("here")),
                Seen {
                    calls: say(&["configure 1.16.0 Some(\"here\")"]),
                    ..Seen::default()
                },
            ),
            (
                "unknown values reach it as unknown",
                settings(Value::Unknown),
                Seen {
                    calls: say(&["configure 1.16.0 None"]),
                    ..Seen::default()
                },
            ),
            (
                "a value that does not decode never reaches it",
                undecodable(),
                Seen {
                    said: say(&["error: Invalid provider configuration received from Terraform"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, config, want) in cases {
            let (a, calls) = serve(Script::default());
            let req = ConfigureProviderRequest {
                terraform_version: "1.16.0".into(),
                config,
                ..Default::default()
            };
            let got = Seen {
                said: said(&a.configure_provider(req).await),
                calls: calls.take(),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }

    #[tokio::test]
    async fn stop_provider_reaches_the_provider() {
        let (a, calls) = serve(Script::default());
        assert_eq!(a.stop_provider().await, Ok(()));
        assert_eq!(calls.take(), ["stop"]);
    }
}
