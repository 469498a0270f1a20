# Redis 7 from the Debian package, run as our own process unless a healthy one
# already answers on the port.
# shellcheck shell=bash
REDIS_DEFAULT_PORT="${HEADWATER_REDIS_PORT:-6379}"
# Fault tests restart Redis and expect stream data to survive: HEADWATER_REDIS_AOF=yes.
REDIS_AOF="${HEADWATER_REDIS_AOF:-no}"

redis_install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  apt_install redis-server redis-tools
}

redis_healthy() { [[ "$(redis-cli -h 127.0.0.1 -p "$(redis_port)" ping 2>/dev/null)" == PONG ]]; }

redis_start() {
  local d port; d="$(state_dir redis)"; port="$(redis_port)"
  mkdir -p "$d/data"
  # --save "" : no RDB snapshots; tests own their data and a restart is a fault test.
  spawn redis "redis-server 127.0.0.1:$port" redis-server \
    --bind 127.0.0.1 --port "$port" --dir "$d/data" --save "" \
    --appendonly "$REDIS_AOF" --daemonize no --protected-mode yes --loglevel notice
}

redis_url() { printf 'redis://127.0.0.1:%s' "$(redis_port)"; }
redis_port() { saved_port redis "$REDIS_DEFAULT_PORT"; }
