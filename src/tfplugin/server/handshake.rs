//! The go-plugin handshake. Terraform proves it started the plugin (the magic cookie) and
//! offers protocol versions; the plugin answers with one line on stdout naming its
//! version, where it listens and its certificate. Debug mode has no handshake: Terraform
//! attaches through `TF_REATTACH_PROVIDERS` instead.

use super::ServeError;
use base64::Engine;
use std::io::Write;

/// The cookie Terraform sets so a plugin knows it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only protocol major version we speak.
pub(super) const PROTOCOL_VERSION: u32 = 6;

/// Checks that Terraform started us and offers the protocol version we speak.
pub(super) fn negotiate() -> Result<(), ServeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotStartedByTerraform);
    }
    let offered = std::env::var("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_default();
    let speaks = offered
        .split(',')
        .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
    if !speaks {
        return Err(ServeError::UnsupportedProtocol(offered));
    }
    Ok(())
}

/// Writes the line go-plugin's client waits for: core protocol 1, our protocol version,
/// the listener, and our certificate as unpadded base64 DER (empty without TLS). Flushed
/// at once: Terraform waits for it before connecting.
pub(super) fn write_line(
    network: &str,
    address: &str,
    cert_der: Option<&[u8]>,
) -> Result<(), ServeError> {
    let cert = cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    let line = format!("1|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}\n");
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| ServeError::Io(format!("cannot write the handshake line: {e}")))
}

/// Debug mode's stand-in for the handshake line: how to attach Terraform, for a person.
pub(super) fn print_reattach_instructions(reattach: &str) {
    println!("Provider started. To attach Terraform, set TF_REATTACH_PROVIDERS in your shell:");
    println!();
    println!("\tTF_REATTACH_PROVIDERS='{reattach}'");
    println!();
    println!("Then run terraform in that shell. Stop this provider with Ctrl-C.");
    println!();
    println!(
        "Anyone who can connect to this socket can use the API key this provider is \
         configured with. It is in a directory only you can enter, and connections from \
         other users are refused; do not share it."
    );
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
