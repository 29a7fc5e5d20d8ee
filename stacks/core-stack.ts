import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { TerraformOutput, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/load";
import {
  ciRoleArn,
  clusterRoleName,
  ecrPushRoleName,
  ecrRepositoryName,
  installedApps,
  flowLogGroupName,
  gitlabIssuerHost,
  gitlabOidcProviderArn,
  KARPENTER_DISCOVERY_TAG,
  releaseProjects,
  ROLE_PURPOSES,
  sopsKeyAlias,
} from "../config/names";
import { ADDONS_BEFORE_NODES } from "../config/schema";
import { addonInstalled } from "../config/schema-addons";
import { ClusterAutoscalerIdentity } from "../constructs/core/cluster-autoscaler-identity";
import { ContainerRegistry, ecrReadPolicy, environmentRepositoriesArn } from "../constructs/core/container-registry";
import { accountOf } from "../constructs/core/policy-document";
import { EksAddons } from "../constructs/core/eks-addons";
import { EcrPushRole } from "../constructs/core/ecr-push-role";
import { controlPlaneLogGroup, EksCluster } from "../constructs/core/eks-cluster";
import { LogsKey } from "../constructs/core/logs-key";
import { KubeconfigUpdate, kubeconfigCommand } from "../constructs/core/kubeconfig-update";
import { IMAGE_REFLECTOR } from "../constructs/flux/api";
import { Network } from "../constructs/core/network";
import { NodeGroup } from "../constructs/core/node-group";
import { PodIdentityRole } from "../constructs/core/pod-identity-role";
import { SopsKey } from "../constructs/core/sops-key";
import { addonIdentities } from "./core-addons";
import { awsProvider } from "./aws-provider";
import { pinTerraform } from "./terraform-settings";
import { configureBackend } from "./state";

/** The outputs the bootstrap stack reads through remote state. Renaming one breaks bootstrap. */
export const CORE_OUTPUTS = {
  clusterName: "cluster_name",
  clusterEndpoint: "cluster_endpoint",
  clusterCaData: "cluster_certificate_authority_data",
  region: "region",
  vpcId: "vpc_id",
  ecrRegistry: "ecr_registry",
  ecrRepositoryUrls: "ecr_repository_urls",
  configureKubectl: "configure_kubectl",
  imageReflectorRoleArn: "image_reflector_role_arn",
  clusterAutoscalerRoleArn: "cluster_autoscaler_role_arn",
} as const;

/** Core's output of the SOPS key's ARN, when `secrets.sops.enabled`. */
export const SOPS_KEY_OUTPUT = "sops_key_arn";

/**
 * The AWS half: network, EKS, ECR and the AWS identities Flux and the autoscaler use.
 * It speaks to AWS only and calls no AWS API at plan time, so it plans without credentials.
 */
export class CoreStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    configureBackend(this, env, "core");
    awsProvider(this, env);
    const partitionData = new DataAwsPartition(this, "partition");
    const partition = partitionData.partition;
    const name = env.cluster.name;

    // One key for every log group of the cluster, another (in EksCluster) for its Secrets.
    const flowLogGroup = flowLogGroupName(env);
    const logsKey = new LogsKey(this, "logs-key", {
      name,
      partition,
      region: env.region,
      logGroupNames: [controlPlaneLogGroup(name), flowLogGroup],
    });
    const logs = { arn: logsKey.key.arn, ready: logsKey.policy };
    const { flowLogRetentionDays, ...networkSettings } = env.network;
    const network = new Network(this, "network", {
      name,
      ...networkSettings,
      // Karpenter launches nodes into the subnets carrying its discovery tag.
      privateSubnetTags: addonInstalled(env.addons, "karpenter") ? { [KARPENTER_DISCOVERY_TAG]: name } : {},
      flowLogs: {
        logGroupName: flowLogGroup,
        retentionDays: flowLogRetentionDays,
        kmsKeyArn: logs.arn,
        ready: logs.ready,
      },
    });
    const eks = new EksCluster(this, "eks", {
      ...env.cluster,
      partition,
      region: env.region,
      subnetIds: network.privateSubnetIds,
      logsKey: logs,
      // The pipeline's deploy role (ci stack) runs bootstrap, which needs cluster-admin.
      adminPrincipalArns: [...env.cluster.adminPrincipalArns, ...(env.delivery ? [ciRoleArn(env, "deploy")] : [])],
    });
    const clusterName = eks.cluster.name;
    const cluster = { clusterName, clusterArn: eks.cluster.arn };
    // The account comes from the cluster's ARN (no AWS API call at plan). This environment's
    // repositories (`<environment>/*`): what its nodes may pull and Flux may read, from the account.
    const account = accountOf(eks.cluster.arn);
    const ecrRepositoriesArn = environmentRepositoriesArn({
      partition,
      region: env.region,
      account,
      environment: env.name,
    });

    // The add-ons' AWS permissions, each through a Pod Identity role the add-on declares.
    const addonRole = (
      id: string,
      purpose: "ebsCsi" | "vpcCni",
      account: { namespace: string; serviceAccount: string },
      policy: string,
    ) =>
      new PodIdentityRole(this, id, {
        roleName: clusterRoleName(env, ROLE_PURPOSES[purpose]),
        ...cluster,
        ...account,
        managedPolicyArns: [`arn:${partition}:iam::aws:policy/${policy}`],
        associate: false,
      });
    const ebsCsi = { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" };
    const vpcCni = { namespace: "kube-system", serviceAccount: "aws-node" };
    const ebsCsiRole = addonRole("ebs-csi-identity", "ebsCsi", ebsCsi, "service-role/AmazonEBSCSIDriverPolicy");
    const vpcCniRole = addonRole("vpc-cni-identity", "vpcCni", vpcCni, "AmazonEKS_CNI_Policy");
    const identities = {
      "aws-ebs-csi-driver": { serviceAccount: ebsCsi.serviceAccount, roleArn: ebsCsiRole.role.arn },
      "vpc-cni": { serviceAccount: vpcCni.serviceAccount, roleArn: vpcCniRole.role.arn },
    };
    // The VPC CNI's network policy agent enforces NetworkPolicies (off by default on EKS).
    const configurations = { "vpc-cni": { enableNetworkPolicy: "true" } };
    const only = <T>(names: string[], byAddon: Record<string, T>) =>
      Object.fromEntries(Object.entries(byAddon).filter(([addon]) => names.includes(addon)));
    const before = env.cluster.addons.filter((a) => (ADDONS_BEFORE_NODES as readonly string[]).includes(a));
    const after = env.cluster.addons.filter((a) => !before.includes(a));
    const nodeAddons = new EksAddons(this, "addons-before-nodes", {
      clusterName,
      names: before,
      identities: only(before, identities),
      configurations: only(before, configurations),
    });
    const nodes = new NodeGroup(this, "nodes", {
      ...env.nodeGroup,
      clusterName,
      partition,
      subnetIds: network.privateSubnetIds,
      clusterArn: eks.cluster.arn,
      ecrRepositoriesArn,
      dependsOn: nodeAddons.all,
    });
    new EksAddons(this, "addons", {
      clusterName,
      names: after,
      identities: only(after, identities),
      dependsOn: [nodes.nodeGroup],
    });

    // One repository per app and environment (`<environment>/<app>`): dev and prod may share an
    // account. Ids come from the app name, so removing an app removes only its repository.
    // Deployed apps, and those on their way out: the cluster may pull from a repository until Flux has pruned.
    const apps = installedApps(env);
    const registries = new Map(
      apps.map(([app]) => [
        app,
        new ContainerRegistry(this, `ecr-${app}`, { ...env.ecr, repositoryName: ecrRepositoryName(env, app) }),
      ]),
    );
    // The registry host, one for every app.
    const registryHost = `${account}.dkr.ecr.${env.region}.${partitionData.dnsSuffix}`;
    // Flux's image-reflector-controller reads ECR tags with this role (ImageRepository
    // `provider: aws`): no static keys in the cluster, no credential-sync CronJob.
    const reflector = new PodIdentityRole(this, "image-reflector-identity", {
      roleName: clusterRoleName(env, ROLE_PURPOSES.imageReflector),
      ...cluster,
      ...IMAGE_REFLECTOR,
      // This environment's repositories only (`<environment>/*`), not every repository in the
      // account; one prefix keeps the policy's size fixed however many apps there are.
      inlinePolicy: ecrReadPolicy(ecrRepositoriesArn),
    });
    // Each release project's tag pipelines push to its apps' repositories (ci/app.gitlab-ci.yml), by OIDC.
    const pushRoles = [...releaseProjects(env)].map(
      ([project, appNames]) =>
        [
          project,
          new EcrPushRole(this, `ecr-push-${project.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase()}`, {
            roleName: ecrPushRoleName(env, project),
            providerArn: gitlabOidcProviderArn(env),
            issuerHost: gitlabIssuerHost(env),
            appProject: project,
            repositoryArns: appNames.map((a) => registries.get(a)!.repository.arn),
          }),
        ] as const,
    );
    // The add-ons Flux installs (README "Add-ons"): each one's AWS side exists while it is installed.
    const autoscaler = addonInstalled(env.addons, "clusterAutoscaler")
      ? new ClusterAutoscalerIdentity(this, "cluster-autoscaler-identity", {
          name,
          ...cluster,
          roleName: clusterRoleName(env, ROLE_PURPOSES.clusterAutoscaler),
        })
      : undefined;
    addonIdentities(this, env, {
      ...cluster,
      partition,
      ecrRepositoriesArn,
      clusterSecurityGroupId: eks.cluster.vpcConfig.clusterSecurityGroupId,
    });

    // SOPS: people and the pipeline encrypt app secrets with this key; kustomize-controller alone decrypts.
    const sops = env.secrets.sops.enabled
      ? new SopsKey(this, "sops-key", {
          name,
          alias: sopsKeyAlias(env),
          partition,
          encryptorArns: [
            ...new Set([...env.secrets.sops.encryptors, ...(env.delivery ? [ciRoleArn(env, "deploy")] : [])]),
          ],
          ...cluster,
          decryptorRoleName: clusterRoleName(env, ROLE_PURPOSES.sopsDecrypt),
        })
      : undefined;

    if (env.cluster.updateKubeconfig) {
      new KubeconfigUpdate(this, "update-kubeconfig", {
        clusterName: name,
        region: env.region,
        clusterArn: eks.cluster.arn,
        dependsOn: [nodes.nodeGroup],
      });
    }

    const outputs: Record<keyof typeof CORE_OUTPUTS, { value: unknown; description: string } | undefined> = {
      clusterName: { value: clusterName, description: "EKS cluster name" },
      clusterEndpoint: { value: eks.cluster.endpoint, description: "Kubernetes API server URL" },
      clusterCaData: {
        value: eks.cluster.certificateAuthority.get(0).data,
        description: "Cluster CA certificate, base64-encoded PEM",
      },
      region: { value: env.region, description: "AWS region" },
      vpcId: { value: network.vpc.id, description: "VPC id" },
      ecrRegistry: { value: registryHost, description: "ECR registry host of every app repository" },
      ecrRepositoryUrls: {
        // A map as a token: cdktf's own walk of an object output calls Node's deprecated util.isArray.
        value: Token.asAny(Object.fromEntries([...registries].map(([app, r]) => [app, r.repository.repositoryUrl]))),
        description: "ECR repository URL of each app, by app name (push images here)",
      },
      configureKubectl: {
        value: kubeconfigCommand(clusterName, env.region),
        description: "Point kubectl at the cluster",
      },
      imageReflectorRoleArn: { value: reflector.role.arn, description: "IAM role Flux reads ECR tags with" },
      // Only while the cluster autoscaler is installed; bootstrap does not read it.
      clusterAutoscalerRoleArn: autoscaler && {
        value: autoscaler.role.arn,
        description: "IAM role of the cluster autoscaler",
      },
    };
    if (pushRoles.length > 0) {
      new TerraformOutput(this, "ecr_push_role_arns", {
        value: Token.asAny(Object.fromEntries(pushRoles.map(([project, role]) => [project, role.ciRole.role.arn]))),
        description: "AWS_ROLE_ARN of each release project's image push job, by project path",
      });
    }
    if (sops) {
      // Read by bootstrap for .sops.yaml when the account is not known at synth (no `delivery`).
      new TerraformOutput(this, SOPS_KEY_OUTPUT, { value: sops.key.arn, description: "KMS key SOPS encrypts with" });
    }
    for (const [key, output] of Object.entries(outputs)) {
      if (output) new TerraformOutput(this, CORE_OUTPUTS[key as keyof typeof CORE_OUTPUTS], output);
    }
    pinTerraform(this);
  }
}
