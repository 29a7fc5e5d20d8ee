import { Testing } from "cdktf";
import type { EnvironmentConfig } from "../../config/load";
import { clusterRoleName, ROLE_PURPOSES } from "../../config/names";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CORE_OUTPUTS, SOPS_KEY_OUTPUT } from "../../stacks/core-stack";

/** A Kubernetes object as plain data. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

/** What one environment's bootstrap stack puts into Git and into the cluster, read from its synthesized JSON. */
export interface CommittedTree {
  readonly environment: string;
  /** The GitOps repository and branch the files are committed to (`group/project@branch`). */
  readonly repository: string;
  /** Flux's sync path for this cluster (`flux_bootstrap_git.path`). */
  readonly syncPath: string;
  /** The namespace Flux is installed in. */
  readonly fluxNamespace: string;
  /** Repository path → content, exactly as `gitlab_repository_file` commits it. */
  readonly files: ReadonlyMap<string, string>;
  /** Paths Terraform creates once and then leaves to Flux (`ignore_changes = [content]`). */
  readonly fluxOwned: readonly string[];
  /** Namespaces, NetworkPolicies, ConfigMaps and Secrets Terraform creates in the cluster (Secret data left out). */
  readonly terraformObjects: readonly K8sObject[];
}

type Json = Record<string, any>;

/** A reference to one of core's outputs, read through remote state. */
const REMOTE_OUTPUT = /\$\{data\.terraform_remote_state\.core\.outputs\.([a-z_]+)\}/g;

/**
 * Realistic values for core's outputs, which bootstrap reads through remote state and which
 * exist only after `cdktf deploy core`. Every output bootstrap hands to Flux needs one.
 */
export function coreStandIns(env: EnvironmentConfig): Record<string, string> {
  const account = "123456789012";
  const registry = `${account}.dkr.ecr.${env.region}.amazonaws.com`;
  const roleArn = (purpose: Parameters<typeof clusterRoleName>[1]) =>
    `arn:aws:iam::${account}:role/${clusterRoleName(env, purpose)}`;
  return {
    [CORE_OUTPUTS.clusterName]: env.cluster.name,
    [CORE_OUTPUTS.clusterEndpoint]: `https://0123456789ABCDEF0123456789ABCDEF.gr7.${env.region}.eks.amazonaws.com`,
    [CORE_OUTPUTS.region]: env.region,
    [CORE_OUTPUTS.vpcId]: "vpc-0a1b2c3d4e5f67890",
    [CORE_OUTPUTS.ecrRegistry]: registry,
    [CORE_OUTPUTS.imageReflectorRoleArn]: roleArn(ROLE_PURPOSES.imageReflector),
    [CORE_OUTPUTS.clusterAutoscalerRoleArn]: roleArn(ROLE_PURPOSES.clusterAutoscaler),
    [SOPS_KEY_OUTPUT]: `arn:aws:kms:${env.region}:${account}:key/0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b`,
  };
}

/** Synthesizes the bootstrap stack of `env` and reads back what it commits and creates. */
export function committedTree(env: EnvironmentConfig): CommittedTree {
  const app = Testing.app();
  const json: Json = JSON.parse(Testing.synth(new BootstrapStack(app, "bootstrap", env)));
  return readCommittedTree(env, json);
}

/** The same, from a stack's JSON (for tests that alter it). */
export function readCommittedTree(env: EnvironmentConfig, json: Json): CommittedTree {
  const standIns = coreStandIns(env);
  const resolve = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    let unresolved = false;
    const text = value.replace(REMOTE_OUTPUT, (_m, name: string) => {
      if (!(name in standIns)) unresolved = true;
      return standIns[name] ?? "";
    });
    // Anything else Terraform would compute (a function call, another resource) has no stand-in.
    return unresolved || text.includes("${") ? undefined : text;
  };
  const of = (type: string): Json[] => Object.values(json.resource?.[type] ?? {});

  const repositoryFiles = of("gitlab_repository_file");
  const repositories = new Set(repositoryFiles.map((f) => `${projectPath(json, f.project)}@${f.branch}`));
  if (repositories.size > 1)
    throw new Error(`${env.name}: files go to more than one repository: ${[...repositories].join(", ")}`);
  const files = new Map<string, string>();
  for (const f of repositoryFiles) {
    // A text file may hold core's outputs (a generated file's computed value): filled in as Terraform would.
    const content =
      f.encoding === "base64"
        ? Buffer.from(f.content, "base64").toString("utf8")
        : String(f.content).replace(REMOTE_OUTPUT, (m, name: string) => standIns[name] ?? m);
    files.set(f.file_path, content);
  }
  const fluxOwned = repositoryFiles
    .filter((f) => f.lifecycle?.ignore_changes?.includes("content"))
    .map((f) => f.file_path);

  const [bootstrap] = of("flux_bootstrap_git");
  if (!bootstrap) throw new Error(`${env.name}: the bootstrap stack has no flux_bootstrap_git`);
  const fluxNamespace: string = bootstrap.namespace ?? "flux-system";

  const terraformObjects: K8sObject[] = [];
  for (const ns of of("kubernetes_namespace_v1")) {
    terraformObjects.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns.metadata.name, labels: ns.metadata.labels },
    });
  }
  for (const cm of of("kubernetes_config_map_v1")) {
    const data: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(cm.data ?? {})) data[key] = resolve(value);
    terraformObjects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: cm.metadata.name, namespace: cm.metadata.namespace },
      data,
    });
  }
  for (const policy of of("kubernetes_network_policy_v1")) {
    const spec = policy.spec?.[0] ?? policy.spec ?? {};
    terraformObjects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: policy.metadata.name, namespace: policy.metadata.namespace },
      spec: { podSelector: spec.pod_selector ?? {}, policyTypes: spec.policy_types ?? [] },
    });
  }
  for (const account of of("kubernetes_service_account_v1")) {
    terraformObjects.push({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: account.metadata.name, namespace: account.metadata.namespace },
    });
  }
  for (const role of of("kubernetes_role_v1")) {
    terraformObjects.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: role.metadata.name, namespace: role.metadata.namespace },
      rules: role.rule.map((r: Json) => ({ apiGroups: r.api_groups, resources: r.resources, verbs: r.verbs })),
    });
  }
  for (const binding of of("kubernetes_role_binding_v1")) {
    terraformObjects.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: binding.metadata.name, namespace: binding.metadata.namespace },
      roleRef: { apiGroup: binding.role_ref.api_group, kind: binding.role_ref.kind, name: binding.role_ref.name },
      subjects: binding.subject.map((s: Json) => ({ kind: s.kind, name: s.name, namespace: s.namespace })),
    });
  }
  for (const secret of of("kubernetes_secret_v1")) {
    // Only the keys: values are secrets computed at apply.
    const data = Object.fromEntries(Object.keys(secret.data ?? {}).map((k) => [k, undefined]));
    terraformObjects.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secret.metadata.name, namespace: secret.metadata.namespace },
      data,
    });
  }

  // Unless told not to, the bootstrap creates the Secret Flux clones with.
  if (!bootstrap.disable_secret_creation) {
    terraformObjects.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: bootstrap.secret_name ?? "flux-system", namespace: fluxNamespace },
    });
  }

  return {
    environment: env.name,
    repository: [...repositories][0] ?? "(no files)",
    syncPath: String(bootstrap.path).replace(/^\.\//, "").replace(/\/$/, ""),
    fluxNamespace,
    files,
    fluxOwned,
    terraformObjects,
  };
}

/** `group/project` of the GitLab project a `project` argument refers to. */
function projectPath(json: Json, reference: string): string {
  const data = /^\$\{data\.gitlab_project\.([^.]+)\.id\}$/.exec(reference);
  if (data) return json.data.gitlab_project[data[1]].path_with_namespace;
  const created = /^\$\{gitlab_project\.([^.]+)\.id\}$/.exec(reference);
  if (created) {
    const project = json.resource.gitlab_project[created[1]];
    const group = /^\$\{.*data\.gitlab_group\.([^.]+)\.group_id.*\}$/.exec(String(project.namespace_id));
    const groupPath = group ? json.data.gitlab_group[group[1]].full_path : String(project.namespace_id);
    return `${groupPath}/${project.path}`;
  }
  return reference;
}
