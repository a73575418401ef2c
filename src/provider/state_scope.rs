//! Which Terraform state this provider process serves, as far as a provider can tell. No
//! RPC carries the workspace or the backend, but Terraform runs the provider in its working
//! directory, where its data directory records both. Create keys are scoped by this, so
//! two workspaces or two states never share a key, while a re-run of the same state (after
//! a crash, from another checkout of the same remote backend) derives the same one.

use std::path::{Path, PathBuf};

/// Backend config fields that may hold a credential: a per-job token must not change the
/// scope, so these are left out (they never identify the state anyway).
const SECRET_FIELD_HINTS: [&str; 7] = [
    "password",
    "token",
    "secret",
    "credential",
    "access_key",
    "private_key",
    "client_certificate",
];

/// The scope of the state served from the current directory and environment.
pub fn current() -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let data_dir = std::env::var_os("TF_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".terraform"));
    let data_dir = if data_dir.is_absolute() {
        data_dir
    } else {
        cwd.join(data_dir)
    };
    let workspace = std::env::var("TF_WORKSPACE")
        .ok()
        .filter(|w| !w.trim().is_empty())
        .or_else(|| std::fs::read_to_string(data_dir.join("environment")).ok())
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let backend = std::fs::read(data_dir.join("terraform.tfstate"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("backend").cloned());
    scope(&cwd, backend.as_ref(), &workspace)
}

/// The scope for a working directory, the data directory's backend record and a workspace.
fn scope(cwd: &Path, backend: Option<&serde_json::Value>, workspace: &str) -> String {
    let kind = backend
        .and_then(|b| b.get("type"))
        .and_then(|t| t.as_str())
        .unwrap_or("local");
    let config = backend.and_then(|b| b.get("config"));
    let identity = if kind == "local" {
        // The state lives in a file: where it is identifies it.
        let path = config
            .and_then(|c| c.get("path"))
            .and_then(|p| p.as_str())
            .map(|p| cwd.join(p))
            .unwrap_or_else(|| cwd.to_path_buf());
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        serde_json::json!({"local": path.display().to_string()})
    } else {
        serde_json::json!({"backend": kind, "config": identifying(config)})
    };
    serde_json::json!({"state": identity, "workspace": workspace}).to_string()
}

/// The backend config without null values and without fields that may hold a secret.
fn identifying(config: Option<&serde_json::Value>) -> serde_json::Value {
    let Some(serde_json::Value::Object(map)) = config else {
        return serde_json::Value::Null;
    };
    serde_json::Value::Object(
        map.iter()
            .filter(|(k, v)| {
                let k = k.to_ascii_lowercase();
                !v.is_null() && !SECRET_FIELD_HINTS.iter().any(|h| k.contains(h))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn workspaces_and_directories_differ_remote_checkouts_agree() {
        let a = Path::new("/work/a");
        let b = Path::new("/work/b");
        assert_ne!(scope(a, None, "default"), scope(a, None, "staging"));
        assert_ne!(scope(a, None, "default"), scope(b, None, "default"));
        let s3 = json!({"type": "s3", "config": {"bucket": "tf", "key": "prod.tfstate",
            "region": "eu-west-1", "access_key": "AKIA-per-job", "token": null}});
        let s3_other_job = json!({"type": "s3", "config": {"bucket": "tf", "key": "prod.tfstate",
            "region": "eu-west-1", "access_key": "AKIA-another-job"}});
        // Another checkout of the same remote state, with another per-job credential.
        assert_eq!(
            scope(a, Some(&s3), "default"),
            scope(b, Some(&s3_other_job), "default")
        );
        let other_key = json!({"type": "s3", "config": {"bucket": "tf", "key": "dev.tfstate"}});
        assert_ne!(
            scope(a, Some(&s3), "default"),
            scope(a, Some(&other_key), "default")
        );
        assert!(!scope(a, Some(&s3), "default").contains("AKIA"));
    }

    #[test]
    fn an_explicit_local_path_names_the_state() {
        let local = json!({"type": "local", "config": {"path": "states/x.tfstate"}});
        assert_ne!(
            scope(Path::new("/w"), Some(&local), "default"),
            scope(Path::new("/w"), None, "default")
        );
    }
}
