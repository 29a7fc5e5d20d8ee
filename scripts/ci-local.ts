import { spawnSync } from "child_process";
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { configuredEnvironments, environmentPipeline } from "./environment-pipeline";

/**
 * Runs the pipeline's jobs that need no cloud for real, in gitlab-ci-local's shell executor, each
 * in its own copy of the repository (--shell-isolation, which needs rsync): the parent's
 * `gitops-content` and `environments`, then the generated child pipeline's `synth:<env>` jobs.
 * About 1.5 minutes, mostly `npm ci`; not part of `npm test` for that reason.
 */
const ROOT = path.join(__dirname, "..");
const run = (args: string[]) => {
  const result = spawnSync(
    process.execPath,
    [require.resolve("gitlab-ci-local"), "--force-shell-executor", "--shell-isolation", ...args],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(["gitops-content", "environments"]);
const parent = parse(readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8"));
const envs = configuredEnvironments();
const child = environmentPipeline(parent, envs, { source: "push", branch: "main", defaultBranch: "main" });
mkdirSync(path.join(ROOT, ".gitlab-ci-local"), { recursive: true });
writeFileSync(path.join(ROOT, ".gitlab-ci-local", "child.gitlab-ci.yml"), stringify(child));
run(["--file", ".gitlab-ci-local/child.gitlab-ci.yml", ...envs.map((e) => `synth:${e.name}`)]);
