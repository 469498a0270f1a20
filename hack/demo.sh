#!/usr/bin/env bash
# The main job (`npm run demo`): brings the local environment up, installs
# Headwater's CRDs, then runs each demo step in order and leaves everything
# running so you can look around (`eval "$(hack/env.sh env)"; kubectl get ...`).
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

demo_env() {
  say "dependencies"
  ensure_node_modules
  say "local environment (hack/env.sh up)"
  bash hack/env.sh up
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

demo_status() {
  say "status"
  bash hack/env.sh status
  cat <<MSG

Everything is left running. To use it from this shell:
  eval "\$(hack/env.sh env)"; export PATH="\$HEADWATER_KUBE_BIN:\$PATH"; kubectl get crd
Stop it with: hack/env.sh down
MSG
}

STEPS=(env crds)
if [[ -d "$HACK_DIR/demo.d" ]]; then
  for f in "$HACK_DIR"/demo.d/*.sh; do
    [[ -e "$f" ]] || continue
    # shellcheck source=/dev/null
    source "$f"
  done
fi
STEPS+=(status)

for s in "${STEPS[@]}"; do "demo_${s//-/_}"; done
