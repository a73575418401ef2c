#!/usr/bin/env bash
# The demo: build the provider and the fake SigSentry API, start the fake on a free loopback
# port, then terraform init/plan/apply examples/quickstart against it, import a log source made
# "in the dashboard", and destroy everything. Offline: the provider comes from a filesystem
# mirror in a temp dir, never from the public registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

terraform="$(scripts/ensure-terraform.sh)"
work="$(mktemp -d)"
mock_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Prebuilt binaries may be given (the test suite does); otherwise build them. The dev
# profile shares its build with the test suite; DEMO_PROFILE=release builds optimised.
provider="${SIGSENTRY_PROVIDER_BIN:-}"
mock="${SIGSENTRY_MOCK_BIN:-}"
if [ -z "$provider" ] || [ -z "$mock" ]; then
  profile="${DEMO_PROFILE:-dev}"
  dir=debug; [ "$profile" = "dev" ] || dir="$profile"
  step "Building the provider and the fake API (cargo build --profile $profile)"
  cargo build --profile "$profile" --quiet --bin terraform-provider-sigsentry --bin sigsentry-mock
  provider="target/$dir/terraform-provider-sigsentry"
  mock="target/$dir/sigsentry-mock"
fi

step "Starting the fake SigSentry API on 127.0.0.1"
key="ss_secret_demo_key"
# The key goes in the environment, where `ps` does not show it.
SIGSENTRY_MOCK_KEYS="$key" "$mock" --listen 127.0.0.1:0 >"$work/mock.out" 2>"$work/mock.log" &
mock_pid=$!
for _ in $(seq 1 200); do
  grep -q '^listening on ' "$work/mock.out" 2>/dev/null && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log"; exit 1; }
  sleep 0.05
done
url="$(sed -n 's/^listening on //p' "$work/mock.out" | head -n 1)"
[ -n "$url" ] || { echo "the fake API did not start"; cat "$work/mock.log"; exit 1; }
echo "fake API at $url"

# A filesystem mirror holding just our provider, so init needs no network.
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
platform="linux_amd64"
case "$(uname -m)" in aarch64|arm64) platform="linux_arm64" ;; esac
mirror="$work/mirror/registry.terraform.io/sigsentry/sigsentry/$version/$platform"
mkdir -p "$mirror"
cp "$provider" "$mirror/terraform-provider-sigsentry_v$version"
cat >"$work/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/sigsentry/*"]
  }
  direct {
    exclude = ["registry.terraform.io/sigsentry/*"]
  }
}
RC
cp -r examples/quickstart "$work/quickstart"
cd "$work/quickstart"
export TF_CLI_CONFIG_FILE="$work/terraform.rc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export SIGSENTRY_API_URL="$url" SIGSENTRY_API_KEY="$key"
tf() { "$terraform" "$@"; }

step "terraform init (offline, from the local mirror)"
tf init -no-color | grep -E 'Installed|Initializing provider|successfully' || true

step "terraform plan"
tf plan -no-color | sed -n '/Terraform will perform/,$p'

step "terraform apply"
tf apply -auto-approve -no-color | grep -E 'Creation complete|Apply complete|log_source_ids|"ls_' || true

step "terraform plan again: nothing to do"
tf plan -no-color -detailed-exitcode >/dev/null && echo "No changes. Infrastructure matches the configuration."

step "Importing a log source first made in the dashboard"
id="$(curl -fsS -X POST "$url/v1/config/log-sources" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"type":"splunk","name":"made-in-dashboard","credentials":{"host":"https://splunk.example.com","token":"t"},"sources":["main"]}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')"
cat >>main.tf <<HCL

resource "sigsentry_log_source" "dashboard" {
  type        = "splunk"
  name        = "made-in-dashboard"
  credentials = { host = "https://splunk.example.com", token = "t" }
  sources     = ["main"]
}
HCL
tf import -no-color sigsentry_log_source.dashboard "$id" | grep -E 'Import successful|Importing' || true
tf apply -auto-approve -no-color | grep -E 'Modifications complete|Apply complete' || true

step "terraform destroy"
tf destroy -auto-approve -no-color | grep -E 'Destroy complete' || true
left="$(curl -fsS "$url/v1/config/log-sources" -H "Authorization: Bearer $key" \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')"
echo "log sources left in the fake API: $left"
[ "$left" = "0" ]
step "Demo complete"
