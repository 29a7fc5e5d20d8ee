/**
 * The Kubernetes minor versions EKS offers for new clusters, oldest first, and the default.
 * Refresh: `aws eks describe-cluster-versions --query 'clusterVersions[].clusterVersion'`, or the
 * EKS release calendar (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 * Drop a version when it leaves extended support. Nothing older than 1.33 belongs here: those
 * versions are past extended support, and the node group uses AL2023 AMIs.
 */
export const EKS_KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35", "1.36"] as const;

/** The version a cluster gets when its environment names none. */
export const DEFAULT_KUBERNETES_VERSION = "1.34";

export type KubernetesVersion = (typeof EKS_KUBERNETES_VERSIONS)[number];
