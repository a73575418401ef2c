//! Starts the provider binary exactly as Terraform does (cookie, PLUGIN_* environment, a
//! self-signed CA:TRUE ECDSA P-521 client certificate like Terraform's), reads the
//! handshake line, and connects gRPC clients over the negotiated socket with mutual TLS.

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The cookie Terraform sets.
pub const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate made the way Terraform makes its own.
pub struct ClientCert {
    /// PEM, for `PLUGIN_CLIENT_CERT`.
    pub pem: String,
    /// DER.
    pub der: Vec<u8>,
    /// PKCS#8 private key, DER.
    pub key: Vec<u8>,
}

/// Terraform's AutoMTLS client certificate: self-signed, CA:TRUE, ECDSA P-521/SHA-512.
pub fn terraform_like_cert() -> ClientCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key: key.serialize_der(),
    }
}

/// The parsed handshake line.
#[derive(Debug, Clone)]
pub struct Handshake {
    /// The whole line.
    pub line: String,
    /// `unix` or `tcp`.
    pub network: String,
    /// Socket path or host:port.
    pub address: String,
    /// Server certificate (DER), empty without TLS.
    pub cert: Vec<u8>,
}

/// A provider process started like Terraform starts it.
pub struct Plugin {
    /// The process.
    pub child: Child,
    /// What it announced.
    pub handshake: Handshake,
    /// The rest of its stdout (after the handshake line).
    pub stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The provider binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_terraform-provider-sigsentry")
}

/// A command with Terraform's environment; `cert` None means TLS disabled.
pub fn command(cert: Option<&ClientCert>) -> Command {
    with_terraform_env(Command::new(binary()), cert)
}

/// `cmd` with Terraform's environment: another build of the provider, or a wrapper that
/// starts one (qemu, wine, chroot), passing the environment on.
pub fn with_terraform_env(mut cmd: Command, cert: Option<&ClientCert>) -> Command {
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match cert {
        Some(c) => {
            cmd.env("PLUGIN_CLIENT_CERT", &c.pem)
                .env_remove("TF_DISABLE_PLUGIN_TLS");
        }
        None => {
            cmd.env_remove("PLUGIN_CLIENT_CERT")
                .env("TF_DISABLE_PLUGIN_TLS", "1");
        }
    }
    cmd
}

/// Starts `cmd` and reads its handshake line.
pub fn start(mut cmd: Command) -> Plugin {
    let mut child = cmd.spawn().expect("spawn provider");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("handshake line");
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert!(parts.len() >= 6, "bad handshake line {line:?}");
    let cert = if parts[5].is_empty() {
        Vec::new()
    } else {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("cert is base64 without padding")
    };
    let handshake = Handshake {
        line: line.clone(),
        network: parts[2].to_string(),
        address: parts[3].to_string(),
        cert,
    };
    Plugin {
        child,
        handshake,
        stdout: reader,
    }
}

/// Trusts exactly one server certificate, as go-plugin's client does.
#[derive(Debug)]
struct ExactServerCert {
    expected: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ExactServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(server_name.to_str(), "localhost");
        if end_entity.as_ref() == self.expected.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A gRPC channel to the plugin: mutual TLS with `cert` when given, else plaintext.
pub async fn channel(
    h: &Handshake,
    cert: Option<&ClientCert>,
) -> Result<tonic::transport::Channel, String> {
    let address = h.address.clone();
    let network = h.network.clone();
    let tls = cert.map(|c| {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ExactServerCert {
                expected: h.cert.clone(),
                provider,
            }))
            .with_client_auth_cert(
                vec![CertificateDer::from(c.der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(c.key.clone())),
            )
            .unwrap();
        cfg.alpn_protocols = vec![b"h2".to_vec()];
        tokio_rustls::TlsConnector::from(Arc::new(cfg))
    });
    let connector = tower::service_fn(move |_: tonic::transport::Uri| {
        let (address, network, tls) = (address.clone(), network.clone(), tls.clone());
        async move {
            let io: std::pin::Pin<Box<dyn IoStream>> = if network == "unix" {
                Box::pin(tokio::net::UnixStream::connect(&address).await?)
            } else {
                Box::pin(tokio::net::TcpStream::connect(&address).await?)
            };
            let io: std::pin::Pin<Box<dyn IoStream>> = match tls {
                Some(t) => Box::pin(
                    t.connect(ServerName::try_from("localhost").unwrap(), io)
                        .await?,
                ),
                None => io,
            };
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
        }
    });
    tonic::transport::Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(connector)
        .await
        .map_err(|e| format!("{e:?}"))
}

/// Async read/write, for boxing either transport.
pub trait IoStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send> IoStream for T {}

/// Waits for the process to exit, up to `limit`; returns whether it did.
pub fn exits_within(child: &mut Child, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// All of stderr (after the process exited).
pub fn stderr_of(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

/// Another user (`nobody`) cannot connect to the unix socket at `path`. Needs root to run
/// a command as that user; skips with a printed reason otherwise.
pub fn assert_other_users_cannot_connect(path: &std::path::Path) {
    let script = format!(
        "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect({:?})\nexcept OSError as e:\n print('refused', e); sys.exit(3)\nprint('connected')",
        path.display().to_string()
    );
    // The system interpreter: one under root's home would be out of nobody's reach.
    let python = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("python3");
    let out = Command::new("runuser")
        .args(["-u", "nobody", "--", python, "-c", &script])
        .output();
    match out {
        Ok(o) if o.status.code() == Some(3) => {
            assert!(String::from_utf8_lossy(&o.stdout).contains("refused"));
        }
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("connected") => {
            panic!("another user connected to the debug socket")
        }
        Ok(o) => eprintln!(
            "SKIP other-user connection check: runuser failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => eprintln!("SKIP other-user connection check: no runuser ({e})"),
    }
}
