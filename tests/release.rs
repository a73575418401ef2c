//! scripts/release.sh as the Terraform Registry and a user see its output: signed with a
//! throwaway RSA key (a temporary GNUPGHOME), every checksum right, each zip holding exactly
//! the one binary the registry's naming expects, the manifest copied; and a key the registry
//! would refuse (not RSA) refused before anything is built. The targets are the test suite's
//! (tests/support/cross.rs); the release workflow runs the same script for all five.

#[path = "support/cross.rs"]
mod cross;
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NAME: &str = "terraform-provider-sigsentry";
const MOCK: &str = "sigsentry-mock";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A GnuPG home of its own, with its agent stopped when dropped.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Gpg {
        // Short path: gpg-agent's socket lives in it.
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        Gpg { home }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", self.home.path()).arg("--batch");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).output().expect("run gpg");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Makes a key with no passphrase; returns its fingerprint.
    fn generate(&self, algo: &str) -> String {
        self.run(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "SigSentry release test <release-test@example.invalid>",
            algo,
            "sign",
            "1d",
        ]);
        let listed = self.run(&["--with-colons", "--list-secret-keys"]);
        String::from_utf8_lossy(&listed.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|l| l.split(':').find(|f| f.len() == 40))
            .expect("a fingerprint")
            .to_string()
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

/// Runs scripts/release.sh for `targets` into `dist`.
fn release(targets: &[&str], dist: &Path, gpg: &Gpg, fingerprint: &str) -> Output {
    Command::new(cross::root().join("scripts/release.sh"))
        .env("TARGETS", targets.join(" "))
        .env("PROFILE", cross::PROFILE)
        .env("CARGO_TARGET_DIR", cross::target_dir())
        .env("DIST_DIR", dist)
        .env("GNUPGHOME", gpg.home.path())
        .env("GPG_FINGERPRINT", fingerprint)
        .env_remove("GPG_PASSPHRASE")
        .env_remove("REQUIRE_ALL")
        .output()
        .expect("run scripts/release.sh")
}

/// Whether this test can run here; prints why not.
fn can_release(test: &str, targets: &[&str]) -> bool {
    for tool in ["gpg", "gpgconf", "zip", "unzip", "file"] {
        if cross::which(tool).is_none() {
            cross::skip(test, &format!("no {tool} on PATH"));
            return false;
        }
    }
    for t in targets {
        if let Some(why) = cross::cannot_build(t) {
            cross::skip(test, &why);
            return false;
        }
    }
    true
}

fn platform(target: &str) -> &'static str {
    match target {
        cross::LINUX_AMD64 => "linux_amd64",
        cross::LINUX_ARM64 => "linux_arm64",
        cross::WINDOWS_AMD64 => "windows_amd64",
        other => panic!("no platform for {other}"),
    }
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `NAME -> sha256` from a SHA256SUMS file, checking each line's `HASH  NAME` shape.
fn sums(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let (hash, name) = l.split_once("  ").unwrap_or_else(|| panic!("line {l:?}"));
            assert!(
                hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
                "{l:?}"
            );
            (name.to_string(), hash.to_string())
        })
        .collect()
}

/// The entries of a zip, with their unix modes, as `zipinfo` lists them.
fn zip_entries(zip: &Path) -> Vec<(String, String)> {
    let out = Command::new("unzip").arg("-Z").arg(zip).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('-') || l.starts_with('d'))
        .map(|l| {
            let mode = l.split_whitespace().next().unwrap_or_default().to_string();
            let name = l.split_whitespace().last().unwrap_or_default().to_string();
            (name, mode)
        })
        .collect()
}

fn unzip_to_bytes(zip: &Path, entry: &str) -> Vec<u8> {
    let out = Command::new("unzip")
        .arg("-p")
        .arg(zip)
        .arg(entry)
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

/// Verifies `sig` over `data` in a fresh keyring holding only the exported public key, as
/// the registry (and Terraform, with the key the registry serves) verifies it; returns
/// gpg's status lines.
fn verify_with_public_key(public_key: &[u8], sig: &Path, data: &Path) -> String {
    let verifier = Gpg::new();
    let key_file = verifier.home.path().join("public.asc");
    std::fs::write(&key_file, public_key).unwrap();
    verifier.run(&["--import", key_file.to_str().unwrap()]);
    let out = verifier
        .cmd()
        .args(["--status-fd", "1", "--verify"])
        .arg(sig)
        .arg(data)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn release_is_signed_checksummed_and_named_for_the_registry() {
    let test = "release_is_signed_checksummed_and_named_for_the_registry";
    let targets = cross::TEST_TARGETS;
    if !can_release(test, &targets) {
        return;
    }
    let gpg = Gpg::new();
    let fingerprint = gpg.generate("rsa3072");
    let dist = tempfile::tempdir().unwrap();
    let out = release(&targets, dist.path(), &gpg, &fingerprint);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "release.sh failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("SKIPPED"), "{stdout}\n{stderr}");

    let file = |n: &str| dist.path().join(n);
    let provider_zip = |t: &str| format!("{NAME}_{VERSION}_{}.zip", platform(t));
    let mock_zip = |t: &str| format!("{MOCK}_{VERSION}_{}.zip", platform(t));
    let manifest = format!("{NAME}_{VERSION}_manifest.json");
    let provider_sums = format!("{NAME}_{VERSION}_SHA256SUMS");
    let mock_sums = format!("{MOCK}_{VERSION}_SHA256SUMS");

    // Exactly these files.
    let mut expected: BTreeSet<String> = targets
        .iter()
        .flat_map(|t| [provider_zip(t), mock_zip(t)])
        .collect();
    for f in [&manifest, &provider_sums, &mock_sums] {
        expected.insert(f.clone());
        expected.insert(format!("{f}.sig"));
    }
    expected.remove(&format!("{manifest}.sig"));
    let present: BTreeSet<String> = std::fs::read_dir(dist.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(present, expected);

    // The manifest is the repository's, protocol 6.0.
    let repo_manifest =
        std::fs::read(cross::root().join("terraform-registry-manifest.json")).unwrap();
    assert_eq!(std::fs::read(file(&manifest)).unwrap(), repo_manifest);
    let parsed: serde_json::Value = serde_json::from_slice(&repo_manifest).unwrap();
    assert_eq!(
        parsed["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );

    // The registry's SHA256SUMS lists the provider zips and the manifest, nothing else, and
    // every hash is right; the mock's lists its zips.
    let listed = sums(&file(&provider_sums));
    let names: BTreeSet<String> = listed.iter().map(|(n, _)| n.clone()).collect();
    let mut want: BTreeSet<String> = targets.iter().map(|t| provider_zip(t)).collect();
    want.insert(manifest.clone());
    assert_eq!(names, want);
    let mock_listed = sums(&file(&mock_sums));
    let mock_names: BTreeSet<String> = mock_listed.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(mock_names, targets.iter().map(|t| mock_zip(t)).collect());
    for (name, hash) in listed.iter().chain(&mock_listed) {
        assert_eq!(&sha256_hex(&file(name)), hash, "{name}");
    }

    // Binary (not armored) detached signatures, made by the RSA key, that verify with the
    // public key alone; a changed SHA256SUMS does not.
    let public_key = gpg.run(&["--armor", "--export", &fingerprint]).stdout;
    for sums_file in [&provider_sums, &mock_sums] {
        let sig = std::fs::read(file(&format!("{sums_file}.sig"))).unwrap();
        assert!(
            !sig.starts_with(b"-----BEGIN"),
            "{sums_file}.sig is armored"
        );
        let tag = if sig[0] & 0x40 != 0 {
            sig[0] & 0x3f
        } else {
            (sig[0] >> 2) & 0x0f
        };
        assert!(
            sig[0] & 0x80 != 0 && tag == 2,
            "{sums_file}.sig is no OpenPGP signature packet"
        );
        let status = verify_with_public_key(
            &public_key,
            &file(&format!("{sums_file}.sig")),
            &file(sums_file),
        );
        assert!(
            status.contains(&format!("[GNUPG:] VALIDSIG {fingerprint}")),
            "{status}"
        );
        // VALIDSIG names the public-key algorithm after six more fields: 1 is RSA.
        let algo = status
            .lines()
            .find(|l| l.starts_with("[GNUPG:] VALIDSIG"))
            .and_then(|l| l.split_whitespace().nth(8))
            .unwrap_or_default()
            .to_string();
        assert_eq!(algo, "1", "{status}");
    }
    let tampered = dist.path().join("tampered");
    let mut text = std::fs::read(file(&provider_sums)).unwrap();
    text[0] = if text[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&tampered, text).unwrap();
    let status = verify_with_public_key(
        &public_key,
        &file(&format!("{provider_sums}.sig")),
        &tampered,
    );
    assert!(status.contains("[GNUPG:] BADSIG"), "{status}");

    // Each zip holds exactly one executable file, named as Terraform looks for it, and it
    // is the binary that was built.
    for t in targets {
        let exe = if t.contains("windows") { ".exe" } else { "" };
        let built: PathBuf = cross::build(t);
        for (zip, entry, bin) in [
            (
                provider_zip(t),
                format!("{NAME}_v{VERSION}{exe}"),
                format!("{NAME}{exe}"),
            ),
            (mock_zip(t), format!("{MOCK}{exe}"), format!("{MOCK}{exe}")),
        ] {
            let entries = zip_entries(&file(&zip));
            assert_eq!(entries.len(), 1, "{zip}: {entries:?}");
            assert_eq!(entries[0].0, entry, "{zip}");
            assert_eq!(entries[0].1, "-rwxr-xr-x", "{zip}");
            assert!(
                unzip_to_bytes(&file(&zip), &entry) == std::fs::read(built.join(&bin)).unwrap(),
                "{zip} does not hold the built {bin}"
            );
        }
    }
}

#[test]
fn a_key_the_registry_would_refuse_is_refused_before_building() {
    let test = "a_key_the_registry_would_refuse_is_refused_before_building";
    if !can_release(test, &[cross::LINUX_AMD64]) {
        return;
    }
    let gpg = Gpg::new();
    let fingerprint = gpg.generate("ed25519");
    let dist = tempfile::tempdir().unwrap();
    let out = release(&[cross::LINUX_AMD64], dist.path(), &gpg, &fingerprint);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not RSA"), "{stderr}");
    assert!(
        !stderr.contains("== "),
        "it built before refusing the key:\n{stderr}"
    );
    assert_eq!(std::fs::read_dir(dist.path()).unwrap().count(), 0);

    let out = release(
        &[cross::LINUX_AMD64],
        dist.path(),
        &gpg,
        "0123456789ABCDEF0123456789ABCDEF01234567",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no secret key"));
}
