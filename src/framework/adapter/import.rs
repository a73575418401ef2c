//! Adopting objects: import by id or identity, and the configuration Terraform generates
//! for what it imported.

use super::codec::{and, decode, emit};
use super::ProviderAdapter;
use crate::framework::attribute::Mode;
use crate::framework::provider::Provider;
use crate::tfplugin::diagnostics::Diagnostics;
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
