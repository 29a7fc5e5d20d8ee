import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import { ADDON_VERSIONS } from "../../../../config/versions";
import {
  LoadBalancerController,
  loadBalancerControllerPolicy,
  LOAD_BALANCER_CONTROLLER_POLICY_SOURCE,
} from "../../../../constructs/core/addons/load-balancer-controller";
import { ADDON_ACCOUNTS } from "../../../../constructs/flux/api";
import { Json } from "../../../helpers";
import { only, synthConstruct } from "../fixture";

const FILE = path.join(__dirname, "../../../../constructs/core/addons/load-balancer-controller-policy.json");
const published: Json[] = JSON.parse(readFileSync(FILE, "utf8")).Statement;
const ours: Json[] = JSON.parse(loadBalancerControllerPolicy("test", "aws")).Statement;

describe("LoadBalancerController", () => {
  test("the policy file is the published one of the pinned release, unchanged", () => {
    expect(LOAD_BALANCER_CONTROLLER_POLICY_SOURCE.tag).toBe(ADDON_VERSIONS.awsLoadBalancerController.app);
    // A new pin needs the new file, and a new file needs its hash here: neither moves alone.
    expect(createHash("sha256").update(readFileSync(FILE)).digest("hex")).toBe(
      LOAD_BALANCER_CONTROLLER_POLICY_SOURCE.sha256,
    );
  });

  test("a Pod Identity role for kube-system/aws-load-balancer-controller on this cluster and account", () => {
    const json = synthConstruct(
      (s) =>
        new LoadBalancerController(s, "lbc", {
          name: "test",
          clusterName: "test",
          clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/test",
          partition: "aws",
          roleName: "test-aws-lb-controller",
        }),
    );
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      cluster_name: "test",
      namespace: ADDON_ACCOUNTS.awsLoadBalancerController.namespace,
      service_account: ADDON_ACCOUNTS.awsLoadBalancerController.serviceAccount,
    });
    const role = only(json, "aws_iam_role");
    expect(role.name).toBe("test-aws-lb-controller");
    expect(JSON.parse(role.assume_role_policy).Statement[0].Condition.StringEquals).toMatchObject({
      "aws:SourceAccount": "123456789012",
      "aws:RequestTag/kubernetes-namespace": "kube-system",
      "aws:RequestTag/kubernetes-service-account": "aws-load-balancer-controller",
    });
    expect(JSON.parse(only(json, "aws_iam_role_policy").policy).Statement).toEqual(ours);
  });

  test("every published statement, with the same actions and resources", () => {
    expect(ours).toHaveLength(published.length);
    ours.forEach((statement, i) => {
      expect(statement.Action).toEqual(published[i].Action);
      expect(statement.Resource).toEqual(published[i].Resource);
    });
  });

  test("where the published policy asks for the elbv2.k8s.aws/cluster tag, this asks that it name this cluster", () => {
    const tagged = published.filter((s) =>
      JSON.stringify(s.Condition?.Null ?? {}).includes('/elbv2.k8s.aws/cluster":"false'),
    );
    expect(tagged.length).toBeGreaterThanOrEqual(6);
    ours.forEach((statement, i) => {
      for (const [key, value] of Object.entries((published[i].Condition?.Null ?? {}) as Record<string, string>)) {
        if (value === "false") {
          expect(statement.Condition.StringEquals[key]).toBe("test");
          expect(statement.Condition.Null?.[key]).toBeUndefined();
        } else {
          expect(statement.Condition.Null[key]).toBe(value);
        }
      }
      // Conditions other than the tag's presence stay as published.
      for (const [operator, values] of Object.entries((published[i].Condition ?? {}) as Json)) {
        if (operator !== "Null") expect(statement.Condition[operator]).toMatchObject(values);
      }
      if (!published[i].Condition) expect(statement.Condition).toBeUndefined();
    });
  });

  test("security groups: created and tagged only for this cluster", () => {
    const createTags = ours.find(
      (s) => JSON.stringify(s.Action) === '["ec2:CreateTags"]' && s.Condition?.StringEquals?.["ec2:CreateAction"],
    )!;
    expect(createTags.Condition).toEqual({
      StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", "aws:RequestTag/elbv2.k8s.aws/cluster": "test" },
    });
  });

  test("ARNs take the cluster's partition", () => {
    const china: Json[] = JSON.parse(loadBalancerControllerPolicy("test", "aws-cn")).Statement;
    const arns = china.flatMap((s) => [s.Resource].flat()).filter((r: string) => r.startsWith("arn:"));
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) expect(arn).toMatch(/^arn:aws-cn:/);
  });
});
