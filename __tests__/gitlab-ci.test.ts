import { spawnSync } from "child_process";
import { readFileSync, rmSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { knownEnvironments } from "../config/load";
import { configuredEnvironments, environmentPipeline, PipelineContext } from "../scripts/environment-pipeline";
import { TERRAFORM } from "../stacks/terraform-settings";
import { configWithStaging, Json } from "./helpers";

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
const SCHEDULE: PipelineContext = { source: "schedule", branch: "main", defaultBranch: "main" };
const DESTROY_DEV: PipelineContext = { source: "web", branch: "main", defaultBranch: "main", destroy: "dev" };
const CONTEXTS = { MERGE_REQUEST, DEFAULT_BRANCH, OTHER_BRANCH, SCHEDULE, DESTROY_DEV };

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

const CI_FILES = [
  "scripts/ci/aws-oidc.sh",
  "scripts/ci/plan.sh",
  "scripts/ci/apply-plan.sh",
  "scripts/ci/apply.sh",
  "scripts/ci/rotate-token.sh",
  "scripts/ci/destroy.sh",
];
const ciText = [".gitlab-ci.yml", "ci/app.gitlab-ci.yml", ...CI_FILES]
  .map((f) => readFileSync(path.join(__dirname, "..", f), "utf8"))
  .join("\n");

describe(".gitlab-ci.yml", () => {
  test("stages: validate, then the environments' child pipeline", () => {
    expect(ci.stages).toEqual(["validate", "environments"]);
    for (const name of Object.keys(jobs)) expect(ci.stages).toContain(resolved(name).stage);
  });

  test("validate, every pipeline: npm ci, tests, the CDK Terrain route, GitOps check, environment jobs", () => {
    const validate = Object.keys(jobs).filter((n) => resolved(n).stage === "validate");
    // Every pipeline but the scheduled ones, which only rotate tokens; the generator always runs.
    for (const name of validate.filter((n) => n !== "environments"))
      expect(resolved(name).rules).toEqual([
        { if: '$CI_PIPELINE_SOURCE == "schedule"', when: "never" },
        { when: "on_success" },
      ]);
    expect(resolved("environments").rules).toBeUndefined();
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
    expect(trigger.needs).toEqual([
      { job: "test", optional: true },
      { job: "cdktn", optional: true },
      { job: "gitops-content", optional: true },
      "environments",
    ]);
    expect(trigger.trigger).toMatchObject({
      include: [{ artifact: "environments.gitlab-ci.yml", job: "environments" }],
      strategy: "depend",
      forward: { yaml_variables: false },
    });
  });
});

describe("the generated environment pipeline (scripts/environment-pipeline.ts)", () => {
  test("every pipeline but schedules: synth of each config/environments/ file, nothing else on other branches", () => {
    const child = childOf(OTHER_BRANCH);
    expect(Object.keys(child).sort()).toEqual(
      knownEnvironments()
        .map((e) => `synth:${e}`)
        .sort(),
    );
    for (const e of knownEnvironments())
      expect(child[`synth:${e}`]).toMatchObject({ variables: { GITOPS_ENV: e }, script: ["npx cdktf synth"] });
  });

  test("merge requests: the read-only plan of every environment into plan files, no environment, no deploy", () => {
    const child = childOf(MERGE_REQUEST);
    expect(Object.keys(child).filter((n) => !n.startsWith("synth:") && !n.startsWith("plan-review:"))).toEqual([]);
    for (const e of knownEnvironments()) {
      const plan = child[`plan-review:${e}`];
      expect(plan).toMatchObject({
        stage: "plan",
        variables: { GITOPS_ENV: e },
        script: ["scripts/ci/plan.sh review"],
      });
      // No environment: the environment-scoped GITLAB_TOKEN never reaches a merge-request pipeline.
      expect(plan.environment).toBeUndefined();
      expect(plan.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
      expect(plan.artifacts).toMatchObject({
        access: "developer",
        paths: ["plans/", "cdktf.out/"],
        expose_as: `terraform plan ${e}`,
        reports: { terraform: "plans/*.json" },
      });
      expect(plan.before_script).toEqual(ci[".terraform"].before_script);
    }
  });

  test("default branch: plan files per environment, applied by a manual deploy, one at a time, each on its own", () => {
    const child = childOf(DEFAULT_BRANCH);
    for (const { name } of configuredEnvironments()) {
      expect(child[`plan:${name}`]).toMatchObject({
        stage: "plan",
        environment: { name, action: "prepare" },
        resource_group: name,
        script: ["scripts/ci/plan.sh release"],
      });
      const job = child[`deploy:${name}`];
      expect(job).toMatchObject({
        stage: "deploy",
        when: "manual",
        interruptible: false,
        resource_group: name,
        environment: { name },
      });
      // Applies the plan job's files, never a new plan.
      expect(job.script).toEqual(["scripts/ci/apply.sh"]);
      // Environments are isolated: no deploy waits for another's (prod deploys alone).
      expect(job.needs).toEqual([`plan:${name}`]);
      for (const j of [job, child[`plan:${name}`]])
        expect(j.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    }
  });

  test("schedule: only the commit-status token rotation of every environment", () => {
    const child = childOf(SCHEDULE);
    expect(Object.keys(child).sort()).toEqual(
      knownEnvironments()
        .map((e) => `rotate-commit-status-token:${e}`)
        .sort(),
    );
    for (const e of knownEnvironments())
      expect(child[`rotate-commit-status-token:${e}`]).toMatchObject({
        script: ["scripts/ci/rotate-token.sh"],
        environment: { name: e, action: "prepare" },
      });
  });

  test("DESTROY_ENVIRONMENT=dev on the default branch: synth and dev's manual destroy, no plan or deploy", () => {
    const child = childOf(DESTROY_DEV);
    expect(Object.keys(child).filter((n) => !n.startsWith("synth:"))).toEqual(["destroy:dev"]);
    expect(child["destroy:dev"]).toMatchObject({
      when: "manual",
      environment: { name: "dev", action: "stop" },
      script: ["scripts/ci/destroy.sh"],
    });
    expect(Object.keys(childOf({ ...DESTROY_DEV, branch: "feature" })).filter((n) => n.startsWith("destroy:"))).toEqual(
      [],
    );
  });

  test("GITLAB_TOKEN reaches only default-branch jobs: no job of another ref has an environment", () => {
    for (const context of [MERGE_REQUEST, OTHER_BRANCH]) {
      for (const [name, job] of Object.entries(childOf(context)))
        expect({ name, environment: job.environment }).toEqual({ name, environment: undefined });
    }
  });

  test("a third environment file is picked up with no other edit", () => {
    const dir = configWithStaging();
    try {
      const envs = configuredEnvironments(dir);
      expect(envs.map((e) => e.name)).toContain("staging");
      const child = childJobs(environmentPipeline(ci, envs, DEFAULT_BRANCH));
      expect(child["synth:staging"].variables).toEqual({ GITOPS_ENV: "staging" });
      expect(child["deploy:staging"]).toMatchObject({ environment: { name: "staging" }, needs: ["plan:staging"] });
      expect(childJobs(environmentPipeline(ci, envs, MERGE_REQUEST))["plan-review:staging"].script).toEqual([
        "scripts/ci/plan.sh review",
      ]);
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
    const secret = new RegExp(
      [
        String.raw`\$\{?(GITLAB_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|CI_JOB_TOKEN`,
        String.raw`|TF_HTTP_PASSWORD|AWS_ID_TOKEN|FLUX_ID_TOKEN)\b`,
      ].join(""),
    );
    const child = Object.assign({}, ...Object.values(CONTEXTS).map(childOf)) as Record<string, Json>;
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
    // The one place an ID token is written: the web-identity file, created private.
    const writes = ciText
      .split("\n")
      .filter((l) => /\b(echo|printf|cat)\b/.test(l) && secret.test(l))
      .map((l) => l.replace(/^\s*(- )?/, ""));
    expect(new Set(writes)).toEqual(new Set([`printf '%s' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`]));
    expect(ciText).not.toMatch(/set -[a-z]*x/);
    // OIDC only: no static AWS key is named in the pipeline, its scripts or the app template.
    expect(ciText).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
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

describe("scripts/ci", () => {
  test.each(CI_FILES)("%s is valid bash and stops at the first error", (file) => {
    const check = spawnSync("bash", ["-n", path.join(__dirname, "..", file)], {
      encoding: "utf8",
    });
    expect(check.stderr).toBe("");
    if (!file.endsWith("aws-oidc.sh"))
      expect(readFileSync(path.join(__dirname, "..", file), "utf8")).toMatch(/^set -euo pipefail$/m);
  });

  test("destroy: GitOps files out of Git, Flux's releases and load balancers gone, then bootstrap, then core", () => {
    const script = readFileSync(path.join(__dirname, "..", "scripts/ci/destroy.sh"), "utf8");
    const at = (s: string) => {
      const i = script.indexOf(s);
      expect({ step: s, found: i >= 0 }).toEqual({ step: s, found: true });
      return i;
    };
    const order = [
      'terraform -chdir="$boot" destroy -input=false -no-color -auto-approve "${files[@]}"',
      "/apis/helm.toolkit.fluxcd.io/v2/helmreleases",
      "s.spec.type === 'LoadBalancer'",
      'terraform -chdir="$boot" destroy -input=false -no-color -auto-approve\n',
      'terraform -chdir="$core" destroy -input=false -no-color -auto-approve',
    ].map(at);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Flux not done pruning: stop before anything else is destroyed.
    expect(script.slice(order[2], order[3])).toMatch(/exit 1/);
  });

  test("rotation applies only the commit-status construct's resources, and prints the expiry", () => {
    const script = readFileSync(path.join(__dirname, "..", "scripts/ci/rotate-token.sh"), "utf8");
    expect(script).toMatch(/startsWith\("bootstrap\/commit-status\/"\)/);
    expect(script).toMatch(/plan .*"\$\{targets\[@\]\}" -out=rotate\.tfplan/);
    expect(script).toMatch(/output -raw commit_status_token_expires_at/);
  });
});
