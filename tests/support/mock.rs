//! The `sigsentry-mock` binary as a child process, for the tests of the binary itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;

/// The `sigsentry-mock` executable, current with the source. It belongs to another package of
/// the workspace (crates/sigsentry-mock), for which cargo gives these tests no
/// `CARGO_BIN_EXE_`, so the first call runs `cargo build --bin sigsentry-mock` (quick when
/// it is up to date) in the profile these tests were built with, and takes the path cargo
/// reports. `--examples` (there are none) makes cargo resolve features as it does for tests,
/// so the build reuses the tests' dependencies instead of compiling a second set.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(build_mock)
}

fn build_mock() -> PathBuf {
    // target/PROFILE/deps/TEST-HASH; the dev profile's directory is `debug`.
    let exe = std::env::current_exe().expect("the test's path");
    let profile = match exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
    {
        Some(dir) if dir != "debug" => dir.to_string_lossy().into_owned(),
        _ => "dev".to_string(),
    };
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--quiet",
            "--message-format=json-render-diagnostics",
        ])
        .args([
            "--profile",
            &profile,
            "--bin",
            "sigsentry-mock",
            "--examples",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo build --bin sigsentry-mock failed"
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "sigsentry-mock")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the sigsentry-mock executable")
}

/// A running `sigsentry-mock`; killed when dropped.
pub struct MockProcess {
    child: Child,
    /// Its base URL, from the `listening on URL` line it prints.
    pub url: String,
}

impl MockProcess {
    /// Starts `sigsentry-mock ARGS` and waits for its address line.
    pub fn start<I, S>(args: I) -> MockProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Self::start_in(Path::new("."), args)
    }

    /// Starts `sigsentry-mock ARGS` in `dir`, as a user runs it there, and waits for its
    /// address line.
    pub fn start_in<I, S>(dir: &Path, args: I) -> MockProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut child = Command::new(bin())
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sigsentry-mock starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("an address line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("address line: {line:?}"))
            .to_string();
        MockProcess { child, url }
    }

    /// Sends SIGTERM, as a pipeline stops it, and waits for it to exit.
    pub fn terminate(mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("sigsentry-mock exits")
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
