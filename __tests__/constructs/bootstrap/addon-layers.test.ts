import { readdirSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ADDON_NAMES, AddonsSettings } from "../../../config/schema-addons";
import {
  ADDON_FOLDERS,
  ADDON_LAYERS,
  addonGeneratedFiles,
  addonSelection,
  karpenterNodePool,
  layerFolders,
} from "../../../constructs/bootstrap/addon-layers";
import { CONFIG_FILES_DIR, LAYOUT, renderFiles } from "../../../constructs/bootstrap/gitops-files";
import { environment } from "../../helpers";
import { FULL_CATALOG, NO_CATALOG, QA_VALUES } from "./addon-fixtures";

const values = QA_VALUES;
const addonsOf = (patch: object): AddonsSettings => environment("dev", patch).addons;
const withState = (name: string, enabled: boolean | "removing") =>
  addonsOf({ addons: { ...NO_CATALOG.addons, [name]: { ...FULL_CATALOG.addons[name as "reloader"], enabled } } });
const committed = (addons: AddonsSettings) =>
  renderFiles(values, [], CONFIG_FILES_DIR, addonSelection(addons)).map((f) => f.target);
const layerList = (addons: AddonsSettings, layer: string) =>
  parse(addonGeneratedFiles(addons).find((f) => f.target === `infrastructure/${layer}/kustomization.yaml`)!.content)
    .resources;

describe("add-on layers", () => {
  test("minimal: with every add-on off, each layer still builds from an empty list", () => {
    const addons = addonsOf(NO_CATALOG);
    expect(committed(addons).filter((t) => t.startsWith("infrastructure/"))).toEqual([]);
    const files = addonGeneratedFiles(addons);
    expect(files.map((f) => f.target)).toEqual(ADDON_LAYERS.map((l) => `infrastructure/${l}/kustomization.yaml`));
    for (const f of files)
      expect(parse(f.content)).toEqual({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: [],
      });
  });

  test("the whole catalog: every add-on's folders, in its layers, listed by each layer", () => {
    const addons = addonsOf(FULL_CATALOG);
    expect(layerList(addons, "crds")).toEqual(["karpenter"]);
    expect(layerList(addons, "core-controllers")).toEqual(["karpenter", "aws-load-balancer-controller"]);
    expect(layerList(addons, "controllers")).toEqual([
      "external-dns",
      "external-secrets",
      "metrics-server",
      "reloader",
      "headlamp",
    ]);
    expect(layerList(addons, "configs")).toEqual(["karpenter", "external-secrets", "gp3-storage-class"]);
    const targets = committed(addons);
    for (const layer of ADDON_LAYERS)
      for (const folder of layerList(addons, layer))
        expect(targets).toContain(`infrastructure/${layer}/${folder}/kustomization.yaml`);
    expect(targets.some((t) => t.includes("/cluster-autoscaler/"))).toBe(false);
  });

  test.each(ADDON_NAMES)('%s: "removing" keeps controller and CRDs, drops its configs; false drops all', (name) => {
    const { folder, layers } = ADDON_FOLDERS[name];
    const inLayer = (addons: AddonsSettings, layer: string) =>
      committed(addons).filter((t) => t.startsWith(`infrastructure/${layer}/${folder}/`));
    for (const layer of layers) {
      expect(inLayer(withState(name, true), layer).length).toBeGreaterThan(0);
      expect(inLayer(withState(name, "removing"), layer).length > 0).toBe(layer !== "configs");
      expect(layerFolders(addonSelection(withState(name, "removing")), layer).includes(folder)).toBe(
        layer !== "configs",
      );
      expect(inLayer(withState(name, false), layer)).toEqual([]);
      expect(layerFolders(addonSelection(withState(name, false)), layer)).toEqual([]);
    }
  });

  test("every folder under config_files/infrastructure/ belongs to an add-on of the catalog", () => {
    const onDisk = ADDON_LAYERS.flatMap((layer) =>
      readdirSync(path.join(CONFIG_FILES_DIR, "infrastructure", layer)).map((f) => `infrastructure/${layer}/${f}`),
    );
    const gated = LAYOUT.filter((e) => e.addon).map((e) => e.source);
    expect(onDisk.sort()).toEqual([...gated].sort());
    expect(readdirSync(path.join(CONFIG_FILES_DIR, "infrastructure")).sort()).toEqual([...ADDON_LAYERS].sort());
  });

  test("the default NodePool takes its capacity types and vCPU limit from the configuration", () => {
    const file = karpenterNodePool({ capacityTypes: ["on-demand"], cpuLimit: 12 });
    expect(file.target).toBe("infrastructure/configs/karpenter/node-pool.yaml");
    const pool = parse(file.content);
    expect(pool.spec.limits).toEqual({ cpu: "12" });
    expect(pool.spec.template.spec.requirements).toContainEqual({
      key: "karpenter.sh/capacity-type",
      operator: "In",
      values: ["on-demand"],
    });
    expect(pool.spec.template.spec.nodeClassRef).toEqual({
      group: "karpenter.k8s.aws",
      kind: "EC2NodeClass",
      name: "default",
    });
    // Only generated while Karpenter is configured.
    expect(
      addonGeneratedFiles(withState("karpenter", "removing")).some((f) => f.target.endsWith("node-pool.yaml")),
    ).toBe(false);
  });
});
