//! Serving a provider the way go-plugin expects: Terraform starts the plugin, reads the
//! handshake line from its stdout and speaks gRPC over the socket it names, until it asks
//! the plugin to shut down. In debug mode a person starts the plugin instead and attaches
//! Terraform to it through `TF_REATTACH_PROVIDERS`.
//!
//! The pieces: `handshake` (cookie, version, the line, the reattach JSON), `listener`
//! (sockets and the accept loop), `tls` (AutoMTLS) and `services` (the gRPC services).

mod handshake;
mod listener;
mod services;
mod tls;

pub use handshake::{reattach_json, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};

use super::rpc::ProviderServer;
use handshake::PROTOCOL_VERSION;
use listener::PrivateDir;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Debug (reattach) mode: no cookie, no TLS, print `TF_REATTACH_PROVIDERS`.
    pub debug: bool,
    /// The provider's full address, e.g. `registry.terraform.io/acme/foo` (for reattach).
    pub provider_address: String,
}

/// Why serving failed before or during the handshake.
#[derive(Debug)]
pub enum ServeError {
    /// Started by hand rather than by Terraform.
    NotStartedByTerraform,
    /// Terraform offered no protocol version we speak.
    UnsupportedProtocol(String),
    /// Listening, TLS setup or serving failed.
    Io(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::NotStartedByTerraform => write!(
                f,
                "This binary is a plugin for Terraform and OpenTofu and is not meant to be run \
                 directly. Install it and run `terraform init`; to debug it, run it with --debug."
            ),
            ServeError::UnsupportedProtocol(offered) => write!(
                f,
                "Terraform offered plugin protocol versions {offered:?}, but this provider speaks \
                 only version {PROTOCOL_VERSION} (Terraform 1.0 or later)."
            ),
            ServeError::Io(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// An environment variable unless unset or empty: go-plugin cannot tell the two apart.
fn env_nonempty(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// A provider being served: where, how to stop it, and the server to wait on.
struct Running {
    network: &'static str,
    address: String,
    socket_path: Option<PathBuf>,
    /// Held until the server stops (debug mode), then removed.
    _private: Option<PrivateDir>,
    stop: CancellationToken,
    server: Pin<Box<dyn std::future::Future<Output = Result<(), ServeError>> + Send>>,
}

impl Running {
    /// Serves until stopped; Shutdown is bounded because the stdio stream never ends.
    async fn wait(self) -> Result<(), ServeError> {
        let stop = self.stop.clone();
        let result = tokio::select! {
            r = self.server => r,
            _ = async { stop.cancelled().await; tokio::time::sleep(Duration::from_millis(200)).await } => Ok(()),
        };
        if let Some(p) = self.socket_path {
            let _ = std::fs::remove_file(p);
        }
        result
    }
}

/// Listens and builds the gRPC server with every service go-plugin clients expect. A
/// `private` server (debug mode) listens only on a unix socket in a directory of its own
/// and serves only its own user.
async fn start<P: ProviderServer>(
    provider: P,
    tls: Option<Arc<rustls::ServerConfig>>,
    private: bool,
) -> Result<Running, ServeError> {
    let private = if private {
        Some(PrivateDir::create()?)
    } else {
        None
    };
    let listener = listener::listen(private.as_ref()).await?;
    let network = listener.network();
    let address = listener.address();
    let socket_path = listener.socket_path();
    let stop = CancellationToken::new();
    let router = services::router(provider, stop.clone()).await;
    let incoming = listener::incoming(
        listener,
        tls,
        private.as_ref().and_then(PrivateDir::owner),
        stop.clone(),
    );
    let shutdown = stop.clone();
    let server = Box::pin(async move {
        router
            .serve_with_incoming_shutdown(incoming, async move { shutdown.cancelled().await })
            .await
            .map_err(|e| ServeError::Io(format!("serving failed: {e}")))
    });
    Ok(Running {
        network,
        address,
        socket_path,
        _private: private,
        stop,
        server,
    })
}

/// A provider served inside this process (plaintext, like `--debug`), for test harnesses:
/// hand `reattach` to terraform as `TF_REATTACH_PROVIDERS`.
pub struct InProcess {
    /// The `TF_REATTACH_PROVIDERS` value.
    pub reattach: String,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), ServeError>>,
}

impl InProcess {
    /// Stops serving and waits for the server to finish.
    pub async fn stop(self) -> Result<(), ServeError> {
        self.stop.cancel();
        self.task
            .await
            .map_err(|e| ServeError::Io(format!("server task failed: {e}")))?
    }
}

/// Serves `provider` in this process for reattach at `provider_address`.
pub async fn serve_in_process<P: ProviderServer>(
    provider: P,
    provider_address: &str,
) -> Result<InProcess, ServeError> {
    let running = start(provider, None, true).await?;
    let reattach = reattach_json(provider_address, running.network, &running.address);
    let stop = running.stop.clone();
    let task = tokio::spawn(running.wait());
    Ok(InProcess {
        reattach,
        stop,
        task,
    })
}

/// Serves `provider` until Terraform shuts the plugin down.
pub async fn serve<P: ProviderServer>(provider: P, opts: ServeOptions) -> Result<(), ServeError> {
    if !opts.debug {
        handshake::negotiate()?;
    }
    let tls = match env_nonempty("PLUGIN_CLIENT_CERT") {
        Some(pem) if !opts.debug && env_nonempty("TF_DISABLE_PLUGIN_TLS").is_none() => {
            Some(tls::server_tls(&pem).map_err(ServeError::Io)?)
        }
        _ => None,
    };
    let running = start(provider, tls.as_ref().map(|t| t.config.clone()), opts.debug).await?;
    let (network, address, stop) = (
        running.network,
        running.address.clone(),
        running.stop.clone(),
    );

    if opts.debug {
        handshake::print_reattach_instructions(&reattach_json(
            &opts.provider_address,
            network,
            &address,
        ));
        let stop = stop.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        });
    } else {
        // Like Go plugins, ignore SIGINT: Terraform forwards Ctrl-C to the process group and
        // then stops us properly (StopProvider, then Shutdown), so in-flight work can finish.
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                tracing::debug!("SIGINT ignored; waiting for Terraform to stop the provider");
            }
        });
        // If Terraform dies without shutting us down (killed), exit instead of lingering.
        // (Unix only: std has no parent pid on Windows.)
        #[cfg(unix)]
        let orphaned = stop.clone();
        #[cfg(unix)]
        tokio::spawn(async move {
            let parent = std::os::unix::process::parent_id();
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if std::os::unix::process::parent_id() != parent {
                    tracing::warn!("Terraform went away without stopping the provider; exiting");
                    orphaned.cancel();
                    break;
                }
            }
        });
        handshake::write_line(
            network,
            &address,
            tls.as_ref().map(|t| t.cert_der.as_slice()),
        )?;
    }

    running.wait().await
}
