#!/usr/bin/env bash
# Lints the Helm chart, renders it for the oldest and a current supported Kubernetes version,
# validates every manifest against that version's API schemas, and checks that the committed
# rendering (charts/leadflow/examples/default.yaml) matches a fresh one.
# Needs Go (helm is installed with go install) and Python (kubernetes-validate from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.16.4
KUBERNETES_VALIDATE_VERSION=1.37.0
gobin="$(go env GOPATH)/bin"
helm="$gobin/helm"
# A helm built by go install reports only its minor version (v3.16).
if ! "$helm" version --short 2>/dev/null | grep -q "^${HELM_VERSION%.*}"; then
  echo "chart:check: installing helm ${HELM_VERSION}"
  go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
fi
if ! python3 -m kubernetes_validate --version 2>/dev/null | grep -q "${KUBERNETES_VALIDATE_VERSION}"; then
  python3 -m pip install --quiet --disable-pip-version-check "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$helm" lint --strict charts/leadflow
for kube in 1.27.0 1.33.0; do
  "$helm" template leadflow charts/leadflow --kube-version "$kube" > "$out/default-$kube.yaml"
  "$helm" template leadflow charts/leadflow --kube-version "$kube" \
    --set services.gateway.replicas=1 --set podDisruptionBudget.enabled=false --set serviceAccount.create=false \
    --set config.otlpEndpoint=http://otel-collector:4317 > "$out/variant-$kube.yaml"
  python3 -m kubernetes_validate -k "$kube" --strict --quiet "$out/default-$kube.yaml" "$out/variant-$kube.yaml"
done
"$helm" template leadflow charts/leadflow --kube-version 1.33.0 > "$out/example.yaml"
if ! diff -u charts/leadflow/examples/default.yaml "$out/example.yaml"; then
  echo "chart:check: charts/leadflow/examples/default.yaml is stale: run npm run chart:render and commit it" >&2
  exit 1
fi
echo "chart:check: chart lints, renders and validates for Kubernetes 1.27 and 1.33"
