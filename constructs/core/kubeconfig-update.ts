import { DataResource, ITerraformDependable } from "cdktf";
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
 * `terraform_data.update-kubeconfig` stays what it was when the stack declared it.
 * https://developer.hashicorp.com/terraform/language/resources/terraform-data
 */
export class KubeconfigUpdate extends DataResource {
  constructor(scope: Construct, id: string, props: KubeconfigUpdateProps) {
    if (!props.region) throw new Error("KubeconfigUpdate: region is required");
    super(scope, id, {
      triggersReplace: [props.clusterArn],
      provisioners: [{ type: "local-exec", command: kubeconfigCommand(props.clusterName, props.region) }],
      dependsOn: props.dependsOn,
    });
  }
}
