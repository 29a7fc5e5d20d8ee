import { CoreStack } from "../../stacks/core-stack";
import { findProviderSource, planOffline, terraformVersion } from "../../scripts/offline-plan";
import { environment, synth } from "../helpers";

// The real Terraform and the real aws provider (from a filesystem mirror, else the registry)
// validate and plan the synthesized core stack with no AWS account. Skipped, with the reason
// in its name, only where Terraform or the provider cannot be had.
const tf = terraformVersion();
const source = tf.reason ? {} : findProviderSource();
const reason = tf.reason ?? source.reason;
const planTest = reason ? test.skip : test;
if (reason) process.stderr.write(`core-plan: the real Terraform plan is skipped: ${reason}\n`);

describe("core stack, planned by the real Terraform", () => {
  planTest(
    reason ? `init, validate and plan (skipped: ${reason})` : "init, validate and plan -refresh=false: the resources the design calls for",
    () => {
      const env = environment("dev", { network: { natGateways: "one-per-az" }, cluster: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/admin"] } });
      const plan = planOffline(JSON.parse(synth((app) => new CoreStack(app, "core", env))), source);

      expect(plan.resources.every((r) => r.actions.length === 1 && r.actions[0] === "create")).toBe(true);
      const zones = env.network.availabilityZones.length;
      expect(plan.countsByType).toMatchObject({
        aws_vpc: 1,
        aws_subnet: 2 * zones,
        aws_internet_gateway: 1,
        aws_nat_gateway: zones,
        aws_eip: zones,
        aws_route_table: 1 + zones,
        aws_route_table_association: 2 * zones,
        aws_default_security_group: 1,
        aws_kms_key: 1,
        aws_kms_key_policy: 1,
        aws_cloudwatch_log_group: 1,
        aws_eks_cluster: 1,
        // the configured admin and the pipeline's deploy role
        aws_eks_access_entry: 2,
        aws_eks_access_policy_association: 2,
        aws_eks_node_group: 1,
        aws_launch_template: 1,
        aws_eks_addon: env.cluster.addons.length,
        aws_eks_pod_identity_association: 2,
        aws_ecr_repository: 1,
        aws_ecr_lifecycle_policy: 1,
        terraform_data: 1,
      });
      // cluster, node, EBS CSI, image reflector, cluster autoscaler and the app's ECR push roles.
      expect(plan.countsByType.aws_iam_role).toBe(6);
    },
    120_000,
  );
});
