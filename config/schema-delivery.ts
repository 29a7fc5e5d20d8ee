import { z } from "zod";

/**
 * `delivery`: how GitLab CI reaches AWS and Flux without stored keys (README "Delivery with
 * GitLab CI"). Kept apart from schema.ts so the environment schema gains one line.
 */

const GITLAB_PROJECT_PATH = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/;
const projectPath = z.string().regex(GITLAB_PROJECT_PATH, "must be a GitLab project path such as my-group/my-project");

export const deliverySchema = z.strictObject({
  /**
   * The AWS account the environment lives in: names the OIDC provider's ARN without an AWS API call, so plans stay
   * offline.
   */
  awsAccountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id, written as a string: "123456789012"'),
  /**
   * `group/project` of this infrastructure repository: the only project whose pipelines may assume the plan and deploy
   * roles.
   */
  infraProject: projectPath,
  /** The infrastructure project's default branch: the only ref the deploy role trusts. */
  defaultBranch: z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,100}$/, "must be a Git branch name")
    .default("main"),
  /**
   * This environment's `ci` stack creates the account's GitLab OIDC provider (one per account and issuer: exactly one
   * environment per account sets it).
   */
  createOidcProvider: z.boolean().default(false),
});

export type DeliverySettings = z.output<typeof deliverySchema>;

/** The README configuration table's "allowed / meaning" text for each key above (config/reference.ts). */
export const DELIVERY_RULES: Record<string, string> = {
  "delivery.awsAccountId":
    "12 digits, as a string: the environment's account; names the OIDC provider and role ARNs without an AWS API " +
    "call (plans stay offline)",
  "delivery.infraProject":
    "`group/project` of this repository: the only project whose pipelines may assume the plan and deploy roles",
  "delivery.defaultBranch": "the only branch the deploy role trusts",
  "delivery.createOidcProvider":
    "this environment's ci stack creates the account's GitLab OIDC provider: exactly one environment per account " +
    "and GitLab instance",
};
