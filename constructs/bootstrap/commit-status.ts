import { ProjectAccessToken } from "@cdktf/provider-gitlab/lib/project-access-token";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";
import { COMMIT_STATUS, FLUX_NAMESPACE } from "../flux/api";

export interface CommitStatusProps {
  /** GitLab project id: the token's project and the Provider's address. */
  readonly project: string;
  /** GitLab instance URL, without /api/v4. */
  readonly gitlabUrl: string;
  /** Token lifetime in days. */
  readonly expiryDays: number;
  /** Rotate the token on the first apply this many days before it expires. */
  readonly rotateBeforeDays: number;
  /** What must exist first (the Flux bootstrap). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The credentials of Flux's GitLab commit-status Provider: a project access token with the
 * `api` scope that Terraform creates and rotates, kept with the project's address (its numeric
 * id) in a Secret, so neither is ever in Git.
 * https://fluxcd.io/flux/components/notification/providers/#gitlab
 */
export class CommitStatus extends Construct {
  public readonly token: ProjectAccessToken;

  constructor(scope: Construct, id: string, props: CommitStatusProps) {
    super(scope, id);
    const { expiryDays: expiry, rotateBeforeDays: rotate } = props;
    if (!props.project) throw new Error(`CommitStatus: project must not be empty`);
    // Rotating at or before the day of creation would replace the token on every apply.
    if (!Number.isInteger(rotate) || !Number.isInteger(expiry) || rotate < 1 || rotate >= expiry) {
      throw new Error(
        `CommitStatus: rotateBeforeDays (${rotate}) must be a whole number from 1 to less than expiryDays (${expiry})`,
      );
    }
    this.token = new ProjectAccessToken(this, "token", {
      project: props.project,
      name: "flux-commit-status",
      description: "Flux posts reconciliation results as commit statuses",
      scopes: ["api"],
      // Developer is the lowest role that may set commit statuses.
      accessLevel: "developer",
      rotationConfiguration: { expirationDays: props.expiryDays, rotateBeforeDays: props.rotateBeforeDays },
    });
    new SecretV1(this, "secret", {
      metadata: { name: COMMIT_STATUS.secretName, namespace: FLUX_NAMESPACE, labels: MANAGED_BY_TERRAFORM },
      data: { token: this.token.token, address: `${props.gitlabUrl}/${props.project}` },
      dependsOn: props.dependsOn,
    });
  }
}
