import { policyDocument, PolicyStatement } from "../policy-document";

/** What Karpenter's controller policy is scoped to. */
export interface KarpenterPolicyScope {
  /** The cluster name as configured (a literal: it is part of condition keys). */
  readonly name: string;
  /** AWS partition (`aws`, or a reference to aws_partition). */
  readonly partition: string;
  /** The cluster's region, as configured. */
  readonly region: string;
  /** The account id (a reference is fine: taken from the cluster's ARN). */
  readonly account: string;
  /** The cluster's ARN. */
  readonly clusterArn: string;
  /** The interruption queue's ARN. */
  readonly queueArn: string;
  /** The node role's ARN: the only role Karpenter may pass to EC2. */
  readonly nodeRoleArn: string;
}

/** The upstream release the statements below follow; bump with ADDON_VERSIONS.karpenter. */
export const KARPENTER_POLICY_SOURCE = {
  version: "1.14.1",
  file: "website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml",
} as const;

/**
 * Karpenter's controller policy, statement for statement as its CloudFormation template of
 * v1.14.1 publishes it (NodeLifecycle, IAMIntegration, EKSIntegration, Interruption, ZonalShift
 * and ResourceDiscovery policies), with this cluster, region, account, queue and node role filled
 * in. Writes are conditioned on the `kubernetes.io/cluster/<name>: owned` and
 * `karpenter.sh/nodepool` tags Karpenter puts on what it launches, so it can touch nothing else.
 * A copy of the template at that tag sits next to the test, which compares the two statement by
 * statement: refresh it with the pin.
 * https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml
 */
export function karpenterControllerPolicy(s: KarpenterPolicyScope): string {
  const ec2 = (type: string, account = "*") => `arn:${s.partition}:ec2:${s.region}:${account}:${type}/*`;
  const profiles = `arn:${s.partition}:iam::${s.account}:instance-profile/*`;
  const owned = { [`kubernetes.io/cluster/${s.name}`]: "owned" };
  const tags = (kind: "Request" | "Resource", values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`aws:${kind}Tag/${k}`, v]));
  const nodePool = { "karpenter.sh/nodepool": "*" };
  const nodeClass = { "karpenter.k8s.aws/ec2nodeclass": "*" };
  const clusterTags = { ...owned, "eks:eks-cluster-name": s.name };
  const regionTag = { "topology.kubernetes.io/region": s.region };
  const launched = ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"];

  const statements: PolicyStatement[] = [
    // NodeLifecyclePolicy
    {
      Sid: "AllowScopedEC2InstanceAccessActions",
      Effect: "Allow",
      Resource: [
        `arn:${s.partition}:ec2:${s.region}::image/*`,
        `arn:${s.partition}:ec2:${s.region}::snapshot/*`,
        ...["security-group", "subnet", "capacity-reservation", "placement-group"].map((t) => ec2(t)),
      ],
      Action: ["ec2:RunInstances", "ec2:CreateFleet"],
    },
    {
      Sid: "AllowScopedEC2LaunchTemplateAccessActions",
      Effect: "Allow",
      Resource: ec2("launch-template"),
      Action: ["ec2:RunInstances", "ec2:CreateFleet"],
      Condition: { StringEquals: tags("Resource", owned), StringLike: tags("Resource", nodePool) },
    },
    {
      Sid: "AllowScopedEC2InstanceActionsWithTags",
      Effect: "Allow",
      Resource: launched.map((t) => ec2(t)),
      Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
      Condition: { StringEquals: tags("Request", clusterTags), StringLike: tags("Request", nodePool) },
    },
    {
      Sid: "AllowScopedResourceCreationTagging",
      Effect: "Allow",
      Resource: launched.map((t) => ec2(t)),
      Action: "ec2:CreateTags",
      Condition: {
        StringEquals: {
          ...tags("Request", clusterTags),
          "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
        },
        StringLike: tags("Request", nodePool),
      },
    },
    {
      Sid: "AllowScopedResourceTagging",
      Effect: "Allow",
      Resource: ec2("instance"),
      Action: "ec2:CreateTags",
      Condition: {
        StringEquals: tags("Resource", owned),
        StringLike: tags("Resource", nodePool),
        StringEqualsIfExists: tags("Request", { "eks:eks-cluster-name": s.name }),
        "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
      },
    },
    {
      Sid: "AllowScopedDeletion",
      Effect: "Allow",
      Resource: [ec2("instance"), ec2("launch-template")],
      Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
      Condition: { StringEquals: tags("Resource", owned), StringLike: tags("Resource", nodePool) },
    },
    // IAMIntegrationPolicy: Karpenter creates the instance profiles of its EC2NodeClasses itself.
    {
      Sid: "AllowPassingInstanceRole",
      Effect: "Allow",
      Resource: s.nodeRoleArn,
      Action: "iam:PassRole",
      Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] } },
    },
    {
      Sid: "AllowScopedInstanceProfileCreationActions",
      Effect: "Allow",
      Resource: profiles,
      Action: ["iam:CreateInstanceProfile"],
      Condition: {
        StringEquals: tags("Request", { ...clusterTags, ...regionTag }),
        StringLike: tags("Request", nodeClass),
      },
    },
    {
      Sid: "AllowScopedInstanceProfileTagActions",
      Effect: "Allow",
      Resource: profiles,
      Action: ["iam:TagInstanceProfile"],
      Condition: {
        StringEquals: {
          ...tags("Resource", { ...owned, ...regionTag }),
          ...tags("Request", { ...clusterTags, ...regionTag }),
        },
        StringLike: { ...tags("Resource", nodeClass), ...tags("Request", nodeClass) },
      },
    },
    {
      Sid: "AllowScopedInstanceProfileActions",
      Effect: "Allow",
      Resource: profiles,
      Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
      Condition: {
        StringEquals: tags("Resource", { ...owned, ...regionTag }),
        StringLike: tags("Resource", nodeClass),
      },
    },
    // EKSIntegrationPolicy
    { Sid: "AllowAPIServerEndpointDiscovery", Effect: "Allow", Resource: s.clusterArn, Action: "eks:DescribeCluster" },
    // InterruptionPolicy
    {
      Sid: "AllowInterruptionQueueActions",
      Effect: "Allow",
      Resource: s.queueArn,
      Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
    },
    // ZonalShiftPolicy
    {
      Sid: "AllowZonalShiftStatusReadOnly",
      Effect: "Allow",
      Resource: "*",
      Action: ["arc-zonal-shift:GetManagedResource"],
      Condition: { StringEquals: { "arc-zonal-shift:ResourceIdentifier": s.clusterArn } },
    },
    // ResourceDiscoveryPolicy
    {
      Sid: "AllowRegionalReadActions",
      Effect: "Allow",
      Resource: "*",
      Action: [
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribePlacementGroups",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory",
        "ec2:DescribeSubnets",
      ],
      Condition: { StringEquals: { "aws:RequestedRegion": s.region } },
    },
    {
      Sid: "AllowSSMReadActions",
      Effect: "Allow",
      Resource: `arn:${s.partition}:ssm:${s.region}::parameter/aws/service/*`,
      Action: "ssm:GetParameter",
    },
    { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
    {
      Sid: "AllowUnscopedInstanceProfileListAction",
      Effect: "Allow",
      Resource: "*",
      Action: "iam:ListInstanceProfiles",
    },
    { Sid: "AllowInstanceProfileReadActions", Effect: "Allow", Resource: profiles, Action: "iam:GetInstanceProfile" },
  ];
  return policyDocument(statements);
}
