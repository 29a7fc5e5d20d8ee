import { App } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { formatHcl } from "../../scripts/export-hcl";
import { findProviderSource, planConfiguration, terraformVersion } from "../../scripts/offline-plan";
import { CoreStack } from "../../stacks/core-stack";
import { finishSynth, lockFilePath } from "../../stacks/terraform-settings";
import { environment, Json, synth, THREE_APPS } from "../helpers";

// The real Terraform and the real aws provider (from a filesystem mirror, else the registry)
// validate and plan the synthesized core stack with no AWS account, twice at once: from the
// JSON of `cdktf synth` and from the HCL of `cdktf synth --hcl` (rendered, given its
// versions.tf and lock file, and formatted as `npm run export:hcl` does). Both must plan the
// same resources with the same values. Skipped, with the reason in its name, only where
// Terraform or the provider cannot be had.
const PROJECT = path.join(__dirname, "..", "..");
const tf = terraformVersion();
const source = tf.reason ? {} : findProviderSource();
const reason = tf.reason ?? source.reason;
const planTest = reason ? test.skip : test;
if (reason) process.stderr.write(`core-plan: the real Terraform plan is skipped: ${reason}\n`);

/** The core stack's HCL files as `cdktf synth --hcl` writes them (main.ts's finishSynth included), formatted. */
function synthHclFiles(env: ReturnType<typeof environment>): Record<string, string> {
  const outdir = mkdtempSync(path.join(tmpdir(), "core-hcl-"));
  // What the CLI sets for `--hcl`: a stack reads it when it is created, not from the App.
  process.env.SYNTH_HCL_OUTPUT = "true";
  try {
    const app = new App({ outdir, hclOutput: true });
    new CoreStack(app, "core", env);
    app.synth();
    finishSynth(app, PROJECT, ["core"]);
    const dir = path.join(outdir, "stacks", "core");
    formatHcl(dir);
    const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
    return {
      "cdk.tf": read("cdk.tf"),
      "versions.tf": read("versions.tf"),
      ".terraform.lock.hcl": read(".terraform.lock.hcl"),
    };
  } finally {
    delete process.env.SYNTH_HCL_OUTPUT;
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe("core stack, planned by the real Terraform", () => {
  planTest(
    reason
      ? `init, validate and plan (skipped: ${reason})`
      : "JSON and HCL: init (committed lock file), validate, plan -refresh=false: the same resources and values",
    async () => {
      const env = environment("dev", {
        network: { natGateways: "one-per-az" },
        cluster: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/admin"] },
        // nginx and two more apps, each with its own release project.
        apps: THREE_APPS,
      });
      const apps = Object.keys(env.apps).length;
      const lock = readFileSync(lockFilePath(PROJECT, "core"), "utf8");
      const [plan, fromHcl] = await Promise.all([
        planConfiguration(
          { "cdk.tf.json": synth((app) => new CoreStack(app, "core", env)), ".terraform.lock.hcl": lock },
          source,
        ),
        planConfiguration(synthHclFiles(env), source),
      ]);

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
        // One key for Secrets, one for the log groups (control plane and VPC flow logs), one for SOPS.
        aws_kms_key: 3,
        aws_kms_key_policy: 3,
        aws_cloudwatch_log_group: 2,
        aws_flow_log: 1,
        aws_eks_cluster: 1,
        // the configured admin, the pipeline's deploy role and Karpenter's nodes (EC2_LINUX)
        aws_eks_access_entry: 3,
        aws_eks_access_policy_association: 2,
        aws_eks_node_group: 1,
        aws_launch_template: 1,
        aws_eks_addon: env.cluster.addons.length,
        // image reflector, Karpenter, load balancer controller, external-dns, External Secrets,
        // kustomize-controller (SOPS)
        aws_eks_pod_identity_association: 6,
        // Karpenter: the interruption queue, five EventBridge rules, the security group's discovery tag
        aws_sqs_queue: 1,
        aws_sqs_queue_policy: 1,
        aws_cloudwatch_event_rule: 5,
        aws_cloudwatch_event_target: 5,
        aws_ec2_tag: 1,
        aws_ecr_repository: apps,
        aws_ecr_lifecycle_policy: apps,
        terraform_data: 1,
      });
      // cluster, node, EBS CSI, VPC CNI, image reflector, SOPS decrypt and flow log roles, dev's
      // add-ons: Karpenter's controller and nodes, the load balancer controller, external-dns and
      // External Secrets (dev runs Karpenter, so no cluster autoscaler), and one ECR push role per
      // release project (one per app here).
      expect(plan.countsByType.aws_iam_role).toBe(12 + apps);
      // Inline policies: eight roles' own, the two node roles' ECR pull scope, one per push role.
      expect(plan.countsByType.aws_iam_role_policy).toBe(10 + apps);
      const planned = (prefix: string) =>
        Object.entries(plan.plannedValues)
          .filter(([address]) => address.startsWith(prefix))
          .map(([, v]) => v as Json);
      expect(planned("aws_sqs_queue.karpenter")).toEqual([
        expect.objectContaining({
          name: "flux-dev-karpenter",
          message_retention_seconds: 300,
          sqs_managed_sse_enabled: true,
        }),
      ]);
      expect(planned("aws_subnet.network_private").map((s) => s.tags["karpenter.sh/discovery"])).toEqual(
        Array(zones).fill("flux-dev"),
      );
      expect(planned("aws_iam_role.cluster-autoscaler")).toEqual([]);

      // The HCL plans to exactly the same, resource by resource.
      expect(Object.keys(fromHcl.plannedValues).sort()).toEqual(Object.keys(plan.plannedValues).sort());
      for (const [address, values] of Object.entries(plan.plannedValues)) {
        expect({ address, values: fromHcl.plannedValues[address] }).toEqual({ address, values });
      }
      // The default security group keeps `ingress = []` and `egress = []`: empty, not unmanaged.
      const group = Object.entries(fromHcl.plannedValues).find(([a]) =>
        a.startsWith("aws_default_security_group."),
      )![1] as Json;
      expect({ ingress: group.ingress, egress: group.egress }).toEqual({ ingress: [], egress: [] });
    },
    180_000,
  );
});
