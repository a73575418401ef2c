//! Registry-style documentation generated from the schema descriptions, so the docs never
//! drift from the schema. Hand-written prose lives in `templates/`; a template names the
//! generated parts with two tokens on lines of their own:
//! - `{{schema}}`: the attribute reference of the page's provider, resource or data source;
//! - `{{platforms}}`: the table of log types and their credential keys;
//! - `{{identity}}`: the resource's identity schema (Terraform 1.12+);
//! - `{{example PATH}}`: the file at `PATH` (relative to the repository root) in an HCL,
//!   shell or JSON code block.

use crate::framework::{Declared, ProviderAdapter};
use crate::provider::{platforms, SigSentryProvider};
use crate::tfplugin::schema::{Attribute, Block};
use crate::tfplugin::value::Type;
use std::path::{Path, PathBuf};

/// One page: where it goes under `docs/`, its template, and the schema it documents.
struct Page {
    out: &'static str,
    template: &'static str,
    block: Block,
    /// The identity, for a resource that has one.
    identity: Option<Declared>,
}

/// The pages of what the provider serves, read from the adapter that serves it (so the
/// docs document exactly what Terraform gets, and only declarations that passed its check).
fn pages() -> Result<Vec<Page>, String> {
    let adapter = ProviderAdapter::new(SigSentryProvider::new()).map_err(|e| e.to_string())?;
    let mut pages = vec![Page {
        out: "index.md",
        template: "index.md.tmpl",
        block: adapter.provider_declared().schema.block.clone(),
        identity: None,
    }];
    for r in adapter.resources() {
        if r.type_name() == "sigsentry_log_source" {
            pages.push(Page {
                out: "resources/log_source.md",
                template: "resources/log_source.md.tmpl",
                block: r.declared().schema.block.clone(),
                identity: r.identity().cloned(),
            });
        }
    }
    for l in adapter.list_resources() {
        if l.type_name() == "sigsentry_log_source" {
            pages.push(Page {
                out: "list-resources/log_source.md",
                template: "list-resources/log_source.md.tmpl",
                block: l.declared().schema.block.clone(),
                identity: None,
            });
        }
    }
    for a in adapter.actions() {
        if a.type_name() == "sigsentry_log_source_test" {
            pages.push(Page {
                out: "actions/log_source_test.md",
                template: "actions/log_source_test.md.tmpl",
                block: a.declared().schema.block.clone(),
                identity: None,
            });
        }
    }
    for d in adapter.data_sources() {
        let (out, template) = match d.type_name() {
            "sigsentry_log_source" => (
                "data-sources/log_source.md",
                "data-sources/log_source.md.tmpl",
            ),
            "sigsentry_log_sources" => (
                "data-sources/log_sources.md",
                "data-sources/log_sources.md.tmpl",
            ),
            _ => continue,
        };
        pages.push(Page {
            out,
            template,
            block: d.declared().schema.block.clone(),
            identity: None,
        });
    }
    // Guides: prose and tested examples, no schema.
    for (out, template) in [
        (
            "guides/testing-modules.md",
            "guides/testing-modules.md.tmpl",
        ),
        ("guides/many-projects.md", "guides/many-projects.md.tmpl"),
    ] {
        pages.push(Page {
            out,
            template,
            block: Block::default(),
            identity: None,
        });
    }
    Ok(pages)
}

/// HCL-style name of a type, e.g. `map(string)`.
fn type_name(t: &Type) -> String {
    match t {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "any".into(),
        Type::List(e) => format!("list({})", type_name(e)),
        Type::Set(e) => format!("set({})", type_name(e)),
        Type::Map(e) => format!("map({})", type_name(e)),
        Type::Tuple(items) => format!(
            "tuple([{}])",
            items.iter().map(type_name).collect::<Vec<_>>().join(", ")
        ),
        Type::Object { attributes, .. } => format!(
            "object({{{}}})",
            attributes
                .iter()
                .map(|(k, v)| format!("{k} = {}", type_name(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = vec![type_name(&a.ty)];
    if a.sensitive {
        flags.push("sensitive".into());
    }
    if a.write_only {
        flags.push("write-only".into());
    }
    format!("- `{}` ({}) {}\n", a.name, flags.join(", "), a.description)
}

/// Picks the attributes of one section of the reference.
type Section = (&'static str, fn(&Attribute) -> bool);

fn schema_markdown(block: &Block) -> String {
    let groups: [Section; 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    let mut out = String::from("## Schema\n");
    for (title, pick) in groups {
        let lines: String = block
            .attributes
            .iter()
            .filter(|a| pick(a))
            .map(attribute_line)
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!("\n### {title}\n\n{lines}"));
        }
    }
    out
}

/// The identity schema: what `import { identity = {...} }` takes.
fn identity_markdown(identity: &Declared) -> String {
    let mut out = String::from("### Identity Schema\n");
    for (title, required) in [("Required", true), ("Optional", false)] {
        let lines: String = identity
            .specs
            .iter()
            .filter(|s| (s.mode == crate::framework::Mode::Required) == required)
            .map(|s| format!("- `{}` ({}) {}\n", s.name, type_name(&s.ty), s.description))
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!("\n#### {title}\n\n{lines}"));
        }
    }
    out
}

fn example_block(root: &Path, rel: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(root.join(rel))
        .map_err(|e| format!("cannot read example {rel}: {e}"))?;
    let lang = if rel.ends_with(".sh") {
        "shell"
    } else if rel.ends_with(".json") {
        "json"
    } else {
        "terraform"
    };
    Ok(format!("```{lang}\n{}\n```", text.trim_end()))
}

fn render(root: &Path, page: &Page) -> Result<String, String> {
    let template_path = root.join("templates").join(page.template);
    let template = std::fs::read_to_string(&template_path)
        .map_err(|e| format!("cannot read {}: {e}", template_path.display()))?;
    let mut out = String::from(
        "<!-- Generated by `cargo run --bin gen-docs` from templates/ and the schema. Do not edit. -->\n",
    );
    for line in template.lines() {
        let t = line.trim();
        if t == "{{schema}}" {
            out.push_str(&schema_markdown(&page.block));
        } else if t == "{{platforms}}" {
            out.push_str(&platforms::markdown_table());
        } else if t == "{{identity}}" {
            let identity = page
                .identity
                .as_ref()
                .ok_or_else(|| format!("{} names {{{{identity}}}} but has none", page.template))?;
            out.push_str(&identity_markdown(identity));
        } else if let Some(rel) = t
            .strip_prefix("{{example ")
            .and_then(|r| r.strip_suffix("}}"))
        {
            out.push_str(&example_block(root, rel.trim())?);
            out.push('\n');
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// Every generated page as (path under `root`, contents).
pub fn generate(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    pages()?
        .iter()
        .map(|p| Ok((root.join("docs").join(p.out), render(root, p)?)))
        .collect()
}
