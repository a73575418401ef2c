#!/usr/bin/env bash
# Installs Debian packages for commands that are missing. Each argument is
# COMMAND=PACKAGE[,PACKAGE...]: when COMMAND is not on PATH, its packages are installed
# (one `apt-get update` for all). Runs apt-get as root, or through sudo.
#   scripts/ensure-apt.sh gpg=gpg qemu-aarch64=qemu-user wine=wine,wine64
set -euo pipefail
missing=()
for spec in "$@"; do
  cmd="${spec%%=*}"
  pkgs="${spec#*=}"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    IFS=, read -r -a list <<<"$pkgs"
    missing+=("${list[@]}")
  fi
done
[ "${#missing[@]}" -gt 0 ] || exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing from Debian's packages: ${missing[*]}" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# apt's progress goes to a log, shown only when it fails.
if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "could not install ${missing[*]}" >&2
  exit 1
fi
