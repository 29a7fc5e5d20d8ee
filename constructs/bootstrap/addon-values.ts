import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { addonInstalled, AddonName, AddonsSettings } from "../../config/schema-addons";
import { CLUSTER_AUTOSCALER_VERSIONS, KubernetesVersion } from "../../config/versions";
import { HelmValues } from "./helm-values";

/**
 * The per-environment half of each add-on's Helm values, typed: what only Terraform knows (the
 * cluster's name, region and VPC id, read from core) and what the configuration says. Settings
 * every environment shares stay inline in the HelmRelease, in Git. No add-on here takes a
 * sensitive value (AWS access is EKS Pod Identity, bound in core); one that appears later comes
 * from AWS Secrets Manager through the ClusterSecretStore, never from these ConfigMaps.
 */
export interface KarpenterValues {
  readonly settings: { readonly clusterName: string; readonly interruptionQueue: string };
  /** The region, given: the node group's IMDS hop limit keeps pods from asking the instance. */
  readonly controller: { readonly env: readonly { readonly name: "AWS_REGION"; readonly value: string }[] };
  /** Two controllers where the node group keeps two nodes (one per node, by anti-affinity). */
  readonly replicas: number;
}
export interface LoadBalancerControllerValues {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
}
export interface ExternalDnsValues {
  readonly domainFilters: readonly string[];
  readonly extraArgs: { readonly "zone-id-filter": readonly string[] };
  readonly policy: "upsert-only" | "sync";
  /** Marks the records this cluster owns, so clusters sharing a zone leave each other's alone. */
  readonly txtOwnerId: string;
  readonly env: readonly { readonly name: "AWS_DEFAULT_REGION"; readonly value: string }[];
}
export interface HeadlampValues {
  /** The name the dashboard shows for this cluster. */
  readonly config: { readonly inClusterContextName: string };
}
export interface ClusterAutoscalerValues {
  readonly awsRegion: string;
  readonly autoDiscovery: { readonly clusterName: string };
  /** The image whose minor matches the cluster's. */
  readonly image: { readonly tag: string };
}
/** Add-ons with nothing per environment yet: their ConfigMap is the place such a value goes. */
export type NoValues = Record<string, never>;

/** Each Helm add-on's release, and the type of its values ConfigMap. gp3StorageClass is no chart. */
export interface AddonHelmValues {
  karpenter: KarpenterValues;
  awsLoadBalancerController: LoadBalancerControllerValues;
  externalDns: ExternalDnsValues;
  externalSecrets: NoValues;
  metricsServer: NoValues;
  reloader: NoValues;
  headlamp: HeadlampValues;
  clusterAutoscaler: ClusterAutoscalerValues;
}
export type HelmAddon = keyof AddonHelmValues;

/** The HelmRelease of each Helm add-on (its ConfigMap is `<release>-values`). */
export const ADDON_RELEASES: Record<HelmAddon, string> = {
  karpenter: "karpenter",
  awsLoadBalancerController: "aws-load-balancer-controller",
  externalDns: "external-dns",
  externalSecrets: "external-secrets",
  metricsServer: "metrics-server",
  reloader: "reloader",
  headlamp: "headlamp",
  clusterAutoscaler: "cluster-autoscaler",
};

/** What the add-ons' values are made of. Terraform references (tokens) resolve at apply. */
export interface AddonValuesInput {
  readonly addons: AddonsSettings;
  /** The cluster's name, from core. */
  readonly clusterName: string;
  /** The region, from core. */
  readonly region: string;
  /** The VPC id, from core. */
  readonly vpcId: string;
  readonly kubernetesVersion: KubernetesVersion;
  /** The managed node group's minimum size (Karpenter's controllers run there). */
  readonly nodeGroupMinSize: number;
  /** Karpenter's SQS interruption queue (config/names.ts karpenterQueueName). */
  readonly karpenterQueueName: string;
  /** external-dns's owner id: the cluster's name as configured, known at synth. */
  readonly txtOwnerId: string;
}

/** The values of every installed Helm add-on, by add-on. */
export function addonHelmValues(input: AddonValuesInput): Partial<AddonHelmValues> {
  const { addons } = input;
  const all: AddonHelmValues = {
    karpenter: {
      settings: { clusterName: input.clusterName, interruptionQueue: input.karpenterQueueName },
      controller: { env: [{ name: "AWS_REGION", value: input.region }] },
      replicas: input.nodeGroupMinSize >= 2 ? 2 : 1,
    },
    awsLoadBalancerController: { clusterName: input.clusterName, region: input.region, vpcId: input.vpcId },
    externalDns: {
      domainFilters: addons.externalDns.zones.map((z) => z.domain),
      extraArgs: { "zone-id-filter": addons.externalDns.zones.map((z) => z.id) },
      policy: addons.externalDns.policy,
      txtOwnerId: input.txtOwnerId,
      env: [{ name: "AWS_DEFAULT_REGION", value: input.region }],
    },
    externalSecrets: {},
    metricsServer: {},
    reloader: {},
    headlamp: { config: { inClusterContextName: input.clusterName } },
    clusterAutoscaler: {
      awsRegion: input.region,
      autoDiscovery: { clusterName: input.clusterName },
      image: { tag: CLUSTER_AUTOSCALER_VERSIONS.image[input.kubernetesVersion] },
    },
  };
  return Object.fromEntries(
    (Object.keys(all) as HelmAddon[])
      .filter((name) => addonInstalled(addons, name as AddonName))
      .map((name) => [name, all[name]]),
  ) as Partial<AddonHelmValues>;
}

export interface AddonValuesProps extends AddonValuesInput {
  /** What must exist first (the Flux bootstrap, which creates flux-system). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One Terraform-owned values ConfigMap per installed Helm add-on (`<release>-values` in
 * flux-system, read by the HelmRelease's `valuesFrom`). An add-on set to `removing` keeps its
 * ConfigMap: its controller still runs until it is `false`.
 */
export class AddonValues extends Construct {
  /** The ConfigMaps, by add-on. */
  public readonly configMaps: Partial<Record<HelmAddon, ConfigMapV1>> = {};

  constructor(scope: Construct, id: string, props: AddonValuesProps) {
    super(scope, id);
    const values = addonHelmValues(props);
    for (const name of Object.keys(values) as HelmAddon[]) {
      const release = ADDON_RELEASES[name];
      const helmValues = new HelmValues(this, `${release}-values`, {
        release,
        values: values[name] as unknown as Record<string, unknown>,
        dependsOn: props.dependsOn,
      });
      this.configMaps[name] = helmValues.configMap;
    }
  }

  /** Every ConfigMap, for what must wait on them (the files whose HelmReleases read them). */
  get all(): ConfigMapV1[] {
    return Object.values(this.configMaps);
  }
}
