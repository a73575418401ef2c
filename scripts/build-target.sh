#!/usr/bin/env bash
# Builds terraform-provider-sigsentry and sigsentry-mock for one Rust target with
# cargo-zigbuild and prints the directory that holds them. scripts/ensure-cross.sh installs
# the tools first (scripts/release.sh and scripts/test.sh run it).
#   PROFILE           cargo profile, default release (the test suite uses release-test)
#   CARGO_TARGET_DIR  default target/
#   scripts/build-target.sh aarch64-unknown-linux-musl
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:?usage: build-target.sh RUST_TARGET}"
profile="${PROFILE:-release}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
venv="$root/target/tools/cross-venv/bin"
if [ -x "$venv/cargo-zigbuild" ]; then
  PATH="$venv:$PATH"
  # cargo-zigbuild runs zig as `python3 -m ziglang`: the venv's python3 has it.
  export CARGO_ZIGBUILD_PYTHON_PATH="$venv/python3"
fi
command -v cargo-zigbuild >/dev/null 2>&1 ||
  { echo "cargo-zigbuild not found: run scripts/ensure-cross.sh $target" >&2; exit 1; }
case "$target" in
  # zig would otherwise stamp the newest macOS as the minimum; Terraform itself needs 11.
  # rustc warns that xcrun finds no macOS SDK: expected, zig links without one.
  *-apple-darwin) export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-11.0}" ;;
  # aws-lc-sys assembles its x86_64 Windows code with nasm, else with the objects it ships.
  x86_64-pc-windows-*) command -v nasm >/dev/null 2>&1 || export AWS_LC_SYS_PREBUILT_NASM=1 ;;
esac
cd "$root"
cargo zigbuild --locked --quiet --profile "$profile" --target "$target" \
  --target-dir "$target_dir" --bin terraform-provider-sigsentry --bin sigsentry-mock >&2
dir="$profile"
[ "$profile" = dev ] && dir=debug
[ "$profile" = test ] && dir=debug
echo "$target_dir/$target/$dir"
