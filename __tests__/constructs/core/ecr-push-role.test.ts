import { Testing, TerraformStack } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { EcrPushRole } from "../../../constructs/core/ecr-push-role";
import { Json } from "../../helpers";

const REPOS = [
  "arn:aws:ecr:us-west-2:123456789012:repository/dev/nginx",
  "arn:aws:ecr:us-west-2:123456789012:repository/dev/api",
];

describe("EcrPushRole", () => {
  const stack = new TerraformStack(Testing.app(), "test");
  new EcrPushRole(stack, "push", {
    roleName: "push",
    providerArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
    issuerHost: "gitlab.com",
    appProject: "g/app",
    repositoryArns: REPOS,
  });
  const json: Json = JSON.parse(Testing.synth(stack));
  const role: Json = Object.values(json.resource.aws_iam_role)[0] as Json;
  const policy: Json = JSON.parse((Object.values(json.resource.aws_iam_role_policy)[0] as Json).policy);

  test("trusted for the app project's tags only", () => {
    expect(JSON.parse(role.assume_role_policy).Statement[0].Condition).toEqual({
      StringEquals: { "gitlab.com:aud": "sts.amazonaws.com" },
      StringLike: { "gitlab.com:sub": "project_path:g/app:ref_type:tag:ref:*" },
    });
  });

  test("pushes to its apps' repositories only; only the login token is account-wide", () => {
    const [login, push, ...more] = policy.Statement;
    expect(more).toHaveLength(0);
    expect(login).toEqual({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(push.Resource).toEqual(REPOS);
    expect(push.Action).toEqual(expect.arrayContaining(["ecr:PutImage", "ecr:CompleteLayerUpload"]));
    expect(
      push.Action.every((a: string) => !a.includes("*") && !/Delete|SetRepositoryPolicy|PutLifecyclePolicy/.test(a)),
    ).toBe(true);
  });

  test("the release gate's actions on the same repositories: scan findings, candidate manifest, release tag", () => {
    const push = policy.Statement[1];
    // ci/app.gitlab-ci.yml gate-<env>: `aws ecr wait image-scan-complete` and describe-image-scan-findings,
    // batch-get-image of the candidate and the release tag, put-image of the release tag.
    expect(push.Action).toContain("ecr:DescribeImageScanFindings");
    expect(push.Action).toContain("ecr:BatchGetImage");
    expect(push.Action).toContain("ecr:PutImage");
    expect(push.Resource).toEqual(REPOS);
    // Nothing else the gate does not call: no scan start, no registry-wide reads.
    expect(push.Action).not.toContain("ecr:StartImageScan");
    expect(push.Action).not.toContain("ecr:DescribeImages");
    expect(push.Action).toEqual([
      // kaniko's push of the candidate
      "ecr:BatchCheckLayerAvailability",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      // the gate
      "ecr:DescribeImageScanFindings",
    ]);
  });
});
