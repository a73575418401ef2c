#!/usr/bin/env bash
# Profiles one terraform command run in DIR, and the provider processes it starts, with
# perf; then names the functions in Terraform's stripped release binary with
# scripts/tf-profile (Go keeps its function table in every binary). Needs perf and Go 1.21+
# (Debian: linux-perf, golang-1.23-go from bookworm-backports). Not part of the test suite.
#
#   scripts/profile-terraform.sh DIR [--focus NAME] -- plan -no-color
#
# Prints the CPU share of each process name, then Terraform's functions by own and
# inclusive samples (only stacks through NAME with --focus).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: profile-terraform.sh DIR [--focus NAME] -- TERRAFORM-ARGS...}"; shift
focus=""
if [ "${1:-}" = "--focus" ]; then focus="$2"; shift 2; fi
[ "${1:-}" = "--" ] && shift
go="$(command -v go || ls /usr/lib/go-1.2*/bin/go 2>/dev/null | tail -n 1 || true)"
[ -n "$go" ] || { echo "profile-terraform: Go 1.21+ is needed to build scripts/tf-profile" >&2; exit 1; }
command -v perf >/dev/null || { echo "profile-terraform: perf is needed" >&2; exit 1; }
terraform="$(command -v terraform || true)"
[ -n "$terraform" ] || { echo "profile-terraform: terraform is not on PATH" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$root/scripts/tf-profile" && "$go" build -o "$out/tf-profile" .)
# cpu-clock works where hardware counters are not exposed (VMs); Go keeps frame pointers.
(cd "$dir" && perf record -q -e cpu-clock -F 999 --call-graph fp -o "$out/perf.data" -- \
  "$terraform" "$@" >/dev/null)
echo "== CPU samples by process name"
perf report -i "$out/perf.data" --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 5
perf script -i "$out/perf.data" -F comm,ip 2>/dev/null |
  "$out/tf-profile" "$terraform" terraform "$focus"
