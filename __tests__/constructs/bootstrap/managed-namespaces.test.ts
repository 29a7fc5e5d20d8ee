import { TerraformStack, Testing } from "cdktf";
import { ManagedNamespaces, ManagedNamespacesProps } from "../../../constructs/bootstrap/managed-namespaces";
import { Json, resources } from "../../helpers";

const synth = (props: ManagedNamespacesProps): Json => {
  const stack = new TerraformStack(Testing.app(), "test");
  new ManagedNamespaces(stack, "namespaces", props);
  return JSON.parse(Testing.synth(stack));
};

describe("ManagedNamespaces", () => {
  test("minimal: one namespace, labelled as Terraform's, restricted, with a default-deny policy allowing DNS", () => {
    const json = synth({ names: ["team-a"] });
    const [ns] = resources(json, "kubernetes_namespace_v1");
    expect(ns.metadata.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "terraform",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
    });
    const [policy] = resources(json, "kubernetes_network_policy_v1");
    expect(policy.metadata).toMatchObject({ name: "default-deny", namespace: "team-a" });
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.egress[0].ports.map((p: Json) => `${p.protocol}/${p.port}`)).toEqual(["UDP/53", "TCP/53"]);
  });

  test("defaults can be changed: a baseline namespace without the default deny", () => {
    const json = synth({ names: ["legacy"], podSecurity: "baseline", defaultDeny: false });
    expect(resources(json, "kubernetes_namespace_v1")[0].metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "baseline",
    );
    expect(resources(json, "kubernetes_network_policy_v1")).toEqual([]);
  });

  test("a namespace labelled by another owner: no labels of ours beyond ownership, changes to labels ignored", () => {
    const json = synth({ names: ["flux-system"], labelsOwnedElsewhere: true });
    const [ns] = resources(json, "kubernetes_namespace_v1");
    expect(Object.keys(ns.metadata.labels).some((k) => k.startsWith("pod-security"))).toBe(false);
    expect(ns.lifecycle.ignore_changes).toEqual(["metadata[0].labels", "metadata[0].annotations"]);
    expect(resources(json, "kubernetes_network_policy_v1")).toEqual([]);
  });
});
