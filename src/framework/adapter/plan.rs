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
