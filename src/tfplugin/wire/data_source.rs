//! Data source RPCs: validating a data source's configuration and reading it.

use super::or_default;
use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::{
    ReadDataSourceRequest, ReadDataSourceResponse, ValidateDataResourceConfigRequest,
};

impl From<pb::validate_data_resource_config::Request> for ValidateDataResourceConfigRequest {
    fn from(r: pb::validate_data_resource_config::Request) -> Self {
        ValidateDataResourceConfigRequest {
            type_name: r.type_name,
            config: or_default(r.config),
        }
    }
}

impl From<Diagnostics> for pb::validate_data_resource_config::Response {
    fn from(d: Diagnostics) -> Self {
        pb::validate_data_resource_config::Response {
            diagnostics: d.into(),
        }
    }
}

impl From<pb::read_data_source::Request> for ReadDataSourceRequest {
    fn from(r: pb::read_data_source::Request) -> Self {
        ReadDataSourceRequest {
            type_name: r.type_name,
            config: or_default(r.config),
            provider_meta: r.provider_meta.map(Into::into),
            client_capabilities: or_default(r.client_capabilities),
        }
    }
}

impl From<ReadDataSourceResponse> for pb::read_data_source::Response {
    fn from(out: ReadDataSourceResponse) -> Self {
        pb::read_data_source::Response {
            state: out.state.map(Into::into),
            diagnostics: out.diagnostics.into(),
            deferred: out.deferred.map(Into::into),
        }
    }
}
