import { ADDON_RELEASES, HelmAddon } from "../../constructs/bootstrap/addon-values";
import { ADDON_ACCOUNTS } from "../../constructs/flux/api";
import type { AppliedObject } from "./cluster";

/** Where charts take the name of the service account they create, by chart convention. */
const ACCOUNT_PATHS = [
  ["serviceAccount", "name"],
  ["rbac", "serviceAccount", "name"],
  ["reloader", "serviceAccount", "name"],
];

/**
 * The catalog's HelmReleases create exactly the service accounts core binds AWS roles to
 * (ADDON_ACCOUNTS, EKS Pod Identity): the account's name in the release's inline values, the
 * namespace the release installs into. A chart left to name the account itself, or a release in
 * another namespace, would run without its role.
 */
export function addonAccountProblems(applied: readonly AppliedObject[]): string[] {
  const problems: string[] = [];
  const addonOf = new Map(Object.entries(ADDON_RELEASES).map(([addon, release]) => [release, addon as HelmAddon]));
  for (const { object } of applied) {
    if (object.kind !== "HelmRelease") continue;
    const addon = addonOf.get(object.metadata.name);
    if (!addon) continue;
    const spec = (object.spec ?? {}) as { targetNamespace?: string; values?: Record<string, unknown> };
    const namespace = spec.targetNamespace ?? object.metadata.namespace;
    const names = ACCOUNT_PATHS.map((p) => dig(spec.values, p)).filter((n) => n !== undefined);
    const expected = ADDON_ACCOUNTS[addon];
    const label = `HelmRelease/${object.metadata.namespace}/${object.metadata.name}`;
    if (names.length === 0) {
      problems.push(
        `${label}: names no service account in its values; core binds ${addon}'s AWS role to ${expected.namespace}/${expected.serviceAccount}`,
      );
      continue;
    }
    for (const name of names) {
      if (namespace !== expected.namespace || name !== expected.serviceAccount)
        problems.push(
          `${label}: creates service account ${namespace}/${String(name)}, but core binds ${addon}'s AWS role to ${expected.namespace}/${expected.serviceAccount}`,
        );
    }
  }
  return problems;
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
