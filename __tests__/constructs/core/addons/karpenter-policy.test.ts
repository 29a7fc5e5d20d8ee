import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ADDON_VERSIONS } from "../../../../config/versions";
import {
  karpenterControllerPolicy,
  KARPENTER_POLICY_SOURCE,
} from "../../../../constructs/core/addons/karpenter-policy";
import { Json } from "../../../helpers";

const SCOPE = {
  name: "test",
  partition: "aws",
  region: "eu-west-1",
  account: "123456789012",
  clusterArn: "arn:aws:eks:eu-west-1:123456789012:cluster/test",
  queueArn: "arn:aws:sqs:eu-west-1:123456789012:test-karpenter",
  nodeRoleArn: "arn:aws:iam::123456789012:role/test-karpenter-node",
};
const statements: Json[] = JSON.parse(karpenterControllerPolicy(SCOPE)).Statement;
const sid = (id: string) => statements.find((s) => s.Sid === id)!;

describe("karpenterControllerPolicy", () => {
  test("follows the pinned release", () => {
    expect(KARPENTER_POLICY_SOURCE.version).toBe(ADDON_VERSIONS.karpenter.chart);
  });

  test("launches only from this region's images, subnets and security groups", () => {
    expect(sid("AllowScopedEC2InstanceAccessActions")).toMatchObject({
      Action: ["ec2:RunInstances", "ec2:CreateFleet"],
      Resource: expect.arrayContaining([
        "arn:aws:ec2:eu-west-1::image/*",
        "arn:aws:ec2:eu-west-1:*:subnet/*",
        "arn:aws:ec2:eu-west-1:*:security-group/*",
      ]),
    });
    expect(sid("AllowScopedEC2InstanceAccessActions").Condition).toBeUndefined();
  });

  test("creates instances, fleets and launch templates only tagged for this cluster and a NodePool", () => {
    expect(sid("AllowScopedEC2InstanceActionsWithTags").Condition).toEqual({
      StringEquals: {
        "aws:RequestTag/kubernetes.io/cluster/test": "owned",
        "aws:RequestTag/eks:eks-cluster-name": "test",
      },
      StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
    });
    expect(sid("AllowScopedEC2LaunchTemplateAccessActions").Condition).toEqual({
      StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/test": "owned" },
      StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
    });
  });

  test("tags at creation only what it launches; retags only its own instances, with three keys", () => {
    expect(sid("AllowScopedResourceCreationTagging").Condition.StringEquals).toMatchObject({
      "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
      "aws:RequestTag/kubernetes.io/cluster/test": "owned",
    });
    expect(sid("AllowScopedResourceTagging")).toMatchObject({
      Resource: "arn:aws:ec2:eu-west-1:*:instance/*",
      Condition: {
        StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/test": "owned" },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
      },
    });
  });

  test("terminates only instances and launch templates of this cluster's NodePools", () => {
    expect(sid("AllowScopedDeletion")).toMatchObject({
      Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
      Condition: {
        StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/test": "owned" },
        StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
      },
    });
  });

  test("passes the node role only, and only to EC2", () => {
    expect(sid("AllowPassingInstanceRole")).toEqual({
      Sid: "AllowPassingInstanceRole",
      Effect: "Allow",
      Resource: SCOPE.nodeRoleArn,
      Action: "iam:PassRole",
      Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] } },
    });
  });

  test("manages instance profiles of this account, cluster and region only", () => {
    const profiles = "arn:aws:iam::123456789012:instance-profile/*";
    expect(sid("AllowScopedInstanceProfileCreationActions")).toMatchObject({
      Resource: profiles,
      Condition: {
        StringEquals: {
          "aws:RequestTag/kubernetes.io/cluster/test": "owned",
          "aws:RequestTag/topology.kubernetes.io/region": "eu-west-1",
        },
        StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
      },
    });
    for (const id of ["AllowScopedInstanceProfileTagActions", "AllowScopedInstanceProfileActions"]) {
      expect(sid(id).Resource).toBe(profiles);
      expect(sid(id).Condition.StringEquals).toMatchObject({
        "aws:ResourceTag/kubernetes.io/cluster/test": "owned",
        "aws:ResourceTag/topology.kubernetes.io/region": "eu-west-1",
      });
    }
  });

  test("reads its cluster, its queue, this region's EC2 and the public SSM parameters", () => {
    expect(sid("AllowAPIServerEndpointDiscovery")).toMatchObject({
      Resource: SCOPE.clusterArn,
      Action: "eks:DescribeCluster",
    });
    expect(sid("AllowInterruptionQueueActions")).toMatchObject({
      Resource: SCOPE.queueArn,
      Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
    });
    expect(sid("AllowZonalShiftStatusReadOnly").Condition).toEqual({
      StringEquals: { "arc-zonal-shift:ResourceIdentifier": SCOPE.clusterArn },
    });
    expect(sid("AllowRegionalReadActions").Condition).toEqual({ StringEquals: { "aws:RequestedRegion": "eu-west-1" } });
    expect(sid("AllowSSMReadActions").Resource).toBe("arn:aws:ssm:eu-west-1::parameter/aws/service/*");
  });

  test("every statement of the published template, and no other", () => {
    expect(statements.map((s) => s.Sid)).toEqual([
      "AllowScopedEC2InstanceAccessActions",
      "AllowScopedEC2LaunchTemplateAccessActions",
      "AllowScopedEC2InstanceActionsWithTags",
      "AllowScopedResourceCreationTagging",
      "AllowScopedResourceTagging",
      "AllowScopedDeletion",
      "AllowPassingInstanceRole",
      "AllowScopedInstanceProfileCreationActions",
      "AllowScopedInstanceProfileTagActions",
      "AllowScopedInstanceProfileActions",
      "AllowAPIServerEndpointDiscovery",
      "AllowInterruptionQueueActions",
      "AllowZonalShiftStatusReadOnly",
      "AllowRegionalReadActions",
      "AllowSSMReadActions",
      "AllowPricingReadActions",
      "AllowUnscopedInstanceProfileListAction",
      "AllowInstanceProfileReadActions",
    ]);
  });
});

// The template as published at the pinned tag (committed next to this test, unchanged): the policy
// must equal its controller policies statement for statement once the parameters are filled in.
test("equals the published template once its parameters are filled in", () => {
  const file = path.join(__dirname, "published", `karpenter-cloudformation-v${KARPENTER_POLICY_SOURCE.version}.yaml`);
  const tags = ["!Sub", "!GetAtt", "!Ref"].map((tag) => ({ tag, resolve: (s: string) => s }));
  const template = parse(readFileSync(file, "utf8"), { customTags: tags });
  const fill = (s: string) =>
    s
      .replace(/\$\{AWS::Partition\}/g, "aws")
      .replace(/\$\{AWS::Region\}/g, SCOPE.region)
      .replace(/\$\{AWS::AccountId\}/g, SCOPE.account)
      .replace(/\$\{ClusterName\}/g, SCOPE.name)
      .replace(/\$\{KarpenterNodeRole\.Arn\}/g, SCOPE.nodeRoleArn)
      .replace(/\$\{KarpenterInterruptionQueue\.Arn\}/g, SCOPE.queueArn);
  const published = Object.values(template.Resources as Record<string, Json>)
    .filter((r) => r.Type === "AWS::IAM::ManagedPolicy")
    .flatMap((r) => JSON.parse(fill(r.Properties.PolicyDocument)).Statement);
  expect(published).toHaveLength(18);
  expect(statements).toEqual(published);
});
