import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/load";
import {
  clusterRoleName,
  externalSecretsPrefix,
  karpenterNodeRoleName,
  karpenterQueueName,
  ROLE_PURPOSES,
} from "../config/names";
import { addonInstalled } from "../config/schema-addons";
import { ExternalDns } from "../constructs/core/addons/external-dns";
import { ExternalSecrets } from "../constructs/core/addons/external-secrets";
import { Karpenter } from "../constructs/core/addons/karpenter";
import { LoadBalancerController } from "../constructs/core/addons/load-balancer-controller";

/** The cluster the add-on identities belong to. */
export interface AddonCluster {
  /** The EKS cluster resource's name (a reference). */
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The security group EKS created for the cluster (Karpenter's discovery tag goes on it). */
  readonly clusterSecurityGroupId: string;
  /** AWS partition (a reference to aws_partition). */
  readonly partition: string;
  /** This environment's ECR repositories: the only ones of the account Karpenter's nodes may pull from. */
  readonly ecrRepositoriesArn: string;
}

/**
 * The AWS identities of the add-ons Flux installs, each created while the add-on is installed
 * (`enabled: true` or `"removing"`) and destroyed with `enabled: false`. The cluster autoscaler's
 * stays in the stack, at the Terraform address it had before the catalog.
 */
export function addonIdentities(scope: Construct, env: EnvironmentConfig, cluster: AddonCluster) {
  const { clusterName, clusterArn, partition } = cluster;
  const name = env.cluster.name;
  const installed = (addon: Parameters<typeof addonInstalled>[1]) => addonInstalled(env.addons, addon);
  return {
    karpenter: installed("karpenter")
      ? new Karpenter(scope, "karpenter", {
          ...cluster,
          name,
          region: env.region,
          roleName: clusterRoleName(env, ROLE_PURPOSES.karpenter),
          nodeRoleName: karpenterNodeRoleName(env),
          queueName: karpenterQueueName(env),
        })
      : undefined,
    loadBalancerController: installed("awsLoadBalancerController")
      ? new LoadBalancerController(scope, "load-balancer-controller", {
          name,
          clusterName,
          clusterArn,
          partition,
          roleName: clusterRoleName(env, ROLE_PURPOSES.loadBalancerController),
        })
      : undefined,
    externalDns: installed("externalDns")
      ? new ExternalDns(scope, "external-dns", {
          clusterName,
          clusterArn,
          partition,
          roleName: clusterRoleName(env, ROLE_PURPOSES.externalDns),
          zoneIds: env.addons.externalDns.zones.map((z) => z.id),
        })
      : undefined,
    externalSecrets: installed("externalSecrets")
      ? new ExternalSecrets(scope, "external-secrets", {
          clusterName,
          clusterArn,
          partition,
          region: env.region,
          roleName: clusterRoleName(env, ROLE_PURPOSES.externalSecrets),
          secretsPrefix: externalSecretsPrefix(env),
        })
      : undefined,
  };
}
