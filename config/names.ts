import { createHash } from "crypto";
import type { EnvironmentConfig } from "./load";
import type { AppSettings } from "./schema-apps";

/**
 * Names and paths derived from the configuration, each computed here once. Every AWS name
 * carries the cluster or environment name, so environments share an account without clashing.
 */

/** Flux's sync path for the cluster in the GitOps repository. */
export const syncPath = (env: EnvironmentConfig) => `clusters/${env.cluster.name}`;

/** `group/project` of the environment's GitOps project. */
export const gitopsProjectPath = (env: EnvironmentConfig) => `${env.gitlab.group}/${env.gitlab.project}`;

/** The apps deployed in the environment, by name (sorted: files, ids and lists stay in one order). */
export const enabledApps = (env: EnvironmentConfig): [string, AppSettings][] =>
  appsWhere(env, (a) => a.enabled === true);

/** The apps with a namespace and an ECR repository here: deployed, or on their way out (`enabled: "removing"`). */
export const installedApps = (env: EnvironmentConfig): [string, AppSettings][] =>
  appsWhere(env, (a) => a.enabled !== false);

const appsWhere = (env: EnvironmentConfig, keep: (app: AppSettings) => boolean): [string, AppSettings][] =>
  Object.entries(env.apps)
    .filter(([, app]) => keep(app))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** An app's ECR repository (ECR names are lowercase; environment and app names are). */
export const ecrRepositoryName = (env: EnvironmentConfig, app: string) => `${env.name}/${app}`;

/**
 * The Terraform-owned ConfigMap of an app's infrastructure values (`apps.<name>.infrastructureValues`), in its
 * namespace.
 */
export const appInfrastructureName = (app: string) => `${app}-infrastructure`;

/**
 * The namespaces Terraform creates and owns: gitops.namespaces and every installed app's, once
 * each. A removing app's namespace stays, so Flux (as apps-reconciler) may still prune in it.
 */
export const managedNamespaces = (env: EnvironmentConfig) => [
  ...new Set([...env.gitops.namespaces, ...installedApps(env).map(([, app]) => app.namespace)]),
];

/** The app release projects, each with the apps whose repositories its tags may push to. */
export const releaseProjects = (env: EnvironmentConfig): Map<string, string[]> => {
  const projects = new Map<string, string[]>();
  for (const [name, app] of enabledApps(env))
    if (app.project) projects.set(app.project, [...(projects.get(app.project) ?? []), name]);
  return projects;
};

/** The push role of one release project (a hash keeps it within IAM's 64 characters and stable per project). */
export const ecrPushRoleName = (env: EnvironmentConfig, project: string) =>
  `${env.cluster.name}-gitlab-push-${createHash("sha256").update(project).digest("hex").slice(0, 8)}`;

/** The CloudWatch log group of the VPC's flow logs. */
export const flowLogGroupName = (env: EnvironmentConfig) => `/aws/vpc/${env.cluster.name}/flow-logs`;

/** The IAM roles pods assume through Pod Identity, by purpose. */
export const ROLE_PURPOSES = {
  ebsCsi: "ebs-csi",
  vpcCni: "vpc-cni",
  imageReflector: "flux-image-reflector",
  clusterAutoscaler: "cluster-autoscaler",
  karpenter: "karpenter",
  /** The role of the nodes Karpenter launches (not a Pod Identity role: EC2 assumes it). */
  karpenterNode: "karpenter-node",
  loadBalancerController: "aws-lb-controller",
  externalDns: "external-dns",
  externalSecrets: "external-secrets",
  /** kustomize-controller, decrypting SOPS secrets with the environment's KMS key. */
  sopsDecrypt: "flux-sops-decrypt",
} as const;

/** An IAM role of the cluster, for one purpose. */
export const clusterRoleName = (env: EnvironmentConfig, purpose: (typeof ROLE_PURPOSES)[keyof typeof ROLE_PURPOSES]) =>
  `${env.cluster.name}-${purpose}`;

/** The SSH host (and `:port`) Flux clones from. */
export const gitSshHost = (env: EnvironmentConfig) => env.gitlab.sshHost ?? new URL(env.gitlab.baseUrl).host;

/** The SSH URL Flux clones; the provider rejects the scp form `git@host:path`. */
export const gitSshUrl = (env: EnvironmentConfig) => `ssh://git@${gitSshHost(env)}/${gitopsProjectPath(env)}.git`;

/**
 * The GitLab instance as IAM names its OIDC provider and prefixes its condition keys: the
 * issuer URL without the scheme (`gitlab.com`, or `git.example.com/gitlab` for a relative URL root).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 */
export const gitlabIssuerHost = (env: EnvironmentConfig) => env.gitlab.baseUrl.replace(/^https?:\/\//, "");

/** The account's IAM OIDC provider for the GitLab instance, by ARN (built, not looked up: plans stay offline). */
/** The AWS partition of the environment's region, known at synth (policies stay plain JSON). */
export const partitionOf = (env: EnvironmentConfig) =>
  env.region.startsWith("cn-") ? "aws-cn" : env.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

export const gitlabOidcProviderArn = (env: EnvironmentConfig, partition: string = partitionOf(env)) =>
  `arn:${partition}:iam::${delivery(env).awsAccountId}:oidc-provider/${gitlabIssuerHost(env)}`;

/**
 * The roles GitLab CI jobs assume: `plan` (read-only, any branch), `deploy` (default branch); apps push with
 * ecrPushRoleName.
 */
export type CiRoleKind = "plan" | "deploy";
export const ciRoleName = (env: EnvironmentConfig, kind: CiRoleKind) => `${env.cluster.name}-gitlab-${kind}`;
export const ciRoleArn = (env: EnvironmentConfig, kind: CiRoleKind, partition: string = partitionOf(env)) =>
  `arn:${partition}:iam::${delivery(env).awsAccountId}:role/${ciRoleName(env, kind)}`;

function delivery(env: EnvironmentConfig) {
  if (!env.delivery) throw new Error(`${env.name}: the delivery section is not configured`);
  return env.delivery;
}

/** The `aud` the app's ID token carries for this cluster's image Receiver: a token for another cluster is refused. */
export const imageReceiverAudience = (env: EnvironmentConfig) => `flux-${env.cluster.name}`;

/**
 * The path Flux serves a Receiver at: `/hook/` + sha256(token + name + namespace); a generic-oidc
 * Receiver has no token (notification-controller api/v1 Receiver.GetWebhookPath). Compare with
 * the Receiver's `status.webhookPath` after the first deploy.
 */
export const receiverPath = (receiver: { name: string; namespace: string }, token = "") =>
  `/hook/${createHash("sha256").update(`${token}${receiver.name}${receiver.namespace}`).digest("hex")}`;

/** The tag Karpenter finds this cluster's subnets and security group by; its value is the cluster name. */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";

/** The SQS queue EventBridge sends spot interruptions and instance events to, for Karpenter. */
export const karpenterQueueName = (env: EnvironmentConfig) => `${env.cluster.name}-karpenter`;

/** The IAM role of Karpenter's nodes: EC2NodeClass `role`, the node access entry. */
export const karpenterNodeRoleName = (env: EnvironmentConfig) => clusterRoleName(env, ROLE_PURPOSES.karpenterNode);

/** The Secrets Manager name prefix External Secrets may read: configured, or `<environment>/`. */
export const externalSecretsPrefix = (env: EnvironmentConfig) =>
  env.addons.externalSecrets.secretsPrefix ?? `${env.name}/`;

/** Where app teams commit SOPS-encrypted Secrets for the environment (the `secrets` Kustomization's path). */
export const secretsPath = (env: EnvironmentConfig) => `secrets/${env.name}`;

/** The alias of the environment's SOPS key: what `.sops.yaml` and people name it by. */
export const sopsKeyAlias = (env: EnvironmentConfig) => `alias/${env.cluster.name}-sops`;

/**
 * The alias's ARN when the account is known at synth (`delivery.awsAccountId`), else undefined
 * (the bootstrap stack then names the key by the ARN core outputs). SOPS accepts alias ARNs.
 */
export const sopsKeyAliasArn = (env: EnvironmentConfig) =>
  env.delivery
    ? `arn:${partitionOf(env)}:kms:${env.region}:${env.delivery.awsAccountId}:${sopsKeyAlias(env)}`
    : undefined;
