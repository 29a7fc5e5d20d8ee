import { CONTROL_PLANE_LOG_TYPES, EksCluster, EksClusterProps } from "../../../constructs/core/eks-cluster";
import { only, resources, synthConstruct } from "./fixture";

const PROPS: EksClusterProps = {
  name: "test-cluster",
  kubernetesVersion: "1.35",
  partition: "aws",
  region: "eu-west-1",
  subnetIds: ["subnet-a", "subnet-b"],
  endpointPublicAccess: false,
  publicAccessCidrs: [],
  creatorAdmin: true,
  adminPrincipalArns: [],
  logRetentionDays: 14,
  logsKey: { arn: "arn:aws:kms:eu-west-1:123456789012:key/logs" },
};

describe("EksCluster", () => {
  test("minimal: API authentication, explicit bootstrap flags, secrets encrypted, every log type", () => {
    const json = synthConstruct((s) => new EksCluster(s, "eks", PROPS));
    const cluster = only(json, "aws_eks_cluster");
    expect(cluster).toMatchObject({
      name: "test-cluster",
      version: "1.35",
      bootstrap_self_managed_addons: false,
      access_config: { authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: true },
      enabled_cluster_log_types: CONTROL_PLANE_LOG_TYPES,
      vpc_config: { endpoint_private_access: true, endpoint_public_access: false, subnet_ids: PROPS.subnetIds },
    });
    expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/eks/test-cluster/cluster",
      retention_in_days: 14,
    });
  });

  test("defaults: a KMS key with rotation and a key policy built as jsonencode (it holds references)", () => {
    const json = synthConstruct((s) => new EksCluster(s, "eks", PROPS));
    expect(only(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(only(json, "aws_kms_key_policy").policy).toMatch(/^\$\{jsonencode\(\{/);
    expect(resources(json, "aws_eks_access_entry")).toHaveLength(0);
  });

  test("admin principals get an access entry and the cluster-admin policy each", () => {
    const arns = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"];
    const json = synthConstruct(
      (s) => new EksCluster(s, "eks", { ...PROPS, creatorAdmin: false, adminPrincipalArns: arns }),
    );
    expect(
      resources(json, "aws_eks_access_entry")
        .map((e) => e.principal_arn)
        .sort(),
    ).toEqual(arns);
    expect(resources(json, "aws_eks_access_policy_association")).toHaveLength(2);
  });

  test.each<[string, Partial<EksClusterProps>, RegExp]>([
    [
      "a public endpoint open to nobody named",
      { endpointPublicAccess: true, publicAccessCidrs: [] },
      /publicAccessCidrs must name/,
    ],
    [
      "no administrator at all",
      { creatorAdmin: false, adminPrincipalArns: [] },
      /adminPrincipalArns needs at least one principal/,
    ],
    [
      "two principals with one id",
      { adminPrincipalArns: ["arn:aws:iam::1:role/x", "arn:aws:iam::2:role/x"] },
      /two admin principals map to the same id/,
    ],
  ])("invalid: %s", (_name, patch, message) => {
    expect(() => synthConstruct((s) => new EksCluster(s, "eks", { ...PROPS, ...patch }))).toThrow(message);
  });
});

describe("EksCluster keys", () => {
  test("one purpose per key: the Secrets key is used by the cluster role only; the log group uses the logs key", () => {
    const json = synthConstruct((s) => new EksCluster(s, "eks", PROPS));
    const policy = only(json, "aws_kms_key_policy").policy as string;
    expect(policy).not.toMatch(/"kms:\*"/);
    expect(policy).toMatch(/"Sid" = "ClusterRoleEncryptsSecrets".*"AWS" = aws_iam_role\./s);
    expect(policy).not.toContain("logs.");
    expect(only(json, "aws_cloudwatch_log_group").kms_key_id).toBe(PROPS.logsKey.arn);
    expect(only(json, "aws_kms_key").description).toMatch(/Kubernetes Secrets$/);
  });
});
