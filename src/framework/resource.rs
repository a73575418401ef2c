//! The managed-resource trait and its request/response types.

use super::plan::ResourceSchema;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::value::{AttributePath, Value};
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future: what the async trait methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// ValidateResourceConfig, decoded. `config` may hold unknowns: skip checks on them.
pub struct ValidateRequest<'a> {
    /// The configuration object.
    pub config: &'a Value,
    /// True when the client supports write-only attributes.
    pub write_only_allowed: bool,
}

/// The plan as the engine made it, handed to [`Resource::modify_plan`].
pub struct ModifyPlanRequest<'a> {
    /// State before the change (null on create).
    pub prior: &'a Value,
    /// The configuration object.
    pub config: &'a Value,
    /// Private bytes of the prior state.
    pub prior_private: &'a [u8],
}

/// Create: the plan to make real.
pub struct CreateRequest {
    /// The planned state (wholly known except computed attributes).
    pub planned: Value,
    /// The configuration (holds write-only values).
    pub config: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// Read: refresh one object.
pub struct ReadRequest {
    /// The state as last recorded.
    pub state: Value,
    /// Private bytes stored with it.
    pub private: Vec<u8>,
}

/// Update: move from prior to planned.
pub struct UpdateRequest {
    /// State before the change.
    pub prior: Value,
    /// The planned state.
    pub planned: Value,
    /// The configuration (holds write-only values).
    pub config: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// Delete: remove one object.
pub struct DeleteRequest {
    /// The state being destroyed.
    pub prior: Value,
    /// Private bytes stored with it.
    pub private: Vec<u8>,
}

/// Import: adopt an existing object by id.
#[derive(Debug)]
pub struct ImportRequest {
    /// The id the user gave.
    pub id: String,
}

/// Result of create or update. A non-null `state` with error diagnostics is recorded by
/// Terraform (tainted after a failed create), so nothing the API made is lost.
#[derive(Default)]
pub struct ApplyResponse {
    /// The new state (null only when nothing exists).
    pub state: Value,
    /// Private bytes to keep with the state.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Result of a read.
#[derive(Default)]
pub struct ReadResponse {
    /// The refreshed state; `None` when the object is gone (Terraform drops it from state).
    pub state: Option<Value>,
    /// Private bytes to keep with the state.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Result of an import.
#[derive(Default)]
pub struct ImportResponse {
    /// The imported state (wholly known; unset attributes null).
    pub state: Option<Value>,
    /// Private bytes.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A managed resource type. Methods never panic: problems are diagnostics.
pub trait Resource: Send + Sync + 'static {
    /// The type name, e.g. `sigsentry_log_source`.
    fn type_name(&self) -> &'static str;

    /// The schema and the plan rules of each attribute.
    fn schema(&self) -> ResourceSchema;

    /// Checks a configuration beyond what the schema says (unknown values skipped).
    fn validate(&self, req: ValidateRequest<'_>) -> Diagnostics {
        let _ = req;
        Diagnostics::new()
    }

    /// Adjusts the engine's plan (e.g. marks more attributes unknown, adds replace paths).
    fn modify_plan(
        &self,
        req: ModifyPlanRequest<'_>,
        planned: &mut Value,
        requires_replace: &mut Vec<AttributePath>,
    ) -> Diagnostics {
        let _ = (req, planned, requires_replace);
        Diagnostics::new()
    }

    /// Creates the object.
    fn create(&self, req: CreateRequest) -> BoxFuture<'_, ApplyResponse>;

    /// Refreshes the object.
    fn read(&self, req: ReadRequest) -> BoxFuture<'_, ReadResponse>;

    /// Updates the object in place.
    fn update(&self, req: UpdateRequest) -> BoxFuture<'_, ApplyResponse>;

    /// Deletes the object; an object already gone counts as deleted.
    fn delete(&self, req: DeleteRequest) -> BoxFuture<'_, Diagnostics>;

    /// Imports an existing object by id.
    fn import(&self, req: ImportRequest) -> BoxFuture<'_, ImportResponse> {
        let _ = req;
        Box::pin(async move {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Import not supported",
                format!("{} cannot be imported.", self.type_name()),
            );
            ImportResponse {
                diagnostics,
                ..Default::default()
            }
        })
    }

    /// Upgrades state written under an older schema `version` (already decoded as JSON
    /// into `state` under the current type when possible). The default accepts the
    /// current version only.
    fn upgrade_state(&self, version: i64, state: Value) -> Result<Value, Diagnostics> {
        let current = self.schema().schema.version;
        if version == current {
            Ok(state)
        } else {
            Err(crate::tfplugin::diagnostics::Diagnostic::error(
                "Unsupported state version",
                format!(
                    "The state of this {} was written with schema version {version}, but this \
                     provider knows version {current}. Use a provider release that matches the state.",
                    self.type_name()
                ),
            )
            .into())
        }
    }
}

/// Values can hold credentials: request and response types print their shape only.
macro_rules! redacted_debug {
    ($($t:ident $(<$l:lifetime>)?),* $(,)?) => {$(
        impl $(<$l>)? std::fmt::Debug for $t $(<$l>)? {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { <values redacted> }"))
            }
        }
    )*};
}

redacted_debug!(
    ValidateRequest<'a>,
    ModifyPlanRequest<'a>,
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
        let secret = Value::Map(
            [("token".to_string(), Value::String("tok-secret".into()))]
                .into_iter()
                .collect(),
        );
        let req = CreateRequest {
            planned: secret.clone(),
            config: secret.clone(),
            planned_private: Vec::new(),
        };
        let resp = ApplyResponse {
            state: secret,
            ..Default::default()
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
