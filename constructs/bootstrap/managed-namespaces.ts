import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";

export interface ManagedNamespacesProps {
  /** Namespace names. */
  readonly names: string[];
  /** Another owner labels and annotates them (Flux does its own namespace): Terraform leaves those alone. @default false */
  readonly labelsOwnedElsewhere?: boolean;
  /** What must exist first. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** Namespaces Terraform creates and owns, labelled so; Flux deploys into them. */
export class ManagedNamespaces extends Construct {
  public readonly namespaces: NamespaceV1[];

  constructor(scope: Construct, id: string, props: ManagedNamespacesProps) {
    super(scope, id);
    // Ids are the names, so adding or removing one leaves the others in place.
    this.namespaces = props.names.map(
      (name) =>
        new NamespaceV1(this, name, {
          metadata: { name, labels: { ...MANAGED_BY_TERRAFORM, "gitops.flux/owner": "terraform" } },
          dependsOn: props.dependsOn,
          lifecycle: props.labelsOwnedElsewhere ? { ignoreChanges: ["metadata[0].labels", "metadata[0].annotations"] } : undefined,
        }),
    );
  }
}
