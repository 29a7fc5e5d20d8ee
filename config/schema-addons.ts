import { z } from "zod";
import { route53Zone, uniqueList } from "./rules";

/**
 * `addons`: the cluster add-ons Flux installs, each enabled per environment (README "Add-ons").
 * Every add-on is a block with `enabled`:
 * - `true`: committed and installed, with its AWS identity in core;
 * - `"removing"`: the first step of turning it off. Its configs layer (NodePools, the
 *   ClusterSecretStore, the StorageClass) leaves Git while the controller still runs, so the
 *   controller cleans up what it created (Karpenter drains and terminates its nodes). Flux
 *   cannot prune across Kustomizations in reverse order (fluxcd/kustomize-controller#301);
 * - `false`: the controller, its CRDs and its AWS identity go.
 */

const state = z.custom<boolean | "removing">((v) => v === true || v === false || v === "removing", {
  message: 'must be true, false or "removing" (the first step of turning an add-on off)',
});
const toggle = (on: boolean) => z.strictObject({ enabled: state.default(on) });

// Secrets Manager secret names: letters, digits and /_+=.@-; the prefix ends with '/'.
const SECRETS_PREFIX = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*\/$/;

const karpenter = z.strictObject({
  enabled: state.default(false),
  /** Capacity types the default NodePool may launch. */
  capacityTypes: uniqueList(z.enum(["spot", "on-demand"]), "capacity type")
    .min(1)
    .default(["spot", "on-demand"]),
  /** vCPUs the default NodePool may hold in all: a ceiling on what a runaway Deployment costs. */
  cpuLimit: z.number().int().min(1).max(10000).default(64),
});

const externalDns = z.strictObject({
  enabled: state.default(false),
  /** Route 53 hosted zones external-dns may write; its IAM policy names these zones only. */
  zones: uniqueList(route53Zone(), "zone").default([]),
  /** `upsert-only` never deletes records; `sync` also deletes the records of deleted Services and Ingresses. */
  policy: z.enum(["upsert-only", "sync"]).default("upsert-only"),
});

const externalSecrets = z.strictObject({
  enabled: state.default(false),
  /** Secrets Manager name prefix the store may read, ending in '/'; default `<environment>/`. */
  secretsPrefix: z
    .string()
    .max(256)
    .regex(SECRETS_PREFIX, "must be a Secrets Manager name prefix ending in '/', such as dev/ or team-a/dev/")
    .optional(),
});

export const addonsSchema = z.strictObject({
  /**
   * Node autoscaling by Karpenter (NodePools, spot interruption handling); the managed node group stays for system
   * pods.
   */
  karpenter: karpenter.prefault({}),
  /** Node autoscaling of the managed node group; exclusive with karpenter. */
  clusterAutoscaler: toggle(true).prefault({}),
  /** AWS Load Balancer Controller: NLBs for Services, ALBs for Ingresses. */
  awsLoadBalancerController: toggle(false).prefault({}),
  externalDns: externalDns.prefault({}),
  externalSecrets: externalSecrets.prefault({}),
  metricsServer: toggle(false).prefault({}),
  reloader: toggle(false).prefault({}),
  /** An encrypted gp3 StorageClass, the cluster's default (needs the aws-ebs-csi-driver add-on). */
  gp3StorageClass: toggle(false).prefault({}),
  /** Headlamp, a read-only dashboard reached by port-forward with the user's own cluster credentials. */
  headlamp: toggle(false).prefault({}),
});

export type AddonsSettings = z.output<typeof addonsSchema>;
export type AddonName = keyof AddonsSettings;
export const ADDON_NAMES = Object.keys(addonsSchema.shape) as AddonName[];

/** Whether the add-on's controller (and CRDs, and AWS identity) is installed: on, or on its way out. */
export const addonInstalled = (addons: AddonsSettings, name: AddonName) => addons[name].enabled !== false;
/** Whether the add-on's configs layer (NodePools, stores, StorageClass) is committed. */
export const addonConfigured = (addons: AddonsSettings, name: AddonName) => addons[name].enabled === true;

/** The README configuration table's "allowed / meaning" text for each key above (config/reference.ts). */
export const ADDONS_RULES: Record<string, string> = {
  ...Object.fromEntries(
    ADDON_NAMES.map((name) => [
      `addons.${name}.enabled`,
      '`true`, `false`, or `"removing"` (the first step of turning it off: README "Add-ons")',
    ]),
  ),
  "addons.karpenter.capacityTypes": "`spot` and/or `on-demand`: what the default NodePool launches",
  "addons.karpenter.cpuLimit": "1-10000 vCPUs the default NodePool may hold in all",
  "addons.externalDns.zones": "Route 53 zones (`id`, `domain`) external-dns may write; required when it is enabled",
  "addons.externalDns.policy": "`upsert-only` (never deletes records) or `sync`",
  "addons.externalSecrets.secretsPrefix":
    "Secrets Manager name prefix ending in `/` that the ClusterSecretStore may read; default `<environment>/`",
};
