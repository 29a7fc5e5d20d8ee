import { execFile } from "child_process";
import { existsSync, readFileSync, rmSync } from "fs";
import * as path from "path";
import { promisify } from "util";
import { configWithStaging } from "./helpers";

// "Adding an environment is one new file" (README "Environments and promotion"): a staging.yaml
// beside dev's and prod's, nothing else edited, and the app synthesizes it and the render check
// builds it alone and together with the others. The pipeline side is in gitlab-ci.test.ts.
const ROOT = path.join(__dirname, "..");
const run = promisify(execFile);

describe("a third environment is one new file", () => {
  const dir = configWithStaging();
  const out = path.join(dir, "cdktf.out");
  const env = { ...process.env, GITOPS_CONFIG_DIR: dir, CHECKPOINT_DISABLE: "1" };
  const node = (script: string, extra: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, ["-r", path.join(ROOT, "scripts", "register.js"), path.join(ROOT, script)], {
      cwd: ROOT,
      env: { ...env, ...extra },
    });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("main.ts synthesizes its core, bootstrap and ci stacks", async () => {
    await node("main.ts", { GITOPS_ENV: "staging", CDKTF_OUTDIR: out });
    for (const stack of ["core", "bootstrap", "ci"]) {
      expect(existsSync(path.join(out, "stacks", stack, "cdk.tf.json"))).toBe(true);
    }
    const core = JSON.parse(readFileSync(path.join(out, "stacks", "core", "cdk.tf.json"), "utf8"));
    expect(Object.values(core.resource.aws_eks_cluster).map((c) => (c as { name: string }).name)).toEqual([
      "flux-staging",
    ]);
  }, 60_000);

  test("the render check builds it alone and with dev and prod", async () => {
    const { stdout } = await node("scripts/check-gitops.ts");
    for (const name of ["dev", "prod", "staging"]) expect(stdout).toMatch(new RegExp(`, ${name}: \\d+ objects`));
    expect(stdout).toContain("render check: every scenario renders and validates");
  }, 120_000);
});
