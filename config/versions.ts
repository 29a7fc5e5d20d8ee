/**
 * Versions that move together, pinned in one place. To refresh: check the EKS release calendar
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html), Flux's supported
 * Kubernetes range (https://fluxcd.io/flux/installation/#prerequisites), the cluster-autoscaler
 * chart (https://github.com/kubernetes/autoscaler/tree/master/charts/cluster-autoscaler) and image
 * releases, then run `npm test` (the render check validates against the CRDs of FLUX.version).
 */

/** Kubernetes minors EKS offers, with the end of standard support (extended support costs extra). */
export const EKS_KUBERNETES_VERSIONS = {
  "1.33": "2026-07-29",
  "1.34": "2026-12-02",
  "1.35": "2027-03-27",
  "1.36": "2027-08-02",
} as const;
export type KubernetesVersion = keyof typeof EKS_KUBERNETES_VERSIONS;

/** In standard support well past 2026-12, and inside Flux 2.9's range (1.34-1.36). */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = "1.35";

/** The fluxcd/flux provider and the Flux release it embeds (`embedded_manifests`). */
export const FLUX = { provider: "1.9.5", version: "v2.9.5" } as const;

/**
 * The cluster autoscaler: one chart, and the image whose minor matches the cluster's
 * (https://github.com/kubernetes/autoscaler#releases).
 */
export const CLUSTER_AUTOSCALER_VERSIONS = {
  chart: "9.59.0",
  image: { "1.33": "v1.33.6", "1.34": "v1.34.5", "1.35": "v1.35.2", "1.36": "v1.36.1" } satisfies Record<
    KubernetesVersion,
    string
  >,
} as const;

/**
 * The add-on catalog's charts (config/schema-addons.ts), pinned; images follow each chart's
 * appVersion unless listed per Kubernetes minor. The AWS policies in constructs/core/addons/
 * are taken from the same releases.
 */
export const ADDON_VERSIONS = {
  /** https://github.com/aws/karpenter-provider-aws/releases (charts karpenter and karpenter-crd, OCI public.ecr.aws/karpenter). */
  karpenter: { chart: "1.14.1" },
  /** https://github.com/kubernetes-sigs/aws-load-balancer-controller/releases (chart 3.5.0 = app v3.5.0). */
  awsLoadBalancerController: { chart: "3.5.0", app: "v3.5.0" },
} as const;
