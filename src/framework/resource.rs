//! The managed-resource trait and its request and response types, all on the resource's
//! own typed [`Model`] and [`PrivateState`]: a resource never handles an untyped value or
//! private bytes. Its methods are plain `async fn`s; the framework boxes them once, where
//! it erases their types (`registry`; `list` and `action` for those traits).

use super::model::Model;
use super::private::PrivateState;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::value::AttributePath;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future: what the type-erased handles return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// ValidateResourceConfig. `config` may hold unknowns: skip checks on them.
pub struct ValidateRequest<'a, M> {
    /// The configuration.
    pub config: &'a M,
    /// True when the client supports write-only attributes.
    pub write_only_allowed: bool,
}

/// The plan as the engine made it, for [`Resource::modify_plan`].
pub struct PlanRequest<M, P> {
    /// State before the change; `None` on create.
    pub prior: Option<M>,
    /// The engine's plan (computed values unknown or kept, defaults applied).
    pub planned: M,
    /// The configuration (holds write-only values).
    pub config: M,
    /// Private state of the prior object (of the object replaced, for a replacement's
    /// create planned right after it).
    pub prior_private: P,
    /// Terraform 1.16+: the private state this plan returned when the change was first
    /// planned, given again to the final plan just before apply. `None` on earlier
    /// Terraform, and whenever this is not that final plan.
    pub saved_plan_private: Option<P>,
    /// Terraform 1.16+: the private state returned now comes back as
    /// `saved_plan_private` to the final plan before apply.
    pub plan_private_returns: bool,
}

/// What [`Resource::modify_plan`] makes of the plan.
pub struct PlanResponse<M, P> {
    /// The plan, possibly adjusted (never a non-computed attribute's configured value).
    pub planned: M,
    /// More attributes whose change replaces the object.
    pub requires_replace: Vec<AttributePath>,
    /// Private state to hand to apply; `None` keeps the prior one.
    pub planned_private: Option<P>,
    /// Warnings (or errors) about the plan.
    pub diagnostics: Diagnostics,
}

impl<M, P> PlanResponse<M, P> {
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
pub struct CreateRequest<M, P> {
    /// The planned state (wholly known except computed attributes).
    pub planned: M,
    /// The configuration (holds write-only values).
    pub config: M,
    /// Private state from the plan.
    pub planned_private: P,
}

/// Read: refresh one object.
pub struct ReadRequest<M, P> {
    /// The state as last recorded.
    pub state: M,
    /// Private state stored with it.
    pub private: P,
}

/// Update: move from prior to planned.
pub struct UpdateRequest<M, P> {
    /// State before the change.
    pub prior: M,
    /// The planned state.
    pub planned: M,
    /// The configuration (holds write-only values).
    pub config: M,
    /// Private state from the plan.
    pub planned_private: P,
}

/// Delete: remove one object.
pub struct DeleteRequest<M, P> {
    /// The state being destroyed.
    pub prior: M,
    /// Private state stored with it.
    pub private: P,
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
/// Terraform (tainted after a failed create), so nothing the API made is lost. The
/// framework keeps the prior state when a failed update returns none.
pub struct ApplyResponse<M, P> {
    /// The new state; `None` when nothing exists (or, for an update, to keep the prior).
    pub state: Option<M>,
    /// Private state to keep with the state; `None` keeps the planned one.
    pub private: Option<P>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

impl<M, P> ApplyResponse<M, P> {
    /// Nothing made, and why.
    pub fn failed(diagnostics: Diagnostics) -> Self {
        ApplyResponse {
            state: None,
            private: None,
            diagnostics,
        }
    }
}

/// Result of a delete. A failed delete keeps the object, and the framework keeps its
/// private state with it unless `private` says otherwise.
pub struct DeleteResponse<P> {
    /// Private state to keep if the object stays (errors); `None` keeps the stored one.
    pub private: Option<P>,
    /// Problems; errors keep the object in state.
    pub diagnostics: Diagnostics,
}

impl<P> From<Diagnostics> for DeleteResponse<P> {
    fn from(diagnostics: Diagnostics) -> Self {
        DeleteResponse {
            private: None,
            diagnostics,
        }
    }
}

/// Result of a read.
pub struct ReadResponse<M, P> {
    /// The refreshed state; `None` when the object is gone (Terraform drops it).
    pub state: Option<M>,
    /// Private state to keep; `None` keeps the stored one.
    pub private: Option<P>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Result of an import.
pub struct ImportResponse<M, P> {
    /// The imported state (unset attributes null).
    pub state: Option<M>,
    /// Private state.
    pub private: P,
    /// Problems.
    pub diagnostics: Diagnostics,
}

impl<M, P: Default> ImportResponse<M, P> {
    /// Nothing imported, and why.
    pub fn failed(diagnostics: Diagnostics) -> Self {
        ImportResponse {
            state: None,
            private: P::default(),
            diagnostics,
        }
    }
}

/// Shorthand for a resource's request and response types.
pub type Plan<R> = PlanRequest<<R as Resource>::Model, <R as Resource>::Private>;
/// See [`Plan`].
pub type Planned<R> = PlanResponse<<R as Resource>::Model, <R as Resource>::Private>;
/// See [`Plan`].
pub type Applied<R> = ApplyResponse<<R as Resource>::Model, <R as Resource>::Private>;

/// A managed resource type, on its typed model. Methods never panic: problems are
/// diagnostics.
pub trait Resource: Send + Sync + 'static {
    /// Configuration, plan and state, declared with `model!`.
    type Model: Model;

    /// Its identity (Terraform 1.12+), declared with `model!`: required attributes are
    /// required to import by identity, optional ones optional. [`NoIdentity`] for none.
    type Identity: Model;

    /// What it keeps in Terraform's private state (`()` for nothing); see `private`.
    type Private: PrivateState;

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
    /// Terraform's generated configuration (Terraform 1.14+). The default is the state
    /// itself; the framework then nulls what only the provider sets (computed attributes).
    fn generate_config(&self, state: Self::Model) -> Result<Self::Model, Diagnostics> {
        Ok(state)
    }

    /// Checks a configuration beyond what each attribute's validators say (unknown
    /// values skipped).
    fn validate(&self, req: ValidateRequest<'_, Self::Model>) -> Diagnostics {
        let _ = req;
        Diagnostics::new()
    }

    /// An object of the state Terraform serves, as Terraform hands it over before any
    /// other use of it in a walk (UpgradeResourceState), refreshed or not, in the plan
    /// and in the apply. A resource may note what the state holds.
    fn observe(&self, state: Self::Model) -> impl Future<Output = ()> + Send {
        let _ = state;
        async {}
    }

    /// Adjusts the engine's plan or warns about it. Called for creates and updates.
    fn modify_plan(&self, req: Plan<Self>) -> impl Future<Output = Planned<Self>> + Send {
        async move { PlanResponse::unchanged(req.planned) }
    }

    /// Creates the object.
    fn create(
        &self,
        req: CreateRequest<Self::Model, Self::Private>,
    ) -> impl Future<Output = Applied<Self>> + Send;

    /// Refreshes the object.
    fn read(
        &self,
        req: ReadRequest<Self::Model, Self::Private>,
    ) -> impl Future<Output = ReadResponse<Self::Model, Self::Private>> + Send;

    /// Updates the object in place.
    fn update(
        &self,
        req: UpdateRequest<Self::Model, Self::Private>,
    ) -> impl Future<Output = Applied<Self>> + Send;

    /// Deletes the object; an object already gone counts as deleted.
    fn delete(
        &self,
        req: DeleteRequest<Self::Model, Self::Private>,
    ) -> impl Future<Output = DeleteResponse<Self::Private>> + Send;

    /// Imports an existing object by id or identity.
    fn import(
        &self,
        req: ImportRequest<Self::Identity>,
    ) -> impl Future<Output = ImportResponse<Self::Model, Self::Private>> + Send;
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
    ($($t:ident <$($g:tt),*>),* $(,)?) => {$(
        impl <$($g),*> std::fmt::Debug for $t<$($g),*> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { <values redacted> }"))
            }
        }
    )*};
}

redacted_debug!(
    ValidateRequest<'a, M>,
    PlanRequest<M, P>,
    PlanResponse<M, P>,
    CreateRequest<M, P>,
    ReadRequest<M, P>,
    UpdateRequest<M, P>,
    DeleteRequest<M, P>,
    ApplyResponse<M, P>,
    ReadResponse<M, P>,
    ImportResponse<M, P>,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_values() {
        let req = CreateRequest {
            planned: "tok-secret".to_string(),
            config: "tok-secret".to_string(),
            planned_private: (),
        };
        let resp: ApplyResponse<String, ()> = ApplyResponse {
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
