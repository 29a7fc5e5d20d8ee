import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { EnvironmentConfig } from "../config/load";
import { terraformLiteralMap } from "../config/terraform-literal";

/**
 * The aws provider of a stack that creates AWS resources for an environment: the configured
 * region, and default tags naming the environment and the cluster on every resource it creates.
 * Tags are the one free-form text here; the schema refuses template syntax in them, and
 * terraformLiteralMap makes sure none could ever be evaluated.
 */
export function awsProvider(stack: TerraformStack, env: EnvironmentConfig): AwsProvider {
  return new AwsProvider(stack, "aws", {
    region: env.region,
    defaultTags: [
      { tags: terraformLiteralMap({ ...env.tags, "gitops-environment": env.name, "eks-cluster": env.cluster.name }) },
    ],
  });
}
