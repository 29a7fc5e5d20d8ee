import type { EnvironmentConfig } from "./load";

/**
 * Names and paths derived from the configuration, each computed here once. Every AWS name
 * carries the cluster or environment name, so environments share an account without clashing.
 */

/** Flux's sync path for the cluster in the GitOps repository. */
export const syncPath = (env: EnvironmentConfig) => `clusters/${env.cluster.name}`;

/** The environment's app overlay in the GitOps repository. */
export const appOverlayPath = (env: EnvironmentConfig) => `apps/${env.name}`;

/** `group/project` of the environment's GitOps project. */
export const gitopsProjectPath = (env: EnvironmentConfig) => `${env.gitlab.group}/${env.gitlab.project}`;

/** The ECR repository of the environment's app images (ECR names are lowercase; environment names are). */
export const ecrRepositoryName = (env: EnvironmentConfig) => `${env.name}/${env.ecr.repositoryName}`;

/** The CloudWatch log group of the VPC's flow logs. */
export const flowLogGroupName = (env: EnvironmentConfig) => `/aws/vpc/${env.cluster.name}/flow-logs`;

/** The IAM roles pods assume through Pod Identity, by purpose. */
export const ROLE_PURPOSES = {
  ebsCsi: "ebs-csi",
  vpcCni: "vpc-cni",
  imageReflector: "flux-image-reflector",
  clusterAutoscaler: "cluster-autoscaler",
} as const;

/** An IAM role of the cluster, for one purpose. */
export const clusterRoleName = (env: EnvironmentConfig, purpose: (typeof ROLE_PURPOSES)[keyof typeof ROLE_PURPOSES]) =>
  `${env.cluster.name}-${purpose}`;

/** The SSH host (and `:port`) Flux clones from. */
export const gitSshHost = (env: EnvironmentConfig) => env.gitlab.sshHost ?? new URL(env.gitlab.baseUrl).host;

/** The SSH URL Flux clones; the provider rejects the scp form `git@host:path`. */
export const gitSshUrl = (env: EnvironmentConfig) => `ssh://git@${gitSshHost(env)}/${gitopsProjectPath(env)}.git`;
