import { readFileSync } from "fs";
import * as path from "path";
import { stringify, parse } from "yaml";
import { CONFIG_DIR, knownEnvironments, loadEnvironment } from "../config/load";

/**
 * The per-environment half of the GitLab pipeline, generated from config/environments/ so that
 * a new environment file is picked up with no other edit: `synth:<env>` on every pipeline but
 * schedules, `plan-review:<env>` on merge requests, `plan:<env>` and `deploy:<env>` (manual,
 * applying plan:<env>'s plan files) on the default branch, `rotate-commit-status-token:<env>` on
 * schedules, `destroy:<env>` when DESTROY_ENVIRONMENT names it. Environments
 * are independent (each has its own GitOps repository), so no deploy waits for another: promote
 * by running dev's deploy, checking it, then prod's.
 *
 * The parent pipeline (.gitlab-ci.yml) runs `npm run -s pipeline > environments.gitlab-ci.yml`
 * and triggers the result as a child pipeline. Which jobs exist is decided here, from the
 * parent's CI_PIPELINE_SOURCE and branch, because in a child pipeline CI_PIPELINE_SOURCE is
 * always `parent_pipeline`. Variables, defaults and the `.terraform` and `.aws-oidc` templates are copied from
 * .gitlab-ci.yml, so they are written once.
 * https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#dynamic-child-pipelines
 */
export interface PipelineEnvironment {
  readonly name: string;
}

/** What the parent pipeline runs for. */
export interface PipelineContext {
  /** CI_PIPELINE_SOURCE of the parent pipeline. */
  readonly source?: string;
  /** CI_COMMIT_BRANCH (unset in merge request pipelines). */
  readonly branch?: string;
  /** CI_DEFAULT_BRANCH. */
  readonly defaultBranch?: string;
  /** DESTROY_ENVIRONMENT: a pipeline started to destroy that environment (README "Destroy"). */
  readonly destroy?: string;
}

type Job = Record<string, unknown>;

/** Plan artifacts: plan files hold what state holds, so only Developers and above may download them. */
const planArtifacts = (name: string, kind: string) => ({
  name: `${kind}-${name}`,
  access: "developer",
  paths: ["plans/", "cdktf.out/"],
  exclude: ["cdktf.out/**/.terraform/**/*"],
  expose_as: `terraform plan ${name}`,
  reports: { terraform: "plans/*.json" },
  expire_in: "1 week",
});

/**
 * Jobs that reach AWS carry `.aws-oidc` (an ID token; scripts/ci/aws-oidc.sh assumes the role);
 * jobs with an `environment` get that environment's GITLAB_TOKEN, so only default-branch jobs
 * have one (README "Delivery with GitLab CI").
 */
export function environmentPipeline(parent: Job, environments: PipelineEnvironment[], context: PipelineContext): Job {
  const mergeRequest = context.source === "merge_request_event";
  const schedule = context.source === "schedule";
  const defaultBranch = Boolean(context.branch) && context.branch === context.defaultBranch;
  const release = defaultBranch && !schedule && !context.destroy;

  const child: Job = {
    variables: parent.variables,
    default: parent.default,
    stages: ["synth", "plan", "deploy", "maintain"],
    ".terraform": parent[".terraform"],
    ".aws-oidc": parent[".aws-oidc"],
  };
  for (const { name } of environments) {
    const variables = { GITOPS_ENV: name };
    if (!schedule) {
      child[`synth:${name}`] = {
        stage: "synth",
        variables,
        script: ["npx cdktf synth"],
        artifacts: { name: `synth-${name}`, paths: ["cdktf.out/"], expire_in: "1 week" },
      };
    }
    if (mergeRequest) {
      // The read-only plan role, core only: no GITLAB_TOKEN and no cluster access here.
      child[`plan-review:${name}`] = {
        stage: "plan",
        extends: [".terraform", ".aws-oidc"],
        needs: [`synth:${name}`],
        variables,
        script: ["scripts/ci/plan.sh review"],
        artifacts: planArtifacts(name, "plan-review"),
      };
    }
    if (release) {
      // The plan files deploy:<env> applies unchanged; the deploy role, the environment's token.
      child[`plan:${name}`] = {
        stage: "plan",
        extends: [".terraform", ".aws-oidc"],
        needs: [`synth:${name}`],
        variables,
        environment: { name, action: "prepare" },
        resource_group: name,
        script: ["scripts/ci/plan.sh release"],
        artifacts: planArtifacts(name, "plan"),
      };
      child[`deploy:${name}`] = {
        stage: "deploy",
        extends: [".terraform", ".aws-oidc"],
        needs: [`plan:${name}`],
        when: "manual",
        interruptible: false,
        // Two deploys never run at once on one environment; state locking is the second guard.
        resource_group: name,
        variables,
        environment: { name },
        script: ["scripts/ci/apply.sh"],
      };
    }
    if (schedule && defaultBranch) {
      child[`rotate-commit-status-token:${name}`] = {
        stage: "maintain",
        extends: [".terraform", ".aws-oidc"],
        interruptible: false,
        resource_group: name,
        variables,
        environment: { name, action: "prepare" },
        script: ["scripts/ci/rotate-token.sh"],
      };
    }
    if (defaultBranch && !schedule && context.destroy === name) {
      child[`destroy:${name}`] = {
        stage: "maintain",
        extends: [".terraform", ".aws-oidc"],
        when: "manual",
        interruptible: false,
        resource_group: name,
        variables: { ...variables, DESTROY_ENVIRONMENT: name },
        environment: { name, action: "stop" },
        script: ["scripts/ci/destroy.sh"],
      };
    }
  }
  return child;
}

/** The environments in a configuration folder, each validated as synth would. */
export function configuredEnvironments(configDir: string = CONFIG_DIR): PipelineEnvironment[] {
  return knownEnvironments(configDir).map((name) => {
    loadEnvironment(name, configDir);
    return { name };
  });
}

if (require.main === module) {
  const parent = parse(readFileSync(path.join(__dirname, "..", ".gitlab-ci.yml"), "utf8"));
  const context = {
    source: process.env.CI_PIPELINE_SOURCE,
    branch: process.env.CI_COMMIT_BRANCH,
    defaultBranch: process.env.CI_DEFAULT_BRANCH,
    destroy: process.env.DESTROY_ENVIRONMENT,
  };
  const child = environmentPipeline(parent, configuredEnvironments(), context);
  process.stdout.write(
    `# Generated by scripts/environment-pipeline.ts from config/environments/; do not edit.\n${stringify(child)}`,
  );
}
