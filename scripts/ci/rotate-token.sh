#!/usr/bin/env bash
# The scheduled job: rotates the commit-status token of GITOPS_ENV when it is due, and applies
# nothing else. gitlab_project_access_token with rotation_configuration rotates itself on an apply
# within rotate_before_days of its expiry; -target limits the apply to the token and the Secret
# Flux reads it from. Prints the expiry, so a failing schedule is noticed before the token lapses.
set -euo pipefail
env="${GITOPS_ENV:?GITOPS_ENV is not set}"
if ! node -r ./scripts/register.js -e 'process.exit(require("./config/load").loadEnvironment().gitops.commitStatus.enabled ? 0 : 3)'; then
  echo "ci: commit statuses are off for $env (gitops.commitStatus.enabled): no token to rotate"
  exit 0
fi
. scripts/ci/aws-oidc.sh deploy
npx cdktf synth > /dev/null
dir=cdktf.out/stacks/bootstrap
# The commit-status construct's resources, by their Terraform addresses.
mapfile -t targets < <(node -e '
  const json = require(process.argv[1]);
  for (const [type, byName] of Object.entries(json.resource ?? {}))
    for (const [name, r] of Object.entries(byName))
      if (r["//"]?.metadata?.path?.startsWith("bootstrap/commit-status/")) console.log(`-target=${type}.${name}`);
' "$PWD/$dir/cdk.tf.json")
if [ "${#targets[@]}" -eq 0 ]; then echo "ci: no commit-status resources in $dir" >&2; exit 1; fi
terraform -chdir="$dir" init -input=false -no-color > /dev/null
terraform -chdir="$dir" plan -input=false -no-color "${targets[@]}" -out=rotate.tfplan
terraform -chdir="$dir" apply -input=false -no-color rotate.tfplan
echo "ci: commit-status token of $env expires on $(terraform -chdir="$dir" output -raw commit_status_token_expires_at)"
