import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { environmentSchema, EnvironmentSettings } from "./schema";

/** The folder holding one `<name>.yaml` per environment; GITOPS_CONFIG_DIR points elsewhere. */
export const ENVIRONMENTS_DIR = process.env.GITOPS_CONFIG_DIR || path.join(__dirname, "environments");
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

/** The environment names that have a file in `dir`. */
export function knownEnvironments(dir: string = ENVIRONMENTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/** Reads, parses and validates the environment named by `GITOPS_ENV` (default `dev`). */
export function loadEnvironment(
  name: string = process.env[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT,
  dir: string = ENVIRONMENTS_DIR,
): EnvironmentConfig {
  const known = knownEnvironments(dir);
  if (!ENVIRONMENT_NAME.test(name) || !known.includes(name)) {
    throw new ConfigError([
      `${ENVIRONMENT_VARIABLE}=${name}: unknown environment; known environments: ${known.join(", ") || "(none)"} ` +
        `(one file each in ${path.relative(process.cwd(), dir) || "."}, named like ${ENVIRONMENT_NAME})`,
    ]);
  }
  const file = path.relative(process.cwd(), path.join(dir, `${name}.yaml`));
  return { ...parseEnvironmentText(readFileSync(path.join(dir, `${name}.yaml`), "utf8"), file), name, file };
}

/** Parses and validates one environment file's text; `file` is only used in messages. */
export function parseEnvironmentText(text: string, file: string): EnvironmentSettings {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `${file}: invalid YAML: ${firstLine(e.message)}`),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = environmentSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => describe(file, i, raw)));
  return result.data;
}

function describe(file: string, issue: z.core.$ZodIssue, raw: unknown): string {
  const at = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((k) => `${file}: ${issue.path.length > 0 ? `${at}.` : ""}${k}: unknown key (allowed here: ${allowedKeys(issue.path).join(", ")})`)
      .join("\n");
  }
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined) {
    return `${file}: ${at}: is required (${issue.expected})`;
  }
  if (issue.code === "invalid_union" && issue.path.join(".") === "backend.type") {
    return `${file}: ${at}: must be one of local, s3, gitlab`;
  }
  if (issue.code === "invalid_value") {
    return `${file}: ${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return `${file}: ${at}: ${issue.message}`;
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
