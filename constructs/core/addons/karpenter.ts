import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { scopeNodePulls } from "../container-registry";
import { KARPENTER_DISCOVERY_TAG } from "../../../config/names";
import { ADDON_ACCOUNTS } from "../../flux/api";
import { accountOf, policyDocument, serviceTrustPolicy } from "../policy-document";
import { PodIdentityRole } from "../pod-identity-role";
import { karpenterControllerPolicy } from "./karpenter-policy";

/**
 * The policies of the nodes Karpenter launches: join the cluster, pull images, be reachable by
 * SSM. Not AmazonEKS_CNI_Policy, which the published template adds: aws-node has its own Pod
 * Identity role here, so no node hands out ENI permissions.
 */
export const KARPENTER_NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonSSMManagedInstanceCore",
];

/**
 * The EventBridge events Karpenter drains nodes ahead of, as its CloudFormation template routes
 * them. The keys end rule names `<queue>-<key>`: short, so a 40-character cluster name stays
 * within EventBridge's 64.
 */
export const INTERRUPTION_EVENTS = {
  health: { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
  spot: { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
  rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
  state: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
  reservation: {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"],
  },
} as const;

export interface KarpenterProps {
  /** The cluster name as configured: tag values and policy condition keys. */
  readonly name: string;
  /** The EKS cluster resource's name (a reference, so what needs the cluster waits for it). */
  readonly clusterName: string;
  /** The cluster's ARN: account, DescribeCluster, zonal shift. */
  readonly clusterArn: string;
  /** The cluster security group EKS created: it gets the discovery tag. */
  readonly clusterSecurityGroupId: string;
  /** AWS partition (a reference to aws_partition). */
  readonly partition: string;
  /** The cluster's region. */
  readonly region: string;
  /** The controller's Pod Identity role name. */
  readonly roleName: string;
  /** The nodes' role name (EC2NodeClass `role`). */
  readonly nodeRoleName: string;
  /** The interruption queue's name (Karpenter's `settings.interruptionQueue`). */
  readonly queueName: string;
  /** The only repositories of the cluster's account the nodes may pull from (environmentRepositoriesArn). */
  readonly ecrRepositoriesArn: string;
}

/**
 * Karpenter's AWS side, as its getting-started CloudFormation template of v1.14.1 builds it: the
 * controller's Pod Identity role, the node role and its EC2_LINUX access entry, the SQS
 * interruption queue and the EventBridge rules feeding it, and the discovery tag on the cluster
 * security group (the private subnets get theirs from Network). No instance profile: Karpenter v1
 * creates one per EC2NodeClass from its `role`.
 * https://karpenter.sh/docs/reference/cloudformation/
 */
export class Karpenter extends Construct {
  public readonly controller: PodIdentityRole;
  public readonly nodeRole: IamRole;
  public readonly queue: SqsQueue;
  public readonly nodeAccessEntry: EksAccessEntry;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    // The name is part of IAM condition keys and rule names: a literal of safe characters only.
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(props.name)) {
      throw new Error(`Karpenter: name must be 1-40 of A-Za-z0-9-_ (got "${props.name}")`);
    }
    const account = accountOf(props.clusterArn);

    this.nodeRole = new IamRole(this, "node-role", {
      name: props.nodeRoleName,
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
      description: `Nodes Karpenter launches for ${props.name}`,
    });
    KARPENTER_NODE_POLICIES.forEach(
      (policy) =>
        new IamRolePolicyAttachment(this, `node-policy-${policy}`, {
          role: this.nodeRole.name,
          policyArn: `arn:${props.partition}:iam::aws:policy/${policy}`,
        }),
    );
    scopeNodePulls(this, this.nodeRole, props.ecrRepositoriesArn, account);
    // Lets the nodes join: EC2_LINUX entries get system:nodes, and take no access policy.
    this.nodeAccessEntry = new EksAccessEntry(this, "node-access-entry", {
      clusterName: props.clusterName,
      principalArn: this.nodeRole.arn,
      type: "EC2_LINUX",
    });

    this.queue = new SqsQueue(this, "interruption-queue", {
      name: props.queueName,
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    new SqsQueuePolicy(this, "interruption-queue-policy", {
      queueUrl: this.queue.url,
      policy: interruptionQueuePolicy(this.queue.arn, account),
    });
    for (const [kind, pattern] of Object.entries(INTERRUPTION_EVENTS)) {
      const rule = new CloudwatchEventRule(this, `${kind}-rule`, {
        name: `${props.queueName}-${kind}`,
        description: `${pattern["detail-type"][0]} events, to Karpenter of ${props.name}`,
        eventPattern: JSON.stringify(pattern),
      });
      new CloudwatchEventTarget(this, `${kind}-target`, {
        rule: rule.name,
        targetId: "KarpenterInterruptionQueueTarget",
        arn: this.queue.arn,
      });
    }

    new Ec2Tag(this, "security-group-discovery-tag", {
      resourceId: props.clusterSecurityGroupId,
      key: KARPENTER_DISCOVERY_TAG,
      value: props.name,
    });

    this.controller = new PodIdentityRole(this, "controller", {
      roleName: props.roleName,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      ...ADDON_ACCOUNTS.karpenter,
      inlinePolicy: karpenterControllerPolicy({
        name: props.name,
        partition: props.partition,
        region: props.region,
        account,
        clusterArn: props.clusterArn,
        queueArn: this.queue.arn,
        nodeRoleArn: this.nodeRole.arn,
      }),
    });
  }
}

/**
 * Who may use the interruption queue: EventBridge (from this account's rules) and SQS may send;
 * nothing may use it without TLS. The published template lets events.amazonaws.com send from any
 * account; the aws:SourceAccount condition keeps another account's rules from feeding Karpenter
 * fake interruptions.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
 */
export function interruptionQueuePolicy(queueArn: string, account: string): string {
  return policyDocument([
    {
      Sid: "EventBridgeSendsFromThisAccount",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queueArn,
      Condition: { StringEquals: { "aws:SourceAccount": account } },
    },
    {
      Sid: "SqsSends",
      Effect: "Allow",
      Principal: { Service: "sqs.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queueArn,
    },
    {
      Sid: "DenyHTTP",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "sqs:*",
      Resource: queueArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ]);
}
