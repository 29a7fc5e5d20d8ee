import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { knownEnvironments } from "../config/load";
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
  job.parallel?.matrix?.flatMap((m: Json) => m.GITOPS_ENV) ??
  (job.variables?.GITOPS_ENV ? [job.variables.GITOPS_ENV] : []);
const scripts = (job: Json): string[] => [
  ...(job.before_script ?? ci.default.before_script ?? []),
  ...(job.script ?? []),
];

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
  test("stages run validate, plan, deploy, then maintenance", () => {
    expect(ci.stages).toEqual(["validate", "plan", "deploy", "maintain"]);
    for (const name of Object.keys(jobs)) expect(ci.stages).toContain(resolved(name).stage);
  });

  test("validate runs on every pipeline but schedules: npm ci, type-check and tests, synth of every environment, the GitOps YAML check", () => {
    const validate = Object.keys(jobs).filter((n) => resolved(n).stage === "validate");
    for (const name of validate)
      expect(resolved(name).rules).toEqual([
        { if: '$CI_PIPELINE_SOURCE == "schedule"', when: "never" },
        { when: "on_success" },
      ]);
    const all = validate.flatMap((n) => scripts(resolved(n)));
    expect(all).toContain("npm ci --no-audit --no-fund");
    expect(all).toContain("npm test"); // tsc --noEmit && jest
    expect(all).toContain("npm run check:gitops");
    const synth = validate.map(resolved).find((j) => scripts(j).includes("npx cdktf synth"))!;
    expect(envsOf(synth).sort()).toEqual(knownEnvironments());
  });

  test("plans: plan files and a summary per environment, kept as artifacts for Developers, shown in the merge request", () => {
    for (const [name, mode] of [
      ["plan-review", "review"],
      ["plan", "release"],
    ]) {
      const plan = resolved(name);
      expect(envsOf(plan).sort()).toEqual(knownEnvironments());
      expect(plan.script).toEqual([`scripts/ci/plan.sh ${mode}`]);
      expect(plan.artifacts).toMatchObject({
        access: "developer",
        paths: ["plans/", "cdktf.out/"],
        expose_as: "terraform plan",
        reports: { terraform: "plans/*.json" },
      });
    }
    // The review plan never gets the environment's variables (GITLAB_TOKEN); the release plan does.
    expect(resolved("plan-review").environment).toBeUndefined();
    expect(resolved("plan").environment).toEqual({ name: "$GITOPS_ENV", action: "prepare" });
  });

  test("deploy: default branch, manual, GitLab environments, one at a time, applies the plan job's files, prod after dev", () => {
    const deploys = Object.keys(jobs).filter((n) => resolved(n).stage === "deploy");
    expect(deploys.sort()).toEqual(
      knownEnvironments()
        .map((e) => `deploy-${e}`)
        .sort(),
    );
    for (const name of deploys) {
      const job = resolved(name);
      expect(job.rules.at(-1)).toEqual({ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" });
      expect(job.environment.name).toBe("$GITOPS_ENV");
      expect(job.resource_group).toBe("$GITOPS_ENV");
      expect(job.interruptible).toBe(false);
      expect(job.script).toEqual(["scripts/ci/apply.sh"]);
      expect(job.needs).toContainEqual({
        job: "plan",
        parallel: { matrix: [{ GITOPS_ENV: job.variables.GITOPS_ENV }] },
      });
    }
    expect(resolved("deploy-prod").needs).toContain("deploy-dev");
  });

  test("AWS only through ID tokens: every job that runs Terraform against AWS has one, and no AWS key is named anywhere", () => {
    for (const name of ["plan-review", "plan", "deploy-dev", "deploy-prod", "rotate-commit-status-token", "destroy"]) {
      expect(resolved(name).id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    }
    expect(ciText).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });

  test("GITLAB_TOKEN reaches only jobs with an environment on the default branch", () => {
    for (const name of Object.keys(jobs)) {
      const job = resolved(name);
      if (!job.environment) continue;
      const rules: Json[] = job.rules;
      expect({
        name,
        onDefaultBranchOnly: rules
          .filter((r) => r.when !== "never")
          .every((r) => /\$CI_COMMIT_BRANCH == \$CI_DEFAULT_BRANCH/.test(r.if)),
      }).toEqual({ name, onDefaultBranchOnly: true });
    }
  });

  test("no job echoes a secret or traces its shell", () => {
    const secret =
      /\$\{?(GITLAB_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|CI_JOB_TOKEN|TF_HTTP_PASSWORD|AWS_ID_TOKEN|FLUX_ID_TOKEN)\b/;
    for (const name of Object.keys(jobs)) {
      for (const line of scripts(resolved(name))) {
        expect({ job: name, line, echoes: /\b(echo|printf|cat)\b/.test(line) && secret.test(line) }).toEqual({
          job: name,
          line,
          echoes: false,
        });
        expect(line).not.toMatch(/set -[a-z]*x|--debug/);
      }
    }
    // The one place an ID token is written: the web-identity file, created private.
    const writes = ciText
      .split("\n")
      .filter((l) => /\b(echo|printf|cat)\b/.test(l) && secret.test(l))
      .map((l) => l.replace(/^\s*(- )?/, ""));
    expect(new Set(writes)).toEqual(new Set(['printf \'%s\' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"']));
    expect(ciText).not.toMatch(/set -[a-z]*x/);
    expect(JSON.stringify(ci)).not.toMatch(/glpat-|AKIA[0-9A-Z]{16}/);
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
