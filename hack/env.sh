#!/usr/bin/env bash
# The local environment: real servers on loopback for tests, the demo and you.
#
#   hack/env.sh up [component...]       start (idempotent); default: everything
#   hack/env.sh down [component...]     stop what we started (reused servers are left alone)
#   hack/env.sh restart component...    stop and start again, same data and port
#   hack/env.sh status                  one line per component
#   hack/env.sh env                     export lines: eval "$(hack/env.sh env)"
#   hack/env.sh kubeconfig              path of the admin kubeconfig
#
# components: redis nats kafka etcd kube-apiserver kube-controller-manager
#             (kube = etcd kube-apiserver kube-controller-manager)
# State (pids, logs, data, certs, kubeconfig) lives under $HEADWATER_STATE
# (default .headwater/ in the checkout); built binaries and jars under
# $HEADWATER_CACHE (default ~/.cache/headwater). See docs/architecture.md.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"
for f in "$HACK_DIR"/components/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done

ALL=(redis nats kafka etcd kube-apiserver kube-controller-manager)
# HEADWATER_KUBECONFIG=<file> points everything (tests, demo, `env`) at an existing
# cluster instead: the local etcd/apiserver/controller-manager are then left out.
EXTERNAL_KUBE="${HEADWATER_KUBECONFIG:-}"

fn() { printf '%s_%s' "${1//-/_}" "$2"; }
has_fn() { declare -F "$(fn "$1" "$2")" >/dev/null; }
call() { local c="$1" f="$2"; shift 2; "$(fn "$c" "$f")" "$@"; }

expand() {
  local out=() c
  if (( $# == 0 )); then
    if [[ -n "$EXTERNAL_KUBE" ]]; then set -- redis nats kafka; else set -- "${ALL[@]}"; fi
  fi
  for c in "$@"; do
    if [[ -n "$EXTERNAL_KUBE" && "$c" == kube* || -n "$EXTERNAL_KUBE" && "$c" == etcd ]]; then
      die "HEADWATER_KUBECONFIG is set ($EXTERNAL_KUBE): not managing a local $c"
    fi
    case "$c" in
      kube) out+=(etcd kube-apiserver kube-controller-manager) ;;
      redis|nats|kafka|etcd|kube-apiserver|kube-controller-manager) out+=("$c") ;;
      *) die "unknown component '$c' (one of: ${ALL[*]} kube)" ;;
    esac
  done
  # keep start order and drop duplicates
  local a o
  for a in "${ALL[@]}"; do for o in "${out[@]}"; do [[ "$a" == "$o" ]] && { printf '%s\n' "$a"; break; }; done; done
  # The loop's last test fails whenever the last of ALL is not asked for; that is not an error.
  return 0
}

# Sets comps; a bad name ends the script (expand runs in a subshell, so its own
# die cannot).
expand_into() {
  local list
  list="$(expand "$@")" || exit 1
  mapfile -t comps <<< "$list"
}

# How long each component may take to become ready (seconds). The apiserver's
# first start bootstraps RBAC roles and priority classes, which is slow on 2 cores.
ready_timeout() {
  case "$1" in
    kafka) echo 120 ;; kube-apiserver) echo 180 ;; kube-controller-manager) echo 120 ;; *) echo 60 ;;
  esac
}

up_one() {
  local c="$1"
  call "$c" install || { log "$c: install failed"; return 1; }
  if ours_running "$c"; then
    if wait_for "$c" "$(ready_timeout "$c")" call "$c" healthy; then log "$c: already up (pid $(pid_of "$c"))"; return 0; fi
    log "$c: our process is not healthy; restarting it"
    stop_pid "$c"
  fi
  # A healthy server we did not start is reused, not fought over, when it can be
  # shared (Redis, NATS, Kafka). Components bound to this checkout's certs and
  # data (etcd, apiserver, controller-manager) move to a free port instead, and so
  # do the others under HEADWATER_NO_REUSE=1 (the test command: its fault tests
  # restart servers, which it may only do to its own).
  if has_fn "$c" prepare; then
    call "$c" prepare
  else
    # Not running: back to the default port unless a restart keeps the old one.
    [[ -n "${HEADWATER_KEEP_PORT:-}" ]] || rm -f "$(state_dir "$c")/port"
    local port; port="$(call "$c" port)"
    if [[ -n "${HEADWATER_NO_REUSE:-}" ]]; then
      port_in_use "$port" && choose_port "$c" "$port"
    elif call "$c" healthy; then
      mark_reused "$c"; log "$c: reusing the healthy server on port $port"; return 0
    elif port_in_use "$port"; then
      log "$c: port $port is taken by something that is not a healthy $c"; return 1
    fi
  fi
  log "$c: starting"
  call "$c" start
  if ! wait_for "$c" "$(ready_timeout "$c")" call "$c" healthy; then
    show_log_tail "$c"; stop_pid "$c"; return 1
  fi
  if has_fn "$c" after_start; then call "$c" after_start || { show_log_tail "$c"; return 1; }; fi
  [[ -n "${HEADWATER_STARTED_FILE:-}" ]] && printf '%s\n' "$c" >> "$HEADWATER_STARTED_FILE"
  log "$c: up (pid $(pid_of "$c"), port $(call "$c" port))"
}

down_one() {
  local c="$1" d; d="$(state_dir "$c")"
  if [[ -f "$d/reused" ]]; then rm -f "$d/reused"; log "$c: was reused, left running"; return 0; fi
  # The apiserver drains connections with open watches for a long time on TERM;
  # its state is in etcd, so it is killed after a short grace.
  local grace=15; [[ "$c" == kube-apiserver ]] && grace=3
  if ours_running "$c"; then log "$c: stopping pid $(pid_of "$c")"; stop_pid "$c" "$grace"; fi
  rm -f "$d/pid"
}

status_one() {
  local c="$1" d; d="$(state_dir "$c")"
  local port; port="$(call "$c" port)"
  if ours_running "$c"; then
    if call "$c" healthy; then printf '%-24s up    pid %-8s port %-6s ours\n' "$c" "$(pid_of "$c")" "$port"
    else printf '%-24s sick  pid %-8s port %-6s ours (log: %s/log)\n' "$c" "$(pid_of "$c")" "$port" "$d"; fi
  elif [[ -f "$d/reused" ]] && call "$c" healthy; then printf '%-24s up    pid %-8s port %-6s reused\n' "$c" - "$port"
  else printf '%-24s down  pid %-8s port %-6s\n' "$c" - "$port"; fi
}

print_env() {
  printf 'export KUBECONFIG=%q\n' "$(kube_kubeconfig_path)"
  printf 'export HEADWATER_KUBE_BIN=%q\n' "$(kube_bin_dir)"
  printf 'export HEADWATER_KAFKA_BROKERS=%q\n' "$(kafka_brokers)"
  printf 'export HEADWATER_REDIS_URL=%q\n' "$(redis_url)"
  printf 'export HEADWATER_NATS_URL=%q\n' "$(nats_url)"
}

# One up/down/restart at a time per state folder: the test command and developers race.
lock() {
  exec 9> "$HEADWATER_STATE/env.lock"
  if ! flock -n 9; then log "waiting for another hack/env.sh in $HEADWATER_STATE"; flock 9; fi
}

cmd="${1:-status}"; shift || true
mkdir -p "$HEADWATER_STATE"
case "$cmd" in
  up)
    lock
    expand_into "$@"
    for c in "${comps[@]}"; do up_one "$c" || die "$c failed to start (log: $(state_dir "$c")/log)"; done
    ;;
  down)
    lock
    expand_into "$@"
    for (( i=${#comps[@]}-1; i>=0; i-- )); do down_one "${comps[i]}"; done
    ;;
  restart)
    (( $# )) || die "usage: hack/env.sh restart component..."
    lock
    expand_into "$@"
    for c in "${comps[@]}"; do
      [[ -f "$(state_dir "$c")/reused" ]] && die "$c is a reused server we did not start; not restarting it"
      down_one "$c"
      # Keep the port the component had, so clients reconnect to the same address.
      HEADWATER_KEEP_PORT=1 up_one "$c" || die "$c failed to restart (log: $(state_dir "$c")/log)"
    done
    ;;
  status) for c in "${ALL[@]}"; do status_one "$c"; done ;;
  env) print_env ;;
  kubeconfig) kube_kubeconfig_path; printf '\n' ;;
  -h|--help|help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (up|down|restart|status|env|kubeconfig)" ;;
esac
