//! Schemas: what a provider block, resource, data source, list block or action accepts and
//! returns.

use super::value::Type;
use std::collections::BTreeMap;

/// How a description is formatted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringKind {
    /// Plain text.
    #[default]
    Plain,
    /// Markdown.
    Markdown,
}

/// A versioned schema of a provider, resource or data source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Bumped when stored state needs an upgrade.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    /// Attributes in the block.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub block_types: Vec<NestedBlock>,
    /// Description shown in docs and `providers schema`.
    pub description: String,
    /// How `description` is formatted.
    pub description_kind: StringKind,
    /// Whether the block is deprecated.
    pub deprecated: bool,
}

/// One attribute of a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Attribute type.
    pub ty: Type,
    /// Description (see `description_kind`).
    pub description: String,
    /// How `description` is formatted.
    pub description_kind: StringKind,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (alone, or with `optional` when config may leave it null).
    pub computed: bool,
    /// Redacted in plan output.
    pub sensitive: bool,
    /// Never stored in plan or state (Terraform 1.11+).
    pub write_only: bool,
    /// Whether the attribute is deprecated.
    pub deprecated: bool,
}

impl Attribute {
    /// A new attribute of type `ty`: set one of required/optional/computed with the builders.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: String::new(),
            description_kind: StringKind::Markdown,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
        }
    }

    /// Marks it required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks it optional.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Marks it computed.
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Marks it sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks it write-only.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// Sets a markdown description.
    pub fn describe(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self.description_kind = StringKind::Markdown;
        self
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NestingMode {
    /// At most one.
    Single,
    /// A list.
    List,
    /// A set.
    Set,
    /// A map keyed by label.
    Map,
    /// Exactly one, always present.
    Group,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    /// Block type name.
    pub type_name: String,
    /// The nested block's contents.
    pub block: Block,
    /// How it repeats.
    pub nesting: NestingMode,
    /// Fewest occurrences.
    pub min_items: i64,
    /// Most occurrences (0: no limit).
    pub max_items: i64,
}

impl Block {
    /// The object type that values of this block have: every attribute and nested block.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.block_types {
            let inner = b.block.implied_type();
            let ty = match b.nesting {
                NestingMode::Single | NestingMode::Group => inner,
                NestingMode::List => Type::list(inner),
                NestingMode::Set => Type::set(inner),
                NestingMode::Map => Type::map(inner),
            };
            attrs.insert(b.type_name.clone(), ty);
        }
        Type::object(attrs)
    }

    /// The attribute called `name`, if any.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}
