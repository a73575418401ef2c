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
