import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { terraformVersion } from "../../scripts/offline-plan";

// scripts/ci/apply-plan.sh against the real Terraform with a provider-less stack (terraform_data
// is built in), so it runs offline: a reviewed plan is applied; a plan whose state moved is refused.
const SCRIPT = path.join(__dirname, "..", "..", "scripts", "ci", "apply-plan.sh");
const tf = terraformVersion();
if (tf.reason) throw new Error(`apply-plan tests need Terraform: ${tf.reason}`);

let dir: string;
const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
const stack = (input: string) =>
  writeFileSync(
    path.join(dir, "cdk.tf.json"),
    JSON.stringify({
      terraform: { backend: { local: { path: "state.tfstate" } } },
      resource: { terraform_data: { release: { input } } },
    }),
  );
const terraform = (...args: string[]) => {
  const r = spawnSync("terraform", [`-chdir=${dir}`, ...args, "-input=false", "-no-color"], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
};
const applyPlan = () => spawnSync("bash", [SCRIPT, dir], { env, encoding: "utf8" });
const applied = () =>
  JSON.parse(readFileSync(path.join(dir, "state.tfstate"), "utf8")).resources[0].instances[0].attributes.input.value;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "apply-plan-"));
  stack("one");
  terraform("init");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("scripts/ci/apply-plan.sh", () => {
  test("applies the saved plan, as it was planned", () => {
    terraform("plan", "-out=plan.tfplan");
    stack("changed after review"); // the plan file, not the working copy, is what gets applied
    const run = applyPlan();
    expect(run.status).toBe(0);
    expect(applied()).toBe("one");
  });

  test("a plan whose state changed since it was made is refused, with what to do", () => {
    terraform("apply", "-auto-approve");
    stack("two");
    terraform("plan", "-out=plan.tfplan");
    stack("three");
    terraform("apply", "-auto-approve"); // someone deployed in between
    const run = applyPlan();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/STALE PLAN .*Nothing from it was applied\. Run a new pipeline/);
    expect(applied()).toBe("three");
  });

  test("no plan file: nothing is planned on the fly", () => {
    const run = applyPlan();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no plan file/);
  });
});
