import { ADDON_ACCOUNTS } from "../../constructs/flux/api";
import { CORE_OUTPUTS, CoreStack } from "../../stacks/core-stack";
import { environment, Json, resources, synth } from "../helpers";

// What each add-on adds to the core stack, found by the resources' construct paths.
const core = (patch: Json = {}, name = "dev"): Json =>
  JSON.parse(synth((app) => new CoreStack(app, "core", environment(name, patch))));
const under = (json: Json, prefix: string) =>
  Object.values(json.resource as Record<string, Record<string, Json>>).flatMap((byName) =>
    Object.entries(byName)
      .filter(([address]) => address.startsWith(`${prefix}_`))
      .map(([, r]) => r),
  );
const associations = (json: Json) =>
  resources(json, "aws_eks_pod_identity_association").map((a) => `${a.namespace}/${a.service_account}`);
/** Flux's own controllers' identities, there whatever the add-ons: ECR tags, and SOPS (secrets.sops, on by default). */
const FLUX_OWN = ["flux-system/image-reflector-controller", "flux-system/kustomize-controller"];

const ALL_OFF = {
  addons: {
    karpenter: { enabled: false },
    clusterAutoscaler: { enabled: false },
    awsLoadBalancerController: { enabled: false },
    externalDns: { enabled: false },
    externalSecrets: { enabled: false },
  },
};
// Construct ids in the stack, by add-on.
const PREFIXES = {
  karpenter: "karpenter",
  clusterAutoscaler: "cluster-autoscaler-identity",
  awsLoadBalancerController: "load-balancer-controller",
  externalDns: "external-dns",
  externalSecrets: "external-secrets",
} as const;
const account = (addon: keyof typeof PREFIXES) =>
  `${ADDON_ACCOUNTS[addon].namespace}/${ADDON_ACCOUNTS[addon].serviceAccount}`;

describe("the add-ons' AWS side in core", () => {
  const dev = core();

  test("dev as shipped: a Pod Identity association for each installed add-on with an AWS identity", () => {
    expect(associations(dev).sort()).toEqual(
      [
        ...FLUX_OWN,
        account("karpenter"),
        account("awsLoadBalancerController"),
        account("externalDns"),
        account("externalSecrets"),
      ].sort(),
    );
    for (const a of resources(dev, "aws_eks_pod_identity_association"))
      expect(a.cluster_name).toMatch(/^\$\{aws_eks_cluster\.eks_cluster_[^.]+\.name\}$/);
  });

  test("dev as shipped: Karpenter's queue, rules, node role and access entry, discovery tags", () => {
    const karpenter = under(dev, PREFIXES.karpenter);
    expect(karpenter.length).toBeGreaterThan(15);
    expect(resources(dev, "aws_sqs_queue").map((q) => q.name)).toEqual(["flux-dev-karpenter"]);
    expect(resources(dev, "aws_iam_role").map((r) => r.name)).toEqual(
      expect.arrayContaining(["flux-dev-karpenter", "flux-dev-karpenter-node"]),
    );
    expect(resources(dev, "aws_eks_access_entry").filter((e) => e.type === "EC2_LINUX")).toHaveLength(1);
    const [tag] = resources(dev, "aws_ec2_tag");
    expect(tag).toMatchObject({ key: "karpenter.sh/discovery", value: "flux-dev" });
    expect(tag.resource_id).toMatch(/vpc_config\[0\]\.cluster_security_group_id/);
    const subnets = resources(dev, "aws_subnet");
    const priv = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
    expect(priv.map((s) => s.tags["karpenter.sh/discovery"])).toEqual(priv.map(() => "flux-dev"));
    // Public subnets carry no discovery tag: Karpenter never puts nodes there.
    expect(subnets.filter((s) => s.tags["karpenter.sh/discovery"])).toHaveLength(priv.length);
  });

  test("dev as shipped: external-dns writes the configured zone; External Secrets reads dev/", () => {
    const dns = under(dev, PREFIXES.externalDns).find((r) => r.policy)!;
    expect(dns.policy).toContain(":route53:::hostedzone/Z0123456789EXAMPLEDEV");
    const secrets = under(dev, PREFIXES.externalSecrets).find((r) => r.policy)!;
    expect(secrets.policy).toContain(":secretsmanager:us-west-2:");
    expect(secrets.policy).toContain(':secret:dev/*"');
  });

  test("prod as shipped: the cluster autoscaler's identity at its old address, and none of the rest", () => {
    const prod = core({}, "prod");
    expect(associations(prod).sort()).toEqual([...FLUX_OWN, account("clusterAutoscaler")].sort());
    expect(Object.keys(prod.resource.aws_iam_role)).toContainEqual("cluster-autoscaler-identity_role_185871AF");
    expect(prod.output[CORE_OUTPUTS.clusterAutoscalerRoleArn]).toBeDefined();
    for (const type of ["aws_sqs_queue", "aws_cloudwatch_event_rule", "aws_ec2_tag"])
      expect(resources(prod, type)).toHaveLength(0);
    expect(resources(prod, "aws_subnet").filter((s) => s.tags["karpenter.sh/discovery"])).toHaveLength(0);
  });

  test.each(Object.keys(PREFIXES) as (keyof typeof PREFIXES)[])(
    "%s off: none of its resources; on alone: its own, and its association",
    (addon) => {
      const off = core(ALL_OFF);
      expect(under(off, PREFIXES[addon])).toEqual([]);
      const zones = addon === "externalDns" ? { zones: [{ id: "Z0123456789EXAMPLE", domain: "example.com" }] } : {};
      const on = core({ addons: { ...ALL_OFF.addons, [addon]: { enabled: true, ...zones } } });
      expect(under(on, PREFIXES[addon]).length).toBeGreaterThan(0);
      expect(associations(on).sort()).toEqual([...FLUX_OWN, account(addon)].sort());
    },
  );

  test('"removing" keeps the identity: the controller still runs while its configs leave Git', () => {
    const removing = core({ addons: { externalSecrets: { enabled: "removing" } } });
    expect(associations(removing)).toContain(account("externalSecrets"));
  });

  test("all off: no add-on identity, no discovery tags, no cluster autoscaler output", () => {
    const off = core(ALL_OFF);
    expect(associations(off).sort()).toEqual(FLUX_OWN);
    expect(resources(off, "aws_subnet").filter((s) => s.tags["karpenter.sh/discovery"])).toHaveLength(0);
    expect(off.output[CORE_OUTPUTS.clusterAutoscalerRoleArn]).toBeUndefined();
  });
});
