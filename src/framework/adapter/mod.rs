//! [`ProviderAdapter`]: serves a [`Provider`] over the protocol-6 [`ProviderServer`] trait.
//! Every RPC has one shape: an inner function that finds the type, decodes against its
//! schema, calls the typed resource (through its handle), and encodes, returning
//! `Result<_, Diagnostics>` with `?` for every early exit; `codec::respond` folds the
//! error into the response. Every response that carries a state or identity Terraform
//! stores goes through `codec::emit` (a plan, which may hold unknowns, is only encoded).
//!
//! The RPCs by what they are about: `provider` (schemas, the provider block), `read`
//! (state and identity upgrades, refresh, the identity rule), `import` (import, generated
//! configuration), `plan` (validation and plan), `apply`, `data` (data sources, list
//! resources, actions). Each file's tests drive a small provider (`fixture`) through
//! [`ProviderServer`], one table per RPC.

mod apply;
mod codec;
mod data;
#[cfg(test)]
mod fixture;
mod import;
mod plan;
mod provider;
mod read;

use self::codec::respond;
use super::action::ActionHandle;
use super::list::ListResourceHandle;
use super::provider::Provider;
use super::registry::{DataSourceHandle, Declared, ResourceHandle};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use std::collections::BTreeMap;

/// Serves a framework [`Provider`] as a protocol-6 provider. Declarations (specs,
/// schemas, value types) are computed once, at construction.
pub struct ProviderAdapter<P: Provider> {
    provider: P,
    provider_declared: Declared,
    resources: BTreeMap<&'static str, ResourceHandle>,
    data_sources: BTreeMap<&'static str, DataSourceHandle>,
    lists: BTreeMap<&'static str, ListResourceHandle>,
    actions: BTreeMap<&'static str, ActionHandle>,
}

impl<P: Provider> ProviderAdapter<P> {
    /// Wraps `provider`.
    pub fn new(provider: P) -> Self {
        let resource_list = provider.resources();
        let lists = provider
            .list_resources(&resource_list)
            .into_iter()
            .map(|l| (l.type_name(), l))
            .collect();
        let resources = resource_list
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), d))
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| (a.type_name(), a))
            .collect();
        ProviderAdapter {
            provider_declared: Declared::of::<P::Config>(0),
            provider,
            resources,
            data_sources,
            lists,
            actions,
        }
    }

    /// The wrapped provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The provider block's declaration.
    pub fn provider_declared(&self) -> &Declared {
        &self.provider_declared
    }

    /// The resources served, by type name.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceHandle> {
        self.resources.values()
    }

    /// The data sources served, by type name.
    pub fn data_sources(&self) -> impl Iterator<Item = &DataSourceHandle> {
        self.data_sources.values()
    }

    /// The list resources served, by type name.
    pub fn list_resources(&self) -> impl Iterator<Item = &ListResourceHandle> {
        self.lists.values()
    }

    /// The actions served, by type name.
    pub fn actions(&self) -> impl Iterator<Item = &ActionHandle> {
        self.actions.values()
    }

    pub(super) fn resource(&self, type_name: &str) -> Result<&ResourceHandle, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    pub(super) fn data_source(&self, type_name: &str) -> Result<&DataSourceHandle, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source {type_name:?}."),
            )
            .into()
        })
    }

    pub(super) fn list(&self, type_name: &str) -> Result<&ListResourceHandle, Diagnostics> {
        self.lists.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("This provider has no list resource {type_name:?}."),
            )
            .into()
        })
    }

    pub(super) fn action(&self, type_name: &str) -> Result<&ActionHandle, Diagnostics> {
        self.actions.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown action type",
                format!("This provider has no action {type_name:?}."),
            )
            .into()
        })
    }
}

impl<P: Provider> ProviderServer for ProviderAdapter<P> {
    async fn get_provider_schema(&self) -> GetProviderSchemaResponse {
        self.schema()
    }

    async fn validate_provider_config(&self, req: ValidateProviderConfigRequest) -> Diagnostics {
        respond(self.validate_provider(req))
    }

    async fn validate_resource_config(&self, req: ValidateResourceConfigRequest) -> Diagnostics {
        respond(self.validate_resource(req))
    }

    async fn validate_data_resource_config(
        &self,
        req: ValidateDataResourceConfigRequest,
    ) -> Diagnostics {
        respond(self.validate_data_source(req))
    }

    async fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse {
        respond(self.upgrade(req).await)
    }

    async fn configure_provider(&self, req: ConfigureProviderRequest) -> Diagnostics {
        respond(self.configure(req).await)
    }

    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        respond(self.read(req).await)
    }

    async fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        respond(self.plan_change(req).await)
    }

    async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        respond(self.apply(req).await)
    }

    async fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        respond(self.import(req).await)
    }

    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        respond(self.read_data(req).await)
    }

    async fn get_resource_identity_schemas(&self) -> GetResourceIdentitySchemasResponse {
        self.identity_schemas()
    }

    async fn upgrade_resource_identity(
        &self,
        req: UpgradeResourceIdentityRequest,
    ) -> UpgradeResourceIdentityResponse {
        respond(self.upgrade_identity(req))
    }

    async fn generate_resource_config(
        &self,
        req: GenerateResourceConfigRequest,
    ) -> GenerateResourceConfigResponse {
        respond(self.generate(req))
    }

    async fn list_resource(
        &self,
        req: ListResourceRequest,
        events: EventSender<ListResourceEvent>,
    ) {
        self.list_stream(req, events).await
    }

    async fn validate_list_resource_config(
        &self,
        req: ValidateListResourceConfigRequest,
    ) -> Diagnostics {
        respond(self.validate_list(req))
    }

    async fn validate_action_config(&self, req: ValidateActionConfigRequest) -> Diagnostics {
        respond(self.validate_action(req))
    }

    async fn plan_action(&self, req: ActionRequest) -> PlanActionResponse {
        respond(self.plan_action_inner(req).await)
    }

    async fn invoke_action(&self, req: ActionRequest, events: EventSender<InvokeActionEvent>) {
        self.invoke(req, events).await
    }

    async fn stop_provider(&self) -> Result<(), String> {
        self.provider.stop();
        Ok(())
    }
}
