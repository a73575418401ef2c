//! The leaf types messages of every area carry: encoded values, stored state, attribute
//! paths, diagnostics and deferrals.

use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::rpc::{DeferredReason, RawState};
use crate::tfplugin::value::{AttributePath, DynamicValue, PathStep};

impl From<pb::DynamicValue> for DynamicValue {
    fn from(v: pb::DynamicValue) -> Self {
        DynamicValue {
            msgpack: v.msgpack,
            json: v.json,
        }
    }
}

impl From<DynamicValue> for pb::DynamicValue {
    fn from(v: DynamicValue) -> Self {
        pb::DynamicValue {
            msgpack: v.msgpack,
            json: v.json,
        }
    }
}

impl From<pb::RawState> for RawState {
    fn from(r: pb::RawState) -> Self {
        RawState {
            json: r.json,
            flatmap: r.flatmap.into_iter().collect(),
        }
    }
}

impl From<AttributePath> for pb::AttributePath {
    fn from(p: AttributePath) -> Self {
        use pb::attribute_path::step::Selector;
        pb::AttributePath {
            steps: p
                .steps
                .into_iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        PathStep::Attribute(n) => Selector::AttributeName(n),
                        PathStep::ElementKeyString(k) => Selector::ElementKeyString(k),
                        PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(i),
                    }),
                })
                .collect(),
        }
    }
}

impl From<Severity> for pb::diagnostic::Severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        }
    }
}

impl From<Diagnostic> for pb::Diagnostic {
    fn from(d: Diagnostic) -> Self {
        pb::Diagnostic {
            severity: pb::diagnostic::Severity::from(d.severity) as i32,
            summary: d.summary,
            detail: d.detail,
            // The root path names no attribute in particular, so none is sent.
            attribute: d.attribute.filter(|p| !p.is_empty()).map(Into::into),
        }
    }
}

impl From<Diagnostics> for Vec<pb::Diagnostic> {
    fn from(d: Diagnostics) -> Self {
        d.0.into_iter().map(Into::into).collect()
    }
}

impl From<DeferredReason> for pb::Deferred {
    fn from(r: DeferredReason) -> Self {
        use pb::deferred::Reason as R;
        pb::Deferred {
            reason: match r {
                DeferredReason::Unknown => R::Unknown,
                DeferredReason::ResourceConfigUnknown => R::ResourceConfigUnknown,
                DeferredReason::ProviderConfigUnknown => R::ProviderConfigUnknown,
                DeferredReason::AbsentPrereq => R::AbsentPrereq,
            } as i32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_keep_their_path() {
        let d = Diagnostic::error("s", "d").at(AttributePath::attr("credentials").key("host"));
        let pb = pb::Diagnostic::from(d);
        assert_eq!(pb.severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(pb.attribute.unwrap().steps.len(), 2);
    }
}
