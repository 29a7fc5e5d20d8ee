import { spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { lockFilePath } from "../stacks/terraform-settings";
import type { StackId } from "../stacks/state";
import { findProviderMirror } from "./offline-plan";

/**
 * `npm run lock`: writes each stack's provider lock file to locks/<stack>/.terraform.lock.hcl,
 * with checksums for the platforms people and pipelines run on, as `terraform providers lock`
 * computes them from the registry (`zh:` hashes of every platform's archive, `h1:` of the ones
 * downloaded). Run it after changing a provider version, review the diff and commit it.
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
    const synth = spawnSync(path.join(project, "node_modules", ".bin", "cdktf"), ["synth", "--output", outdir], {
      cwd: project,
      env,
      encoding: "utf8",
    });
    if (synth.status !== 0) throw new Error(`cdktf synth failed:\n${synth.stderr}${synth.stdout}`);
    let failed = 0;
    for (const stack of STACKS) {
      const dir = path.join(outdir, "stacks", stack);
      const required = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).terraform
        .required_providers as Record<string, { source: string }>;
      const sources = Object.values(required).map((p) => p.source);
      const args = ["providers", "lock", "-no-color"];
      if (mirror.dir) {
        const missing = sources.filter((s) => !existsSync(path.join(mirror.dir!, s)));
        if (missing.length) {
          process.stdout.write(`lock: ${stack} skipped: the mirror has no ${missing.join(", ")}\n`);
          continue;
        }
        args.push(`-fs-mirror=${mirror.dir}`, "-platform=linux_amd64");
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

process.exitCode = main();
