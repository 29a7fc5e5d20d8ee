import { parse } from "yaml";
import { karpenterQueueName } from "../../config/names";
import { ADDON_LAYERS } from "../../constructs/bootstrap/addon-layers";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { FULL_CATALOG, NO_CATALOG } from "../constructs/bootstrap/addon-fixtures";
import { environment, Json, resources, synth } from "../helpers";

// The add-on catalog's block of the bootstrap stack: values ConfigMaps, layer lists, order.
const stack = (patch: object): Json =>
  JSON.parse(synth((app) => new BootstrapStack(app, "bootstrap", environment("dev", patch))));
const decoded = (f: Json) => Buffer.from(f.content, "base64").toString("utf8");

describe("bootstrap stack with the whole catalog", () => {
  const json = stack(FULL_CATALOG);
  const maps = resources(json, "kubernetes_config_map_v1");
  const files = resources(json, "gitlab_repository_file");
  const valueMaps = Object.entries(json.resource.kubernetes_config_map_v1 as Record<string, Json>).filter(([, m]) =>
    m.metadata.name.endsWith("-values"),
  );

  test("a values ConfigMap per Helm add-on, from core's outputs and the configuration", () => {
    expect(valueMaps.map(([, m]) => m.metadata.name).sort()).toEqual([
      "aws-load-balancer-controller-values",
      "external-dns-values",
      "external-secrets-values",
      "headlamp-values",
      "karpenter-values",
      "metrics-server-values",
      "reloader-values",
    ]);
    const karpenter = maps.find((m) => m.metadata.name === "karpenter-values")!.data["values.yaml"];
    expect(karpenter).toContain('"clusterName" = data.terraform_remote_state.core.outputs.cluster_name');
    expect(karpenter).toContain(`"interruptionQueue" = "${karpenterQueueName(environment("dev", FULL_CATALOG))}"`);
    const lbc = maps.find((m) => m.metadata.name === "aws-load-balancer-controller-values")!.data["values.yaml"];
    expect(lbc).toContain('"vpcId" = data.terraform_remote_state.core.outputs.vpc_id');
  });

  test("every committed file waits for every values ConfigMap: no HelmRelease reads a missing one", () => {
    const addresses = valueMaps.map(([id]) => `kubernetes_config_map_v1.${id}`);
    // Each file waits for the one `ready` terraform_data, which waits for the prerequisites.
    const ready = Object.entries((json.resource as Json).terraform_data as Record<string, Json>);
    expect(ready).toHaveLength(1);
    const [[readyId, readyData]] = ready;
    expect(readyData.depends_on).toEqual(expect.arrayContaining(addresses));
    for (const f of files) expect(f.depends_on).toEqual([`terraform_data.${readyId}`]);
  });

  test("each layer's list is committed, naming the add-on folders committed beside it", () => {
    const paths = new Set(files.map((f) => f.file_path));
    for (const layer of ADDON_LAYERS) {
      const list = files.find((f) => f.file_path === `infrastructure/${layer}/kustomization.yaml`)!;
      for (const folder of parse(decoded(list)).resources)
        expect(paths).toContain(`infrastructure/${layer}/${folder}/kustomization.yaml`);
    }
  });
});

test("with every add-on off: no values ConfigMap, empty layer lists", () => {
  const json = stack(NO_CATALOG);
  // Flux's namespace holds only cluster-vars (the apps' infrastructure ConfigMaps live in their namespaces).
  const inFlux = resources(json, "kubernetes_config_map_v1").filter((m) => m.metadata.namespace === "flux-system");
  expect(inFlux.map((m) => m.metadata.name)).toEqual(["cluster-vars"]);
  for (const layer of ADDON_LAYERS) {
    const list = resources(json, "gitlab_repository_file").find(
      (f) => f.file_path === `infrastructure/${layer}/kustomization.yaml`,
    )!;
    expect(parse(decoded(list)).resources).toEqual([]);
  }
});

test("the autoscaler's values ConfigMap moves to its catalog address instead of being replaced", () => {
  const json = stack({ addons: { ...NO_CATALOG.addons, clusterAutoscaler: { enabled: true } } });
  expect(json.moved).toEqual([
    {
      from: "kubernetes_config_map_v1.cluster-autoscaler-values_config-map_911D2941",
      to: expect.stringMatching(/^kubernetes_config_map_v1\.addon-values_cluster-autoscaler-values_config-map_/),
    },
  ]);
});
