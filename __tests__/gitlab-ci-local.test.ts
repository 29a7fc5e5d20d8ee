import { execFileSync, spawn } from "child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { configuredEnvironments, environmentPipeline, PipelineContext } from "../scripts/environment-pipeline";
import { Json } from "./helpers";

/**
 * `.gitlab-ci.yml` as GitLab's rules engine reads it: gitlab-ci-local (a real GitLab CI
 * emulator, devDependency) evaluates workflow and job rules, `extends`, `parallel:matrix` and
 * `needs` for each pipeline source, in a scratch Git repository. Nothing is skipped: where the
 * emulator cannot run (it needs Node >= 22), the tests fail and say so.
 */
const ROOT = path.join(__dirname, "..");
const GCL = path.join(ROOT, "node_modules", "gitlab-ci-local", "package.json");
const declared = (JSON.parse(readFileSync(GCL, "utf8")) as { bin: string | Record<string, string> }).bin;
const bin = path.join(path.dirname(GCL), typeof declared === "string" ? declared : declared["gitlab-ci-local"]);
// The pipeline's source and ref are what the emulator is told, on purpose.
const QUIET = { GCL_IGNORE_PREDEFINED_VARS: "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_TAG,CI_MERGE_REQUEST_IID" };

const NODE_HINT =
  Number(process.versions.node.split(".")[0]) < 22 ? " (it needs Node >= 22: run the tests as .ci/run does)" : "";

/** The end of the emulator's output: its bundle prints whole minified lines with a stack. */
const tail = (text: string) =>
  text
    .split("\n")
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
    .slice(-15)
    .join("\n");

let repo: string;
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { stdio: "pipe" });
const commitAll = () => {
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "pipeline");
};

function gitlabCiLocal(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...QUIET } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(
            new Error(
              `gitlab-ci-local ${args.join(" ")} failed (exit ${code}) under Node ` +
                `${process.version}${NODE_HINT}:\n${tail(err + out)}`,
            ),
          ),
    );
  });
}

interface Listed {
  name: string;
  when: string;
}
/** The jobs a pipeline gets, with `when` (never-jobs left out), on the ref checked out. */
async function jobsFor(ref: string, variables: Record<string, string>, unset: string[] = []): Promise<string[]> {
  const args = [
    "--list-json",
    ...Object.entries(variables).flatMap(([k, v]) => ["--variable", `${k}=${v}`]),
    ...unset.flatMap((u) => ["--unset-variable", u]),
  ];
  git("checkout", "-q", ref);
  const listed = JSON.parse(await gitlabCiLocal(args)) as Listed[];
  return listed
    .filter((j) => j.when !== "never")
    .map((j) => (j.when === "on_success" ? j.name : `${j.name} (${j.when})`));
}

const VALIDATE = ["test", "cdktn", "gitops-content"];
const CHILD = ["environments", "environment-pipeline"];
const ENVS = configuredEnvironments();

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), "gitlab-ci-local-"));
  copyFileSync(path.join(ROOT, ".gitlab-ci.yml"), path.join(repo, ".gitlab-ci.yml"));
  commitAll();
  git("branch", "feature");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

// The emulator validates .gitlab-ci.yml against GitLab's JSON schema on every listing (~2 s each).
jest.setTimeout(60_000);

describe(".gitlab-ci.yml in gitlab-ci-local", () => {
  test("merge request: validation, then the generated environment pipeline", async () => {
    const jobs = await jobsFor("feature", { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: "7" }, [
      "CI_COMMIT_BRANCH",
    ]);
    expect(jobs).toEqual([...VALIDATE, ...CHILD]);
  });

  test("default branch, another branch, a tag: validation, then the environment pipeline", async () => {
    expect(await jobsFor("main", { CI_PIPELINE_SOURCE: "push" })).toEqual([...VALIDATE, ...CHILD]);
    expect(await jobsFor("feature", { CI_PIPELINE_SOURCE: "push" })).toEqual([...VALIDATE, ...CHILD]);
    expect(
      await jobsFor("main", { CI_PIPELINE_SOURCE: "push", CI_COMMIT_TAG: "v1.2.3" }, ["CI_COMMIT_BRANCH"]),
    ).toEqual([...VALIDATE, ...CHILD]);
  });

  test("schedule: no validation, only the environment pipeline (which rotates)", async () => {
    expect(await jobsFor("main", { CI_PIPELINE_SOURCE: "schedule" })).toEqual(CHILD);
  });
});

/** The child pipeline scripts/environment-pipeline.ts generates for `context`, listed by the emulator. */
async function childJobsFor(context: PipelineContext): Promise<string[]> {
  const parent = parse(readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8"));
  writeFileSync(path.join(repo, ".gitlab-ci.yml"), stringify(environmentPipeline(parent, ENVS, context)));
  git("checkout", "-q", "main");
  git("-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-a", "--allow-empty", "-m", "child");
  return jobsFor("main", {});
}
const each = (f: (env: string) => string[]) => ENVS.flatMap(({ name }) => f(name));

describe("the generated environment pipeline in gitlab-ci-local, per parent pipeline source", () => {
  const main = { defaultBranch: "main" };
  test("merge request: synth and the read-only plan per environment; nothing deploys", async () => {
    expect(await childJobsFor({ ...main, source: "merge_request_event" })).toEqual(
      each((e) => [`synth:${e}`, `plan-review:${e}`]),
    );
  });

  test("default branch: synth, the release plan and the manual deploy per environment", async () => {
    expect(await childJobsFor({ ...main, source: "push", branch: "main" })).toEqual(
      each((e) => [`synth:${e}`, `plan:${e}`, `deploy:${e} (manual)`]),
    );
  });

  test("another branch and a tag: synth only", async () => {
    expect(await childJobsFor({ ...main, source: "push", branch: "feature" })).toEqual(each((e) => [`synth:${e}`]));
    expect(await childJobsFor({ ...main, source: "push" })).toEqual(each((e) => [`synth:${e}`]));
  });

  test("schedule on the default branch: only the token rotation per environment", async () => {
    expect(await childJobsFor({ ...main, source: "schedule", branch: "main" })).toEqual(
      each((e) => [`rotate-commit-status-token:${e}`]),
    );
  });

  test("DESTROY_ENVIRONMENT=dev on the default branch: synth and dev's manual destroy", async () => {
    expect(await childJobsFor({ ...main, source: "web", branch: "main", destroy: "dev" })).toEqual(
      each((e) => (e === "dev" ? [`synth:${e}`, "destroy:dev (manual)"] : [`synth:${e}`])),
    );
  });
});

/**
 * An app repository that includes ci/app.gitlab-ci.yml for dev (every semver tag) and prod
 * (releases only; dev ungated: block_severities none), and releases a second app (worker) to dev.
 */
const APP_PIPELINE = (env: string, extra = "", app = "nginx") => `
  - local: ci/app.gitlab-ci.yml
    inputs:
      environment: ${env}
      aws_region: us-west-2
      ecr_repository_url: 123456789012.dkr.ecr.us-west-2.amazonaws.com/${env}/${app}
      push_role_arn: arn:aws:iam::123456789012:role/flux-${env}-gitlab-push-d09752cb
      flux_receiver_url: https://flux-hook.${env}.example.com/hook/0123
      flux_audience: flux-flux-${env}${extra}`;

describe("ci/app.gitlab-ci.yml, included by an app repository, in gitlab-ci-local", () => {
  let infra: string;
  beforeAll(() => {
    infra = repo;
    repo = mkdtempSync(path.join(tmpdir(), "gitlab-ci-local-app-"));
    cpSync(path.join(ROOT, "ci"), path.join(repo, "ci"), { recursive: true });
    const prodReleasesOnly = "\n      tag_pattern: '/^v?\\d+\\.\\d+\\.\\d+$/'";
    const devUngated = "\n      block_severities: none";
    writeFileSync(
      path.join(repo, ".gitlab-ci.yml"),
      `stages: [build, release]\ninclude:${APP_PIPELINE("dev", devUngated)}${APP_PIPELINE("prod", prodReleasesOnly)}` +
        `${APP_PIPELINE("dev", "\n      job_suffix: -worker", "worker")}\n`,
    );
    commitAll();
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    repo = infra;
  });

  test("a release tag builds, pushes, gates on the scan, wakes Flux in every environment, for every app", async () => {
    expect(await jobsFor("main", { CI_COMMIT_TAG: "v1.2.3" }, ["CI_COMMIT_BRANCH"])).toEqual([
      "image-dev",
      "gate-dev",
      "flux-dev",
      "image-prod",
      "gate-prod",
      "flux-prod",
      "image-dev-worker",
      "gate-dev-worker",
      "flux-dev-worker",
    ]);
  });

  test("a release candidate reaches dev only; a branch push releases nothing", async () => {
    expect(await jobsFor("main", { CI_COMMIT_TAG: "v1.2.4-rc.1" }, ["CI_COMMIT_BRANCH"])).toEqual([
      "image-dev",
      "gate-dev",
      "flux-dev",
      "image-dev-worker",
      "gate-dev-worker",
      "flux-dev-worker",
    ]);
    expect(await jobsFor("main", { CI_PIPELINE_SOURCE: "push" })).toEqual([]);
  });

  test("each job its own ID token: sts.amazonaws.com for the push role, the cluster's audience for Flux", async () => {
    const preview: Json = parse(await gitlabCiLocal(["--preview", "--variable", "CI_COMMIT_TAG=v1.2.3"]));
    expect(preview["image-prod"].id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    expect(preview["image-prod"].variables.AWS_ROLE_ARN).toBe(
      "arn:aws:iam::123456789012:role/flux-prod-gitlab-push-d09752cb",
    );
    expect(preview["image-dev-worker"].variables.ECR_REPOSITORY_URL).toBe(
      "123456789012.dkr.ecr.us-west-2.amazonaws.com/dev/worker",
    );
    expect(preview["flux-dev-worker"].needs).toEqual([expect.objectContaining({ job: "gate-dev-worker" })]);
    expect(preview["flux-prod"].id_tokens).toEqual({ FLUX_ID_TOKEN: { aud: "flux-flux-prod" } });
    expect(preview["flux-prod"].needs).toEqual([expect.objectContaining({ job: "gate-prod" })]);
    expect(preview["flux-prod"].script.join(" ")).toContain("https://flux-hook.prod.example.com/hook/0123");
  });

  test("the gate: after the push, with the push role; CRITICAL blocks unless the environment allows it", async () => {
    const preview: Json = parse(await gitlabCiLocal(["--preview", "--variable", "CI_COMMIT_TAG=v1.2.3"]));
    expect(preview["gate-prod"].needs).toEqual([expect.objectContaining({ job: "image-prod" })]);
    expect(preview["gate-dev-worker"].needs).toEqual([expect.objectContaining({ job: "image-dev-worker" })]);
    expect(preview["gate-prod"].id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    expect(preview["gate-prod"].variables).toMatchObject({
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/flux-prod-gitlab-push-d09752cb",
      ECR_REPOSITORY_URL: "123456789012.dkr.ecr.us-west-2.amazonaws.com/prod/nginx",
      BLOCK_SEVERITIES: "CRITICAL",
    });
    expect(preview["gate-dev"].variables.BLOCK_SEVERITIES).toBe("none");
    expect(preview["gate-prod"].allow_failure).toBeFalsy();
  });

  test("block_severities other than ECR severities or none: the pipeline is refused when it is created", async () => {
    const file = path.join(repo, ".gitlab-ci.yml");
    const shipped = readFileSync(file, "utf8");
    const commit = (content: string) => {
      writeFileSync(file, content);
      git("-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-a", "-m", "inputs");
    };
    commit(shipped.replace("block_severities: none", "block_severities: critical"));
    try {
      await expect(jobsFor("main", { CI_COMMIT_TAG: "v1.2.3" }, ["CI_COMMIT_BRANCH"])).rejects.toThrow(
        /`block_severities` input: `critical` does not match required regex/,
      );
    } finally {
      commit(shipped);
    }
  });
});
