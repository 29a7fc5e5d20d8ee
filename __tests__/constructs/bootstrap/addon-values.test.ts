import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import {
  ADDON_RELEASES,
  addonHelmValues,
  AddonValues,
  AddonValuesInput,
} from "../../../constructs/bootstrap/addon-values";
import { ADDON_VERSIONS, CLUSTER_AUTOSCALER_VERSIONS } from "../../../config/versions";
import { chartValuesErrors, chartValuesValidator } from "../../../scripts/render-check/addons";
import { environment, Json, resources } from "../../helpers";
import { FULL_CATALOG, NO_CATALOG } from "./addon-fixtures";

const input = (patch: object, extra: Partial<AddonValuesInput> = {}): AddonValuesInput => ({
  addons: environment("dev", patch).addons,
  clusterName: "c1",
  region: "eu-west-1",
  vpcId: "vpc-1",
  kubernetesVersion: "1.35",
  nodeGroupMinSize: 1,
  karpenterQueueName: "c1-karpenter",
  txtOwnerId: "c1",
  ...extra,
});
const synth = (props: AddonValuesInput): Json => {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AddonValues(stack, "addon-values", props);
  return JSON.parse(Testing.synth(stack));
};

describe("AddonValues", () => {
  test("minimal: no add-on, no ConfigMap", () => {
    expect(addonHelmValues(input(NO_CATALOG))).toEqual({});
    expect(resources(synth(input(NO_CATALOG)), "kubernetes_config_map_v1")).toEqual([]);
  });

  test("one ConfigMap per installed Helm add-on, named after its release, in flux-system, Terraform's", () => {
    const maps = resources(synth(input(FULL_CATALOG)), "kubernetes_config_map_v1");
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(
      Object.entries(ADDON_RELEASES)
        .filter(([name]) => name !== "clusterAutoscaler")
        .map(([, release]) => `${release}-values`)
        .sort(),
    );
    for (const m of maps) {
      expect(m.metadata.namespace).toBe("flux-system");
      // Terraform's, and watched by helm-controller: a changed value reaches the release at once.
      expect(m.metadata.labels).toEqual({
        "app.kubernetes.io/managed-by": "terraform",
        "reconcile.fluxcd.io/watch": "Enabled",
      });
      expect(Object.keys(m.data)).toEqual(["values.yaml"]);
    }
  });

  test("typed values: cluster facts from core, settings from the configuration", () => {
    const v = addonHelmValues(input(FULL_CATALOG));
    expect(v.karpenter).toEqual({
      settings: { clusterName: "c1", interruptionQueue: "c1-karpenter" },
      controller: { env: [{ name: "AWS_REGION", value: "eu-west-1" }] },
      replicas: 1,
    });
    expect(v.awsLoadBalancerController).toEqual({ clusterName: "c1", region: "eu-west-1", vpcId: "vpc-1" });
    expect(v.externalDns).toEqual({
      domainFilters: ["dev.example.com", "internal.example.com"],
      extraArgs: { "zone-id-filter": ["Z0123456789ABCDEFGHIJ", "Z0000000000000000TEST"] },
      policy: "sync",
      txtOwnerId: "c1",
      env: [{ name: "AWS_DEFAULT_REGION", value: "eu-west-1" }],
    });
    expect(v.headlamp).toEqual({ config: { inClusterContextName: "c1" } });
    expect(addonHelmValues(input(FULL_CATALOG, { nodeGroupMinSize: 3 })).karpenter!.replicas).toBe(2);
  });

  test("the cluster autoscaler keeps its values: region, cluster, the image of the cluster's minor", () => {
    const autoscaler = { addons: { karpenter: { enabled: false }, clusterAutoscaler: { enabled: true } } };
    const v = addonHelmValues(input(autoscaler, { kubernetesVersion: "1.34" }));
    expect(v.clusterAutoscaler).toEqual({
      awsRegion: "eu-west-1",
      autoDiscovery: { clusterName: "c1" },
      image: { tag: CLUSTER_AUTOSCALER_VERSIONS.image["1.34"] },
    });
  });

  test("an add-on being removed keeps its values while its controller runs; false drops them", () => {
    const removing = { addons: { ...NO_CATALOG.addons, reloader: { enabled: "removing" } } };
    expect(Object.keys(addonHelmValues(input(removing)))).toEqual(["reloader"]);
    expect(Object.keys(addonHelmValues(input(NO_CATALOG)))).toEqual([]);
  });

  test("Terraform references reach the ConfigMap as references, resolved at apply", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const region = new TerraformVariable(stack, "region", { type: "string" }).stringValue;
    new AddonValues(stack, "addon-values", { ...input(FULL_CATALOG), region });
    const json = JSON.parse(Testing.synth(stack));
    const lbc = resources(json, "kubernetes_config_map_v1").find(
      (m) => m.metadata.name === "aws-load-balancer-controller-values",
    )!;
    expect(lbc.data["values.yaml"]).toContain('"region" = var.region');
  });

  test.each([
    ["externalDns", "external-dns"],
    ["externalSecrets", "external-secrets"],
    ["reloader", "reloader"],
    ["headlamp", "headlamp"],
  ] as const)("the %s values fit the chart's own values schema", (addon, chart) => {
    const version = ADDON_VERSIONS[addon].chart;
    expect(chartValuesValidator(chart, version)).toBeDefined();
    expect(chartValuesErrors(chart, version, addonHelmValues(input(FULL_CATALOG))[addon])).toEqual([]);
  });

  test("the schema check finds a mistyped value", () => {
    const values = { ...addonHelmValues(input(FULL_CATALOG)).externalDns, policy: "delete-everything" };
    expect(chartValuesErrors("external-dns", ADDON_VERSIONS.externalDns.chart, values).join("\n")).toMatch(
      /\/policy must be equal to one of the allowed values/,
    );
  });
});
