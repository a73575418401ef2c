//! Managed resource RPCs: validate, upgrade stored state, read, plan, apply, import and
//! generated configuration, identity fields included (an identity travels as
//! `ResourceIdentityData`, a wrapper around a value).

use super::or_default;
use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::{
    ApplyResourceChangeRequest, ApplyResourceChangeResponse, GenerateResourceConfigRequest,
    GenerateResourceConfigResponse, ImportResourceStateRequest, ImportResourceStateResponse,
    ImportedResource, PlanResourceChangeRequest, PlanResourceChangeResponse, ReadResourceRequest,
    ReadResourceResponse, UpgradeResourceStateRequest, UpgradeResourceStateResponse,
    ValidateResourceConfigRequest,
};
use crate::tfplugin::value::DynamicValue;

/// An identity coming in: absent, or a wrapper without a value, is no identity.
pub(super) fn identity_in(i: Option<pb::ResourceIdentityData>) -> Option<DynamicValue> {
    i.and_then(|i| i.identity_data).map(Into::into)
}

/// An identity going out.
pub(super) fn identity_out(i: Option<DynamicValue>) -> Option<pb::ResourceIdentityData> {
    i.map(|v| pb::ResourceIdentityData {
        identity_data: Some(v.into()),
    })
}

impl From<pb::validate_resource_config::Request> for ValidateResourceConfigRequest {
    fn from(r: pb::validate_resource_config::Request) -> Self {
        ValidateResourceConfigRequest {
            type_name: r.type_name,
            config: or_default(r.config),
            client_capabilities: or_default(r.client_capabilities),
        }
    }
}

impl From<Diagnostics> for pb::validate_resource_config::Response {
    fn from(d: Diagnostics) -> Self {
        pb::validate_resource_config::Response {
            diagnostics: d.into(),
        }
    }
}

impl From<pb::upgrade_resource_state::Request> for UpgradeResourceStateRequest {
    fn from(r: pb::upgrade_resource_state::Request) -> Self {
        UpgradeResourceStateRequest {
            type_name: r.type_name,
            version: r.version,
            raw_state: or_default(r.raw_state),
        }
    }
}

impl From<UpgradeResourceStateResponse> for pb::upgrade_resource_state::Response {
    fn from(out: UpgradeResourceStateResponse) -> Self {
        pb::upgrade_resource_state::Response {
            upgraded_state: out.upgraded_state.map(Into::into),
            diagnostics: out.diagnostics.into(),
        }
    }
}

impl From<pb::read_resource::Request> for ReadResourceRequest {
    fn from(r: pb::read_resource::Request) -> Self {
        ReadResourceRequest {
            type_name: r.type_name,
            current_state: or_default(r.current_state),
            private: r.private,
            provider_meta: r.provider_meta.map(Into::into),
            client_capabilities: or_default(r.client_capabilities),
            current_identity: identity_in(r.current_identity),
        }
    }
}

impl From<ReadResourceResponse> for pb::read_resource::Response {
    fn from(out: ReadResourceResponse) -> Self {
        pb::read_resource::Response {
            new_state: out.new_state.map(Into::into),
            diagnostics: out.diagnostics.into(),
            private: out.private,
            deferred: out.deferred.map(Into::into),
            new_identity: identity_out(out.new_identity),
        }
    }
}

impl From<pb::plan_resource_change::Request> for PlanResourceChangeRequest {
    fn from(r: pb::plan_resource_change::Request) -> Self {
        PlanResourceChangeRequest {
            type_name: r.type_name,
            prior_state: or_default(r.prior_state),
            proposed_new_state: or_default(r.proposed_new_state),
            config: or_default(r.config),
            prior_private: r.prior_private,
            provider_meta: r.provider_meta.map(Into::into),
            client_capabilities: or_default(r.client_capabilities),
            prior_identity: identity_in(r.prior_identity),
            planned_private: r.planned_private,
        }
    }
}

impl From<PlanResourceChangeResponse> for pb::plan_resource_change::Response {
    fn from(out: PlanResourceChangeResponse) -> Self {
        pb::plan_resource_change::Response {
            planned_state: out.planned_state.map(Into::into),
            requires_replace: out.requires_replace.into_iter().map(Into::into).collect(),
            planned_private: out.planned_private,
            diagnostics: out.diagnostics.into(),
            legacy_type_system: false,
            deferred: out.deferred.map(Into::into),
            planned_identity: identity_out(out.planned_identity),
        }
    }
}

impl From<pb::apply_resource_change::Request> for ApplyResourceChangeRequest {
    fn from(r: pb::apply_resource_change::Request) -> Self {
        ApplyResourceChangeRequest {
            type_name: r.type_name,
            prior_state: or_default(r.prior_state),
            planned_state: or_default(r.planned_state),
            config: or_default(r.config),
            planned_private: r.planned_private,
            provider_meta: r.provider_meta.map(Into::into),
            planned_identity: identity_in(r.planned_identity),
        }
    }
}

impl From<ApplyResourceChangeResponse> for pb::apply_resource_change::Response {
    fn from(out: ApplyResourceChangeResponse) -> Self {
        pb::apply_resource_change::Response {
            new_state: out.new_state.map(Into::into),
            private: out.private,
            diagnostics: out.diagnostics.into(),
            legacy_type_system: false,
            new_identity: identity_out(out.new_identity),
        }
    }
}

impl From<pb::import_resource_state::Request> for ImportResourceStateRequest {
    fn from(r: pb::import_resource_state::Request) -> Self {
        ImportResourceStateRequest {
            type_name: r.type_name,
            id: r.id,
            client_capabilities: or_default(r.client_capabilities),
            identity: identity_in(r.identity),
        }
    }
}

impl From<ImportResourceStateResponse> for pb::import_resource_state::Response {
    fn from(out: ImportResourceStateResponse) -> Self {
        pb::import_resource_state::Response {
            imported_resources: out.imported_resources.into_iter().map(Into::into).collect(),
            diagnostics: out.diagnostics.into(),
            deferred: out.deferred.map(Into::into),
        }
    }
}

impl From<ImportedResource> for pb::import_resource_state::ImportedResource {
    fn from(i: ImportedResource) -> Self {
        pb::import_resource_state::ImportedResource {
            type_name: i.type_name,
            state: Some(i.state.into()),
            private: i.private,
            identity: identity_out(i.identity),
        }
    }
}

impl From<pb::generate_resource_config::Request> for GenerateResourceConfigRequest {
    fn from(r: pb::generate_resource_config::Request) -> Self {
        GenerateResourceConfigRequest {
            type_name: r.type_name,
            state: or_default(r.state),
        }
    }
}

impl From<GenerateResourceConfigResponse> for pb::generate_resource_config::Response {
    fn from(out: GenerateResourceConfigResponse) -> Self {
        pb::generate_resource_config::Response {
            config: out.config.map(Into::into),
            diagnostics: out.diagnostics.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::value::DynamicValue;

    #[test]
    fn unset_fields_read_as_empty_and_provider_meta_stays_optional() {
        let r = PlanResourceChangeRequest::from(pb::plan_resource_change::Request {
            type_name: "t".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0xc0],
                json: Vec::new(),
            }),
            ..Default::default()
        });
        assert_eq!(r.config.msgpack, [0xc0]);
        assert_eq!(r.prior_state, DynamicValue::default());
        assert!(r.provider_meta.is_none());
        assert!(!r.client_capabilities.deferral_allowed);

        let r = ReadResourceRequest::from(pb::read_resource::Request {
            provider_meta: Some(pb::DynamicValue::default()),
            ..Default::default()
        });
        assert_eq!(r.provider_meta, Some(DynamicValue::default()));
    }

    #[test]
    fn identities_travel_both_ways_and_an_empty_wrapper_is_none() {
        let r = ReadResourceRequest::from(pb::read_resource::Request {
            current_identity: Some(pb::ResourceIdentityData {
                identity_data: None,
            }),
            ..Default::default()
        });
        assert!(r.current_identity.is_none());
        let dv = DynamicValue {
            msgpack: vec![0x80],
            json: Vec::new(),
        };
        let out = pb::apply_resource_change::Response::from(ApplyResourceChangeResponse {
            new_identity: Some(dv.clone()),
            ..Default::default()
        });
        assert_eq!(
            out.new_identity
                .and_then(|i| i.identity_data)
                .map(DynamicValue::from),
            Some(dv)
        );
    }
}
