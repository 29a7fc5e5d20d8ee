import { spawnSync } from "child_process";
import * as path from "path";

// scripts/ci/aws-oidc.sh, sourced as the jobs do, with a stand-in token (no AWS call is made).
const ROOT = path.join(__dirname, "..", "..");
const source = (
  env: Record<string, string>,
  after = 'echo "$AWS_ROLE_ARN|$(stat -c %a "$AWS_WEB_IDENTITY_TOKEN_FILE")|$(< "$AWS_WEB_IDENTITY_TOKEN_FILE")"; ' +
    'rm -f "$AWS_WEB_IDENTITY_TOKEN_FILE"',
) => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  return spawnSync("bash", ["-c", `. scripts/ci/aws-oidc.sh deploy && { ${after}; }`], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: "utf8",
  });
};

describe("scripts/ci/aws-oidc.sh", () => {
  test("the environment's deploy role (derived from config), the ID token in a file only the job can read", () => {
    const run = source({ AWS_ID_TOKEN: "id-token-stand-in", GITOPS_ENV: "prod" });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n").pop()).toBe(
      "arn:aws:iam::123456789012:role/flux-prod-gitlab-deploy|600|id-token-stand-in",
    );
    expect(run.stdout).not.toMatch(/id-token-stand-in.*session|ci: .*id-token-stand-in/);
  });

  test("a job without an ID token stops and names the template", () => {
    const run = source({ GITOPS_ENV: "dev" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no ID token AWS_ID_TOKEN .*\.aws-oidc/);
  });

  test("static AWS keys in the job's environment stop it: OIDC only", () => {
    const run = source({ AWS_ID_TOKEN: "t", GITOPS_ENV: "dev", ["AWS_" + "SECRET_ACCESS_KEY"]: "leftover" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/static AWS credentials/);
    expect(run.stderr).not.toMatch(/leftover/);
  });
});
