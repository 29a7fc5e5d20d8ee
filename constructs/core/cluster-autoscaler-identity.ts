import { Construct } from "constructs";
import { CLUSTER_AUTOSCALER } from "../flux/api";
import { policyDocument } from "./policy-document";
import { PodIdentityRole } from "./pod-identity-role";

export interface ClusterAutoscalerIdentityProps {
  /** The cluster name as written in config: it names the role and the Auto Scaling group tag. */
  readonly name: string;
  /** The EKS cluster resource's name (a reference, so the association waits for the cluster). */
  readonly clusterName: string;
  /** The cluster's ARN, for the trust policy's account. */
  readonly clusterArn: string;
  /** The IAM role's name. */
  readonly roleName: string;
}

/**
 * The AWS identity of the cluster autoscaler (installed by Flux from infrastructure/): an EKS
 * Pod Identity role for kube-system/cluster-autoscaler whose writes are limited to this
 * cluster's node groups (EKS tags their Auto Scaling groups `k8s.io/cluster-autoscaler/<cluster>`).
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
// A PodIdentityRole itself, not a wrapper around one, so the resources keep their Terraform
// addresses (`cluster-autoscaler-identity_role_...`) from before this construct existed.
export class ClusterAutoscalerIdentity extends PodIdentityRole {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerIdentityProps) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(props.name)) {
      throw new Error(`ClusterAutoscalerIdentity: name must be 1-40 of A-Za-z0-9-_ (got "${props.name}")`);
    }
    super(scope, id, {
      roleName: props.roleName,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      ...CLUSTER_AUTOSCALER,
      inlinePolicy: clusterAutoscalerPolicy(props.name),
    });
  }
}

/** Reads anywhere; scales and terminates only in Auto Scaling groups this cluster owns. */
export function clusterAutoscalerPolicy(clusterName: string): string {
  return policyDocument([
    {
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      Resource: "*",
    },
    {
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: "*",
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    },
  ]);
}
