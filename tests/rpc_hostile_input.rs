//! A bounded property run of the fuzz targets' idea: any bytes in any RPC payload give
//! diagnostics, never a panic, and a malformed value's error names where it broke.

use proptest::prelude::*;
use sigsentry_provider::framework::ProviderAdapter;
use sigsentry_provider::provider::SigSentryProvider;
use sigsentry_provider::tfplugin::rpc::*;
use sigsentry_provider::tfplugin::value::DynamicValue;

fn adapter() -> ProviderAdapter<SigSentryProvider> {
    ProviderAdapter::new(SigSentryProvider::new()).expect("the provider's declarations are sound")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Bytes biased towards msgpack structure: maps, strings, extension markers.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            any::<u8>(),
            Just(0x8a),
            Just(0xa4),
            Just(0xd4),
            Just(0xc0),
            Just(0xdf),
            Just(0xc7),
        ],
        0..128,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_rpc_survives_arbitrary_payloads(bytes in payload(), json in any::<bool>()) {
        let p = adapter();
        let dv = if json {
            DynamicValue { msgpack: Vec::new(), json: bytes.clone() }
        } else {
            DynamicValue { msgpack: bytes.clone(), json: Vec::new() }
        };
        rt().block_on(async {
            let d = p.validate_resource_config(ValidateResourceConfigRequest {
                type_name: "sigsentry_log_source".into(),
                config: dv.clone(),
                ..Default::default()
            }).await;
            let _ = d;
            let plan = p.plan_resource_change(PlanResourceChangeRequest {
                type_name: "sigsentry_log_source".into(),
                prior_state: dv.clone(),
                proposed_new_state: dv.clone(),
                config: dv.clone(),
                ..Default::default()
            }).await;
            let _ = plan;
            let _ = p.validate_provider_config(ValidateProviderConfigRequest { config: dv.clone() }).await;
            let _ = p.read_data_source(ReadDataSourceRequest {
                type_name: "sigsentry_log_sources".into(),
                config: dv.clone(),
                ..Default::default()
            }).await;
            let _ = p.upgrade_resource_state(UpgradeResourceStateRequest {
                type_name: "sigsentry_log_source".into(),
                version: 0,
                raw_state: RawState { json: bytes.clone(), ..Default::default() },
            }).await;
            let apply = p.apply_resource_change(ApplyResourceChangeRequest {
                type_name: "sigsentry_log_source".into(),
                prior_state: dv.clone(),
                planned_state: dv.clone(),
                config: dv.clone(),
                ..Default::default()
            }).await;
            let _ = apply;
        });
    }
}

#[test]
fn a_truncated_config_is_an_error_diagnostic_not_a_panic() {
    let p = adapter();
    // A map announcing 10 entries, then nothing.
    let dv = DynamicValue {
        msgpack: vec![0x8a, 0xa4, b't', b'y', b'p', b'e'],
        json: Vec::new(),
    };
    let d = rt().block_on(p.validate_resource_config(ValidateResourceConfigRequest {
        type_name: "sigsentry_log_source".into(),
        config: dv,
        ..Default::default()
    }));
    assert!(d.has_errors());
    let text = format!("{:?}", d.0[0]);
    assert!(text.contains("Invalid resource configuration"), "{text}");
}

#[test]
fn deeply_nested_input_is_refused() {
    let p = adapter();
    let mut bytes = vec![0x91u8; 100_000];
    bytes.push(0xc0);
    let d = rt().block_on(p.validate_resource_config(ValidateResourceConfigRequest {
        type_name: "sigsentry_log_source".into(),
        config: DynamicValue {
            msgpack: bytes,
            json: Vec::new(),
        },
        ..Default::default()
    }));
    assert!(d.has_errors());
}
