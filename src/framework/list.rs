//! List resources (Terraform 1.13+, `terraform query`): a declared configuration (the
//! list block's `config`), and a stream of the managed resource's objects, each with its
//! identity. The framework encodes what the list sends, stops it at Terraform's limit, and
//! never buffers more than the stream's small channel holds.

use super::model::Model;
use super::registry::{Declared, ResourceHandle};
use super::resource::{BoxFuture, NoIdentity, Resource};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::{EventSender, ListResourceEvent};
use crate::tfplugin::value::{DynamicValue, Value};
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// One object found.
pub struct Listed<M, I> {
    /// Its identity.
    pub identity: I,
    /// A name for people.
    pub display_name: String,
    /// Its state (sent only when Terraform asks for objects).
    pub object: M,
}

/// ListResource, decoded.
pub struct ListRequest<C> {
    /// The list block's configuration.
    pub config: C,
    /// Terraform wants each object's state too.
    pub include_objects: bool,
    /// The most objects Terraform reads.
    pub limit: usize,
}

/// Where a list sends what it finds.
pub struct ListSink<R: Resource> {
    events: EventSender<ListResourceEvent>,
    resource: Declared,
    identity: Declared,
    include_objects: bool,
    left: usize,
    _r: PhantomData<fn() -> R>,
}

impl<R: Resource> ListSink<R> {
    /// How many more objects Terraform reads.
    pub fn remaining(&self) -> usize {
        self.left
    }

    /// Sends one object. `false` when nothing more is wanted (the limit was reached, or
    /// Terraform stopped reading): the list should stop.
    pub async fn send(&mut self, item: Listed<R::Model, R::Identity>) -> bool {
        if self.left == 0 {
            return false;
        }
        let mut diagnostics = Diagnostics::new();
        let identity = encode(&self.identity, &item.identity.to_value(), &mut diagnostics);
        let resource_object = if self.include_objects {
            let mut v = item.object.to_value();
            super::plan::null_write_only(&mut v, &self.resource.specs);
            encode(&self.resource, &v, &mut diagnostics)
        } else {
            None
        };
        self.left -= 1;
        let event = ListResourceEvent {
            identity,
            display_name: item.display_name,
            resource_object,
            diagnostics,
        };
        self.events.send(event).await.is_ok() && self.left > 0
    }

    /// Sends diagnostics alone (an error ends the list).
    pub async fn diagnostics(&mut self, diagnostics: Diagnostics) {
        if !diagnostics.is_empty() {
            let _ = self
                .events
                .send(ListResourceEvent {
                    diagnostics,
                    ..Default::default()
                })
                .await;
        }
    }
}

fn encode(declared: &Declared, v: &Value, diags: &mut Diagnostics) -> Option<DynamicValue> {
    match DynamicValue::encode(&declared.ty, v) {
        Ok(dv) => Some(dv),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Provider produced an invalid value",
                format!(
                    "A listed object could not be encoded ({e}). This is a bug in the provider."
                ),
            ));
            None
        }
    }
}

/// A list resource: the objects of managed resource type `Resource`, found by its
/// configuration.
pub trait ListResource: Send + Sync + 'static {
    /// The list block's `config`, declared with `model!`.
    type Config: Model;
    /// The managed resource listed; its type name is the list's, and it must have an
    /// identity (the adapter refuses to serve a list of a resource without one).
    type Resource: Resource;

    /// Checks a configuration beyond its validators (unknown values skipped).
    fn validate(&self, config: &Self::Config) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Finds the objects, sending each into `sink` until it says stop, and returns the
    /// problems met (an error after some objects were sent still ends the list).
    fn list(
        &self,
        req: ListRequest<Self::Config>,
        sink: &mut ListSink<Self::Resource>,
    ) -> impl Future<Output = Diagnostics> + Send;
}

/// A list resource's methods on values.
pub(crate) trait AnyList: Send + Sync {
    fn validate(&self, config: &Value) -> Result<Diagnostics, Diagnostics>;
    fn list(
        &self,
        config: Value,
        include_objects: bool,
        limit: usize,
        events: EventSender<ListResourceEvent>,
    ) -> BoxFuture<'_, Result<(), Diagnostics>>;
}

struct TypedList<L: ListResource> {
    list: L,
    resource: Declared,
    identity: Declared,
}

impl<L: ListResource> AnyList for TypedList<L> {
    fn validate(&self, config: &Value) -> Result<Diagnostics, Diagnostics> {
        Ok(self.list.validate(&L::Config::from_value(config)?))
    }

    fn list(
        &self,
        config: Value,
        include_objects: bool,
        limit: usize,
        events: EventSender<ListResourceEvent>,
    ) -> BoxFuture<'_, Result<(), Diagnostics>> {
        Box::pin(async move {
            let config = L::Config::from_value(&config)?;
            let mut sink = ListSink::<L::Resource> {
                events,
                resource: self.resource.clone(),
                identity: self.identity.clone(),
                include_objects,
                left: limit,
                _r: PhantomData,
            };
            if limit > 0 {
                let req = ListRequest {
                    config,
                    include_objects,
                    limit,
                };
                let diags = self.list.list(req, &mut sink).await;
                sink.diagnostics(diags).await;
            }
            Ok(())
        })
    }
}

/// A list resource, erased, with its declaration.
#[derive(Clone)]
pub struct ListResourceHandle {
    pub(crate) type_name: &'static str,
    pub(crate) declared: Arc<Declared>,
    pub(crate) ops: Arc<dyn AnyList>,
    /// What is wrong with how it was built; the adapter refuses to serve it then.
    pub(crate) problems: Vec<String>,
}

impl ListResourceHandle {
    /// Erases `list` of the objects of `resource` (the handle of the managed resource it
    /// lists, whose type name and identity it takes). A resource without an identity, or
    /// a handle of another resource than `L::Resource`, is a problem the adapter reports
    /// when it is built (Terraform requires an identity of every listed object).
    pub fn new<L: ListResource>(list: L, resource: &ResourceHandle) -> ListResourceHandle {
        let mut problems = Vec::new();
        let identity = match resource.identity() {
            Some(identity) => identity.clone(),
            None => {
                problems.push(
                    "its resource has no identity, which Terraform requires of every listed \
                     object (declare Resource::Identity)"
                        .to_string(),
                );
                Declared::of::<NoIdentity>(0)
            }
        };
        let typed = Declared::of::<<L::Resource as Resource>::Model>(0);
        if typed.ty != resource.declared().ty {
            problems.push(format!(
                "built from the handle of another resource than the one it lists (the \
                 handle's model is not {})",
                std::any::type_name::<<L::Resource as Resource>::Model>()
            ));
        }
        ListResourceHandle {
            type_name: resource.type_name(),
            declared: Arc::new(Declared::of::<L::Config>(0)),
            ops: Arc::new(TypedList {
                list,
                resource: resource.declared().clone(),
                identity,
            }),
            problems,
        }
    }

    /// The type name (the managed resource's).
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Its configuration's declaration.
    pub fn declared(&self) -> &Declared {
        &self.declared
    }
}
