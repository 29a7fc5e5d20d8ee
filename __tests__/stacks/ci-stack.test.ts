import "cdktf/lib/testing/adapters/jest";
import { CiStack } from "../../stacks/ci-stack";
import { findProviderSource, planOffline, terraformVersion } from "../../scripts/offline-plan";
import { CoreStack } from "../../stacks/core-stack";
import { ENVIRONMENTS, Json, environment, resources, synth } from "../helpers";

const ciJson = (patch: Json = {}): Json =>
  JSON.parse(synth((app) => new CiStack(app, "ci", environment("dev", patch))));
const roleNamed = (json: Json, name: string): Json => resources(json, "aws_iam_role").find((r) => r.name === name)!;
/**
 * A policy as synthesized: plain JSON, or (holding references) the `jsonencode({...})` expression
 * policyDocument() writes, read back with each bare reference as its `${...}` string.
 */
function decodePolicy(value: string): Json {
  const m = /^\$\{jsonencode\((.*)\)\}$/s.exec(value);
  if (!m) return JSON.parse(value);
  const json = m[1].replace(/" = /g, '": ').replace(/(: )([a-z_][\w-]*(?:\.[\w-]+)+)(?=[,}\]])/g, '$1"${$2}"');
  return JSON.parse(json);
}
const trust = (role: Json): Json[] => decodePolicy(role.assume_role_policy).Statement;
const PROVIDER_ARN = "arn:${data.aws_partition.partition.partition}:iam::123456789012:oidc-provider/gitlab.com";

describe("ci stack", () => {
  const json = ciJson();

  test("dev owns the account's GitLab OIDC provider: the gitlab.com issuer, audience sts.amazonaws.com", () => {
    expect(resources(json, "aws_iam_openid_connect_provider")).toEqual([
      expect.objectContaining({ url: "https://gitlab.com", client_id_list: ["sts.amazonaws.com"] }),
    ]);
  });

  test("an environment that does not own it creates none and names it by ARN", () => {
    const other = ciJson({ delivery: { createOidcProvider: false } });
    expect(resources(other, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(trust(roleNamed(other, "flux-dev-gitlab-deploy"))[0].Principal).toEqual({ Federated: PROVIDER_ARN });
  });

  test("plan role: this project's pipelines on any branch (merge requests included), nothing else, read-only", () => {
    const role = roleNamed(json, "flux-dev-gitlab-plan");
    const [statement, ...more] = trust(role);
    expect(more).toHaveLength(0);
    expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement.Principal.Federated).toMatch(/^\$\{aws_iam_openid_connect_provider\.[\w-]+\.arn\}$/);
    expect(statement.Condition).toEqual({
      StringEquals: { "gitlab.com:aud": "sts.amazonaws.com" },
      StringLike: { "gitlab.com:sub": "project_path:my-group/platform-infra:ref_type:branch:ref:*" },
    });
    const attached = resources(json, "aws_iam_role_policy_attachment").filter((a) => a.role.includes("plan-role"));
    expect(attached.map((a) => a.policy_arn)).toEqual([
      "arn:${data.aws_partition.partition.partition}:iam::aws:policy/ReadOnlyAccess",
    ]);
  });

  test("deploy role: the default branch of this project only, exact sub and aud", () => {
    const [statement, ...more] = trust(roleNamed(json, "flux-dev-gitlab-deploy"));
    expect(more).toHaveLength(0);
    expect(statement.Condition).toEqual({
      StringEquals: {
        "gitlab.com:aud": "sts.amazonaws.com",
        "gitlab.com:sub": "project_path:my-group/platform-infra:ref_type:branch:ref:main",
      },
    });
    expect(JSON.stringify(statement.Condition)).not.toMatch(/[*?]/);
  });

  test("with S3 state the plan role is denied the bootstrap state (Flux's SSH key)", () => {
    const s3 = ciJson({ backend: { type: "s3", bucket: "state-bucket" } });
    const inline = resources(s3, "aws_iam_role_policy").find((p) => p.role.includes("plan-role"))!;
    expect(decodePolicy(inline.policy).Statement).toEqual([
      {
        Sid: "NoBootstrapState",
        Effect: "Deny",
        Action: "s3:GetObject",
        Resource:
          "arn:${data.aws_partition.partition.partition}:s3:::state-bucket/gitops-bootstrapper/dev/bootstrap.tfstate",
      },
    ]);
  });

  test("outputs the role ARNs the pipeline's AWS_ROLE_ARN takes", () => {
    expect(Object.keys(json.output).sort()).toEqual(["deploy_role_arn", "oidc_provider_arn", "plan_role_arn"]);
  });

  test("a self-managed GitLab: its URL is the issuer and the condition-key prefix", () => {
    const own = ciJson({
      gitlab: {
        baseUrl: "https://git.example.com",
        sshKnownHosts: [
          "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        ],
      },
    });
    expect(resources(own, "aws_iam_openid_connect_provider")[0].url).toBe("https://git.example.com");
    expect(Object.keys(trust(roleNamed(own, "flux-dev-gitlab-deploy"))[0].Condition.StringEquals)).toEqual([
      "git.example.com:aud",
      "git.example.com:sub",
    ]);
  });
});

describe.each(ENVIRONMENTS)("ci stack, environment %s", (name) => {
  test("snapshot (a change detector: update it only with a reason)", () => {
    expect(synth((app) => new CiStack(app, "ci", environment(name)))).toMatchSnapshot();
  });
});

describe("committed environments side by side", () => {
  const envs = ENVIRONMENTS.map((name) => environment(name));

  test("exactly one environment per account creates the GitLab OIDC provider", () => {
    const owners = new Map<string, string[]>();
    for (const env of envs) {
      const list = owners.get(env.delivery!.awsAccountId) ?? [];
      if (env.delivery!.createOidcProvider) list.push(env.name);
      owners.set(env.delivery!.awsAccountId, list);
    }
    for (const [account, list] of owners) expect({ account, owners: list.length }).toEqual({ account, owners: 1 });
  });

  // Core's own role names are checked side by side in core-stack.test.ts; these are the CI roles.
  test("no CI role name is used twice, across environments and across the ci and core stacks", () => {
    const names = envs.flatMap((env) =>
      [synth((app) => new CiStack(app, "ci", env)), synth((app) => new CoreStack(app, "core", env))].flatMap((text) =>
        resources(JSON.parse(text), "aws_iam_role").map((r) => String(r.name)),
      ),
    );
    const ciRoles = names.filter((n) => n.includes("gitlab"));
    expect(ciRoles).toHaveLength(envs.length * 3);
    expect(new Set(ciRoles).size).toBe(ciRoles.length);
  });
});

// The real Terraform plans it offline, like core: no AWS API is called at plan time.
const tf = terraformVersion();
const source = tf.reason ? {} : findProviderSource();
const reason = tf.reason ?? source.reason;
if (reason) process.stderr.write(`ci-plan: the real Terraform plan is skipped: ${reason}\n`);
(reason ? test.skip : test)(
  reason ? `ci stack plan (skipped: ${reason})` : "ci stack, planned by the real Terraform: provider and two roles",
  async () => {
    const plan = await planOffline(ciJson(), source);
    expect(plan.countsByType).toEqual({
      aws_iam_openid_connect_provider: 1,
      aws_iam_role: 2,
      aws_iam_role_policy_attachment: 2,
    });
  },
  120_000,
);
