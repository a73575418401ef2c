//! The go-plugin handshake and protocol 6, exercised the way Terraform drives them: the
//! built binary is spawned with Terraform's environment and spoken to over its socket.

mod support;

use sigsentry_provider::tfplugin::value::{msgpack, Type, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use support::plugin::{self, terraform_like_cert};
use support::proto::plugin::grpc_controller_client::GrpcControllerClient;
use support::proto::plugin::Empty;
use support::proto::tfplugin6 as pb;
use support::proto::tfplugin6::provider_client::ProviderClient;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn handshake_line_has_the_go_plugin_format() {
    let cert = terraform_like_cert();
    let p = plugin::start(plugin::command(Some(&cert)));
    let line = p.handshake.line.trim_end();
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "{line}");
    assert_eq!(&parts[..3], ["1", "6", "unix"]);
    assert_eq!(parts[4], "grpc");
    assert!(
        std::path::Path::new(parts[3]).exists(),
        "socket {} missing",
        parts[3]
    );
    assert!(
        !parts[5].contains('='),
        "certificate must be unpadded base64"
    );
    assert!(parts[5].len() > 50);
    let der = &p.handshake.cert;
    assert_eq!(der[0], 0x30, "DER certificate");
    assert!(
        der.windows(9).any(|w| w == b"localhost"),
        "SAN localhost missing"
    );
}

#[test]
fn tls_accepts_terraforms_cert_and_refuses_another() {
    let cert = terraform_like_cert();
    let p = plugin::start(plugin::command(Some(&cert)));
    rt().block_on(async {
        let ch = plugin::channel(&p.handshake, Some(&cert)).await.unwrap();
        let schema = ProviderClient::new(ch)
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("schema over mutual TLS");
        assert!(schema
            .into_inner()
            .resource_schemas
            .contains_key("sigsentry_log_source"));

        let other = terraform_like_cert();
        let refused = match plugin::channel(&p.handshake, Some(&other)).await {
            Err(_) => true,
            Ok(ch) => ProviderClient::new(ch)
                .get_provider_schema(pb::get_provider_schema::Request {})
                .await
                .is_err(),
        };
        assert!(
            refused,
            "a certificate other than PLUGIN_CLIENT_CERT was accepted"
        );
    });
}

#[test]
fn plaintext_when_tls_is_disabled() {
    let p = plugin::start(plugin::command(None));
    assert!(
        p.handshake.line.trim_end().ends_with("|grpc|"),
        "{}",
        p.handshake.line
    );
    rt().block_on(async {
        let ch = plugin::channel(&p.handshake, None).await.unwrap();
        ProviderClient::new(ch)
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("plaintext schema");
    });
}

#[test]
fn run_by_hand_explains_and_exits_1_with_nothing_on_stdout() {
    let out = std::process::Command::new(plugin::binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plugin for Terraform"), "{err}");
}

#[test]
fn refuses_when_protocol_6_is_not_offered() {
    let out = plugin::command(None)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("speaks only version 6"));
}

#[test]
fn schema_carries_types_flags_and_unserved_rpcs_are_unimplemented() {
    let cert = terraform_like_cert();
    let p = plugin::start(plugin::command(Some(&cert)));
    rt().block_on(async {
        let mut c = ProviderClient::new(plugin::channel(&p.handshake, Some(&cert)).await.unwrap());
        let s = c
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap()
            .into_inner();
        let block = s.resource_schemas["sigsentry_log_source"]
            .block
            .clone()
            .unwrap();
        let attr = |n: &str| {
            block
                .attributes
                .iter()
                .find(|a| a.name == n)
                .cloned()
                .unwrap()
        };
        assert_eq!(attr("sources").r#type, br#"["set","string"]"#);
        assert!(attr("credentials").sensitive);
        assert!(attr("credentials_wo").write_only);
        assert!(attr("id").computed && !attr("id").optional);
        assert!(s
            .provider
            .unwrap()
            .block
            .unwrap()
            .attributes
            .iter()
            .any(|a| a.name == "api_key" && a.sensitive));
        let status = c
            .move_resource_state(pb::move_resource_state::Request::default())
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unimplemented);
    });
}

#[test]
fn plan_round_trips_unknown_and_null() {
    let cert = terraform_like_cert();
    let p = plugin::start(plugin::command(Some(&cert)));
    rt().block_on(async {
        let mut c = ProviderClient::new(plugin::channel(&p.handshake, Some(&cert)).await.unwrap());
        let s = c
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap()
            .into_inner();
        // The object type, from the type JSON the provider itself announced.
        let block = s.resource_schemas["sigsentry_log_source"]
            .block
            .clone()
            .unwrap();
        let ty = Type::object(
            block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Type::from_json(&a.r#type).unwrap())),
        );
        let mut cfg: BTreeMap<String, Value> = block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        cfg.insert("type".into(), Value::String("splunk".into()));
        cfg.insert("name".into(), Value::Unknown);
        cfg.insert(
            "sources".into(),
            Value::Set(vec![Value::String("main".into())]),
        );
        cfg.insert(
            "credentials".into(),
            Value::Map(
                [
                    ("host".to_string(), Value::String("https://s".into())),
                    ("token".to_string(), Value::Unknown),
                ]
                .into_iter()
                .collect(),
            ),
        );
        let config = pb::DynamicValue {
            msgpack: msgpack::encode(&ty, &Value::Object(cfg.clone())).unwrap(),
            json: Vec::new(),
        };
        let resp = c
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: "sigsentry_log_source".into(),
                prior_state: None,
                proposed_new_state: Some(config.clone()),
                config: Some(config),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        let planned = msgpack::decode(&ty, &resp.planned_state.unwrap().msgpack).unwrap();
        assert_eq!(planned.get_attr("name"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("id"), Some(&Value::Unknown));
        assert_eq!(planned.get_attr("is_active"), Some(&Value::Bool(true)));
        assert_eq!(planned.get_attr("credentials_wo"), Some(&Value::Null));
        assert_eq!(planned.get_attr("verify"), Some(&Value::Null));
        let creds = planned.get_attr("credentials").unwrap();
        assert!(matches!(creds, Value::Map(m) if m["token"] == Value::Unknown));
    });
}

#[test]
fn health_is_serving_and_shutdown_exits_within_two_seconds() {
    let cert = terraform_like_cert();
    let mut p = plugin::start(plugin::command(Some(&cert)));
    let socket = p.handshake.address.clone();
    rt().block_on(async {
        let ch = plugin::channel(&p.handshake, Some(&cert)).await.unwrap();
        let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: "plugin".into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );
        GrpcControllerClient::new(ch)
            .shutdown(Empty {})
            .await
            .unwrap();
    });
    assert!(
        plugin::exits_within(&mut p.child, Duration::from_secs(2)),
        "still running 2 s after Shutdown"
    );
    assert!(
        !std::path::Path::new(&socket).exists(),
        "socket file left behind"
    );
}

#[test]
fn logs_are_hclog_json_on_stderr_only() {
    let cert = terraform_like_cert();
    let mut cmd = plugin::command(Some(&cert));
    cmd.env("TF_LOG", "trace");
    let mut p = plugin::start(cmd);
    rt().block_on(async {
        let ch = plugin::channel(&p.handshake, Some(&cert)).await.unwrap();
        let mut c = ProviderClient::new(ch.clone());
        let _ = c
            .configure_provider(pb::configure_provider::Request::default())
            .await;
        GrpcControllerClient::new(ch)
            .shutdown(Empty {})
            .await
            .unwrap();
    });
    assert!(plugin::exits_within(&mut p.child, Duration::from_secs(2)));
    let mut rest = String::new();
    use std::io::Read;
    p.stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.is_empty(), "stdout after the handshake: {rest:?}");
    let stderr = plugin::stderr_of(&mut p.child);
    let stamp =
        regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$").unwrap();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l:?}")))
        .collect();
    assert!(!lines.is_empty(), "no log lines at TF_LOG=trace");
    for l in &lines {
        assert!(l["@level"].is_string() && l["@message"].is_string(), "{l}");
        assert!(stamp.is_match(l["@timestamp"].as_str().unwrap()), "{l}");
    }
    assert!(
        lines.iter().any(|l| l["rpc"] == "ConfigureProvider"),
        "{stderr}"
    );
}

#[test]
fn falls_back_to_tcp_in_the_port_range_when_no_unix_socket_can_be_made() {
    let cert = terraform_like_cert();
    let mut cmd = plugin::command(Some(&cert));
    cmd.env("PLUGIN_UNIX_SOCKET_DIR", "/nonexistent/sigsentry-test")
        .env("PLUGIN_MIN_PORT", "20000")
        .env("PLUGIN_MAX_PORT", "20100");
    let p = plugin::start(cmd);
    assert_eq!(p.handshake.network, "tcp", "{}", p.handshake.line);
    let port: u16 = p
        .handshake
        .address
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(p.handshake.address.starts_with("127.0.0.1:"));
    assert!((20000..=20100).contains(&port), "{port}");
    rt().block_on(async {
        let ch = plugin::channel(&p.handshake, Some(&cert)).await.unwrap();
        ProviderClient::new(ch)
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("schema over TCP with mutual TLS");
    });
}
