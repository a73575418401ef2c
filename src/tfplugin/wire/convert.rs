//! Conversions between the generated protobuf types and ours. Requests come in
//! (`from_proto`), responses go out (`to_proto`); nothing else in the crate sees prost.

use super::tfplugin6 as pb;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::rpc::*;
use crate::tfplugin::schema::{Attribute, Block, NestedBlock, NestingMode, Schema, StringKind};
use crate::tfplugin::value::{AttributePath, DynamicValue, PathStep};

pub(crate) fn dv_in(v: Option<pb::DynamicValue>) -> DynamicValue {
    v.map(|v| DynamicValue {
        msgpack: v.msgpack,
        json: v.json,
    })
    .unwrap_or_default()
}

pub(crate) fn dv_out(v: DynamicValue) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: v.msgpack,
        json: v.json,
    }
}

pub(crate) fn caps_in(c: Option<pb::ClientCapabilities>) -> ClientCapabilities {
    c.map(|c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

pub(crate) fn path_out(p: AttributePath) -> pb::AttributePath {
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

pub(crate) fn diag_out(d: Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.filter(|p| !p.is_empty()).map(path_out),
    }
}

pub(crate) fn diags_out(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.into_iter().map(diag_out).collect()
}

fn kind_out(k: StringKind) -> i32 {
    match k {
        StringKind::Plain => pb::StringKind::Plain as i32,
        StringKind::Markdown => pb::StringKind::Markdown as i32,
    }
}

fn attribute_out(a: Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: a.name,
        r#type: a.ty.to_json(),
        nested_type: None,
        description: a.description,
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: kind_out(a.description_kind),
        deprecated: a.deprecated,
        write_only: a.write_only,
    }
}

fn nested_out(b: NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    pb::schema::NestedBlock {
        type_name: b.type_name,
        block: Some(block_out(b.block, 0)),
        nesting: match b.nesting {
            NestingMode::Single => M::Single,
            NestingMode::List => M::List,
            NestingMode::Set => M::Set,
            NestingMode::Map => M::Map,
            NestingMode::Group => M::Group,
        } as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

fn block_out(b: Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.into_iter().map(attribute_out).collect(),
        block_types: b.block_types.into_iter().map(nested_out).collect(),
        description: b.description,
        description_kind: kind_out(b.description_kind),
        deprecated: b.deprecated,
    }
}

pub(crate) fn schema_out(s: Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_out(s.block, s.version)),
    }
}

pub(crate) fn server_caps_out(c: ServerCapabilities) -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: c.plan_destroy,
        get_provider_schema_optional: c.get_provider_schema_optional,
        move_resource_state: c.move_resource_state,
    }
}

pub(crate) fn deferred_out(d: Option<DeferredReason>) -> Option<pb::Deferred> {
    use pb::deferred::Reason as R;
    d.map(|r| pb::Deferred {
        reason: match r {
            DeferredReason::Unknown => R::Unknown,
            DeferredReason::ResourceConfigUnknown => R::ResourceConfigUnknown,
            DeferredReason::ProviderConfigUnknown => R::ProviderConfigUnknown,
            DeferredReason::AbsentPrereq => R::AbsentPrereq,
        } as i32,
    })
}

pub(crate) fn raw_state_in(r: Option<pb::RawState>) -> RawState {
    r.map(|r| RawState {
        json: r.json,
        flatmap: r.flatmap.into_iter().collect(),
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::value::Type;

    #[test]
    fn schema_carries_type_json_and_flags() {
        let s = Schema {
            version: 2,
            block: Block {
                attributes: vec![Attribute::new("c", Type::map(Type::String))
                    .optional()
                    .sensitive()
                    .write_only()],
                ..Default::default()
            },
        };
        let pb = schema_out(s);
        let block = pb.block.unwrap();
        assert_eq!(block.version, 2);
        let a = &block.attributes[0];
        assert_eq!(a.r#type, br#"["map","string"]"#);
        assert!(a.optional && a.sensitive && a.write_only && !a.required);
    }

    #[test]
    fn diagnostics_keep_their_path() {
        let d = Diagnostic::error("s", "d").at(AttributePath::attr("credentials").key("host"));
        let pb = diag_out(d);
        assert_eq!(pb.severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(pb.attribute.unwrap().steps.len(), 2);
    }
}
