#!/usr/bin/env bash
# Builds a release in the Terraform Registry layout under dist/ (DIST_DIR):
#   terraform-provider-sigsentry_VERSION_OS_ARCH.zip     one file: terraform-provider-sigsentry_vVERSION
#                                                        (with .exe on Windows)
#   terraform-provider-sigsentry_VERSION_manifest.json   terraform-registry-manifest.json (protocol 6.0)
#   terraform-provider-sigsentry_VERSION_SHA256SUMS      sha256 of those zips and the manifest
#   terraform-provider-sigsentry_VERSION_SHA256SUMS.sig  binary detached GPG signature of it
# and the fake API, for users' own tests:
#   sigsentry-mock_VERSION_OS_ARCH.zip                   one file: sigsentry-mock (.exe on Windows)
#   sigsentry-mock_VERSION_SHA256SUMS (and .sig)         apart, so the registry's file lists only its own
#
# Environment:
#   TARGETS          Rust targets; default all five registry platforms (see platform() below).
#                    Linux builds are musl, statically linked: they run on Alpine, distroless
#                    and scratch images as well as on glibc systems.
#   PROFILE          cargo profile, default release (the test suite uses release-test).
#   GPG_FINGERPRINT  the signing key (RSA: the Terraform Registry takes no ECC keys); unset: no .sig.
#   GPG_PASSPHRASE   its passphrase, when it has one.
#   REQUIRE_ALL=1    fail when any target is skipped (the release workflow sets it).
#   DIST_DIR         default dist/. CARGO_TARGET_DIR as for cargo.
# A target that cannot be built here is reported and skipped; the rest still ship.
set -euo pipefail
# Registry platform of a Rust target, and what `file` must say about its binaries.
platform() {
  case "$1" in
    x86_64-unknown-linux-musl) echo "linux_amd64|ELF 64-bit LSB .*x86-64.*(statically|static-pie) linked" ;;
    aarch64-unknown-linux-musl) echo "linux_arm64|ELF 64-bit LSB .*ARM aarch64.*(statically|static-pie) linked" ;;
    x86_64-unknown-linux-gnu) echo "linux_amd64|ELF 64-bit LSB .*x86-64" ;;
    aarch64-unknown-linux-gnu) echo "linux_arm64|ELF 64-bit LSB .*ARM aarch64" ;;
    x86_64-apple-darwin) echo "darwin_amd64|Mach-O 64-bit x86_64 executable" ;;
    aarch64-apple-darwin) echo "darwin_arm64|Mach-O 64-bit arm64 executable" ;;
    x86_64-pc-windows-gnu) echo "windows_amd64|PE32\+ executable \(console\) x86-64" ;;
    *) echo "" ;;
  esac
}

# Zips one binary as the only entry of $3, with a fixed time so rebuilds compare equal.
zip_one() {
  local bin="$1" entry="$2" out="$3" stage
  stage="$(mktemp -d)"
  cp "$bin" "$stage/$entry"
  chmod 0755 "$stage/$entry"
  touch -d "@$epoch" "$stage/$entry"
  rm -f "$out"
  (cd "$stage" && zip -q -X "$out" "$entry")
  rm -rf "$stage"
}

# The whole script is one function, so bash has read all of it before it runs any: editing
# the file during a long release cannot change what the running one does.
main() {
  root="$(cd "$(dirname "$0")/.." && pwd)"
  cd "$root"
  export LC_ALL=C
  name=terraform-provider-sigsentry
  mock=sigsentry-mock
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
  all_targets="x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu"
  targets="${TARGETS:-$all_targets}"
  dist="${DIST_DIR:-$root/dist}"

  # Refuse an unusable key before spending the builds on it.
  if [ -n "${GPG_FINGERPRINT:-}" ]; then
    # The key and every signing subkey must be RSA (OpenPGP algorithm 1 or 3).
    keys="$(gpg --batch --with-colons --list-secret-keys -- "$GPG_FINGERPRINT")" ||
      { echo "no secret key $GPG_FINGERPRINT in the keyring" >&2; exit 1; }
    not_rsa="$(awk -F: '($1=="sec" || ($1=="ssb" && $12 ~ /s/)) && $4!=1 && $4!=3 {print $5 " (algorithm " $4 ")"}' <<<"$keys")"
    if [ -n "$not_rsa" ]; then
      echo "signing key $GPG_FINGERPRINT is not RSA: $not_rsa; the Terraform Registry accepts RSA keys only" >&2
      exit 1
    fi
  fi

  epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
  mkdir -p "$dist"
  dist="$(cd "$dist" && pwd)"
  rm -f "$dist/${name}_${version}_"* "$dist/${mock}_${version}_"*

  # shellcheck disable=SC2086 # one argument per target
  venv_bin="$(scripts/ensure-cross.sh $targets)"
  PATH="$venv_bin:$PATH"

  built=()
  skipped=()
  seen_pairs=" "
  for t in $targets; do
    spec="$(platform "$t")"
    if [ -z "$spec" ]; then
      echo "skip $t: not a registry platform this script knows" >&2
      skipped+=("$t"); continue
    fi
    pair="${spec%%|*}"
    pattern="${spec#*|}"
    case "$seen_pairs" in
      *" $pair "*) echo "two targets for $pair in TARGETS" >&2; exit 1 ;;
    esac
    seen_pairs="$seen_pairs$pair "
    echo "== $t ($pair)" >&2
    started=$SECONDS
    if ! dir="$(scripts/build-target.sh "$t")"; then
      echo "skip $t: it does not build here (errors above)" >&2
      skipped+=("$t"); continue
    fi
    exe=""
    case "$t" in *-windows-*) exe=".exe" ;; esac
    for bin in "$name" "$mock"; do
      described="$(file -b "$dir/$bin$exe")"
      if ! grep -Eq "$pattern" <<<"$described"; then
        echo "$dir/$bin$exe is not a $pair binary: $described" >&2
        exit 1
      fi
    done
    # macOS binaries cannot run here: check what `file` cannot (minimum macOS, libraries,
    # the arm64 code signature).
    case "$t" in
      aarch64-apple-darwin | x86_64-apple-darwin)
        python3 scripts/check-macho.py --arch "$([ "${t%%-*}" = aarch64 ] && echo arm64 || echo x86_64)" \
          --max-minos "${MACOSX_DEPLOYMENT_TARGET:-11.0}" "$dir/$name" "$dir/$mock"
        ;;
    esac
    zip_one "$dir/$name$exe" "${name}_v${version}${exe}" "$dist/${name}_${version}_${pair}.zip"
    zip_one "$dir/$mock$exe" "${mock}${exe}" "$dist/${mock}_${version}_${pair}.zip"
    echo "built $pair in $((SECONDS - started)) s: $(file -b "$dir/$name$exe" | cut -d, -f1-2)" >&2
    built+=("$pair")
  done

  if [ "${#built[@]}" -eq 0 ]; then
    echo "nothing was built" >&2
    exit 1
  fi
  cp terraform-registry-manifest.json "$dist/${name}_${version}_manifest.json"
  (
    cd "$dist"
    sha256sum "${name}_${version}_"*.zip "${name}_${version}_manifest.json" >"${name}_${version}_SHA256SUMS"
    sha256sum "${mock}_${version}_"*.zip >"${mock}_${version}_SHA256SUMS"
  )

  if [ -n "${GPG_FINGERPRINT:-}" ]; then
    pass=()
    [ -n "${GPG_PASSPHRASE:-}" ] && pass=(--pinentry-mode loopback --passphrase-fd 0)
    for sums in "${name}_${version}_SHA256SUMS" "${mock}_${version}_SHA256SUMS"; do
      gpg --batch --yes --local-user "$GPG_FINGERPRINT" "${pass[@]}" \
        --output "$dist/$sums.sig" --detach-sign "$dist/$sums" <<<"${GPG_PASSPHRASE:-}"
      status="$(gpg --batch --status-fd 1 --verify "$dist/$sums.sig" "$dist/$sums" 2>/dev/null || true)"
      grep -q '^\[GNUPG:\] VALIDSIG' <<<"$status" ||
        { echo "the new signature of $sums does not verify" >&2; exit 1; }
    done
    echo "signed ${name}_${version}_SHA256SUMS with $GPG_FINGERPRINT" >&2
  else
    echo "GPG_FINGERPRINT is not set: no signature (the registry needs ${name}_${version}_SHA256SUMS.sig)" >&2
  fi

  echo "release $version in $dist: ${built[*]}"
  if [ "${#skipped[@]}" -gt 0 ]; then
    echo "SKIPPED: ${skipped[*]}"
    [ "${REQUIRE_ALL:-0}" != 1 ] || exit 1
  fi
}

main "$@"
