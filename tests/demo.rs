//! The README's first command, end to end: the demo builds nothing here (it is handed the
//! binaries cargo built for the tests), starts the fake API, and must leave it empty.

use std::process::Command;

mod support;

#[test]
fn readme_demo_runs_end_to_end_and_cleans_up() {
    if !support::terraform::require_terraform(1, 0) {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg(format!("{root}/scripts/demo.sh"))
        .env(
            "SIGSENTRY_PROVIDER_BIN",
            env!("CARGO_BIN_EXE_terraform-provider-sigsentry"),
        )
        .env("SIGSENTRY_MOCK_BIN", support::mock::bin())
        .env(
            "SIGSENTRY_TERRAFORM",
            support::terraform::terraform_bin().expect("terraform"),
        )
        .output()
        .expect("run demo");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "demo failed:\n{text}");
    for expect in [
        "Apply complete! Resources: 2 added",
        "No changes.",
        "Import successful!",
        "Destroy complete! Resources: 3 destroyed.",
        "log sources left in the fake API: 0",
    ] {
        assert!(
            text.contains(expect),
            "demo output lacks {expect:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("wJalrXUtnFEMI"),
        "a secret reached the demo output"
    );
}
