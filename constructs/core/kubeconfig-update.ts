import {
  anyToHclTerraform,
  anyToTerraform,
  hashMapper,
  hashMapperHcl,
  ITerraformDependable,
  TerraformResource,
} from "cdktf";
import { Construct } from "constructs";

export interface KubeconfigUpdateProps {
  /** The EKS cluster's name (a reference to the cluster, so the update waits for it). */
  readonly clusterName: string;
  /** The cluster's region. */
  readonly region: string;
  /** The cluster's ARN: a new cluster runs the update again. */
  readonly clusterArn: string;
  /** What must exist first (the node group, so kubectl finds a working cluster). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** The command that points kubectl at a cluster; also a core output. */
export function kubeconfigCommand(clusterName: string, region: string): string {
  return `aws eks update-kubeconfig --name ${clusterName} --region ${region}`;
}

/**
 * Runs `aws eks update-kubeconfig` on the deploying machine once the cluster exists, and again
 * when it is replaced. A `terraform_data` resource itself (not a wrapper), so its address
 * `terraform_data.update-kubeconfig` stays what it was when the stack declared it. Written on
 * TerraformResource, not cdktf's DataResource: that one runs `terraform version` at every synth to
 * check for >= 1.4, which required_version (stacks/terraform-settings.ts) already demands; the
 * JSON and HCL it writes are the same (the snapshots and the HCL export test compare them).
 * https://developer.hashicorp.com/terraform/language/resources/terraform-data
 */
export class KubeconfigUpdate extends TerraformResource {
  private readonly triggers: string[];

  constructor(scope: Construct, id: string, props: KubeconfigUpdateProps) {
    if (!props.region) throw new Error("KubeconfigUpdate: region is required");
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      provisioners: [{ type: "local-exec", command: kubeconfigCommand(props.clusterName, props.region) }],
      dependsOn: props.dependsOn,
    });
    this.triggers = [props.clusterArn];
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { triggers_replace: hashMapper(anyToTerraform)(this.triggers) };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return { triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggers) };
  }
}
