//! Serving a provider the way go-plugin expects: check the magic cookie, negotiate the
//! protocol version, listen (unix socket, TCP as fallback), set up AutoMTLS, print the
//! handshake line, and serve until Terraform asks us to shut down.

use super::rpc::ProviderServer;
use super::server::{Controller, ProviderService, Stdio};
use super::tls;
use super::wire::plugin as gp;
use super::wire::tfplugin6 as pb;
use base64::Engine;
use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The cookie Terraform sets so a plugin knows it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// How long a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The only protocol major version we speak.
const PROTOCOL_VERSION: u32 = 6;

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

/// A connection, plain or TLS, over a unix socket or TCP.
struct Conn(Pin<Box<dyn Io>>);

trait Io: AsyncRead + AsyncWrite + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + 'static> Io for T {}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.0.as_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

impl tonic::transport::server::Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

/// Where we listen.
enum Listener {
    #[cfg(unix)]
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener),
}

impl Listener {
    fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            Listener::Unix(..) => "unix",
            Listener::Tcp(_) => "tcp",
        }
    }

    fn address(&self) -> String {
        match self {
            #[cfg(unix)]
            Listener::Unix(_, p) => p.display().to_string(),
            Listener::Tcp(l) => l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        }
    }
}

fn env_nonempty(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// A unix socket in `PLUGIN_UNIX_SOCKET_DIR` (or the temp dir); TCP on 127.0.0.1 within
/// `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when that fails (always on Windows).
async fn listen() -> Result<Listener, ServeError> {
    #[cfg(unix)]
    let dir = env_nonempty("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    #[cfg(unix)]
    for _ in 0..8 {
        let path = dir.join(format!("plugin{:016x}", fastrand::u64(..)));
        match UnixListener::bind(&path) {
            Ok(l) => return Ok(Listener::Unix(l, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                tracing::debug!(error = %e, "unix socket unavailable; falling back to TCP");
                break;
            }
        }
    }
    let min: u16 = env_nonempty("PLUGIN_MIN_PORT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10000);
    let max: u16 = env_nonempty("PLUGIN_MAX_PORT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(25000);
    for port in min..=max.max(min) {
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
            return Ok(Listener::Tcp(l));
        }
    }
    Err(ServeError::Io(format!(
        "no unix socket and no free TCP port in {min}..={max} to listen on"
    )))
}

/// Accepts connections, wraps them in TLS when configured, and hands them to tonic.
fn incoming(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: CancellationToken,
) -> tokio_stream::wrappers::ReceiverStream<std::io::Result<Conn>> {
    let (tx, rx) = mpsc::channel(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let raw: Pin<Box<dyn Io>> = tokio::select! {
                _ = stop.cancelled() => break,
                accepted = async {
                    match &listener {
                        #[cfg(unix)]
                        Listener::Unix(l, _) => l.accept().await.map(|(s, _)| Box::pin(s) as Pin<Box<dyn Io>>),
                        Listener::Tcp(l) => l.accept().await.map(|(s, _)| {
                            // Small RPCs must not wait for Nagle's algorithm.
                            let _ = s.set_nodelay(true);
                            Box::pin(s) as Pin<Box<dyn Io>>
                        }),
                    }
                } => match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                },
            };
            let tx = tx.clone();
            match &acceptor {
                None => {
                    if tx.send(Ok(Conn(raw))).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    // Handshake off the accept loop, so one slow client blocks nobody, and
                    // bounded, so a client that never finishes it holds nothing for long.
                    tokio::spawn(async move {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(raw))
                            .await
                        {
                            Ok(Ok(s)) => {
                                let _ = tx.send(Ok(Conn(Box::pin(s)))).await;
                            }
                            Ok(Err(e)) => tracing::warn!(error = %e, "TLS handshake refused"),
                            Err(_) => tracing::warn!("TLS handshake timed out"),
                        }
                    });
                }
            }
        }
        #[cfg(unix)]
        if let Listener::Unix(_, path) = &listener {
            let _ = std::fs::remove_file(path);
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// A provider being served: where, how to stop it, and the server to wait on.
struct Running {
    network: &'static str,
    address: String,
    socket_path: Option<PathBuf>,
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

/// Listens and builds the gRPC server with every service go-plugin clients expect.
async fn start<P: ProviderServer>(
    provider: P,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Result<Running, ServeError> {
    let listener = listen().await?;
    let network = listener.network();
    let address = listener.address();
    let socket_path = match &listener {
        #[cfg(unix)]
        Listener::Unix(_, p) => Some(p.clone()),
        Listener::Tcp(_) => None,
    };
    let stop = CancellationToken::new();
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider_service =
        pb::provider_server::ProviderServer::new(ProviderService::new(Arc::new(provider)))
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX);
    let router = tonic::transport::Server::builder()
        .tcp_nodelay(true)
        .add_service(provider_service)
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            Controller { stop: stop.clone() },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(health);
    let incoming = incoming(listener, tls, stop.clone());
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
    let running = start(provider, None).await?;
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
    if !opts.debug && std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotStartedByTerraform);
    }
    if !opts.debug {
        let offered = std::env::var("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_default();
        let speaks = offered
            .split(',')
            .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
        if !speaks {
            return Err(ServeError::UnsupportedProtocol(offered));
        }
    }
    let tls = match env_nonempty("PLUGIN_CLIENT_CERT") {
        Some(pem) if !opts.debug && env_nonempty("TF_DISABLE_PLUGIN_TLS").is_none() => {
            Some(tls::server_tls(&pem).map_err(ServeError::Io)?)
        }
        _ => None,
    };
    let running = start(provider, tls.as_ref().map(|t| t.config.clone())).await?;
    let (network, address, stop) = (
        running.network,
        running.address.clone(),
        running.stop.clone(),
    );

    if opts.debug {
        let reattach = reattach_json(&opts.provider_address, network, &address);
        println!("Provider started. To attach Terraform, set TF_REATTACH_PROVIDERS in your shell:");
        println!();
        println!("\tTF_REATTACH_PROVIDERS='{reattach}'");
        println!();
        println!("Then run terraform in that shell. Stop this provider with Ctrl-C.");
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
        let cert = tls
            .as_ref()
            .map(|t| base64::engine::general_purpose::STANDARD_NO_PAD.encode(&t.cert_der))
            .unwrap_or_default();
        let line = format!("1|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}\n");
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| ServeError::Io(format!("cannot write the handshake line: {e}")))?;
    }

    running.wait().await
}

/// The `TF_REATTACH_PROVIDERS` JSON for a provider listening at `network`/`address`.
/// `Test: true` makes go-plugin keep protocol 6 when reattaching.
pub fn reattach_json(provider_address: &str, network: &str, address: &str) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": network, "String": address},
        }
    })
    .to_string()
}
