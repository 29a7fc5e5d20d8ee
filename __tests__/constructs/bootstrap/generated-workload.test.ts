import { generatedWorkload } from "../../../constructs/bootstrap/generated-workload";
import { AppSettings, appSchema } from "../../../config/schema-apps";
import { Json } from "../../helpers";

/** Every setting spelled out, none equal to its schema default, so each one is seen to arrive. */
const APP: AppSettings = {
  enabled: true,
  namespace: "payments",
  port: 3000,
  replicas: 2,
  semverRange: "^1.2",
  manifests: "generated",
  healthPath: "/healthz",
  runAsUser: 10001,
  cpu: "250m",
  memory: "256Mi",
  writablePaths: ["/tmp", "/var/cache/api"],
  infrastructureValues: ["AWS_REGION"],
};
const workload = (name = "api", app: AppSettings = APP) => {
  const [deployment, service, policy] = generatedWorkload(name, app) as Json[];
  return { deployment, service, policy, pod: deployment.spec.template.spec, all: generatedWorkload(name, app) };
};

describe("generatedWorkload", () => {
  test("minimal: a Deployment, its Service and its NetworkPolicy, in the app's namespace, in that order", () => {
    const { all } = workload();
    expect(all.map((o: Json) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "apps/v1 Deployment payments/api",
      "v1 Service payments/api",
      "networking.k8s.io/v1 NetworkPolicy payments/api-allow-http",
    ]);
  });

  test("minimal: the settings reach the pod: user, port, probes' path, requests, writable paths", () => {
    const { deployment, pod } = workload();
    const labels = { "app.kubernetes.io/name": "api" };
    expect(deployment.metadata.labels).toEqual(labels);
    expect(deployment.spec.selector).toEqual({ matchLabels: labels });
    expect(deployment.spec.template.metadata).toEqual({ labels });
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const [container, ...more] = pod.containers;
    expect(more).toEqual([]);
    expect(container.name).toBe("api");
    expect(container.ports).toEqual([{ name: "http", containerPort: 3000 }]);
    expect(container.readinessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5 });
    expect(container.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" }, periodSeconds: 20 });
    expect(container.resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } });
    expect(container.volumeMounts).toEqual([
      { name: "writable-0", mountPath: "/tmp" },
      { name: "writable-1", mountPath: "/var/cache/api" },
    ]);
    expect(pod.volumes).toEqual([
      { name: "writable-0", emptyDir: {} },
      { name: "writable-1", emptyDir: {} },
    ]);
  });

  test("minimal: the Service maps port 80 to the named port; the policy opens only that port, to cluster pods", () => {
    const { service, policy } = workload();
    expect(service.spec).toEqual({
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": "api" },
      ports: [{ name: "http", port: 80, targetPort: "http" }],
    });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: "http", protocol: "TCP" }] }],
    });
  });

  test("defaults, always: no token, read-only root, no privilege escalation, no capabilities, no CPU limit", () => {
    const { pod } = workload();
    const [container] = pod.containers;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources.limits).not.toHaveProperty("cpu");
    // The environment overlay's image-tag Component replaces the image by name.
    expect(container.image).toBe("api");
  });

  test("defaults from the schema: namespace apps, port 8080, user 65532, probes on /, one writable /tmp", () => {
    const { all, pod } = workload("web", appSchema.parse({}));
    expect(all.map((o: Json) => o.metadata.namespace)).toEqual(["apps", "apps", "apps"]);
    expect(pod.securityContext.runAsUser).toBe(65532);
    expect(pod.containers[0].ports).toEqual([{ name: "http", containerPort: 8080 }]);
    expect(pod.containers[0].readinessProbe.httpGet.path).toBe("/");
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "128Mi" },
    });
    expect(pod.volumes).toEqual([{ name: "writable-0", emptyDir: {} }]);
  });

  test("no writable paths: no volumes and no mounts", () => {
    const { pod } = workload("api", { ...APP, writablePaths: [] });
    expect(pod.volumes).toEqual([]);
    expect(pod.containers[0].volumeMounts).toEqual([]);
  });

  test.each([
    ["an empty name", ""],
    ["upper case", "Api"],
    ["a leading digit (not a Service name)", "1api"],
    ["a trailing dash", "api-"],
    ["41 characters", `a${"b".repeat(40)}`],
  ])("refuses %s", (_what, name) => {
    expect(() => generatedWorkload(name, APP)).toThrow(/generatedWorkload: ".*" must be an app name/);
  });

  test("infrastructure values become env variables from the app's Terraform-owned ConfigMap, only when asked", () => {
    expect(workload().pod.containers[0].envFrom).toEqual([{ configMapRef: { name: "api-infrastructure" } }]);
    expect(workload("api", { ...APP, infrastructureValues: [] }).pod.containers[0].envFrom).toBeUndefined();
  });
});
