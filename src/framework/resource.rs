//! The managed-resource trait and its request and response types, all on the resource's
//! own typed [`Model`]: a resource never handles an untyped value.

use super::model::Model;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::value::AttributePath;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future: what the async trait methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// ValidateResourceConfig. `config` may hold unknowns: skip checks on them.
pub struct ValidateRequest<'a, M> {
    /// The configuration.
    pub config: &'a M,
    /// True when the client supports write-only attributes.
    pub write_only_allowed: bool,
}

/// The plan as the engine made it, for [`Resource::modify_plan`].
pub struct PlanRequest<M> {
    /// State before the change; `None` on create.
    pub prior: Option<M>,
    /// The engine's plan (computed values unknown or kept, defaults applied).
    pub planned: M,
    /// The configuration (holds write-only values).
    pub config: M,
    /// Private bytes of the prior state.
    pub prior_private: Vec<u8>,
}

/// What [`Resource::modify_plan`] makes of the plan.
pub struct PlanResponse<M> {
    /// The plan, possibly adjusted (never a non-computed attribute's configured value).
    pub planned: M,
    /// More attributes whose change replaces the object.
    pub requires_replace: Vec<AttributePath>,
    /// Private bytes to hand to apply; `None` keeps the prior ones.
    pub planned_private: Option<Vec<u8>>,
    /// Warnings (or errors) about the plan.
    pub diagnostics: Diagnostics,
}

impl<M> PlanResponse<M> {
    /// The plan as it is.
    pub fn unchanged(planned: M) -> Self {
        PlanResponse {
            planned,
            requires_replace: Vec::new(),
            planned_private: None,
            diagnostics: Diagnostics::new(),
        }
    }
}

/// Create: the plan to make real.
pub struct CreateRequest<M> {
    /// The planned state (wholly known except computed attributes).
    pub planned: M,
    /// The configuration (holds write-only values).
    pub config: M,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// Read: refresh one object.
pub struct ReadRequest<M> {
    /// The state as last recorded.
    pub state: M,
    /// Private bytes stored with it.
    pub private: Vec<u8>,
}

/// Update: move from prior to planned.
pub struct UpdateRequest<M> {
    /// State before the change.
    pub prior: M,
    /// The planned state.
    pub planned: M,
    /// The configuration (holds write-only values).
    pub config: M,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// Delete: remove one object.
pub struct DeleteRequest<M> {
    /// The state being destroyed.
    pub prior: M,
    /// Private bytes stored with it.
    pub private: Vec<u8>,
}

/// Import: adopt an existing object by id, or by identity (Terraform 1.12+).
#[derive(Debug)]
pub struct ImportRequest<I> {
    /// The id the user gave; empty when importing by identity.
    pub id: String,
    /// The identity the user gave (`import { identity = {...} }`).
    pub identity: Option<I>,
}

/// Result of create or update. A state returned with error diagnostics is recorded by
/// Terraform (tainted after a failed create), so nothing the API made is lost.
pub struct ApplyResponse<M> {
    /// The new state; `None` when nothing exists.
    pub state: Option<M>,
    /// Private bytes to keep with the state; `None` keeps the planned ones.
    pub private: Option<Vec<u8>>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

impl<M> ApplyResponse<M> {
    /// Nothing made, and why.
    pub fn failed(diagnostics: Diagnostics) -> Self {
        ApplyResponse {
            state: None,
            private: None,
            diagnostics,
        }
    }
}

/// Result of a read.
pub struct ReadResponse<M> {
    /// The refreshed state; `None` when the object is gone (Terraform drops it).
    pub state: Option<M>,
    /// Private bytes to keep; `None` keeps the stored ones.
    pub private: Option<Vec<u8>>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Result of an import.
pub struct ImportResponse<M> {
    /// The imported state (unset attributes null).
    pub state: Option<M>,
    /// Private bytes.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

impl<M> ImportResponse<M> {
    /// Nothing imported, and why.
    pub fn failed(diagnostics: Diagnostics) -> Self {
        ImportResponse {
            state: None,
            private: Vec::new(),
            diagnostics,
        }
    }
}

/// A managed resource type, on its typed model. Methods never panic: problems are
/// diagnostics.
pub trait Resource: Send + Sync + 'static {
    /// Configuration, plan and state, declared with `model!`.
    type Model: Model;

    /// Its identity (Terraform 1.12+), declared with `model!`: required attributes are
    /// required to import by identity, optional ones optional. [`NoIdentity`] for none.
    type Identity: Model;

    /// The type name, e.g. `sigsentry_log_source`.
    fn type_name(&self) -> &'static str;

    /// The version of its state's schema.
    fn schema_version(&self) -> i64 {
        0
    }

    /// The version of its identity's schema.
    fn identity_version(&self) -> i64 {
        0
    }

    /// The identity of the object whose state is `state`: it must never change for one
    /// object. `None` when the state has none to give (no id yet).
    fn identity(&self, state: &Self::Model) -> Option<Self::Identity> {
        let _ = state;
        None
    }

    /// The configuration that would produce the object whose state is `state`, for
    /// Terraform's generated configuration (Terraform 1.14+). The default keeps what the
    /// configuration may set and drops what only the provider sets.
    fn generate_config(&self, state: Self::Model) -> Result<Self::Model, Diagnostics> {
        Ok(state)
    }

    /// Checks a configuration beyond what each attribute's validators say (unknown
    /// values skipped).
    fn validate(&self, req: ValidateRequest<'_, Self::Model>) -> Diagnostics {
        let _ = req;
        Diagnostics::new()
    }

    /// Adjusts the engine's plan or warns about it. Called for creates and updates.
    fn modify_plan(
        &self,
        req: PlanRequest<Self::Model>,
    ) -> BoxFuture<'_, PlanResponse<Self::Model>> {
        Box::pin(async move { PlanResponse::unchanged(req.planned) })
    }

    /// Creates the object.
    fn create(&self, req: CreateRequest<Self::Model>) -> BoxFuture<'_, ApplyResponse<Self::Model>>;

    /// Refreshes the object.
    fn read(&self, req: ReadRequest<Self::Model>) -> BoxFuture<'_, ReadResponse<Self::Model>>;

    /// Updates the object in place.
    fn update(&self, req: UpdateRequest<Self::Model>) -> BoxFuture<'_, ApplyResponse<Self::Model>>;

    /// Deletes the object; an object already gone counts as deleted.
    fn delete(&self, req: DeleteRequest<Self::Model>) -> BoxFuture<'_, Diagnostics>;

    /// Imports an existing object by id or identity.
    fn import(
        &self,
        req: ImportRequest<Self::Identity>,
    ) -> BoxFuture<'_, ImportResponse<Self::Model>>;
}

/// A shared resource is the resource (a list resource and the provider can hold one).
impl<R: Resource> Resource for std::sync::Arc<R> {
    type Model = R::Model;
    type Identity = R::Identity;

    fn type_name(&self) -> &'static str {
        (**self).type_name()
    }
    fn schema_version(&self) -> i64 {
        (**self).schema_version()
    }
    fn identity_version(&self) -> i64 {
        (**self).identity_version()
    }
    fn identity(&self, state: &Self::Model) -> Option<Self::Identity> {
        (**self).identity(state)
    }
    fn generate_config(&self, state: Self::Model) -> Result<Self::Model, Diagnostics> {
        (**self).generate_config(state)
    }
    fn validate(&self, req: ValidateRequest<'_, Self::Model>) -> Diagnostics {
        (**self).validate(req)
    }
    fn modify_plan(
        &self,
        req: PlanRequest<Self::Model>,
    ) -> BoxFuture<'_, PlanResponse<Self::Model>> {
        (**self).modify_plan(req)
    }
    fn create(&self, req: CreateRequest<Self::Model>) -> BoxFuture<'_, ApplyResponse<Self::Model>> {
        (**self).create(req)
    }
    fn read(&self, req: ReadRequest<Self::Model>) -> BoxFuture<'_, ReadResponse<Self::Model>> {
        (**self).read(req)
    }
    fn update(&self, req: UpdateRequest<Self::Model>) -> BoxFuture<'_, ApplyResponse<Self::Model>> {
        (**self).update(req)
    }
    fn delete(&self, req: DeleteRequest<Self::Model>) -> BoxFuture<'_, Diagnostics> {
        (**self).delete(req)
    }
    fn import(
        &self,
        req: ImportRequest<Self::Identity>,
    ) -> BoxFuture<'_, ImportResponse<Self::Model>> {
        (**self).import(req)
    }
}

/// The identity of a resource type that has none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoIdentity;

impl super::model::TfValue for NoIdentity {
    fn tf_type() -> crate::tfplugin::value::Type {
        crate::tfplugin::value::Type::object(Vec::<(String, crate::tfplugin::value::Type)>::new())
    }
    fn from_tf(_: &crate::tfplugin::value::Value, _: &AttributePath) -> Result<Self, Diagnostics> {
        Ok(NoIdentity)
    }
    fn to_tf(&self) -> crate::tfplugin::value::Value {
        crate::tfplugin::value::Value::Object(Default::default())
    }
}

impl Model for NoIdentity {
    fn description() -> &'static str {
        ""
    }
    fn attributes() -> Vec<super::attribute::AttributeSpec> {
        Vec::new()
    }
}

/// Requests and responses hold credentials: they print their shape only.
macro_rules! redacted_debug {
    ($($t:ident $(<$l:lifetime>)?),* $(,)?) => {$(
        impl <$($l,)? M> std::fmt::Debug for $t<$($l,)? M> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { <values redacted> }"))
            }
        }
    )*};
}

redacted_debug!(
    ValidateRequest<'a>,
    PlanRequest,
    PlanResponse,
    CreateRequest,
    ReadRequest,
    UpdateRequest,
    DeleteRequest,
    ApplyResponse,
    ReadResponse,
    ImportResponse,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_values() {
        let req = CreateRequest {
            planned: "tok-secret".to_string(),
            config: "tok-secret".to_string(),
            planned_private: Vec::new(),
        };
        let resp = ApplyResponse {
            state: Some("tok-secret".to_string()),
            private: None,
            diagnostics: Diagnostics::new(),
        };
        let dv = crate::tfplugin::value::DynamicValue {
            msgpack: b"tok-secret".to_vec(),
            json: Vec::new(),
        };
        let text = format!("{req:?} {resp:?} {dv:?}");
        assert!(!text.contains("tok-secret"), "{text}");
        assert!(text.contains("10 bytes"), "{text}");
    }
}
