#!/usr/bin/env bash
# The test command (`npm test`, and all that .ci/run does): installs what it needs,
# checks types and lint, runs the unit tests, brings the local environment up, runs
# the integration and e2e tests against it, and brings down what it started.
#
#   bash hack/test.sh                 everything
#   HEADWATER_TEST_STEPS="unit" bash hack/test.sh    only some steps
#     (steps: deps typecheck lint unit env integration faults; without env, the running
#     environment is used: HEADWATER_TEST_STEPS="integration faults" bash hack/test.sh)
#   extra arguments are passed to vitest (e.g. a file filter)
set -uo pipefail
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"
cd "$REPO_ROOT"

steps="${HEADWATER_TEST_STEPS:-deps typecheck lint unit env integration faults}"
want() { [[ " $steps " == *" $1 "* ]]; }

declare -a summary=()
failed=0
run_step() {
  local name="$1"; shift
  local start=$SECONDS rc
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  "$@"; rc=$?
  local took=$((SECONDS - start))
  if (( rc == 0 )); then summary+=("$(printf 'PASS  %-12s %4ss' "$name" "$took")")
  else summary+=("$(printf 'FAIL  %-12s %4ss  (exit %s)' "$name" "$took" "$rc")"); failed=1; fi
  return "$rc"
}

print_summary() {
  printf '\n\033[1m==> summary\033[0m\n'
  local line; for line in "${summary[@]}"; do printf '  %s\n' "$line"; done
  if (( failed )); then printf '  RESULT: FAILED\n'; else printf '  RESULT: PASSED\n'; fi
}

check_prereqs() {
  local ok=1 major
  command -v node >/dev/null || { log "node is missing (Node 20 or newer)"; ok=0; }
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  (( major >= 20 )) || { log "Node $major is too old (need 20+)"; ok=0; }
  if want env; then
    command -v go >/dev/null || { log "go is missing (needed to build kube-apiserver and etcd once)"; ok=0; }
    command -v java >/dev/null || { log "java is missing (Java 17+, for Kafka)"; ok=0; }
  fi
  (( ok ))
}

# Components this run started; only these are stopped at the end, so a developer's
# running environment (or servers we reused) survive the test command.
started_file="$(mktemp -t headwater-started.XXXXXX)"
env_down() {
  local comps=()
  mapfile -t comps < <(sort -u "$started_file")
  if (( ${#comps[@]} )); then
    printf '\n==> stopping what this run started: %s\n' "${comps[*]}"
    bash hack/env.sh down "${comps[@]}" || true
  fi
  rm -f "$started_file"
}
on_exit() { env_down; }
trap on_exit EXIT
trap 'exit 130' INT TERM

env_up() {
  # HEADWATER_NO_REUSE: servers another checkout runs are not reused but joined by
  # our own on free ports, because the fault tests restart servers (and may only
  # restart ours). Our own running servers are still used as they are.
  HEADWATER_NO_REUSE="${HEADWATER_NO_REUSE-1}" HEADWATER_STARTED_FILE="$started_file" bash hack/env.sh up || return 1
  bash hack/env.sh status
}

integration() {
  # Connection info for the tests (test/support/env.ts reads these). The alone lane runs one file at a time,
  # then the parallel lane two at a time (vitest.config.ts, test/support/lanes.ts, docs/testing.md).
  eval "$(bash hack/env.sh env)" || return 1
  timeout "${HEADWATER_INTEGRATION_TIMEOUT:-45m}" npx vitest run --project 'integration-*' "$@"
}

faults() {
  # The fault suite (test/faults, ~5 min): restarts Redis, NATS and Kafka briefly, so it runs after integration.
  eval "$(bash hack/env.sh env)" || return 1
  timeout "${HEADWATER_FAULTS_TIMEOUT:-20m}" npm run -s test:faults
}

run_step prereqs check_prereqs || { print_summary; exit 1; }
if want deps; then run_step deps ensure_node_modules || { print_summary; exit 1; }; fi
if want typecheck; then run_step typecheck npm run -s typecheck; fi
if want lint; then run_step lint npm run -s lint; fi
if want unit; then run_step unit npx vitest run --project unit "$@"; fi
# Without the env step (HEADWATER_TEST_STEPS="integration faults"), the running environment is used as it is.
env_ok=1
if want env; then run_step env env_up || env_ok=0; fi
if (( env_ok )); then
  if want integration; then run_step integration integration "$@"; fi
  if want faults; then run_step faults faults; fi
elif want integration || want faults; then
  summary+=("SKIP  integration, faults (environment did not come up)")
fi
print_summary
exit "$failed"
