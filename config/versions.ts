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
 * The add-on catalog's charts (config/schema-addons.ts), pinned to exact versions (the render
 * check fails on a range, `*` or a missing version); images follow each chart's appVersion unless
 * listed per Kubernetes minor. The AWS policies in constructs/core/addons/ are taken from the same
 * releases, the schemas of scripts/render-check/addon-crds/ too.
 *
 * To refresh one: read the chart's Chart.yaml at the release tag named below (version and
 * appVersion), read its values.yaml for renamed keys (the values in config_files/infrastructure/
 * and constructs/bootstrap/addon-values.ts), copy the CRDs the configs layer uses when they
 * change (scripts/render-check/addon-crds/README.md), then run `npm test`.
 */
export const ADDON_VERSIONS = {
  /**
   * Charts karpenter and karpenter-crd, OCI oci://public.ecr.aws/karpenter (chart = app version).
   * https://github.com/aws/karpenter-provider-aws/releases
   */
  karpenter: {
    chart: "1.14.1",
    /**
     * The Amazon Linux 2023 EKS-optimized AMI release the default EC2NodeClass launches (alias
     * `al2023@<release>`; Karpenter picks the image of the cluster's minor). Pinned, so new AMIs
     * roll out by a commit, not by surprise: https://github.com/awslabs/amazon-eks-ami/releases
     */
    amiRelease: "v20260724",
  },
  /**
   * Chart aws-load-balancer-controller, https://aws.github.io/eks-charts (chart 3.5.0 = app v3.5.0).
   * https://github.com/kubernetes-sigs/aws-load-balancer-controller/releases
   */
  awsLoadBalancerController: { chart: "3.5.0", app: "v3.5.0" },
  /**
   * Chart external-dns 1.21.1 (app 0.21.0), https://kubernetes-sigs.github.io/external-dns/; tag
   * external-dns-helm-chart-<version> of https://github.com/kubernetes-sigs/external-dns (charts/external-dns).
   */
  externalDns: { chart: "1.21.1" },
  /**
   * Chart external-secrets 2.9.0 (app v2.9.0), OCI oci://ghcr.io/external-secrets/charts; tag helm-chart-<version> of
   * https://github.com/external-secrets/external-secrets (deploy/charts/external-secrets).
   */
  externalSecrets: { chart: "2.9.0" },
  /**
   * Chart metrics-server 3.13.1 (app 0.8.1), https://kubernetes-sigs.github.io/metrics-server/; tag
   * metrics-server-helm-chart-<version> of https://github.com/kubernetes-sigs/metrics-server.
   */
  metricsServer: { chart: "3.13.1" },
  /**
   * Chart reloader 2.2.16 (app v1.4.21), OCI oci://ghcr.io/stakater/charts; tag chart-v<version> of
   * https://github.com/stakater/Reloader (deployments/kubernetes/chart/reloader).
   */
  reloader: { chart: "2.2.16" },
  /**
   * Chart headlamp 0.45.0 (app 0.45.0), https://kubernetes-sigs.github.io/headlamp/; tag v<version> of
   * https://github.com/kubernetes-sigs/headlamp (charts/headlamp).
   */
  headlamp: { chart: "0.45.0" },
} as const;
