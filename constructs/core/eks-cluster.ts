import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { accountOf, KEY_ADMINISTRATION, policyDocument, serviceTrustPolicy } from "./policy-document";

/** Every control-plane log type: api, audit and authenticator are the ones incidents need. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export interface EksClusterProps {
  /** Cluster name. */
  readonly name: string;
  /** Kubernetes minor version, e.g. "1.34". */
  readonly kubernetesVersion: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`), from the aws_partition data source. */
  readonly partition: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /** Subnets for the control plane's network interfaces (the private ones). */
  readonly subnetIds: string[];
  /** Public API endpoint on or off; the private endpoint is always on. */
  readonly endpointPublicAccess: boolean;
  /** CIDRs allowed to reach the public endpoint. */
  readonly publicAccessCidrs: string[];
  /** Give the creating identity cluster-admin (EKS replaces the cluster when this changes). */
  readonly creatorAdmin: boolean;
  /** IAM principals given cluster-admin through access entries. */
  readonly adminPrincipalArns: string[];
  /** Days CloudWatch keeps control-plane logs. */
  readonly logRetentionDays: number;
  /** The KMS key of the cluster's log groups (LogsKey), and what the log group waits for (its policy). */
  readonly logsKey: { readonly arn: string; readonly ready?: ITerraformDependable };
}

/** The control-plane log group's name: EKS writes to exactly this one. */
export const controlPlaneLogGroup = (clusterName: string) => `/aws/eks/${clusterName}/cluster`;

/**
 * The EKS control plane: its IAM role, a KMS key (with rotation) that envelope-encrypts
 * Kubernetes Secrets, the control-plane log group (created first so EKS does not create one that
 * never expires; encrypted with the logs key), and API-mode access entries.
 * https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 */
export class EksCluster extends Construct {
  public readonly cluster: AwsEksCluster;
  public readonly kmsKey: KmsKey;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    if (props.endpointPublicAccess && props.publicAccessCidrs.length === 0) {
      throw new Error("EksCluster: publicAccessCidrs must name who may reach the public endpoint");
    }
    if (!props.creatorAdmin && props.adminPrincipalArns.length === 0) {
      throw new Error(
        "EksCluster: with creatorAdmin off, adminPrincipalArns needs at least one principal, " +
          "or nobody can administer the cluster",
      );
    }
    const arnPrefix = `arn:${props.partition}`;

    const role = new IamRole(this, "role", {
      name: `${props.name}-eks-cluster`,
      assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, "cluster-policy", {
      role: role.name,
      policyArn: `${arnPrefix}:iam::aws:policy/AmazonEKSClusterPolicy`,
    });

    this.kmsKey = new KmsKey(this, "kms-key", {
      description: `EKS ${props.name}: Kubernetes Secrets`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "kms-alias", { name: `alias/eks/${props.name}`, targetKeyId: this.kmsKey.keyId });
    const keyPolicy = new KmsKeyPolicy(this, "kms-key-policy", {
      keyId: this.kmsKey.keyId,
      policy: this.keyPolicy(props, role.arn),
    });
    const roleKmsAccess = new IamRolePolicy(this, "cluster-kms-access", {
      role: role.id,
      name: "kms-envelope-encryption",
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          Resource: this.kmsKey.arn,
        },
      ]),
    });

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: controlPlaneLogGroup(props.name),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKey.arn,
      dependsOn: props.logsKey.ready && [props.logsKey.ready],
    });

    this.cluster = new AwsEksCluster(this, "cluster", {
      name: props.name,
      version: props.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: props.endpointPublicAccess,
        publicAccessCidrs: props.endpointPublicAccess ? props.publicAccessCidrs : undefined,
      },
      accessConfig: {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: props.creatorAdmin,
      },
      // Both default to true in the provider and replace the cluster when changed: say so here.
      bootstrapSelfManagedAddons: false,
      encryptionConfig: { provider: { keyArn: this.kmsKey.arn }, resources: ["secrets"] },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      upgradePolicy: { supportType: "STANDARD" },
      dependsOn: [logGroup, clusterPolicy, roleKmsAccess, keyPolicy],
    });

    const seen = new Set<string>();
    for (const principalArn of props.adminPrincipalArns) {
      // Ids come from the ARN, not the list position, so removing one admin leaves the others be.
      const entryId = `admin-${principalArn
        .split(":")
        .pop()!
        .replace(/[^A-Za-z0-9-]+/g, "-")
        .toLowerCase()}`;
      if (seen.has(entryId)) throw new Error(`two admin principals map to the same id ${entryId}: ${principalArn}`);
      seen.add(entryId);
      const entry = new EksAccessEntry(this, entryId, {
        clusterName: this.cluster.name,
        principalArn,
        type: "STANDARD",
      });
      new EksAccessPolicyAssociation(this, `${entryId}-policy`, {
        clusterName: this.cluster.name,
        principalArn,
        policyArn: `${arnPrefix}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
        dependsOn: [entry],
      });
    }
  }

  /**
   * One purpose, Kubernetes Secrets: the account administers the key, only the cluster's role
   * uses it. The account id comes from the key's own ARN, so the stack plans without credentials.
   * https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
   */
  private keyPolicy(props: EksClusterProps, clusterRoleArn: string): string {
    const account = accountOf(this.kmsKey.arn);
    return policyDocument([
      ...KEY_ADMINISTRATION(`arn:${props.partition}:iam::${account}:root`),
      {
        Sid: "ClusterRoleEncryptsSecrets",
        Effect: "Allow",
        Principal: { AWS: clusterRoleArn },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: "*",
      },
    ]);
  }
}
