//! `make install` then a plain, offline `terraform init`; and every example passes
//! `terraform fmt -check` and `terraform validate` against the built provider.

mod support;

use std::path::Path;
use std::process::Command;
use support::terraform::{provider_dir, require_terraform, terraform_bin, terraform_version};

/// Copies the files of `from` into `to`, but for those `skip` names.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if e.file_type().unwrap().is_file() && !skip.contains(&name.as_str()) {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn make_install_then_plain_terraform_init_works_offline() {
    if !require_terraform(1, 0) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("make")
        .args(["-C", root, "--no-print-directory", "install-bin"])
        .arg(format!(
            "BIN={}",
            env!("CARGO_BIN_EXE_terraform-provider-sigsentry")
        ))
        .arg(format!(
            "PLUGIN_DIR={}/.terraform.d/plugins",
            home.path().display()
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        installed.contains("registry.terraform.io/sigsentry/sigsentry/0.1.0/linux_amd64/terraform-provider-sigsentry_v0.1.0"),
        "{installed}"
    );

    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("main.tf"),
        "terraform {\n  required_providers {\n    sigsentry = { source = \"sigsentry/sigsentry\" }\n  }\n}\n\nresource \"sigsentry_log_source\" \"x\" {\n  type        = \"loki\"\n  name        = \"l\"\n  credentials = { host = \"https://loki.example.com\" }\n  sources     = [\"{a=\\\"b\\\"}\"]\n}\n",
    )
    .unwrap();
    let empty_rc = home.path().join("empty.rc");
    std::fs::write(&empty_rc, "").unwrap();
    let tf = |args: &[&str]| {
        Command::new(terraform_bin().unwrap())
            .args(args)
            .current_dir(&work)
            .env("HOME", home.path())
            .env("TF_CLI_CONFIG_FILE", &empty_rc)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            // Any attempt to reach a registry fails fast instead of hanging.
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .output()
            .unwrap()
    };
    let init = tf(&["init", "-no-color"]);
    let text =
        String::from_utf8_lossy(&init.stdout).to_string() + &String::from_utf8_lossy(&init.stderr);
    assert!(init.status.success(), "{text}");
    assert!(text.contains("sigsentry/sigsentry v0.1.0"), "{text}");
    let validate = tf(&["validate", "-no-color"]);
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
}

#[test]
fn examples_are_formatted_and_valid() {
    if !require_terraform(1, 0) {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fmt = Command::new(terraform_bin().unwrap())
        .args(["fmt", "-check", "-recursive", "-diff"])
        .arg(root.join("examples"))
        .output()
        .unwrap();
    assert!(
        fmt.status.success(),
        "{}",
        String::from_utf8_lossy(&fmt.stdout)
    );

    let minor = terraform_version().map(|v| v.1).unwrap_or(0);
    for (dir, needs) in [
        ("examples/provider", 0),
        ("examples/quickstart", 0),
        // Write-only credentials and ephemeral variables need Terraform 1.11.
        ("examples/resources/sigsentry_log_source", 11),
        ("examples/data-sources/sigsentry_log_source", 0),
        ("examples/data-sources/sigsentry_log_sources", 0),
        ("examples/actions/sigsentry_log_source_test", 14),
        ("examples/guides/many-projects", 0),
    ] {
        if minor < needs {
            eprintln!("SKIP validate {dir}: it needs Terraform >= 1.{needs}");
            continue;
        }
        // Import by identity is Terraform 1.12+.
        let skip: &[&str] = if minor < 12 {
            eprintln!("SKIP validate import-by-identity.tf: it needs Terraform >= 1.12");
            &["import-by-identity.tf"]
        } else {
            &[]
        };
        let ws = support::terraform::Workspace::new("http://127.0.0.1:9", "unused");
        copy_dir(&root.join(dir), ws.path(), skip);
        let has_block = std::fs::read_dir(ws.path()).unwrap().flatten().any(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .contains("required_providers")
        });
        if !has_block {
            std::fs::write(
                ws.path().join("versions.tf"),
                "terraform {\n  required_providers {\n    sigsentry = { source = \"sigsentry/sigsentry\" }\n  }\n}\n",
            )
            .unwrap();
        }
        if dir.ends_with("sigsentry_log_source") && minor >= 12 {
            // The import block names a resource it needs.
            std::fs::write(
                ws.path().join("target.tf"),
                "resource \"sigsentry_log_source\" \"from_dashboard\" {\n  type = \"loki\"\n  name = \"x\"\n  credentials = { host = \"https://loki.example.com\" }\n  sources = [\"a\"]\n}\n",
            )
            .unwrap();
        }
        let v = ws.run(&["validate", "-no-color"]);
        assert_eq!(v.code, 0, "{dir}:\n{}", v.all());
    }
    // The query file: `terraform validate -query` is Terraform 1.14+.
    if minor >= 14 {
        let ws = support::terraform::Workspace::new("http://127.0.0.1:9", "unused");
        copy_dir(
            &root.join("examples/list-resources/sigsentry_log_source"),
            ws.path(),
            &[],
        );
        ws.config("provider \"sigsentry\" {}\n");
        let v = ws.run(&["validate", "-query", "-no-color"]);
        assert_eq!(v.code, 0, "list resource example:\n{}", v.all());
    } else {
        eprintln!("SKIP validate -query of the list resource example: it needs Terraform >= 1.14");
    }
    let _ = provider_dir();
}
