import { execFileSync, spawn } from "child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
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
              `gitlab-ci-local ${args.join(" ")} failed (exit ${code}) under Node ${process.version}${NODE_HINT}:\n${tail(err + out)}`,
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

const VALIDATE = ["test", "cdktn", "gitops-content", "synth: [dev]", "synth: [prod]"];

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), "gitlab-ci-local-"));
  copyFileSync(path.join(ROOT, ".gitlab-ci.yml"), path.join(repo, ".gitlab-ci.yml"));
  cpSync(path.join(ROOT, "ci"), path.join(repo, "ci"), { recursive: true });
  commitAll();
  git("branch", "feature");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

// The emulator's own checks (JSON schema of .gitlab-ci.yml) run on every listing; sequential
// listings take ~3 s each.
jest.setTimeout(60_000);

describe(".gitlab-ci.yml in gitlab-ci-local", () => {
  test("merge request: validate, then the read-only plan of every environment; nothing deploys", async () => {
    const jobs = await jobsFor("feature", { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: "7" }, [
      "CI_COMMIT_BRANCH",
    ]);
    expect(jobs).toEqual([...VALIDATE, "plan-review: [dev]", "plan-review: [prod]"]);
  });

  test("default branch: validate, the release plan per environment, manual deploys", async () => {
    const jobs = await jobsFor("main", { CI_PIPELINE_SOURCE: "push" });
    expect(jobs).toEqual([...VALIDATE, "plan: [dev]", "plan: [prod]", "deploy-dev (manual)", "deploy-prod (manual)"]);
  });

  test("another branch without a merge request: validate only", async () => {
    expect(await jobsFor("feature", { CI_PIPELINE_SOURCE: "push" })).toEqual(VALIDATE);
  });

  test("tag: validate only", async () => {
    expect(
      await jobsFor("main", { CI_PIPELINE_SOURCE: "push", CI_COMMIT_TAG: "v1.2.3" }, ["CI_COMMIT_BRANCH"]),
    ).toEqual(VALIDATE);
  });

  test("schedule on the default branch: only the commit-status token rotation, per environment", async () => {
    expect(await jobsFor("main", { CI_PIPELINE_SOURCE: "schedule" })).toEqual([
      "rotate-commit-status-token: [dev]",
      "rotate-commit-status-token: [prod]",
    ]);
  });

  test("a destroy run (DESTROY_ENVIRONMENT) on the default branch: validate and the manual destroy, no plan or deploy", async () => {
    expect(await jobsFor("main", { CI_PIPELINE_SOURCE: "web", DESTROY_ENVIRONMENT: "dev" })).toEqual([
      ...VALIDATE,
      "destroy (manual)",
    ]);
  });
});

/** An app repository that includes ci/app.gitlab-ci.yml for dev (every semver tag) and prod (releases only). */
const APP_PIPELINE = (env: string, extra = "") => `
  - local: ci/app.gitlab-ci.yml
    inputs:
      environment: ${env}
      aws_region: us-west-2
      ecr_repository_url: 123456789012.dkr.ecr.us-west-2.amazonaws.com/${env}/nginx
      push_role_arn: arn:aws:iam::123456789012:role/flux-${env}-gitlab-ecr-push
      flux_receiver_url: https://flux-hook.${env}.example.com/hook/0123
      flux_audience: flux-flux-${env}${extra}`;

describe("ci/app.gitlab-ci.yml, included by an app repository, in gitlab-ci-local", () => {
  let infra: string;
  beforeAll(() => {
    infra = repo;
    repo = mkdtempSync(path.join(tmpdir(), "gitlab-ci-local-app-"));
    cpSync(path.join(ROOT, "ci"), path.join(repo, "ci"), { recursive: true });
    const prodReleasesOnly = "\n      tag_pattern: '/^v?\\d+\\.\\d+\\.\\d+$/'";
    writeFileSync(
      path.join(repo, ".gitlab-ci.yml"),
      `stages: [build, release]\ninclude:${APP_PIPELINE("dev")}${APP_PIPELINE("prod", prodReleasesOnly)}\n`,
    );
    commitAll();
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    repo = infra;
  });

  test("a release tag builds, pushes and wakes Flux in every environment, the push before the call", async () => {
    expect(await jobsFor("main", { CI_COMMIT_TAG: "v1.2.3" }, ["CI_COMMIT_BRANCH"])).toEqual([
      "image-dev",
      "flux-dev",
      "image-prod",
      "flux-prod",
    ]);
  });

  test("a release candidate reaches dev only; a branch push releases nothing", async () => {
    expect(await jobsFor("main", { CI_COMMIT_TAG: "v1.2.4-rc.1" }, ["CI_COMMIT_BRANCH"])).toEqual([
      "image-dev",
      "flux-dev",
    ]);
    expect(await jobsFor("main", { CI_PIPELINE_SOURCE: "push" })).toEqual([]);
  });

  test("each job gets its own ID token: sts.amazonaws.com for the push role, the cluster's audience for Flux", async () => {
    const preview: Json = parse(await gitlabCiLocal(["--preview", "--variable", "CI_COMMIT_TAG=v1.2.3"]));
    expect(preview["image-prod"].id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    expect(preview["image-prod"].variables.AWS_ROLE_ARN).toBe(
      "arn:aws:iam::123456789012:role/flux-prod-gitlab-ecr-push",
    );
    expect(preview["flux-prod"].id_tokens).toEqual({ FLUX_ID_TOKEN: { aud: "flux-flux-prod" } });
    expect(preview["flux-prod"].needs).toEqual([expect.objectContaining({ job: "image-prod" })]);
    expect(preview["flux-prod"].script.join(" ")).toContain("https://flux-hook.prod.example.com/hook/0123");
  });
});
