import { parse, parseAllDocuments } from "yaml";
import { appFiles, AppFilesProps } from "../../../constructs/bootstrap/app-files";
import { appSchema, AppSettings } from "../../../config/schema-apps";
import type { Json } from "../../helpers";
import { QA_VALUES } from "./addon-fixtures";

const values = QA_VALUES;
const app = (settings: Json = {}): AppSettings => appSchema.parse(settings);
const render = (apps: [string, AppSettings][], extra: Partial<AppFilesProps> = {}) =>
  appFiles({ values, apps, ...extra });
const docs = (text: string): Json[] => parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS());
const byTarget = (files: ReturnType<typeof render>, target: string) => files.find((f) => f.target === target)!;

describe("appFiles", () => {
  test("minimal: one generated app is three files in its folder, and is listed by the environment", () => {
    const files = render([["web", app()]]);
    expect(files.map((f) => f.target).sort()).toEqual([
      "apps/qa/kustomization.yaml",
      "apps/qa/web/image-tag/kustomization.yaml",
      "apps/qa/web/kustomization.yaml",
      "apps/qa/web/manifests.yaml",
    ]);
    expect(parse(byTarget(files, "apps/qa/kustomization.yaml").content).resources).toEqual([
      "web",
      "image-automation.yaml",
    ]);
  });

  test("defaults: the generated base is hardened like the shipped nginx and uses the app's settings", () => {
    const files = render([["web", app({ namespace: "shop", port: 3000, healthPath: "/healthz" })]]);
    const [deployment, service, policy] = docs(byTarget(files, "apps/qa/web/manifests.yaml").content);
    expect(deployment.metadata).toMatchObject({ name: "web", namespace: "shop" });
    const pod = deployment.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.ports).toEqual([{ name: "http", containerPort: 3000 }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } });
    expect(container.volumeMounts).toEqual([{ name: "writable-0", mountPath: "/tmp" }]);
    expect(service.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http" }]);
    expect(policy.metadata).toEqual({ name: "web-allow-http", namespace: "shop" });
  });

  test("the overlay sets replicas and the image; the image-tag file alone is Flux-owned, and only its setter", () => {
    const files = render([["web", app({ replicas: 3, semverRange: ">=1.0.0 <2.0.0" })]]);
    expect(parse(byTarget(files, "apps/qa/web/kustomization.yaml").content)).toMatchObject({
      resources: ["manifests.yaml"],
      components: ["image-tag"],
      replicas: [{ name: "web", count: 3 }],
    });
    const [repository, policy] = docs(byTarget(files, "apps/qa/web/manifests.yaml").content).slice(3);
    expect(repository.spec).toEqual({ image: "${ECR_REGISTRY}/qa/web", interval: "1m0s", provider: "aws" });
    expect(policy.spec.policy.semver.range).toBe(">=1.0.0 <2.0.0");
    expect(files.filter((f) => f.fluxOwned).map((f) => f.target)).toEqual(["apps/qa/web/image-tag/kustomization.yaml"]);
    const setter = byTarget(files, "apps/qa/web/image-tag/kustomization.yaml").content;
    expect(parse(setter)).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1alpha1",
      kind: "Component",
      metadata: { name: "web-image-tag" },
      images: [{ name: "web", newName: "${ECR_REGISTRY}/qa/web", newTag: "0.0.1" }],
    });
    expect(setter).toContain('newTag: 0.0.1 # {"$imagepolicy": "flux-system:web:tag"}');
  });

  test("a folder app commits the team's files, its namespace filled in, and an overlay over them", () => {
    const files = render([["nginx", app({ manifests: "folder", namespace: "edge" })]]);
    expect(files.map((f) => f.target)).toEqual(
      expect.arrayContaining(["apps/base/nginx/deployment.yaml", "apps/base/nginx/kustomization.yaml"]),
    );
    expect(files.map((f) => f.target)).not.toContain("apps/qa/nginx/manifests.yaml");
    expect(parse(byTarget(files, "apps/qa/nginx/kustomization.yaml").content).resources).toEqual([
      "../../base/nginx",
      "image.yaml",
    ]);
    expect(docs(byTarget(files, "apps/qa/nginx/image.yaml").content).map((d) => d.kind)).toEqual([
      "ImageRepository",
      "ImagePolicy",
    ]);
    expect(parse(byTarget(files, "apps/base/nginx/deployment.yaml").content).metadata.namespace).toBe("edge");
  });

  test("the Receiver lists every releasing app, and only their projects may call it", () => {
    const receiver = { issuerHost: "gitlab.com", audience: "flux-c1", clusterPath: "clusters/c1" };
    const files = render(
      [
        ["api", app({ project: "g/api" })],
        ["batch", app()],
        ["web", app({ project: "g/web" })],
      ],
      { receiver },
    );
    const [doc] = docs(byTarget(files, "clusters/c1/image-receiver/receiver.yaml").content);
    expect(doc.spec.resources.map((r: Json) => r.name)).toEqual(["api", "web"]);
    expect(doc.spec.oidcProviders[0].validations[0].expression).toBe("claims.project_path in ['g/api', 'g/web']");
    expect(render([["batch", app()]], { receiver }).map((f) => f.target)).not.toContain(
      "clusters/c1/image-receiver/receiver.yaml",
    );
  });

  test("removing an app removes its files, and only its files", () => {
    const two = render([
      ["api", app()],
      ["web", app()],
    ]);
    const one = render([["web", app()]]);
    const gone = two.map((f) => f.target).filter((t) => !one.some((f) => f.target === t));
    expect(gone.sort()).toEqual([
      "apps/qa/api/image-tag/kustomization.yaml",
      "apps/qa/api/kustomization.yaml",
      "apps/qa/api/manifests.yaml",
    ]);
    // Sources (and so construct ids) of the other app stay the same.
    expect(one.map((f) => f.source)).toEqual(two.filter((f) => !gone.includes(f.target)).map((f) => f.source));
  });
});
