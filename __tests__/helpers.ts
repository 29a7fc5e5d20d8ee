import { App, TerraformStack, Testing } from "cdktf";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { EnvironmentConfig, ENVIRONMENTS_DIR, knownEnvironments, loadEnvironment } from "../config/load";
import { environmentSchema } from "../config/schema";

export type Json = Record<string, any>;

/** The committed environments: every stack is snapshotted for each. */
export const ENVIRONMENTS = knownEnvironments();

/** A committed environment with `patch` deep-merged into its file, validated like the real thing. */
export function environment(name = "dev", patch: Json = {}): EnvironmentConfig {
  if (Object.keys(patch).length === 0) return loadEnvironment(name, ENVIRONMENTS_DIR);
  const raw = parse(readFileSync(path.join(ENVIRONMENTS_DIR, `${name}.yaml`), "utf8"));
  return { ...environmentSchema.parse(merge(raw, patch)), name, file: `${name}.yaml` };
}

function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const isObject = value && typeof value === "object" && !Array.isArray(value);
    out[key] = isObject && base[key] && typeof base[key] === "object" ? merge(base[key], value) : value;
  }
  return out;
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
