import { Construct } from "constructs";
import { ADDON_ACCOUNTS } from "../../flux/api";
import { accountOf, policyDocument } from "../policy-document";
import { PodIdentityRole } from "../pod-identity-role";

export interface ExternalSecretsProps {
  /** The EKS cluster resource's name. */
  readonly clusterName: string;
  /** The cluster's ARN: the account of the secrets (no API lookup, so core plans without credentials). */
  readonly clusterArn: string;
  /** AWS partition (a reference to aws_partition). */
  readonly partition: string;
  /** The cluster's region: the secrets' region. */
  readonly region: string;
  /** The IAM role's name. */
  readonly roleName: string;
  /** Secrets Manager name prefix the store may read, ending in `/`. */
  readonly secretsPrefix: string;
}

/**
 * External Secrets Operator's identity: a Pod Identity role for external-secrets/external-secrets
 * that reads Secrets Manager secrets whose names start with the prefix, in this account and region
 * only, and writes nothing.
 * https://external-secrets.io/latest/provider/aws-secrets-manager/#iam-policy
 */
export class ExternalSecrets extends Construct {
  public readonly identity: PodIdentityRole;

  constructor(scope: Construct, id: string, props: ExternalSecretsProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_+=.@/-]+\/$/.test(props.secretsPrefix) || props.secretsPrefix.startsWith("/")) {
      throw new Error(
        `ExternalSecrets: secretsPrefix must be a secret name prefix ending in '/' (got "${props.secretsPrefix}")`,
      );
    }
    this.identity = new PodIdentityRole(this, "identity", {
      roleName: props.roleName,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      ...ADDON_ACCOUNTS.externalSecrets,
      inlinePolicy: externalSecretsPolicy(props),
    });
  }
}

/**
 * Secrets Manager ARNs end in `-` and six random characters after the name, hence the trailing
 * `*`; the prefix ends in `/`, so `dev/` never matches `dev-other/...`.
 */
export function externalSecretsPolicy(
  p: Pick<ExternalSecretsProps, "clusterArn" | "partition" | "region" | "secretsPrefix">,
): string {
  const account = accountOf(p.clusterArn);
  return policyDocument([
    {
      Sid: "ReadSecretsUnderThePrefix",
      Effect: "Allow",
      Action: [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:ListSecretVersionIds",
        "secretsmanager:GetResourcePolicy",
      ],
      Resource: `arn:${p.partition}:secretsmanager:${p.region}:${account}:secret:${p.secretsPrefix}*`,
    },
  ]);
}
