//! Whole RPC requests with hostile payloads, through the real provider adapter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigsentry_provider::framework::ProviderAdapter;
use sigsentry_provider::provider::SigSentryProvider;
use sigsentry_provider::tfplugin::rpc::*;
use sigsentry_provider::tfplugin::value::DynamicValue;

fuzz_target!(|data: &[u8]| {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let p = ProviderAdapter::new(SigSentryProvider::new()).unwrap();
    let dv = DynamicValue { msgpack: data.to_vec(), json: Vec::new() };
    rt.block_on(async {
        let _ = p
            .validate_resource_config(ValidateResourceConfigRequest {
                type_name: "sigsentry_log_source".into(),
                config: dv.clone(),
                ..Default::default()
            })
            .await;
        let _ = p
            .plan_resource_change(PlanResourceChangeRequest {
                type_name: "sigsentry_log_source".into(),
                prior_state: dv.clone(),
                proposed_new_state: dv.clone(),
                config: dv.clone(),
                ..Default::default()
            })
            .await;
        let _ = p
            .upgrade_resource_state(UpgradeResourceStateRequest {
                type_name: "sigsentry_log_source".into(),
                version: 0,
                raw_state: RawState { json: data.to_vec(), ..Default::default() },
            })
            .await;
    });
});
