import { karpenterNodeRoleName, externalSecretsPrefix, KARPENTER_DISCOVERY_TAG } from "../../config/names";
import { ADDON_NAMES, addonInstalled } from "../../config/schema-addons";
import { ADDON_VERSIONS } from "../../config/versions";
import { ADDON_LAYERS, layerKustomizationName } from "../../constructs/bootstrap/addon-layers";
import { ADDON_RELEASES, HelmAddon } from "../../constructs/bootstrap/addon-values";
import { ADDON_ACCOUNTS } from "../../constructs/flux/api";
import { committedTree, renderScenario } from "../../scripts/render-check";
import type { CommittedTree } from "../../scripts/render-check";
import { FULL_CATALOG, NO_CATALOG } from "../constructs/bootstrap/addon-fixtures";
import { environment, ENVIRONMENTS, Json } from "../helpers";
import { dependsOnChain, unpinnedCharts } from "./addon-checks";

// The add-on catalog as Flux would build it: the whole catalog on (dev, and every environment),
// every add-on off, every add-on on its way out.
const allRemoving = {
  addons: {
    ...Object.fromEntries(Object.keys(FULL_CATALOG.addons).map((n) => [n, { enabled: "removing" }])),
    externalDns: { ...FULL_CATALOG.addons.externalDns, enabled: "removing" },
    clusterAutoscaler: { enabled: false },
  },
};
const scenarios: [string, string, object][] = [
  ...ENVIRONMENTS.map((e): [string, string, object] => [`${e}, whole catalog`, e, FULL_CATALOG]),
  ["dev, every add-on off", "dev", NO_CATALOG],
  ["dev, every add-on removing", "dev", allRemoving],
];
const rendered = scenarios.map(([label, name, patch]) => {
  const env = environment(name, patch);
  const tree = committedTree(env);
  const [result] = renderScenario(label, [tree]);
  return {
    label,
    env,
    tree,
    problems: result.problems,
    applied: result.objects,
    objects: result.objects.map((o) => o.object as Json),
  };
});
const whole = rendered[0];
/** dev's whole-catalog tree with one text replaced in one file (which must hold it). */
const edit = (file: string, from: string, to: string): CommittedTree => {
  const files = new Map(whole.tree.files);
  expect(files.get(file)).toContain(from);
  files.set(file, files.get(file)!.replace(from, to));
  return { ...whole.tree, files };
};
const find = (objects: Json[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name)!;

test.each(rendered.map((r) => [r.label, r]))("%s: every layer builds and validates, with no problem", (_l, r) => {
  expect(r.problems).toEqual([]);
});

test.each(rendered.map((r) => [r.label, r]))("%s: every chart version is pinned exactly", (_l, r) => {
  expect(unpinnedCharts(r.objects)).toEqual([]);
});

test("the pin check fails on a missing version, a range, a wildcard or a tag", () => {
  const release = (version?: string) => ({
    kind: "HelmRelease",
    metadata: { name: `r-${version}`, namespace: "flux-system" },
    spec: { chart: { spec: { chart: "c", version } } },
  });
  const bad = [undefined, ">=1.0.0", "1.x", "~1.2.3", "^1.2.0", "*", "latest", "1.2", "1.2.3 || 1.2.4"];
  expect(unpinnedCharts(bad.map(release))).toHaveLength(bad.length);
  expect(unpinnedCharts([release("1.2.3"), release("0.45.0-rc.1")])).toEqual([]);
});

test.each(rendered.map((r) => [r.label, r]))(
  "%s: crds → core-controllers → controllers → configs → apps, each waiting, pruning, with a timeout",
  (_l, r) => {
    // With SOPS on (the default), the secrets Kustomization sits between the last layer and apps.
    const secrets = r.objects.some((o) => o.kind === "Kustomization" && o.metadata.name === "secrets");
    expect(dependsOnChain(r.objects)).toEqual([
      ...ADDON_LAYERS.map(layerKustomizationName),
      ...(secrets ? ["secrets"] : []),
      "apps",
    ]);
    for (const layer of ADDON_LAYERS) {
      const k = find(r.objects, "Kustomization", layerKustomizationName(layer));
      expect(k.spec).toMatchObject({ wait: true, prune: true, path: `./infrastructure/${layer}` });
      expect(k.spec.timeout).toMatch(/^\d+m/);
    }
  },
);

test("each layer applies the add-ons of its place in the order", () => {
  const layerOf = (kind: string, name: string) =>
    whole.applied.find((o) => o.object.kind === kind && o.object.metadata.name === name)!.appliedBy;
  expect(layerOf("HelmRelease", "karpenter-crd")).toBe("Kustomization flux-system/infra-crds");
  expect(layerOf("HelmRelease", "karpenter")).toBe("Kustomization flux-system/infra-core-controllers");
  expect(layerOf("HelmRelease", "aws-load-balancer-controller")).toBe(
    "Kustomization flux-system/infra-core-controllers",
  );
  for (const release of ["external-dns", "external-secrets", "metrics-server", "reloader", "headlamp"])
    expect(layerOf("HelmRelease", release)).toBe("Kustomization flux-system/infra-controllers");
  for (const [kind, name] of [
    ["NodePool", "default"],
    ["EC2NodeClass", "default"],
    ["ClusterSecretStore", "aws-secrets-manager"],
    ["StorageClass", "gp3"],
  ])
    expect(layerOf(kind, name)).toBe("Kustomization flux-system/infra-configs");
});

describe("each HelmRelease of the catalog", () => {
  const releases = whole.objects.filter((o) => o.kind === "HelmRelease");
  const installed = (Object.keys(ADDON_RELEASES) as HelmAddon[]).filter((a) => addonInstalled(whole.env.addons, a));

  test("every installed Helm add-on has its release, values from its Terraform-owned ConfigMap, remediation", () => {
    const configMaps = whole.tree.terraformObjects.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name);
    for (const addon of installed) {
      const r = find(releases, "HelmRelease", ADDON_RELEASES[addon]);
      expect(r.spec.valuesFrom).toEqual([
        { kind: "ConfigMap", name: `${ADDON_RELEASES[addon]}-values`, valuesKey: "values.yaml" },
      ]);
      expect(configMaps).toContain(`${ADDON_RELEASES[addon]}-values`);
      expect(r.spec.install.remediation.retries).toBeGreaterThan(0);
      expect(r.spec.upgrade.remediation.retries).toBeGreaterThan(0);
    }
  });

  test("creates exactly the service account core binds its AWS role to (ADDON_ACCOUNTS)", () => {
    for (const addon of installed) {
      const r = find(releases, "HelmRelease", ADDON_RELEASES[addon]);
      expect(r.spec.targetNamespace).toBe(ADDON_ACCOUNTS[addon].namespace);
      const values = r.spec.values;
      const name =
        values.serviceAccount?.name ?? values.rbac?.serviceAccount?.name ?? values.reloader?.serviceAccount?.name;
      expect(name).toBe(ADDON_ACCOUNTS[addon].serviceAccount);
    }
  });

  test("the versions pinned in config/versions.ts, from OCI where the project publishes there", () => {
    expect(find(releases, "HelmRelease", "karpenter").spec.chart.spec.version).toBe(ADDON_VERSIONS.karpenter.chart);
    expect(find(releases, "HelmRelease", "karpenter-crd").spec.chart.spec.version).toBe(ADDON_VERSIONS.karpenter.chart);
    expect(find(releases, "HelmRelease", "headlamp").spec.chart.spec.version).toBe(ADDON_VERSIONS.headlamp.chart);
    const repos = Object.fromEntries(
      whole.objects.filter((o) => o.kind === "HelmRepository").map((o) => [o.metadata.name, o.spec]),
    );
    expect(repos.karpenter).toMatchObject({ type: "oci", url: "oci://public.ecr.aws/karpenter" });
    expect(repos["external-secrets"]).toMatchObject({ type: "oci", url: "oci://ghcr.io/external-secrets/charts" });
    expect(repos.stakater).toMatchObject({ type: "oci", url: "oci://ghcr.io/stakater/charts" });
    expect(repos.eks.url).toBe("https://aws.github.io/eks-charts");
  });

  test("Karpenter's controller: CRDs from karpenter-crd only, on the managed node group", () => {
    const r = find(releases, "HelmRelease", "karpenter");
    expect(r.spec.install.crds).toBe("Skip");
    expect(r.spec.upgrade.crds).toBe("Skip");
    const terms = r.spec.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms[0].matchExpressions).toEqual(
      expect.arrayContaining([
        { key: "eks.amazonaws.com/nodegroup", operator: "Exists" },
        { key: "karpenter.sh/nodepool", operator: "DoesNotExist" },
      ]),
    );
  });

  test("CRDs in a chart's crds/ folder are created and replaced on upgrade (Helm alone never upgrades them)", () => {
    for (const name of ["aws-load-balancer-controller", "external-dns"]) {
      const r = find(releases, "HelmRelease", name);
      expect([r.spec.install.crds, r.spec.upgrade.crds]).toEqual(["CreateReplace", "CreateReplace"]);
    }
  });

  test("Headlamp is read-only and unexposed: no cluster role binding, a ClusterIP Service, no Ingress", () => {
    const values = find(releases, "HelmRelease", "headlamp").spec.values;
    expect(values.clusterRoleBinding).toEqual({ create: false });
    expect(values.service.type).toBe("ClusterIP");
    expect(values.ingress.enabled).toBe(false);
    expect(values.config.unsafeUseServiceAccountToken).toBe(false);
  });
});

describe("the configs layer", () => {
  const env = whole.env;
  test("EC2NodeClass: the node role, discovery by tag, pinned AL2023, IMDSv2, hop limit 1, encrypted gp3 root", () => {
    const spec = find(whole.objects, "EC2NodeClass", "default").spec;
    expect(spec.role).toBe(karpenterNodeRoleName(env));
    expect(spec.amiSelectorTerms).toEqual([{ alias: `al2023@${ADDON_VERSIONS.karpenter.amiRelease}` }]);
    expect(spec.subnetSelectorTerms).toEqual([{ tags: { [KARPENTER_DISCOVERY_TAG]: env.cluster.name } }]);
    expect(spec.securityGroupSelectorTerms).toEqual([{ tags: { [KARPENTER_DISCOVERY_TAG]: env.cluster.name } }]);
    expect(spec.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(spec.blockDeviceMappings[0].ebs).toMatchObject({ encrypted: true, volumeType: "gp3" });
  });

  test("NodePool: capacity types and vCPU limit of the configuration", () => {
    const spec = find(whole.objects, "NodePool", "default").spec;
    expect(spec.limits.cpu).toBe(String(env.addons.karpenter.cpuLimit));
    expect(spec.template.spec.requirements).toContainEqual({
      key: "karpenter.sh/capacity-type",
      operator: "In",
      values: env.addons.karpenter.capacityTypes,
    });
  });

  test("ClusterSecretStore: Secrets Manager in region, under the prefix, with the controller's own identity", () => {
    const aws = find(whole.objects, "ClusterSecretStore", "aws-secrets-manager").spec.provider.aws;
    expect(aws).toEqual({ service: "SecretsManager", region: env.region, prefix: externalSecretsPrefix(env) });
  });

  test("gp3 StorageClass: EBS CSI, gp3, encrypted, the default, bound where the pod lands", () => {
    const sc = find(whole.objects, "StorageClass", "gp3");
    expect(sc.provisioner).toBe("ebs.csi.aws.com");
    expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
    expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
  });

  test("the add-ons' own namespaces enforce the restricted Pod Security Standard", () => {
    for (const name of ["external-dns", "external-secrets", "reloader", "headlamp"])
      expect(find(whole.objects, "Namespace", name).metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
        "restricted",
      );
  });
});

test('"removing" leaves controllers and CRDs, takes the configs; all off leaves empty layers', () => {
  const [, off, removing] = rendered.slice(ENVIRONMENTS.length - 1);
  const kinds = (r: typeof off) =>
    r.objects.filter((o) => ["NodePool", "EC2NodeClass", "ClusterSecretStore", "StorageClass"].includes(o.kind));
  expect(kinds(removing)).toEqual([]);
  expect(
    removing.objects
      .filter((o) => o.kind === "HelmRelease")
      .map((o) => o.metadata.name)
      .sort(),
  ).toEqual([
    "aws-load-balancer-controller",
    "external-dns",
    "external-secrets",
    "headlamp",
    "karpenter",
    "karpenter-crd",
    "metrics-server",
    "reloader",
  ]);
  expect(off.objects.filter((o) => o.kind === "HelmRelease")).toEqual([]);
  expect(ADDON_NAMES.every((n) => !addonInstalled(off.env.addons, n))).toBe(true);
});

describe("the render check holds the catalog to ADDON_ACCOUNTS", () => {
  test.each([
    [
      "a renamed account",
      "create: true\n      name: karpenter\n",
      "create: true\n      name: karpenter-controller\n",
      new RegExp(
        [
          String.raw`creates service account kube-system\/karpenter-controller, `,
          String.raw`but core binds karpenter's AWS role to kube-system\/karpenter`,
        ].join(""),
      ),
    ],
    [
      "no account named",
      "create: true\n      name: karpenter\n",
      "create: true\n",
      /HelmRelease\/flux-system\/karpenter: names no service account/,
    ],
    [
      "another namespace",
      "targetNamespace: kube-system",
      "targetNamespace: default",
      /creates service account default\/karpenter/,
    ],
  ])("finds %s", (_l, from, to, expected) => {
    const tree = edit("infrastructure/core-controllers/karpenter/helm-release.yaml", from, to);
    expect(renderScenario("edited", [tree])[0].problems.join("\n")).toMatch(expected);
  });
});

describe("the render check holds inline values to the chart's values schema", () => {
  test.each([
    [
      "a value of the wrong type",
      "infrastructure/controllers/headlamp/helm-release.yaml",
      "      type: ClusterIP\n",
      "      type: 8080\n",
      /HelmRelease\/flux-system\/headlamp: values\/service\/type must be string \(chart headlamp 0\.45\.0\)/,
    ],
    [
      "a value outside the chart's choices",
      "infrastructure/controllers/external-dns/helm-release.yaml",
      "    registry: txt\n",
      "    registry: route53\n",
      /HelmRelease\/flux-system\/external-dns: values\/registry must be equal to one of the allowed values/,
    ],
  ])("finds %s", (_l, file, from, to, expected) => {
    expect(renderScenario("edited", [edit(file, from, to)])[0].problems.join("\n")).toMatch(expected);
  });
});

describe("the render check holds the add-on kinds to their CRDs", () => {
  test.each([
    [
      "an unknown field",
      "infrastructure/configs/karpenter/ec2-node-class.yaml",
      "    httpTokens: required\n",
      "    httpTokens: required\n    httpTokenTtl: 60\n",
      /EC2NodeClass\/default: \/spec\/metadataOptions must NOT have additional properties 'httpTokenTtl'/,
    ],
    [
      "a value the schema refuses",
      "infrastructure/configs/karpenter/ec2-node-class.yaml",
      "httpTokens: required",
      "httpTokens: sometimes",
      /EC2NodeClass\/default: \/spec\/metadataOptions\/httpTokens must be equal to one of the allowed values/,
    ],
    [
      "an API version the pinned release does not serve",
      "infrastructure/configs/external-secrets/cluster-secret-store.yaml",
      "external-secrets.io/v1\n",
      "external-secrets.io/v1beta1\n",
      /external-secrets\.io\/v1beta1 ClusterSecretStore is not served by External Secrets v2\.9\.0/,
    ],
  ])("finds %s", (_l, file, from, to, expected) => {
    expect(renderScenario("edited", [edit(file, from, to)])[0].problems.join("\n")).toMatch(expected);
  });
});
