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
