import { BranchProtection as GitlabBranchProtection } from "@cdktf/provider-gitlab/lib/branch-protection";
import { DataGitlabMetadata } from "@cdktf/provider-gitlab/lib/data-gitlab-metadata";
import { Op } from "cdktf";
import { Construct } from "constructs";

export interface BranchProtectionProps {
  /** GitLab project id. */
  readonly project: string;
  /** The branch Flux syncs and pushes to. */
  readonly branch: string;
  /** The deploy key allowed to push (gitlab_deploy_key.deploy_key_id). */
  readonly deployKeyId: number;
  /** The project's default branch, when the project already exists: only that one's protection is taken over. */
  readonly defaultBranch?: string;
}

/**
 * Protects the branch Flux syncs with its deploy key explicitly allowed to push, so image
 * automation's pushes do not depend on the rights of whoever ran Terraform. GitLab protects a
 * project's default branch at creation; the provider takes that protection over.
 * Needs GitLab 17.5 or newer with `allowed_to_push` (Premium, or self-managed EE):
 * https://docs.gitlab.com/api/protected_branches/#example-with-deploy-key-access
 */
export class BranchProtection extends Construct {
  public readonly protection: GitlabBranchProtection;

  constructor(scope: Construct, id: string, props: BranchProtectionProps) {
    super(scope, id);
    if (!props.project) throw new Error(`BranchProtection: project must not be empty`);
    // GitLab reads `*` in a protected branch name as a wildcard: this protection is for one branch.
    if (!props.branch || props.branch.includes("*")) {
      throw new Error(
        `BranchProtection: branch must be one branch name, not empty and without * (got "${props.branch}")`,
      );
    }
    const gitlab = new DataGitlabMetadata(this, "gitlab");
    // "17.5.0-ee" -> 17 and 5.
    const [major, minor] = [0, 1].map((i) => `tonumber(split(".", ${gitlab.fqn}.version)[${i}])`);
    this.protection = new GitlabBranchProtection(this, "protection", {
      project: props.project,
      branch: props.branch,
      // People who maintain the project still push and merge; Terraform commits as such a person.
      pushAccessLevel: "maintainer",
      mergeAccessLevel: "maintainer",
      allowForcePush: false,
      allowedToPush: [{ deployKeyId: props.deployKeyId }],
      lifecycle: {
        precondition: [
          ...(props.defaultBranch === undefined
            ? []
            : [
                {
                  // The provider adopts GitLab's protection of the default branch only; any other
                  // protected branch would fail at apply with "already exists".
                  condition: Op.eq(props.defaultBranch, props.branch),
                  errorMessage:
                    `gitlab.branch must be the GitOps project's default branch, whose protection ` +
                    `Terraform takes over. Set gitlab.branch to it, or make ${props.branch} the default branch.`,
                },
              ]),
          {
            condition: `\${${gitlab.fqn}.enterprise && (${major} > 17 || (${major} == 17 && ${minor} >= 5))}`,
            errorMessage:
              "Flux's deploy key can be allowed to push to a protected branch only on GitLab 17.5 or newer with " +
              "allowed_to_push (Premium, or self-managed Enterprise Edition). Upgrade, or set gitlab.protectBranch: " +
              "false and give the deploy key's creator push rights on the branch.",
          },
        ],
      },
    });
  }
}
