#!/usr/bin/env bash
# Installs what cross builds of the given Rust targets need and prints a directory to put
# first on PATH (cargo-zigbuild, and a python3 that runs zig):
#   - each target's standard library (`rustup target add`);
#   - zig and cargo-zigbuild from PyPI (packages ziglang, cargo-zigbuild), in a venv under
#     target/tools/. zig is the C compiler and linker for every target: aws-lc-sys compiles
#     its C for the target with it, and it links musl (static Linux), macOS and Windows
#     binaries with no SDK or cross gcc installed;
#   - nasm (Debian) for x86_64 Windows, whose aws-lc-sys assembly is NASM syntax.
#   scripts/ensure-cross.sh x86_64-unknown-linux-musl aarch64-apple-darwin ...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/tools/cross-venv"
# Pinned: the versions the release was built and tested with.
ZIGLANG_VERSION=0.17.1
ZIGBUILD_VERSION=0.24.1

installed="$(rustup target list --installed)"
need=()
for t in "$@"; do
  grep -qx "$t" <<<"$installed" || need+=("$t")
done
for t in "${need[@]}"; do
  # A target whose std cannot be had is left for the build to report and skip.
  rustup target add "$t" >&2 || echo "warning: cannot add the Rust target $t" >&2
done

if [ ! -x "$venv/bin/cargo-zigbuild" ] || ! "$venv/bin/python3" -m ziglang version >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
    "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$ZIGBUILD_VERSION" >&2
fi

for t in "$@"; do
  case "$t" in
    # Without nasm, scripts/build-target.sh falls back to aws-lc-sys's prebuilt objects.
    x86_64-pc-windows-*) "$root/scripts/ensure-apt.sh" nasm=nasm || echo "warning: no nasm" >&2 ;;
  esac
done
echo "$venv/bin"
