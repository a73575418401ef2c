//! Resource identity (Terraform 1.12+): upgrading a stored identity. The identity schemas
//! go out with the other schemas (`schema.rs`); identities themselves ride on the
//! resource RPCs (`resource.rs`).

use super::or_default;
use super::resource::identity_out;
use super::tfplugin6 as pb;
use crate::tfplugin::rpc::{UpgradeResourceIdentityRequest, UpgradeResourceIdentityResponse};

impl From<pb::upgrade_resource_identity::Request> for UpgradeResourceIdentityRequest {
    fn from(r: pb::upgrade_resource_identity::Request) -> Self {
        UpgradeResourceIdentityRequest {
            type_name: r.type_name,
            version: r.version,
            raw_identity: or_default(r.raw_identity),
        }
    }
}

impl From<UpgradeResourceIdentityResponse> for pb::upgrade_resource_identity::Response {
    fn from(out: UpgradeResourceIdentityResponse) -> Self {
        pb::upgrade_resource_identity::Response {
            upgraded_identity: identity_out(out.upgraded_identity),
            diagnostics: out.diagnostics.into(),
        }
    }
}
