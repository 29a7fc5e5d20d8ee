import { ADDON_PINS } from "../../../constructs/bootstrap/addon-layers";
import type { SynthValues } from "../../../constructs/bootstrap/gitops-files";
/**
 * The whole add-on catalog on, as a patch over a committed environment (helpers.environment):
 * the example the tests learn from, independent of what the shipped environment files enable.
 */
export const FULL_CATALOG = {
  addons: {
    karpenter: { enabled: true, capacityTypes: ["spot"], cpuLimit: 32 },
    clusterAutoscaler: { enabled: false },
    awsLoadBalancerController: { enabled: true },
    externalDns: {
      enabled: true,
      zones: [
        { id: "Z0123456789ABCDEFGHIJ", domain: "dev.example.com" },
        { id: "Z0000000000000000TEST", domain: "internal.example.com" },
      ],
      policy: "sync",
    },
    externalSecrets: { enabled: true, secretsPrefix: "team-a/dev/" },
    metricsServer: { enabled: true },
    reloader: { enabled: true },
    gp3StorageClass: { enabled: true },
    headlamp: { enabled: true },
  },
};

/** Every add-on off. */
export const NO_CATALOG = {
  addons: Object.fromEntries(Object.keys(FULL_CATALOG.addons).map((name) => [name, { enabled: false }])),
};

/** Synth-time values of a cluster `c1` in environment `qa`, for the tests that render files directly. */
export const QA_VALUES: SynthValues = {
  ENVIRONMENT: "qa",
  CLUSTER_NAME: "c1",
  GIT_BRANCH: "main",
  APPS_DEPEND_ON: "infra-configs",
  ...ADDON_PINS,
  KARPENTER_NODE_ROLE: "c1-karpenter-node",
  EXTERNAL_SECRETS_PREFIX: "qa/",
};
