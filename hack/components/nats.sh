# NATS with JetStream from the Debian package, run as our own process unless a
# healthy JetStream-enabled server already answers on the port.
# shellcheck shell=bash
NATS_PORT="${HEADWATER_NATS_PORT:-4222}"

nats_install() {
  command -v nats-server >/dev/null && return 0
  apt_install nats-server
}

# A NATS server greets every client with an INFO line; JetStream shows in it.
nats_healthy() {
  local line
  line="$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT && IFS= read -r l <&3 && printf '%s' \"\$l\"" 2>/dev/null)" || return 1
  [[ "$line" == INFO* && "$line" == *'"jetstream":true'* ]]
}

nats_start() {
  local d; d="$(state_dir nats)"
  mkdir -p "$d/data"
  spawn nats "nats-server -a 127.0.0.1 -p $NATS_PORT" nats-server \
    -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$d/data" -n headwater-local
}

nats_url() { printf 'nats://127.0.0.1:%s' "$NATS_PORT"; }
nats_port() { printf '%s' "$NATS_PORT"; }
