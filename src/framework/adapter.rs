//! [`ProviderAdapter`]: serves a [`Provider`] over the protocol-6 [`ProviderServer`] trait.
//! Every RPC has the same shape: find the type, decode against its schema, call the
//! provider, enforce Terraform's rules on the result, encode.

use super::data_source::{DataSource, ReadDataRequest};
use super::plan::{self, ResourceSchema};
use super::provider::{ConfigureRequest, Provider};
use super::resource::{
    CreateRequest, DeleteRequest, ImportRequest, ModifyPlanRequest, ReadRequest, Resource,
    UpdateRequest, ValidateRequest,
};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::{json, AttributePath, DynamicValue, Type, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

struct ResourceEntry {
    resource: Arc<dyn Resource>,
    schema: ResourceSchema,
    ty: Type,
    write_only: Vec<String>,
}

struct DataSourceEntry {
    data_source: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// Serves a framework [`Provider`] as a protocol-6 provider. Schemas and their implied
/// types are computed once, at construction.
pub struct ProviderAdapter<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    resources: BTreeMap<&'static str, ResourceEntry>,
    data_sources: BTreeMap<&'static str, DataSourceEntry>,
}

impl<P: Provider> ProviderAdapter<P> {
    /// Wraps `provider`.
    pub fn new(provider: P) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.block.implied_type();
        let resources = provider
            .resources()
            .into_iter()
            .map(|resource| {
                let schema = resource.schema();
                let entry = ResourceEntry {
                    ty: schema.schema.block.implied_type(),
                    write_only: schema.write_only_attributes(),
                    schema,
                    resource: resource.clone(),
                };
                (resource.type_name(), entry)
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|ds| {
                let schema = ds.schema();
                let entry = DataSourceEntry {
                    ty: schema.block.implied_type(),
                    schema,
                    data_source: ds.clone(),
                };
                (ds.type_name(), entry)
            })
            .collect();
        ProviderAdapter {
            provider,
            provider_schema,
            provider_type,
            resources,
            data_sources,
        }
    }

    /// The wrapped provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source {type_name:?}."),
            )
            .into()
        })
    }
}

/// Decodes `dv` against `ty`; a malformed value becomes an error diagnostic at its path.
fn decode(dv: &DynamicValue, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    dv.decode(ty).map_err(|e| {
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

/// Encodes `value` against `ty`; a mismatch is a provider bug, reported as a diagnostic.
fn encode(value: &Value, ty: &Type, what: &str) -> Result<DynamicValue, Diagnostics> {
    DynamicValue::encode(ty, value).map_err(|e| {
        Diagnostic::error(
            "Provider produced an invalid value",
            format!("The {what} could not be encoded ({e}). This is a bug in the provider."),
        )
        .into()
    })
}

/// Errors when a value that must be wholly known (after apply, import, upgrade) is not.
fn require_known(value: &Value, what: &str) -> Result<(), Diagnostics> {
    if value.is_wholly_known() {
        Ok(())
    } else {
        Err(Diagnostic::error(
            "Provider left a value unknown",
            format!("The {what} still holds unknown values. This is a bug in the provider."),
        )
        .into())
    }
}

/// Runs `f`, folding an early `Err(diagnostics)` into the response's diagnostics.
fn collect<T: Default>(
    f: impl FnOnce(&mut Diagnostics) -> Result<T, Diagnostics>,
    set: impl FnOnce(&mut T, Diagnostics),
) -> T {
    let mut diags = Diagnostics::new();
    match f(&mut diags) {
        Ok(mut out) => {
            set(&mut out, diags);
            out
        }
        Err(more) => {
            diags.extend(more);
            let mut out = T::default();
            set(&mut out, diags);
            out
        }
    }
}

impl<P: Provider> ProviderServer for ProviderAdapter<P> {
    async fn get_provider_schema(&self) -> GetProviderSchemaResponse {
        GetProviderSchemaResponse {
            provider: self.provider_schema.clone(),
            provider_meta: None,
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, e)| (name.to_string(), e.schema.schema.clone()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, e)| (name.to_string(), e.schema.clone()))
                .collect(),
            server_capabilities: ServerCapabilities {
                plan_destroy: false,
                get_provider_schema_optional: true,
                move_resource_state: false,
            },
            diagnostics: Diagnostics::new(),
        }
    }

    async fn validate_provider_config(&self, req: ValidateProviderConfigRequest) -> Diagnostics {
        match decode(&req.config, &self.provider_type, "provider configuration") {
            Ok(config) => self.provider.validate(&config),
            Err(d) => d,
        }
    }

    async fn validate_resource_config(&self, req: ValidateResourceConfigRequest) -> Diagnostics {
        let run = || -> Result<Diagnostics, Diagnostics> {
            let entry = self.resource(&req.type_name)?;
            let config = decode(&req.config, &entry.ty, "resource configuration")?;
            let mut diags = Diagnostics::new();
            if !req.client_capabilities.write_only_attributes_allowed {
                for name in &entry.write_only {
                    if config.get_attr(name).is_some_and(|v| !v.is_null()) {
                        diags.push(
                            Diagnostic::error(
                                "Write-only attribute not supported by this Terraform",
                                format!(
                                    "{name} is write-only and needs Terraform 1.11 or later. \
                                     Upgrade Terraform or use the regular attribute instead."
                                ),
                            )
                            .at(AttributePath::attr(name.clone())),
                        );
                    }
                }
            }
            diags.extend(entry.resource.validate(ValidateRequest {
                config: &config,
                write_only_allowed: req.client_capabilities.write_only_attributes_allowed,
            }));
            Ok(diags)
        };
        run().unwrap_or_else(|d| d)
    }

    async fn validate_data_resource_config(
        &self,
        req: ValidateDataResourceConfigRequest,
    ) -> Diagnostics {
        let run = || -> Result<Diagnostics, Diagnostics> {
            let entry = self.data_source(&req.type_name)?;
            let config = decode(&req.config, &entry.ty, "data source configuration")?;
            Ok(entry.data_source.validate(&config))
        };
        run().unwrap_or_else(|d| d)
    }

    async fn upgrade_resource_state(
        &self,
        req: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse {
        collect(
            |_| {
                let entry = self.resource(&req.type_name)?;
                if req.raw_state.json.is_empty() {
                    return Err(Diagnostic::error(
                        "Unsupported state format",
                        "This state was written by Terraform 0.11 or older (flatmap). \
                         Upgrade it with Terraform 0.12 to 1.x first.",
                    )
                    .into());
                }
                let current = entry.schema.schema.version;
                let mut state = if req.version == current {
                    json::decode(&entry.ty, &req.raw_state.json).map_err(|e| {
                        Diagnostics::from(Diagnostic::error(
                            "Stored state does not match the schema",
                            format!("The stored state could not be read: {e}."),
                        ))
                    })?
                } else if req.version > current {
                    return Err(Diagnostic::error(
                        "State written by a newer provider",
                        format!(
                            "The state has schema version {}, newer than this provider's {current}. \
                             Use the provider release that wrote it, or newer.",
                            req.version
                        ),
                    )
                    .into());
                } else {
                    let old = json::decode(&entry.ty, &req.raw_state.json).unwrap_or(Value::Null);
                    entry.resource.upgrade_state(req.version, old)?
                };
                plan::null_write_only(&mut state, &entry.write_only);
                require_known(&state, "upgraded state")?;
                Ok(UpgradeResourceStateResponse {
                    upgraded_state: Some(encode(&state, &entry.ty, "upgraded state")?),
                    diagnostics: Diagnostics::new(),
                })
            },
            |r, d| r.diagnostics.extend(d),
        )
    }

    async fn configure_provider(&self, req: ConfigureProviderRequest) -> Diagnostics {
        match decode(&req.config, &self.provider_type, "provider configuration") {
            Ok(config) => {
                self.provider
                    .configure(ConfigureRequest {
                        terraform_version: req.terraform_version,
                        config,
                    })
                    .await
            }
            Err(d) => d,
        }
    }

    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(diagnostics) => {
                return ReadResourceResponse {
                    diagnostics,
                    ..Default::default()
                }
            }
        };
        let state = match decode(&req.current_state, &entry.ty, "current state") {
            Ok(s) => s,
            Err(diagnostics) => {
                return ReadResourceResponse {
                    diagnostics,
                    ..Default::default()
                }
            }
        };
        let out = entry
            .resource
            .read(ReadRequest {
                state,
                private: req.private.clone(),
            })
            .await;
        let mut diagnostics = out.diagnostics;
        let mut new_state = out.state.unwrap_or(Value::Null);
        plan::null_write_only(&mut new_state, &entry.write_only);
        let encoded = match require_known(&new_state, "refreshed state")
            .and_then(|_| encode(&new_state, &entry.ty, "refreshed state"))
        {
            Ok(v) => Some(v),
            Err(d) => {
                diagnostics.extend(d);
                None
            }
        };
        ReadResourceResponse {
            new_state: encoded,
            diagnostics,
            private: if out.private.is_empty() {
                req.private
            } else {
                out.private
            },
            deferred: None,
        }
    }

    async fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        collect(
            |diags| {
                let entry = self.resource(&req.type_name)?;
                let prior = decode(&req.prior_state, &entry.ty, "prior state")?;
                let proposed = decode(&req.proposed_new_state, &entry.ty, "proposed state")?;
                let config = decode(&req.config, &entry.ty, "configuration")?;
                let (mut planned, mut requires_replace) =
                    plan::plan(&entry.schema, &prior, &proposed, &config);
                if !planned.is_null() {
                    diags.extend(entry.resource.modify_plan(
                        ModifyPlanRequest {
                            prior: &prior,
                            config: &config,
                            prior_private: &req.prior_private,
                        },
                        &mut planned,
                        &mut requires_replace,
                    ));
                    plan::null_write_only(&mut planned, &entry.write_only);
                }
                Ok(PlanResourceChangeResponse {
                    planned_state: Some(encode(&planned, &entry.ty, "planned state")?),
                    requires_replace,
                    planned_private: req.prior_private.clone(),
                    diagnostics: Diagnostics::new(),
                    deferred: None,
                })
            },
            |r, d| r.diagnostics.extend(d),
        )
    }

    async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(diagnostics) => {
                return ApplyResourceChangeResponse {
                    diagnostics,
                    ..Default::default()
                }
            }
        };
        let decoded = decode(&req.prior_state, &entry.ty, "prior state").and_then(|prior| {
            let planned = decode(&req.planned_state, &entry.ty, "planned state")?;
            let config = decode(&req.config, &entry.ty, "configuration")?;
            Ok((prior, planned, config))
        });
        let (prior, planned, config) = match decoded {
            Ok(t) => t,
            Err(diagnostics) => {
                return ApplyResourceChangeResponse {
                    // Keep what Terraform had: an undecodable request must not drop state.
                    new_state: Some(req.prior_state),
                    diagnostics,
                    ..Default::default()
                };
            }
        };

        if planned.is_null() {
            let diagnostics = entry
                .resource
                .delete(DeleteRequest {
                    prior: prior.clone(),
                    private: req.planned_private,
                })
                .await;
            let new_state = if diagnostics.has_errors() {
                prior
            } else {
                Value::Null
            };
            return match encode(&new_state, &entry.ty, "state") {
                Ok(v) => ApplyResourceChangeResponse {
                    new_state: Some(v),
                    private: Vec::new(),
                    diagnostics,
                },
                Err(mut d) => {
                    d.extend(diagnostics);
                    ApplyResourceChangeResponse {
                        diagnostics: d,
                        ..Default::default()
                    }
                }
            };
        }

        let out = if prior.is_null() {
            entry
                .resource
                .create(CreateRequest {
                    planned,
                    config,
                    planned_private: req.planned_private.clone(),
                })
                .await
        } else {
            entry
                .resource
                .update(UpdateRequest {
                    prior,
                    planned,
                    config,
                    planned_private: req.planned_private.clone(),
                })
                .await
        };
        let mut diagnostics = out.diagnostics;
        let mut new_state = out.state;
        plan::null_write_only(&mut new_state, &entry.write_only);
        let encoded = match require_known(&new_state, "new state")
            .and_then(|_| encode(&new_state, &entry.ty, "new state"))
        {
            Ok(v) => Some(v),
            Err(d) => {
                diagnostics.extend(d);
                None
            }
        };
        ApplyResourceChangeResponse {
            new_state: encoded,
            private: if out.private.is_empty() {
                req.planned_private
            } else {
                out.private
            },
            diagnostics,
        }
    }

    async fn import_resource_state(
        &self,
        req: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(diagnostics) => {
                return ImportResourceStateResponse {
                    diagnostics,
                    ..Default::default()
                }
            }
        };
        let out = entry.resource.import(ImportRequest { id: req.id }).await;
        let mut diagnostics = out.diagnostics;
        let mut imported_resources = Vec::new();
        if let Some(mut state) = out.state {
            plan::null_write_only(&mut state, &entry.write_only);
            match require_known(&state, "imported state")
                .and_then(|_| encode(&state, &entry.ty, "imported state"))
            {
                Ok(v) => imported_resources.push(ImportedResource {
                    type_name: req.type_name,
                    state: v,
                    private: out.private,
                }),
                Err(d) => diagnostics.extend(d),
            }
        }
        ImportResourceStateResponse {
            imported_resources,
            diagnostics,
            deferred: None,
        }
    }

    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let entry = match self.data_source(&req.type_name) {
            Ok(e) => e,
            Err(diagnostics) => {
                return ReadDataSourceResponse {
                    diagnostics,
                    ..Default::default()
                }
            }
        };
        let config = match decode(&req.config, &entry.ty, "data source configuration") {
            Ok(c) => c,
            Err(diagnostics) => {
                return ReadDataSourceResponse {
                    diagnostics,
                    ..Default::default()
                }
            }
        };
        let out = entry.data_source.read(ReadDataRequest { config }).await;
        let mut diagnostics = out.diagnostics;
        if diagnostics.has_errors() {
            return ReadDataSourceResponse {
                diagnostics,
                ..Default::default()
            };
        }
        let state = match require_known(&out.state, "data source result")
            .and_then(|_| encode(&out.state, &entry.ty, "data source result"))
        {
            Ok(v) => Some(v),
            Err(d) => {
                diagnostics.extend(d);
                None
            }
        };
        ReadDataSourceResponse {
            state,
            diagnostics,
            deferred: None,
        }
    }

    async fn stop_provider(&self) -> Result<(), String> {
        self.provider.stop();
        Ok(())
    }
}
