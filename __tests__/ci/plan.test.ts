import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

/**
 * scripts/ci/plan.sh and apply.sh decide what is planned and applied; this runs them as the jobs
 * do, in a scratch copy of the project, with stand-ins for Terraform and the cdktf CLI that
 * record their arguments (the real Terraform's part, the saved plan, is tested in
 * apply-plan.test.ts; no cloud is reachable here).
 */
const ROOT = path.join(__dirname, "..", "..");
/** What the stand-in's `show -json` prints: one create, one replace. */
const PLAN_JSON = JSON.stringify({
  resource_changes: [
    { mode: "managed", change: { actions: ["create"] } },
    { mode: "managed", change: { actions: ["delete", "create"] } },
  ],
});
const TERRAFORM = `#!/usr/bin/env bash
echo "$*" >> "$CALLS"
dir="\${1#-chdir=}"; shift
case "$1" in
  init) ;;
  plan) touch "$dir/plan.tfplan"; echo "Plan: 3 to add, 0 to change, 0 to destroy." ;;
  show) if [ "$2" = -json ]; then echo '${PLAN_JSON}'; else echo "readable plan of $dir"; fi ;;
  output) [ -n "\${CORE_EXISTS:-}" ] && echo flux-dev || { echo "No outputs found" >&2; exit 1; } ;;
  apply) echo "Apply complete!" ;;
esac
`;
const NPX = `#!/usr/bin/env bash
[ "$*" = "cdktf synth" ] || exit 9
mkdir -p cdktf.out/stacks/core cdktf.out/stacks/bootstrap
`;

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "plan-sh-"));
  for (const linked of ["scripts", "config", "node_modules", "package.json"])
    symlinkSync(path.join(ROOT, linked), path.join(work, linked));
  mkdirSync(path.join(work, "bin"));
  for (const [name, text] of [
    ["terraform", TERRAFORM],
    ["npx", NPX],
  ]) {
    writeFileSync(path.join(work, "bin", name), text);
    chmodSync(path.join(work, "bin", name), 0o755);
  }
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const run = (script: string, args: string[], extra: Record<string, string> = {}) => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  const env = {
    ...base,
    PATH: `${path.join(work, "bin")}:${process.env.PATH}`,
    CALLS: path.join(work, "calls"),
    GITOPS_ENV: "dev",
    AWS_ID_TOKEN: "stand-in",
    ...extra,
  };
  const result = spawnSync("bash", [`scripts/ci/${script}`, ...args], { cwd: work, env, encoding: "utf8" });
  const calls = existsSync(path.join(work, "calls"))
    ? readFileSync(path.join(work, "calls"), "utf8").trim().split("\n")
    : [];
  return { ...result, calls };
};
const read = (file: string) => readFileSync(path.join(work, file), "utf8");

describe("scripts/ci/plan.sh", () => {
  test("merge request: the plan role, core only, without the lock; bootstrap skipped with the reason", () => {
    const r = run("plan.sh", ["review"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/role\/flux-dev-gitlab-plan/);
    expect(r.calls.filter((c) => c.includes(" plan "))).toEqual([
      "-chdir=cdktf.out/stacks/core plan -input=false -no-color -lock=false -out=plan.tfplan",
    ]);
    expect(read("plans/dev-summary.md")).toMatch(/\*\*core\*\*: 2 to add, 0 to change, 1 to destroy/);
    expect(read("plans/dev-summary.md")).toMatch(
      /\*\*bootstrap\*\*: not planned: merge-request pipelines get neither GITLAB_TOKEN nor cluster access/,
    );
    expect(JSON.parse(read("plans/dev-core.json"))).toMatchObject({ create: 2, update: 0, delete: 1 });
    expect(read("plans/dev-core.txt")).toBe("readable plan of cdktf.out/stacks/core\n");
  });

  test("default branch, no core yet: core planned with deploy role and lock, bootstrap skipped, saying why", () => {
    const r = run("plan.sh", ["release"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/role\/flux-dev-gitlab-deploy/);
    expect(r.calls.filter((c) => c.includes(" plan "))).toEqual([
      "-chdir=cdktf.out/stacks/core plan -input=false -no-color -lock=true -out=plan.tfplan",
    ]);
    expect(r.stdout).toMatch(/bootstrap of dev is not planned: core of dev does not exist yet/);
    expect(read("plans/dev-bootstrap.skipped")).toMatch(/deploy core, then the next pipeline plans bootstrap/);
  });

  test("default branch, core deployed: core then bootstrap, each a plan file", () => {
    const r = run("plan.sh", ["release"], { CORE_EXISTS: "1" });
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.includes(" plan ")).map((c) => c.split(" ")[0])).toEqual([
      "-chdir=cdktf.out/stacks/core",
      "-chdir=cdktf.out/stacks/bootstrap",
    ]);
    expect(existsSync(path.join(work, "cdktf.out/stacks/bootstrap/plan.tfplan"))).toBe(true);
    expect(existsSync(path.join(work, "plans/dev-bootstrap.skipped"))).toBe(false);
  });
});

describe("scripts/ci/apply.sh", () => {
  test("applies core's plan file; a bootstrap the plan job skipped is left for the next pipeline, said plainly", () => {
    run("plan.sh", ["release"]);
    const r = run("apply.sh", []);
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.includes(" apply "))).toEqual([
      "-chdir=cdktf.out/stacks/core apply -input=false -no-color plan.tfplan",
    ]);
    expect(r.stdout).toMatch(/bootstrap of dev was not planned in this pipeline: core of dev does not exist yet/);
  });

  test("applies core's, then bootstrap's plan file, and plans nothing itself", () => {
    run("plan.sh", ["release"], { CORE_EXISTS: "1" });
    rmSync(path.join(work, "calls"));
    const r = run("apply.sh", []);
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => !c.includes(" init "))).toEqual([
      "-chdir=cdktf.out/stacks/core apply -input=false -no-color plan.tfplan",
      "-chdir=cdktf.out/stacks/bootstrap apply -input=false -no-color plan.tfplan",
    ]);
  });
});
