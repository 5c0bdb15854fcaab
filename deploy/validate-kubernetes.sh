#!/usr/bin/env bash
# Validates deploy/kubernetes-indexed-job.yaml against the Kubernetes API schema, offline:
# PyPI's kubernetes-validate ships the schemas of Kubernetes 1.25 to 1.37. It is installed
# into deploy/.venv (git-ignored) on the first run.
#   deploy/validate-kubernetes.sh
# Checks the manifest's structure and types with --strict (a misspelt or unknown field is an
# error) against the oldest and the newest bundled version. It does not run the Job: the
# image, the volume claim and the scheduling are the cluster's.
set -euo pipefail
cd "$(dirname "$0")"

VERSION=1.37.0
VENV=.venv
MANIFEST=kubernetes-indexed-job.yaml

if [ "$("$VENV/bin/kubernetes-validate" --version 2>/dev/null)" != "$VERSION" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian's python3 has venv in a package of its own.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$VERSION"
fi

for k8s in 1.25.0 1.37.0; do
  "$VENV/bin/kubernetes-validate" --strict --kubernetes-version "$k8s" "$MANIFEST"
done
echo "validate-kubernetes: PASS: $MANIFEST is a valid Kubernetes 1.25 and 1.37 resource (strict)"
