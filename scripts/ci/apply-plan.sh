#!/usr/bin/env bash
# Applies one saved plan file exactly as it was reviewed, never a fresh plan.
# Usage: apply-plan.sh STACK_DIR (holding cdk.tf.json, .terraform.lock.hcl and plan.tfplan)
# Terraform refuses a plan whose state changed after it was made ("Saved plan is stale");
# this says what that means and what to do, and exits non-zero.
set -euo pipefail
dir="${1:?usage: apply-plan.sh STACK_DIR}"
if [ ! -f "$dir/plan.tfplan" ]; then
  echo "ci: no plan file in $dir: only what a plan job of this pipeline saved is applied" >&2
  exit 1
fi
terraform -chdir="$dir" init -input=false -no-color > /dev/null
log="$(mktemp)"
if terraform -chdir="$dir" apply -input=false -no-color plan.tfplan 2> >(tee "$log" >&2); then
  exit 0
fi
sleep 0.1   # let tee finish the log
if grep -q "Saved plan is stale" "$log"; then
  echo "ci: STALE PLAN for $dir: its state changed after this plan was made (another deploy, or a change by hand). Nothing from it was applied. Run a new pipeline, review its plan, and deploy that one." >&2
fi
exit 1
