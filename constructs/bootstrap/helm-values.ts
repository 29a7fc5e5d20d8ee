import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";
import { K8S_NAME } from "../../config/rules";
import { FLUX_NAMESPACE } from "../flux/api";

export interface HelmValuesProps {
  /** The HelmRelease whose `valuesFrom` reads this ConfigMap; it is named `<release>-values`. */
  readonly release: string;
  /** Helm values; Terraform references (tokens) are resolved at apply. */
  readonly values: Record<string, unknown>;
  /** Namespace of the HelmRelease. @default "flux-system" */
  readonly namespace?: string;
  /** What must exist first. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** https://fluxcd.io/flux/components/helm/helmreleases/#reacting-immediately-to-configuration-dependencies */
export const FLUX_WATCH_LABEL = "reconcile.fluxcd.io/watch";

/** The key the HelmRelease's valuesFrom names. */
export const HELM_VALUES_KEY = "values.yaml";

/**
 * Per-service hand-off: one Terraform-owned ConfigMap of Helm values for one Flux HelmRelease.
 * https://fluxcd.io/flux/components/helm/helmreleases/#values-references
 */
export class HelmValues extends Construct {
  public readonly configMap: ConfigMapV1;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: HelmValuesProps) {
    super(scope, id);
    // `<release>-values` must be a ConfigMap name, and the HelmRelease's valuesFrom names it.
    if (!K8S_NAME.test(props.release)) {
      throw new Error(
        `HelmValues: release "${props.release}" must be a Kubernetes name (lowercase letters, digits, inner '-')`,
      );
    }
    this.name = `${props.release}-values`;
    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: {
        name: this.name,
        namespace: props.namespace ?? FLUX_NAMESPACE,
        // helm-controller watches ConfigMaps with this label: a change Terraform makes reaches the
        // release at once, not at the HelmRelease's next interval.
        labels: { ...MANAGED_BY_TERRAFORM, [FLUX_WATCH_LABEL]: "Enabled" },
      },
      data: { [HELM_VALUES_KEY]: Fn.yamlencode(props.values) },
      dependsOn: props.dependsOn,
    });
  }
}
