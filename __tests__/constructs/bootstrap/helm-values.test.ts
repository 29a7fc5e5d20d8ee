import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import {
  FLUX_WATCH_LABEL,
  HELM_VALUES_KEY,
  HelmValues,
  HelmValuesProps,
} from "../../../constructs/bootstrap/helm-values";
import { Json } from "../../helpers";
import { only, synthConstruct } from "../core/fixture";

const PROPS: HelmValuesProps = { release: "demo", values: { replicas: 2, image: { tag: "1.2.3" }, args: ["--v"] } };
const build = (props: Partial<HelmValuesProps> = {}): { json: Json; name: string } => {
  let name = "";
  const json = synthConstruct((s) => {
    name = new HelmValues(s, "values", { ...PROPS, ...props }).name;
  });
  return { json, name };
};

describe("HelmValues", () => {
  test("minimal: one ConfigMap <release>-values, its one key the values as Terraform's yamlencode", () => {
    const { json, name } = build();
    expect(name).toBe("demo-values");
    const configMap = only(json, "kubernetes_config_map_v1");
    expect(configMap.metadata.name).toBe("demo-values");
    expect(Object.keys(configMap.data)).toEqual([HELM_VALUES_KEY]);
    expect(HELM_VALUES_KEY).toBe("values.yaml");
    expect(configMap.data[HELM_VALUES_KEY]).toBe(
      '${yamlencode({"replicas" = 2, "image" = {"tag" = "1.2.3"}, "args" = ["--v"]})}',
    );
  });

  test("defaults: in flux-system, Terraform's, watched by helm-controller, waiting for nothing", () => {
    const configMap = only(build().json, "kubernetes_config_map_v1");
    expect(configMap.metadata.namespace).toBe("flux-system");
    expect(configMap.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "terraform",
      [FLUX_WATCH_LABEL]: "Enabled",
    });
    expect(FLUX_WATCH_LABEL).toBe("reconcile.fluxcd.io/watch");
    expect(configMap.depends_on).toBeUndefined();
  });

  test("another namespace and dependsOn, as given", () => {
    const json = synthConstruct((s) => {
      const ns = new NamespaceV1(s, "ns", { metadata: { name: "tools" } });
      new HelmValues(s, "values", { ...PROPS, namespace: "tools", dependsOn: [ns] });
    });
    const configMap = only(json, "kubernetes_config_map_v1");
    expect(configMap.metadata.namespace).toBe("tools");
    expect(configMap.depends_on).toEqual(["kubernetes_namespace_v1.ns"]);
  });

  test.each([
    ["an empty release", ""],
    ["upper case", "Demo"],
    ["a dot", "demo.app"],
    ["a trailing dash", "demo-"],
  ])("refuses %s as the release name", (_what, release) => {
    expect(() => build({ release })).toThrow(/HelmValues: release ".*" must be a Kubernetes name/);
  });
});
