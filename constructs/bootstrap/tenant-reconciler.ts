import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";

/**
 * What an app may consist of. Deliberately not the `admin` ClusterRole: that aggregates Flux's
 * own edit role, so an app commit could create a Kustomization without `serviceAccountName`,
 * which Flux would apply as its cluster-admin. No Flux API, no RBAC, no cluster scope.
 */
export const APP_RESOURCES: { readonly apiGroup: string; readonly resources: string[] }[] = [
  { apiGroup: "", resources: ["configmaps", "services", "serviceaccounts", "persistentvolumeclaims"] },
  { apiGroup: "apps", resources: ["deployments", "statefulsets", "daemonsets"] },
  { apiGroup: "batch", resources: ["jobs", "cronjobs"] },
  { apiGroup: "networking.k8s.io", resources: ["networkpolicies", "ingresses"] },
  { apiGroup: "policy", resources: ["poddisruptionbudgets"] },
  { apiGroup: "autoscaling", resources: ["horizontalpodautoscalers"] },
];
/** Secrets, granted only where SOPS delivers them (the secrets Kustomization applies as this account). */
export const SECRETS: { readonly apiGroup: string; readonly resources: string[] } = {
  apiGroup: "",
  resources: ["secrets"],
};
/** ExternalSecrets, granted while the External Secrets add-on runs: an app asks its ClusterSecretStore for a Secret. */
export const EXTERNAL_SECRETS: { readonly apiGroup: string; readonly resources: string[] } = {
  apiGroup: "external-secrets.io",
  resources: ["externalsecrets"],
};
/** Apply (server-side), prune and wait: what kustomize-controller does as the account. */
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];

export interface TenantReconcilerProps {
  /** The service account's name; Flux Kustomizations name it in `spec.serviceAccountName`. */
  readonly name: string;
  /** Where Flux runs: the account and the Kustomizations live here. */
  readonly fluxNamespace: string;
  /** Namespaces in which it may manage APP_RESOURCES. */
  readonly namespaces: string[];
  /** Flux kinds it may manage in the Flux namespace (the app's image automation objects). */
  readonly fluxResources: { readonly apiGroup: string; readonly resources: string[] }[];
  /** May also manage Secrets in `namespaces` (the SOPS-decrypted app secrets). @default false */
  readonly manageSecrets?: boolean;
  /** May also manage ExternalSecrets in `namespaces` (the External Secrets add-on is installed). @default false */
  readonly manageExternalSecrets?: boolean;
  /** What must exist first (the namespaces). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The identity Flux impersonates to apply the apps, instead of its own cluster-admin: a commit
 * under apps/ can change the app namespaces and the app's image automation objects, nothing
 * cluster-wide (no ClusterRoleBinding, no CRD, no other namespace).
 * https://fluxcd.io/flux/installation/configuration/multitenancy/
 */
export class TenantReconciler extends Construct {
  public readonly serviceAccount: ServiceAccountV1;
  /** The account with every role and binding, for `dependsOn`: Flux must not apply before they exist. */
  public readonly all: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: TenantReconcilerProps) {
    super(scope, id);
    const metadata = (namespace: string) => ({ name: props.name, namespace, labels: MANAGED_BY_TERRAFORM });
    const subject = [{ kind: "ServiceAccount", name: props.name, namespace: props.fluxNamespace }];
    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: metadata(props.fluxNamespace),
      automountServiceAccountToken: false,
      dependsOn: props.dependsOn,
    });
    const grant = (
      id: string,
      namespace: string,
      rules: { apiGroup: string; resources: string[] }[],
      verbs: string[],
    ) => {
      const role = new RoleV1(this, `${id}-role`, {
        metadata: metadata(namespace),
        rule: rules.map((r) => ({ apiGroups: [r.apiGroup], resources: r.resources, verbs })),
        dependsOn: props.dependsOn,
      });
      const binding = new RoleBindingV1(this, `${id}-binding`, {
        metadata: metadata(namespace),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: props.name },
        subject,
        dependsOn: [role],
      });
      this.all.push(role, binding);
    };
    this.all.push(this.serviceAccount);
    const appResources = [
      ...APP_RESOURCES,
      ...(props.manageSecrets ? [SECRETS] : []),
      ...(props.manageExternalSecrets ? [EXTERNAL_SECRETS] : []),
    ];
    for (const namespace of props.namespaces) grant(namespace, namespace, appResources, VERBS);
    grant("flux", props.fluxNamespace, props.fluxResources, VERBS);
  }
}
