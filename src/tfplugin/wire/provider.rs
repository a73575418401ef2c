//! The provider's own RPCs: validating and applying its configuration, and stopping.

use super::or_default;
use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::{ConfigureProviderRequest, ValidateProviderConfigRequest};

impl From<pb::validate_provider_config::Request> for ValidateProviderConfigRequest {
    fn from(r: pb::validate_provider_config::Request) -> Self {
        ValidateProviderConfigRequest {
            config: or_default(r.config),
        }
    }
}

impl From<Diagnostics> for pb::validate_provider_config::Response {
    fn from(d: Diagnostics) -> Self {
        pb::validate_provider_config::Response {
            diagnostics: d.into(),
        }
    }
}

impl From<pb::configure_provider::Request> for ConfigureProviderRequest {
    fn from(r: pb::configure_provider::Request) -> Self {
        ConfigureProviderRequest {
            terraform_version: r.terraform_version,
            config: or_default(r.config),
            client_capabilities: or_default(r.client_capabilities),
        }
    }
}

impl From<Diagnostics> for pb::configure_provider::Response {
    fn from(d: Diagnostics) -> Self {
        pb::configure_provider::Response {
            diagnostics: d.into(),
        }
    }
}

/// StopProvider reports failure as error text; an empty text means it stopped.
impl From<Result<(), String>> for pb::stop_provider::Response {
    fn from(r: Result<(), String>) -> Self {
        pb::stop_provider::Response {
            error: r.err().unwrap_or_default(),
        }
    }
}
