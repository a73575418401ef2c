//! Data sources, list resources and actions: the RPCs of what Terraform reads, lists and
//! invokes.

use super::codec::{and, decode, emit};
use super::ProviderAdapter;
use crate::framework::provider::Provider;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::Value;

impl<P: Provider> ProviderAdapter<P> {
    pub(super) fn validate_data_source(
        &self,
        req: ValidateDataResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let d = self.data_source(&req.type_name)?;
        let config = decode(&req.config, &d.declared, "data source configuration")?;
        let mut diags = d.declared.check(&config);
        diags.extend(d.ops.validate(&config)?);
        Ok(diags)
    }

    pub(super) async fn read_data(
        &self,
        req: ReadDataSourceRequest,
    ) -> Result<ReadDataSourceResponse, Diagnostics> {
        let d = self.data_source(&req.type_name)?;
        let config = decode(&req.config, &d.declared, "data source configuration")?;
        let out = d.ops.read(config).await?;
        if out.diagnostics.has_errors() {
            return Err(out.diagnostics);
        }
        let (state, diagnostics) = and(
            out.diagnostics,
            emit(
                &d.declared,
                out.state.unwrap_or(Value::Null),
                "data source result",
            ),
        );
        Ok(ReadDataSourceResponse {
            state,
            diagnostics,
            deferred: None,
        })
    }

    pub(super) fn validate_list(
        &self,
        req: ValidateListResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let l = self.list(&req.type_name)?;
        let config = decode(&req.config, &l.declared, "list configuration")?;
        let mut diags = l.declared.check(&config);
        diags.extend(l.ops.validate(&config)?);
        Ok(diags)
    }

    pub(super) async fn run_list(
        &self,
        req: ListResourceRequest,
        events: &EventSender<ListResourceEvent>,
    ) -> Result<(), Diagnostics> {
        let l = self.list(&req.type_name)?;
        let config = decode(&req.config, &l.declared, "list configuration")?;
        // Terraform always sends a limit; a negative one reads nothing.
        let limit = usize::try_from(req.limit).unwrap_or(0);
        l.ops
            .list(config, req.include_resource_object, limit, events.clone())
            .await
    }

    pub(super) fn validate_action(
        &self,
        req: ValidateActionConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let a = self.action(&req.type_name)?;
        let config = decode(&req.config, &a.declared, "action configuration")?;
        let mut diags = a.declared.check(&config);
        diags.extend(a.ops.validate(&config)?);
        Ok(diags)
    }

    pub(super) async fn plan_action_inner(
        &self,
        req: ActionRequest,
    ) -> Result<PlanActionResponse, Diagnostics> {
        let a = self.action(&req.action_type)?;
        let config = decode(&req.config, &a.declared, "action configuration")?;
        Ok(PlanActionResponse {
            diagnostics: a.ops.plan(config).await?,
            deferred: None,
        })
    }

    /// ListResource: the objects, or one event with the diagnostics of an early failure.
    pub(super) async fn list_stream(
        &self,
        req: ListResourceRequest,
        events: EventSender<ListResourceEvent>,
    ) {
        if let Err(diagnostics) = self.run_list(req, &events).await {
            let _ = events
                .send(ListResourceEvent {
                    diagnostics,
                    ..Default::default()
                })
                .await;
        }
    }

    /// InvokeAction: progress, then always one `Completed`, last.
    pub(super) async fn invoke(&self, req: ActionRequest, events: EventSender<InvokeActionEvent>) {
        let run = async {
            let a = self.action(&req.action_type)?;
            let config = decode(&req.config, &a.declared, "action configuration")?;
            Ok::<_, Diagnostics>((a, config))
        };
        match run.await {
            Ok((a, config)) => a.ops.invoke(config, events).await,
            Err(d) => {
                let _ = events.send(InvokeActionEvent::Completed(d)).await;
            }
        }
    }
}
