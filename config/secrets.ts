/**
 * Secrets are never configuration: configuration is committed to Git and echoed in messages.
 * These patterns recognise what people paste by mistake; each says where the secret belongs.
 */
export interface SecretKind {
  /** What it looks like, for the message ("a GitLab token"). */
  readonly name: string;
  readonly pattern: RegExp;
  /** Where it belongs instead. */
  readonly belongs: string;
}

const GITLAB_TOKEN =
  "GitLab tokens belong in the GITLAB_TOKEN environment variable (a masked, protected CI/CD variable in pipelines)";
const AWS_CREDENTIALS =
  "AWS credentials come from the environment (AWS_PROFILE, or the CI job's OIDC role), never from configuration";

export const SECRET_KINDS: readonly SecretKind[] = [
  // Prefixes GitLab gives its tokens: https://docs.gitlab.com/security/tokens/#token-prefixes
  {
    name: "a GitLab token",
    pattern:
      /\b(glpat|gldt|glrt|glrtr|glptt|glft|glimt|glagent|gloas|glcbt|glsoat|glffct|glwt|gltst)-[A-Za-z0-9_.-]{8,}/,
    belongs: GITLAB_TOKEN,
  },
  { name: "a GitLab runner registration token", pattern: /\bGR1348941[A-Za-z0-9_-]{8,}/, belongs: GITLAB_TOKEN },
  // Access key ids: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  { name: "an AWS access key id", pattern: /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/, belongs: AWS_CREDENTIALS },
  // A whole value of 40 base64 characters with mixed case and a digit: the shape of a secret access key.
  {
    name: "an AWS secret access key",
    pattern: /^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9/+]{40}$/,
    belongs: AWS_CREDENTIALS,
  },
  {
    name: "a private key",
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/,
    belongs: "Terraform generates Flux's deploy key and keeps it in state; other keys belong in a secret store",
  },
  {
    name: "credentials in a URL",
    pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:[^\s/@]*@/i,
    belongs: "write the URL without user:password@; GitLab reads GITLAB_TOKEN, GitLab-managed state TF_HTTP_PASSWORD",
  },
  // Incoming-webhook URLs carry their credential in the path: whoever has one may post.
  {
    name: "a chat webhook URL",
    pattern: new RegExp(
      [
        String.raw`https:\/\/(hooks\.slack\.com\/(services|workflows|triggers)\/`,
        String.raw`|[a-z0-9-]+\.webhook\.office\.com\/`,
        String.raw`|[a-z0-9.-]+\.logic\.azure\.com(:\d+)?\/workflows\/)`,
      ].join(""),
      "i",
    ),
    belongs:
      "alert webhook URLs belong in TF_VAR_flux_alert_address (a masked, protected CI/CD variable), never in " +
      "configuration",
  },
  {
    name: "a GitHub token",
    pattern: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}/,
    belongs: "tokens belong in environment variables",
  },
];

/** The kind of secret `text` holds, if it looks like one. */
export function findSecret(text: string): SecretKind | undefined {
  return SECRET_KINDS.find((kind) => kind.pattern.test(text));
}
