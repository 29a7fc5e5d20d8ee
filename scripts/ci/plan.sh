#!/usr/bin/env bash
# Plans one environment (GITOPS_ENV) into Terraform plan files that the deploy job applies as they
# are, with a readable copy and a summary for review (README "Delivery with GitLab CI").
#   plan.sh review    merge requests: the read-only plan role; core only, without taking the lock
#   plan.sh release   default branch: the deploy role; core, then bootstrap once core exists
set -euo pipefail
mode="${1:?usage: plan.sh review|release}"
env="${GITOPS_ENV:?GITOPS_ENV is not set}"
out="plans"
mkdir -p "$out"
summary="$out/$env-summary.md"
case "$mode" in
  review) role=plan lock=false ;;
  release) role=deploy lock=true ;;
  *) echo "usage: plan.sh review|release" >&2; exit 2 ;;
esac
. scripts/ci/aws-oidc.sh "$role"

npx cdktf synth > /dev/null
echo "### $env ($mode plan, commit ${CI_COMMIT_SHORT_SHA:-local})" > "$summary"

plan_stack() {
  local stack="$1" dir="cdktf.out/stacks/$1"
  terraform -chdir="$dir" init -input=false -no-color > /dev/null
  terraform -chdir="$dir" plan -input=false -no-color -lock="$lock" -out=plan.tfplan
  terraform -chdir="$dir" show -no-color plan.tfplan > "$out/$env-$stack.txt"
  terraform -chdir="$dir" show -json plan.tfplan | node -r ./scripts/register.js scripts/ci/plan-report.ts > "$out/$env-$stack.json"
  echo "- **$stack**: $(node -e 'const c=require(process.argv[1]);console.log(`${c.create} to add, ${c.update} to change, ${c.delete} to destroy`)' "$PWD/$out/$env-$stack.json") ($env-$stack.txt)" >> "$summary"
}

skip_bootstrap() {
  echo "- **bootstrap**: not planned: $1" >> "$summary"
  echo "$1" > "$out/$env-bootstrap.skipped"
  echo "ci: bootstrap of $env is not planned: $1"
}

plan_stack core
if [ "$mode" = review ]; then
  skip_bootstrap "merge-request pipelines get neither GITLAB_TOKEN nor cluster access; the default branch's pipeline plans it before deploy"
elif ! terraform -chdir=cdktf.out/stacks/core output -raw cluster_name > /dev/null 2>&1; then
  skip_bootstrap "core of $env does not exist yet (its state has no cluster_name); deploy core, then the next pipeline plans bootstrap"
else
  plan_stack bootstrap
fi
cat "$summary"
