# Helpers shared by hack/env.sh and the component files in hack/components/.
# shellcheck shell=bash

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$HACK_DIR/.." && pwd)"
# shellcheck source=versions.sh
source "$HACK_DIR/lib/versions.sh"
HEADWATER_STATE="${HEADWATER_STATE:-$REPO_ROOT/.headwater}"
HEADWATER_CACHE="${HEADWATER_CACHE:-$HOME/.cache/headwater}"

log()  { printf '[env %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }

# Per-component state: $HEADWATER_STATE/<component>/{pid,log,data,port,reused}
state_dir() { printf '%s/%s' "$HEADWATER_STATE" "$1"; }
pid_of() { local f; f="$(state_dir "$1")/pid"; [[ -f "$f" ]] && cat "$f"; }

# True when the pid recorded for a component is a live process of ours. The
# command line is checked too, so a recycled pid is not mistaken for ours.
ours_running() {
  local c="$1" pid
  pid="$(pid_of "$c")" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  local want; want="$(cat "$(state_dir "$c")/cmd" 2>/dev/null)" || return 1
  tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$want"
}

# Something (anything) listens on 127.0.0.1:<port>.
port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# First port >= $1 that nothing listens on (used when a default port is taken by
# something we cannot reuse, e.g. another checkout's apiserver with other certs).
free_port() {
  local p="$1"
  while port_in_use "$p"; do p=$((p + 1)); done
  printf '%s' "$p"
}

# Starts "$@" detached in its own session, output to the component's log, and
# records its pid and a fingerprint of its command line.
spawn() {
  local c="$1" fingerprint="$2"; shift 2
  local d; d="$(state_dir "$c")"
  mkdir -p "$d"
  printf '%s' "$fingerprint" > "$d/cmd"
  printf '\n==== %s start %s\n' "$c" "$(date -Is)" >> "$d/log"
  # 9>&-: a server must not inherit the `up` lock (fd 9), or it holds the lock for its whole life.
  setsid "$@" >> "$d/log" 2>&1 < /dev/null 8>&- 9>&- &
  printf '%s' "$!" > "$d/pid"
  rm -f "$d/reused"
}

# wait_for <component> <timeout-seconds> <probe command...>
# Polls the probe until it succeeds; fails early if our process died.
wait_for() {
  local c="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  while (( SECONDS < deadline )); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    # kill -0, not ours_running: right after spawn the child may not have exec'd
    # the server yet, so its command line does not match the fingerprint.
    if [[ ! -f "$(state_dir "$c")/reused" ]] && ! kill -0 "$(pid_of "$c")" 2>/dev/null; then
      log "$c exited during start-up"; return 1
    fi
    sleep 0.5
  done
  log "$c not ready after ${timeout}s"; return 1
}

# Prints the end of a component's log, for a failed start.
show_log_tail() {
  local f; f="$(state_dir "$1")/log"
  [[ -f "$f" ]] || return 0
  log "last 40 lines of $f:"
  tail -n 40 "$f" >&2
}

# A live process, not a zombie: servers outlive env.sh and are reaped by pid 1,
# which may take a while, and kill -0 succeeds on a zombie.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state="$(awk '{print $3}' 2>/dev/null < "/proc/$1/stat")" || return 1
  [[ "$state" != Z ]]
}

# Stops our process of a component: TERM, then KILL after a grace period
# (seconds, default 15).
stop_pid() {
  local c="$1" pid
  pid="$(pid_of "$c")" || return 0
  if ours_running "$c"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i grace="${2:-15}"
    for i in $(seq 1 $((grace * 10))); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then log "$c (pid $pid) ignored TERM; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$(state_dir "$c")/pid"
}

# Port of a component: the one saved when it was started on a non-default port, else its default.
saved_port() { local f; f="$(state_dir "$1")/port"; if [[ -f "$f" ]]; then cat "$f"; else printf '%s' "$2"; fi; }
# Port for a component about to start: the same one on restart, else the first free one.
choose_port() {
  local c="$1" def="$2" p
  if [[ -n "${HEADWATER_KEEP_PORT:-}" && -f "$(state_dir "$c")/port" ]]; then p="$(cat "$(state_dir "$c")/port")"
  else p="$(free_port "$def")"; fi
  [[ "$p" == "$def" ]] || log "$c: port $def is taken; using $p"
  mkdir -p "$(state_dir "$c")"; printf '%s' "$p" > "$(state_dir "$c")/port"
}

mark_reused() { local d; d="$(state_dir "$1")"; mkdir -p "$d"; : > "$d/reused"; rm -f "$d/pid"; }

# apt-get install, once, only for packages whose binary is missing.
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
  local sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  local aptlog="$HEADWATER_STATE/apt.log"
  mkdir -p "$HEADWATER_STATE"
  if (( APT_UPDATED == 0 )); then
    log "apt-get update"
    $sudo apt-get update -qq >> "$aptlog" 2>&1 || { tail -n 20 "$aptlog" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  log "apt-get install $* (log: $aptlog)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >> "$aptlog" 2>&1 \
    || { tail -n 20 "$aptlog" >&2; die "apt-get install $* failed"; }
}

# npm ci when node_modules is missing or older than package-lock.json (npm install
# touches node_modules/.package-lock.json, so an up-to-date tree is newer). The lock
# keeps two checkouts' or engineers' installs from interleaving.
ensure_node_modules() {
  if [[ -f "$REPO_ROOT/node_modules/.package-lock.json" && ! "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]]; then
    log "node_modules is up to date"; return 0
  fi
  log "npm ci"
  (cd "$REPO_ROOT" && flock /tmp/headwater-npm.lock npm ci --no-audit --no-fund)
}
