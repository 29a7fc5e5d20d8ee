import type { Json } from "../helpers";

/** An exact chart version: semver with optional pre-release and build, no range, wildcard or tag. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** HelmReleases whose chart version is missing, a range, `*`, `latest` or anything but one exact version. */
export function unpinnedCharts(objects: readonly Json[]): string[] {
  return objects
    .filter((o) => o.kind === "HelmRelease")
    .flatMap((o) => {
      const label = `HelmRelease/${o.metadata.namespace}/${o.metadata.name}`;
      if (o.spec?.chartRef) return [`${label}: chartRef is not checked here; pin the source's tag and check it`];
      const version = o.spec?.chart?.spec?.version;
      return typeof version === "string" && EXACT_VERSION.test(version)
        ? []
        : [`${label}: chart version ${JSON.stringify(version)} is not one exact version`];
    });
}

/** The names of the Kustomizations the apps wait on, following dependsOn back to one that depends on nothing. */
export function dependsOnChain(objects: readonly Json[], from = "apps"): string[] {
  const byName = new Map(
    objects
      .filter((o) => o.kind === "Kustomization" && o.apiVersion.startsWith("kustomize.toolkit"))
      .map((o) => [o.metadata.name, o]),
  );
  const chain: string[] = [];
  let current = byName.get(from);
  while (current) {
    chain.unshift(current.metadata.name);
    const deps = (current.spec.dependsOn ?? []) as { name: string }[];
    if (deps.length !== 1 || chain.includes(deps[0].name)) break;
    current = byName.get(deps[0].name);
  }
  return chain;
}
