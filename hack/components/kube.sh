# etcd, kube-apiserver and kube-controller-manager, started the way envtest does
# (client-cert auth, RBAC, generated service-account keys) plus the controller-manager
# for real garbage collection and Deployment -> ReplicaSet -> Pod behaviour.
# There is no scheduler and no kubelet: pods are created and stay Pending.
#
# These three are bound to this checkout's certs and data, so a port taken by
# someone else (another checkout's environment) is not reused: we move to the
# next free port and write it into the kubeconfig.
# shellcheck shell=bash
KUBE_BIN="${HEADWATER_KUBE_BIN:-$HEADWATER_CACHE/kube-${KUBE_VERSION}}"
ETCD_DEFAULT_PORT="${HEADWATER_ETCD_PORT:-2379}"
APISERVER_DEFAULT_PORT="${HEADWATER_APISERVER_PORT:-6443}"
KCM_DEFAULT_PORT="${HEADWATER_KCM_PORT:-10257}"
SERVICE_CIDR="10.0.0.0/24"

kube_bin_dir() { printf '%s' "$KUBE_BIN"; }
kube_pki() { printf '%s/pki' "$HEADWATER_STATE"; }
# The kubeconfig tests and the demo use: an existing cluster's when HEADWATER_KUBECONFIG is set.
kube_kubeconfig_path() { printf '%s' "${HEADWATER_KUBECONFIG:-$HEADWATER_STATE/kubeconfig}"; }

build_kube_bins() {
  local b missing=0
  for b in etcd kube-apiserver kube-controller-manager kubectl; do [[ -x "$KUBE_BIN/$b" ]] || missing=1; done
  (( missing == 0 )) && return 0
  [[ -n "${HEADWATER_KUBE_BIN:-}" ]] && die "HEADWATER_KUBE_BIN=$HEADWATER_KUBE_BIN lacks etcd/kube-apiserver/kube-controller-manager/kubectl"
  command -v go >/dev/null || die "Go is required to build kube-apiserver and etcd (see README)"
  log "kube: building etcd ${ETCD_VERSION} and kube ${KUBE_VERSION} from the Go module proxy (many minutes on a cold cache; log: $HEADWATER_STATE/build.log)"
  "$HACK_DIR/go/build.sh" etcd kube >> "$HEADWATER_STATE/build.log" 2>&1 \
    || { tail -n 40 "$HEADWATER_STATE/build.log" >&2; die "kube: build failed"; }
}

# ---- certificates ---------------------------------------------------------------

# sign <name> <subject> [san]: a key and a certificate signed by our CA.
kube_sign() {
  local pki name="$1" subj="$2" san="${3:-}" ext
  pki="$(kube_pki)"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  ext="$pki/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n "$san" ]]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"
    else echo "extendedKeyUsage=clientAuth"; fi; } > "$ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

kube_certs() {
  local pki; pki="$(kube_pki)"
  [[ -f "$pki/.complete" ]] && return 0
  command -v openssl >/dev/null || apt_install openssl
  rm -rf "$pki"; mkdir -p "$pki"; chmod 700 "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 3650 \
    -subj "/CN=headwater-local-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  kube_sign apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  kube_sign admin "/O=system:masters/CN=headwater-admin"
  kube_sign controller-manager "/CN=system:kube-controller-manager"
  # Service-account token signing key (private for the controller-manager, public for the apiserver).
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  touch "$pki/.complete"
}

# write_kubeconfig <file> <cert name> <port>: self-contained (embedded certs), so it
# can be copied elsewhere and still works.
kube_write_kubeconfig() {
  local file="$1" who="$2" port="$3" pki; pki="$(kube_pki)"
  umask 077
  cat > "$file.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: headwater-local
  cluster:
    server: https://127.0.0.1:${port}
    certificate-authority-data: $(base64 -w0 < "$pki/ca.crt")
users:
- name: ${who}
  user:
    client-certificate-data: $(base64 -w0 < "$pki/$who.crt")
    client-key-data: $(base64 -w0 < "$pki/$who.key")
contexts:
- name: headwater-local
  context:
    cluster: headwater-local
    user: ${who}
    namespace: default
current-context: headwater-local
KC
  mv "$file.tmp" "$file"
}

# ---- etcd ---------------------------------------------------------------------

etcd_install() { build_kube_bins; }
etcd_port() { saved_port etcd "$ETCD_DEFAULT_PORT"; }
etcd_prepare() {
  choose_port etcd "$ETCD_DEFAULT_PORT"
  local p; p="$(free_port $(( $(etcd_port) + 1 )) )"
  [[ -n "${HEADWATER_KEEP_PORT:-}" && -f "$(state_dir etcd)/peer-port" ]] || printf '%s' "$p" > "$(state_dir etcd)/peer-port"
}
etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$(etcd_port)/health" | grep -q '"health":"true"'; }
etcd_start() {
  local d port peer; d="$(state_dir etcd)"; port="$(etcd_port)"; peer="$(cat "$d/peer-port")"
  mkdir -p "$d/data"; chmod 700 "$d/data"
  # --unsafe-no-fsync as envtest does: throw-away test data, much faster on shared disks.
  spawn etcd "--listen-client-urls=http://127.0.0.1:$port" "$KUBE_BIN/etcd" \
    --name=headwater --data-dir="$d/data" \
    --listen-client-urls="http://127.0.0.1:$port" --advertise-client-urls="http://127.0.0.1:$port" \
    --listen-peer-urls="http://127.0.0.1:$peer" --initial-advertise-peer-urls="http://127.0.0.1:$peer" \
    --initial-cluster="headwater=http://127.0.0.1:$peer" \
    --unsafe-no-fsync=true --log-level=warn --quota-backend-bytes=2147483648
}

# ---- kube-apiserver ------------------------------------------------------------

kube_apiserver_install() { build_kube_bins; }
kube_apiserver_port() { saved_port kube-apiserver "$APISERVER_DEFAULT_PORT"; }
kube_apiserver_prepare() {
  etcd_healthy || die "kube-apiserver needs etcd: run hack/env.sh up etcd"
  kube_certs
  choose_port kube-apiserver "$APISERVER_DEFAULT_PORT"
  kube_write_kubeconfig "$HEADWATER_STATE/kubeconfig" admin "$(kube_apiserver_port)"
}
kube_apiserver_healthy() {
  local pki; pki="$(kube_pki)"
  [[ "$(curl -s --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$(kube_apiserver_port)/readyz" 2>/dev/null)" == ok ]]
}
kube_apiserver_start() {
  local pki port; pki="$(kube_pki)"; port="$(kube_apiserver_port)"
  spawn kube-apiserver "--secure-port=$port" "$KUBE_BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$(etcd_port)" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --allow-privileged=true \
    --cert-dir="$(state_dir kube-apiserver)/certs" \
    --v=1
}

# ---- kube-controller-manager ----------------------------------------------------

kube_controller_manager_install() { build_kube_bins; }
kube_controller_manager_port() { saved_port kube-controller-manager "$KCM_DEFAULT_PORT"; }
kube_controller_manager_prepare() {
  kube_apiserver_healthy || die "kube-controller-manager needs the apiserver: run hack/env.sh up kube-apiserver"
  choose_port kube-controller-manager "$KCM_DEFAULT_PORT"
  kube_write_kubeconfig "$(state_dir kube-controller-manager)/kubeconfig" controller-manager "$(kube_apiserver_port)"
}
kube_controller_manager_healthy() {
  [[ "$(curl -sk --max-time 3 "https://127.0.0.1:$(kube_controller_manager_port)/healthz" 2>/dev/null)" == ok ]]
}
kube_controller_manager_start() {
  local pki port kc; pki="$(kube_pki)"; port="$(kube_controller_manager_port)"
  kc="$(state_dir kube-controller-manager)/kubeconfig"
  # --use-service-account-credentials: each controller acts as its own service
  # account, so RBAC is exercised the way a real cluster does.
  spawn kube-controller-manager "--secure-port=$port" "$KUBE_BIN/kube-controller-manager" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$port" \
    --cert-dir="$(state_dir kube-controller-manager)/certs" \
    --controllers='*' --leader-elect=false \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-name=headwater \
    --v=1
}
