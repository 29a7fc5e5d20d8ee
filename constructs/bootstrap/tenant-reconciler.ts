import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM } from "./cluster-vars";

export interface TenantReconcilerProps {
  /** The service account's name; Flux Kustomizations name it in `spec.serviceAccountName`. */
  readonly name: string;
  /** Where Flux runs: the account and the Kustomizations live here. */
  readonly fluxNamespace: string;
  /** Namespaces it may manage, with the `admin` ClusterRole. */
  readonly namespaces: string[];
  /** Flux kinds it may manage in the Flux namespace (the app's image automation objects). */
  readonly fluxResources: { readonly apiGroup: string; readonly resources: string[] }[];
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

  constructor(scope: Construct, id: string, props: TenantReconcilerProps) {
    super(scope, id);
    const metadata = (namespace: string) => ({ name: props.name, namespace, labels: MANAGED_BY_TERRAFORM });
    const subject = [{ kind: "ServiceAccount", name: props.name, namespace: props.fluxNamespace }];
    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: metadata(props.fluxNamespace),
      automountServiceAccountToken: false,
      dependsOn: props.dependsOn,
    });
    for (const namespace of props.namespaces) {
      new RoleBindingV1(this, `${namespace}-admin`, {
        metadata: metadata(namespace),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subject,
        dependsOn: props.dependsOn,
      });
    }
    const role = new RoleV1(this, "flux-role", {
      metadata: metadata(props.fluxNamespace),
      rule: props.fluxResources.map((r) => ({ apiGroups: [r.apiGroup], resources: r.resources, verbs: ["*"] })),
      dependsOn: props.dependsOn,
    });
    new RoleBindingV1(this, "flux-binding", {
      metadata: metadata(props.fluxNamespace),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: props.name },
      subject,
      dependsOn: [role],
    });
  }
}
