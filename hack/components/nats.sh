# NATS with JetStream from the Debian package, run as our own process unless a
# healthy JetStream-enabled server already answers on the port.
# shellcheck shell=bash
NATS_DEFAULT_PORT="${HEADWATER_NATS_PORT:-4222}"

nats_install() {
  command -v nats-server >/dev/null && return 0
  apt_install nats-server
}

# A NATS server greets every client with an INFO line; JetStream shows in it.
nats_healthy() {
  local line
  line="$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$(nats_port) && IFS= read -r l <&3 && printf '%s' \"\$l\"" 2>/dev/null)" || return 1
  [[ "$line" == INFO* && "$line" == *'"jetstream":true'* ]]
}

nats_start() {
  local d port; d="$(state_dir nats)"; port="$(nats_port)"
  mkdir -p "$d/data"
  spawn nats "nats-server -a 127.0.0.1 -p $port" nats-server \
    -a 127.0.0.1 -p "$port" -js -sd "$d/data" -n headwater-local
}

nats_url() { printf 'nats://127.0.0.1:%s' "$(nats_port)"; }
nats_port() { saved_port nats "$NATS_DEFAULT_PORT"; }
