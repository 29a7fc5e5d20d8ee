import { BranchProtection, BranchProtectionProps } from "../../../constructs/bootstrap/branch-protection";
import { Json } from "../../helpers";
import { only, synthConstruct } from "../core/fixture";

const PROPS: BranchProtectionProps = { project: "4242", branch: "gitops", deployKeyId: 17 };
const build = (props: Partial<BranchProtectionProps> = {}): Json =>
  synthConstruct((s) => new BranchProtection(s, "protect", { ...PROPS, ...props }));
const protectionOf = (json: Json): Json => only(json, "gitlab_branch_protection");

describe("BranchProtection", () => {
  test("minimal: the branch, maintainers push and merge, no force push, the deploy key allowed to push", () => {
    const json = build();
    const protection = protectionOf(json);
    expect(protection.project).toBe("4242");
    expect(protection.branch).toBe("gitops");
    expect(protection.push_access_level).toBe("maintainer");
    expect(protection.merge_access_level).toBe("maintainer");
    expect(protection.allow_force_push).toBe(false);
    expect(protection.allowed_to_push).toEqual([{ deploy_key_id: 17 }]);
    expect(Object.keys(json.data.gitlab_metadata)).toHaveLength(1);
  });

  test("defaults: with no default branch, one precondition: GitLab 17.5+ Enterprise, read from gitlab_metadata", () => {
    const json = build();
    const metadata = `data.gitlab_metadata.${Object.keys(json.data.gitlab_metadata)[0]}`;
    const [precondition, ...more] = protectionOf(json).lifecycle.precondition;
    expect(more).toEqual([]);
    expect(precondition.condition).toBe(
      `\${${metadata}.enterprise && (tonumber(split(".", ${metadata}.version)[0]) > 17 || ` +
        `(tonumber(split(".", ${metadata}.version)[0]) == 17 && tonumber(split(".", ${metadata}.version)[1]) >= 5))}`,
    );
    expect(precondition.error_message).toMatch(/GitLab 17\.5 or newer/);
    expect(precondition.error_message).toMatch(/gitlab\.protectBranch: false/);
  });

  test("an existing project's default branch: a first precondition that the branch is that one", () => {
    const [sameBranch, version] = protectionOf(build({ defaultBranch: "main" })).lifecycle.precondition;
    expect(sameBranch.condition).toBe('${("main" == "gitops")}');
    expect(sameBranch.error_message).toMatch(/^gitlab\.branch must be the GitOps project's default branch/);
    expect(sameBranch.error_message).toMatch(/make gitops the default branch/);
    expect(version.error_message).toMatch(/GitLab 17\.5/);
  });

  test.each([
    ["an empty project", { project: "" }, /BranchProtection: project must not be empty/],
    ["an empty branch", { branch: "" }, /BranchProtection: branch must be one branch name/],
    ["a wildcard branch (GitLab would protect every match)", { branch: "release-*" }, /without \*/],
  ])("refuses %s", (_what, props, error) => {
    expect(() => build(props)).toThrow(error);
  });
});
