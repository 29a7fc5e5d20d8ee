import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { FLUX_NAMESPACE } from "../flux/api";

/**
 * The contract between Terraform and the GitOps content: the infrastructure values Flux
 * substitutes (`${VAR}`) after the build. Settings from the configuration are written at synth
 * instead (see SynthValues), because Flux substitutes into re-serialized YAML. The render check
 * fails on any `${VAR}` that is neither here nor carries a default (Flux 2.9 fails the build).
 */
export const CLUSTER_VARS = ["CLUSTER_NAME", "ENVIRONMENT", "AWS_REGION", "VPC_ID", "ECR_REGISTRY"] as const;
export type ClusterVar = (typeof CLUSTER_VARS)[number];

/** The ConfigMap Flux Kustomizations read with `postBuild.substituteFrom`. */
export const CLUSTER_VARS_NAME = "cluster-vars";

/** Marks what Terraform owns in the cluster, so nobody edits it by hand. */
export const MANAGED_BY_TERRAFORM = { "app.kubernetes.io/managed-by": "terraform" };

export interface ClusterVarsProps {
  /** A value for every key of CLUSTER_VARS. */
  readonly values: Record<ClusterVar, string>;
  /** What must exist first (the Flux bootstrap, which creates flux-system). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Hands the infrastructure values Terraform knows to Flux, through one object with a known
 * schema. https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
 */
export class ClusterVars extends Construct {
  public readonly configMap: ConfigMapV1;

  constructor(scope: Construct, id: string, props: ClusterVarsProps) {
    super(scope, id);
    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name: CLUSTER_VARS_NAME, namespace: FLUX_NAMESPACE, labels: MANAGED_BY_TERRAFORM },
      data: props.values,
      dependsOn: props.dependsOn,
    });
  }
}
