import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { environmentSchema, EnvironmentSettings } from "./schema";

/** Where configuration lives: `defaults.yaml` and `environments/<name>.yaml`. GITOPS_CONFIG_DIR points elsewhere. */
export const CONFIG_DIR = process.env.GITOPS_CONFIG_DIR || __dirname;
/** The environment variable that selects the environment. */
export const ENVIRONMENT_VARIABLE = "GITOPS_ENV";
export const DEFAULT_ENVIRONMENT = "dev";
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/;

/** A validated environment: its settings plus where they came from. */
export interface EnvironmentConfig extends EnvironmentSettings {
  /** The environment's name: the file name without `.yaml`. */
  readonly name: string;
  /** The file it was read from, relative to the working directory (for messages). */
  readonly file: string;
}

/** Invalid configuration: `problems` holds one line per problem, each naming file and key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

/** One configuration file's text and the name to use for it in messages. */
export interface ConfigText {
  readonly text: string;
  readonly file: string;
}

/** The environment names that have a file in `<configDir>/environments`. */
export function knownEnvironments(configDir: string = CONFIG_DIR): string[] {
  const dir = path.join(configDir, "environments");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/**
 * Reads, merges and validates the environment named by GITOPS_ENV (default `dev`): the shared
 * `defaults.yaml` first, the environment's own file over it (objects merge, lists replace).
 */
export function loadEnvironment(
  name: string = process.env[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT,
  configDir: string = CONFIG_DIR,
): EnvironmentConfig {
  const known = knownEnvironments(configDir);
  const relative = (f: string) => path.relative(process.cwd(), f);
  if (!ENVIRONMENT_NAME.test(name) || !known.includes(name)) {
    throw new ConfigError([
      `${ENVIRONMENT_VARIABLE}=${name}: unknown environment; known environments: ${known.join(", ") || "(none)"} ` +
        `(one file each in ${relative(path.join(configDir, "environments"))}, named like ${ENVIRONMENT_NAME})`,
    ]);
  }
  const files = readEnvironmentFiles(name, configDir);
  return { ...parseEnvironmentText(files.env, files.defaults), name, file: files.env.file };
}

/** The texts of an environment's file and of the shared defaults (when present), named relative to the working directory. */
export function readEnvironmentFiles(name: string, configDir: string = CONFIG_DIR): { env: ConfigText; defaults?: ConfigText } {
  const read = (file: string): ConfigText => ({ text: readFileSync(file, "utf8"), file: path.relative(process.cwd(), file) });
  const defaultsFile = path.join(configDir, "defaults.yaml");
  return {
    env: read(path.join(configDir, "environments", `${name}.yaml`)),
    defaults: existsSync(defaultsFile) ? read(defaultsFile) : undefined,
  };
}

/** Parses, merges and validates an environment file over the shared defaults. */
export function parseEnvironmentText(env: ConfigText, defaults?: ConfigText): EnvironmentSettings {
  const envRaw = parseYaml(env);
  const defaultsRaw = defaults ? parseYaml(defaults) : {};
  const merged = mergeSettings(defaultsRaw, envRaw);
  const result = environmentSchema.safeParse(merged);
  if (result.success) return result.data;
  // A problem belongs to the file that set the key; a missing key, to the environment's file.
  const fileOf = (at: PropertyKey[]) =>
    defaults && valueAt(envRaw, at) === undefined && valueAt(defaultsRaw, at) !== undefined ? defaults.file : env.file;
  throw new ConfigError(result.error.issues.flatMap((i) => describe(i, fileOf, merged)));
}

function parseYaml({ text, file }: ConfigText): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}: invalid YAML: ${firstLine(e.message)}`));
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError([`${file}: must be a mapping of settings (key: value), not a list or a scalar`]);
  }
  return value as Record<string, unknown>;
}

/**
 * Mappings merge key by key; anything else in `over` replaces what is in `base`, and so does a
 * mapping of another `type` (a `backend: {type: local}` replaces an S3 backend whole).
 */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const typeOf = (v: unknown) => (v as { type?: unknown }).type;
    const both = isMapping(value) && isMapping(base[key]) && typeOf(value) === typeOf(base[key]);
    out[key] = both ? mergeSettings(base[key] as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

function isMapping(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(issue: z.core.$ZodIssue, fileOf: (at: PropertyKey[]) => string, raw: unknown): string[] {
  const at = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  const file = fileOf(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => {
      const keyPath = [...issue.path, k];
      const allowed = allowedKeys(issue.path);
      return `${fileOf(keyPath)}: ${keyPath.join(".")}: unknown key${allowed.length ? ` (allowed here: ${allowed.join(", ")})` : ""}`;
    });
  }
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined) {
    return [`${file}: ${at}: is required (${issue.expected})`];
  }
  if (issue.code === "invalid_union" && issue.path.join(".") === "backend.type") {
    return [`${file}: ${at}: must be one of local, s3, gitlab`];
  }
  if (issue.code === "invalid_value") {
    return [`${file}: ${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`];
  }
  return [`${file}: ${at}: ${issue.message}`];
}

/** The keys the schema allows at an object path, for the "unknown key" message. */
function allowedKeys(at: PropertyKey[]): string[] {
  let node: z.ZodType = environmentSchema;
  for (const key of at) node = unwrap(node).shape?.[key as string] ?? node;
  return Object.keys(unwrap(node).shape ?? {});
}

function unwrap(node: z.ZodType): { shape?: Record<string, z.ZodType> } {
  let current = node as z.ZodType & { def: { innerType?: z.ZodType; in?: z.ZodType; schema?: z.ZodType } };
  for (;;) {
    const def = current.def;
    const next = def.innerType ?? def.in ?? def.schema;
    if (!next || "shape" in current) return current as { shape?: Record<string, z.ZodType> };
    current = next as typeof current;
  }
}

function valueAt(raw: unknown, at: PropertyKey[]): unknown {
  return at.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], raw);
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
