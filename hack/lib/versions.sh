# Pinned versions of everything the local environment builds or downloads.
# Bumping a value here makes hack/go/build.sh (or the Kafka fetch) produce a new
# cache folder; the old one is left alone so a rollback is instant.
# shellcheck shell=bash
KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
# Published staging modules (k8s.io/api, client-go, ...) are tagged v0.<minor>.<patch>.
KUBE_STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
