//! The provider-author API. A provider, its resources and data sources each declare their
//! attributes once, as a typed model ([`model!`](crate::model)): from that declaration come
//! the protocol schema, the plan behaviour (modes, defaults, plan modifiers, write-only
//! attributes) and the struct the author works on. [`ProviderAdapter`] serves a
//! [`Provider`] as a protocol-6 [`ProviderServer`](crate::tfplugin::rpc::ProviderServer):
//! it refuses a provider whose declarations contradict themselves, decodes every value
//! against its schema, converts it to the typed model, runs the plan engine, keeps
//! write-only attributes out of every plan and state, and checks that apply leaves nothing
//! unknown.
//!
//! Where things live: `attribute` (one attribute's spec), `validators`, `model` (fields,
//! conversions, the macro), `plan` (the engine), `private` (private state's bytes),
//! `resource` / `data_source` / `list` / `action` / `provider` (the traits), `registry`
//! (typed to untyped, once), `declaration` (the check of every declaration served),
//! `adapter` (the RPCs, a file per group, each with its table tests).

mod action;
mod adapter;
pub mod attribute;
mod data_source;
mod declaration;
mod list;
pub mod model;
pub mod plan;
pub mod prelude;
pub mod private;
mod provider;
mod registry;
mod resource;
pub mod validators;

pub use action::{Action, ActionHandle, Progress};
pub use adapter::ProviderAdapter;
pub use attribute::{
    computed, optional, optional_computed, required, AttributeSpec, DefaultValue, IntoDefault, Mode,
};
pub use data_source::{DataSource, ReadDataResponse};
pub use declaration::DeclarationErrors;
pub use list::{ListRequest, ListResource, ListResourceHandle, ListSink, Listed};
pub use model::{Field, Model, Set};
pub use private::PrivateState;
pub use provider::{data_source, resource, ConfigureRequest, Provider};
pub use registry::{DataSourceHandle, Declared, ResourceHandle};
pub use resource::{
    Applied, ApplyResponse, BoxFuture, CreateRequest, DeleteRequest, DeleteResponse, ImportRequest,
    ImportResponse, NoIdentity, Plan, PlanRequest, PlanResponse, Planned, ReadRequest,
    ReadResponse, Resource, UpdateRequest, ValidateRequest,
};
