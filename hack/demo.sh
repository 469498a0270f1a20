#!/usr/bin/env bash
# The main job (`npm run demo`): brings the local environment up, installs
# Headwater's CRDs, builds, then runs the demo (hack/demo/main.ts): the node
# runner and the controller as processes, the samples applied, a generator
# feeding Kafka and Redis, and the READY/SINK table plus every event reaching
# event-display, until Ctrl-C. Then it deletes what it applied, stops what it
# started, and brings down the environment components this run brought up.
#
#   bash hack/demo.sh                 until Ctrl-C
#   bash hack/demo.sh --once          exit 0 once every path delivered an event
#   bash hack/demo.sh --once --timeout 240
#   HEADWATER_DEMO_KEEP_ENV=1 ...     leave the environment up afterwards
#
# Steps are functions listed in STEPS below; more steps can be added as files
# hack/demo.d/NN-name.sh (sourced in name order, each defining a function
# demo_<name> and appending "<name>" to STEPS), so parts of the project extend
# the demo without editing one shared script.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"
cd "$REPO_ROOT"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

DEMO_ARGS=("$@")
# Components this run started (hack/env.sh records them), so only those go down at the end.
started_file="$(mktemp -t headwater-demo-started.XXXXXX)"
on_exit() {
  local rc=$? comps=()
  mapfile -t comps < <(sort -u "$started_file")
  if (( ${#comps[@]} )) && [[ "${HEADWATER_DEMO_KEEP_ENV:-}" != 1 ]]; then
    say "stopping what this run started: ${comps[*]}"
    bash hack/env.sh down "${comps[@]}" || true
  fi
  rm -f "$started_file"
  exit "$rc"
}
trap on_exit EXIT
# The demo process gets the same Ctrl-C and cleans up its part; bash waits for it, then exits.
trap 'exit 130' INT TERM

demo_env() {
  say "dependencies"
  ensure_node_modules
  say "local environment (hack/env.sh up)"
  HEADWATER_STARTED_FILE="$started_file" bash hack/env.sh up
  eval "$(bash hack/env.sh env)"
  export KUBECONFIG HEADWATER_KUBE_BIN HEADWATER_KAFKA_BROKERS HEADWATER_REDIS_URL HEADWATER_NATS_URL
  PATH="$HEADWATER_KUBE_BIN:$PATH"
}

demo_crds() {
  shopt -s nullglob
  local files=(crds/*.yaml)
  shopt -u nullglob
  if (( ${#files[@]} == 0 )); then say "no CRDs in crds/ yet"; return 0; fi
  say "Headwater CRDs (${#files[@]} files from crds/)"
  local args=() f
  for f in "${files[@]}"; do args+=(-f "$f"); done
  kubectl apply --server-side --force-conflicts "${args[@]}"
  kubectl wait --for=condition=Established --timeout=60s "${args[@]}"
  kubectl get crd | grep -E '^NAME|headwater\.dev'
}

demo_build() {
  say "build (npm run build: the runner runs dist/, as the image does)"
  npm run -s build
}

demo_run() {
  say "demo (Ctrl-C stops it and everything it started)"
  node dist/hack/demo/main.js "${DEMO_ARGS[@]}"
}

STEPS=(env crds build)
if [[ -d "$HACK_DIR/demo.d" ]]; then
  for f in "$HACK_DIR"/demo.d/*.sh; do
    [[ -e "$f" ]] || continue
    # shellcheck source=/dev/null
    source "$f"
  done
fi
STEPS+=(run)

for s in "${STEPS[@]}"; do "demo_${s//-/_}"; done
