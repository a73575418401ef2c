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
