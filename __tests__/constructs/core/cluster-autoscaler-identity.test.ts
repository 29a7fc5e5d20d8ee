import { ClusterAutoscalerIdentity } from "../../../constructs/core/cluster-autoscaler-identity";
import { CLUSTER_AUTOSCALER } from "../../../constructs/flux/api";
import { only, synthConstruct } from "./fixture";

const ARN = "arn:aws:eks:us-west-2:123456789012:cluster/test";

describe("ClusterAutoscalerIdentity", () => {
  test("minimal: a Pod Identity role for kube-system/cluster-autoscaler, named after the cluster", () => {
    const json = synthConstruct(
      (s) =>
        new ClusterAutoscalerIdentity(s, "autoscaler", {
          name: "test",
          clusterName: "test",
          clusterArn: ARN,
          roleName: "test-cluster-autoscaler",
        }),
    );
    expect(only(json, "aws_iam_role").name).toBe("test-cluster-autoscaler");
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      namespace: CLUSTER_AUTOSCALER.namespace,
      service_account: CLUSTER_AUTOSCALER.serviceAccount,
    });
  });

  test("defaults: scaling and terminating only in this cluster's Auto Scaling groups", () => {
    const json = synthConstruct(
      (s) =>
        new ClusterAutoscalerIdentity(s, "autoscaler", {
          name: "test",
          clusterName: "test",
          clusterArn: ARN,
          roleName: "test-cluster-autoscaler",
        }),
    );
    const [read, write] = JSON.parse(only(json, "aws_iam_role_policy").policy).Statement;
    expect(read.Action).toContain("autoscaling:DescribeAutoScalingGroups");
    expect(read.Action.some((a: string) => /SetDesiredCapacity|Terminate/.test(a))).toBe(false);
    expect(write).toMatchObject({
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/test": "owned" } },
    });
  });

  test.each(["", "has space", "x".repeat(41)])("invalid: name %p", (name) => {
    expect(() =>
      synthConstruct(
        (s) =>
          new ClusterAutoscalerIdentity(s, "autoscaler", { name, clusterName: "c", clusterArn: ARN, roleName: "r" }),
      ),
    ).toThrow(/name must be 1-40 of A-Za-z0-9-_/);
  });
});
