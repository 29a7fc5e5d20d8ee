import { spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ENVIRONMENT_VARIABLE, knownEnvironments } from "../config/load";
import { lockFilePath, MIRROR_PLATFORM } from "../stacks/terraform-settings";
import type { StackId } from "../stacks/state";
import { findProviderMirror } from "./offline-plan";

/**
 * `npm run lock`: writes each stack's provider lock file to locks/<stack>/.terraform.lock.hcl,
 * with checksums for the platforms people and pipelines run on, as `terraform providers lock`
 * computes them from the registry (`zh:` hashes of every platform's archive, `h1:` of the ones
 * downloaded). Run it after changing a provider version, review the diff and commit it.
 *
 * A stack's providers depend on its environment's settings (bootstrap needs `random` only with the
 * webhook), and one lock file serves every
 * environment: each stack is locked for the union of what it requires across the environments.
 *
 * With `--mirror` (no registry, as on the offline development machines) only providers present
 * in the filesystem mirror can be locked, and only for the platforms it holds: a stack with a
 * provider the mirror lacks is skipped and said so.
 */
const PLATFORMS = ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64"];
const STACKS: StackId[] = ["core", "bootstrap", "ci"];

function main(): number {
  const project = path.join(__dirname, "..");
  const useMirror = process.argv.includes("--mirror");
  const mirror = useMirror ? findProviderMirror() : {};
  if (useMirror && !mirror.dir) {
    process.stderr.write(`lock: ${mirror.reason}\n`);
    return 2;
  }
  const outdir = mkdtempSync(path.join(tmpdir(), "lock-synth-"));
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1" };
  try {
    const environments = knownEnvironments();
    for (const name of environments) {
      const synth = spawnSync(
        path.join(project, "node_modules", ".bin", "cdktf"),
        ["synth", "--output", path.join(outdir, name)],
        { cwd: project, env: { ...env, [ENVIRONMENT_VARIABLE]: name }, encoding: "utf8" },
      );
      if (synth.status !== 0) throw new Error(`cdktf synth (${name}) failed:\n${synth.stderr}${synth.stdout}`);
    }
    let failed = 0;
    for (const stack of STACKS) {
      // An environment without a stack (no delivery section: no ci stack) adds nothing to its lock.
      const required = requiredProviders(
        environments.map((e) => path.join(outdir, e, "stacks", stack, "cdk.tf.json")).filter((f) => existsSync(f)),
      );
      // Terraform locks what the configuration in its working folder requires: that union, alone.
      const dir = path.join(outdir, `lock-${stack}`);
      mkdirSync(dir);
      writeFileSync(
        path.join(dir, "providers.tf.json"),
        JSON.stringify({ terraform: { required_providers: required } }, null, 2),
      );
      const sources = Object.values(required).map((p) => p.source);
      const args = ["providers", "lock", "-no-color"];
      if (mirror.dir) {
        const missing = sources.filter((s) => !existsSync(path.join(mirror.dir!, s)));
        if (missing.length) {
          process.stdout.write(`lock: ${stack} skipped: the mirror has no ${missing.join(", ")}\n`);
          continue;
        }
        args.push(`-fs-mirror=${mirror.dir}`, `-platform=${MIRROR_PLATFORM}`);
      } else {
        args.push(...PLATFORMS.map((p) => `-platform=${p}`));
      }
      const lock = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8" });
      if (lock.status !== 0) {
        process.stderr.write(`lock: ${stack} failed:\n${lock.stderr}\n`);
        failed++;
        continue;
      }
      const target = lockFilePath(project, stack);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(path.join(dir, ".terraform.lock.hcl"), target);
      process.stdout.write(`lock: ${path.relative(project, target)} (${sources.join(", ")})\n`);
    }
    return failed ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The providers the stack's synthesized configurations require, together; one version each. */
function requiredProviders(files: string[]): Record<string, { source: string; version: string }> {
  const union: Record<string, { source: string; version: string }> = {};
  for (const file of files) {
    const required = JSON.parse(readFileSync(file, "utf8")).terraform.required_providers as typeof union;
    for (const [name, provider] of Object.entries(required)) {
      const known = union[name];
      if (known && (known.source !== provider.source || known.version !== provider.version))
        throw new Error(
          `${name}: ${known.source} ${known.version} and ${provider.source} ${provider.version} in one stack`,
        );
      union[name] = provider;
    }
  }
  return union;
}

process.exitCode = main();
