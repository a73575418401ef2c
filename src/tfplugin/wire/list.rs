//! List resources (Terraform 1.13+, `terraform query`): the request, each streamed event,
//! and the configuration check.

use super::or_default;
use super::resource::identity_out;
use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::{
    ListResourceEvent, ListResourceRequest, ValidateListResourceConfigRequest,
};

impl From<pb::list_resource::Request> for ListResourceRequest {
    fn from(r: pb::list_resource::Request) -> Self {
        ListResourceRequest {
            type_name: r.type_name,
            config: or_default(r.config),
            include_resource_object: r.include_resource_object,
            limit: r.limit,
        }
    }
}

impl From<ListResourceEvent> for pb::list_resource::Event {
    fn from(e: ListResourceEvent) -> Self {
        pb::list_resource::Event {
            identity: identity_out(e.identity),
            display_name: e.display_name,
            resource_object: e.resource_object.map(Into::into),
            diagnostic: e.diagnostics.into(),
        }
    }
}

impl From<pb::validate_list_resource_config::Request> for ValidateListResourceConfigRequest {
    fn from(r: pb::validate_list_resource_config::Request) -> Self {
        ValidateListResourceConfigRequest {
            type_name: r.type_name,
            config: or_default(r.config),
            include_resource_object: or_default(r.include_resource_object),
            limit: or_default(r.limit),
        }
    }
}

impl From<Diagnostics> for pb::validate_list_resource_config::Response {
    fn from(d: Diagnostics) -> Self {
        pb::validate_list_resource_config::Response {
            diagnostics: d.into(),
        }
    }
}
