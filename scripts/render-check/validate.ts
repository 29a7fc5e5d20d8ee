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
 * - Kubernetes kinds: the OpenAPI models of the `kubernetes-models` package (types and required
 *   fields; it accepts unknown fields).
 */
export const FLUX_CRDS_DIR = path.join(__dirname, "flux-crds");
/** The Flux release the CRDs come from. */
export const FLUX_CRDS_VERSION = "v2.9.4";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

let fluxValidators: Map<string, ValidateFunction> | undefined;

function loadFluxValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(FLUX_CRDS_DIR).filter((f) => f.endsWith(".yaml"))) {
    const crd = parse(readFileSync(path.join(FLUX_CRDS_DIR, file), "utf8"));
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

/** Adds `additionalProperties: false` wherever a structural schema lists its properties and does not preserve unknown fields. */
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
  if (group.endsWith(".fluxcd.io")) {
    fluxValidators ??= loadFluxValidators();
    const validate = fluxValidators.get(`${group}/${version}/${object.kind}`);
    if (!validate)
      return [...problems, `${object.apiVersion} ${object.kind} is not served by Flux ${FLUX_CRDS_VERSION}`];
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
