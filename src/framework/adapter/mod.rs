//! [`ProviderAdapter`]: serves a [`Provider`] over the protocol-6 [`ProviderServer`] trait.
//! Built once, it assembles the provider's handles by type name and checks every
//! declaration (`declaration`): a provider that contradicts itself is never served.
//!
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
use super::declaration::{Check, DeclarationErrors, Role};
use super::list::ListResourceHandle;
use super::provider::Provider;
use super::registry::{DataSourceHandle, Declared, ResourceHandle};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use std::collections::BTreeMap;

/// Serves a framework [`Provider`] as a protocol-6 provider. Declarations (specs,
/// schemas, value types) are computed and checked once, at construction.
pub struct ProviderAdapter<P: Provider> {
    provider: P,
    provider_declared: Declared,
    resources: BTreeMap<&'static str, ResourceHandle>,
    data_sources: BTreeMap<&'static str, DataSourceHandle>,
    lists: BTreeMap<&'static str, ListResourceHandle>,
    actions: BTreeMap<&'static str, ActionHandle>,
}

impl<P: Provider> ProviderAdapter<P> {
    /// Wraps `provider`, after checking every declaration it serves: the provider block,
    /// each resource and its identity, data sources, list resources and actions. Any
    /// problem (an attribute that contradicts itself, a default of another type than its
    /// attribute, a list resource whose resource has no identity, two handles of one type
    /// name) is an error naming where, and nothing is served.
    pub fn new(provider: P) -> Result<Self, DeclarationErrors> {
        let mut check = Check::default();
        let provider_declared = Declared::of::<P::Config>(0);
        check.block("provider configuration", &provider_declared, Role::Provider);
        let resource_list = provider.resources();
        let list_handles = provider.list_resources(&resource_list);
        let resources = check.by_name("resource", resource_list, ResourceHandle::type_name);
        let lists = check.by_name("list resource", list_handles, ListResourceHandle::type_name);
        let data_sources = check.by_name(
            "data source",
            provider.data_sources(),
            DataSourceHandle::type_name,
        );
        let actions = check.by_name("action", provider.actions(), ActionHandle::type_name);
        for (name, r) in &resources {
            check.block(&format!("resource {name:?}"), &r.declared, Role::Resource);
            if let Some(identity) = r.identity() {
                check.block(
                    &format!("identity of resource {name:?}"),
                    identity,
                    Role::Identity,
                );
            }
        }
        for (name, d) in &data_sources {
            check.block(
                &format!("data source {name:?}"),
                &d.declared,
                Role::DataSource,
            );
        }
        for (name, l) in &lists {
            let place = format!("list resource {name:?}");
            check.add(&place, l.problems.clone());
            if !resources.contains_key(name) {
                check.add(
                    &place,
                    vec!["no resource of its type name is served".into()],
                );
            }
            check.block(&place, &l.declared, Role::ListConfig);
        }
        for (name, a) in &actions {
            check.block(&format!("action {name:?}"), &a.declared, Role::ActionConfig);
        }
        check.finish()?;
        Ok(ProviderAdapter {
            provider_declared,
            provider,
            resources,
            data_sources,
            lists,
            actions,
        })
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

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;
    use crate::framework::{
        ApplyResponse, ConfigureRequest, CreateRequest, DataSource, DeleteRequest, DeleteResponse,
        ImportRequest, ImportResponse, Model, NoIdentity, ReadDataResponse, ReadRequest,
        ReadResponse, Resource, UpdateRequest,
    };
    use std::marker::PhantomData;

    /// A resource of any model and identity, for declarations; it is never called.
    struct Plain<M, I>(&'static str, PhantomData<fn() -> (M, I)>);

    fn plain<M: Model, I: Model>(name: &'static str) -> ResourceHandle {
        ResourceHandle::new(Plain::<M, I>(name, PhantomData))
    }

    impl<M: Model, I: Model> Resource for Plain<M, I> {
        type Model = M;
        type Identity = I;
        type Private = ();

        fn type_name(&self) -> &'static str {
            self.0
        }
        async fn create(&self, _: CreateRequest<M, ()>) -> ApplyResponse<M, ()> {
            ApplyResponse::failed(Diagnostics::new())
        }
        async fn read(&self, _: ReadRequest<M, ()>) -> ReadResponse<M, ()> {
            ReadResponse {
                state: None,
                private: None,
                diagnostics: Diagnostics::new(),
            }
        }
        async fn update(&self, _: UpdateRequest<M, ()>) -> ApplyResponse<M, ()> {
            ApplyResponse::failed(Diagnostics::new())
        }
        async fn delete(&self, _: DeleteRequest<M, ()>) -> DeleteResponse<()> {
            Diagnostics::new().into()
        }
        async fn import(&self, _: ImportRequest<I>) -> ImportResponse<M, ()> {
            ImportResponse::failed(Diagnostics::new())
        }
    }

    /// A data source of any model; it is never called.
    struct PlainData<M>(PhantomData<fn() -> M>);

    impl<M: Model> DataSource for PlainData<M> {
        type Model = M;
        fn type_name(&self) -> &'static str {
            "test_data"
        }
        async fn read(&self, _: M) -> ReadDataResponse<M> {
            ReadDataResponse::failed(Diagnostics::new())
        }
    }

    /// A provider of whatever handles a test gives it.
    struct Given<C> {
        resources: Vec<ResourceHandle>,
        lists: fn(&[ResourceHandle]) -> Vec<ListResourceHandle>,
        data_sources: Vec<DataSourceHandle>,
        _config: PhantomData<fn() -> C>,
    }

    fn given(resources: Vec<ResourceHandle>) -> Given<Settings> {
        Given {
            resources,
            lists: |_| Vec::new(),
            data_sources: Vec::new(),
            _config: PhantomData,
        }
    }

    impl<C: Model> Provider for Given<C> {
        type Config = C;
        async fn configure(&self, _: ConfigureRequest<C>) -> Diagnostics {
            Diagnostics::new()
        }
        fn resources(&self) -> Vec<ResourceHandle> {
            self.resources.clone()
        }
        fn list_resources(&self, resources: &[ResourceHandle]) -> Vec<ListResourceHandle> {
            (self.lists)(resources)
        }
        fn data_sources(&self) -> Vec<DataSourceHandle> {
            self.data_sources.clone()
        }
    }

    fn refused<C: Model>(p: Given<C>) -> Vec<String> {
        match ProviderAdapter::new(p) {
            Ok(_) => Vec::new(),
            Err(e) => e.0,
        }
    }

    fn list_of_each(resources: &[ResourceHandle]) -> Vec<ListResourceHandle> {
        resources
            .iter()
            .map(|r| ListResourceHandle::new(fixture_list(), r))
            .collect()
    }

    #[test]
    fn a_well_declared_provider_is_served() {
        let p = given(vec![plain::<Thing, ThingIdentity>("test_thing")]);
        assert!(refused(p).is_empty());
    }

    #[test]
    fn a_list_resource_of_a_resource_without_identity_is_refused_not_dropped() {
        let mut p = given(vec![plain::<Settings, NoIdentity>("test_plain")]);
        p.lists = list_of_each;
        assert_eq!(
            refused(p),
            [
                "list resource \"test_plain\": its resource has no identity, which Terraform \
                 requires of every listed object (declare Resource::Identity)",
                format!(
                    "list resource \"test_plain\": built from the handle of another resource \
                     than the one it lists (the handle's model is not {})",
                    std::any::type_name::<Thing>()
                )
                .as_str(),
            ]
        );
    }

    #[test]
    fn a_list_resource_whose_resource_is_not_served_is_refused() {
        let mut p = given(Vec::new());
        p.lists = |_| list_of_each(&[plain::<Thing, ThingIdentity>("test_thing")]);
        assert_eq!(
            refused(p),
            ["list resource \"test_thing\": no resource of its type name is served"]
        );
    }

    #[test]
    fn two_resources_of_one_name_are_refused() {
        let p = given(vec![
            plain::<Thing, ThingIdentity>("test_thing"),
            plain::<Lookup, NoIdentity>("test_thing"),
        ]);
        assert_eq!(
            refused(p),
            ["resource \"test_thing\": served twice; type names are unique"]
        );
    }

    #[test]
    fn every_block_is_checked_by_what_it_is() {
        let mut p: Given<Ping> = Given {
            resources: vec![plain::<Settings, Thing>("test_odd")],
            lists: |_| Vec::new(),
            data_sources: vec![DataSourceHandle::new(PlainData::<Thing>(PhantomData))],
            _config: PhantomData,
        };
        p.resources.push(plain::<Thing, NoIdentity>("test_thing"));
        let identity = |p: &str| format!("identity of resource \"test_odd\": {p}");
        let data = |p: &str| format!("data source \"test_data\": {p}");
        let planned = "is for managed resources only (it acts in their plan); this is";
        let not_given = "an identity attribute is required or optional (what import takes)";
        // The resource may plan (and the provider block has no plan behaviour).
        assert_eq!(
            refused(p),
            [
                identity(&format!("id: UseStateForUnknown {planned} an identity")),
                identity(&format!("id: {not_given}")),
                identity(&format!("kind: RequiresReplace {planned} an identity")),
                identity(&format!("on: a default {planned} an identity")),
                identity(&format!("on: {not_given}")),
                identity(&format!("secret: write-only {planned} an identity")),
                identity(&format!("updated: {not_given}")),
                data(&format!("id: UseStateForUnknown {planned} a data source")),
                data(&format!("kind: RequiresReplace {planned} a data source")),
                data(&format!("on: a default {planned} a data source")),
                data(&format!("secret: write-only {planned} a data source")),
            ]
        );
    }

    #[test]
    fn the_error_says_the_provider_is_at_fault_and_lists_each_problem() {
        let mut p = given(vec![plain::<Settings, NoIdentity>("test_plain")]);
        p.lists = list_of_each;
        let text = ProviderAdapter::new(p).err().unwrap().to_string();
        assert!(text.starts_with(
            "the provider's declarations contradict themselves (a bug in the provider):\n  - \
             list resource \"test_plain\": its resource has no identity"
        ));
    }
}
