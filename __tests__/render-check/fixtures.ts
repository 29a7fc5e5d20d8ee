import { stringify } from "yaml";
import type { CommittedTree, K8sObject } from "../../scripts/render-check";

/** A GitOps tree written by hand: the check's fixture, independent of the committed environments. */
export function tree(files: Record<string, unknown>, patch: Partial<CommittedTree> = {}): CommittedTree {
  const text = (v: unknown) =>
    typeof v === "string" ? v : Array.isArray(v) ? v.map((d) => stringify(d)).join("---\n") : stringify(v);
  return {
    environment: "qa",
    repository: "group/gitops-qa@main",
    syncPath: "clusters/qa",
    fluxNamespace: "flux-system",
    files: new Map(Object.entries(files).map(([p, v]) => [p, text(v)])),
    fluxOwned: [],
    terraformObjects: [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "flux-system", namespace: "flux-system" } },
      configMap("cluster-vars", { ECR_REPOSITORY_URL: "123456789012.dkr.ecr.us-west-2.amazonaws.com/qa/app" }),
    ],
    ...patch,
  };
}

export function configMap(name: string, data: Record<string, string | undefined>): K8sObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "flux-system" }, data };
}

/** A Flux Kustomization of `path`, substituting from cluster-vars. */
export function kustomization(name: string, path: string, extra: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system" },
    spec: {
      interval: "10m0s",
      path,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars" }] },
      ...extra,
    },
  };
}

export const imageRepository: K8sObject = {
  apiVersion: "image.toolkit.fluxcd.io/v1",
  kind: "ImageRepository",
  metadata: { name: "app", namespace: "flux-system" },
  spec: { image: "${ECR_REPOSITORY_URL}", interval: "1m0s", provider: "aws" },
};

/** An ImagePolicy whose range is written as `range` in the file (the text after `range: `). */
export function imagePolicyText(range: string): string {
  return [
    "apiVersion: image.toolkit.fluxcd.io/v1",
    "kind: ImagePolicy",
    "metadata:",
    "  name: app",
    "  namespace: flux-system",
    "spec:",
    "  imageRepositoryRef:",
    "    name: app",
    "  policy:",
    "    semver:",
    `      range: ${range}`,
    "",
  ].join("\n");
}
