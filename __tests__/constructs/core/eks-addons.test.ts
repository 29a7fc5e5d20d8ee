import { EksAddons, EksAddonsProps } from "../../../constructs/core/eks-addons";
import { resources, synthConstruct } from "./fixture";

const PROPS: EksAddonsProps = { clusterName: "test-cluster", names: ["vpc-cni", "coredns"] };

describe("EksAddons", () => {
  test("minimal: one managed add-on per name, the managed configuration winning conflicts", () => {
    const addons = resources(
      synthConstruct((s) => new EksAddons(s, "addons", PROPS)),
      "aws_eks_addon",
    );
    expect(addons.map((a) => a.addon_name).sort()).toEqual(["coredns", "vpc-cni"]);
    for (const a of addons)
      expect(a).toMatchObject({ resolve_conflicts_on_create: "OVERWRITE", resolve_conflicts_on_update: "OVERWRITE" });
  });

  test("defaults: no Pod Identity association, no dependencies", () => {
    for (const a of resources(
      synthConstruct((s) => new EksAddons(s, "addons", PROPS)),
      "aws_eks_addon",
    )) {
      expect(a.pod_identity_association).toBeUndefined();
      expect(a.depends_on).toBeUndefined();
    }
  });

  test("an identity becomes the add-on's Pod Identity association", () => {
    const identities = { coredns: { serviceAccount: "coredns", roleArn: "arn:aws:iam::1:role/r" } };
    const addons = resources(
      synthConstruct((s) => new EksAddons(s, "addons", { ...PROPS, identities })),
      "aws_eks_addon",
    );
    expect(addons.find((a) => a.addon_name === "coredns")!.pod_identity_association).toEqual([
      { service_account: "coredns", role_arn: "arn:aws:iam::1:role/r" },
    ]);
  });

  test.each<[string, Partial<EksAddonsProps>, RegExp]>([
    ["a name twice", { names: ["coredns", "coredns"] }, /coredns listed twice/],
    [
      "an identity for an add-on not listed",
      { identities: { "aws-ebs-csi-driver": { serviceAccount: "x", roleArn: "y" } } },
      /not in names: aws-ebs-csi-driver/,
    ],
  ])("invalid: %s", (_name, patch, message) => {
    expect(() => synthConstruct((s) => new EksAddons(s, "addons", { ...PROPS, ...patch }))).toThrow(message);
  });
});
