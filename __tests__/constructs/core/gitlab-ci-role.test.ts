import { Testing, TerraformStack } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { GitlabCiRole, gitlabTrustPolicy, noBootstrapStatePolicy } from "../../../constructs/core/gitlab-ci-role";
import { Json } from "../../helpers";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const statementOf = (policy: string): Json => {
  const parsed = JSON.parse(policy);
  expect(parsed.Statement).toHaveLength(1);
  return parsed.Statement[0];
};

describe("GitlabCiRole", () => {
  test("minimal: one role trusted through the GitLab OIDC provider, one-hour sessions", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new GitlabCiRole(stack, "role", {
      roleName: "r",
      providerArn: PROVIDER,
      issuerHost: "gitlab.com",
      subject: { project: "g/infra", refType: "branch", ref: "main" },
      description: "d",
    });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(IamRole, { name: "r", max_session_duration: 3600 });
  });

  test("an exact ref: the only condition keys are aud and sub, both StringEquals, both exact", () => {
    const s = statementOf(
      gitlabTrustPolicy(PROVIDER, "gitlab.com", { project: "g/infra", refType: "branch", ref: "main" }),
    );
    expect(s.Effect).toBe("Allow");
    expect(s.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(s.Principal).toEqual({ Federated: PROVIDER });
    expect(Object.keys(s.Condition)).toEqual(["StringEquals"]);
    expect(s.Condition.StringEquals).toEqual({
      "gitlab.com:aud": "sts.amazonaws.com",
      "gitlab.com:sub": "project_path:g/infra:ref_type:branch:ref:main",
    });
  });

  test("any ref: the project and ref type stay exact, only the ref is a wildcard", () => {
    const s = statementOf(gitlabTrustPolicy(PROVIDER, "gitlab.com", { project: "g/app", refType: "tag", ref: "any" }));
    expect(s.Condition).toEqual({
      StringEquals: { "gitlab.com:aud": "sts.amazonaws.com" },
      StringLike: { "gitlab.com:sub": "project_path:g/app:ref_type:tag:ref:*" },
    });
  });

  test("a self-managed instance under a path prefixes the keys with host and path", () => {
    const s = statementOf(
      gitlabTrustPolicy(PROVIDER, "git.example.com/gitlab", { project: "g/infra", refType: "branch", ref: "main" }),
    );
    expect(Object.keys(s.Condition.StringEquals).sort()).toEqual([
      "git.example.com/gitlab:aud",
      "git.example.com/gitlab:sub",
    ]);
  });

  test.each([
    ["a wildcard project", { project: "g/*", refType: "branch", ref: "main" }],
    ["a wildcard branch", { project: "g/infra", refType: "branch", ref: "release-*" }],
    ["a colon that fakes another claim", { project: "g/infra", refType: "branch", ref: "main:x" }],
  ] as const)("refuses %s", (_what, subject) => {
    expect(() => gitlabTrustPolicy(PROVIDER, "gitlab.com", subject)).toThrow(/must not contain/);
  });
});

describe("noBootstrapStatePolicy", () => {
  const STATE = "arn:aws:s3:::state-bucket/prefix/test/bootstrap.tfstate";

  test("minimal: one Deny of s3:GetObject on exactly that object, nothing else", () => {
    expect(JSON.parse(noBootstrapStatePolicy(STATE))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "NoBootstrapState", Effect: "Deny", Action: "s3:GetObject", Resource: STATE }],
    });
  });

  test("as a role's inline policy: one aws_iam_role_policy named inline, on that role", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new GitlabCiRole(stack, "role", {
      roleName: "r",
      providerArn: PROVIDER,
      issuerHost: "gitlab.com",
      subject: { project: "g/infra", refType: "branch", ref: "any" },
      description: "d",
      inlinePolicy: noBootstrapStatePolicy(STATE),
    });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(IamRolePolicy, { name: "inline", policy: noBootstrapStatePolicy(STATE) });
  });

  test.each([
    ["an empty ARN", ""],
    ["a bucket without a key (matches no object)", "arn:aws:s3:::state-bucket"],
    ["a bucket with an empty key", "arn:aws:s3:::state-bucket/"],
    ["not an S3 ARN", "arn:aws:iam::123456789012:role/r"],
  ])("refuses %s", (_what, arn) => {
    expect(() => noBootstrapStatePolicy(arn)).toThrow(/must be an S3 object ARN/);
  });
});
