//! [`ProviderAdapter`]: serves a [`Provider`] over the protocol-6 [`ProviderServer`] trait.
//! Every RPC has one shape: an inner function that finds the type, decodes against its
//! schema, calls the typed resource (through its handle), and encodes, returning
//! `Result<_, Diagnostics>` with `?` for every early exit; [`respond`] folds the error
//! into the response. Every response that carries state goes through [`emit`].

use super::action::ActionHandle;
use super::list::ListResourceHandle;
use super::model::Model;
use super::plan;
use super::provider::{ConfigureRequest, Provider};
use super::registry::{DataSourceHandle, Declared, PlanInput, ResourceHandle};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::{json, AttributePath, DynamicValue, Value};
use std::collections::BTreeMap;

/// Serves a framework [`Provider`] as a protocol-6 provider. Declarations (specs,
/// schemas, value types) are computed once, at construction.
pub struct ProviderAdapter<P: Provider> {
    provider: P,
    provider_declared: Declared,
    resources: BTreeMap<&'static str, ResourceHandle>,
    data_sources: BTreeMap<&'static str, DataSourceHandle>,
    lists: BTreeMap<&'static str, ListResourceHandle>,
    actions: BTreeMap<&'static str, ActionHandle>,
}

/// A response with a diagnostics field, so one helper can fold an early error into it.
trait Reply: Default {
    fn diagnostics(&mut self) -> &mut Diagnostics;
}

macro_rules! reply {
    ($($t:ty),* $(,)?) => {$(
        impl Reply for $t {
            fn diagnostics(&mut self) -> &mut Diagnostics {
                &mut self.diagnostics
            }
        }
    )*};
}

reply!(
    UpgradeResourceStateResponse,
    UpgradeResourceIdentityResponse,
    GenerateResourceConfigResponse,
    PlanActionResponse,
    ReadResourceResponse,
    PlanResourceChangeResponse,
    ApplyResourceChangeResponse,
    ImportResourceStateResponse,
    ReadDataSourceResponse,
);

impl Reply for Diagnostics {
    fn diagnostics(&mut self) -> &mut Diagnostics {
        self
    }
}

/// The response of an RPC's inner function: an early error becomes a response that
/// carries only that error.
fn respond<T: Reply>(result: Result<T, Diagnostics>) -> T {
    result.unwrap_or_else(|d| {
        let mut out = T::default();
        *out.diagnostics() = d;
        out
    })
}

/// Decodes `dv` against `declared`'s type; a malformed value is an error at its path.
fn decode(dv: &DynamicValue, declared: &Declared, what: &str) -> Result<Value, Diagnostics> {
    dv.decode(&declared.ty).map_err(|e| {
        let d = Diagnostic::error(
            format!("Invalid {what} received from Terraform"),
            format!("The {what} could not be decoded: {e}."),
        );
        if e.path.is_empty() {
            d.into()
        } else {
            d.at(e.path).into()
        }
    })
}

/// What every response carrying state does: nulls write-only attributes, requires the
/// value wholly known (after apply, read, import, upgrade), and encodes it.
fn emit(declared: &Declared, mut value: Value, what: &str) -> Result<DynamicValue, Diagnostics> {
    plan::null_write_only(&mut value, &declared.specs);
    if !value.is_wholly_known() {
        return Err(Diagnostic::error(
            "Provider left a value unknown",
            format!("The {what} still holds unknown values. This is a bug in the provider."),
        )
        .into());
    }
    encode(declared, &value, what)
}

/// Encodes `value`; a mismatch with the schema is a provider bug, reported as a diagnostic.
fn encode(declared: &Declared, value: &Value, what: &str) -> Result<DynamicValue, Diagnostics> {
    DynamicValue::encode(&declared.ty, value).map_err(|e| {
        Diagnostic::error(
            "Provider produced an invalid value",
            format!("The {what} could not be encoded ({e}). This is a bug in the provider."),
        )
        .into()
    })
}

/// Appends `more` to `diags` and hands back the rest of a result.
fn and<T>(mut diags: Diagnostics, more: Result<T, Diagnostics>) -> (Option<T>, Diagnostics) {
    match more {
        Ok(v) => (Some(v), diags),
        Err(d) => {
            diags.extend(d);
            (None, diags)
        }
    }
}

impl<P: Provider> ProviderAdapter<P> {
    /// Wraps `provider`.
    pub fn new(provider: P) -> Self {
        let resource_list = provider.resources();
        let lists = provider
            .list_resources(&resource_list)
            .into_iter()
            .map(|l| (l.type_name(), l))
            .collect();
        let resources = resource_list
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), d))
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| (a.type_name(), a))
            .collect();
        ProviderAdapter {
            provider_declared: Declared::of::<P::Config>(0),
            provider,
            resources,
            data_sources,
            lists,
            actions,
        }
    }

    /// The list resources served, by type name.
    pub fn list_resources(&self) -> impl Iterator<Item = &ListResourceHandle> {
        self.lists.values()
    }

    /// The actions served, by type name.
    pub fn actions(&self) -> impl Iterator<Item = &ActionHandle> {
        self.actions.values()
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

    fn resource(&self, type_name: &str) -> Result<&ResourceHandle, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceHandle, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source {type_name:?}."),
            )
            .into()
        })
    }

    fn list(&self, type_name: &str) -> Result<&ListResourceHandle, Diagnostics> {
        self.lists.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("This provider has no list resource {type_name:?}."),
            )
            .into()
        })
    }

    fn action(&self, type_name: &str) -> Result<&ActionHandle, Diagnostics> {
        self.actions.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown action type",
                format!("This provider has no action {type_name:?}."),
            )
            .into()
        })
    }

    /// The identity of the object with state `state`, encoded; `None` without identity or
    /// state. With `known`, the identity Terraform already holds for the object: an
    /// identity must never change for one object, so a different one is an error.
    fn identity(
        &self,
        r: &ResourceHandle,
        state: &Value,
        known: Option<&DynamicValue>,
    ) -> Result<Option<DynamicValue>, Diagnostics> {
        let Some(declared) = r.identity() else {
            return Ok(None);
        };
        let Some(identity) = r.ops.identity(state)? else {
            return Ok(None);
        };
        if let Some(known) = known {
            let before = decode(known, declared, "identity")?;
            if let Some((name, was, now)) = identity_change(&before, &identity) {
                return Err(Diagnostic::error(
                    "Identity changed",
                    format!(
                        "The identity of this {} would change: {name} was {was}, now {now}. An \
                         object's identity never changes. If the provider's configuration \
                         changed (a setting that names where objects live), restore it; to \
                         manage the object under the new configuration, remove it from state \
                         (terraform state rm ADDRESS) and import it again.",
                        r.type_name
                    ),
                )
                .into());
            }
        }
        emit(declared, identity, "identity").map(Some)
    }

    fn validate_provider(
        &self,
        req: ValidateProviderConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let d = &self.provider_declared;
        let config = decode(&req.config, d, "provider configuration")?;
        let mut diags = d.check(&config);
        diags.extend(self.provider.validate(&P::Config::from_value(&config)?));
        Ok(diags)
    }

    fn validate_resource(
        &self,
        req: ValidateResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let config = decode(&req.config, &r.declared, "resource configuration")?;
        let allowed = req.client_capabilities.write_only_attributes_allowed;
        let mut diags = Diagnostics::new();
        if !allowed {
            for spec in r.declared.specs.iter().filter(|s| s.write_only) {
                if config.get_attr(spec.name).is_some_and(|v| !v.is_null()) {
                    diags.push(
                        Diagnostic::error(
                            "Write-only attribute not supported by this Terraform",
                            format!(
                                "{} is write-only and needs Terraform 1.11 or later. Upgrade \
                                 Terraform or use the regular attribute instead.",
                                spec.name
                            ),
                        )
                        .at(AttributePath::attr(spec.name)),
                    );
                }
            }
        }
        diags.extend(r.declared.check(&config));
        diags.extend(r.ops.validate(&config, allowed)?);
        Ok(diags)
    }

    fn validate_data_source(
        &self,
        req: ValidateDataResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let d = self.data_source(&req.type_name)?;
        let config = decode(&req.config, &d.declared, "data source configuration")?;
        let mut diags = d.declared.check(&config);
        diags.extend(d.ops.validate(&config)?);
        Ok(diags)
    }

    async fn upgrade(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> Result<UpgradeResourceStateResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        if req.raw_state.json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported state format",
                "This state was written by Terraform 0.11 or older (flatmap). Upgrade it with \
                 Terraform 0.12 to 1.x first.",
            )
            .into());
        }
        let current = r.declared.schema.version;
        if req.version != current {
            let (summary, detail) = if req.version > current {
                (
                    "State written by a newer provider",
                    format!(
                        "The state has schema version {}, newer than this provider's {current}. \
                         Use the provider release that wrote it, or newer.",
                        req.version
                    ),
                )
            } else {
                (
                    "Unsupported state version",
                    format!(
                        "The state of this {} has schema version {}, which this provider cannot \
                         upgrade to {current}.",
                        r.type_name, req.version
                    ),
                )
            };
            return Err(Diagnostic::error(summary, detail).into());
        }
        let state = json::decode(&r.declared.ty, &req.raw_state.json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Stored state does not match the schema",
                format!("The stored state could not be read: {e}."),
            ))
        })?;
        // What the state holds, shown to the resource: advisory, so a state that does not
        // fit the model is reported by the calls that use it, not here.
        if let Err(d) = r.ops.observe(state.clone()).await {
            tracing::debug!(problems = d.has_errors(), "state not observed");
        }
        Ok(UpgradeResourceStateResponse {
            upgraded_state: Some(emit(&r.declared, state, "upgraded state")?),
            diagnostics: Diagnostics::new(),
        })
    }

    async fn configure(&self, req: ConfigureProviderRequest) -> Result<Diagnostics, Diagnostics> {
        let config = decode(
            &req.config,
            &self.provider_declared,
            "provider configuration",
        )?;
        Ok(self
            .provider
            .configure(ConfigureRequest {
                terraform_version: req.terraform_version,
                config: P::Config::from_value(&config)?,
            })
            .await)
    }

    async fn read(&self, req: ReadResourceRequest) -> Result<ReadResourceResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let state = decode(&req.current_state, &r.declared, "current state")?;
        let out = r.ops.read(state, req.private.clone()).await?;
        let state = out.state.unwrap_or(Value::Null);
        let (new_identity, diagnostics) = and(
            out.diagnostics,
            self.identity(r, &state, req.current_identity.as_ref()),
        );
        let (new_state, diagnostics) =
            and(diagnostics, emit(&r.declared, state, "refreshed state"));
        Ok(ReadResourceResponse {
            new_state,
            diagnostics,
            private: out.private.unwrap_or(req.private),
            deferred: None,
            new_identity: new_identity.flatten(),
        })
    }

    async fn plan_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> Result<PlanResourceChangeResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let prior = decode(&req.prior_state, &r.declared, "prior state")?;
        let proposed = decode(&req.proposed_new_state, &r.declared, "proposed state")?;
        let config = decode(&req.config, &r.declared, "configuration")?;
        let (mut planned, mut requires_replace) =
            plan::plan(&r.declared.specs, &prior, &proposed, &config);
        // An update keeps the object's identity; a create has none before apply.
        let planned_identity = self.identity(r, &prior, req.prior_identity.as_ref())?;
        let mut diagnostics = Diagnostics::new();
        let mut planned_private = req.prior_private.clone();
        if !planned.is_null() {
            let out = r
                .ops
                .modify_plan(PlanInput {
                    prior,
                    planned,
                    config,
                    prior_private: req.prior_private,
                    // Terraform 1.16 sends the first plan's private to the final plan.
                    saved_plan_private: (!req.planned_private.is_empty())
                        .then_some(req.planned_private),
                    plan_private_returns: req.client_capabilities.store_planned_private,
                })
                .await?;
            planned = out.planned;
            requires_replace.extend(out.requires_replace);
            if let Some(p) = out.private {
                planned_private = p;
            }
            diagnostics = out.diagnostics;
            plan::null_write_only(&mut planned, &r.declared.specs);
        }
        Ok(PlanResourceChangeResponse {
            planned_state: Some(encode(&r.declared, &planned, "planned state")?),
            requires_replace,
            planned_private,
            diagnostics,
            deferred: None,
            planned_identity: if planned.is_null() {
                None
            } else {
                planned_identity
            },
        })
    }

    async fn apply(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> Result<ApplyResourceChangeResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let decoded = decode(&req.prior_state, &r.declared, "prior state").and_then(|prior| {
            let planned = decode(&req.planned_state, &r.declared, "planned state")?;
            let config = decode(&req.config, &r.declared, "configuration")?;
            Ok((prior, planned, config))
        });
        let (prior, planned, config) = match decoded {
            Ok(t) => t,
            // Keep what Terraform had: an undecodable request must not drop state, nor
            // the private data stored with it (Terraform stores what we answer).
            Err(diagnostics) => {
                return Ok(ApplyResourceChangeResponse {
                    new_state: Some(req.prior_state),
                    private: req.planned_private,
                    diagnostics,
                    ..Default::default()
                })
            }
        };
        let private = req.planned_private;
        let (state, out_private, diagnostics) = if planned.is_null() {
            let out = r.ops.delete(prior.clone(), private.clone()).await?;
            // A failed delete keeps the object in state, and its private data with it:
            // Terraform stores the private bytes of every object it keeps.
            if out.diagnostics.has_errors() {
                (prior, out.private.unwrap_or(private), out.diagnostics)
            } else {
                (Value::Null, Vec::new(), out.diagnostics)
            }
        } else if prior.is_null() {
            let out = r.ops.create(planned, config, private.clone()).await?;
            (
                out.state.unwrap_or(Value::Null),
                out.private.unwrap_or(private),
                out.diagnostics,
            )
        } else {
            let out = r
                .ops
                .update(prior.clone(), planned, config, private.clone())
                .await?;
            // A failed update never drops the object: the prior state stands.
            (
                out.state.unwrap_or(prior),
                out.private.unwrap_or(private),
                out.diagnostics,
            )
        };
        let (new_identity, diagnostics) = and(
            diagnostics,
            self.identity(r, &state, req.planned_identity.as_ref()),
        );
        let (new_state, diagnostics) = and(diagnostics, emit(&r.declared, state, "new state"));
        Ok(ApplyResourceChangeResponse {
            new_state,
            private: out_private,
            diagnostics,
            new_identity: new_identity.flatten(),
        })
    }

    async fn import(
        &self,
        req: ImportResourceStateRequest,
    ) -> Result<ImportResourceStateResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let identity = match (&req.identity, r.identity()) {
            (Some(dv), Some(declared)) => Some(decode(dv, declared, "identity")?),
            _ => None,
        };
        let out = r.ops.import(req.id, identity).await?;
        let mut diagnostics = out.diagnostics;
        let mut imported_resources = Vec::new();
        if let Some(state) = out.state {
            let (identity, d) = and(diagnostics, self.identity(r, &state, None));
            let (encoded, d) = and(d, emit(&r.declared, state, "imported state"));
            diagnostics = d;
            if let Some(state) = encoded {
                imported_resources.push(ImportedResource {
                    type_name: req.type_name,
                    state,
                    private: out.private.unwrap_or_default(),
                    identity: identity.flatten(),
                });
            }
        }
        Ok(ImportResourceStateResponse {
            imported_resources,
            diagnostics,
            deferred: None,
        })
    }

    async fn read_data(
        &self,
        req: ReadDataSourceRequest,
    ) -> Result<ReadDataSourceResponse, Diagnostics> {
        let d = self.data_source(&req.type_name)?;
        let config = decode(&req.config, &d.declared, "data source configuration")?;
        let out = d.ops.read(config).await?;
        if out.diagnostics.has_errors() {
            return Err(out.diagnostics);
        }
        let (state, diagnostics) = and(
            out.diagnostics,
            emit(
                &d.declared,
                out.state.unwrap_or(Value::Null),
                "data source result",
            ),
        );
        Ok(ReadDataSourceResponse {
            state,
            diagnostics,
            deferred: None,
        })
    }
}

impl<P: Provider> ProviderAdapter<P> {
    fn upgrade_identity(
        &self,
        req: UpgradeResourceIdentityRequest,
    ) -> Result<UpgradeResourceIdentityResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let declared = r.identity().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Resource has no identity",
                format!("{} has no identity to upgrade.", r.type_name),
            ))
        })?;
        if req.version != declared.schema.version && !req.raw_identity.json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported identity version",
                format!(
                    "The stored identity of this {} has version {}, which this provider cannot \
                     upgrade to {}.",
                    r.type_name, req.version, declared.schema.version
                ),
            )
            .into());
        }
        // State written before the resource had an identity stores none: there is none
        // to upgrade (the next read fills it in).
        if req.raw_identity.json.is_empty() {
            return Ok(UpgradeResourceIdentityResponse::default());
        }
        let identity = json::decode(&declared.ty, &req.raw_identity.json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Stored identity does not match the schema",
                format!("The stored identity could not be read: {e}."),
            ))
        })?;
        Ok(UpgradeResourceIdentityResponse {
            upgraded_identity: Some(emit(declared, identity, "upgraded identity")?),
            diagnostics: Diagnostics::new(),
        })
    }

    fn generate(
        &self,
        req: GenerateResourceConfigRequest,
    ) -> Result<GenerateResourceConfigResponse, Diagnostics> {
        let r = self.resource(&req.type_name)?;
        let state = decode(&req.state, &r.declared, "state")?;
        // Terraform 1.14.0 sends no state here (core issue 37896, fixed in 1.14.1): say so,
        // rather than generate from nothing or blame the provider.
        if state.is_null() {
            return Err(Diagnostic::error(
                "Terraform sent no state to generate configuration from",
                format!(
                    "Terraform asked for the configuration of a {} without sending the \
                     object's state, so there is nothing to generate it from. Terraform \
                     1.14.0 does this for `terraform query -generate-config-out`; it is \
                     fixed in Terraform 1.14.1. Upgrade Terraform, or import with an \
                     `import` block and `terraform plan -generate-config-out`.",
                    r.type_name
                ),
            )
            .into());
        }
        let mut config = r.ops.generate_config(&state)?;
        // What only the provider sets is never configuration.
        if let Value::Object(attrs) = &mut config {
            for spec in r
                .declared
                .specs
                .iter()
                .filter(|s| s.mode == super::Mode::Computed)
            {
                attrs.insert(spec.name.to_string(), Value::Null);
            }
        }
        Ok(GenerateResourceConfigResponse {
            config: Some(emit(&r.declared, config, "generated configuration")?),
            diagnostics: Diagnostics::new(),
        })
    }

    fn validate_list(
        &self,
        req: ValidateListResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let l = self.list(&req.type_name)?;
        let config = decode(&req.config, &l.declared, "list configuration")?;
        let mut diags = l.declared.check(&config);
        diags.extend(l.ops.validate(&config)?);
        Ok(diags)
    }

    async fn run_list(
        &self,
        req: ListResourceRequest,
        events: &EventSender<ListResourceEvent>,
    ) -> Result<(), Diagnostics> {
        let l = self.list(&req.type_name)?;
        let config = decode(&req.config, &l.declared, "list configuration")?;
        // Terraform always sends a limit; a negative one reads nothing.
        let limit = usize::try_from(req.limit).unwrap_or(0);
        l.ops
            .list(config, req.include_resource_object, limit, events.clone())
            .await
    }

    fn validate_action(
        &self,
        req: ValidateActionConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let a = self.action(&req.type_name)?;
        let config = decode(&req.config, &a.declared, "action configuration")?;
        let mut diags = a.declared.check(&config);
        diags.extend(a.ops.validate(&config)?);
        Ok(diags)
    }

    async fn plan_action_inner(
        &self,
        req: ActionRequest,
    ) -> Result<PlanActionResponse, Diagnostics> {
        let a = self.action(&req.action_type)?;
        let config = decode(&req.config, &a.declared, "action configuration")?;
        Ok(PlanActionResponse {
            diagnostics: a.ops.plan(config).await?,
            deferred: None,
        })
    }
}

impl<P: Provider> ProviderServer for ProviderAdapter<P> {
    async fn get_provider_schema(&self) -> GetProviderSchemaResponse {
        GetProviderSchemaResponse {
            provider: self.provider_declared.schema.clone(),
            provider_meta: None,
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, r)| (name.to_string(), r.declared.schema.clone()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, d)| (name.to_string(), d.declared.schema.clone()))
                .collect(),
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(name, l)| (name.to_string(), l.declared.schema.clone()))
                .collect(),
            action_schemas: self
                .actions
                .iter()
                .map(|(name, a)| (name.to_string(), a.declared.schema.clone()))
                .collect(),
            server_capabilities: ServerCapabilities {
                plan_destroy: false,
                get_provider_schema_optional: true,
                move_resource_state: false,
                generate_resource_config: true,
            },
            diagnostics: Diagnostics::new(),
        }
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
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, r)| {
                let declared = r.identity()?;
                let attributes = declared
                    .specs
                    .iter()
                    .map(|s| IdentityAttribute {
                        name: s.name.to_string(),
                        ty: s.ty.clone(),
                        required_for_import: s.mode == super::Mode::Required,
                        optional_for_import: s.mode != super::Mode::Required,
                        description: s.description.to_string(),
                    })
                    .collect();
                Some((
                    name.to_string(),
                    IdentitySchema {
                        version: declared.schema.version,
                        attributes,
                    },
                ))
            })
            .collect();
        GetResourceIdentitySchemasResponse {
            identity_schemas,
            diagnostics: Diagnostics::new(),
        }
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
        if let Err(diagnostics) = self.run_list(req, &events).await {
            let _ = events
                .send(ListResourceEvent {
                    diagnostics,
                    ..Default::default()
                })
                .await;
        }
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
        let run = async {
            let a = self.action(&req.action_type)?;
            let config = decode(&req.config, &a.declared, "action configuration")?;
            Ok::<_, Diagnostics>((a, config))
        };
        match run.await {
            Ok((a, config)) => a.ops.invoke(config, events).await,
            Err(d) => {
                let _ = events.send(InvokeActionEvent::Completed(d)).await;
            }
        }
    }

    async fn stop_provider(&self) -> Result<(), String> {
        self.provider.stop();
        Ok(())
    }
}

/// The first attribute that differs between an identity Terraform holds and a new one,
/// with both values. An attribute null on either side is not a change: older states have
/// none yet (filled in), and an optional one may come and go with the configuration (a
/// project implied by the key or named in the provider block).
fn identity_change(before: &Value, now: &Value) -> Option<(String, String, String)> {
    let (Value::Object(b), Value::Object(n)) = (before, now) else {
        return None;
    };
    b.iter().find_map(|(name, was)| {
        let now = n.get(name)?;
        (!was.is_null() && !now.is_null() && was != now)
            .then(|| (name.clone(), show(was), show(now)))
    })
}

/// An identity value for a message: identities hold ids, never secrets. Quoted with
/// escapes (no control characters reach a terminal) and cut short.
fn show(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    };
    text.chars().take(120).collect()
}
