import { parseAllDocuments } from "yaml";
import type { K8sObject } from "./committed";

/**
 * SOPS as Flux's kustomize-controller meets it (fluxcd/kustomize-controller internal/decryptor):
 * an object is SOPS-encrypted when it has a `sops` block with a `mac`; with `decryption.provider:
 * sops` the controller decrypts it after the build, and without it refuses to apply an encrypted
 * Secret ("configuring decryption is required"). The check cannot decrypt (no KMS), so it checks
 * the shape: every value SOPS encrypts is an `ENC[AES256_GCM,...]` envelope, and the decrypted
 * object (values stood in for) must pass the schema like any other.
 */

/** One value as SOPS writes it (getsops/sops aes/cipher.go): AES-256-GCM data, IV, tag and the value's type. */
export const SOPS_VALUE = new RegExp(
  [
    String.raw`^ENC\[AES256_GCM,data:[A-Za-z0-9+/]*={0,2},iv:[A-Za-z0-9+/]+={0,2},tag:[A-Za-z0-9+/]+={0,2},`,
    String.raw`type:(str|int|float|bool|bytes)\]$`,
  ].join(""),
);

/** What the check puts where a decrypted value would be. */
export const DECRYPTED_STAND_IN = "decrypted-by-flux";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether kustomize-controller treats the object as SOPS-encrypted: a `sops` block with a `mac`. */
export function isSopsEncrypted(object: unknown): boolean {
  return isObject(object) && isObject(object.sops) && typeof object.sops.mac === "string" && object.sops.mac !== "";
}

/** The Secret values Kubernetes reads: `data` and `stringData`, by key. */
function secretValues(object: Json): [string, unknown][] {
  return (["data", "stringData"] as const).flatMap((field) =>
    Object.entries(isObject(object[field]) ? object[field] : {}).map(([k, v]): [string, unknown] => [
      `${field}.${k}`,
      v,
    ]),
  );
}

/**
 * Why a Secret as committed to Git is not safe there (empty: it is SOPS-encrypted throughout):
 * a Secret without SOPS metadata, or with a value left in clear.
 */
export function secretInGitProblems(object: unknown): string[] {
  if (!isObject(object) || object.kind !== "Secret") return [];
  if (!isSopsEncrypted(object))
    return ['is a Secret in clear: Secrets reach Git only SOPS-encrypted (README "Add a secret")'];
  const sops = object.sops as Json;
  const keys = ["kms", "age", "pgp", "gcp_kms", "azure_kv", "hc_vault"].filter(
    (k) => Array.isArray(sops[k]) && (sops[k] as unknown[]).length > 0,
  );
  const problems: string[] = [];
  if (keys.length === 0) problems.push("has SOPS metadata naming no key (sops.kms, sops.age, ...)");
  if (!SOPS_VALUE.test(String(sops.mac))) problems.push("has a SOPS mac that is not an ENC[AES256_GCM,...] value");
  for (const [key, value] of secretValues(object)) {
    if (typeof value !== "string" || !SOPS_VALUE.test(value))
      problems.push(`${key} is not SOPS-encrypted (an ENC[AES256_GCM,...] value)`);
  }
  return problems;
}

/** Every problem of every Secret in one YAML file as committed, prefixed with the file. */
export function plaintextSecrets(file: string, content: string): string[] {
  const problems: string[] = [];
  parseAllDocuments(content).forEach((doc, i) => {
    const object = doc.toJS() as unknown;
    const name = isObject(object) && isObject(object.metadata) ? String(object.metadata.name) : `document ${i + 1}`;
    for (const p of secretInGitProblems(object)) problems.push(`${file}: Secret ${name} ${p}`);
  });
  return problems;
}

/**
 * The object kustomize-controller applies after decrypting: the `sops` block gone, each
 * encrypted value replaced by a stand-in of its kind (base64 in `data`).
 */
export function decrypt(object: K8sObject): K8sObject {
  const { sops: _sops, ...rest } = object as K8sObject & { sops?: unknown };
  const out = { ...rest } as Json;
  const standIn = { data: Buffer.from(DECRYPTED_STAND_IN).toString("base64"), stringData: DECRYPTED_STAND_IN };
  for (const field of ["data", "stringData"] as const) {
    if (isObject(out[field]))
      out[field] = Object.fromEntries(
        Object.entries(out[field]).map(([k, v]) => [
          k,
          typeof v === "string" && SOPS_VALUE.test(v) ? standIn[field] : v,
        ]),
      );
  }
  return out as K8sObject;
}
