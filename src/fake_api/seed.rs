//! Sources a fake starts with: the `sigsentry-mock --seed FILE` format.

use serde::Deserialize;
use serde_json::json;

/// A log source to preload: one entry of `sigsentry-mock --seed FILE`, whose file is a JSON
/// array of `{"type", "name", "sources", "isActive"?, "projectId"?}` objects.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedSource {
    /// Platform type, e.g. `loki`.
    #[serde(rename = "type")]
    pub log_type: String,
    /// Name.
    pub name: String,
    /// Sources (log groups, streams, indexes...).
    pub sources: Vec<String>,
    /// Active flag (default true).
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Project (default `prj_default`).
    #[serde(default)]
    pub project_id: Option<String>,
}

impl SeedSource {
    /// Parses a seed file: a JSON array of entries, each checked as the API checks a create
    /// (type, name, sources; seeded sources have no credentials).
    pub fn parse_list(text: &str) -> Result<Vec<SeedSource>, String> {
        let list: Vec<SeedSource> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (i, s) in list.iter().enumerate() {
            let mut details = Vec::new();
            super::validate::check_type(Some(&json!(s.log_type)), &mut details);
            super::validate::check_name(Some(&json!(s.name)), &mut details);
            super::validate::check_sources(Some(&json!(s.sources)), &mut details);
            if let Some((field, why)) = details.first() {
                return Err(format!("entry {i}: {field} {why}"));
            }
        }
        Ok(list)
    }
}
