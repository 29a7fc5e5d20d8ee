import { ITerraformDependable } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { policyDocument } from "./policy-document";

/** The `aud` every job asks for in `id_tokens` when it assumes an AWS role. */
export const AWS_AUDIENCE = "sts.amazonaws.com";

/**
 * Which GitLab jobs may assume a role, as the token's `sub` claim names them:
 * `project_path:<project>:ref_type:<refType>:ref:<ref>`. IAM evaluates only `sub` and `aud` of a
 * GitLab token (AWS reads no custom claims such as `ref_protected` or `environment`), so these
 * two are the whole trust: the project is always exact; only `ref` may be "any".
 * https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload
 */
export interface GitlabSubject {
  /** `group/project`, exact. */
  readonly project: string;
  /** A branch or a tag. */
  readonly refType: "branch" | "tag";
  /** One exact ref, or "any" (every branch, or every tag, of that project). */
  readonly ref: string | "any";
}

/** The trust policy for `subject`: exact `aud`, exact or ref-wildcarded `sub`, nothing else. */
export function gitlabTrustPolicy(
  providerArn: string,
  issuerHost: string,
  subject: GitlabSubject,
  audience = AWS_AUDIENCE,
): string {
  for (const part of [subject.project, subject.ref === "any" ? "" : subject.ref]) {
    // A wildcard or a colon here would let another project or ref match the pattern.
    if (/[*?:]/.test(part)) throw new Error(`GitLab trust: "${part}" must not contain *, ? or :`);
  }
  const prefix = `project_path:${subject.project}:ref_type:${subject.refType}:ref:`;
  const sub =
    subject.ref === "any"
      ? { StringLike: { [`${issuerHost}:sub`]: `${prefix}*` } }
      : { StringEquals: { [`${issuerHost}:sub`]: `${prefix}${subject.ref}` } };
  const aud = { [`${issuerHost}:aud`]: audience };
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Federated: providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition:
        "StringEquals" in sub ? { StringEquals: { ...aud, ...sub.StringEquals } } : { StringEquals: aud, ...sub },
    },
  ]);
}

/**
 * The plan role's inline policy: it may read everything (ReadOnlyAccess) except the bootstrap
 * stack's state object, which holds Flux's SSH key. An explicit Deny wins over any Allow.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function noBootstrapStatePolicy(bootstrapStateArn: string): string {
  // A bucket's ARN (no key) matches no object: the Deny would silently protect nothing.
  if (!/^arn:[a-z-]+:s3:::[^/]+\/.+$/.test(bootstrapStateArn)) {
    throw new Error(
      `noBootstrapStatePolicy: "${bootstrapStateArn}" must be an S3 object ARN (arn:<partition>:s3:::<bucket>/<key>)`,
    );
  }
  return policyDocument([
    { Sid: "NoBootstrapState", Effect: "Deny", Action: "s3:GetObject", Resource: bootstrapStateArn },
  ]);
}

export interface GitlabCiRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  /** ARN of the account's GitLab OIDC provider. */
  readonly providerArn: string;
  /** The issuer without scheme: the prefix of the `sub` and `aud` condition keys. */
  readonly issuerHost: string;
  /** The jobs that may assume the role. */
  readonly subject: GitlabSubject;
  /** What the role is for (IAM description). */
  readonly description: string;
  /** AWS managed policies to attach. @default [] */
  readonly managedPolicyArns?: string[];
  /** An inline policy (JSON). @default none */
  readonly inlinePolicy?: string;
  /** Longest session, in seconds: a job's credentials expire with it. @default 3600 */
  readonly maxSessionDuration?: number;
  /** What the role waits for (the OIDC provider it trusts, when created in the same stack). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An IAM role that GitLab CI jobs assume with their ID token (AssumeRoleWithWebIdentity):
 * temporary credentials, no access key stored anywhere.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 */
export class GitlabCiRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: GitlabCiRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: gitlabTrustPolicy(props.providerArn, props.issuerHost, props.subject),
      maxSessionDuration: props.maxSessionDuration ?? 3600,
      dependsOn: props.dependsOn,
    });
    (props.managedPolicyArns ?? []).forEach(
      (policyArn, i) => new IamRolePolicyAttachment(this, `policy-${i}`, { role: this.role.name, policyArn }),
    );
    if (props.inlinePolicy) {
      new IamRolePolicy(this, "inline", { role: this.role.id, name: "inline", policy: props.inlinePolicy });
    }
  }
}
