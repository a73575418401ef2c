//! Where the plugin listens and how connections reach tonic: a unix socket, with TCP on
//! loopback as the fallback; the private directory debug mode keeps its socket in; and the
//! accept loop that wraps each connection in TLS.

use super::{env_nonempty, ServeError};
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

/// How long a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The pause after a failed accept.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// A connection, plain or TLS, over a unix socket or TCP.
pub(super) struct Conn(Pin<Box<dyn Io>>);

/// Any byte stream, so that plain and TLS connections over either socket are one type.
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
pub(super) enum Listener {
    /// A unix socket and its path.
    #[cfg(unix)]
    Unix(UnixListener, PathBuf),
    /// TCP on loopback.
    Tcp(TcpListener),
}

impl Listener {
    /// `unix` or `tcp`, as the handshake line and the reattach JSON name it.
    pub(super) fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            Listener::Unix(..) => "unix",
            Listener::Tcp(_) => "tcp",
        }
    }

    /// The socket path or `host:port`.
    pub(super) fn address(&self) -> String {
        match self {
            #[cfg(unix)]
            Listener::Unix(_, p) => p.display().to_string(),
            Listener::Tcp(l) => l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        }
    }

    /// The socket file, to remove once serving stops.
    pub(super) fn socket_path(&self) -> Option<PathBuf> {
        match self {
            #[cfg(unix)]
            Listener::Unix(_, p) => Some(p.clone()),
            Listener::Tcp(_) => None,
        }
    }
}

/// A directory only this user can enter, for the debug-mode socket: without mutual TLS,
/// anyone who can connect can drive the provider with its configured API key.
#[cfg(unix)]
pub(super) struct PrivateDir {
    path: PathBuf,
    /// The owner; connections from other users are refused as well.
    uid: u32,
}

/// Windows has no private unix socket here: debug mode serves on loopback TCP there, like
/// go-plugin, and the docs say any local user can reach that port.
#[cfg(windows)]
pub(super) struct PrivateDir;

#[cfg(windows)]
impl PrivateDir {
    /// Nothing to make on Windows.
    pub(super) fn create() -> Result<PrivateDir, ServeError> {
        Ok(PrivateDir)
    }

    /// No peer check on Windows.
    pub(super) fn owner(&self) -> Option<u32> {
        None
    }
}

#[cfg(unix)]
impl PrivateDir {
    /// The user whose connections are served.
    pub(super) fn owner(&self) -> Option<u32> {
        Some(self.uid)
    }

    /// A new directory of mode 0700 in the temp dir. One that already exists is never
    /// adopted: another user may have made it.
    pub(super) fn create() -> Result<PrivateDir, ServeError> {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        let base = std::env::temp_dir();
        for _ in 0..8 {
            let path = base.join(format!("tfplugin-debug-{:016x}", fastrand::u64(..)));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    let meta = std::fs::symlink_metadata(&path).map_err(|e| {
                        ServeError::Io(format!("cannot inspect {}: {e}", path.display()))
                    })?;
                    return Ok(PrivateDir {
                        uid: meta.uid(),
                        path,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(ServeError::Io(format!(
                        "debug mode needs a private directory for its socket, but {} cannot be \
                         made: {e}",
                        path.display()
                    )))
                }
            }
        }
        Err(ServeError::Io(
            "debug mode could not make a private directory for its socket".into(),
        ))
    }
}

#[cfg(unix)]
impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A unix socket in `private` (debug mode), else in `PLUGIN_UNIX_SOCKET_DIR` (or the temp
/// dir); TCP on 127.0.0.1 within `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when that fails, except
/// in debug mode, where any local user could reach a TCP port. Windows: always TCP.
pub(super) async fn listen(private: Option<&PrivateDir>) -> Result<Listener, ServeError> {
    #[cfg(unix)]
    if let Some(p) = private {
        let path = p.path.join("plugin.sock");
        return UnixListener::bind(&path)
            .map(|l| Listener::Unix(l, path))
            .map_err(|e| {
                ServeError::Io(format!(
                    "debug mode serves only on a private unix socket, and it cannot be made: {e}"
                ))
            });
    }
    #[cfg(windows)]
    let _ = private;
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

/// Accepts connections, wraps them in TLS when configured, and hands them to tonic. With
/// `only_uid`, unix connections from any other user are closed at once.
pub(super) fn incoming(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
    only_uid: Option<u32>,
    stop: CancellationToken,
) -> tokio_stream::wrappers::ReceiverStream<std::io::Result<Conn>> {
    #[cfg(windows)]
    let _ = only_uid;
    let (tx, rx) = mpsc::channel(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let raw: Pin<Box<dyn Io>> = tokio::select! {
                _ = stop.cancelled() => break,
                accepted = async {
                    match &listener {
                        #[cfg(unix)]
                        Listener::Unix(l, _) => l.accept().await.map(|(s, _)| {
                            let peer = s.peer_cred().map(|c| c.uid()).ok();
                            match only_uid {
                                Some(uid) if peer != Some(uid) => {
                                    tracing::warn!("refused a debug-mode connection from another user");
                                    None
                                }
                                _ => Some(Box::pin(s) as Pin<Box<dyn Io>>),
                            }
                        }),
                        Listener::Tcp(l) => l.accept().await.map(|(s, _)| {
                            // Small RPCs must not wait for Nagle's algorithm.
                            let _ = s.set_nodelay(true);
                            Some(Box::pin(s) as Pin<Box<dyn Io>>)
                        }),
                    }
                } => match accepted {
                    Ok(Some(s)) => s,
                    Ok(None) => continue,
                    Err(e) => {
                        // A lasting error (out of file descriptors) must not spin the loop.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
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
