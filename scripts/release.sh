#!/usr/bin/env bash
# Builds release archives in the Terraform Registry layout under dist/:
#   terraform-provider-sigsentry_VERSION_OS_ARCH.zip   (binary named terraform-provider-sigsentry_vVERSION)
#   terraform-provider-sigsentry_VERSION_manifest.json (protocol 6.0)
#   terraform-provider-sigsentry_VERSION_SHA256SUMS
# Targets: TARGETS="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin"
# (default: this machine's target only). Each target needs its Rust standard library
# (`rustup target add T`) and, for other OSes, a linker for it; targets that cannot be built
# here are reported and skipped, and the rest still ship.
set -euo pipefail
cd "$(dirname "$0")/.."
name=terraform-provider-sigsentry
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
host="$(rustc -vV | sed -n 's/^host: //p')"
targets="${TARGETS:-$host}"
mkdir -p dist
rm -f dist/${name}_${version}_*
os_arch() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux_amd64 ;;
    aarch64-unknown-linux-gnu) echo linux_arm64 ;;
    x86_64-apple-darwin) echo darwin_amd64 ;;
    aarch64-apple-darwin) echo darwin_arm64 ;;
    *) echo "" ;;
  esac
}
built=0
for t in $targets; do
  pair="$(os_arch "$t")"
  [ -n "$pair" ] || { echo "skip $t: not a registry platform this script knows"; continue; }
  if ! cargo build --release --quiet --bin "$name" --target "$t"; then
    echo "skip $t: cannot build here (missing target std or linker)"; continue
  fi
  stage="$(mktemp -d)"
  cp "target/$t/release/$name" "$stage/${name}_v${version}"
  (cd "$stage" && zip -q -X "${name}_${version}_${pair}.zip" "${name}_v${version}")
  mv "$stage/${name}_${version}_${pair}.zip" dist/
  rm -rf "$stage"
  echo "built dist/${name}_${version}_${pair}.zip"
  built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "nothing was built"; exit 1; }
cp terraform-registry-manifest.json "dist/${name}_${version}_manifest.json"
(cd dist && sha256sum ${name}_${version}_*.zip ${name}_${version}_manifest.json > "${name}_${version}_SHA256SUMS")
echo "wrote dist/${name}_${version}_SHA256SUMS (sign it with gpg --detach-sign for the registry)"
