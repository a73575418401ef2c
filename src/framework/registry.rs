//! Type-erased handles over typed resources and data sources, so the adapter can keep them
//! by type name. Each handle converts a decoded value to its model (errors name the
//! attribute path), calls the typed method, and converts the result back; list resources
//! and actions have handles of the same kind, beside their traits (`list`, `action`).

use super::attribute::AttributeSpec;
use super::data_source::DataSource;
use super::model::Model;
use super::private::{self, PrivateState};
use super::resource::{
    BoxFuture, CreateRequest, DeleteRequest, ImportRequest, PlanRequest, ReadRequest, Resource,
    UpdateRequest, ValidateRequest,
};
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::schema::{Block, Schema, StringKind};
use crate::tfplugin::value::{AttributePath, Type, Value};
use std::sync::Arc;

/// What a model's declaration says about a type: its specs, schema and value type.
#[derive(Clone, Debug)]
pub struct Declared {
    /// The attribute specs.
    pub specs: Vec<AttributeSpec>,
    /// The protocol schema.
    pub schema: Schema,
    /// The object type its values have.
    pub ty: Type,
}

impl Declared {
    /// The declaration of model `M` at schema `version`.
    pub fn of<M: Model>(version: i64) -> Declared {
        let specs = M::attributes();
        let block = Block {
            attributes: specs.iter().map(AttributeSpec::to_schema).collect(),
            description: M::description().to_string(),
            description_kind: StringKind::Markdown,
            ..Default::default()
        };
        Declared {
            ty: block.implied_type(),
            schema: Schema { version, block },
            specs,
        }
    }

    /// Every attribute validator over `config` (null and unknown values pass).
    pub fn check(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for spec in &self.specs {
            let v = config.get_attr(spec.name).unwrap_or(&Value::Null);
            for validator in &spec.validators {
                diags.extend(validator.check(v, &AttributePath::attr(spec.name)));
            }
        }
        diags
    }
}

/// Decodes a model, or says where the value does not fit it.
fn model<M: Model>(v: &Value) -> Result<M, Diagnostics> {
    M::from_value(v)
}

fn model_or_none<M: Model>(v: &Value) -> Result<Option<M>, Diagnostics> {
    if v.is_null() {
        Ok(None)
    } else {
        model(v).map(Some)
    }
}

/// An applied change, read or import, untyped: the new state (if any), and the private
/// bytes chosen (`None` keeps the ones Terraform sent).
pub(crate) struct Applied {
    pub state: Option<Value>,
    pub private: Option<Vec<u8>>,
    pub diagnostics: Diagnostics,
}

impl Applied {
    fn of<M: Model, P: PrivateState>(
        state: Option<M>,
        private: Option<P>,
        diagnostics: Diagnostics,
    ) -> Applied {
        Applied {
            state: state.map(|s| s.to_value()),
            private: private.as_ref().map(private::encode),
            diagnostics,
        }
    }
}

/// A plan after the resource's own adjustments.
pub(crate) struct Planned {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub private: Option<Vec<u8>>,
    pub diagnostics: Diagnostics,
}

/// A delete's outcome, untyped.
pub(crate) struct Deleted {
    pub private: Option<Vec<u8>>,
    pub diagnostics: Diagnostics,
}

/// A plan request, untyped.
pub(crate) struct PlanInput {
    pub prior: Value,
    pub planned: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub saved_plan_private: Option<Vec<u8>>,
    pub plan_private_returns: bool,
}

/// A resource's methods on values. This is where its futures are boxed, once.
pub(crate) trait AnyResource: Send + Sync {
    fn validate(
        &self,
        config: &Value,
        write_only_allowed: bool,
    ) -> Result<Diagnostics, Diagnostics>;
    fn observe(&self, state: Value) -> BoxFuture<'_, Result<(), Diagnostics>>;
    fn modify_plan(&self, input: PlanInput) -> BoxFuture<'_, Result<Planned, Diagnostics>>;
    fn create(
        &self,
        planned: Value,
        config: Value,
        private: Vec<u8>,
    ) -> BoxFuture<'_, Result<Applied, Diagnostics>>;
    fn read(&self, state: Value, private: Vec<u8>) -> BoxFuture<'_, Result<Applied, Diagnostics>>;
    fn update(
        &self,
        prior: Value,
        planned: Value,
        config: Value,
        private: Vec<u8>,
    ) -> BoxFuture<'_, Result<Applied, Diagnostics>>;
    fn delete(&self, prior: Value, private: Vec<u8>)
        -> BoxFuture<'_, Result<Deleted, Diagnostics>>;
    fn import(
        &self,
        id: String,
        identity: Option<Value>,
    ) -> BoxFuture<'_, Result<Applied, Diagnostics>>;
    /// The identity of the object with state `state`, as a value (`None` for none).
    fn identity(&self, state: &Value) -> Result<Option<Value>, Diagnostics>;
    fn generate_config(&self, state: &Value) -> Result<Value, Diagnostics>;
}

struct Typed<R>(Arc<R>);

impl<R: Resource> AnyResource for Typed<R> {
    fn validate(
        &self,
        config: &Value,
        write_only_allowed: bool,
    ) -> Result<Diagnostics, Diagnostics> {
        let config = model::<R::Model>(config)?;
        Ok(self.0.validate(ValidateRequest {
            config: &config,
            write_only_allowed,
        }))
    }

    fn observe(&self, state: Value) -> BoxFuture<'_, Result<(), Diagnostics>> {
        Box::pin(async move {
            if let Some(state) = model_or_none::<R::Model>(&state)? {
                self.0.observe(state).await;
            }
            Ok(())
        })
    }

    fn modify_plan(&self, input: PlanInput) -> BoxFuture<'_, Result<Planned, Diagnostics>> {
        Box::pin(async move {
            let req = PlanRequest {
                prior: model_or_none::<R::Model>(&input.prior)?,
                planned: model::<R::Model>(&input.planned)?,
                config: model::<R::Model>(&input.config)?,
                prior_private: private::decode(&input.prior_private),
                saved_plan_private: input.saved_plan_private.as_deref().map(private::decode),
                plan_private_returns: input.plan_private_returns,
            };
            let out = self.0.modify_plan(req).await;
            Ok(Planned {
                planned: out.planned.to_value(),
                requires_replace: out.requires_replace,
                private: out.planned_private.as_ref().map(private::encode),
                diagnostics: out.diagnostics,
            })
        })
    }

    fn create(
        &self,
        planned: Value,
        config: Value,
        private: Vec<u8>,
    ) -> BoxFuture<'_, Result<Applied, Diagnostics>> {
        Box::pin(async move {
            let req = CreateRequest {
                planned: model::<R::Model>(&planned)?,
                config: model::<R::Model>(&config)?,
                planned_private: private::decode(&private),
            };
            let out = self.0.create(req).await;
            Ok(Applied::of(out.state, out.private, out.diagnostics))
        })
    }

    fn read(&self, state: Value, private: Vec<u8>) -> BoxFuture<'_, Result<Applied, Diagnostics>> {
        Box::pin(async move {
            let req = ReadRequest {
                state: model::<R::Model>(&state)?,
                private: private::decode(&private),
            };
            let out = self.0.read(req).await;
            Ok(Applied::of(out.state, out.private, out.diagnostics))
        })
    }

    fn update(
        &self,
        prior: Value,
        planned: Value,
        config: Value,
        private: Vec<u8>,
    ) -> BoxFuture<'_, Result<Applied, Diagnostics>> {
        Box::pin(async move {
            let req = UpdateRequest {
                prior: model::<R::Model>(&prior)?,
                planned: model::<R::Model>(&planned)?,
                config: model::<R::Model>(&config)?,
                planned_private: private::decode(&private),
            };
            let out = self.0.update(req).await;
            Ok(Applied::of(out.state, out.private, out.diagnostics))
        })
    }

    fn delete(
        &self,
        prior: Value,
        private: Vec<u8>,
    ) -> BoxFuture<'_, Result<Deleted, Diagnostics>> {
        Box::pin(async move {
            let req = DeleteRequest {
                prior: model::<R::Model>(&prior)?,
                private: private::decode(&private),
            };
            let out = self.0.delete(req).await;
            Ok(Deleted {
                private: out.private.as_ref().map(private::encode),
                diagnostics: out.diagnostics,
            })
        })
    }

    fn import(
        &self,
        id: String,
        identity: Option<Value>,
    ) -> BoxFuture<'_, Result<Applied, Diagnostics>> {
        Box::pin(async move {
            let identity = match identity {
                Some(v) => Some(model::<R::Identity>(&v)?),
                None => None,
            };
            let out = self.0.import(ImportRequest { id, identity }).await;
            Ok(Applied::of(out.state, Some(out.private), out.diagnostics))
        })
    }

    fn identity(&self, state: &Value) -> Result<Option<Value>, Diagnostics> {
        if state.is_null() {
            return Ok(None);
        }
        Ok(self
            .0
            .identity(&model::<R::Model>(state)?)
            .map(|i| i.to_value()))
    }

    fn generate_config(&self, state: &Value) -> Result<Value, Diagnostics> {
        Ok(self
            .0
            .generate_config(model::<R::Model>(state)?)?
            .to_value())
    }
}

/// A resource, erased, with its declaration.
#[derive(Clone)]
pub struct ResourceHandle {
    pub(crate) type_name: &'static str,
    pub(crate) declared: Arc<Declared>,
    /// The identity's declaration, when the resource has one.
    pub(crate) identity: Option<Arc<Declared>>,
    pub(crate) ops: Arc<dyn AnyResource>,
}

impl ResourceHandle {
    /// Erases `r`, computing its declarations once.
    pub fn new<R: Resource>(r: R) -> ResourceHandle {
        Self::shared(Arc::new(r))
    }

    /// Erases a resource that something else (a list resource) also holds.
    pub fn shared<R: Resource>(r: Arc<R>) -> ResourceHandle {
        let identity = Declared::of::<R::Identity>(r.identity_version());
        ResourceHandle {
            type_name: r.type_name(),
            declared: Arc::new(Declared::of::<R::Model>(r.schema_version())),
            identity: (!identity.specs.is_empty()).then(|| Arc::new(identity)),
            ops: Arc::new(Typed(r)),
        }
    }

    /// Its identity's declaration, when it has one.
    pub fn identity(&self) -> Option<&Declared> {
        self.identity.as_deref()
    }

    /// The type name.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Its declaration (specs and schema).
    pub fn declared(&self) -> &Declared {
        &self.declared
    }
}

/// A data source's read on values.
pub(crate) trait AnyDataSource: Send + Sync {
    fn validate(&self, config: &Value) -> Result<Diagnostics, Diagnostics>;
    fn read(&self, config: Value) -> BoxFuture<'_, Result<Applied, Diagnostics>>;
}

struct TypedData<D>(D);

impl<D: DataSource> AnyDataSource for TypedData<D> {
    fn validate(&self, config: &Value) -> Result<Diagnostics, Diagnostics> {
        Ok(self.0.validate(&model::<D::Model>(config)?))
    }

    fn read(&self, config: Value) -> BoxFuture<'_, Result<Applied, Diagnostics>> {
        Box::pin(async move {
            let out = self.0.read(model::<D::Model>(&config)?).await;
            Ok(Applied {
                state: out.state.map(|s| s.to_value()),
                private: None,
                diagnostics: out.diagnostics,
            })
        })
    }
}

/// A data source, erased, with its declaration.
#[derive(Clone)]
pub struct DataSourceHandle {
    pub(crate) type_name: &'static str,
    pub(crate) declared: Arc<Declared>,
    pub(crate) ops: Arc<dyn AnyDataSource>,
}

impl DataSourceHandle {
    /// Erases `d`, computing its declaration once.
    pub fn new<D: DataSource>(d: D) -> DataSourceHandle {
        DataSourceHandle {
            type_name: d.type_name(),
            declared: Arc::new(Declared::of::<D::Model>(0)),
            ops: Arc::new(TypedData(d)),
        }
    }

    /// The type name.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Its declaration (specs and schema).
    pub fn declared(&self) -> &Declared {
        &self.declared
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{
        computed, required, ApplyResponse, DeleteResponse, Field, ImportResponse, NoIdentity,
        ReadResponse,
    };

    crate::model! {
        /// A resource model without identity.
        pub struct Plain {
            description: "A plain thing.",
            id: Field<String> = computed("Its id."),
            name: Field<String> = required("Its name."),
        }
    }

    struct PlainResource;

    impl Resource for PlainResource {
        type Model = Plain;
        type Identity = NoIdentity;
        type Private = ();

        fn type_name(&self) -> &'static str {
            "test_plain"
        }
        async fn create(&self, req: CreateRequest<Plain, ()>) -> ApplyResponse<Plain, ()> {
            ApplyResponse {
                state: Some(Plain {
                    id: Field::Known("p1".into()),
                    ..req.planned
                }),
                private: None,
                diagnostics: Diagnostics::new(),
            }
        }
        async fn read(&self, req: ReadRequest<Plain, ()>) -> ReadResponse<Plain, ()> {
            ReadResponse {
                state: Some(req.state),
                private: None,
                diagnostics: Diagnostics::new(),
            }
        }
        async fn update(&self, req: UpdateRequest<Plain, ()>) -> ApplyResponse<Plain, ()> {
            ApplyResponse {
                state: Some(req.planned),
                private: None,
                diagnostics: Diagnostics::new(),
            }
        }
        async fn delete(&self, _: DeleteRequest<Plain, ()>) -> DeleteResponse<()> {
            Diagnostics::new().into()
        }
        async fn import(&self, _: ImportRequest<NoIdentity>) -> ImportResponse<Plain, ()> {
            ImportResponse::failed(Diagnostics::new())
        }
    }

    #[test]
    fn a_resource_without_identity_declares_none_and_generates_its_settable_attributes() {
        let h = ResourceHandle::new(PlainResource);
        assert!(h.identity().is_none());
        let state = Plain {
            id: Field::Known("p1".into()),
            name: Field::Known("n".into()),
        }
        .to_value();
        assert_eq!(h.ops.identity(&state).unwrap(), None);
        // The default generated configuration is the state; the adapter nulls what only
        // the provider sets.
        assert_eq!(h.ops.generate_config(&state).unwrap(), state);
    }
}
