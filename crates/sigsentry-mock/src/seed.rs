//! Sources a fake starts with: the `sigsentry-mock --seed FILE` format.
//!
//! Seed files may be cut from real exports, so an error names the entry (index and name)
//! and the field, never the value: the entries are read as JSON values and checked here
//! rather than by serde, whose messages quote what they refuse.

use serde_json::{Map, Value};

/// A log source to preload: one entry of `sigsentry-mock --seed FILE`, whose file is a JSON
/// array of `{"type", "name", "sources", "isActive"?, "projectId"?}` objects.
#[derive(Clone, Debug)]
pub struct SeedSource {
    /// Platform type, e.g. `loki`.
    pub log_type: String,
    /// Name.
    pub name: String,
    /// Sources (log groups, streams, indexes...).
    pub sources: Vec<String>,
    /// Active flag (default true).
    pub is_active: Option<bool>,
    /// Project (default `prj_default`).
    pub project_id: Option<String>,
}

const FIELDS: [&str; 5] = ["type", "name", "sources", "isActive", "projectId"];

impl SeedSource {
    /// Parses a seed file: a JSON array of entries, each checked as the API checks a create
    /// (type, name, sources; seeded sources have no credentials). The first bad entry is
    /// refused with its index, its name when it has a valid one, and the field.
    pub fn parse_list(text: &str) -> Result<Vec<SeedSource>, String> {
        // serde_json's syntax errors give a line and column, not the text there.
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Array(entries) = value else {
            return Err("expected a JSON array of log sources".into());
        };
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| entry(e).map_err(|why| format!("entry {i}{}: {why}", label(e))))
            .collect()
    }
}

/// ` "NAME"` for an entry with a valid name, for error messages; nothing otherwise.
fn label(entry: &Value) -> String {
    match entry["name"].as_str() {
        Some(n) if (1..=255).contains(&n.chars().count()) => format!(" {n:?}"),
        _ => String::new(),
    }
}

/// One entry, or what is wrong with it (field and rule, no value).
fn entry(v: &Value) -> Result<SeedSource, String> {
    let Value::Object(map) = v else {
        return Err("expected a JSON object".into());
    };
    if let Some(k) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field {k:?} (expected {})",
            FIELDS.join(", ")
        ));
    }
    let mut details = Vec::new();
    super::validate::check_type(map.get("type"), &mut details);
    super::validate::check_name(map.get("name"), &mut details);
    super::validate::check_sources(map.get("sources"), &mut details);
    if let Some((field, why)) = details.first() {
        // The contract's rules read a value of the wrong type as missing: say which it is.
        let why = match map.get(field.as_str()) {
            Some(v) if why == "is required" && !v.is_string() => "must be a string",
            _ => why,
        };
        return Err(format!("{field} {why}"));
    }
    let string = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(SeedSource {
        log_type: string("type").unwrap_or_default(),
        name: string("name").unwrap_or_default(),
        sources: map
            .get("sources")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        is_active: optional(map, "isActive", Value::as_bool, "must be true or false")?,
        project_id: optional(
            map,
            "projectId",
            |v| v.as_str().map(str::to_string),
            "must be a string",
        )?,
    })
}

/// An optional field (absent or null: `None`), read with `read`; `rule` when it cannot be.
fn optional<T>(
    map: &Map<String, Value>,
    field: &str,
    read: impl Fn(&Value) -> Option<T>,
    rule: &str,
) -> Result<Option<T>, String> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => read(v).map(Some).ok_or_else(|| format!("{field} {rule}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_seed_keeps_every_field() {
        let list = SeedSource::parse_list(
            r#"[{"type": "loki", "name": "a", "sources": ["x", "y"], "isActive": false,
                 "projectId": "prj_other"}, {"type": "splunk", "name": "b", "sources": ["m"],
                 "isActive": null}]"#,
        )
        .unwrap();
        assert_eq!(list[0].log_type, "loki");
        assert_eq!(list[0].sources, ["x", "y"]);
        assert_eq!(list[0].is_active, Some(false));
        assert_eq!(list[0].project_id.as_deref(), Some("prj_other"));
        assert_eq!(list[1].is_active, None);
        assert_eq!(list[1].project_id, None);
    }
}
