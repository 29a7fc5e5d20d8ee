import { TerraformStack, Testing } from "cdktf";
import { TenantReconciler } from "../../../constructs/bootstrap/tenant-reconciler";
import { Json, resources } from "../../helpers";

const synth = (namespaces: string[]): Json => {
  const stack = new TerraformStack(Testing.app(), "test");
  new TenantReconciler(stack, "tenant", { name: "apps-reconciler", fluxNamespace: "flux-system", namespaces, fluxResources: [{ apiGroup: "image.toolkit.fluxcd.io", resources: ["imagepolicies"] }] });
  return JSON.parse(Testing.synth(stack));
};

describe("TenantReconciler", () => {
  test("minimal: an account in Flux's namespace with no token of its own, admin of one namespace", () => {
    const json = synth(["apps"]);
    const [account] = resources(json, "kubernetes_service_account_v1");
    expect(account).toMatchObject({ metadata: { name: "apps-reconciler", namespace: "flux-system" }, automount_service_account_token: false });
    const bindings = resources(json, "kubernetes_role_binding_v1");
    const admin = bindings.find((b) => b.metadata.namespace === "apps")!;
    expect(admin.role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" });
    expect(admin.subject).toEqual([{ kind: "ServiceAccount", name: "apps-reconciler", namespace: "flux-system" }]);
  });

  test("defaults: in Flux's namespace only the listed Flux kinds, and nothing cluster-wide", () => {
    const json = synth(["a", "b"]);
    const [role] = resources(json, "kubernetes_role_v1");
    expect(role.metadata.namespace).toBe("flux-system");
    expect(role.rule).toEqual([{ api_groups: ["image.toolkit.fluxcd.io"], resources: ["imagepolicies"], verbs: ["*"] }]);
    expect(resources(json, "kubernetes_role_binding_v1").map((b) => b.metadata.namespace).sort()).toEqual(["a", "b", "flux-system"]);
    expect(json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
  });
});
