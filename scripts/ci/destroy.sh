#!/usr/bin/env bash
# Destroys GITOPS_ENV in the one order that leaves nothing behind (README "Destroy"):
#   1. bootstrap's GitOps files leave Git; Flux, still running, prunes what it applied from them:
#      HelmReleases uninstall their charts, LoadBalancer Services release their NLBs (which would
#      otherwise keep their ENIs in core's subnets and block the VPC's deletion);
#   2. wait until the cluster holds no HelmRelease and no LoadBalancer Service Flux made;
#   3. the rest of bootstrap: webhook, tokens, ConfigMaps, Flux's controllers and CRDs, the deploy key;
#   4. core: cluster, network, registry.
# Each step reads and writes state as it goes; state itself is never deleted.
set -euo pipefail
env="${GITOPS_ENV:?GITOPS_ENV is not set}"
: "${DESTROY_ENVIRONMENT:?set DESTROY_ENVIRONMENT=$env to confirm}"
if [ "$DESTROY_ENVIRONMENT" != "$env" ]; then echo "ci: DESTROY_ENVIRONMENT=$DESTROY_ENVIRONMENT does not name $env" >&2; exit 1; fi
. scripts/ci/aws-oidc.sh deploy
npx cdktf synth > /dev/null
boot=cdktf.out/stacks/bootstrap core=cdktf.out/stacks/core
terraform -chdir="$boot" init -input=false -no-color > /dev/null
terraform -chdir="$core" init -input=false -no-color > /dev/null

# The Kubernetes API, read with core's outputs and a token from `aws eks get-token`.
endpoint="$(terraform -chdir="$core" output -raw cluster_endpoint 2>/dev/null || true)"
if [ -n "$endpoint" ] && [ -n "$(terraform -chdir="$boot" state list 2>/dev/null)" ]; then
  ca="$(mktemp)"
  terraform -chdir="$core" output -raw cluster_certificate_authority_data | base64 -d > "$ca"
  cluster="$(terraform -chdir="$core" output -raw cluster_name)" region="$(terraform -chdir="$core" output -raw region)"
  count() { # count API_PATH NODE_FILTER
    local token
    token="$(aws eks get-token --cluster-name "$cluster" --region "$region" --output json | node -pe 'JSON.parse(require("fs").readFileSync(0)).status.token')"
    curl -fsS --cacert "$ca" -H "Authorization: Bearer $token" "$endpoint$1" | node -e "const items=JSON.parse(require('fs').readFileSync(0)).items; console.log(items.filter($2).length)"
  }
  mapfile -t files < <(node -e '
    const json = require(process.argv[1]);
    for (const name of Object.keys(json.resource?.gitlab_repository_file ?? {})) console.log(`-target=gitlab_repository_file.${name}`);
  ' "$PWD/$boot/cdk.tf.json")
  echo "ci: 1/4 removing the GitOps files of $env from Git, so Flux prunes what it deployed"
  terraform -chdir="$boot" destroy -input=false -no-color -auto-approve "${files[@]}"
  echo "ci: 2/4 waiting for Flux to uninstall its HelmReleases and LoadBalancer Services (15 min at most)"
  for _ in $(seq 90); do
    releases="$(count /apis/helm.toolkit.fluxcd.io/v2/helmreleases 'i => true')"
    balancers="$(count /api/v1/services "s => s.spec.type === 'LoadBalancer' && s.metadata.name !== 'flux-webhook-public'")"
    [ "$releases" = 0 ] && [ "$balancers" = 0 ] && break
    echo "ci: $releases HelmRelease(s), $balancers LoadBalancer Service(s) left"
    sleep 10
  done
  if [ "$releases" != 0 ] || [ "$balancers" != 0 ]; then
    echo "ci: Flux did not prune everything; nothing else was destroyed. Check: flux get all -A" >&2
    exit 1
  fi
fi
echo "ci: 3/4 destroying bootstrap of $env"
terraform -chdir="$boot" destroy -input=false -no-color -auto-approve
echo "ci: 4/4 destroying core of $env"
terraform -chdir="$core" destroy -input=false -no-color -auto-approve
