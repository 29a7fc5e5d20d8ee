#!/usr/bin/env bash
# The deploy job: applies the plan files of this pipeline's plan job for GITOPS_ENV, core then
# bootstrap, as reviewed. A bootstrap the plan job skipped (core did not exist) is left for the
# next pipeline, which plans it against the core applied here.
set -euo pipefail
env="${GITOPS_ENV:?GITOPS_ENV is not set}"
. scripts/ci/aws-oidc.sh deploy
scripts/ci/apply-plan.sh cdktf.out/stacks/core
if [ -f "plans/$env-bootstrap.skipped" ]; then
  echo "ci: bootstrap of $env was not planned in this pipeline: $(cat "plans/$env-bootstrap.skipped")"
  echo "ci: run a new pipeline on the default branch, review its bootstrap plan, and deploy again"
  exit 0
fi
scripts/ci/apply-plan.sh cdktf.out/stacks/bootstrap
