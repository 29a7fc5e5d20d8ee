import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import { policyDocument } from "./policy-document";

/**
 * An IAM policy that reads the tags and images of `repositoryArns` (an ARN or an ARN prefix with `*`), and nothing else
 * in ECR.
 */
export function ecrReadPolicy(repositoryArns: string | string[]): string {
  return policyDocument([
    // A registry token has no resource scope; it grants nothing by itself.
    { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "ReadRepositories",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:GetDownloadUrlForLayer",
        "ecr:ListImages",
        "ecr:ListTagsForResource",
      ],
      Resource: repositoryArns,
    },
  ]);
}

/** The ARN pattern of one environment's repositories (`<environment>/<app>`) in an account and region. */
export function environmentRepositoriesArn(p: {
  partition: string;
  region: string;
  account: string;
  environment: string;
}): string {
  return `arn:${p.partition}:ecr:${p.region}:${p.account}:repository/${p.environment}/*`;
}

/** The image pulls a node role may make from its own account: the environment's repositories only. */
export const NODE_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/**
 * Scopes a node role's pulls. Nodes keep AWS's managed pull policy, because the EKS add-ons' images
 * live in AWS-owned registries of other accounts; this denies pulls from every repository of the
 * cluster's own account but the environment's, so a prod node cannot run an image pushed to dev's
 * repositories (or any other team's in the account). Conditioned on the repository's account:
 * should ECR ever leave aws:ResourceAccount out of a request, the deny does not match and pulls
 * behave as with the managed policy alone; they never break.
 */
export function ecrPullScopePolicy(repositoriesArn: string, account: string): string {
  return policyDocument([
    {
      Sid: "PullOnlyThisEnvironmentsRepositoriesOfThisAccount",
      Effect: "Deny",
      Action: NODE_PULL_ACTIONS,
      NotResource: repositoriesArn,
      Condition: { StringEquals: { "aws:ResourceAccount": account } },
    },
  ]);
}

/** Attaches ecrPullScopePolicy to a node role, as an inline policy named `ecr-pull-scope`. */
export function scopeNodePulls(scope: Construct, role: IamRole, repositoriesArn: string, account: string) {
  return new IamRolePolicy(scope, "ecr-pull-scope", {
    name: "ecr-pull-scope",
    role: role.name,
    policy: ecrPullScopePolicy(repositoriesArn, account),
  });
}

export interface ContainerRegistryProps {
  /** Repository name, e.g. `dev/nginx`. */
  readonly repositoryName: string;
  /** How many images the lifecycle policy keeps. @default 30 */
  readonly keepImages?: number;
  /** Delete the repository on destroy even when it holds images. @default false */
  readonly forceDelete?: boolean;
}

/**
 * An app's ECR repository. Tags are immutable, so a semver tag Flux has rolled out can never
 * be pushed again with other content, and every push is scanned.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 */
export class ContainerRegistry extends Construct {
  public readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    if (!Number.isInteger(keepImages) || keepImages < 1) {
      throw new Error(`ContainerRegistry: keepImages must be a whole number of at least 1 (got ${keepImages})`);
    }
    this.repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      forceDelete: props.forceDelete ?? false,
    });
    new EcrLifecyclePolicy(this, "lifecycle-policy", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: "Expire untagged images after 7 days",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
          },
          {
            // Release tags (x.y.z) are never expired: an environment may run any of them. A released
            // image also carries its gate candidate tag (scan-x.y.z, ci/app.gitlab-ci.yml) and an
            // image is expired when any of its tags matches, so no rule may match scan-x.y.z either:
            // hence x.y.z-pre (three dots before the '-'), not any tag with a '-'. A candidate the gate
            // refused keeps its scan-x.y.z tag until deleted by hand.
            rulePriority: 2,
            description: `Keep the ${keepImages} most recent pre-release images (x.y.z-pre tags)`,
            selection: {
              tagStatus: "tagged",
              tagPatternList: ["*.*.*-*"],
              countType: "imageCountMoreThan",
              countNumber: keepImages,
            },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
}
