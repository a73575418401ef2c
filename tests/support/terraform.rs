//! Runs the real `terraform` CLI against the provider binary built by cargo, in a temp dir
//! with a CLI config whose `dev_overrides` point at that binary (no registry, no init).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The Terraform CLI to test with: `SIGSENTRY_TERRAFORM`, else `terraform` on PATH.
pub fn terraform_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SIGSENTRY_TERRAFORM") {
        if !p.is_empty() {
            return Some(PathBuf::from(p));
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("terraform"))
        .find(|p| p.is_file())
}

/// Terraform's version as (major, minor, patch), once per test binary.
pub fn terraform_version() -> Option<(u32, u32, u32)> {
    static VERSION: OnceLock<Option<(u32, u32, u32)>> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let bin = terraform_bin()?;
        let out = Command::new(bin).arg("version").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let v = text.split_whitespace().nth(1)?.trim_start_matches('v');
        let mut parts = v.split(['.', '-']).map(|p| p.parse::<u32>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    })
}

/// True when the CLI is at least `major.minor`; prints why a test is skipped otherwise.
/// Without any CLI the test fails when `CI` is set, and skips otherwise. With
/// `SIGSENTRY_REQUIRE_NEWER_TERRAFORM=1` (scripts/test.sh's Terraform 1.15.5 pass) a CLI too
/// old for the test fails it: that pass exists to run every test, so a skip would hide one.
pub fn require_terraform(major: u32, minor: u32) -> bool {
    let test = super::test_name();
    let test = test.as_str();
    match terraform_version() {
        Some(v) if (v.0, v.1) >= (major, minor) => true,
        Some(v) => {
            let why = format!(
                "needs Terraform >= {major}.{minor}, found {}.{}.{}",
                v.0, v.1, v.2
            );
            assert!(
                std::env::var("SIGSENTRY_REQUIRE_NEWER_TERRAFORM").as_deref() != Ok("1"),
                "{test}: {why} (SIGSENTRY_REQUIRE_NEWER_TERRAFORM=1: this pass must run it)"
            );
            eprintln!("SKIP {test}: {why}");
            false
        }
        None => {
            let why = "no terraform CLI (set SIGSENTRY_TERRAFORM or put it on PATH)";
            // In CI a missing CLI is a broken setup, never a pass.
            assert!(std::env::var_os("CI").is_none(), "{test}: {why}");
            eprintln!("SKIP {test}: {why}");
            false
        }
    }
}

/// The directory holding the provider binary cargo built for these tests.
pub fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_terraform-provider-sigsentry"))
        .parent()
        .expect("binary has a directory")
        .to_path_buf()
}

/// A CLI config whose dev_overrides serve our provider from `dir`.
fn write_cli_config(path: &Path, dir: &Path) {
    std::fs::write(
        path,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/sigsentry/sigsentry\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            dir.display()
        ),
    )
    .expect("write CLI config");
}

/// A Terraform working directory with its own CLI config and environment.
pub struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// What one terraform command did.
pub struct Run {
    /// Exit code (-1 when killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Both streams, for assertions and failure messages.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics with the output unless the command succeeded.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.all());
        self
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Workspace {
    /// A workspace whose provider talks to `api_url` with `api_key`.
    pub fn new(api_url: &str, api_key: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let cli_config = dir.path().join("terraform.rc");
        write_cli_config(&cli_config, &provider_dir());
        let env = vec![
            (
                "TF_CLI_CONFIG_FILE".into(),
                cli_config.display().to_string(),
            ),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            ("SIGSENTRY_API_URL".into(), api_url.into()),
            ("SIGSENTRY_API_KEY".into(), api_key.into()),
        ];
        Workspace { dir, env }
    }

    /// The workspace directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Serves the provider binary at `bin` from now on (for upgrade tests: another build).
    pub fn use_provider_binary(&self, bin: &Path) {
        let dir = self.dir.path().join("provider-override");
        std::fs::create_dir_all(&dir).expect("provider dir");
        let target = dir.join("terraform-provider-sigsentry");
        let _ = std::fs::remove_file(&target);
        std::fs::copy(bin, &target).expect("copy provider binary");
        write_cli_config(&self.dir.path().join("terraform.rc"), &dir);
    }

    /// Serves this build's provider again.
    pub fn use_this_build(&self) {
        write_cli_config(&self.dir.path().join("terraform.rc"), &provider_dir());
    }

    /// Sets an extra environment variable for later commands.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// Writes `main.tf` (and `versions.tf` naming our provider's source address).
    pub fn config(&self, hcl: &str) {
        std::fs::write(
            self.dir.path().join("versions.tf"),
            "terraform {\n  required_providers {\n    sigsentry = { source = \"sigsentry/sigsentry\" }\n  }\n}\n",
        )
        .expect("write versions.tf");
        std::fs::write(self.dir.path().join("main.tf"), hcl).expect("write main.tf");
    }

    /// A terraform command ready to run here.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.program(terraform_bin().expect("terraform CLI"));
        cmd.args(args);
        cmd
    }

    /// `program` ready to run here with the workspace's environment (a script that runs
    /// terraform itself, say).
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path())
            .stdin(Stdio::null())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PATH")
            .env_remove("TF_LOG_PROVIDER");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs terraform with `args` and waits.
    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("run terraform").into()
    }

    /// `terraform apply -auto-approve` (plus `extra`), which must succeed.
    pub fn apply(&self, extra: &[&str]) -> Run {
        let mut args = vec!["apply", "-auto-approve", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args).ok()
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 2 changes, 1 error.
    pub fn plan(&self) -> Run {
        self.run(&["plan", "-detailed-exitcode", "-no-color"])
    }

    /// Asserts the next plan is empty (no perpetual diff).
    pub fn assert_no_changes(&self) {
        let p = self.plan();
        assert_eq!(p.code, 0, "expected an empty plan:\n{}", p.all());
    }

    /// The state as `terraform show -json` prints it.
    pub fn state(&self) -> serde_json::Value {
        let out = self.run(&["show", "-json"]).ok();
        serde_json::from_str(&out.stdout).expect("show -json output")
    }

    /// The attribute values of resource `address` in state.
    pub fn resource(&self, address: &str) -> serde_json::Value {
        let state = self.state();
        let resources = state["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        resources
            .into_iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
            .unwrap_or(serde_json::Value::Null)
    }

    /// The raw state file.
    pub fn state_file(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("terraform.tfstate")).unwrap_or_default()
    }

    /// The private data Terraform stores with resource `name`'s first instance, decoded
    /// (null when there is none).
    pub fn private_of(&self, name: &str) -> serde_json::Value {
        use base64::Engine;
        let state: serde_json::Value =
            serde_json::from_str(&self.state_file()).expect("state file JSON");
        let resources = state["resources"].as_array().cloned().unwrap_or_default();
        let Some(r) = resources.iter().find(|r| r["name"] == name) else {
            return serde_json::Value::Null;
        };
        let Some(b64) = r["instances"][0]["private"].as_str() else {
            return serde_json::Value::Null;
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("private is base64");
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
    }

    /// The first instance of the first resource as the state file stores it: with the
    /// `private` and `sensitive_attributes` fields that `terraform show -json` leaves out.
    pub fn first_instance_in_state_file(&self) -> serde_json::Value {
        let state: serde_json::Value =
            serde_json::from_str(&self.state_file()).expect("state file JSON");
        state["resources"][0]["instances"][0].clone()
    }
}
