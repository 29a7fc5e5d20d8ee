import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { scopeNodePulls } from "./container-registry";
import { accountOf, serviceTrustPolicy } from "./policy-document";

/**
 * The policies every EKS worker needs: join the cluster and pull images (the add-ons' from AWS's
 * registries too). The VPC CNI's ENI permissions are not here: aws-node gets them through its own
 * Pod Identity role, so nothing on the node hands them out.
 */
export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"];

/** Amazon Linux 2023: EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.33 and newer. */
export const AMI_TYPE = "AL2023_x86_64_STANDARD";

export interface NodeGroupProps {
  /** The cluster to join. */
  readonly clusterName: string;
  /** AWS partition, for managed policy ARNs. */
  readonly partition: string;
  /** Subnets the nodes run in (the private ones). */
  readonly subnetIds: string[];
  /** EC2 instance types. */
  readonly instanceTypes: string[];
  /** `SPOT` or `ON_DEMAND`. */
  readonly capacityType: "SPOT" | "ON_DEMAND";
  /** Fewest nodes. */
  readonly minSize: number;
  /** Nodes at creation; the cluster autoscaler moves it afterwards. */
  readonly desiredSize: number;
  /** Most nodes. */
  readonly maxSize: number;
  /** Root volume size in GiB. */
  readonly diskSizeGiB: number;
  /** The cluster's ARN: its account is the one whose repositories the nodes' pulls are scoped in. */
  readonly clusterArn: string;
  /** The only repositories of the cluster's account the nodes may pull from (environmentRepositoriesArn). */
  readonly ecrRepositoriesArn: string;
  /** What must exist before nodes start (vpc-cni, eks-pod-identity-agent). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A managed node group on AL2023 behind a launch template that enforces IMDSv2 and an
 * encrypted gp3 root volume.
 * https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html
 */
export class NodeGroup extends Construct {
  public readonly nodeGroup: EksNodeGroup;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    if (!(props.minSize <= props.desiredSize && props.desiredSize <= props.maxSize)) {
      const sizes = `${props.minSize}/${props.desiredSize}/${props.maxSize}`;
      throw new Error(`NodeGroup: sizes must satisfy min <= desired <= max (got ${sizes})`);
    }
    if (props.instanceTypes.length === 0) throw new Error("NodeGroup: instanceTypes needs at least one EC2 type");
    const role = new IamRole(this, "role", {
      name: `${props.clusterName}-eks-node`,
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
    });
    const attachments = [
      ...NODE_POLICIES.map(
        (policy) =>
          new IamRolePolicyAttachment(this, `policy-${policy}`, {
            role: role.name,
            policyArn: `arn:${props.partition}:iam::aws:policy/${policy}`,
          }),
      ),
      scopeNodePulls(this, role, props.ecrRepositoriesArn, accountOf(props.clusterArn)),
    ];

    const template = new LaunchTemplate(this, "launch-template", {
      namePrefix: `${props.clusterName}-node-`,
      description: `Nodes of EKS cluster ${props.clusterName}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        // One hop: the node reaches IMDSv2, pods do not, so no pod can borrow the node's role
        // (EKS Best Practices, "Restrict access to the instance profile").
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: props.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      tagSpecifications: [{ resourceType: "instance", tags: { Name: `${props.clusterName}-node` } }],
    });

    this.nodeGroup = new EksNodeGroup(this, "node-group", {
      clusterName: props.clusterName,
      nodeGroupName: "default",
      nodeRoleArn: role.arn,
      subnetIds: props.subnetIds,
      amiType: AMI_TYPE,
      capacityType: props.capacityType,
      instanceTypes: props.instanceTypes,
      scalingConfig: { minSize: props.minSize, desiredSize: props.desiredSize, maxSize: props.maxSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      // The cluster autoscaler owns the desired size once nodes run; a later apply must not undo it.
      lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
      dependsOn: [...attachments, ...(props.dependsOn ?? [])],
    });
  }
}
