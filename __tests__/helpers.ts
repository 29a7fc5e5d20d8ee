import { App, TerraformStack, Testing } from "cdktf";
import { readFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import {
  EnvironmentConfig,
  knownEnvironments,
  loadEnvironment,
  mergeSettings,
  parseEnvironmentText,
  readEnvironmentFiles,
} from "../config/load";

export type Json = Record<string, any>;

/** Set as GITLAB_TOKEN for every test: it must never reach synthesized JSON or snapshots. */
export const TOKEN_CANARY = "canary-gitlab-token-7d1e4b";
process.env.GITLAB_TOKEN = TOKEN_CANARY;

/** The committed environments: every stack is snapshotted for each. */
export const ENVIRONMENTS = knownEnvironments();

/** A committed environment with `patch` merged over its file, validated like the real thing. */
export function environment(name = "dev", patch: Json = {}): EnvironmentConfig {
  if (Object.keys(patch).length === 0) return loadEnvironment(name);
  const { env, defaults } = readEnvironmentFiles(name);
  const patched = { ...env, text: stringify(mergeSettings(parse(env.text), patch)) };
  return { ...parseEnvironmentText(patched, defaults), name, file: env.file };
}

/** Synthesizes a stack the way `cdktf synth` does (prepareStack included) and returns its JSON text. */
export function synth(build: (app: App) => TerraformStack): string {
  const app = Testing.app();
  const stack = build(app);
  const outdir = Testing.fullSynth(stack);
  return readFileSync(path.join(outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8");
}

/** The resources of one type in synthesized JSON, by logical name. */
export function resources(json: Json, type: string): Json[] {
  return Object.values(json.resource?.[type] ?? {});
}
