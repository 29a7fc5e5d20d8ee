import { DataGitlabGroup } from "@cdktf/provider-gitlab/lib/data-gitlab-group";
import { DataGitlabProject } from "@cdktf/provider-gitlab/lib/data-gitlab-project";
import { Project } from "@cdktf/provider-gitlab/lib/project";
import { GitlabProvider } from "@cdktf/provider-gitlab/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { Fn, ITerraformDependable, TerraformOutput, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/load";
import { addonInstalled } from "../config/schema-addons";
import { knownHosts, webhookSourceRanges } from "../config/gitlab-com";
import {
  ecrRepositoryName,
  enabledApps,
  externalSecretsPrefix,
  gitopsProjectPath,
  gitSshUrl,
  gitlabIssuerHost,
  imageReceiverAudience,
  installedApps,
  karpenterNodeRoleName,
  karpenterQueueName,
  managedNamespaces,
  receiverPath,
  releaseProjects,
  secretsPath,
  sopsKeyAliasArn,
  syncPath,
} from "../config/names";
import { KubernetesVersion } from "../config/versions";
import {
  ADDON_LAYERS,
  ADDON_PINS,
  addonGeneratedFiles,
  addonSelection,
  layerKustomizationName,
} from "../constructs/bootstrap/addon-layers";
import { AddonValues } from "../constructs/bootstrap/addon-values";
import { Alerts } from "../constructs/bootstrap/alerts";
import { AppInfrastructure } from "../constructs/bootstrap/app-infrastructure";
import { appFiles, ECR_REGISTRY_VAR } from "../constructs/bootstrap/app-files";
import { BranchProtection } from "../constructs/bootstrap/branch-protection";
import { CLUSTER_VARS_NAME, ClusterVars } from "../constructs/bootstrap/cluster-vars";
import { CommitStatus } from "../constructs/bootstrap/commit-status";
import { DeployKey } from "../constructs/bootstrap/deploy-key";
import {
  APPS_RECONCILER,
  FLUX_NAMESPACE,
  FLUX_SOURCE_NAME,
  IMAGE_AUTOMATION_COMPONENTS,
  IMAGE_RECEIVER,
  SECRETS_KUSTOMIZATION,
} from "../constructs/flux/api";
import { FluxBootstrapGit } from "../constructs/flux/bootstrap-git";
import { FluxProvider } from "../constructs/flux/provider";
import { Feature, GitopsFiles, RenderedFile } from "../constructs/bootstrap/gitops-files";
import { ManagedNamespaces } from "../constructs/bootstrap/managed-namespaces";
import { sopsConfigFile } from "../constructs/bootstrap/sops-config";
import { TenantReconciler } from "../constructs/bootstrap/tenant-reconciler";
import { WebhookDns } from "../constructs/bootstrap/webhook-dns";
import { WebhookReceiver } from "../constructs/bootstrap/webhook-receiver";
import { CORE_OUTPUTS, SOPS_KEY_OUTPUT } from "./core-stack";
import { awsProvider } from "./aws-provider";
import { pinTerraform } from "./terraform-settings";
import { configureBackend, remoteState } from "./state";

/**
 * Whether the name the webhook's callers use resolves: the load balancer's own (plain HTTP), or
 * the TLS hostname when bootstrap creates its record (`route53Zone`) or the user says they made
 * it (`dnsRecordExists`). Until then nothing is pointed at it: GitLab disables failing hooks.
 */
export function webhookHostResolves(env: EnvironmentConfig): boolean {
  const { hostname, route53Zone, dnsRecordExists } = env.gitops.webhook;
  return !hostname || route53Zone !== undefined || dnsRecordExists;
}

/** The opt-in GitOps features an environment turns on. */
export function gitopsFeatures(env: EnvironmentConfig): Feature[] {
  const features: Feature[] = [];
  if (env.gitops.webhook.enabled) features.push("webhook");
  if (env.gitops.commitStatus.enabled) features.push("commit-status");
  if (env.secrets.sops.enabled) features.push("secrets");
  // The app's release pipeline reaches the Receiver through the webhook's TLS load balancer, by
  // a hostname that resolves; GitLab's ID tokens name an https issuer.
  const https = env.gitlab.baseUrl.startsWith("https://");
  const { enabled, hostname } = env.gitops.webhook;
  if (releaseProjects(env).size > 0 && enabled && hostname && webhookHostResolves(env) && https)
    features.push("image-receiver");
  return features;
}

/**
 * The GitOps half: Flux on the cluster, wired to the GitLab project, with the values and files
 * it needs. It reads core's outputs from remote state (no automatic cross-stack references), so
 * `cdktf deploy core` and `cdktf deploy bootstrap` stay two separate commands.
 */
export class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    configureBackend(this, env, "bootstrap");
    const core = remoteState(this, "core", env, "core");
    const clusterName = core.getString(CORE_OUTPUTS.clusterName);
    const region = core.getString(CORE_OUTPUTS.region);

    // Written once, shared by the kubernetes and flux providers. `aws eks get-token` runs for
    // each connection, so a long bootstrap never outlives its token.
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
    };
    const cluster = {
      host: core.getString(CORE_OUTPUTS.clusterEndpoint),
      clusterCaCertificate: Fn.base64decode(core.getString(CORE_OUTPUTS.clusterCaData)),
    };
    // The kubernetes provider takes exec as a block (a list), the flux provider as an object.
    new KubernetesProvider(this, "kubernetes", { ...cluster, exec: [exec] });
    // The token comes from GITLAB_TOKEN in the environment, never from configuration.
    new GitlabProvider(this, "gitlab", { baseUrl: `${env.gitlab.baseUrl}/api/v4/` });
    new TlsProvider(this, "tls", {});
    // Always configured, though only the webhook's DNS record uses it: a record left in state after
    // the zone (or the webhook) leaves the configuration needs its provider to be destroyed, and
    // an unconfigured aws provider fails the plan instead. The credentials are the ones
    // `aws eks get-token` uses anyway.
    awsProvider(this, env);

    const { id: projectId, defaultBranch } = this.gitlabProject(env);
    // Terraform owns Flux's namespace and the Secret Flux clones with, so a rotated key reaches
    // the cluster (the provider never rewrites a Secret it created). Flux labels the namespace.
    const fluxNamespace = new ManagedNamespaces(this, "flux-namespace", {
      names: [FLUX_NAMESPACE],
      labelsOwnedElsewhere: true,
    });
    const key = new DeployKey(this, "flux-deploy-key", {
      project: projectId,
      title: `Flux (${env.name}/${env.cluster.name})`,
      secret: { namespace: FLUX_NAMESPACE, name: FLUX_SOURCE_NAME },
      knownHosts: knownHosts(env),
      dependsOn: fluxNamespace.namespaces,
    });
    const fluxMayPush: ITerraformDependable[] = [key.deployKey, key.secret];
    if (env.gitlab.protectBranch) {
      const protection = new BranchProtection(this, "branch-protection", {
        project: projectId,
        branch: env.gitlab.branch,
        deployKeyId: key.deployKey.deployKeyId,
        defaultBranch,
      });
      fluxMayPush.push(protection.protection);
    }

    new FluxProvider(this, "flux", {
      kubernetes: { ...cluster, exec },
      git: {
        url: gitSshUrl(env),
        branch: env.gitlab.branch,
        ssh: { username: "git", privateKey: key.privateKey.privateKeyPem },
      },
    });
    const flux = new FluxBootstrapGit(this, "flux-bootstrap", {
      path: syncPath(env),
      embeddedManifests: true,
      componentsExtra: IMAGE_AUTOMATION_COMPONENTS,
      disableSecretCreation: true,
      secretName: FLUX_SOURCE_NAME,
      // The namespace and the Secret are Terraform's; destroying Flux leaves them to Terraform.
      keepNamespace: true,
      dependsOn: fluxMayPush,
    });

    // gitops.namespaces and the apps' namespaces: one that no app and no setting names any more goes.
    const owned = managedNamespaces(env);
    const namespaces = new ManagedNamespaces(this, "namespaces", { names: owned, dependsOn: [flux] });
    const reconciler = new TenantReconciler(this, "apps-reconciler", {
      name: APPS_RECONCILER.name,
      fluxNamespace: FLUX_NAMESPACE,
      namespaces: owned,
      fluxResources: APPS_RECONCILER.fluxResources.map((r) => ({ apiGroup: r.apiGroup, resources: [...r.resources] })),
      // The secrets Kustomization applies the decrypted Secrets as this account.
      manageSecrets: env.secrets.sops.enabled,
      // Apps ask the External Secrets add-on's ClusterSecretStore for Secrets with ExternalSecrets.
      manageExternalSecrets: addonInstalled(env.addons, "externalSecrets"),
      dependsOn: namespaces.namespaces,
    });
    const registry = core.getString(CORE_OUTPUTS.ecrRegistry);
    const vars = new ClusterVars(this, "cluster-vars", {
      values: {
        CLUSTER_NAME: clusterName,
        ENVIRONMENT: env.name,
        AWS_REGION: region,
        VPC_ID: core.getString(CORE_OUTPUTS.vpcId),
        // One registry host for every app: images are ${ECR_REGISTRY}/<environment>/<app>.
        [ECR_REGISTRY_VAR]: registry,
      },
      dependsOn: [flux],
    });
    // The apps' own infrastructure values (apps.<name>.infrastructureValues), kept while an app is
    // "removing" and gone with its namespace.
    const appInfrastructure = new AppInfrastructure(this, "app-infrastructure", {
      apps: installedApps(env),
      values: {
        AWS_REGION: region,
        CLUSTER_NAME: clusterName,
        ENVIRONMENT: env.name,
        // The registry host is `<account>.dkr.ecr.<region>.<suffix>`: no AWS API call, no new core output.
        AWS_ACCOUNT_ID: Fn.element(Fn.split(".", registry), 0),
      },
      repositoryUrl: (app) => `${registry}/${ecrRepositoryName(env, app)}`,
      namespaces: Object.fromEntries(owned.map((name, i) => [name, namespaces.namespaces[i]])),
      dependsOn: [flux],
    });

    // --- The add-on catalog (README "Add-ons"): one Terraform-owned values ConfigMap per
    // installed Helm add-on; their folders and layer lists are committed with the files below.
    const addonValues = new AddonValues(this, "addon-values", {
      addons: env.addons,
      clusterName,
      region,
      vpcId: core.getString(CORE_OUTPUTS.vpcId),
      kubernetesVersion: env.cluster.kubernetesVersion as KubernetesVersion,
      nodeGroupMinSize: env.nodeGroup.minSize,
      karpenterQueueName: karpenterQueueName(env),
      txtOwnerId: env.cluster.name,
      dependsOn: [flux],
    });
    // Its address before the catalog existed: the ConfigMap moves in place instead of being replaced.
    addonValues.configMaps.clusterAutoscaler?.moveFromId(
      "kubernetes_config_map_v1.cluster-autoscaler-values_config-map_911D2941",
    );
    const addons = addonSelection(env.addons);
    const addonFiles = addonGeneratedFiles(env.addons);
    // --- end of the add-on catalog

    const handoff: ITerraformDependable[] = [
      ...namespaces.namespaces,
      ...reconciler.all,
      vars.configMap,
      ...appInfrastructure.all,
      ...addonValues.all,
    ];
    const { webhook, commitStatus } = env.gitops;
    if (webhook.enabled) {
      new RandomProvider(this, "random", {});
      const receiver = new WebhookReceiver(this, "webhook", {
        project: projectId,
        branch: env.gitlab.branch,
        hostname: webhook.hostname,
        certificateArn: webhook.certificateArn,
        sourceRanges: webhookSourceRanges(env),
        dependsOn: [flux],
      });
      if (webhook.route53Zone && webhook.hostname) {
        const dns = new WebhookDns(this, "webhook-dns", {
          zoneId: webhook.route53Zone.id,
          hostname: webhook.hostname,
          loadBalancerHostname: receiver.loadBalancerHostname,
        });
        handoff.push(receiver.addHook([dns.record]));
      } else if (webhookHostResolves(env)) {
        handoff.push(receiver.addHook());
      }
      new TerraformOutput(this, "webhook_load_balancer_hostname", {
        value: receiver.loadBalancerHostname,
        description: webhookHostResolves(env)
          ? "DNS name of the webhook's load balancer"
          : `Point ${webhook.hostname} (CNAME) here, then set gitops.webhook.dnsRecordExists: true and deploy again`,
      });
      new TerraformOutput(this, "webhook_path", {
        value: receiver.hookPath,
        sensitive: true,
        description:
          "Compare with: kubectl -n flux-system get receiver gitlab-receiver -o jsonpath='{.status.webhookPath}'",
      });
    }
    if (commitStatus.enabled) {
      const status = new CommitStatus(this, "commit-status", {
        project: projectId,
        gitlabUrl: env.gitlab.baseUrl,
        expiryDays: commitStatus.tokenExpiryDays,
        rotateBeforeDays: commitStatus.rotateBeforeDays,
        dependsOn: [flux],
      });
      handoff.push(status.token);
      // Read by the scheduled rotation job (scripts/ci/rotate-token.sh) and shown in its log.
      new TerraformOutput(this, "commit_status_token_expires_at", {
        value: status.token.expiresAt,
        description: "Expiry of Flux's commit-status token",
      });
    }

    const generated: RenderedFile[] = [];
    if (env.secrets.sops.enabled) {
      // The alias ARN when the account is known at synth; else the key ARN, from core's state.
      const keyArn = sopsKeyAliasArn(env) ?? core.getString(SOPS_KEY_OUTPUT);
      generated.push(sopsConfigFile(secretsPath(env), keyArn));
    }
    if (env.alerts.enabled) {
      const alerts = new Alerts(this, "alerts", {
        settings: env.alerts,
        clusterPath: syncPath(env),
        clusterName: env.cluster.name,
        dependsOn: [flux],
      });
      handoff.push(alerts.secret);
      generated.push(...alerts.files);
    }

    const values = {
      ENVIRONMENT: env.name,
      CLUSTER_NAME: env.cluster.name,
      GIT_BRANCH: env.gitlab.branch,
      APPS_DEPEND_ON: env.secrets.sops.enabled
        ? SECRETS_KUSTOMIZATION
        : layerKustomizationName(ADDON_LAYERS[ADDON_LAYERS.length - 1]),
      ...ADDON_PINS,
      KARPENTER_NODE_ROLE: karpenterNodeRoleName(env),
      EXTERNAL_SECRETS_PREFIX: externalSecretsPrefix(env),
      GITLAB_ISSUER_HOST: gitlabIssuerHost(env),
      OIDC_AUDIENCE: imageReceiverAudience(env),
    };
    const features = gitopsFeatures(env);
    new GitopsFiles(this, "gitops-files", {
      project: projectId,
      branch: env.gitlab.branch,
      values,
      features,
      addons,
      generated: [
        ...addonFiles,
        ...generated,
        ...appFiles({
          values,
          apps: enabledApps(env),
          reloader: env.addons.reloader.enabled === true,
          receiver: features.includes("image-receiver")
            ? { issuerHost: values.GITLAB_ISSUER_HOST, audience: values.OIDC_AUDIENCE, clusterPath: syncPath(env) }
            : undefined,
        }),
      ],
      dependsOn: handoff,
    });

    if (features.includes("image-receiver")) {
      // What the apps' release pipelines need (ci/app.gitlab-ci.yml: FLUX_RECEIVER_URL, FLUX_AUDIENCE); neither is a
      // secret.
      new TerraformOutput(this, "image_receiver_url", {
        value: `https://${env.gitops.webhook.hostname}${receiverPath(IMAGE_RECEIVER)}`,
        description:
          "Compare the path with: kubectl -n flux-system get receiver gitlab-ci-oidc -o " +
          "jsonpath='{.status.webhookPath}'",
      });
      new TerraformOutput(this, "image_receiver_audience", {
        value: imageReceiverAudience(env),
        description: "The aud of the app's ID token",
      });
    }
    new TerraformOutput(this, "gitops_repository_url", {
      value: gitSshUrl(env),
      description: "Repository Flux syncs from",
    });
    new TerraformOutput(this, "flux_sync_path", { value: syncPath(env), description: "Flux's path in it" });
    new TerraformOutput(this, "cluster_vars", {
      value: `${FLUX_NAMESPACE}/${CLUSTER_VARS_NAME}`,
      description: "ConfigMap of the values Flux substitutes",
    });
    pinTerraform(this);
  }

  /**
   * The GitOps project: read by path (with its default branch), or created with a README (Flux
   * cannot clone an empty repository) whose default branch is the configured one.
   */
  private gitlabProject(env: EnvironmentConfig): { id: string; defaultBranch?: string } {
    const { group, project } = env.gitlab;
    if (!env.gitlab.createProject) {
      const existing = new DataGitlabProject(this, "gitops-project", { pathWithNamespace: gitopsProjectPath(env) });
      return { id: existing.id, defaultBranch: existing.defaultBranch };
    }
    const namespace = new DataGitlabGroup(this, "gitops-group", { fullPath: group });
    const created = new Project(this, "gitops-project", {
      name: project,
      path: project,
      namespaceId: Token.asNumber(namespace.groupId),
      visibilityLevel: "private",
      initializeWithReadme: true,
      defaultBranch: env.gitlab.branch,
      description: "GitOps repository managed by Flux",
    });
    return { id: created.id };
  }
}
