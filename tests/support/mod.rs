//! Helpers shared by the integration and acceptance tests.

#![allow(dead_code)]

pub mod core;
pub mod fake;
pub mod hcl;
pub mod hostile;
pub mod mock;
pub mod plugin;
pub mod proto;
pub mod terraform;

use std::path::Path;

/// A fake API and a workspace pointed at it, or `None` (with a printed reason, naming the
/// running test) when no terraform CLI is available.
pub fn setup() -> Option<(fake::Fake, terraform::Workspace)> {
    if !terraform::require_terraform(1, 0) {
        return None;
    }
    let fake = fake::Fake::start();
    let ws = terraform::Workspace::new(&fake.url(), fake::KEY);
    Some((fake, ws))
}

/// The running test's name: libtest names each test's thread after it.
pub fn test_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_string()
}

/// The API modes to run mode-dependent cases in: `SIGSENTRY_API_MODES` (comma-separated
/// names, e.g. `contract`), or every mode.
pub fn api_modes() -> Vec<sigsentry_mock::ApiMode> {
    use sigsentry_mock::{ApiMode, ALL_MODES};
    match std::env::var("SIGSENTRY_API_MODES") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|n| {
                ApiMode::parse(n.trim())
                    .unwrap_or_else(|| panic!("SIGSENTRY_API_MODES: no API mode {n:?}"))
            })
            .collect(),
        _ => ALL_MODES.to_vec(),
    }
}

/// Runs `case` once per API mode (see [`api_modes`]), each with a fresh fake in that mode
/// and a fresh workspace; the mode is printed first, so a failure names it.
pub fn in_each_mode(case: impl Fn(sigsentry_mock::ApiMode, &fake::Fake, &terraform::Workspace)) {
    let test = test_name();
    if !terraform::require_terraform(1, 0) {
        return;
    }
    for mode in api_modes() {
        eprintln!("== {test}: API mode {}", mode.name());
        let fake = fake::Fake::start_with(sigsentry_mock::FakeApi::new().mode(mode));
        let ws = terraform::Workspace::new(&fake.url(), fake::KEY);
        case(mode, &fake, &ws);
    }
}

/// Kills provider processes left behind in `dir` by a terraform that was itself killed
/// (a real user's machine would see the same orphans; the provider also exits on its own
/// once it notices its parent is gone).
pub fn kill_stray_providers(dir: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let strays = stray_providers(dir);
        if strays.is_empty() || std::time::Instant::now() > deadline {
            return;
        }
        for pid in strays {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Provider processes whose working directory is `dir`.
fn stray_providers(dir: &Path) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().parse::<i32>().ok()?;
            let exe = std::fs::read_link(e.path().join("exe")).ok()?;
            let cwd = std::fs::read_link(e.path().join("cwd")).ok()?;
            let is_provider = exe.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .starts_with("terraform-provider-sigsentry")
            });
            (is_provider && cwd == dir).then_some(pid)
        })
        .collect()
}
