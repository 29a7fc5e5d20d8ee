import { stringify } from "yaml";
import { ADDON_NAMES, addonConfigured, addonInstalled, AddonName, AddonsSettings } from "../../config/schema-addons";
import { ADDON_VERSIONS, CLUSTER_AUTOSCALER_VERSIONS } from "../../config/versions";
import type { RenderedFile } from "./gitops-files";

/**
 * The add-on layers: four Flux Kustomizations (clusters/infrastructure.yaml), each waiting for
 * the one before, so nothing is applied before what it needs exists:
 * CRDs → Karpenter and the load balancer controller (the cluster can scale, Services are not
 * blocked by a missing webhook) → the other controllers → their configs → the apps.
 */
export const ADDON_LAYERS = ["crds", "core-controllers", "controllers", "configs"] as const;
export type AddonLayer = (typeof ADDON_LAYERS)[number];

/** The Flux Kustomization that applies `infrastructure/<layer>/`. */
export const layerKustomizationName = (layer: AddonLayer) => `infra-${layer}`;

/** The folder of a layer in config_files/ and in the GitOps repository. */
export const layerPath = (layer: AddonLayer) => `infrastructure/${layer}`;

/**
 * Where each add-on lives: `infrastructure/<layer>/<folder>/`, one folder per layer it has.
 * A folder is self-contained (its Namespace, HelmRepository, HelmRelease, objects) and is
 * committed only while the add-on is installed; a configs folder only while it is configured
 * (README "Add-ons": turning one off).
 */
export const ADDON_FOLDERS: Record<AddonName, { readonly folder: string; readonly layers: readonly AddonLayer[] }> = {
  karpenter: { folder: "karpenter", layers: ["crds", "core-controllers", "configs"] },
  awsLoadBalancerController: { folder: "aws-load-balancer-controller", layers: ["core-controllers"] },
  externalDns: { folder: "external-dns", layers: ["controllers"] },
  externalSecrets: { folder: "external-secrets", layers: ["controllers", "configs"] },
  metricsServer: { folder: "metrics-server", layers: ["controllers"] },
  reloader: { folder: "reloader", layers: ["controllers"] },
  headlamp: { folder: "headlamp", layers: ["controllers"] },
  clusterAutoscaler: { folder: "cluster-autoscaler", layers: ["controllers"] },
  gp3StorageClass: { folder: "gp3-storage-class", layers: ["configs"] },
};

/** What an environment commits of the catalog: controllers and CRDs of `installed`, configs of `configured`. */
export interface AddonSelection {
  readonly installed: readonly AddonName[];
  readonly configured: readonly AddonName[];
}

export const NO_ADDONS: AddonSelection = { installed: [], configured: [] };

export function addonSelection(addons: AddonsSettings): AddonSelection {
  return {
    installed: ADDON_NAMES.filter((name) => addonInstalled(addons, name)),
    configured: ADDON_NAMES.filter((name) => addonConfigured(addons, name)),
  };
}

/** Whether the folder of `addon` in `layer` is committed. */
export function folderCommitted(selection: AddonSelection, addon: AddonName, layer: AddonLayer): boolean {
  return (layer === "configs" ? selection.configured : selection.installed).includes(addon);
}

/** The add-on folders committed in one layer, in catalog order. */
export function layerFolders(selection: AddonSelection, layer: AddonLayer): string[] {
  return ADDON_NAMES.filter(
    (name) => ADDON_FOLDERS[name].layers.includes(layer) && folderCommitted(selection, name, layer),
  ).map((name) => ADDON_FOLDERS[name].folder);
}

/**
 * Each layer's kustomization.yaml, listing the folders committed in it: a layer with none still
 * builds (`resources: []`), so its Kustomization stays Ready and the chain to the apps holds.
 */
export function layerKustomizations(selection: AddonSelection): RenderedFile[] {
  return ADDON_LAYERS.map((layer) => ({
    source: `generated/${layerPath(layer)}/kustomization.yaml`,
    target: `${layerPath(layer)}/kustomization.yaml`,
    content: stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: layerFolders(selection, layer),
    }),
    fluxOwned: false,
  }));
}

/** Chart versions and other pins the add-on files name as `__PLACEHOLDER__`s (config/versions.ts). */
export const ADDON_PINS = {
  CLUSTER_AUTOSCALER_CHART: CLUSTER_AUTOSCALER_VERSIONS.chart,
  KARPENTER_CHART: ADDON_VERSIONS.karpenter.chart,
  KARPENTER_AMI_ALIAS: `al2023@${ADDON_VERSIONS.karpenter.amiRelease}`,
  AWS_LOAD_BALANCER_CONTROLLER_CHART: ADDON_VERSIONS.awsLoadBalancerController.chart,
  EXTERNAL_DNS_CHART: ADDON_VERSIONS.externalDns.chart,
  EXTERNAL_SECRETS_CHART: ADDON_VERSIONS.externalSecrets.chart,
  METRICS_SERVER_CHART: ADDON_VERSIONS.metricsServer.chart,
  RELOADER_CHART: ADDON_VERSIONS.reloader.chart,
  HEADLAMP_CHART: ADDON_VERSIONS.headlamp.chart,
} as const;
export type AddonPins = { readonly [K in keyof typeof ADDON_PINS]: string };

/** The default NodePool's settings (config addons.karpenter). */
export interface NodePoolSettings {
  readonly capacityTypes: readonly string[];
  readonly cpuLimit: number;
}

/** The name of Karpenter's default NodePool and EC2NodeClass (config_files/infrastructure/configs/karpenter/). */
export const KARPENTER_DEFAULT = "default";

/**
 * Karpenter's default NodePool, built here because its capacity types are a list from the
 * configuration (placeholders fill scalars only). Committed beside the EC2NodeClass it uses.
 * https://karpenter.sh/docs/concepts/nodepools/
 */
export function karpenterNodePool(settings: NodePoolSettings): RenderedFile {
  const nodePool = {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: KARPENTER_DEFAULT },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: KARPENTER_DEFAULT },
          requirements: [
            { key: "karpenter.sh/capacity-type", operator: "In", values: [...settings.capacityTypes] },
            // As the managed node group: an image built for one architecture runs on every node.
            { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
            // Current generations, no tiny or metal sizes: predictable performance and price.
            { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
            { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["4"] },
          ],
          // Nodes are replaced at least monthly, so they pick up the pinned AMI and patches.
          expireAfter: "720h",
        },
      },
      // What a runaway Deployment may cost at most.
      limits: { cpu: String(settings.cpuLimit) },
      disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m" },
    },
  };
  const folder = `${layerPath("configs")}/${ADDON_FOLDERS.karpenter.folder}`;
  return {
    source: `generated/${folder}/node-pool.yaml`,
    target: `${folder}/node-pool.yaml`,
    content:
      "# Generated from addons.karpenter (capacityTypes, cpuLimit) in the environment's configuration.\n" +
      stringify(nodePool),
    fluxOwned: false,
  };
}

/** Every file the add-on catalog generates for an environment (layer lists, the NodePool). */
export function addonGeneratedFiles(addons: AddonsSettings): RenderedFile[] {
  const selection = addonSelection(addons);
  const files = layerKustomizations(selection);
  if (folderCommitted(selection, "karpenter", "configs")) files.push(karpenterNodePool(addons.karpenter));
  return files;
}
