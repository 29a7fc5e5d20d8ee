import { TerraformStack, Testing } from "cdktf";
import { TenantReconciler } from "../../../constructs/bootstrap/tenant-reconciler";
import { Json, resources } from "../../helpers";

const synth = (namespaces: string[], manageSecrets?: boolean, manageExternalSecrets?: boolean): Json => {
  const stack = new TerraformStack(Testing.app(), "test");
  new TenantReconciler(stack, "tenant", {
    name: "apps-reconciler",
    fluxNamespace: "flux-system",
    namespaces,
    fluxResources: [{ apiGroup: "image.toolkit.fluxcd.io", resources: ["imagepolicies"] }],
    manageSecrets,
    manageExternalSecrets,
  });
  return JSON.parse(Testing.synth(stack));
};

describe("TenantReconciler", () => {
  test("minimal: an account in Flux's namespace with no token of its own, admin of one namespace", () => {
    const json = synth(["apps"]);
    const [account] = resources(json, "kubernetes_service_account_v1");
    expect(account).toMatchObject({
      metadata: { name: "apps-reconciler", namespace: "flux-system" },
      automount_service_account_token: false,
    });
    const binding = resources(json, "kubernetes_role_binding_v1").find((b) => b.metadata.namespace === "apps")!;
    expect(binding.role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "Role", name: "apps-reconciler" });
    expect(binding.subject).toEqual([{ kind: "ServiceAccount", name: "apps-reconciler", namespace: "flux-system" }]);
  });

  test("defaults: app kinds in the app namespaces, only the listed Flux kinds in Flux's, nothing cluster-wide", () => {
    const json = synth(["a", "b"]);
    const roles = resources(json, "kubernetes_role_v1");
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(["a", "b", "flux-system"]);
    expect(roles.find((r) => r.metadata.namespace === "flux-system")!.rule).toEqual([
      {
        api_groups: ["image.toolkit.fluxcd.io"],
        resources: ["imagepolicies"],
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ]);
    // No Flux API (a Kustomization of the app's own would run as Flux's cluster-admin), no RBAC, no wildcard.
    const appGroups = roles.find((r) => r.metadata.namespace === "a")!.rule.flatMap((r: Json) => r.api_groups);
    expect(
      appGroups.filter((g: string) => g.endsWith("fluxcd.io") || g === "rbac.authorization.k8s.io" || g === "*"),
    ).toEqual([]);
    expect(resources(json, "kubernetes_role_binding_v1").every((b) => b.role_ref.kind === "Role")).toBe(true);
    expect(json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
  });

  const secretsIn = (json: Json, namespace: string) =>
    resources(json, "kubernetes_role_v1")
      .find((r) => r.metadata.namespace === namespace)!
      .rule.some((r: Json) => r.resources.includes("secrets"));

  test("defaults: no Secrets anywhere (an app commit cannot write one)", () => {
    const json = synth(["a"]);
    expect(secretsIn(json, "a")).toBe(false);
    expect(secretsIn(json, "flux-system")).toBe(false);
  });

  test("manageSecrets: Secrets in the app namespaces (SOPS delivers them), still none in Flux's", () => {
    const json = synth(["a", "b"], true);
    expect(secretsIn(json, "a")).toBe(true);
    expect(secretsIn(json, "b")).toBe(true);
    expect(secretsIn(json, "flux-system")).toBe(false);
  });

  test("manageExternalSecrets: ExternalSecrets in the app namespaces only; none by default", () => {
    const externalSecretsIn = (json: Json, namespace: string) =>
      resources(json, "kubernetes_role_v1")
        .filter((r) => r.metadata.namespace === namespace)
        .some((r) =>
          r.rule.some(
            (rule: Json) =>
              rule.api_groups.includes("external-secrets.io") && rule.resources.includes("externalsecrets"),
          ),
        );
    expect(externalSecretsIn(synth(["a"]), "a")).toBe(false);
    const json = synth(["a"], false, true);
    expect(externalSecretsIn(json, "a")).toBe(true);
    expect(externalSecretsIn(json, "flux-system")).toBe(false);
  });
});
