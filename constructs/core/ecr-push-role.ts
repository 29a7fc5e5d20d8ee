import { Construct } from "constructs";
import { GitlabCiRole } from "./gitlab-ci-role";
import { policyDocument } from "./policy-document";

export interface EcrPushRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  /** ARN of the account's GitLab OIDC provider. */
  readonly providerArn: string;
  /** The issuer without scheme (condition key prefix). */
  readonly issuerHost: string;
  /** `group/project` of the app repository: only its tag pipelines may push. */
  readonly appProject: string;
  /** The repositories the role may push to: those of the project's apps. */
  readonly repositoryArns: string[];
}

/**
 * Push (and the reads a push makes) to the given repositories, plus what the release gate of
 * ci/app.gitlab-ci.yml reads: the candidate's scan findings (DescribeImageScanFindings, also what
 * `aws ecr wait image-scan-complete` polls) and its manifest (BatchGetImage), which PutImage tags
 * with the release tag. The login token is account-wide by design.
 */
export function ecrPushPolicy(repositoryArns: string[]): string {
  return policyDocument([
    // GetAuthorizationToken takes no resource; the token grants nothing the statements below do not.
    { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeImageScanFindings",
      ],
      Resource: repositoryArns,
    },
  ]);
}

/**
 * The role an app repository's tag pipeline assumes to push its images to this environment's
 * ECR repositories of its apps (ci/app.gitlab-ci.yml): trusted only for that project's tags,
 * allowed only those repositories. Protect the app's tags in GitLab so only Maintainers can create them.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
 */
export class EcrPushRole extends Construct {
  public readonly ciRole: GitlabCiRole;

  constructor(scope: Construct, id: string, props: EcrPushRoleProps) {
    super(scope, id);
    this.ciRole = new GitlabCiRole(this, "ci-role", {
      roleName: props.roleName,
      providerArn: props.providerArn,
      issuerHost: props.issuerHost,
      subject: { project: props.appProject, refType: "tag", ref: "any" },
      description: `GitLab CI of ${props.appProject} (tags) pushes images`,
      inlinePolicy: ecrPushPolicy(props.repositoryArns),
    });
  }
}
