import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/load";
import { ciRoleName, gitlabIssuerHost, gitlabOidcProviderArn, partitionOf } from "../config/names";
import { AWS_AUDIENCE, GitlabCiRole, noBootstrapStatePolicy } from "../constructs/core/gitlab-ci-role";
import { GitlabOidcProvider } from "../constructs/core/gitlab-oidc-provider";
import { awsProvider } from "./aws-provider";
import { configureBackend, stateObjectArn } from "./state";
import { pinTerraform } from "./terraform-settings";

/**
 * What GitLab CI needs before it can plan or deploy anything: the account's GitLab OIDC provider
 * (when this environment owns it) and the environment's plan and deploy roles. An administrator
 * applies it once per environment with their own credentials (README "First run"); the pipeline
 * never changes it, so no job can widen its own trust.
 */
export class CiStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    configureBackend(this, env, "ci");
    awsProvider(this, env);
    // From the region, at synth: the trust policies stay plain JSON, readable in plans and reviews.
    const partition = partitionOf(env);
    const issuerHost = gitlabIssuerHost(env);
    if (!env.delivery) throw new Error(`${env.name}: the ci stack needs the delivery section`);
    const delivery = env.delivery;
    const { infraProject, defaultBranch } = delivery;

    // Its ARN is built from the account id either way, so trust policies stay plain JSON; where
    // this environment owns the provider, the roles wait for it.
    const providerArn = gitlabOidcProviderArn(env, partition);
    const owned = delivery.createOidcProvider
      ? [
          new GitlabOidcProvider(this, "gitlab-oidc", { issuerUrl: env.gitlab.baseUrl, audiences: [AWS_AUDIENCE] })
            .provider,
        ]
      : [];

    // Merge-request pipelines of any branch: read-only, and never the bootstrap state, which
    // holds Flux's SSH key (an S3 backend; GitLab-managed state follows GitLab's own roles).
    const bootstrapState = stateObjectArn(env, "bootstrap", partition);
    const plan = new GitlabCiRole(this, "plan-role", {
      roleName: ciRoleName(env, "plan"),
      providerArn,
      issuerHost,
      subject: { project: infraProject, refType: "branch", ref: "any" },
      dependsOn: owned.length ? owned : undefined,
      description: `GitLab CI of ${infraProject} (any branch) plans ${env.name}`,
      managedPolicyArns: [`arn:${partition}:iam::aws:policy/ReadOnlyAccess`],
      inlinePolicy: bootstrapState ? noBootstrapStatePolicy(bootstrapState) : undefined,
    });
    // The default branch only. Creating EKS and its IAM roles makes this role an administrator in
    // effect; what guards it is who can merge to that branch and run the `deploy-<env>` job.
    const deploy = new GitlabCiRole(this, "deploy-role", {
      roleName: ciRoleName(env, "deploy"),
      providerArn,
      issuerHost,
      subject: { project: infraProject, refType: "branch", ref: defaultBranch },
      dependsOn: owned.length ? owned : undefined,
      description: `GitLab CI of ${infraProject} (${defaultBranch}) deploys ${env.name}`,
      managedPolicyArns: [`arn:${partition}:iam::aws:policy/AdministratorAccess`],
    });

    new TerraformOutput(this, "oidc_provider_arn", {
      value: providerArn,
      description: "IAM OIDC provider of the GitLab instance",
    });
    new TerraformOutput(this, "plan_role_arn", { value: plan.role.arn, description: "AWS_ROLE_ARN of the plan jobs" });
    new TerraformOutput(this, "deploy_role_arn", {
      value: deploy.role.arn,
      description: "AWS_ROLE_ARN of the deploy job",
    });
    pinTerraform(this);
  }
}
