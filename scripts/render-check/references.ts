import { existsSync, readFileSync, statSync } from "fs";
import * as path from "path";
import type { CommittedTree } from "./committed";
import { AppliedObject, keyOf } from "./cluster";

/** Namespaces every EKS cluster has before anything is applied. */
const BUILT_IN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Kinds that live outside namespaces (those this project and its add-ons use). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "PersistentVolume",
  // The add-on kinds of scripts/render-check/addon-crds/ (scope: Cluster in their CRDs).
  "NodePool",
  "EC2NodeClass",
  "ClusterSecretStore",
]);

/** Marks a line Flux's image automation rewrites: `# {"$imagepolicy": "namespace:name[:tag|:name|:digest]"}`. */
const SETTER = /\{"\$imagepolicy":\s*"([^"]+)"\}/g;

type Spec = Record<string, any>;

/**
 * Every reference between the objects of one cluster resolves: sources, dependencies, secrets,
 * values and variables, image policies and update paths, namespaces.
 */
export function checkReferences(tree: CommittedTree, repoDir: string, applied: readonly AppliedObject[]): string[] {
  const problems: string[] = [];
  const byKey = new Map(applied.map((a) => [keyOf(a.object), a]));
  const namespaces = new Set([
    ...BUILT_IN_NAMESPACES,
    ...applied.filter((a) => a.object.kind === "Namespace").map((a) => a.object.metadata.name),
  ]);
  const exists = (kind: string, namespace: string, name: string) => byKey.has(`${kind}/${namespace}/${name}`);

  for (const { object } of applied) {
    const ns = object.metadata.namespace;
    const spec = (object.spec ?? {}) as Spec;
    const label = keyOf(object);
    const need = (what: string, kind: string, name: string | undefined, namespace = ns!) => {
      if (name && !exists(kind, namespace, name))
        problems.push(`${label}: ${what} ${kind}/${namespace}/${name} does not exist`);
    };

    if (CLUSTER_SCOPED.has(object.kind)) {
      if (ns) problems.push(`${label}: ${object.kind} is cluster-scoped but names namespace ${ns}`);
    } else if (!ns) {
      problems.push(`${label}: has no namespace`);
    } else if (!namespaces.has(ns)) {
      problems.push(`${label}: namespace ${ns} does not exist`);
    }

    switch (object.kind) {
      case "Kustomization":
        if (!object.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) break;
        for (const d of spec.dependsOn ?? []) need("dependsOn", "Kustomization", d.name, d.namespace ?? ns);
        need("sourceRef", spec.sourceRef?.kind, spec.sourceRef?.name, spec.sourceRef?.namespace ?? ns);
        for (const s of spec.postBuild?.substituteFrom ?? []) if (!s.optional) need("substituteFrom", s.kind, s.name);
        break;
      case "HelmRelease": {
        const chart = spec.chart?.spec;
        if (chart)
          need("chart sourceRef", chart.sourceRef?.kind, chart.sourceRef?.name, chart.sourceRef?.namespace ?? ns);
        if (spec.chartRef) need("chartRef", spec.chartRef.kind, spec.chartRef.name, spec.chartRef.namespace ?? ns);
        for (const d of spec.dependsOn ?? []) need("dependsOn", "HelmRelease", d.name, d.namespace ?? ns);
        for (const v of spec.valuesFrom ?? []) if (!v.optional) need("valuesFrom", v.kind, v.name);
        for (const target of [spec.targetNamespace, spec.storageNamespace]) {
          if (target && !namespaces.has(target) && !spec.install?.createNamespace)
            problems.push(`${label}: namespace ${target} does not exist`);
        }
        break;
      }
      case "ImagePolicy":
        need(
          "imageRepositoryRef",
          "ImageRepository",
          spec.imageRepositoryRef?.name,
          spec.imageRepositoryRef?.namespace ?? ns,
        );
        break;
      case "ImageUpdateAutomation": {
        need(
          "sourceRef",
          spec.sourceRef?.kind ?? "GitRepository",
          spec.sourceRef?.name,
          spec.sourceRef?.namespace ?? ns,
        );
        const updatePath = path.join(repoDir, String(spec.update?.path ?? "./"));
        if (!existsSync(updatePath) || !statSync(updatePath).isDirectory())
          problems.push(`${label}: update.path ${spec.update?.path} does not exist`);
        break;
      }
      case "Alert":
        need("providerRef", "Provider", spec.providerRef?.name);
        break;
      case "Receiver":
        for (const r of spec.resources ?? []) if (r.name !== "*") need("resources", r.kind, r.name, r.namespace ?? ns);
        break;
    }
    // A pod's environment from a ConfigMap (an app's infrastructure values, which Terraform creates): a
    // missing one keeps the pod from starting (CreateContainerConfigError).
    for (const name of configMapsOfPods(object.kind, spec)) need("envFrom", "ConfigMap", name);
    for (const ref of [spec.secretRef, spec.certSecretRef, spec.decryption?.secretRef, spec.kubeConfig?.secretRef]) {
      if (ref?.name && object.kind !== "ExternalSecret") need("secretRef", "Secret", ref.name);
    }
  }

  // Markers in the files this cluster's automations rewrite name image policies that exist.
  const automations = applied.filter((a) => a.object.kind === "ImageUpdateAutomation").map((a) => a.object);
  const covered = (file: string) =>
    automations.some((a) => {
      const root = path.posix.normalize(String((a.spec as Spec).update?.path ?? "./").replace(/^\.\//, ""));
      return root === "." || file === root || file.startsWith(`${root}/`);
    });
  for (const [file] of tree.files) {
    const text = readFileSync(path.join(repoDir, file), "utf8");
    for (const match of text.matchAll(SETTER)) {
      const [namespace, name] = match[1].split(":");
      if (!exists("ImagePolicy", namespace, name))
        problems.push(`${file}: image policy marker names ImagePolicy ${namespace}/${name}, which does not exist`);
      if (!covered(file))
        problems.push(
          `${file}: image policy marker is outside every ImageUpdateAutomation update.path, so Flux never updates it`,
        );
    }
  }
  return problems;
}

/** The ConfigMaps a workload's containers must find to start: non-optional `envFrom` and `configMapKeyRef`. */
function configMapsOfPods(kind: string, spec: Spec): string[] {
  const pod: Spec | undefined =
    kind === "Pod"
      ? spec
      : kind === "CronJob"
        ? spec.jobTemplate?.spec?.template?.spec
        : ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"].includes(kind)
          ? spec.template?.spec
          : undefined;
  if (!pod) return [];
  const containers: Spec[] = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  return containers
    .flatMap((c) => [
      ...(c.envFrom ?? []).map((e: Spec) => e.configMapRef).filter((r: Spec | undefined) => r && !r.optional),
      ...(c.env ?? []).map((e: Spec) => e.valueFrom?.configMapKeyRef).filter((r: Spec | undefined) => r && !r.optional),
    ])
    .map((r: Spec) => String(r.name));
}
