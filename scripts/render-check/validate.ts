import Ajv, { ValidateFunction } from "ajv";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { K8sObject } from "./committed";

/**
 * Schemas the rendered objects are held to:
 * - Flux kinds: the CustomResourceDefinitions of the Flux release this project installs, kept in
 *   `flux-crds/` (copied from the release's controllers; refresh them with the Flux version).
 *   Unknown fields are errors, as with the API server's strict field validation, which the
 *   structural schemas alone would silently prune. CEL rules (x-kubernetes-validations) are not run.
 * - Add-on kinds the configs layer commits (Karpenter's NodePool and EC2NodeClass, External
 *   Secrets' ClusterSecretStore): their CRDs at the pinned chart versions, kept in `addon-crds/`
 *   (see its README), held to the same rules.
 * - Kubernetes kinds: the OpenAPI models of the `kubernetes-models` package (types and required
 *   fields; it accepts unknown fields).
 */
export const FLUX_CRDS_DIR = path.join(__dirname, "flux-crds");
/** The Flux release the CRDs come from. */
export const FLUX_CRDS_VERSION = "v2.9.4";
export const ADDON_CRDS_DIR = path.join(__dirname, "addon-crds");
/** The API groups of addon-crds/ and the releases their CRDs come from (config/versions.ts ADDON_VERSIONS). */
export const ADDON_CRDS_VERSIONS: Record<string, string> = {
  "karpenter.sh": "Karpenter v1.14.1",
  "karpenter.k8s.aws": "Karpenter v1.14.1",
  "external-secrets.io": "External Secrets v2.9.0",
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

let fluxValidators: Map<string, ValidateFunction> | undefined;
const addonValidators = new Map<string, Map<string, ValidateFunction>>();

/**
 * Validators of the served versions of the CRDs in `dir` (those of `group` only, when given: the
 * files are named `<group>_<plural>.yaml`), by `group/version/Kind`. The add-on CRDs are large
 * (External Secrets' is 690 KB), so they are read only when an object of their group appears,
 * and compiled without Ajv's code optimisation, which halves the time and keeps the checks.
 */
function loadValidators(dir: string, group?: string): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { optimize: !group } });
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml") && (!group || f.startsWith(`${group}_`)))) {
    const crd = parse(readFileSync(path.join(dir, file), "utf8"));
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const schema = closeObjects(version.schema.openAPIV3Schema);
      // metadata is checked on its own below; the CRD leaves it open.
      schema.properties.metadata = { type: "object" };
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

function addonGroupValidators(group: string): Map<string, ValidateFunction> {
  let validators = addonValidators.get(group);
  if (!validators) addonValidators.set(group, (validators = loadValidators(ADDON_CRDS_DIR, group)));
  return validators;
}

/**
 * Adds `additionalProperties: false` wherever a structural schema lists its properties and does not preserve unknown
 * fields.
 */
function closeObjects(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema))
    out[key] = key === "properties" ? mapValues(value, closeObjects) : closeObjects(value);
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"])
    out.additionalProperties = false;
  return out;
}

function mapValues(object: any, fn: (v: any) => any): any {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}

/** Problems of one object against its schema; an object with no known schema is a problem too. */
export function validateObject(object: K8sObject): string[] {
  const problems: string[] = [];
  const name = object.metadata?.name;
  if (typeof name !== "string" || !DNS_SUBDOMAIN.test(name) || name.length > 253)
    problems.push(`metadata.name ${JSON.stringify(name)} is not a valid Kubernetes name`);
  // The API server takes only strings here; a substituted `on` or `1.10` arrives as a boolean or number.
  for (const field of ["labels", "annotations"] as const) {
    for (const [key, value] of Object.entries(
      (object.metadata?.[field] as Record<string, unknown> | undefined) ?? {},
    )) {
      if (typeof value !== "string")
        problems.push(`metadata.${field}.${key} must be a string, not ${JSON.stringify(value)}`);
    }
  }
  const namespace = object.metadata?.namespace;
  if (
    namespace !== undefined &&
    (typeof namespace !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63)
  ) {
    problems.push(`metadata.namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
  }
  const [group, version] = object.apiVersion?.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const crdKind = group.endsWith(".fluxcd.io")
    ? { validators: (fluxValidators ??= loadValidators(FLUX_CRDS_DIR)), release: `Flux ${FLUX_CRDS_VERSION}` }
    : group in ADDON_CRDS_VERSIONS
      ? { validators: addonGroupValidators(group), release: ADDON_CRDS_VERSIONS[group] }
      : undefined;
  if (crdKind) {
    const validate = crdKind.validators.get(`${group}/${version}/${object.kind}`);
    if (!validate) return [...problems, `${object.apiVersion} ${object.kind} is not served by ${crdKind.release}`];
    if (!validate(object)) {
      for (const e of validate.errors ?? []) {
        const extra =
          e.keyword === "additionalProperties"
            ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
            : "";
        problems.push(`${e.instancePath || "(object)"} ${e.message}${extra}`);
      }
    }
    return problems;
  }
  const model = kubernetesModel(group, version, object.kind);
  if (!model) return [...problems, `no schema known for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
  } catch (error) {
    problems.push(String((error as Error).message).split("\n")[0]);
  }
  return problems;
}

type Model = new (data: unknown) => { validate(): void };

function kubernetesModel(group: string, version: string, kind: string): Model | undefined {
  const module = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(module) as Record<string, Model>)[kind];
  } catch {
    return undefined;
  }
}
