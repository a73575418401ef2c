//! The release builds for other platforms, run where they can run here: the static
//! linux_amd64 build in an empty chroot (and `ldd` calls it not dynamic), linux_arm64 under
//! qemu-aarch64, windows_amd64 under wine (TCP on 127.0.0.1, as go-plugin does on Windows).
//! Each completes the go-plugin handshake with mutual TLS, serves its schema, reads log
//! sources from a fake API, and exits on Shutdown; each platform's sigsentry-mock serves a
//! seeded fake. macOS builds cannot run here: tests/release.rs checks what they are, and the
//! release workflow runs them on a macOS runner.

#[path = "support/cross.rs"]
mod cross;
mod support;

use sigsentry_mock::{FakeApi, SeedSource};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::fake::{Fake, KEY};
use support::plugin::{self, terraform_like_cert};

/// An emulated first start (qemu, or wine making its prefix) is slow; a hung one fails.
const START_LIMIT: Duration = Duration::from_secs(120);

fn seeded_fake() -> Fake {
    Fake::start_with(FakeApi::new().seed(SeedSource::parse_list(cross::SEED).unwrap()))
}

/// The target's binaries, built; or None (skipped with the reason printed).
fn built(test: &str, target: &str, runner: Option<&str>) -> Option<PathBuf> {
    if let Some(why) = cross::cannot_build(target) {
        cross::skip(test, &why);
        return None;
    }
    if let Some(r) = runner {
        if cross::which(r).is_none() {
            cross::skip(test, &format!("no {r} on PATH"));
            return None;
        }
    }
    Some(cross::build(target))
}

fn assert_serves_sigsentry(served: &cross::Served) {
    for t in [
        "sigsentry_log_source",
        "data.sigsentry_log_source",
        "data.sigsentry_log_sources",
    ] {
        assert!(
            served.types.iter().any(|x| x == t),
            "{t}: {:?}",
            served.types
        );
    }
    assert_eq!(served.listed, cross::SEEDED);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn linux_amd64_release_is_static_and_runs_in_an_empty_chroot() {
    let test = "linux_amd64_release_is_static_and_runs_in_an_empty_chroot";
    let Some(dir) = built(test, cross::LINUX_AMD64, Some("chroot")) else {
        return;
    };
    let bin = dir.join("terraform-provider-sigsentry");
    let ldd = Command::new("ldd").arg(&bin).output().expect("run ldd");
    let said =
        String::from_utf8_lossy(&ldd.stdout).to_string() + &String::from_utf8_lossy(&ldd.stderr);
    assert!(said.contains("not a dynamic executable"), "ldd: {said}");

    // Nothing but the binary and /tmp: no libc, no /etc, no certificates, no /proc.
    let root = tempfile::tempdir().unwrap();
    let tmp = root.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::copy(&bin, root.path().join("provider")).unwrap();
    std::fs::copy(dir.join("sigsentry-mock"), root.path().join("mock")).unwrap();
    std::fs::write(root.path().join("seed.json"), cross::SEED).unwrap();
    let probe = Command::new("chroot")
        .arg(root.path())
        .arg("/provider")
        .arg("--version")
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            let why = format!(
                "chroot refused: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            // chroot(2) needs root (CAP_SYS_CHROOT): a skip, not a missing tool, for anyone
            // else. CI runs as root, where a refusal fails the test.
            if is_root() {
                cross::skip(test, &why);
            } else {
                eprintln!("SKIP {test}: {why} (chroot needs root)");
            }
            return;
        }
        Err(e) => {
            cross::skip(test, &format!("cannot run chroot: {e}"));
            return;
        }
    }

    let fake = seeded_fake();
    let cert = terraform_like_cert();
    let mut cmd = Command::new("chroot");
    cmd.arg(root.path()).arg("/provider");
    let mut p = cross::start_within(plugin::with_terraform_env(cmd, Some(&cert)), START_LIMIT);
    assert_eq!(p.handshake.network, "unix", "{}", p.handshake.line);
    // The socket path is the provider's, inside the chroot.
    let inside = p.handshake.address.clone();
    assert!(inside.starts_with("/tmp/plugin"), "{inside}");
    p.handshake.address = root
        .path()
        .join(inside.trim_start_matches('/'))
        .display()
        .to_string();
    let served = cross::drive(&mut p, Some(&cert), &fake.url(), KEY);
    assert_serves_sigsentry(&served);

    // With an /etc/hosts, as every container has, a host name resolves too (no NSS needed).
    std::fs::create_dir(root.path().join("etc")).unwrap();
    std::fs::write(root.path().join("etc/hosts"), "127.0.0.1 localhost\n").unwrap();
    let by_name = fake.url().replace("127.0.0.1", "localhost");
    let mut cmd = Command::new("chroot");
    cmd.arg(root.path()).arg("/provider");
    let mut p = cross::start_within(plugin::with_terraform_env(cmd, Some(&cert)), START_LIMIT);
    let inside = p.handshake.address.clone();
    p.handshake.address = root
        .path()
        .join(inside.trim_start_matches('/'))
        .display()
        .to_string();
    assert_serves_sigsentry(&cross::drive(&mut p, Some(&cert), &by_name, KEY));

    let mut mock = Command::new("chroot");
    mock.arg(root.path())
        .args(["/mock", "--seed", "/seed.json"]);
    assert_eq!(cross::mock_lists(mock, START_LIMIT), cross::SEEDED);
}

#[test]
fn linux_arm64_release_serves_under_qemu() {
    let test = "linux_arm64_release_serves_under_qemu";
    let Some(dir) = built(test, cross::LINUX_ARM64, Some("qemu-aarch64")) else {
        return;
    };
    let bin = dir.join("terraform-provider-sigsentry");
    let fake = seeded_fake();
    let cert = terraform_like_cert();
    let mut cmd = Command::new("qemu-aarch64");
    cmd.arg(&bin);
    let mut p = cross::start_within(plugin::with_terraform_env(cmd, Some(&cert)), START_LIMIT);
    assert_eq!(p.handshake.network, "unix", "{}", p.handshake.line);
    assert_serves_sigsentry(&cross::drive(&mut p, Some(&cert), &fake.url(), KEY));

    let seed = tempfile::tempdir().unwrap();
    std::fs::write(seed.path().join("seed.json"), cross::SEED).unwrap();
    let mut mock = Command::new("qemu-aarch64");
    mock.arg(dir.join("sigsentry-mock"))
        .arg("--seed")
        .arg(seed.path().join("seed.json"));
    assert_eq!(cross::mock_lists(mock, START_LIMIT), cross::SEEDED);
}

/// A wine prefix for the tests (made once, kept in target/tools), with a stand-in for
/// bcryptprimitives.dll: Rust's std draws random numbers from its ProcessPrng (Windows 10
/// and later have it), which Debian 12's wine 8.0 lacks. The stand-in, built with zig from
/// tests/support/wine/bcryptprimitives.c, answers from BCryptGenRandom, which wine has.
fn wine_prefix() -> PathBuf {
    let prefix = cross::root().join("target/tools/wine-prefix");
    let system32 = prefix.join("drive_c/windows/system32");
    if !system32.join("kernel32.dll").exists() {
        std::fs::create_dir_all(&prefix).unwrap();
        let init = wine(&mut Command::new("wineboot"), &prefix)
            .arg("--init")
            .output()
            .expect("run wineboot");
        assert!(
            system32.join("kernel32.dll").exists(),
            "wineboot made no prefix: {}",
            String::from_utf8_lossy(&init.stderr)
        );
    }
    let shim = system32.join("bcryptprimitives.dll");
    if !shim.exists() {
        let source = cross::root().join("tests/support/wine/bcryptprimitives.c");
        let out = Command::new(cross::cross_venv().join("python3"))
            .args([
                "-m",
                "ziglang",
                "cc",
                "-target",
                "x86_64-windows-gnu",
                "-shared",
                "-nostdlib",
            ])
            .args(["-O2", "-Wl,--entry=DllMainCRTStartup", "-o"])
            .arg(&shim)
            .arg(&source)
            .arg("-lbcrypt")
            .output()
            .expect("run zig cc");
        assert!(
            out.status.success(),
            "building the bcryptprimitives stand-in failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    prefix
}

/// `cmd` under wine's prefix, quiet, with no Mono or Gecko install prompts.
fn wine<'a>(cmd: &'a mut Command, prefix: &Path) -> &'a mut Command {
    cmd.env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
}

#[test]
fn windows_release_serves_over_tcp_under_wine() {
    let test = "windows_release_serves_over_tcp_under_wine";
    let Some(dir) = built(test, cross::WINDOWS_AMD64, Some("wine")) else {
        return;
    };
    let prefix = wine_prefix();
    let fake = seeded_fake();
    let cert = terraform_like_cert();
    let mut cmd = Command::new("wine");
    wine(&mut cmd, &prefix).arg(dir.join("terraform-provider-sigsentry.exe"));
    let mut cmd = plugin::with_terraform_env(cmd, Some(&cert));
    cmd.env("PLUGIN_MIN_PORT", "21000")
        .env("PLUGIN_MAX_PORT", "21999");
    let mut p = cross::start_within(cmd, START_LIMIT);
    assert_eq!(p.handshake.network, "tcp", "{}", p.handshake.line);
    let port: u16 = p
        .handshake
        .address
        .strip_prefix("127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("not 127.0.0.1:PORT: {}", p.handshake.line));
    assert!((21000..=21999).contains(&port), "{port}");
    assert_serves_sigsentry(&cross::drive(&mut p, Some(&cert), &fake.url(), KEY));

    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("seed.json"), cross::SEED).unwrap();
    let mut mock = Command::new("wine");
    wine(&mut mock, &prefix)
        .current_dir(work.path())
        .arg(dir.join("sigsentry-mock.exe"))
        .args(["--seed", "seed.json"]);
    assert_eq!(cross::mock_lists(mock, START_LIMIT), cross::SEEDED);
    let _ = wine(&mut Command::new("wineserver"), &prefix)
        .arg("-k")
        .status();
}
