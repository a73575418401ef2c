//! Actions (Terraform 1.14+): a declared configuration, a plan-time check, and an
//! invocation that streams progress lines and ends with its diagnostics.

use super::model::Model;
use super::registry::Declared;
use super::resource::BoxFuture;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::{EventSender, InvokeActionEvent};
use crate::tfplugin::value::Value;
use std::future::Future;
use std::sync::Arc;

/// Where an action reports progress: a line at a time, for people.
pub struct Progress {
    events: EventSender<InvokeActionEvent>,
}

impl Progress {
    /// Sends one line. `false` when Terraform stopped listening.
    pub async fn line(&self, text: impl Into<String>) -> bool {
        self.events
            .send(InvokeActionEvent::Progress(text.into()))
            .await
            .is_ok()
    }
}

/// An action type.
pub trait Action: Send + Sync + 'static {
    /// Its configuration, declared with `model!`.
    type Config: Model;

    /// The type name, e.g. `sigsentry_log_source_test`.
    fn type_name(&self) -> &'static str;

    /// Checks a configuration beyond its validators (unknown values skipped).
    fn validate(&self, config: &Self::Config) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Checks, at plan time, that the action can run (the configuration may hold unknowns).
    fn plan(&self, config: Self::Config) -> impl Future<Output = Diagnostics> + Send {
        let _ = config;
        async { Diagnostics::new() }
    }

    /// Runs it, reporting progress; errors in the result mean it failed.
    fn invoke(
        &self,
        config: Self::Config,
        progress: &Progress,
    ) -> impl Future<Output = Diagnostics> + Send;
}

/// An action's methods on values.
pub(crate) trait AnyAction: Send + Sync {
    fn validate(&self, config: &Value) -> Result<Diagnostics, Diagnostics>;
    fn plan(&self, config: Value) -> BoxFuture<'_, Result<Diagnostics, Diagnostics>>;
    fn invoke(&self, config: Value, events: EventSender<InvokeActionEvent>) -> BoxFuture<'_, ()>;
}

struct TypedAction<A>(A);

/// The configuration of an action: Terraform sends a null object when the action block
/// has no `config` block, which reads as every attribute null.
fn config_of<C: Model>(v: &Value) -> Result<C, Diagnostics> {
    if v.is_null() {
        Ok(C::default())
    } else {
        C::from_value(v)
    }
}

impl<A: Action> AnyAction for TypedAction<A> {
    fn validate(&self, config: &Value) -> Result<Diagnostics, Diagnostics> {
        Ok(self.0.validate(&config_of::<A::Config>(config)?))
    }

    fn plan(&self, config: Value) -> BoxFuture<'_, Result<Diagnostics, Diagnostics>> {
        Box::pin(async move { Ok(self.0.plan(config_of::<A::Config>(&config)?).await) })
    }

    fn invoke(&self, config: Value, events: EventSender<InvokeActionEvent>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let progress = Progress {
                events: events.clone(),
            };
            let diagnostics = match config_of::<A::Config>(&config) {
                Ok(config) => self.0.invoke(config, &progress).await,
                Err(d) => d,
            };
            // Always one Completed, last.
            let _ = events.send(InvokeActionEvent::Completed(diagnostics)).await;
        })
    }
}

/// An action, erased, with its declaration.
#[derive(Clone)]
pub struct ActionHandle {
    pub(crate) type_name: &'static str,
    pub(crate) declared: Arc<Declared>,
    pub(crate) ops: Arc<dyn AnyAction>,
}

impl ActionHandle {
    /// Erases `a`, computing its declaration once.
    pub fn new<A: Action>(a: A) -> ActionHandle {
        ActionHandle {
            type_name: a.type_name(),
            declared: Arc::new(Declared::of::<A::Config>(0)),
            ops: Arc::new(TypedAction(a)),
        }
    }

    /// The type name.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Its configuration's declaration.
    pub fn declared(&self) -> &Declared {
        &self.declared
    }
}
