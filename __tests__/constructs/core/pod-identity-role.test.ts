import { PodIdentityRole, PodIdentityRoleProps } from "../../../constructs/core/pod-identity-role";
import { only, resources, synthConstruct } from "./fixture";

const PROPS: PodIdentityRoleProps = {
  roleName: "test-role",
  clusterName: "test-cluster",
  clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/test-cluster",
  namespace: "apps",
  serviceAccount: "reader",
};

describe("PodIdentityRole", () => {
  test("minimal: trusted by EKS Pod Identity for this account, cluster, namespace and service account only", () => {
    const json = synthConstruct((s) => new PodIdentityRole(s, "identity", PROPS));
    const role = only(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": "123456789012",
            "aws:RequestTag/eks-cluster-name": "test-cluster",
            "aws:RequestTag/kubernetes-namespace": "apps",
            "aws:RequestTag/kubernetes-service-account": "reader",
          },
        },
      },
    ]);
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      cluster_name: "test-cluster",
      namespace: "apps",
      service_account: "reader",
    });
  });

  test("defaults: no policies of its own", () => {
    const json = synthConstruct((s) => new PodIdentityRole(s, "identity", PROPS));
    expect(resources(json, "aws_iam_role_policy_attachment")).toHaveLength(0);
    expect(resources(json, "aws_iam_role_policy")).toHaveLength(0);
  });

  test("managed and inline policies; no association when an add-on declares its own", () => {
    const json = synthConstruct(
      (s) =>
        new PodIdentityRole(s, "identity", {
          ...PROPS,
          managedPolicyArns: ["arn:aws:iam::aws:policy/X"],
          inlinePolicy: "{}",
          associate: false,
        }),
    );
    expect(only(json, "aws_iam_role_policy_attachment").policy_arn).toBe("arn:aws:iam::aws:policy/X");
    expect(only(json, "aws_iam_role_policy").policy).toBe("{}");
    expect(resources(json, "aws_eks_pod_identity_association")).toHaveLength(0);
  });

  test.each<[string, Partial<PodIdentityRoleProps>, RegExp]>([
    ["an empty namespace", { namespace: "" }, /namespace must be a Kubernetes name/],
    ["an upper-case service account", { serviceAccount: "Reader" }, /serviceAccount must be a Kubernetes name/],
  ])("invalid: %s", (_name, patch, message) => {
    expect(() => synthConstruct((s) => new PodIdentityRole(s, "identity", { ...PROPS, ...patch }))).toThrow(message);
  });
});
