import { App, TerraformStack, Testing } from "cdktf";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import {
  CONFIG_DIR,
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

/**
 * The shipped example environments: each stack is snapshotted for these. An environment a team
 * adds is checked by every invariant, render and security test, but needs no snapshot, so adding
 * one stays a one-file change.
 */
export const SNAPSHOT_ENVIRONMENTS = ["dev", "prod"].filter((e) => ENVIRONMENTS.includes(e));

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

/**
 * Three apps, merged over the shipped nginx (a team-kept folder base): two generated bases in
 * namespaces of their own, with their own ports, ranges, replicas and release projects.
 */
export const THREE_APPS: Json = {
  api: {
    namespace: "payments",
    port: 3000,
    replicas: 2,
    semverRange: "^1.2",
    project: "my-group/api",
    healthPath: "/healthz",
    memory: "256Mi",
  },
  worker: {
    namespace: "jobs",
    semverRange: ">=0.1.0-0 <1.0.0",
    project: "my-group/worker",
    runAsUser: 10001,
    writablePaths: ["/tmp", "/var/cache/worker"],
  },
};

/** `count` generated apps (app-01, ...), spread over three namespaces and two release projects. */
export function manyApps(count: number): Json {
  return Object.fromEntries(
    Array.from({ length: count }, (_v, i) => [
      `app-${String(i + 1).padStart(2, "0")}`,
      { namespace: `team-${i % 3}`, port: 8080 + i, project: `my-group/team-${i % 2}`, semverRange: `${i}.x` },
    ]),
  );
}

/**
 * A copy of the configuration (defaults.yaml and environments/) in a temporary folder, with a third
 * environment added as a team would add one: `staging.yaml`, prod's file with its names and VPC
 * range moved. "Adding an environment is one new file"; the caller removes the folder.
 */
export function configWithStaging(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "config-staging-"));
  cpSync(path.join(CONFIG_DIR, "defaults.yaml"), path.join(dir, "defaults.yaml"));
  cpSync(path.join(CONFIG_DIR, "environments"), path.join(dir, "environments"), { recursive: true });
  const prod = readFileSync(path.join(dir, "environments", "prod.yaml"), "utf8");
  writeFileSync(
    path.join(dir, "environments", "staging.yaml"),
    prod.replace(/prod/g, "staging").replace(/10\.1\./g, "10.2."),
  );
  return dir;
}
