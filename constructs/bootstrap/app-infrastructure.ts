import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { appInfrastructureName } from "../../config/names";
import type { AppSettings, InfrastructureValue } from "../../config/schema-apps";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";

/** The values every app may pick, the same for all apps of the cluster (everything but ECR_REPOSITORY_URL). */
export type SharedInfrastructureValues = Record<Exclude<InfrastructureValue, "ECR_REPOSITORY_URL">, string>;

export interface AppInfrastructureProps {
  /**
   * The apps with a namespace here (deployed or `removing`), by name; only those with infrastructureValues get a
   * ConfigMap.
   */
  readonly apps: readonly (readonly [string, AppSettings])[];
  /** The cluster-wide values; Terraform references (tokens) are resolved at apply. */
  readonly values: SharedInfrastructureValues;
  /** The URL of an app's ECR repository (its image without tag). */
  readonly repositoryUrl: (app: string) => string;
  /** The Terraform-owned namespaces by name: each ConfigMap waits for its own, and goes before it on destroy. */
  readonly namespaces: Readonly<Record<string, ITerraformDependable>>;
  /** What must exist first besides the namespace (the Flux bootstrap). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Per-app hand-off of infrastructure values: one Terraform-owned ConfigMap `<app>-infrastructure`
 * in the app's namespace, holding only the values the app asked for, which its pods read with
 * `envFrom` (https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/).
 * Unlike cluster-vars it is not substituted into manifests: the values reach the running process,
 * and the app's manifests stay the same in every environment. It is not in Git, so Flux never
 * owns or prunes it; Terraform puts back any edit at its next apply.
 */
export class AppInfrastructure extends Construct {
  /** The ConfigMaps by app name. */
  public readonly configMaps: Readonly<Record<string, ConfigMapV1>>;
  /** Every ConfigMap, for `dependsOn`: the GitOps files wait for them, so no pod starts before its ConfigMap. */
  public readonly all: ConfigMapV1[];

  constructor(scope: Construct, id: string, props: AppInfrastructureProps) {
    super(scope, id);
    const configMaps: Record<string, ConfigMapV1> = {};
    for (const [name, app] of props.apps) {
      if (app.infrastructureValues.length === 0) continue;
      const known: Record<InfrastructureValue, string> = {
        ...props.values,
        ECR_REPOSITORY_URL: props.repositoryUrl(name),
      };
      const namespace = props.namespaces[app.namespace];
      if (!namespace)
        throw new Error(`AppInfrastructure: ${name}'s namespace ${app.namespace} is not one Terraform creates here`);
      // Ids are the app names, so adding or removing one app leaves the others in place.
      configMaps[name] = new ConfigMapV1(this, name, {
        metadata: { name: appInfrastructureName(name), namespace: app.namespace, labels: MANAGED_BY_TERRAFORM },
        data: Object.fromEntries([...app.infrastructureValues].sort().map((key) => [key, known[key]])),
        dependsOn: [...(props.dependsOn ?? []), namespace],
      });
    }
    this.configMaps = configMaps;
    this.all = Object.values(configMaps);
  }
}
