#!/usr/bin/env bash
# Checks the Prometheus alerting rules (deploy/prometheus/alerts.yaml) with Prometheus's own tool:
# `promtool check rules` parses every expression and template, and `promtool test rules` runs the
# unit tests in deploy/prometheus/alerts.test.yaml (series in, alerts expected out).
# Needs Go: promtool is installed with go install at the pinned version when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PROMETHEUS_VERSION=v0.316.0   # the Go module version of Prometheus 3.x's promtool
gobin="$(go env GOPATH)/bin"
promtool="$gobin/promtool"
stamp="$gobin/.promtool-${PROMETHEUS_VERSION}"
if [[ ! -x "$promtool" || ! -e "$stamp" ]]; then
  echo "prometheus:check: installing promtool (github.com/prometheus/prometheus ${PROMETHEUS_VERSION}); this builds from source once"
  go install "github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS_VERSION}"
  touch "$stamp"
fi

"$promtool" check rules deploy/prometheus/alerts.yaml
"$promtool" test rules deploy/prometheus/alerts.test.yaml
echo "prometheus:check: alert rules parse and their unit tests pass"
