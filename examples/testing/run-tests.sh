#!/bin/sh
# The module's tests against a fresh sigsentry-mock, as a pipeline runs them after
# `terraform init`: the fake on a free loopback port, with its admin routes on for the
# fault below, its address read from the first line it prints; then `terraform test`, and
# the requests the fake saw. Needs sigsentry-mock, terraform and curl on PATH.
set -eu
tmp="$(mktemp -d)"
mkfifo "$tmp/out"
sigsentry-mock --seed seed.json --listen 127.0.0.1:0 --admin >"$tmp/out" &
mock=$!
trap 'kill "$mock" 2>/dev/null || :; rm -rf "$tmp"' EXIT
read -r _ _ SIGSENTRY_API_URL <"$tmp/out" # listening on http://127.0.0.1:PORT
export SIGSENTRY_API_URL SIGSENTRY_API_KEY=ss_secret_demo_key

# The next two creates are answered 503; the provider retries through them.
curl -fsS -o /dev/null "$SIGSENTRY_API_URL/_fake/faults" \
  -H 'Content-Type: application/json' -d '{
  "method": "POST", "path_prefix": "/v1/config/log-sources", "count": 2,
  "action": {"kind": "status", "status": 503, "code": "SERVICE_UNAVAILABLE"}
}'
terraform test
# POST 503, POST 503, POST 201, ...
curl -fsS -w '\n' "$SIGSENTRY_API_URL/_fake/requests"
