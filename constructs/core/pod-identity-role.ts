import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { accountOf, podIdentityTrustPolicy } from "./policy-document";

export interface PodIdentityRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  /** EKS cluster the service account lives in. */
  readonly clusterName: string;
  /** That cluster's ARN: the trust policy takes the account from it. */
  readonly clusterArn: string;
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Service account whose pods get the role. */
  readonly serviceAccount: string;
  /** AWS managed policy ARNs to attach. @default [] */
  readonly managedPolicyArns?: string[];
  /** An inline policy document (JSON). @default none */
  readonly inlinePolicy?: string;
  /**
   * Create the EKS Pod Identity association too. Off when an add-on declares its own
   * association (aws_eks_addon.pod_identity_association).
   * @default true
   */
  readonly associate?: boolean;
  /** Resources the association waits for (the cluster, the pod identity agent). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An IAM role that pods of one service account assume through EKS Pod Identity: no static
 * keys, no OIDC provider. https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
 */
export class PodIdentityRole extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const dns1123 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    for (const key of ["namespace", "serviceAccount"] as const) {
      if (!dns1123.test(props[key]))
        throw new Error(`PodIdentityRole: ${key} must be a Kubernetes name (got "${props[key]}")`);
    }
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      assumeRolePolicy: podIdentityTrustPolicy({
        account: accountOf(props.clusterArn),
        clusterName: props.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
      }),
      description: `EKS Pod Identity for ${props.namespace}/${props.serviceAccount} on ${props.clusterName}`,
    });
    (props.managedPolicyArns ?? []).forEach(
      (policyArn, i) => new IamRolePolicyAttachment(this, `policy-${i}`, { role: this.role.name, policyArn }),
    );
    if (props.inlinePolicy) {
      new IamRolePolicy(this, "inline-policy", { role: this.role.id, name: "access", policy: props.inlinePolicy });
    }
    if (props.associate ?? true) {
      new EksPodIdentityAssociation(this, "association", {
        clusterName: props.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.arn,
        dependsOn: props.dependsOn,
      });
    }
  }
}
