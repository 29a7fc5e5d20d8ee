import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

/** A service account of an add-on and the IAM role its pods assume through Pod Identity. */
export interface AddonIdentity {
  readonly serviceAccount: string;
  readonly roleArn: string;
}

export interface EksAddonsProps {
  /** The cluster the add-ons belong to. */
  readonly clusterName: string;
  /** Add-on names, e.g. `coredns`; EKS picks the default version for the cluster's Kubernetes version. */
  readonly names: string[];
  /** Add-on configuration (its configuration schema's values) by add-on name. @default {} */
  readonly configurations?: Record<string, Record<string, unknown>>;
  /** Pod Identity roles by add-on name. @default {} */
  readonly identities?: Record<string, AddonIdentity>;
  /** What the add-ons wait for (e.g. the node group, for add-ons whose pods need nodes). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * EKS managed add-ons. The cluster is created with `bootstrap_self_managed_addons = false`, so
 * these are the only copies; conflicts are resolved in favour of the managed configuration.
 * https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html
 */
export class EksAddons extends Construct {
  /** The add-ons by name. */
  public readonly addons: Record<string, EksAddon> = {};

  constructor(scope: Construct, id: string, props: EksAddonsProps) {
    super(scope, id);
    const duplicates = props.names.filter((n, i) => props.names.indexOf(n) !== i);
    if (duplicates.length) throw new Error(`EksAddons: ${duplicates.join(", ")} listed twice`);
    const stray = [...Object.keys(props.identities ?? {}), ...Object.keys(props.configurations ?? {})].filter(
      (n) => !props.names.includes(n),
    );
    if (stray.length)
      throw new Error(`EksAddons: identities or configurations for add-ons not in names: ${stray.join(", ")}`);
    for (const name of props.names) {
      const identity = props.identities?.[name];
      this.addons[name] = new EksAddon(this, name, {
        clusterName: props.clusterName,
        addonName: name,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        podIdentityAssociation: identity ? [identity] : undefined,
        configurationValues: props.configurations?.[name] && JSON.stringify(props.configurations[name]),
        dependsOn: props.dependsOn,
      });
    }
  }

  /** Every add-on, for `dependsOn` lists. */
  get all(): EksAddon[] {
    return Object.values(this.addons);
  }
}
