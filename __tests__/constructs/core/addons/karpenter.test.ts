import {
  interruptionQueuePolicy,
  INTERRUPTION_EVENTS,
  Karpenter,
  KarpenterProps,
} from "../../../../constructs/core/addons/karpenter";
import { ADDON_ACCOUNTS } from "../../../../constructs/flux/api";
import { Json } from "../../../helpers";
import { only, resources, synthConstruct } from "../fixture";

const PROPS: KarpenterProps = {
  name: "test",
  clusterName: "test",
  clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/test",
  clusterSecurityGroupId: "sg-0123456789abcdef0",
  partition: "aws",
  region: "us-west-2",
  roleName: "test-karpenter",
  nodeRoleName: "test-karpenter-node",
  queueName: "test-karpenter",
  ecrRepositoriesArn: "arn:aws:ecr:us-west-2:123456789012:repository/test/*",
};
const json = synthConstruct((s) => new Karpenter(s, "karpenter", PROPS));
const roles = resources(json, "aws_iam_role");
const role = (name: string) => roles.find((r) => r.name === name)!;
/** The inline policy of the role whose Terraform address starts with `address`. */
const inlinePolicy = (address: string) => {
  const found = resources(json, "aws_iam_role_policy").filter((p) => String(p.role).includes(address));
  if (found.length !== 1) throw new Error(`expected one inline policy of ${address}, found ${found.length}`);
  return found[0];
};

describe("Karpenter", () => {
  test("the controller: a Pod Identity role for kube-system/karpenter on this cluster and account", () => {
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      cluster_name: "test",
      namespace: ADDON_ACCOUNTS.karpenter.namespace,
      service_account: ADDON_ACCOUNTS.karpenter.serviceAccount,
      role_arn: expect.stringMatching(/aws_iam_role\.karpenter_controller_role/),
    });
    const [trust] = JSON.parse(role("test-karpenter").assume_role_policy).Statement;
    expect(trust.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(trust.Condition.StringEquals).toEqual({
      "aws:SourceAccount": "123456789012",
      "aws:RequestTag/eks-cluster-name": "test",
      "aws:RequestTag/kubernetes-namespace": "kube-system",
      "aws:RequestTag/kubernetes-service-account": "karpenter",
    });
  });

  test("the controller's policy names the queue and the node role it creates", () => {
    const policy = inlinePolicy("aws_iam_role.karpenter_controller").policy as string;
    expect(policy).toContain("aws_sqs_queue.karpenter_interruption-queue");
    expect(policy).toContain("aws_iam_role.karpenter_node-role");
  });

  test("the node role: trusted by EC2, worker, image pull and SSM policies, no VPC CNI policy", () => {
    const node = role("test-karpenter-node");
    expect(JSON.parse(node.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const attached = resources(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn);
    expect(attached.sort()).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
  });

  test("the node role joins the cluster through an EC2_LINUX access entry, no instance profile", () => {
    expect(only(json, "aws_eks_access_entry")).toMatchObject({
      cluster_name: "test",
      type: "EC2_LINUX",
      principal_arn: expect.stringMatching(/aws_iam_role\.karpenter_node-role_[^.]+\.arn/),
    });
    expect(resources(json, "aws_iam_instance_profile")).toHaveLength(0);
  });

  test("the interruption queue: encrypted, messages kept 300 s", () => {
    expect(only(json, "aws_sqs_queue")).toMatchObject({
      name: "test-karpenter",
      message_retention_seconds: 300,
      sqs_managed_sse_enabled: true,
    });
  });

  test("the queue policy: EventBridge of this account and SQS send, nothing without TLS", () => {
    expect(only(json, "aws_sqs_queue_policy").policy).toMatch(
      /"Resource" = aws_sqs_queue\.karpenter_interruption-queue_[^.]+\.arn/,
    );
    const queue = "arn:aws:sqs:us-west-2:123456789012:test-karpenter";
    const [events, sqs, deny] = JSON.parse(interruptionQueuePolicy(queue, "123456789012")).Statement as Json[];
    expect(events).toEqual({
      Sid: "EventBridgeSendsFromThisAccount",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queue,
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
    expect(sqs).toEqual({
      Sid: "SqsSends",
      Effect: "Allow",
      Principal: { Service: "sqs.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queue,
    });
    expect(deny).toEqual({
      Sid: "DenyHTTP",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "sqs:*",
      Resource: queue,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  test.each([
    ["health", "aws.health", "AWS Health Event"],
    ["spot", "aws.ec2", "EC2 Spot Instance Interruption Warning"],
    ["rebalance", "aws.ec2", "EC2 Instance Rebalance Recommendation"],
    ["state", "aws.ec2", "EC2 Instance State-change Notification"],
    ["reservation", "aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"],
  ])("EventBridge rule %s: %s %s, to the queue", (kind, source, detailType) => {
    const rule = resources(json, "aws_cloudwatch_event_rule").find((r) => r.name === `test-karpenter-${kind}`)!;
    expect(JSON.parse(rule.event_pattern)).toEqual({ source: [source], "detail-type": [detailType] });
    const target = resources(json, "aws_cloudwatch_event_target").find((t) =>
      t.rule.includes(`karpenter_${kind}-rule`),
    )!;
    expect(target.arn).toMatch(/aws_sqs_queue\.karpenter_interruption-queue_[^.]+\.arn/);
  });

  test("one rule per event kind, names within EventBridge's 64 characters for a 40-character cluster", () => {
    expect(resources(json, "aws_cloudwatch_event_rule")).toHaveLength(Object.keys(INTERRUPTION_EVENTS).length);
    const longest = Math.max(...Object.keys(INTERRUPTION_EVENTS).map((k) => `${"x".repeat(40)}-karpenter-${k}`.length));
    expect(longest).toBeLessThanOrEqual(64);
  });

  test("the cluster security group carries the discovery tag", () => {
    expect(only(json, "aws_ec2_tag")).toEqual({
      resource_id: "sg-0123456789abcdef0",
      key: "karpenter.sh/discovery",
      value: "test",
    });
  });

  test.each(["", "has space", "x".repeat(41), "${var.x}"])("invalid: name %p", (name) => {
    expect(() => synthConstruct((s) => new Karpenter(s, "karpenter", { ...PROPS, name }))).toThrow(
      /name must be 1-40 of A-Za-z0-9-_/,
    );
  });

  test("its nodes pull from this account only from the environment's repositories", () => {
    const inline = inlinePolicy("aws_iam_role.karpenter_node-role");
    const [deny] = JSON.parse(inline.policy).Statement;
    expect(deny).toMatchObject({ Effect: "Deny", NotResource: PROPS.ecrRepositoriesArn });
    expect(deny.Condition).toEqual({ StringEquals: { "aws:ResourceAccount": "123456789012" } });
  });
});
