//! Schemas and capabilities: what the provider announces (its schemas, in full for
//! GetProviderSchema and as type names for GetMetadata, and its server capabilities) and
//! what the client says it can handle.

use super::tfplugin6 as pb;
use crate::tfplugin::rpc::{
    ClientCapabilities, GetProviderSchemaResponse, GetResourceIdentitySchemasResponse,
    IdentityAttribute, IdentitySchema, ServerCapabilities,
};
use crate::tfplugin::schema::{Attribute, Block, NestedBlock, NestingMode, Schema, StringKind};

impl From<GetProviderSchemaResponse> for pb::get_provider_schema::Response {
    fn from(s: GetProviderSchemaResponse) -> Self {
        pb::get_provider_schema::Response {
            provider: Some(s.provider.into()),
            resource_schemas: s
                .resource_schemas
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect(),
            data_source_schemas: s
                .data_source_schemas
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect(),
            diagnostics: s.diagnostics.into(),
            provider_meta: s.provider_meta.map(Into::into),
            server_capabilities: Some(s.server_capabilities.into()),
            functions: Default::default(),
            ephemeral_resource_schemas: Default::default(),
            list_resource_schemas: s
                .list_resource_schemas
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect(),
            action_schemas: s
                .action_schemas
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        pb::ActionSchema {
                            schema: Some(v.into()),
                        },
                    )
                })
                .collect(),
        }
    }
}

/// GetMetadata is the schema response without the schemas: only the type names.
impl From<GetProviderSchemaResponse> for pb::get_metadata::Response {
    fn from(s: GetProviderSchemaResponse) -> Self {
        pb::get_metadata::Response {
            server_capabilities: Some(s.server_capabilities.into()),
            diagnostics: s.diagnostics.into(),
            data_sources: s
                .data_source_schemas
                .into_keys()
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            resources: s
                .resource_schemas
                .into_keys()
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
            list_resources: s
                .list_resource_schemas
                .into_keys()
                .map(|type_name| pb::get_metadata::ListResourceMetadata { type_name })
                .collect(),
            actions: s
                .action_schemas
                .into_keys()
                .map(|type_name| pb::get_metadata::ActionMetadata { type_name })
                .collect(),
        }
    }
}

impl From<Schema> for pb::Schema {
    fn from(s: Schema) -> Self {
        // The top-level block carries the schema's version too; nested blocks carry 0.
        let mut block = pb::schema::Block::from(s.block);
        block.version = s.version;
        pb::Schema {
            version: s.version,
            block: Some(block),
        }
    }
}

impl From<Block> for pb::schema::Block {
    fn from(b: Block) -> Self {
        pb::schema::Block {
            version: 0,
            attributes: b.attributes.into_iter().map(Into::into).collect(),
            block_types: b.block_types.into_iter().map(Into::into).collect(),
            description: b.description,
            description_kind: pb::StringKind::from(b.description_kind) as i32,
            deprecated: b.deprecated,
        }
    }
}

impl From<Attribute> for pb::schema::Attribute {
    fn from(a: Attribute) -> Self {
        pb::schema::Attribute {
            name: a.name,
            r#type: a.ty.to_json(),
            nested_type: None,
            description: a.description,
            required: a.required,
            optional: a.optional,
            computed: a.computed,
            sensitive: a.sensitive,
            description_kind: pb::StringKind::from(a.description_kind) as i32,
            deprecated: a.deprecated,
            write_only: a.write_only,
        }
    }
}

impl From<NestedBlock> for pb::schema::NestedBlock {
    fn from(b: NestedBlock) -> Self {
        pb::schema::NestedBlock {
            type_name: b.type_name,
            block: Some(b.block.into()),
            nesting: pb::schema::nested_block::NestingMode::from(b.nesting) as i32,
            min_items: b.min_items,
            max_items: b.max_items,
        }
    }
}

impl From<NestingMode> for pb::schema::nested_block::NestingMode {
    fn from(m: NestingMode) -> Self {
        use pb::schema::nested_block::NestingMode as M;
        match m {
            NestingMode::Single => M::Single,
            NestingMode::List => M::List,
            NestingMode::Set => M::Set,
            NestingMode::Map => M::Map,
            NestingMode::Group => M::Group,
        }
    }
}

impl From<StringKind> for pb::StringKind {
    fn from(k: StringKind) -> Self {
        match k {
            StringKind::Plain => pb::StringKind::Plain,
            StringKind::Markdown => pb::StringKind::Markdown,
        }
    }
}

impl From<ServerCapabilities> for pb::ServerCapabilities {
    fn from(c: ServerCapabilities) -> Self {
        pb::ServerCapabilities {
            plan_destroy: c.plan_destroy,
            get_provider_schema_optional: c.get_provider_schema_optional,
            move_resource_state: c.move_resource_state,
            generate_resource_config: c.generate_resource_config,
        }
    }
}

impl From<GetResourceIdentitySchemasResponse> for pb::get_resource_identity_schemas::Response {
    fn from(s: GetResourceIdentitySchemasResponse) -> Self {
        pb::get_resource_identity_schemas::Response {
            identity_schemas: s
                .identity_schemas
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect(),
            diagnostics: s.diagnostics.into(),
        }
    }
}

impl From<IdentitySchema> for pb::ResourceIdentitySchema {
    fn from(s: IdentitySchema) -> Self {
        pb::ResourceIdentitySchema {
            version: s.version,
            identity_attributes: s.attributes.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<IdentityAttribute> for pb::resource_identity_schema::IdentityAttribute {
    fn from(a: IdentityAttribute) -> Self {
        pb::resource_identity_schema::IdentityAttribute {
            name: a.name,
            r#type: a.ty.to_json(),
            required_for_import: a.required_for_import,
            optional_for_import: a.optional_for_import,
            description: a.description,
        }
    }
}

impl From<pb::ClientCapabilities> for ClientCapabilities {
    fn from(c: pb::ClientCapabilities) -> Self {
        ClientCapabilities {
            deferral_allowed: c.deferral_allowed,
            write_only_attributes_allowed: c.write_only_attributes_allowed,
            store_planned_private: c.store_planned_private,
        }
    }
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
        let pb = pb::Schema::from(s);
        let block = pb.block.unwrap();
        assert_eq!(block.version, 2);
        let a = &block.attributes[0];
        assert_eq!(a.r#type, br#"["map","string"]"#);
        assert!(a.optional && a.sensitive && a.write_only && !a.required);
    }

    #[test]
    fn nested_blocks_carry_version_zero() {
        let s = Schema {
            version: 3,
            block: Block {
                block_types: vec![NestedBlock {
                    type_name: "n".into(),
                    block: Block::default(),
                    nesting: NestingMode::List,
                    min_items: 0,
                    max_items: 1,
                }],
                ..Default::default()
            },
        };
        let block = pb::Schema::from(s).block.unwrap();
        assert_eq!(block.version, 3);
        let nested = &block.block_types[0];
        assert_eq!(nested.block.as_ref().unwrap().version, 0);
        assert_eq!(
            nested.nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
    }

    #[test]
    fn metadata_lists_the_schemas_type_names() {
        let mut s = GetProviderSchemaResponse::default();
        s.resource_schemas.insert("r".into(), Schema::default());
        s.data_source_schemas.insert("d".into(), Schema::default());
        let m = pb::get_metadata::Response::from(s);
        assert_eq!(m.resources[0].type_name, "r");
        assert_eq!(m.data_sources[0].type_name, "d");
    }
}
