import Ajv, { ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
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
        `${label}: names no service account in its values; core binds ${addon}'s AWS role to ` +
          `${expected.namespace}/${expected.serviceAccount}`,
      );
      continue;
    }
    for (const name of names) {
      if (namespace !== expected.namespace || name !== expected.serviceAccount)
        problems.push(
          `${label}: creates service account ${namespace}/${String(name)}, but core binds ${addon}'s AWS role to ` +
            `${expected.namespace}/${expected.serviceAccount}`,
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

/** The values schemas of the add-on charts that ship one, at their pinned versions (see its README). */
export const CHART_SCHEMAS_DIR = path.join(__dirname, "chart-schemas");
const SCHEMA_SUFFIX = ".values.schema.json";
const chartValidators = new Map<string, ValidateFunction>();

/**
 * The validator of `chart` at `version`, or undefined when the chart ships no schema. A chart
 * with a schema at another version than the one asked for is an error: the copy is out of date.
 */
export function chartValuesValidator(chart: string, version: string): ValidateFunction | undefined {
  const key = `${chart}-${version}`;
  const cached = chartValidators.get(key);
  if (cached) return cached;
  const file = path.join(CHART_SCHEMAS_DIR, `${key}${SCHEMA_SUFFIX}`);
  if (!existsSync(file)) {
    const others = readdirSync(CHART_SCHEMAS_DIR).filter((f) => f.startsWith(`${chart}-`) && f.endsWith(SCHEMA_SUFFIX));
    if (others.length > 0)
      throw new Error(
        `${CHART_SCHEMAS_DIR}: ${others.join(", ")} but no schema for ${chart} ${version}: copy it (README there)`,
      );
    return undefined;
  }
  const schema = withoutRequired(JSON.parse(readFileSync(file, "utf8")));
  const draft2020 = String(schema.$schema ?? "").includes("2020-12");
  const options = { allErrors: true, strict: false, validateFormats: false, code: { optimize: false } };
  const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
  delete schema.$schema;
  const validate = ajv.compile(schema);
  chartValidators.set(key, validate);
  return validate;
}

/** Problems of one set of Helm values against its chart's schema, as `<path> <message>`. */
export function chartValuesErrors(chart: string, version: string, values: unknown): string[] {
  const validate = chartValuesValidator(chart, version);
  if (!validate || validate(values ?? {})) return [];
  return (validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === "additionalProperties"
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : "";
    return `${e.instancePath || "(values)"} ${e.message}${extra}`;
  });
}

/** Every HelmRelease's inline values against its chart's values schema, where the chart has one. */
export function chartValuesProblems(applied: readonly AppliedObject[]): string[] {
  const problems: string[] = [];
  for (const { object } of applied) {
    if (object.kind !== "HelmRelease") continue;
    const spec = (object.spec ?? {}) as { chart?: { spec?: { chart?: string; version?: string } }; values?: unknown };
    const chart = spec.chart?.spec;
    if (!chart?.chart || !chart.version) continue;
    for (const error of chartValuesErrors(chart.chart, chart.version, spec.values))
      problems.push(
        `HelmRelease/${object.metadata.namespace}/${object.metadata.name}: values${error} (chart ${chart.chart} ` +
          `${chart.version})`,
      );
  }
  return problems;
}

/** The schema with every `required` list removed: a release gives part of the values, the chart's defaults the rest. */
function withoutRequired(schema: any): any {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (!schema || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === "required" && Array.isArray(value)))
      .map(([key, value]) => [key, withoutRequired(value)]),
  );
}
