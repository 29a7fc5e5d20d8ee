import { isolationProblems, renderScenario } from "../../scripts/render-check";
import { kustomizeTool } from "../../scripts/render-check/kustomize";
import { envsubst } from "../../scripts/render-check/substitute";
import { configMap, imagePolicyText, imageRepository, kustomization, tree } from "./fixtures";

const render = (t = tree({})) => renderScenario("test", [t])[0];
const problemsOf = (t = tree({})) => render(t).problems.join("\n");
const appsTree = (range: string, vars: Record<string, string> = {}, extraFiles: Record<string, unknown> = {}) => {
  const base = tree({
    "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa"),
    "apps/qa/image-repository.yaml": imageRepository,
    "apps/qa/image-policy.yaml": imagePolicyText(range),
    ...extraFiles,
  });
  const vars0 = base.terraformObjects.find((o) => o.metadata.name === "cluster-vars")!.data as Record<string, string>;
  return {
    ...base,
    terraformObjects: [
      ...base.terraformObjects.filter((o) => o.metadata.name !== "cluster-vars"),
      configMap("cluster-vars", { ...vars0, ...vars }),
    ],
  };
};
const policyOf = (t: ReturnType<typeof appsTree>) =>
  render(t).objects.find((o) => o.object.kind === "ImagePolicy")?.object as any;

describe("render check: the semver-range defect (fluxcd/flux2#4830) and its fix", () => {
  test.each([">=0.0.0-0", ">=1.0.0 <2.0.0", "*"])(
    "a quoted placeholder for %s breaks the build: Flux re-serializes before substituting",
    (range) => {
      const problems = problemsOf(appsTree('"${IMAGE_SEMVER_RANGE:=0.0.x}"', { IMAGE_SEMVER_RANGE: range }));
      expect(problems).toMatch(/ImagePolicy\/app: after substitution the YAML does not parse/);
    },
  );

  test.each(["1", "1.2"])("a quoted placeholder for %s turns the range into a number the schema refuses", (range) => {
    expect(problemsOf(appsTree('"${IMAGE_SEMVER_RANGE:=0.0.x}"', { IMAGE_SEMVER_RANGE: range }))).toMatch(
      /range must be string/,
    );
  });

  test("the default of the same placeholder renders (the control case)", () => {
    const t = appsTree('"${IMAGE_SEMVER_RANGE:=0.0.x}"');
    expect(render(t).problems).toEqual([]);
    expect(policyOf(t).spec.policy.semver.range).toBe("0.0.x");
  });

  test.each([">=0.0.0-0", ">=1.0.0 <2.0.0", "*", "1", "1.2", "yes", "null"])(
    "%s written at synth by a YAML library reaches the cluster intact",
    (range) => {
      const t = appsTree(JSON.stringify(range));
      expect(render(t).problems).toEqual([]);
      expect(policyOf(t).spec.policy.semver.range).toBe(range);
    },
  );
});

describe("render check: references and schemas", () => {
  test("the committed fixture renders clean, ECR URL substituted", () => {
    const t = appsTree('"0.0.x"');
    const result = render(t);
    expect(result.problems).toEqual([]);
    const repository = result.objects.find((o) => o.object.kind === "ImageRepository")!;
    expect((repository.object as any).spec.image).toBe("123456789012.dkr.ecr.us-west-2.amazonaws.com/qa/app");
    expect(repository.appliedBy).toBe("Kustomization flux-system/apps");
  });

  test.each([
    [
      "a Kustomization path that does not exist",
      { "clusters/qa/apps.yaml": kustomization("apps", "./apps/nowhere") },
      /path \.\/apps\/nowhere does not exist/,
    ],
    [
      "a dependsOn target that does not exist",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./clusters/qa/x", { dependsOn: [{ name: "infra" }] }),
        "clusters/qa/x/cm.yaml": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default" } },
      },
      /dependsOn Kustomization\/flux-system\/infra does not exist/,
    ],
    [
      "a substituteFrom ConfigMap that does not exist",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa", {
          postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "nope" }] },
        }),
        "apps/qa/cm.yaml": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default" } },
      },
      /substituteFrom ConfigMap\/nope does not exist/,
    ],
    [
      "an object in a namespace nobody creates",
      { "clusters/qa/cm.yaml": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "ghost" } } },
      /namespace ghost does not exist/,
    ],
    [
      "an unknown field in a Flux object",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa", { pruneAll: true }),
        "apps/qa/cm.yaml": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default" } },
      },
      /must NOT have additional properties 'pruneAll'/,
    ],
    [
      "a removed Flux API version",
      { "clusters/qa/policy.yaml": { ...imageRepository, apiVersion: "image.toolkit.fluxcd.io/v1beta2" } },
      /image\.toolkit\.fluxcd\.io\/v1beta2 ImageRepository is not served by Flux/,
    ],
    [
      "a ${VAR} where no postBuild runs",
      { "clusters/qa/repo.yaml": imageRepository },
      /holds \$\{ECR_REPOSITORY_URL\} but Kustomization flux-system\/flux-system has no postBuild/,
    ],
    [
      "an undefined variable without a default",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa"),
        "apps/qa/cm.yaml": {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "x", namespace: "default" },
          data: { a: "${MISSING}" },
        },
      },
      /variable not set \(strict mode\): "MISSING"/,
    ],
    [
      "a setter marker naming a policy that does not exist",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa"),
        "apps/qa/kustomization.yaml":
          'resources: []\nimages:\n  - name: app\n    newTag: 0.0.1 # {"$imagepolicy": "flux-system:ghost:tag"}\n',
      },
      /names ImagePolicy flux-system\/ghost, which does not exist/,
    ],
    [
      "an ImageUpdateAutomation path that does not exist",
      {
        "clusters/qa/iua.yaml": {
          apiVersion: "image.toolkit.fluxcd.io/v1",
          kind: "ImageUpdateAutomation",
          metadata: { name: "a", namespace: "flux-system" },
          spec: {
            interval: "1m",
            sourceRef: { kind: "GitRepository", name: "flux-system" },
            git: { commit: { author: { name: "f", email: "f@x" } } },
            update: { path: "./apps/gone", strategy: "Setters" },
          },
        },
      },
      /update\.path \.\/apps\/gone does not exist/,
    ],
    [
      "a YAML file Flux's generator cannot read as Kubernetes objects",
      { "clusters/qa/notes.yaml": "just: text\n" },
      /clusters\/qa\/notes\.yaml: not Kubernetes YAML|notes\.yaml: not Kubernetes YAML/,
    ],
    [
      "an impersonated service account that does not exist",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa", { serviceAccountName: "ghost" }),
        "apps/qa/cm.yaml": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default" } },
      },
      /serviceAccountName ghost does not exist in flux-system/,
    ],
    [
      "a label a substitution turned into a boolean",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa", { postBuild: { substitute: { TIER: "on" } } }),
        "apps/qa/cm.yaml": {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "x", namespace: "default", labels: { tier: "${TIER}" } },
        },
      },
      /metadata\.labels\.tier must be a string, not true/,
    ],
    [
      "a ${VAR} left literal because every source of variables is absent",
      {
        "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa", {
          postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "absent", optional: true }] },
        }),
        "apps/qa/repo.yaml": imageRepository,
      },
      /holds \$\{ECR_REPOSITORY_URL\} but postBuild has no variables/,
    ],
    [
      "a core object the Kubernetes schema refuses",
      {
        "clusters/qa/deploy.yaml": {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "x", namespace: "default" },
          spec: { replicas: "two", selector: {}, template: {} },
        },
      },
      /replicas must be integer/,
    ],
  ])("finds %s", (_label, files, expected) => {
    expect(problemsOf(tree(files))).toMatch(expected);
  });

  test("Flux's generator: folders with a kustomization file are one resource, others are walked", () => {
    const t = tree({
      "clusters/qa/nested/deeper/cm.yaml": {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "deep", namespace: "default" },
      },
      "clusters/qa/kustomized/kustomization.yaml": "resources: [cm.yaml]\n",
      "clusters/qa/kustomized/cm.yaml": {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "listed", namespace: "default" },
      },
      "clusters/qa/kustomized/unlisted.yaml": {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "unlisted", namespace: "default" },
      },
    });
    const names = render(t).objects.map((o) => o.object.metadata.name);
    expect(names).toEqual(expect.arrayContaining(["deep", "listed"]));
    expect(names).not.toContain("unlisted");
  });
});

test("render check: an impersonated account may apply only where a RoleBinding grants it, nothing cluster-wide", () => {
  const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "tenant", namespace: "flux-system" } };
  const role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "tenant", namespace: "default" },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "patch"] }],
  };
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "tenant", namespace: "default" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant" },
    subjects: [{ kind: "ServiceAccount", name: "tenant", namespace: "flux-system" }],
  };
  const base = tree({
    "clusters/qa/apps.yaml": kustomization("apps", "./apps/qa", { serviceAccountName: "tenant" }),
    "apps/qa/ok.yaml": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", namespace: "default" } },
    "apps/qa/elsewhere.yaml": {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "no", namespace: "kube-system" },
    },
    "apps/qa/cluster.yaml": { apiVersion: "v1", kind: "Namespace", metadata: { name: "grab" } },
    "apps/qa/flux.yaml": kustomization("escape", "./clusters/qa", { postBuild: undefined }),
  });
  const problems = render({
    ...base,
    terraformObjects: [...base.terraformObjects, account, role, binding],
  }).problems.join("\n");
  expect(problems).toMatch(/ConfigMap\/no: applied as tenant, which may not patch configmaps\.core in kube-system/);
  expect(problems).toMatch(
    /Namespace\/grab: applied as tenant, which may not patch namespaces\.core in \(cluster scope\)/,
  );
  // A Kustomization of its own, in a namespace where the account may create configmaps only.
  expect(problems).toMatch(
    new RegExp(
      [
        String.raw`Kustomization\/escape: applied as tenant, `,
        String.raw`which may not patch kustomizations\.kustomize\.toolkit\.fluxcd\.io in flux-system`,
      ].join(""),
    ),
  );
  expect(problems).not.toMatch(/ConfigMap\/ok/);
});

describe("render check: environments sharing a repository", () => {
  const dev = tree(
    { "apps/base/cm.yaml": "a: 1\n", "clusters/dev/x.yaml": "b: 1\n" },
    { environment: "dev", syncPath: "clusters/dev" },
  );
  const prod = tree(
    { "apps/base/cm.yaml": "a: 1\n", "clusters/prod/x.yaml": "b: 1\n" },
    { environment: "prod", syncPath: "clusters/prod" },
  );

  test("a path both commit is a conflict of two Terraform states", () => {
    const problems = renderScenario("together", [dev, prod]).flatMap((r) => r.problems);
    expect(problems).toContain(
      "apps/base/cm.yaml is committed by both dev and prod: two Terraform states would fight over it",
    );
  });

  test("two environments, one project: refused; either deploy key could write what the other cluster applies", () => {
    expect(isolationProblems([dev, prod])).toEqual([
      expect.stringMatching(/^environments dev and prod share the GitOps project group\/gitops-qa/),
    ]);
    expect(isolationProblems([dev, { ...prod, repository: "group/gitops-prod@main" }])).toEqual([]);
  });
});

describe("envsubst with Flux's semantics", () => {
  const vars: Record<string, string> = { A: "x", EMPTY: "" };
  const run = (text: string) => envsubst(text, (n) => (n in vars ? { value: vars[n] } : undefined));
  test.each([
    ["${A}", "x"],
    ["${UNSET:=d}", "d"],
    ["${UNSET:-d}", "d"],
    ["${UNSET=d}", "d"],
    ["${EMPTY:=d}", "d"],
    ["${EMPTY=d}", "d"],
    ["${EMPTY}", ""],
    ["${UNSET:=${A}-y}", "x-y"],
    ["$${A}", "${A}"],
    ["echo $$ $A", "echo $ $A"],
    ["a-${A}-b", "a-x-b"],
  ])("%s gives %s", (text, expected) => {
    expect(run(text)).toEqual({ text: expected, problems: [] });
  });
  test.each([
    ["${UNSET}", /variable not set \(strict mode\): "UNSET"/],
    ["${A-d}", /missing closing brace/],
    ["${}", /unable to parse variable name/],
    ["${A^^}", /string functions are not modelled/],
  ])("%s is an error", (text, expected) => {
    expect(run(text).problems.join("\n")).toMatch(expected);
  });
});

test("without kustomize v5 the check fails and says how to get it", () => {
  expect(() => kustomizeTool({ PATH: "/nonexistent" })).toThrow(
    /needs kustomize v5 and found none .*Install kubectl 1\.27 or newer/,
  );
  expect(() => kustomizeTool({ PATH: process.env.PATH, KUSTOMIZE: "/nonexistent/kustomize" })).toThrow(/set KUSTOMIZE/);
});
