//! The provider side of plugin protocol 6 in our own types: one request and one response
//! struct per RPC that Terraform calls, and the [`ProviderServer`] trait a provider
//! implementation fills in. Values stay encoded ([`DynamicValue`]) here: only the layer that
//! knows the schemas can decode them. The crate-private `wire` module converts these from
//! and to the generated protobuf types, and the gRPC server (`server`) calls the trait;
//! nothing above this layer sees protobuf.

use super::diagnostics::Diagnostics;
use super::schema::Schema;
use super::value::{AttributePath, DynamicValue};
use std::collections::BTreeMap;
use std::future::Future;

/// What the Terraform client says it can handle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// The client accepts deferred responses.
    pub deferral_allowed: bool,
    /// The client supports write-only attributes (Terraform 1.11+).
    pub write_only_attributes_allowed: bool,
    /// The client gives the first plan's private data back to the final plan before
    /// apply (Terraform 1.16+).
    pub store_planned_private: bool,
}

/// Optional protocol features the provider supports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerCapabilities {
    /// Terraform should call PlanResourceChange for destroys too.
    pub plan_destroy: bool,
    /// Terraform may skip GetProviderSchema when it has the schema cached.
    pub get_provider_schema_optional: bool,
    /// The provider implements MoveResourceState.
    pub move_resource_state: bool,
    /// The provider implements GenerateResourceConfig (Terraform 1.14+ calls it only then).
    pub generate_resource_config: bool,
}

/// Why a response was deferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferredReason {
    /// Unknown reason.
    Unknown,
    /// The resource configuration has unknown values.
    ResourceConfigUnknown,
    /// The provider configuration has unknown values.
    ProviderConfigUnknown,
    /// A prerequisite is absent.
    AbsentPrereq,
}

/// GetProviderSchema response.
#[derive(Clone, Debug, Default)]
pub struct GetProviderSchemaResponse {
    /// The provider block's schema.
    pub provider: Schema,
    /// Schema of `provider_meta`, if the provider uses it.
    pub provider_meta: Option<Schema>,
    /// Managed resource schemas by type name.
    pub resource_schemas: BTreeMap<String, Schema>,
    /// Data source schemas by type name.
    pub data_source_schemas: BTreeMap<String, Schema>,
    /// List resource schemas by type name (Terraform 1.13+).
    pub list_resource_schemas: BTreeMap<String, Schema>,
    /// Action schemas by type name (Terraform 1.14+).
    pub action_schemas: BTreeMap<String, Schema>,
    /// Capabilities.
    pub server_capabilities: ServerCapabilities,
    /// Problems building the schema.
    pub diagnostics: Diagnostics,
}

/// ValidateProviderConfig request.
#[derive(Clone, Debug, Default)]
pub struct ValidateProviderConfigRequest {
    /// The provider configuration (may contain unknowns).
    pub config: DynamicValue,
}

/// ValidateResourceConfig request.
#[derive(Clone, Debug, Default)]
pub struct ValidateResourceConfigRequest {
    /// Resource type name.
    pub type_name: String,
    /// The resource configuration (may contain unknowns).
    pub config: DynamicValue,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
}

/// ValidateDataResourceConfig request.
#[derive(Clone, Debug, Default)]
pub struct ValidateDataResourceConfigRequest {
    /// Data source type name.
    pub type_name: String,
    /// The data source configuration (may contain unknowns).
    pub config: DynamicValue,
}

/// Stored state in its raw form, as handed to UpgradeResourceState. Its `Debug` shows
/// sizes only: state may hold credentials.
#[derive(Clone, Default)]
pub struct RawState {
    /// The state's `attributes` JSON object, under the schema version it was written with.
    pub json: Vec<u8>,
    /// Pre-0.12 flatmap state.
    pub flatmap: BTreeMap<String, String>,
}

impl std::fmt::Debug for RawState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RawState {{ json: {} bytes, flatmap: {} entries }}",
            self.json.len(),
            self.flatmap.len()
        )
    }
}

/// UpgradeResourceState request.
#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceStateRequest {
    /// Resource type name.
    pub type_name: String,
    /// Schema version the state was written with.
    pub version: i64,
    /// The stored state.
    pub raw_state: RawState,
}

/// UpgradeResourceState response.
#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceStateResponse {
    /// State under the current schema (wholly known).
    pub upgraded_state: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ConfigureProvider request.
#[derive(Clone, Debug, Default)]
pub struct ConfigureProviderRequest {
    /// Terraform's version, e.g. "1.11.4".
    pub terraform_version: String,
    /// The provider configuration (may contain unknowns during plan).
    pub config: DynamicValue,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
}

/// ReadResource request.
#[derive(Clone, Debug, Default)]
pub struct ReadResourceRequest {
    /// Resource type name.
    pub type_name: String,
    /// State as last recorded.
    pub current_state: DynamicValue,
    /// Provider-private bytes stored with the state.
    pub private: Vec<u8>,
    /// provider_meta, if configured.
    pub provider_meta: Option<DynamicValue>,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
    /// The identity as last recorded; `None` for state written before identity existed
    /// (or by a client without it).
    pub current_identity: Option<DynamicValue>,
}

/// ReadResource response.
#[derive(Clone, Debug, Default)]
pub struct ReadResourceResponse {
    /// Refreshed state; a null value removes the resource from state.
    pub new_state: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
    /// Provider-private bytes to store.
    pub private: Vec<u8>,
    /// Set when the read was deferred.
    pub deferred: Option<DeferredReason>,
    /// The object's identity.
    pub new_identity: Option<DynamicValue>,
}

/// PlanResourceChange request.
#[derive(Clone, Debug, Default)]
pub struct PlanResourceChangeRequest {
    /// Resource type name.
    pub type_name: String,
    /// State before the change (null on create).
    pub prior_state: DynamicValue,
    /// Terraform's proposal: config merged with prior state (null on destroy).
    pub proposed_new_state: DynamicValue,
    /// The configuration (null on destroy).
    pub config: DynamicValue,
    /// Private bytes from the prior state.
    pub prior_private: Vec<u8>,
    /// provider_meta, if configured.
    pub provider_meta: Option<DynamicValue>,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
    /// The prior object's identity.
    pub prior_identity: Option<DynamicValue>,
    /// The private data the change was first planned with (Terraform 1.16+, final plan
    /// before apply only; empty otherwise).
    pub planned_private: Vec<u8>,
}

/// PlanResourceChange response.
#[derive(Clone, Debug, Default)]
pub struct PlanResourceChangeResponse {
    /// The planned state.
    pub planned_state: Option<DynamicValue>,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private bytes to hand to apply.
    pub planned_private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
    /// Set when the plan was deferred.
    pub deferred: Option<DeferredReason>,
    /// The identity the object will have.
    pub planned_identity: Option<DynamicValue>,
}

/// ApplyResourceChange request.
#[derive(Clone, Debug, Default)]
pub struct ApplyResourceChangeRequest {
    /// Resource type name.
    pub type_name: String,
    /// State before the change (null on create).
    pub prior_state: DynamicValue,
    /// The planned state (null on destroy).
    pub planned_state: DynamicValue,
    /// The configuration (null on destroy).
    pub config: DynamicValue,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
    /// provider_meta, if configured.
    pub provider_meta: Option<DynamicValue>,
    /// The identity planned.
    pub planned_identity: Option<DynamicValue>,
}

/// ApplyResourceChange response.
#[derive(Clone, Debug, Default)]
pub struct ApplyResourceChangeResponse {
    /// The new state (null after destroy).
    pub new_state: Option<DynamicValue>,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
    /// The object's identity (null after destroy).
    pub new_identity: Option<DynamicValue>,
}

/// ImportResourceState request.
#[derive(Clone, Debug, Default)]
pub struct ImportResourceStateRequest {
    /// Resource type name.
    pub type_name: String,
    /// The id the user gave (empty when importing by identity).
    pub id: String,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
    /// The identity the user gave (`import { identity = ... }`, Terraform 1.12+).
    pub identity: Option<DynamicValue>,
}

/// One imported object.
#[derive(Clone, Debug, Default)]
pub struct ImportedResource {
    /// Resource type name.
    pub type_name: String,
    /// Its state (Terraform reads it afterwards).
    pub state: DynamicValue,
    /// Private bytes.
    pub private: Vec<u8>,
    /// Its identity.
    pub identity: Option<DynamicValue>,
}

/// ImportResourceState response.
#[derive(Clone, Debug, Default)]
pub struct ImportResourceStateResponse {
    /// What was imported.
    pub imported_resources: Vec<ImportedResource>,
    /// Problems.
    pub diagnostics: Diagnostics,
    /// Set when the import was deferred.
    pub deferred: Option<DeferredReason>,
}

/// ReadDataSource request.
#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceRequest {
    /// Data source type name.
    pub type_name: String,
    /// The configuration.
    pub config: DynamicValue,
    /// provider_meta, if configured.
    pub provider_meta: Option<DynamicValue>,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
}

/// ReadDataSource response.
#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceResponse {
    /// The data source's state.
    pub state: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
    /// Set when the read was deferred.
    pub deferred: Option<DeferredReason>,
}

/// One identity attribute (Terraform 1.12+).
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: crate::tfplugin::value::Type,
    /// Must be given to import by identity.
    pub required_for_import: bool,
    /// May be given to import by identity.
    pub optional_for_import: bool,
    /// Markdown description.
    pub description: String,
}

/// A managed resource type's identity schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentitySchema {
    /// Bumped when stored identities need an upgrade.
    pub version: i64,
    /// Its attributes.
    pub attributes: Vec<IdentityAttribute>,
}

/// GetResourceIdentitySchemas response.
#[derive(Clone, Debug, Default)]
pub struct GetResourceIdentitySchemasResponse {
    /// Identity schemas by resource type name.
    pub identity_schemas: BTreeMap<String, IdentitySchema>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// UpgradeResourceIdentity request.
#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceIdentityRequest {
    /// Resource type name.
    pub type_name: String,
    /// Identity schema version it was stored with.
    pub version: i64,
    /// The stored identity (JSON).
    pub raw_identity: RawState,
}

/// UpgradeResourceIdentity response.
#[derive(Clone, Debug, Default)]
pub struct UpgradeResourceIdentityResponse {
    /// The identity under the current identity schema.
    pub upgraded_identity: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// GenerateResourceConfig request (Terraform 1.14+).
#[derive(Clone, Debug, Default)]
pub struct GenerateResourceConfigRequest {
    /// Resource type name.
    pub type_name: String,
    /// The object's state.
    pub state: DynamicValue,
}

/// GenerateResourceConfig response.
#[derive(Clone, Debug, Default)]
pub struct GenerateResourceConfigResponse {
    /// A configuration value for the resource (of its schema's type).
    pub config: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ListResource request (Terraform 1.13+).
#[derive(Clone, Debug, Default)]
pub struct ListResourceRequest {
    /// List resource type name (that of a managed resource type).
    pub type_name: String,
    /// The list block's configuration.
    pub config: DynamicValue,
    /// Send each object's full state too.
    pub include_resource_object: bool,
    /// The most events Terraform reads.
    pub limit: i64,
}

/// One event of a ListResource stream.
#[derive(Clone, Debug, Default)]
pub struct ListResourceEvent {
    /// The object's identity (every event that is not only a diagnostic needs one).
    pub identity: Option<DynamicValue>,
    /// A name for people.
    pub display_name: String,
    /// The object's state, when asked for.
    pub resource_object: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ValidateListResourceConfig request.
#[derive(Clone, Debug, Default)]
pub struct ValidateListResourceConfigRequest {
    /// List resource type name.
    pub type_name: String,
    /// The list block's configuration.
    pub config: DynamicValue,
    /// `include_resource` as configured (a bool value).
    pub include_resource_object: DynamicValue,
    /// `limit` as configured (a number value).
    pub limit: DynamicValue,
}

/// PlanAction and InvokeAction requests (Terraform 1.14+).
#[derive(Clone, Debug, Default)]
pub struct ActionRequest {
    /// Action type name.
    pub action_type: String,
    /// The action's configuration.
    pub config: DynamicValue,
    /// Client capabilities.
    pub client_capabilities: ClientCapabilities,
}

/// PlanAction response.
#[derive(Clone, Debug, Default)]
pub struct PlanActionResponse {
    /// Problems.
    pub diagnostics: Diagnostics,
    /// Set when the action was deferred.
    pub deferred: Option<DeferredReason>,
}

/// One event of an InvokeAction stream.
#[derive(Clone, Debug, PartialEq)]
pub enum InvokeActionEvent {
    /// A line of progress for people.
    Progress(String),
    /// The end: errors mean the action failed.
    Completed(Diagnostics),
}

/// ValidateActionConfig request.
#[derive(Clone, Debug, Default)]
pub struct ValidateActionConfigRequest {
    /// Action type name.
    pub type_name: String,
    /// The action's configuration.
    pub config: DynamicValue,
}

/// Where a streaming RPC sends its events. A send fails once Terraform stops reading (it
/// reached its limit, or went away): the stream's producer should then stop.
pub type EventSender<T> = tokio::sync::mpsc::Sender<T>;

/// What a protocol-6 provider implements. The gRPC server calls these; of the RPCs not
/// listed here, GetMetadata is answered from [`ProviderServer::get_provider_schema`],
/// GetFunctions with no functions, and the rest with `Unimplemented`. Implementations
/// must never panic: bad input becomes error diagnostics.
pub trait ProviderServer: Send + Sync + 'static {
    /// Schemas of the provider, its resources, data sources, list resources and actions.
    fn get_provider_schema(&self) -> impl Future<Output = GetProviderSchemaResponse> + Send;
    /// Checks the provider configuration.
    fn validate_provider_config(
        &self,
        req: ValidateProviderConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send;
    /// Checks a resource configuration.
    fn validate_resource_config(
        &self,
        req: ValidateResourceConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send;
    /// Checks a data source configuration.
    fn validate_data_resource_config(
        &self,
        req: ValidateDataResourceConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send;
    /// Upgrades stored state to the current schema (called even at the same version).
    fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> impl Future<Output = UpgradeResourceStateResponse> + Send;
    /// Configures the provider.
    fn configure_provider(
        &self,
        req: ConfigureProviderRequest,
    ) -> impl Future<Output = Diagnostics> + Send;
    /// Refreshes a resource.
    fn read_resource(
        &self,
        req: ReadResourceRequest,
    ) -> impl Future<Output = ReadResourceResponse> + Send;
    /// Plans a change.
    fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> impl Future<Output = PlanResourceChangeResponse> + Send;
    /// Applies a planned change.
    fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> impl Future<Output = ApplyResourceChangeResponse> + Send;
    /// Imports an existing object by id.
    fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> impl Future<Output = ImportResourceStateResponse> + Send;
    /// Reads a data source.
    fn read_data_source(
        &self,
        req: ReadDataSourceRequest,
    ) -> impl Future<Output = ReadDataSourceResponse> + Send;
    /// Identity schemas of the managed resource types that have one.
    fn get_resource_identity_schemas(
        &self,
    ) -> impl Future<Output = GetResourceIdentitySchemasResponse> + Send;
    /// Upgrades a stored identity to the current identity schema.
    fn upgrade_resource_identity(
        &self,
        req: UpgradeResourceIdentityRequest,
    ) -> impl Future<Output = UpgradeResourceIdentityResponse> + Send;
    /// Turns a resource's state into configuration.
    fn generate_resource_config(
        &self,
        req: GenerateResourceConfigRequest,
    ) -> impl Future<Output = GenerateResourceConfigResponse> + Send;
    /// Streams a list resource's objects into `events`, stopping when a send fails.
    fn list_resource(
        &self,
        req: ListResourceRequest,
        events: EventSender<ListResourceEvent>,
    ) -> impl Future<Output = ()> + Send;
    /// Checks a list block's configuration.
    fn validate_list_resource_config(
        &self,
        req: ValidateListResourceConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send;
    /// Checks an action's configuration.
    fn validate_action_config(
        &self,
        req: ValidateActionConfigRequest,
    ) -> impl Future<Output = Diagnostics> + Send;
    /// Plans an action.
    fn plan_action(&self, req: ActionRequest) -> impl Future<Output = PlanActionResponse> + Send;
    /// Invokes an action, streaming progress into `events` and ending with `Completed`.
    fn invoke_action(
        &self,
        req: ActionRequest,
        events: EventSender<InvokeActionEvent>,
    ) -> impl Future<Output = ()> + Send;
    /// Terraform asks the provider to stop in-flight work (interrupt). Returns an error
    /// text if stopping failed.
    fn stop_provider(&self) -> impl Future<Output = Result<(), String>> + Send;
}
