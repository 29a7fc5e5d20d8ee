import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_DIR, knownEnvironments } from "../config/load";
import { configuredEnvironments, environmentPipeline, PipelineContext } from "../scripts/environment-pipeline";
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
const scripts = (job: Json): string[] => [
  ...(job.before_script ?? ci.default.before_script ?? []),
  ...(job.script ?? []),
];

const MERGE_REQUEST: PipelineContext = { source: "merge_request_event", defaultBranch: "main" };
const DEFAULT_BRANCH: PipelineContext = { source: "push", branch: "main", defaultBranch: "main" };
const OTHER_BRANCH: PipelineContext = { source: "push", branch: "feature", defaultBranch: "main" };

/** The generated child pipeline's jobs (hidden templates and keywords left out), `extends` applied. */
function childJobs(child: Json): Record<string, Json> {
  const resolve = (name: string): Json => {
    const job = child[name];
    const bases = ([] as string[]).concat(job.extends ?? []).map(resolve);
    return Object.assign({}, ...bases, job);
  };
  return Object.fromEntries(
    Object.keys(child)
      .filter((n) => !RESERVED.has(n) && !n.startsWith("."))
      .map((n) => [n, resolve(n)]),
  );
}
const childOf = (context: PipelineContext) => childJobs(environmentPipeline(ci, configuredEnvironments(), context));

describe(".gitlab-ci.yml", () => {
  test("stages: validate, then the environments' child pipeline", () => {
    expect(ci.stages).toEqual(["validate", "environments"]);
    for (const name of Object.keys(jobs)) expect(ci.stages).toContain(resolved(name).stage);
  });

  test("validate, every pipeline: npm ci, tests, the CDK Terrain route, GitOps check, environment jobs", () => {
    const validate = Object.keys(jobs).filter((n) => resolved(n).stage === "validate");
    for (const name of validate) expect(resolved(name).rules).toBeUndefined();
    const all = validate.flatMap((n) => scripts(resolved(n)));
    expect(all).toEqual(
      expect.arrayContaining([
        "npm ci --no-audit --no-fund",
        "npm test",
        "bash .ci/cdktn-check",
        "npm run check:gitops",
        "npm run -s pipeline > environments.gitlab-ci.yml",
      ]),
    );
    expect(resolved("environments").artifacts.paths).toEqual(["environments.gitlab-ci.yml"]);
  });

  test("the generated pipeline is triggered after validate, and the parent waits for it", () => {
    const trigger = ci["environment-pipeline"];
    expect(trigger.needs).toEqual(expect.arrayContaining(["test", "cdktn", "gitops-content", "environments"]));
    expect(trigger.trigger).toMatchObject({
      include: [{ artifact: "environments.gitlab-ci.yml", job: "environments" }],
      strategy: "depend",
      forward: { yaml_variables: false },
    });
  });
});

describe("the generated environment pipeline (scripts/environment-pipeline.ts)", () => {
  test("every pipeline: synth of every environment in config/environments/, and nothing else on other branches", () => {
    const child = childOf(OTHER_BRANCH);
    expect(Object.keys(child).sort()).toEqual(
      knownEnvironments()
        .map((e) => `synth:${e}`)
        .sort(),
    );
    for (const e of knownEnvironments())
      expect(child[`synth:${e}`]).toMatchObject({ variables: { GITOPS_ENV: e }, script: ["npx cdktf synth"] });
  });

  test("merge requests: cdktf diff of core then bootstrap per environment, kept as an artifact; no deploy", () => {
    const child = childOf(MERGE_REQUEST);
    expect(Object.keys(child).filter((n) => n.startsWith("deploy:"))).toEqual([]);
    for (const e of knownEnvironments()) {
      const plan = child[`plan:${e}`];
      expect(plan).toMatchObject({
        stage: "plan",
        environment: { name: e, action: "prepare" },
        variables: { GITOPS_ENV: e },
      });
      const script = plan.script.join("\n");
      expect(script.indexOf("cdktf diff core")).toBeGreaterThanOrEqual(0);
      expect(script.indexOf("cdktf diff core")).toBeLessThan(script.indexOf("cdktf diff bootstrap"));
      expect(plan.artifacts.paths).toEqual(["plan-*.txt"]);
      expect(plan.before_script).toEqual(ci[".terraform"].before_script);
    }
  });

  test("default branch: manual deploys, one at a time, core before bootstrap, each environment on its own", () => {
    const child = childOf(DEFAULT_BRANCH);
    for (const { name } of configuredEnvironments()) {
      const job = child[`deploy:${name}`];
      expect(job).toMatchObject({
        stage: "deploy",
        when: "manual",
        interruptible: false,
        resource_group: name,
        environment: { name },
      });
      expect(job.script).toEqual(["npx cdktf deploy core --auto-approve", "npx cdktf deploy bootstrap --auto-approve"]);
      // Environments are isolated: no deploy waits for another's (prod deploys alone).
      expect(job.needs).toEqual([`synth:${name}`]);
    }
  });

  test("a third environment file is picked up with no other edit", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "config-"));
    try {
      mkdirSync(path.join(dir, "environments"));
      copyFileSync(path.join(CONFIG_DIR, "defaults.yaml"), path.join(dir, "defaults.yaml"));
      for (const f of readdirSync(path.join(CONFIG_DIR, "environments")))
        copyFileSync(path.join(CONFIG_DIR, "environments", f), path.join(dir, "environments", f));
      const prod = readFileSync(path.join(CONFIG_DIR, "environments", "prod.yaml"), "utf8");
      writeFileSync(
        path.join(dir, "environments", "staging.yaml"),
        prod.replace(/prod/g, "staging").replace(/10\.1\./g, "10.2."),
      );

      const envs = configuredEnvironments(dir);
      expect(envs.map((e) => e.name)).toContain("staging");
      const child = childJobs(environmentPipeline(ci, envs, DEFAULT_BRANCH));
      expect(child["synth:staging"].variables).toEqual({ GITOPS_ENV: "staging" });
      expect(child["deploy:staging"]).toMatchObject({ environment: { name: "staging" }, needs: ["synth:staging"] });
      expect(childJobs(environmentPipeline(ci, envs, MERGE_REQUEST))["plan:staging"].environment).toEqual({
        name: "staging",
        action: "prepare",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the child declares the parent's variables and defaults itself, and its jobs exist in its stages", () => {
    const child = environmentPipeline(ci, configuredEnvironments(), {
      ...DEFAULT_BRANCH,
      source: "merge_request_event",
    });
    expect(child.variables).toEqual(ci.variables);
    expect(child.default).toEqual(ci.default);
    for (const job of Object.values(childJobs(child))) expect(child.stages).toContain(job.stage);
  });

  test("no job, parent or child, echoes a secret or traces its shell", () => {
    const secret =
      /\$\{?(GITLAB_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|CI_JOB_TOKEN|TF_HTTP_PASSWORD)\b/;
    const child = { ...childOf(MERGE_REQUEST), ...childOf(DEFAULT_BRANCH) };
    const all: [string, Json][] = [
      ...Object.keys(jobs).map((n) => [n, resolved(n)] as [string, Json]),
      ...Object.entries(child),
    ];
    for (const [name, job] of all) {
      for (const line of scripts(job)) {
        expect({ job: name, line, echoes: /\b(echo|printf|cat)\b/.test(line) && secret.test(line) }).toEqual({
          job: name,
          line,
          echoes: false,
        });
        expect(line).not.toMatch(/set -[a-z]*x|--debug/);
      }
    }
    expect(JSON.stringify(ci)).not.toMatch(/glpat-|AKIA[0-9A-Z]{16}/);
  });
});

describe(".gitlab-ci.yml toolchain", () => {
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
