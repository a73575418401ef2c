//! The gRPC services a go-plugin client expects: `tfplugin6.Provider` delegating to a
//! [`ProviderServer`], go-plugin's controller and stdio services, and health. Every
//! provider RPC has one shape: convert the request in, call the provider, convert the
//! response out; the conversions are the `From` impls in `wire`, so no message is built
//! here.

use crate::tfplugin::rpc::ProviderServer;
use crate::tfplugin::wire::plugin as gp;
use crate::tfplugin::wire::tfplugin6 as pb;
use std::pin::Pin;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Router;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// Every service on one server; Shutdown cancels `stop`.
pub(super) async fn router<P: ProviderServer>(provider: P, stop: CancellationToken) -> Router {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = Arc::new(provider);
    // Schemas and states can be larger than tonic's default 4 MiB limit.
    let provider_service = pb::provider_server::ProviderServer::new(ProviderService { provider })
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX);
    tonic::transport::Server::builder()
        .tcp_nodelay(true)
        .add_service(provider_service)
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            Controller { stop },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(health)
}

/// `tfplugin6.Provider` over a [`ProviderServer`].
struct ProviderService<P> {
    provider: Arc<P>,
}

/// A server stream of protobuf events.
type EventStream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

/// How many events a stream holds before its producer waits for Terraform to read: the
/// producer (a list walk, an action) never runs far ahead of what is consumed.
const STREAM_BUFFER: usize = 4;

/// Runs `produce` on its own task, sending our events into a bounded channel, and serves
/// them converted as the RPC's stream. When Terraform stops reading, sends fail and the
/// producer stops.
fn stream_events<E, P, F, Fut>(produce: F) -> EventStream<P>
where
    E: Send + 'static,
    P: From<E> + Send + 'static,
    F: FnOnce(tokio::sync::mpsc::Sender<E>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use tokio_stream::StreamExt;
    let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
    tokio::spawn(produce(tx));
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx).map(|e| Ok(P::from(e))))
}

/// The answer to every RPC the provider does not serve.
fn not_served(rpc: &str) -> Status {
    Status::unimplemented(format!("{rpc} is not supported by this provider"))
}

#[tonic::async_trait]
impl<P: ProviderServer> pb::provider_server::Provider for ProviderService<P> {
    /// The type names, from the schemas.
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        let out = self.provider.get_provider_schema().await;
        Ok(Response::new(out.into()))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        tracing::trace!(rpc = "GetProviderSchema", "request");
        let out = self.provider.get_provider_schema().await;
        Ok(Response::new(out.into()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        tracing::trace!(rpc = "ValidateProviderConfig", "request");
        let req = req.into_inner().into();
        let out = self.provider.validate_provider_config(req).await;
        Ok(Response::new(out.into()))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        tracing::trace!(rpc = "ValidateResourceConfig", "request");
        let req = req.into_inner().into();
        let out = self.provider.validate_resource_config(req).await;
        Ok(Response::new(out.into()))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        tracing::trace!(rpc = "ValidateDataResourceConfig", "request");
        let req = req.into_inner().into();
        let out = self.provider.validate_data_resource_config(req).await;
        Ok(Response::new(out.into()))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        tracing::trace!(rpc = "UpgradeResourceState", "request");
        let req = req.into_inner().into();
        let out = self.provider.upgrade_resource_state(req).await;
        Ok(Response::new(out.into()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        tracing::trace!(rpc = "GetResourceIdentitySchemas", "request");
        let out = self.provider.get_resource_identity_schemas().await;
        Ok(Response::new(out.into()))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        tracing::trace!(rpc = "UpgradeResourceIdentity", "request");
        let req = req.into_inner().into();
        let out = self.provider.upgrade_resource_identity(req).await;
        Ok(Response::new(out.into()))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        tracing::trace!(rpc = "GenerateResourceConfig", "request");
        let req = req.into_inner().into();
        let out = self.provider.generate_resource_config(req).await;
        Ok(Response::new(out.into()))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        tracing::trace!(rpc = "ListResource", "request");
        let req = req.into_inner().into();
        let provider = self.provider.clone();
        Ok(Response::new(stream_events(move |tx| async move {
            provider.list_resource(req, tx).await
        })))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        tracing::trace!(rpc = "ValidateListResourceConfig", "request");
        let req = req.into_inner().into();
        let out = self.provider.validate_list_resource_config(req).await;
        Ok(Response::new(out.into()))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        tracing::trace!(rpc = "ValidateActionConfig", "request");
        let req = req.into_inner().into();
        let out = self.provider.validate_action_config(req).await;
        Ok(Response::new(out.into()))
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        tracing::trace!(rpc = "PlanAction", "request");
        let req = req.into_inner().into();
        let out = self.provider.plan_action(req).await;
        Ok(Response::new(out.into()))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Reply<Self::InvokeActionStream> {
        tracing::trace!(rpc = "InvokeAction", "request");
        let req = req.into_inner().into();
        let provider = self.provider.clone();
        Ok(Response::new(stream_events(move |tx| async move {
            provider.invoke_action(req, tx).await
        })))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        tracing::trace!(rpc = "ConfigureProvider", "request");
        let req = req.into_inner().into();
        let out = self.provider.configure_provider(req).await;
        Ok(Response::new(out.into()))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        tracing::trace!(rpc = "ReadResource", "request");
        let req = req.into_inner().into();
        let out = self.provider.read_resource(req).await;
        Ok(Response::new(out.into()))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        tracing::trace!(rpc = "PlanResourceChange", "request");
        let req = req.into_inner().into();
        let out = self.provider.plan_resource_change(req).await;
        Ok(Response::new(out.into()))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        tracing::trace!(rpc = "ApplyResourceChange", "request");
        let req = req.into_inner().into();
        let out = self.provider.apply_resource_change(req).await;
        Ok(Response::new(out.into()))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        tracing::trace!(rpc = "ImportResourceState", "request");
        let req = req.into_inner().into();
        let out = self.provider.import_resource_state(req).await;
        Ok(Response::new(out.into()))
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
        let req = req.into_inner().into();
        let out = self.provider.read_data_source(req).await;
        Ok(Response::new(out.into()))
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

    /// Served by this layer: a provider without functions answers with an empty list.
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
        let out = self.provider.stop_provider().await;
        Ok(Response::new(out.into()))
    }
}

/// go-plugin's controller: Terraform calls Shutdown when it is done with the plugin.
struct Controller {
    stop: CancellationToken,
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
struct Stdio;

type StdioStream = Pin<Box<dyn tokio_stream::Stream<Item = Result<gp::StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(&self, _: Request<()>) -> Reply<Self::StreamStdioStream> {
        Ok(Response::new(Box::pin(tokio_stream::pending())))
    }
}
