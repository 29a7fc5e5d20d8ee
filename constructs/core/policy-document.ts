import { Fn, Token } from "cdktf";

/** One statement of an IAM or KMS policy, in AWS's own key names. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Record<string, string | string[]>;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * A policy document. One that holds Terraform references (a key ARN, the partition) becomes a
 * `jsonencode(...)` expression: a `JSON.stringify`-ed string with `${...}` inside works in JSON
 * but does not even parse in `cdktf synth --hcl`. A literal document stays a plain JSON string,
 * which reads the same in plans, tests and both syntheses.
 * https://developer.hashicorp.com/terraform/language/functions/jsonencode
 */
export function policyDocument(statements: PolicyStatement[]): string {
  const document = { Version: "2012-10-17", Statement: statements };
  const text = JSON.stringify(document);
  return Token.isUnresolved(text) ? Fn.jsonencode(document) : text;
}

/** Who may assume a Pod Identity role: one service account of one cluster in one account. */
export interface PodIdentityTrust {
  /** The account id (a reference is fine: it comes from the cluster's ARN). */
  readonly account: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * EKS Pod Identity's trust policy, conditioned on the session tags Pod Identity sets, so no
 * other cluster, namespace or service account in the account can assume the role.
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
export function podIdentityTrustPolicy(t: PodIdentityTrust): string {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        StringEquals: {
          "aws:SourceAccount": t.account,
          "aws:RequestTag/eks-cluster-name": t.clusterName,
          "aws:RequestTag/kubernetes-namespace": t.namespace,
          "aws:RequestTag/kubernetes-service-account": t.serviceAccount,
        },
      },
    },
  ]);
}

/**
 * A key policy statement that lets the account administer a KMS key, not use it: no Encrypt or
 * Decrypt, so an IAM policy in the account cannot grant use on its own. Grants are allowed only
 * for AWS resources (how EKS and CloudWatch Logs get their use).
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
 */
export const KEY_ADMINISTRATION = (root: string): PolicyStatement[] => [
  {
    Sid: "AccountAdministersNotUses",
    Effect: "Allow",
    Principal: { AWS: root },
    Action: [
      "kms:CreateAlias",
      "kms:Describe*",
      "kms:Enable*",
      "kms:List*",
      "kms:Put*",
      "kms:Update*",
      "kms:Revoke*",
      "kms:Disable*",
      "kms:Get*",
      "kms:Delete*",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
      "kms:RotateKeyOnDemand",
    ],
    Resource: "*",
  },
  {
    Sid: "GrantsForAwsResourcesOnly",
    Effect: "Allow",
    Principal: { AWS: root },
    Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
    Resource: "*",
    Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
  },
];

/** The account id inside an ARN (its fifth field); of a reference, a Terraform expression: no API lookup. */
export function accountOf(arn: string): string {
  return Token.isUnresolved(arn) ? Fn.element(Fn.split(":", arn), 4) : arn.split(":")[4];
}

/** The trust policy of a role assumed by an AWS service (`eks.amazonaws.com`, `pods.eks.amazonaws.com`, ...). */
export function serviceTrustPolicy(service: string, actions: string | string[] = "sts:AssumeRole"): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: actions }]);
}
