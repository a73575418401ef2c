//! The provider-author API: a provider is a [`Provider`] with [`Resource`]s and
//! [`DataSource`]s written against decoded [`Value`](crate::tfplugin::value::Value)s.
//! [`ProviderAdapter`] turns it into a protocol-6 [`ProviderServer`](crate::tfplugin::rpc::ProviderServer):
//! it decodes every value against its schema, runs the plan engine (computed attributes,
//! defaults, `UseStateForUnknown`, `RequiresReplace`), keeps write-only attributes out of
//! every plan and state, and checks that apply leaves nothing unknown.

mod adapter;
mod data_source;
pub mod object;
pub mod plan;
mod provider;
mod resource;

pub use adapter::ProviderAdapter;
pub use data_source::{DataSource, ReadDataRequest, ReadDataResponse};
pub use plan::{AttributeRules, ResourceSchema};
pub use provider::{ConfigureRequest, Provider};
pub use resource::{
    ApplyResponse, BoxFuture, CreateRequest, DeleteRequest, ImportRequest, ImportResponse,
    ModifyPlanRequest, ReadRequest, ReadResponse, Resource, UpdateRequest, ValidateRequest,
};
