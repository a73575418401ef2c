//! The fake's log sources and their persistence. The state file holds credentials, so it
//! is written owner-only, through a randomly named temporary file created exclusively
//! (never through a symlink someone planted), then renamed into place.

use super::keys::TENANT;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A log source as stored, credentials included (the fake is a test tool).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StoredSource {
    /// Id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// Type.
    pub log_type: String,
    /// Name.
    pub name: String,
    /// Sources.
    pub sources: Vec<String>,
    /// Credentials as last sent.
    pub credentials: BTreeMap<String, String>,
    /// Active flag.
    pub is_active: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// Insertion order, for stable listing.
    pub seq: u64,
}

impl StoredSource {
    /// The source as the API shows it (credentials are never returned).
    pub fn public(&self) -> Value {
        json!({
            "id": self.id, "tenantId": TENANT, "projectId": self.project_id,
            "type": self.log_type, "name": self.name, "sources": self.sources,
            "isActive": self.is_active, "createdAt": self.created_at, "updatedAt": self.updated_at,
        })
    }

    /// The source without its credentials, for admin listings.
    pub fn without_credentials(&self) -> StoredSource {
        StoredSource {
            credentials: BTreeMap::new(),
            ..self.clone()
        }
    }

    /// Applies the fields of a PATCH body (`name`, `sources`, `isActive`, `credentials`).
    pub fn apply_patch(&mut self, patch: &Value, now: String) {
        if let Some(n) = patch.get("name").and_then(Value::as_str) {
            self.name = n.into();
        }
        if let Some(items) = patch.get("sources").and_then(Value::as_array) {
            self.sources = strings(items);
        }
        if let Some(a) = patch.get("isActive").and_then(Value::as_bool) {
            self.is_active = a;
        }
        if let Some(c) = patch.get("credentials").and_then(Value::as_object) {
            self.credentials = c
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect();
        }
        self.updated_at = now;
    }
}

/// The strings of a JSON array (others left out: the body was validated before).
pub fn strings(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// Every log source of every project.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    /// By id.
    #[serde(with = "as_list")]
    pub sources: BTreeMap<String, StoredSource>,
    /// The last insertion number handed out.
    pub seq: u64,
    /// The fake's clock, for `createdAt` and `updatedAt`.
    #[serde(skip)]
    pub clock: std::sync::Arc<super::behaviour::Clock>,
}

/// The state file lists sources rather than mapping them, as it always has.
mod as_list {
    use super::StoredSource;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<String, StoredSource>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        m.values().collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, StoredSource>, D::Error> {
        let v = Vec::<StoredSource>::deserialize(d)?;
        Ok(v.into_iter().map(|s| (s.id.clone(), s)).collect())
    }
}

/// What a new source is made of.
pub struct NewSource<'a> {
    /// Project.
    pub project: &'a str,
    /// Type.
    pub log_type: &'a str,
    /// Name.
    pub name: &'a str,
    /// Sources.
    pub sources: Vec<String>,
    /// Credentials.
    pub credentials: BTreeMap<String, String>,
    /// Active flag.
    pub is_active: bool,
}

impl Store {
    /// Stores a new source with a fresh id.
    pub fn insert(&mut self, new: NewSource<'_>) -> StoredSource {
        self.seq += 1;
        let now = self.clock.rfc3339();
        let s = StoredSource {
            id: new_id(),
            project_id: new.project.into(),
            log_type: new.log_type.into(),
            name: new.name.into(),
            sources: new.sources,
            credentials: new.credentials,
            is_active: new.is_active,
            created_at: now.clone(),
            updated_at: now,
            seq: self.seq,
        };
        self.sources.insert(s.id.clone(), s.clone());
        s
    }

    /// The source `id` of `project`, if any.
    pub fn in_project(&self, project: &str, id: &str) -> Option<&StoredSource> {
        self.sources.get(id).filter(|s| s.project_id == project)
    }

    /// Every source, in creation order.
    pub fn ordered(&self) -> Vec<StoredSource> {
        let mut v: Vec<_> = self.sources.values().cloned().collect();
        v.sort_by_key(|s| s.seq);
        v
    }
}

fn new_id() -> String {
    let hex = |n: usize| -> String {
        (0..n)
            .map(|_| format!("{:x}", fastrand::u8(0..16)))
            .collect()
    };
    format!(
        "ls_{}-{}-4{}-{}-{}",
        hex(8),
        hex(4),
        hex(3),
        hex(4),
        hex(12)
    )
}

/// Where the store is kept across restarts.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// Checks that `path` can be written (by writing a temporary file beside it) and loads
    /// what it holds. A path that cannot be written, or a state file that is a symlink or
    /// unreadable, refuses the start rather than losing every change later.
    pub fn open(path: &Path) -> Result<(StateFile, Store), String> {
        let file = StateFile {
            path: path.to_path_buf(),
        };
        let store = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symbolic link; give the state file's real path",
                    path.display()
                ))
            }
            Ok(_) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                serde_json::from_slice(&bytes)
                    .map_err(|e| format!("cannot parse {}: {e}", path.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Store::default(),
            Err(e) => return Err(format!("cannot use {}: {e}", path.display())),
        };
        let probe = file.write_temp(b"{}").map_err(|e| {
            format!(
                "cannot write the state file's directory for {}: {e}",
                path.display()
            )
        })?;
        let _ = std::fs::remove_file(probe);
        Ok((file, store))
    }

    /// Writes `store` and renames it into place, so a crash never leaves half a file.
    pub fn save(&self, store: &Store) {
        let Ok(text) = serde_json::to_vec_pretty(store) else {
            return;
        };
        match self.write_temp(&text) {
            Ok(tmp) => {
                if let Err(e) = std::fs::rename(&tmp, &self.path) {
                    let _ = std::fs::remove_file(&tmp);
                    tracing::warn!(error = %e, "cannot replace the fake's state file");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot write the fake's state file"),
        }
    }

    /// A new, exclusively created, owner-only file beside the state file holding `bytes`.
    fn write_temp(&self, bytes: &[u8]) -> std::io::Result<PathBuf> {
        use std::io::Write;
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
        let mut options = std::fs::OpenOptions::new();
        // create_new is O_EXCL: it fails on anything already there, a symlink included.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(tmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_are_owner_only_and_symlinks_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (file, mut store) = StateFile::open(&path).unwrap();
        store.insert(NewSource {
            project: "p",
            log_type: "loki",
            name: "n",
            sources: vec!["s".into()],
            credentials: BTreeMap::new(),
            is_active: true,
        });
        file.save(&store);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            assert!(StateFile::open(&link)
                .err()
                .unwrap()
                .contains("symbolic link"));
        }
        let (_, again) = StateFile::open(&path).unwrap();
        assert_eq!(again.sources.len(), 1);
        // Nothing but the state file is left behind.
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            if cfg!(unix) { 2 } else { 1 }
        );
        assert!(StateFile::open(Path::new("/proc/no-such-dir/state.json")).is_err());
    }
}
