//! Actions (Terraform 1.14+): validate, plan, and invoke with its event stream.

use super::or_default;
use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::{
    ActionRequest, InvokeActionEvent, PlanActionResponse, ValidateActionConfigRequest,
};

impl From<pb::validate_action_config::Request> for ValidateActionConfigRequest {
    fn from(r: pb::validate_action_config::Request) -> Self {
        ValidateActionConfigRequest {
            type_name: r.type_name,
            config: or_default(r.config),
        }
    }
}

impl From<Diagnostics> for pb::validate_action_config::Response {
    fn from(d: Diagnostics) -> Self {
        pb::validate_action_config::Response {
            diagnostics: d.into(),
        }
    }
}

impl From<pb::plan_action::Request> for ActionRequest {
    fn from(r: pb::plan_action::Request) -> Self {
        ActionRequest {
            action_type: r.action_type,
            config: or_default(r.config),
            client_capabilities: or_default(r.client_capabilities),
        }
    }
}

impl From<pb::invoke_action::Request> for ActionRequest {
    fn from(r: pb::invoke_action::Request) -> Self {
        ActionRequest {
            action_type: r.action_type,
            config: or_default(r.config),
            client_capabilities: or_default(r.client_capabilities),
        }
    }
}

impl From<PlanActionResponse> for pb::plan_action::Response {
    fn from(out: PlanActionResponse) -> Self {
        pb::plan_action::Response {
            diagnostics: out.diagnostics.into(),
            deferred: out.deferred.map(Into::into),
        }
    }
}

impl From<InvokeActionEvent> for pb::invoke_action::Event {
    fn from(e: InvokeActionEvent) -> Self {
        use pb::invoke_action::event::{Completed, Progress, Type};
        pb::invoke_action::Event {
            r#type: Some(match e {
                InvokeActionEvent::Progress(message) => Type::Progress(Progress { message }),
                InvokeActionEvent::Completed(d) => Type::Completed(Completed {
                    diagnostics: d.into(),
                }),
            }),
        }
    }
}
