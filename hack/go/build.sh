#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the Go module
# proxy at the versions pinned in hack/lib/versions.sh, into
#   $HEADWATER_CACHE/etcd-<version>/etcd
#   $HEADWATER_CACHE/kube-<version>/{kube-apiserver,kube-controller-manager,kubectl}
# and links etcd next to the kube binaries (HEADWATER_KUBE_BIN is one folder).
# A folder that holds every binary and a .complete marker is reused as is: the
# build runs only on an empty cache or after a version bump.
#
# usage: hack/go/build.sh [etcd|kube]...   (default: both)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/versions.sh
source "$here/../lib/versions.sh"
cache="${HEADWATER_CACHE:-$HOME/.cache/headwater}"
# Two cores are shared by everyone; -p 2 also bounds the linker's memory.
jobs="${HEADWATER_GO_JOBS:-2}"

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

build_etcd() {
  local out="$cache/etcd-${ETCD_VERSION}"
  if [[ -f "$out/.complete" && -x "$out/etcd" ]]; then log "etcd ${ETCD_VERSION}: cached in $out"; return 0; fi
  if ! grep -qE "go.etcd.io/etcd/server/v3 ${ETCD_VERSION}( |$)" "$here/etcd/go.mod"; then
    log "etcd: pinning wrapper module to ${ETCD_VERSION}"
    (cd "$here/etcd" && go mod edit -require="go.etcd.io/etcd/server/v3@${ETCD_VERSION}" && go mod tidy)
  fi
  log "etcd ${ETCD_VERSION}: building into $out"
  mkdir -p "$out"
  local start=$SECONDS
  (cd "$here/etcd" && go build -p "$jobs" -trimpath -ldflags='-s -w' -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$out/etcd.tmp" "$out/etcd"
  touch "$out/.complete"
  log "etcd ${ETCD_VERSION}: built in $((SECONDS - start))s"
}

build_kube() {
  local out="$cache/kube-${KUBE_VERSION}"
  local bins=(kube-apiserver kube-controller-manager kubectl)
  local missing=0 b
  for b in "${bins[@]}"; do [[ -x "$out/$b" ]] || missing=1; done
  if [[ -f "$out/.complete" && $missing == 0 ]]; then log "kube ${KUBE_VERSION}: cached in $out"; else
    if ! grep -qE "k8s.io/kubernetes ${KUBE_VERSION}( |$)" "$here/kube/go.mod"; then
      log "kube: regenerating wrapper module for ${KUBE_VERSION}"
      "$here/gen-kube-mod.sh"
    fi
    log "kube ${KUBE_VERSION}: building ${bins[*]} into $out"
    mkdir -p "$out/.tmp"
    local start=$SECONDS
    local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
    # Without these the binaries report v0.0.0-master, which confuses kubectl's
    # version skew warning and anyone reading `kubectl version`.
    local ver=""
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ver+=" -X $pkg.gitVersion=${KUBE_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor} -X $pkg.gitTreeState=clean"
    done
    (cd "$here/kube" && go build -p "$jobs" -trimpath -ldflags="-s -w${ver}" -o "$out/.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
    for b in "${bins[@]}"; do mv "$out/.tmp/$b" "$out/$b"; done
    rmdir "$out/.tmp"
    touch "$out/.complete"
    log "kube ${KUBE_VERSION}: built in $((SECONDS - start))s"
  fi
  # One folder for HEADWATER_KUBE_BIN, as envtest's KUBEBUILDER_ASSETS.
  ln -sfn "$cache/etcd-${ETCD_VERSION}/etcd" "$out/etcd"
}

# Checkouts of one machine share the cache: one build at a time, the others wait
# and then find the binaries built.
mkdir -p "$cache"
exec 8> "$cache/.build.lock"
if ! flock -n 8; then log "another build into $cache is running; waiting for it"; flock 8; fi

targets=("$@"); (( ${#targets[@]} )) || targets=(etcd kube)
for t in "${targets[@]}"; do
  case "$t" in
    etcd) build_etcd ;;
    kube) build_etcd; build_kube ;;
    *) echo "build.sh: unknown target $t (etcd|kube)" >&2; exit 2 ;;
  esac
done
