//! The gRPC services: `tfplugin6.Provider` delegating to a [`ProviderServer`], and
//! go-plugin's controller and stdio services. Every provider RPC has one shape: convert
//! the request, call the provider, convert the response.

use super::rpc::{self, ProviderServer};
use super::wire::convert::*;
use super::wire::plugin as gp;
use super::wire::tfplugin6 as pb;
use std::pin::Pin;
use std::sync::Arc;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// `tfplugin6.Provider` over a [`ProviderServer`].
pub struct ProviderService<P> {
    provider: Arc<P>,
}

impl<P> ProviderService<P> {
    /// Serves `provider`.
    pub fn new(provider: Arc<P>) -> Self {
        ProviderService { provider }
    }
}

fn not_served(rpc: &str) -> Status {
    Status::unimplemented(format!("{rpc} is not supported by this provider"))
}

#[tonic::async_trait]
impl<P: ProviderServer> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        let s = self.provider.get_provider_schema().await;
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_caps_out(s.server_capabilities)),
            diagnostics: diags_out(s.diagnostics),
            data_sources: s
                .data_source_schemas
                .into_keys()
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            resources: s
                .resource_schemas
                .into_keys()
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        tracing::trace!(rpc = "GetProviderSchema", "request");
        let s = self.provider.get_provider_schema().await;
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_out(s.provider)),
            resource_schemas: s
                .resource_schemas
                .into_iter()
                .map(|(k, v)| (k, schema_out(v)))
                .collect(),
            data_source_schemas: s
                .data_source_schemas
                .into_iter()
                .map(|(k, v)| (k, schema_out(v)))
                .collect(),
            diagnostics: diags_out(s.diagnostics),
            provider_meta: s.provider_meta.map(schema_out),
            server_capabilities: Some(server_caps_out(s.server_capabilities)),
            functions: Default::default(),
            ephemeral_resource_schemas: Default::default(),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        tracing::trace!(rpc = "ValidateProviderConfig", "request");
        let r = req.into_inner();
        let d = self
            .provider
            .validate_provider_config(rpc::ValidateProviderConfigRequest {
                config: dv_in(r.config),
            })
            .await;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_out(d),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        tracing::trace!(rpc = "ValidateResourceConfig", "request");
        let r = req.into_inner();
        let d = self
            .provider
            .validate_resource_config(rpc::ValidateResourceConfigRequest {
                type_name: r.type_name,
                config: dv_in(r.config),
                client_capabilities: caps_in(r.client_capabilities),
            })
            .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_out(d),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        tracing::trace!(rpc = "ValidateDataResourceConfig", "request");
        let r = req.into_inner();
        let d = self
            .provider
            .validate_data_resource_config(rpc::ValidateDataResourceConfigRequest {
                type_name: r.type_name,
                config: dv_in(r.config),
            })
            .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags_out(d),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        tracing::trace!(rpc = "UpgradeResourceState", "request");
        let r = req.into_inner();
        let out = self
            .provider
            .upgrade_resource_state(rpc::UpgradeResourceStateRequest {
                type_name: r.type_name,
                version: r.version,
                raw_state: raw_state_in(r.raw_state),
            })
            .await;
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: out.upgraded_state.map(dv_out),
            diagnostics: diags_out(out.diagnostics),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        Err(not_served("GetResourceIdentitySchemas"))
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        Err(not_served("UpgradeResourceIdentity"))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        tracing::trace!(rpc = "ConfigureProvider", "request");
        let r = req.into_inner();
        let d = self
            .provider
            .configure_provider(rpc::ConfigureProviderRequest {
                terraform_version: r.terraform_version,
                config: dv_in(r.config),
                client_capabilities: caps_in(r.client_capabilities),
            })
            .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_out(d),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        tracing::trace!(rpc = "ReadResource", "request");
        let r = req.into_inner();
        let out = self
            .provider
            .read_resource(rpc::ReadResourceRequest {
                type_name: r.type_name,
                current_state: dv_in(r.current_state),
                private: r.private,
                provider_meta: r.provider_meta.map(|v| dv_in(Some(v))),
                client_capabilities: caps_in(r.client_capabilities),
            })
            .await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: out.new_state.map(dv_out),
            diagnostics: diags_out(out.diagnostics),
            private: out.private,
            deferred: deferred_out(out.deferred),
            new_identity: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        tracing::trace!(rpc = "PlanResourceChange", "request");
        let r = req.into_inner();
        let out = self
            .provider
            .plan_resource_change(rpc::PlanResourceChangeRequest {
                type_name: r.type_name,
                prior_state: dv_in(r.prior_state),
                proposed_new_state: dv_in(r.proposed_new_state),
                config: dv_in(r.config),
                prior_private: r.prior_private,
                provider_meta: r.provider_meta.map(|v| dv_in(Some(v))),
                client_capabilities: caps_in(r.client_capabilities),
            })
            .await;
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: out.planned_state.map(dv_out),
            requires_replace: out.requires_replace.into_iter().map(path_out).collect(),
            planned_private: out.planned_private,
            diagnostics: diags_out(out.diagnostics),
            legacy_type_system: false,
            deferred: deferred_out(out.deferred),
            planned_identity: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        tracing::trace!(rpc = "ApplyResourceChange", "request");
        let r = req.into_inner();
        let out = self
            .provider
            .apply_resource_change(rpc::ApplyResourceChangeRequest {
                type_name: r.type_name,
                prior_state: dv_in(r.prior_state),
                planned_state: dv_in(r.planned_state),
                config: dv_in(r.config),
                planned_private: r.planned_private,
                provider_meta: r.provider_meta.map(|v| dv_in(Some(v))),
            })
            .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: out.new_state.map(dv_out),
            private: out.private,
            diagnostics: diags_out(out.diagnostics),
            legacy_type_system: false,
            new_identity: None,
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        tracing::trace!(rpc = "ImportResourceState", "request");
        let r = req.into_inner();
        let out = self
            .provider
            .import_resource_state(rpc::ImportResourceStateRequest {
                type_name: r.type_name,
                id: r.id,
                client_capabilities: caps_in(r.client_capabilities),
            })
            .await;
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: out
                .imported_resources
                .into_iter()
                .map(|i| pb::import_resource_state::ImportedResource {
                    type_name: i.type_name,
                    state: Some(dv_out(i.state)),
                    private: i.private,
                    identity: None,
                })
                .collect(),
            diagnostics: diags_out(out.diagnostics),
            deferred: deferred_out(out.deferred),
        }))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        Err(not_served("MoveResourceState"))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        tracing::trace!(rpc = "ReadDataSource", "request");
        let r = req.into_inner();
        let out = self
            .provider
            .read_data_source(rpc::ReadDataSourceRequest {
                type_name: r.type_name,
                config: dv_in(r.config),
                provider_meta: r.provider_meta.map(|v| dv_in(Some(v))),
                client_capabilities: caps_in(r.client_capabilities),
            })
            .await;
        Ok(Response::new(pb::read_data_source::Response {
            state: out.state.map(dv_out),
            diagnostics: diags_out(out.diagnostics),
            deferred: deferred_out(out.deferred),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        Err(not_served("ValidateEphemeralResourceConfig"))
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        Err(not_served("OpenEphemeralResource"))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        Err(not_served("RenewEphemeralResource"))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        Err(not_served("CloseEphemeralResource"))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        _: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        Err(not_served("CallFunction"))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        tracing::trace!(rpc = "StopProvider", "request");
        let error = self
            .provider
            .stop_provider()
            .await
            .err()
            .unwrap_or_default();
        Ok(Response::new(pb::stop_provider::Response { error }))
    }
}

/// go-plugin's controller: Terraform calls Shutdown when it is done with the plugin.
pub struct Controller {
    pub(crate) stop: tokio_util::sync::CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<gp::Empty>) -> Reply<gp::Empty> {
        self.stop.cancel();
        Ok(Response::new(gp::Empty {}))
    }
}

/// go-plugin's stdio stream: we never write to stdout/stderr through it (logs go to
/// stderr directly), so the stream stays open and silent until the plugin exits.
pub struct Stdio;

type StdioStream = Pin<Box<dyn tokio_stream::Stream<Item = Result<gp::StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(&self, _: Request<()>) -> Reply<Self::StreamStdioStream> {
        Ok(Response::new(Box::pin(tokio_stream::pending())))
    }
}
