import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseAllDocuments, stringify } from "yaml";
import { API_VERSIONS, FLUX_SOURCE_NAME } from "../../constructs/flux/api";
import type { CommittedTree, K8sObject } from "./committed";
import { generateKustomization, hasKustomization, kustomizeBuild } from "./kustomize";
import { sourceIgnored } from "./source-ignore";
import { decrypt, isSopsEncrypted, secretInGitProblems } from "./sops";
import { substitute, Variables } from "./substitute";
import { validateObject } from "./validate";

/** One object as it would be applied, and the Flux Kustomization that applies it. */
export interface AppliedObject {
  readonly object: K8sObject;
  /** `namespace/name` of the Kustomization, or `terraform`. */
  readonly appliedBy: string;
}

export const keyOf = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

const FLUX_KUSTOMIZATION = API_VERSIONS.Kustomization;
/**
 * Spec fields that change what Flux builds; the check models none of them, so it refuses them rather than ignore them.
 */
const UNMODELLED = [
  "targetNamespace",
  "namePrefix",
  "nameSuffix",
  "patches",
  "images",
  "components",
  "commonMetadata",
  "namespace",
];

/**
 * One cluster of one scenario: Flux's own sync (the bootstrap's flux-system folder, stubbed)
 * and every Kustomization it reaches, built from the repository folder `repoDir` as
 * kustomize-controller would, then substituted and validated.
 */
export function renderCluster(tree: CommittedTree, repoDir: string): { objects: AppliedObject[]; problems: string[] } {
  const problems: string[] = [];
  const objects = new Map<string, AppliedObject>();
  const add = (object: K8sObject, appliedBy: string) => {
    const key = keyOf(object);
    const existing = objects.get(key);
    if (existing) problems.push(`${key} is applied twice: by ${existing.appliedBy} and by ${appliedBy}`);
    else objects.set(key, { object, appliedBy });
  };
  for (const o of tree.terraformObjects) add(o, "terraform");
  const queue: K8sObject[] = [stubFluxSystem(tree, repoDir)];
  const impersonated: Impersonated[] = [];
  const done = new Set<string>();
  const deferred = new Set<string>();
  while (queue.length > 0) {
    const k = queue.shift()!;
    const name = `${k.metadata.namespace}/${k.metadata.name}`;
    if (done.has(name)) continue;
    const spec = (k.spec ?? {}) as Record<string, any>;
    const where = `Kustomization ${name}`;
    // substituteFrom may name a ConfigMap another Kustomization applies: build that one first.
    const vars = variables(spec.postBuild, k.metadata.namespace!, objects);
    if (vars.missing.length > 0 && !deferred.has(name)) {
      deferred.add(name);
      queue.push(k);
      continue;
    }
    done.add(name);
    for (const m of vars.missing)
      problems.push(`${where}: postBuild.substituteFrom ${m} does not exist (Flux stops: the build fails)`);
    for (const field of UNMODELLED)
      if (spec[field] !== undefined) problems.push(`${where}: spec.${field} is not modelled by this check`);
    const source = spec.sourceRef ?? {};
    if (source.kind !== "GitRepository" || source.name !== FLUX_SOURCE_NAME) {
      problems.push(
        `${where}: source ${source.kind}/${source.name} is not the bootstrap repository, so its content cannot be ` +
          `checked here`,
      );
      continue;
    }
    const built = build(repoDir, String(spec.path ?? "./"), where);
    problems.push(...built.problems);
    for (let object of built.objects) {
      const label = `${where}: ${object.kind}/${object.metadata?.name}`;
      // Secrets reach Git only SOPS-encrypted, and Flux applies them only when it decrypts.
      problems.push(...secretInGitProblems(object).map((p) => `${label}: ${p}`));
      if (isSopsEncrypted(object)) {
        if (spec.decryption?.provider !== "sops") {
          problems.push(
            `${label}: is SOPS-encrypted but ${where} has no decryption.provider sops: Flux refuses to apply it`,
          );
          continue;
        }
        object = decrypt(object);
      }
      if (spec.postBuild) {
        const always = spec.postBuild.substituteStrategy === "Always";
        const result = substitute(object, vars.values, spec.postBuild.substitute ?? {}, always);
        problems.push(...result.problems.map((p) => `${label}: ${p}`));
        if (!result.object) continue;
        object = result.object;
      } else {
        for (const v of new Set(JSON.stringify(object).match(/\$\{[^}]*\}/g) ?? [])) {
          problems.push(`${label}: holds ${v} but ${where} has no postBuild, so it reaches the cluster literally`);
        }
      }
      problems.push(...validateObject(object).map((p) => `${label}: ${p}`));
      if (spec.serviceAccountName)
        impersonated.push({
          object,
          account: spec.serviceAccountName,
          accountNamespace: k.metadata.namespace!,
          where: label,
        });
      add(object, where);
      if (object.apiVersion === FLUX_KUSTOMIZATION && object.kind === "Kustomization") queue.push(object);
    }
  }
  problems.push(...impersonationProblems(impersonated, objects));
  return { objects: [...objects.values()], problems };
}

/**
 * A Kustomization with `serviceAccountName` applies as that account: each object must be of a
 * kind a Role bound to the account lets it patch, in the object's namespace; nothing
 * cluster-scoped. (Roles are modelled; a binding to a ClusterRole is reported, not guessed.)
 */
interface Impersonated {
  readonly object: K8sObject;
  /** The Kustomization's `serviceAccountName`, in the Kustomization's namespace. */
  readonly account: string;
  readonly accountNamespace: string;
  readonly where: string;
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

function impersonationProblems(applied: Impersonated[], objects: Map<string, AppliedObject>): string[] {
  const problems: string[] = [];
  const rulesFor = (accountNamespace: string, account: string, namespace: string): Rule[] => {
    const rules: Rule[] = [];
    for (const { object } of objects.values()) {
      const subjects = (object.subjects as { kind: string; name: string; namespace?: string }[] | undefined) ?? [];
      if (object.kind !== "RoleBinding" || object.metadata.namespace !== namespace) continue;
      if (!subjects.some((s) => s.kind === "ServiceAccount" && s.name === account && s.namespace === accountNamespace))
        continue;
      const ref = object.roleRef as { kind: string; name: string };
      if (ref.kind !== "Role") {
        problems.push(
          `RoleBinding ${namespace}/${object.metadata.name} grants ClusterRole ${ref.name}, whose rules this check ` +
            `does not model`,
        );
        continue;
      }
      rules.push(...((objects.get(`Role/${namespace}/${ref.name}`)?.object.rules as Rule[] | undefined) ?? []));
    }
    return rules;
  };
  for (const { object, account, accountNamespace, where } of applied) {
    const namespace = object.metadata.namespace;
    if (!objects.has(`ServiceAccount/${accountNamespace}/${account}`)) {
      problems.push(`${where}: serviceAccountName ${account} does not exist in ${accountNamespace}`);
      continue;
    }
    const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
    const resource = plural(object.kind);
    const allowed =
      namespace !== undefined &&
      rulesFor(accountNamespace, account, namespace).some(
        (r) =>
          (r.apiGroups.includes(group) || r.apiGroups.includes("*")) &&
          (r.resources.includes(resource) || r.resources.includes("*")) &&
          (r.verbs.includes("patch") || r.verbs.includes("*")),
      );
    if (!allowed)
      problems.push(
        `${where}: applied as ${account}, which may not patch ${resource}.${group || "core"} in ` +
          `${namespace ?? "(cluster scope)"}: the API server refuses it`,
      );
  }
  return [...new Set(problems)];
}

/** The resource name of a kind, as RBAC rules write it. */
function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith("s")) return `${lower}es`;
  return `${lower}s`;
}

/**
 * The variables of a postBuild: substituteFrom in order (later wins), `missing` listing absent non-optional sources.
 */
function variables(
  postBuild: any,
  namespace: string,
  objects: Map<string, AppliedObject>,
): { values: Variables; missing: string[] } {
  const values: Variables = {};
  const missing: string[] = [];
  for (const ref of postBuild?.substituteFrom ?? []) {
    const found = objects.get(`${ref.kind}/${namespace}/${ref.name}`);
    if (!found) {
      if (!ref.optional) missing.push(`${ref.kind}/${ref.name}`);
      continue;
    }
    const data = (found.object as { data?: Record<string, string | undefined> }).data ?? {};
    for (const [key, value] of Object.entries(data)) values[key] = value?.replace(/\n/g, "");
  }
  return { values, missing };
}

/** Builds one Kustomization path in a private copy of the repository, as Flux does in its own checkout. */
function build(repoDir: string, spec: string, where: string): { objects: K8sObject[]; problems: string[] } {
  const relative = path.posix.normalize(spec.replace(/^\.?\/?/, "") || ".");
  if (relative.startsWith("..")) return { objects: [], problems: [`${where}: path ${spec} leaves the repository`] };
  const source = path.join(repoDir, relative);
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    return { objects: [], problems: [`${where}: path ${spec} does not exist in the repository`] };
  }
  const work = mkdtempSync(path.join(tmpdir(), "render-"));
  try {
    // The artifact source-controller builds from Git: without the files it leaves out (.sops.yaml).
    cpSync(repoDir, work, {
      recursive: true,
      filter: (file) => !sourceIgnored(path.relative(repoDir, file).split(path.sep).join("/")),
    });
    const dir = path.join(work, relative);
    if (!hasKustomization(dir)) {
      const problems = generateKustomization(dir);
      if (problems.length) return { objects: [], problems: problems.map((p) => `${where}: ${p}`) };
    }
    let output: string;
    try {
      output = kustomizeBuild(dir);
    } catch (error) {
      return { objects: [], problems: [`${where}: kustomize build ${spec} fails: ${(error as Error).message}`] };
    }
    const objects: K8sObject[] = [];
    for (const doc of parseAllDocuments(output)) {
      const value = doc.toJS();
      if (value) objects.push(value as K8sObject);
    }
    return { objects, problems: [] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What `flux_bootstrap_git` writes to `<syncPath>/flux-system/`: the flux-system GitRepository
 * and Kustomization (its controllers and CRDs stand in as the namespace alone).
 */
function stubFluxSystem(tree: CommittedTree, repoDir: string): K8sObject {
  const namespace = tree.fluxNamespace;
  const meta = { name: FLUX_SOURCE_NAME, namespace };
  const gitRepository: K8sObject = {
    apiVersion: API_VERSIONS.GitRepository,
    kind: "GitRepository",
    metadata: meta,
    spec: {
      interval: "1m0s",
      ref: { branch: tree.repository.split("@")[1] },
      secretRef: { name: FLUX_SOURCE_NAME },
      url: `ssh://git@example/${tree.repository}`,
    },
  };
  const kustomization: K8sObject = {
    apiVersion: FLUX_KUSTOMIZATION,
    kind: "Kustomization",
    metadata: meta,
    spec: {
      interval: "10m0s",
      path: `./${tree.syncPath}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: FLUX_SOURCE_NAME },
    },
  };
  // gotk-components.yaml declares the namespace too; where Terraform creates it first, both own it.
  const terraformNamespace = tree.terraformObjects.some((o) => o.kind === "Namespace" && o.metadata.name === namespace);
  const components = terraformNamespace ? [] : [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }];
  const dir = path.join(repoDir, tree.syncPath, "flux-system");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "gotk-components.yaml"), components.map((o) => stringify(o)).join("---\n"));
  writeFileSync(
    path.join(dir, "gotk-sync.yaml"),
    [gitRepository, kustomization].map((o) => stringify(o)).join("---\n"),
  );
  writeFileSync(
    path.join(dir, "kustomization.yaml"),
    stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["gotk-components.yaml", "gotk-sync.yaml"],
    }),
  );
  return kustomization;
}
