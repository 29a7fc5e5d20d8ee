import { readdirSync, statSync } from "fs";
import * as path from "path";
import { describeIssue, valueAt } from "./describe";
import { ConfigError } from "./errors";
import { environmentSchema, EnvironmentSettings } from "./schema";
import { showKey } from "./text";
import { ConfigText, parseConfigYaml, readConfigFile } from "./yaml-file";

export { ConfigError } from "./errors";
export type { ConfigText } from "./yaml-file";

/** Where configuration lives: `defaults.yaml` and `environments/<name>.yaml`. GITOPS_CONFIG_DIR points elsewhere. */
export const CONFIG_DIR = process.env.GITOPS_CONFIG_DIR || __dirname;
/** The environment variable that selects the environment. */
export const ENVIRONMENT_VARIABLE = "GITOPS_ENV";
export const DEFAULT_ENVIRONMENT = "dev";
// The name reaches state paths, S3 keys and Kubernetes labels: keep it a short DNS label.
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/;

/** A validated environment: its settings plus where they came from. */
export interface EnvironmentConfig extends EnvironmentSettings {
  /** The environment's name: the file name without `.yaml`. */
  readonly name: string;
  /** The file it was read from, relative to the working directory (for messages). */
  readonly file: string;
}

const relative = (f: string) => path.relative(process.cwd(), f);

/** The environment names that have a file in `<configDir>/environments`. */
export function knownEnvironments(configDir: string = CONFIG_DIR): string[] {
  const dir = path.join(configDir, "environments");
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new ConfigError([`${relative(dir)}: must be a directory of <environment>.yaml files`]);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new ConfigError([
      `${relative(dir)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "I/O error"})`,
    ]);
  }
  return entries
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .filter((name) => ENVIRONMENT_NAME.test(name))
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
  if (!ENVIRONMENT_NAME.test(name) || !known.includes(name)) {
    throw new ConfigError([
      `${ENVIRONMENT_VARIABLE}=${showKey(name)}: unknown environment; known environments: ` +
        `${known.join(", ") || "(none)"} ` +
        `(one file each in ${relative(path.join(configDir, "environments"))}, named like ${ENVIRONMENT_NAME})`,
    ]);
  }
  const files = readEnvironmentFiles(name, configDir);
  return { ...parseEnvironmentText(files.env, files.defaults), name, file: files.env.file };
}

/**
 * The texts of an environment's file and of the shared defaults (when present), named relative to the working
 * directory.
 */
export function readEnvironmentFiles(
  name: string,
  configDir: string = CONFIG_DIR,
): { env: ConfigText; defaults?: ConfigText } {
  const read = (file: string) => readConfigFile(file, relative(file));
  const defaultsFile = path.join(configDir, "defaults.yaml");
  let defaultsExist = true;
  try {
    statSync(defaultsFile);
  } catch {
    defaultsExist = false; // defaults.yaml is optional; any other problem with it is reported by read()
  }
  return {
    env: read(path.join(configDir, "environments", `${name}.yaml`)),
    defaults: defaultsExist ? read(defaultsFile) : undefined,
  };
}

/** Parses, merges and validates an environment file over the shared defaults. */
export function parseEnvironmentText(env: ConfigText, defaults?: ConfigText): EnvironmentSettings {
  const parsed = [env, defaults].map((text) => {
    try {
      return { raw: text ? parseConfigYaml(text) : {}, problems: [] as string[] };
    } catch (error) {
      if (error instanceof ConfigError) return { raw: {}, problems: error.problems };
      throw error;
    }
  });
  // Both files' read and parse problems at once, the defaults first.
  const fileProblems = [...parsed[1].problems, ...parsed[0].problems];
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);
  const [envRaw, defaultsRaw] = [parsed[0].raw, parsed[1].raw];
  const merged = mergeSettings(defaultsRaw, envRaw);
  const result = environmentSchema.safeParse(merged);
  if (result.success) return result.data;
  // A problem belongs to the file that set the key; a missing key, to the environment's file.
  const fileOf = (at: PropertyKey[]) =>
    defaults && valueAt(envRaw, at) === undefined && valueAt(defaultsRaw, at) !== undefined ? defaults.file : env.file;
  throw new ConfigError(result.error.issues.flatMap((i) => describeIssue(i, fileOf, merged)));
}

/**
 * Mappings merge key by key; anything else in `over` replaces what is in `base`, and so does a
 * mapping of another `type` (a `backend: {type: local}` replaces an S3 backend whole).
 * Prototype keys never get here: parseConfigYaml refuses them.
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
