import { enabledApps, gitopsProjectPath } from "../../config/names";
import { CLUSTER_VARS } from "../../constructs/bootstrap/cluster-vars";
import { committedTree, isolationProblems, renderCheck, renderScenario } from "../../scripts/render-check";
import { environment, ENVIRONMENTS, Json } from "../helpers";
import { unpinnedCharts } from "./addon-checks";

// The render check on what the committed environments' bootstrap stacks commit: each alone, and
// all of them together, built as Flux builds them.
const trees = ENVIRONMENTS.map((name) => committedTree(environment(name)));
const check = renderCheck(trees);
const objectsOf = (scenario: string, env: string) =>
  check.results.find((r) => r.scenario === scenario && r.environment === env)!.objects.map((o) => o.object as Json);

test("every environment renders and validates alone and together, with no problem", () => {
  expect(ENVIRONMENTS.length).toBeGreaterThanOrEqual(2);
  expect(check.results.map((r) => `${r.scenario}, ${r.environment}`)).toEqual([
    ...ENVIRONMENTS.map((e) => `${e} alone, ${e}`),
    ...ENVIRONMENTS.map((e) => `all environments, ${e}`),
  ]);
  expect(check.problems).toEqual([]);
});

describe.each(ENVIRONMENTS)("environment %s, deployed alone", (name) => {
  const env = environment(name);
  const objects = objectsOf(`${name} alone`, name);
  const find = (kind: string, n: string) => objects.find((o) => o.kind === kind && o.metadata.name === n)!;

  test("the whole loop is there: sources, the add-on layers, the app, the image automation", () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "GitRepository/flux-system",
        "Kustomization/infra-crds",
        "Kustomization/infra-core-controllers",
        "Kustomization/infra-controllers",
        "Kustomization/infra-configs",
        "Kustomization/apps",
        "Deployment/nginx",
        "Service/nginx",
        "ImageRepository/nginx",
        "ImagePolicy/nginx",
        "ImageUpdateAutomation/apps",
      ]),
    );
  });

  test("configured values arrive typed and intact, for every app", () => {
    expect(enabledApps(env).length).toBeGreaterThan(0);
    for (const [app, settings] of enabledApps(env)) {
      expect(find("ImagePolicy", app).spec.policy.semver.range).toBe(settings.semverRange);
      const deployment = find("Deployment", app);
      expect(deployment.spec.replicas).toBe(settings.replicas);
      expect(deployment.metadata.namespace).toBe(settings.namespace);
      expect(deployment.spec.template.spec.containers[0].image).toMatch(
        new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${env.region}\\.amazonaws\\.com/${name}/${app}:0\\.0\\.1$`),
      );
    }
    expect(find("ImageUpdateAutomation", "apps").spec.git.push.branch).toBe(env.gitlab.branch);
  });

  test("Flux Kustomizations: interval, retry, timeout, prune, wait; the add-on layers before apps", () => {
    for (const k of objects.filter((o) => o.kind === "Kustomization" && o.metadata.name !== "flux-system")) {
      expect(k.spec).toMatchObject({ prune: true, wait: true });
      for (const key of ["interval", "retryInterval", "timeout"]) expect(k.spec[key]).toMatch(/^\d+[hms]/);
    }
    // With SOPS on, apps waits for the secrets Kustomization, which waits for the last layer.
    const after = env.secrets.sops.enabled ? "secrets" : "infra-configs";
    expect(find("Kustomization", "apps").spec.dependsOn).toEqual([{ name: after }]);
    if (env.secrets.sops.enabled)
      expect(find("Kustomization", "secrets").spec.dependsOn).toEqual([{ name: "infra-configs" }]);
  });

  test("every chart version is pinned exactly", () => {
    expect(unpinnedCharts(objects)).toEqual([]);
  });
});

test("environments are isolated: each has its own GitOps project and commits no path another commits", () => {
  expect(isolationProblems(trees)).toEqual([]);
  expect(new Set(ENVIRONMENTS.map((n) => gitopsProjectPath(environment(n)))).size).toBe(ENVIRONMENTS.length);
});

test("cluster-vars holds only infrastructure values; settings are written at synth", () => {
  const vars = trees[0].terraformObjects.find((o) => o.metadata.name === "cluster-vars") as Json;
  expect(Object.keys(vars.data).sort()).toEqual([...CLUSTER_VARS].sort());
});

describe("values YAML would misread reach the cluster intact", () => {
  // Every form the schema allows for a range, and names that look like numbers, booleans or null.
  const ranges = [
    "0.0.x",
    ">=0.0.0-0",
    ">=1.0.0 <2.0.0",
    "*",
    "1",
    "1.2",
    "1.2.3",
    "^1.2",
    "~1.2.3",
    ">1.0.0, <1.4.0",
    "1.x || >=2.5.0",
    "!=1.2.3",
    "1.2 - 1.4.5",
  ];
  test.each(ranges)("semver range %s", (range) => {
    const env = environment("dev", { apps: { nginx: { semverRange: range } } });
    const [result] = renderScenario("range", [committedTree(env)]);
    expect(result.problems).toEqual([]);
    expect(result.objects.find((o) => o.object.kind === "ImagePolicy")!.object).toMatchObject({
      spec: { policy: { semver: { range } } },
    });
  });

  test.each(["1234", "true", "null", "1e3", "0x1F", "yes"])("cluster name and branch %s", (value) => {
    const env = environment("dev", { cluster: { name: value }, gitlab: { branch: value } });
    const [result] = renderScenario("names", [committedTree(env)]);
    expect(result.problems).toEqual([]);
    const automation = result.objects.find((o) => o.object.kind === "ImageUpdateAutomation")!.object as Json;
    expect(automation.spec.git.push.branch).toBe(value);
    expect(automation.spec.git.commit.messageTemplate).toContain(`for cluster ${value}.`);
  });
});
