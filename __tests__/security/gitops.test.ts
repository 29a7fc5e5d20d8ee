import { committedTree, renderCheck } from "../../scripts/render-check";
import type { EnvironmentConfig } from "../../config/load";
import { enabledApps } from "../../config/names";
import { environment, ENVIRONMENTS, Json, THREE_APPS } from "../helpers";

// Security rules on what each environment's cluster runs, read from the render check's output.
// Each test is named after the guidance it enforces, so a regression names the rule it breaks.
// PSS: Kubernetes Pod Security Standards, restricted profile. EKS BP: EKS Best Practices Guide.
const POD_OWNERS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"];

// The committed environments, and dev with three apps (two with generated bases) in namespaces of their own.
const CASES: [string, EnvironmentConfig][] = [
  ...ENVIRONMENTS.map((n) => [n, environment(n)] as [string, EnvironmentConfig]),
  ["dev with three apps", environment("dev", { apps: THREE_APPS })],
];

describe.each(CASES)("environment %s", (_label, env) => {
  const [result] = renderCheck([committedTree(env)]).results;
  const objects = result.objects.map((o) => o.object as Json);
  const terraformNamespaces = result.objects.filter(
    (o) => o.appliedBy === "terraform" && o.object.kind === "Namespace" && o.object.metadata.name !== "flux-system",
  );
  const appNamespaces = terraformNamespaces.map((n) => n.object.metadata.name);
  const pods = objects
    .filter((o) => POD_OWNERS.includes(o.kind) && appNamespaces.includes(o.metadata.namespace))
    .map((o) => ({ name: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.template.spec as Json }));
  const containers = pods.flatMap((p) => (p.spec.containers as Json[]).map((c) => ({ pod: p, c })));

  test("the app namespaces hold workloads to check", () => {
    for (const [, app] of enabledApps(env)) expect(appNamespaces).toContain(app.namespace);
    expect(pods.length).toBeGreaterThan(0);
  });

  test("PSS restricted is enforced, audited and warned on every Terraform-owned namespace", () => {
    for (const ns of terraformNamespaces) {
      expect(ns.object.metadata).toMatchObject({
        labels: expect.objectContaining({
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        }),
      });
    }
  });

  test("EKS BP network security: every app namespace denies all traffic by default", () => {
    for (const ns of appNamespaces) {
      const deny = objects.find(
        (o) =>
          o.kind === "NetworkPolicy" && o.metadata.namespace === ns && Object.keys(o.spec.podSelector).length === 0,
      );
      expect(deny?.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    }
  });

  test("PSS restricted: pods run as non-root with the RuntimeDefault seccomp profile", () => {
    for (const { spec } of pods) {
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(spec.securityContext.runAsUser).not.toBe(0);
    }
  });

  test("PSS restricted: no privilege escalation, every capability dropped", () => {
    for (const { c } of containers)
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
  });

  test("EKS BP pod security: read-only root filesystem", () => {
    for (const { c } of containers) expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test("EKS BP identity: no service-account token mounted unless the pod needs the API", () => {
    for (const { spec } of pods) expect(spec.automountServiceAccountToken).toBe(false);
  });

  test("EKS BP reliability: readiness and liveness probes, requests and limits", () => {
    for (const { c } of containers) {
      expect(c.readinessProbe).toBeDefined();
      expect(c.livenessProbe).toBeDefined();
      expect(c.resources.requests).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      expect(c.resources.limits).toEqual(expect.objectContaining({ memory: expect.any(String) }));
    }
  });

  test("Supply chain: every image is pinned to a tag (no latest) and every chart to an exact version", () => {
    for (const { c } of containers) expect(c.image).toMatch(/:(?!latest$)[\w.-]+$/);
    for (const r of objects.filter((o) => o.kind === "HelmRelease"))
      expect(r.spec.chart.spec.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
  test("Flux multi-tenancy lockdown: the apps are applied as a namespaced service account, not cluster-admin", () => {
    const apps = result.objects.find((o) => o.object.kind === "Kustomization" && o.object.metadata.name === "apps")!
      .object as Json;
    expect(apps.spec.serviceAccountName).toBe("apps-reconciler");
    const fromApps = result.objects.filter((o) => o.appliedBy === "Kustomization flux-system/apps");
    expect(fromApps.length).toBeGreaterThan(0);
    // The render check refuses anything the account may not apply; here, none is cluster-scoped.
    expect(result.problems).toEqual([]);
    expect(fromApps.every((o) => o.object.metadata.namespace)).toBe(true);
  });
});
