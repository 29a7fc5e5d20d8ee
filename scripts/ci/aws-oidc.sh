# Sourced by CI jobs: AWS credentials from the job's GitLab ID token, nothing stored.
# The aws provider, the S3 backend and `aws eks get-token` all read AWS_ROLE_ARN and
# AWS_WEB_IDENTITY_TOKEN_FILE and call AssumeRoleWithWebIdentity themselves.
# https://docs.gitlab.com/ci/cloud_services/aws/
# Usage: . scripts/ci/aws-oidc.sh plan|deploy
if [ -z "${AWS_ID_TOKEN:-}" ]; then
  echo "ci: this job has no ID token AWS_ID_TOKEN (id_tokens in .gitlab-ci.yml, template .aws-oidc)" >&2
  return 1 2>/dev/null || exit 1
fi
# Static keys would win over web identity in the AWS SDKs' chain, and must not exist at all:
# a job that finds any (a leftover CI/CD variable) stops and says so.
static_keys="$(compgen -e | grep -E '^AWS_(ACCESS_KEY|SECRET_ACCESS|SESSION_TOKEN)' || true)"
if [ -n "$static_keys" ]; then
  echo "ci: static AWS credentials in this job's environment ($(echo $static_keys)): delete those CI/CD variables; jobs use OIDC only" >&2
  return 1 2>/dev/null || exit 1
fi
unset AWS_PROFILE
AWS_WEB_IDENTITY_TOKEN_FILE="$(umask 077 && mktemp "${TMPDIR:-/tmp}/aws-id-token.XXXXXX")"
printf '%s' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"
AWS_ROLE_ARN="$(node -r ./scripts/register.js scripts/ci/role-arn.ts "$1")"
AWS_ROLE_SESSION_NAME="gitlab-${CI_PROJECT_ID:-local}-job-${CI_JOB_ID:-0}"   # CloudTrail names the job
export AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME
echo "ci: AWS role $AWS_ROLE_ARN through the job's ID token (session $AWS_ROLE_SESSION_NAME)"
