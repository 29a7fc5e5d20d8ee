import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { knownEnvironments } from "../config/load";
import { TERRAFORM } from "../stacks/terraform-settings";
import { Json } from "./helpers";

// The pipeline of this repository, read as GitLab reads it.
const ci: Json = parse(readFileSync(path.join(__dirname, "..", ".gitlab-ci.yml"), "utf8"));
const RESERVED = new Set(["workflow", "stages", "variables", "default", "include"]);
const jobs = Object.fromEntries(Object.entries(ci).filter(([name]) => !RESERVED.has(name) && !name.startsWith(".")));

/** A job with its `extends` templates applied (templates first, the job's own keys last). */
function resolved(name: string): Json {
  const job = ci[name];
  const bases = ([] as string[]).concat(job.extends ?? []).map(resolved);
  return Object.assign({}, ...bases, job);
}
const envsOf = (job: Json): string[] =>
  job.parallel?.matrix?.flatMap((m: Json) => m.GITOPS_ENV) ?? (job.variables?.GITOPS_ENV ? [job.variables.GITOPS_ENV] : []);
const scripts = (job: Json): string[] => [...(job.before_script ?? ci.default.before_script ?? []), ...(job.script ?? [])];

describe(".gitlab-ci.yml", () => {
  test("stages run validate, then plan, then deploy", () => {
    expect(ci.stages).toEqual(["validate", "plan", "deploy"]);
    for (const name of Object.keys(jobs)) expect(ci.stages).toContain(resolved(name).stage);
  });

  test("validate runs on every pipeline: npm ci, type-check and tests, synth of every environment, the GitOps YAML check", () => {
    const validate = Object.keys(jobs).filter((n) => resolved(n).stage === "validate");
    for (const name of validate) expect(resolved(name).rules).toBeUndefined();
    const all = validate.flatMap((n) => scripts(resolved(n)));
    expect(all).toContain("npm ci --no-audit --no-fund");
    expect(all).toContain("npm test"); // tsc --noEmit && jest
    expect(all).toContain("npm run check:gitops");
    const synth = validate.map(resolved).find((j) => scripts(j).includes("npx cdktf synth"))!;
    expect(envsOf(synth).sort()).toEqual(knownEnvironments());
  });

  test("plan: merge requests only, cdktf diff of core and bootstrap per environment, kept as an artifact", () => {
    const plan = resolved("plan");
    expect(plan.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(envsOf(plan).sort()).toEqual(knownEnvironments());
    const script = plan.script.join("\n");
    expect(script).toMatch(/cdktf diff core/);
    expect(script).toMatch(/cdktf diff bootstrap/);
    expect(script.indexOf("diff core")).toBeLessThan(script.indexOf("diff bootstrap"));
    expect(plan.artifacts.paths).toEqual(["plan-*.txt"]);
  });

  test("deploy: default branch, manual, GitLab environments, one at a time per environment, core before bootstrap, prod after dev", () => {
    const deploys = Object.keys(jobs).filter((n) => resolved(n).stage === "deploy");
    expect(deploys.sort()).toEqual(knownEnvironments().map((e) => `deploy-${e}`).sort());
    for (const name of deploys) {
      const job = resolved(name);
      expect(job.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" }]);
      expect(job.environment.name).toBe("$GITOPS_ENV");
      expect(job.resource_group).toBe("$GITOPS_ENV");
      expect(job.interruptible).toBe(false);
      expect(job.script).toEqual(["npx cdktf deploy core --auto-approve", "npx cdktf deploy bootstrap --auto-approve"]);
    }
    expect(resolved("deploy-prod").needs).toEqual(["deploy-dev"]);
    expect(resolved("deploy-dev").needs).toEqual(expect.arrayContaining(["test", "synth"]));
  });

  test("no job echoes a secret or traces its shell", () => {
    const secret = /\$\{?(GITLAB_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|CI_JOB_TOKEN|TF_HTTP_PASSWORD)\b/;
    for (const name of Object.keys(jobs)) {
      for (const line of scripts(resolved(name))) {
        expect({ job: name, line, echoes: /\b(echo|printf|cat)\b/.test(line) && secret.test(line) }).toEqual({ job: name, line, echoes: false });
        expect(line).not.toMatch(/set -[a-z]*x|--debug/);
      }
    }
    expect(JSON.stringify(ci)).not.toMatch(/glpat-|AKIA[0-9A-Z]{16}/);
  });

  test("Node 22 LTS: the image matches engines in package.json", () => {
    const engines = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).engines.node;
    expect(engines).toBe(">=22");
    expect(ci.default.image).toMatch(/^node:22(-|$)/);
  });

  test("Terraform: the tested version, verified against HashiCorp's SHA256SUMS before it is unpacked", () => {
    expect(ci.variables.TERRAFORM_VERSION).toBe(TERRAFORM.tested);
    const install: string[] = ci[".terraform"].before_script;
    const verify = install.findIndex((l) => /SHA256SUMS/.test(l) && /sha256sum -c/.test(l));
    const sums = install.findIndex((l) => /curl .*_SHA256SUMS"/.test(l));
    const unzip = install.findIndex((l) => /unzip .*TF_ZIP/.test(l));
    expect(sums).toBeGreaterThanOrEqual(0);
    expect(verify).toBeGreaterThan(sums);
    expect(unzip).toBeGreaterThan(verify);
  });

  test("provider plugin cache inside the project directory and cached; no checkpoint calls", () => {
    expect(ci.variables.TF_PLUGIN_CACHE_DIR).toBe("$CI_PROJECT_DIR/.terraform-plugin-cache");
    expect(ci.default.cache.flatMap((c: Json) => c.paths)).toContain(".terraform-plugin-cache/");
    expect(ci.variables.CHECKPOINT_DISABLE).toBe("1");
  });

  test("the CDK Terrain route runs on every pipeline", () => {
    const validate = Object.keys(jobs).filter((n) => resolved(n).stage === "validate");
    expect(validate.flatMap((n) => scripts(resolved(n)))).toContain("bash .ci/cdktn-check");
  });
});
