import { FLUX } from "../../config/versions";

/**
 * The names Kubernetes and Flux care about, typed once. A Flux API move (v1beta2 -> v1) is a
 * one-line change here, and the tests check config_files/ against these.
 * https://fluxcd.io/flux/components/
 */
export const FLUX_VERSION = FLUX.version;
export const FLUX_NAMESPACE = "flux-system";
/** The GitRepository and Kustomization `flux_bootstrap_git` creates. */
export const FLUX_SOURCE_NAME = "flux-system";

export const API_VERSIONS = {
  GitRepository: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
  ImageRepository: "image.toolkit.fluxcd.io/v1",
  ImagePolicy: "image.toolkit.fluxcd.io/v1",
  ImageUpdateAutomation: "image.toolkit.fluxcd.io/v1",
  Receiver: "notification.toolkit.fluxcd.io/v1",
  Provider: "notification.toolkit.fluxcd.io/v1beta3",
  Alert: "notification.toolkit.fluxcd.io/v1beta3",
} as const;

/** Controllers `flux_bootstrap_git` adds on top of the four defaults, for image automation. */
export const IMAGE_AUTOMATION_COMPONENTS = ["image-reflector-controller", "image-automation-controller"];

/** The service account whose pods read ECR tags: the core stack gives it an AWS role. */
export const IMAGE_REFLECTOR = { namespace: FLUX_NAMESPACE, serviceAccount: "image-reflector-controller" } as const;

/** The cluster autoscaler, installed by Flux from infrastructure/, with its AWS role from core. */
export const CLUSTER_AUTOSCALER = { namespace: "kube-system", serviceAccount: "cluster-autoscaler" } as const;

/**
 * Where each add-on's controller runs, by service account: the core stack binds its AWS role
 * (Pod Identity) to exactly this account, and its HelmRelease creates the account under this name.
 */
export const ADDON_ACCOUNTS = {
  karpenter: { namespace: "kube-system", serviceAccount: "karpenter" },
  clusterAutoscaler: CLUSTER_AUTOSCALER,
  awsLoadBalancerController: { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" },
  externalDns: { namespace: "external-dns", serviceAccount: "external-dns" },
  externalSecrets: { namespace: "external-secrets", serviceAccount: "external-secrets" },
  metricsServer: { namespace: "kube-system", serviceAccount: "metrics-server" },
  reloader: { namespace: "reloader", serviceAccount: "reloader" },
  headlamp: { namespace: "headlamp", serviceAccount: "headlamp" },
} as const;

/** The webhook Receiver: its name and namespace are part of the hook path GitLab calls. */
export const WEBHOOK_RECEIVER = {
  name: "gitlab-receiver",
  namespace: FLUX_NAMESPACE,
  secretName: "webhook-token",
} as const;

/** The generic-oidc Receiver the app's release pipeline calls (config_files/features/image-receiver). */
export const IMAGE_RECEIVER = { name: "gitlab-ci-oidc", namespace: FLUX_NAMESPACE } as const;

/** The pods behind Flux's `webhook-receiver` Service, and the port they listen on. */
export const NOTIFICATION_CONTROLLER = { selector: { app: "notification-controller" }, receiverPort: 9292 } as const;

/**
 * The service account Flux impersonates to apply the apps (clusters/apps.yaml names it), and the
 * Flux objects it may manage in the Flux namespace: the app's image automation.
 */
export const APPS_RECONCILER = {
  name: "apps-reconciler",
  fluxResources: [
    {
      apiGroup: "image.toolkit.fluxcd.io",
      resources: ["imagerepositories", "imagepolicies", "imageupdateautomations"],
    },
  ],
} as const;

/** The notification Provider that posts commit statuses, and the Secret with its token and address. */
export const COMMIT_STATUS = { providerName: "gitlab-commit-status", secretName: "gitlab-commit-status" } as const;

/**
 * kustomize-controller: decrypts SOPS Secrets with the AWS role core binds to this account (Pod Identity,
 * controller-wide).
 */
export const KUSTOMIZE_CONTROLLER = { namespace: FLUX_NAMESPACE, serviceAccount: "kustomize-controller" } as const;

/** The Flux Kustomization that applies the environment's SOPS-encrypted Secrets (config_files/features/secrets). */
export const SECRETS_KUSTOMIZATION = "secrets";

/** The alerting Provider and Alert, and the Terraform-owned Secret holding the webhook URL (`address`). */
export const ALERTS = {
  providerName: "alerts",
  alertName: "reconciliation-failures",
  secretName: "flux-alerts",
} as const;
