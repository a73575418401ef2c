#!/usr/bin/env bash
# Builds the provider as the previous release shipped it (the commit named in
# tests/fixtures/previous-release), for the upgrade tests, and prints the binary's path.
# The old source is taken from git history into target/previous-release/ and built into
# this checkout's own target directory under another package name, so every dependency
# already compiled for the test suite is reused and only the old crate itself is built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev="$(tr -d '[:space:]' < "$root/tests/fixtures/previous-release")"
src="$root/target/previous-release/$rev"
bin="$root/target/debug/terraform-provider-sigsentry-prev"
stamp="$root/target/previous-release/$rev.built"
if [ ! -x "$bin" ] || [ ! -f "$stamp" ]; then
  if ! git -C "$root" cat-file -e "$rev^{commit}" 2>/dev/null; then
    echo "the previous release $rev is not in this checkout's git history" >&2
    exit 3
  fi
  rm -rf "$src"
  mkdir -p "$src"
  git -C "$root" archive "$rev" | tar -x -C "$src"
  # Another package and binary name: the old crate must not overwrite this one's outputs.
  sed -i -e 's/^name = "terraform-provider-sigsentry"$/name = "terraform-provider-sigsentry-prev"/' \
         -e 's/^default-run = .*$//' "$src/Cargo.toml"
  (cd "$src" && CARGO_TARGET_DIR="$root/target" cargo build --quiet \
      --bin terraform-provider-sigsentry-prev >&2)
  touch "$stamp"
fi
echo "$bin"
