//! Release binaries for other platforms, for tests/platforms.rs and tests/release.rs: built
//! by scripts/build-target.sh (cargo-zigbuild) with the quick `release-test` profile into
//! target/cross/, and started here under the runner each platform needs.
//!
//! Tools missing (the target's std, cargo-zigbuild, qemu, wine, gpg) skip a test with a
//! printed reason; scripts/test.sh installs them all and sets `SIGSENTRY_REQUIRE_CROSS=1`,
//! which turns every such skip into a failure, so CI never skips one silently.
//!
//! Include with `mod support;` and `#[path = "support/cross.rs"] mod cross;`.

#![allow(dead_code)]

use crate::support::plugin::{self, ClientCert, Plugin};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::Duration;

/// The cargo profile of cross builds in tests: no LTO, no optimisation.
pub const PROFILE: &str = "release-test";
/// Static Linux (musl) for amd64: runs here directly, in an empty chroot.
pub const LINUX_AMD64: &str = "x86_64-unknown-linux-musl";
/// Static Linux (musl) for arm64: runs under qemu-aarch64.
pub const LINUX_ARM64: &str = "aarch64-unknown-linux-musl";
/// Windows amd64: runs under wine.
pub const WINDOWS_AMD64: &str = "x86_64-pc-windows-gnu";
/// The targets the test suite builds (macOS is built by scripts/release.sh and checked in
/// the release workflow on a macOS runner).
pub const TEST_TARGETS: [&str; 3] = [LINUX_AMD64, LINUX_ARM64, WINDOWS_AMD64];

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the cross builds go (apart from target/, which the running `cargo test` locks).
pub fn target_dir() -> PathBuf {
    root().join("target").join("cross")
}

/// Whether missing tools are failures rather than skips.
pub fn required() -> bool {
    std::env::var("SIGSENTRY_REQUIRE_CROSS").is_ok_and(|v| v == "1")
}

/// Skips `test` for `why` (printed), or fails it when the tools are required.
pub fn skip(test: &str, why: &str) {
    assert!(
        !required(),
        "{test}: {why} (SIGSENTRY_REQUIRE_CROSS=1: scripts/test.sh should have installed it)"
    );
    eprintln!("SKIP {test}: {why}");
}

/// `cmd` on PATH.
pub fn which(cmd: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(cmd))
        .find(|p| p.is_file())
}

/// The venv of zig and cargo-zigbuild that scripts/ensure-cross.sh makes.
pub fn cross_venv() -> PathBuf {
    root().join("target/tools/cross-venv/bin")
}

/// Why `target` cannot be built here, if it cannot.
pub fn cannot_build(target: &str) -> Option<String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())?;
    if !Path::new(&sysroot)
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
    {
        return Some(format!(
            "no Rust std for {target} (rustup target add {target})"
        ));
    }
    if !cross_venv().join("cargo-zigbuild").is_file() && which("cargo-zigbuild").is_none() {
        return Some("no cargo-zigbuild (scripts/ensure-cross.sh installs it)".into());
    }
    None
}

/// Builds the provider and the mock for `target` (once per test process) and returns the
/// directory holding them. Panics with the build's output when it fails.
pub fn build(target: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut built = built.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(dir) = built.get(target) {
        return dir.clone();
    }
    let out = Command::new(root().join("scripts/build-target.sh"))
        .arg(target)
        .env("PROFILE", PROFILE)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("run scripts/build-target.sh");
    assert!(
        out.status.success(),
        "building {target} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    built.insert(target.to_string(), dir.clone());
    dir
}

/// Starts `cmd` like Terraform does and reads its handshake, failing after `limit` (an
/// emulated start is slow, but a hung one must not hang the suite).
pub fn start_within(cmd: Command, limit: Duration) -> Plugin {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(plugin::start(cmd));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("no handshake line within {limit:?}"))
}

/// What a provider served over its negotiated transport.
pub struct Served {
    /// Resource types, and data sources as `data.NAME`, from GetProviderSchema.
    pub types: Vec<String>,
    /// Names of the log sources `data.sigsentry_log_sources` read from the API.
    pub listed: Vec<String>,
}

/// Drives the provider as a plan does (GetProviderSchema, ConfigureProvider with `api_url`
/// and `api_key`, ReadDataSource of `sigsentry_log_sources`), then shuts it down the way
/// Terraform does and waits for it to exit.
pub fn drive(p: &mut Plugin, cert: Option<&ClientCert>, api_url: &str, api_key: &str) -> Served {
    use crate::support::proto::plugin::grpc_controller_client::GrpcControllerClient;
    use crate::support::proto::plugin::Empty;
    use crate::support::proto::tfplugin6 as pb;
    use crate::support::proto::tfplugin6::provider_client::ProviderClient;
    use sigsentry_provider::tfplugin::value::{msgpack, Type, Value};
    use std::collections::BTreeMap;

    // A block's object type and an all-null value of it, from the schema it announced.
    fn typed(block: &pb::schema::Block) -> (Type, BTreeMap<String, Value>) {
        let ty = Type::object(block.attributes.iter().map(|a| {
            let t = Type::from_json(&a.r#type).expect("attribute type");
            (a.name.clone(), t)
        }));
        let nulls = block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        (ty, nulls)
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let served = rt.block_on(async {
        let ch = plugin::channel(&p.handshake, cert).await.expect("connect");
        let mut c = ProviderClient::new(ch.clone());
        let schema = c
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("GetProviderSchema")
            .into_inner();
        let mut types: Vec<String> = schema.resource_schemas.keys().cloned().collect();
        types.extend(
            schema
                .data_source_schemas
                .keys()
                .map(|k| format!("data.{k}")),
        );

        let (pty, mut pcfg) = typed(schema.provider.as_ref().unwrap().block.as_ref().unwrap());
        pcfg.insert("api_url".into(), Value::String(api_url.into()));
        pcfg.insert("api_key".into(), Value::String(api_key.into()));
        let configured = c
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config: Some(pb::DynamicValue {
                    msgpack: msgpack::encode(&pty, &Value::Object(pcfg)).unwrap(),
                    json: Vec::new(),
                }),
                client_capabilities: None,
            })
            .await
            .expect("ConfigureProvider")
            .into_inner();
        assert!(
            configured.diagnostics.is_empty(),
            "{:?}",
            configured.diagnostics
        );

        let ds = &schema.data_source_schemas["sigsentry_log_sources"];
        let (dty, dcfg) = typed(ds.block.as_ref().unwrap());
        let read = c
            .read_data_source(pb::read_data_source::Request {
                type_name: "sigsentry_log_sources".into(),
                config: Some(pb::DynamicValue {
                    msgpack: msgpack::encode(&dty, &Value::Object(dcfg)).unwrap(),
                    json: Vec::new(),
                }),
                ..Default::default()
            })
            .await
            .expect("ReadDataSource")
            .into_inner();
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let state = msgpack::decode(&dty, &read.state.unwrap().msgpack).unwrap();
        let listed = match state.get_attr("log_sources") {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|i| match i.get_attr("name") {
                    Some(Value::String(n)) => Some(n.clone()),
                    _ => None,
                })
                .collect(),
            other => panic!("log_sources: {other:?}"),
        };
        let _ = GrpcControllerClient::new(ch).shutdown(Empty {}).await;
        Served { types, listed }
    });
    // go-plugin gives a plugin 2 s after Shutdown before it kills it; emulation is slower.
    assert!(
        plugin::exits_within(&mut p.child, Duration::from_secs(10)),
        "the provider did not exit after Shutdown"
    );
    served
}

/// The log sources scripts and tests seed the fakes with.
pub const SEED: &str = r#"[
  {"type": "loki", "name": "seeded-loki", "sources": ["{app=\"checkout\"}"]},
  {"type": "splunk", "name": "seeded-splunk", "sources": ["main"], "isActive": false}
]"#;

/// Names of the seeded log sources, in order.
pub const SEEDED: [&str; 2] = ["seeded-loki", "seeded-splunk"];

/// Starts a `sigsentry-mock` build (`cmd`, already given `--seed`), reads the address it
/// prints, and returns the names it lists for the default demo key; then stops it.
pub fn mock_lists(mut cmd: Command, limit: Duration) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    let mut child = cmd
        .arg("--listen")
        .arg("127.0.0.1:0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("spawn the mock");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(limit);
    let url = match &line {
        Ok(l) => l.trim().strip_prefix("listening on ").map(str::to_string),
        Err(_) => None,
    };
    let names = url.map(|url| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let body: serde_json::Value = reqwest::Client::new()
                .get(format!("{url}/v1/config/log-sources"))
                .bearer_auth("ss_secret_demo_key")
                .send()
                .await
                .expect("GET the mock")
                .json()
                .await
                .expect("JSON");
            body["data"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s["name"].as_str().map(str::to_string))
                .collect::<Vec<String>>()
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    names.unwrap_or_else(|| panic!("the mock printed no address: {line:?}"))
}
