import { enabledApps, ecrPushRoleName, ecrRepositoryName } from "../../config/names";
import { committedTree, renderCheck } from "../../scripts/render-check";
import { coreStandIns } from "../../scripts/render-check/committed";
import { gitopsFeatures } from "../../stacks/bootstrap-stack";
import { CORE_OUTPUTS, CoreStack } from "../../stacks/core-stack";
import { environment, ENVIRONMENTS, Json, manyApps, resources, synth, THREE_APPS } from "../helpers";

// Many apps from the configuration: three apps (the shipped nginx with its own folder, two
// generated bases in namespaces of their own) in every environment, built and validated the way
// Flux builds them, and a fixture of ten more apps that must stay fast (README "Performance").
const envs = ENVIRONMENTS.map((name) => environment(name, { apps: THREE_APPS }));
const trees = envs.map(committedTree);
const check = renderCheck(trees);

test("three apps render and validate in every environment, alone and together", () => {
  expect(envs.map((e) => enabledApps(e).map(([app]) => app))).toEqual(envs.map(() => ["api", "nginx", "worker"]));
  expect(check.problems).toEqual([]);
});

describe.each(envs.map((env, i) => [env.name, env, i] as const))("environment %s with three apps", (name, env, i) => {
  const tree = trees[i];
  const objects = check.results.find((r) => r.scenario === `${name} alone`)!.objects.map((o) => o.object as Json);
  const find = (kind: string, n: string) => objects.find((o) => o.kind === kind && o.metadata.name === n);
  const registry = coreStandIns(env)[CORE_OUTPUTS.ecrRegistry];

  test.each(enabledApps(env))("%s: its registry, namespace, image policy, setter and workload", (app, settings) => {
    expect(find("ImageRepository", app)?.spec.image).toBe(`${registry}/${ecrRepositoryName(env, app)}`);
    expect(find("ImagePolicy", app)?.spec.policy.semver.range).toBe(settings.semverRange);
    const setter = `apps/${name}/${app}/image-tag/kustomization.yaml`;
    expect(tree.fluxOwned).toContain(setter);
    expect(tree.files.get(setter)).toContain(`# {"$imagepolicy": "flux-system:${app}:tag"}`);
    const namespace = tree.terraformObjects.find(
      (o) => o.kind === "Namespace" && o.metadata.name === settings.namespace,
    );
    expect(namespace).toBeDefined();
    // Flux applies the app as apps-reconciler, which may manage its namespace (and no other).
    expect(
      tree.terraformObjects.find((o) => o.kind === "Role" && o.metadata.namespace === settings.namespace),
    ).toMatchObject({ metadata: { name: "apps-reconciler" } });
    const deployment = find("Deployment", app)!;
    expect(deployment.metadata.namespace).toBe(settings.namespace);
    expect(deployment.spec.replicas).toBe(settings.replicas);
    expect(deployment.spec.template.spec.containers[0].image).toBe(`${registry}/${name}/${app}:0.0.1`);
  });

  test("one image automation for the environment, updating its overlay folder", () => {
    const automations = objects.filter((o) => o.kind === "ImageUpdateAutomation");
    expect(automations.map((a) => a.spec.update)).toEqual([{ path: `./apps/${name}`, strategy: "Setters" }]);
  });

  test("the image Receiver, where on, lists every releasing app", () => {
    const receiver = find("Receiver", "gitlab-ci-oidc");
    if (!gitopsFeatures(env).includes("image-receiver")) return expect(receiver).toBeUndefined();
    expect(receiver!.spec.resources.map((r: Json) => r.name)).toEqual(["api", "nginx", "worker"]);
  });

  test("core: a repository per app, the URLs as one map output, a push role per release project", () => {
    const json: Json = JSON.parse(synth((app) => new CoreStack(app, "core", env)));
    expect(resources(json, "aws_ecr_repository").map((r) => r.name)).toEqual([
      `${name}/api`,
      `${name}/nginx`,
      `${name}/worker`,
    ]);
    expect(Object.keys(json.output[CORE_OUTPUTS.ecrRepositoryUrls].value)).toEqual(["api", "nginx", "worker"]);
    const pushRoles = resources(json, "aws_iam_role").filter((r) => String(r.name).includes("-gitlab-push-"));
    expect(pushRoles.map((r) => r.name).sort()).toEqual(
      ["my-group/api", "my-group/nginx-app", "my-group/worker"].map((p) => ecrPushRoleName(env, p)).sort(),
    );
  });
});

test("removing an app: first its files leave Git while Flux may still prune, then namespace and repository go", () => {
  const step = (enabled: unknown) =>
    environment("dev", { apps: { ...THREE_APPS, worker: { ...THREE_APPS.worker, enabled } } });
  const [env, removing, removed] = [step(true), step("removing"), step(false)];
  const trees = [env, removing, removed].map(committedTree);
  const gone = [...trees[0].files.keys()].filter((f) => !trees[1].files.has(f));
  expect(gone.sort()).toEqual([
    "apps/dev/worker/image-tag/kustomization.yaml",
    "apps/dev/worker/kustomization.yaml",
    "apps/dev/worker/manifests.yaml",
  ]);
  expect([...trees[2].files.keys()]).toEqual([...trees[1].files.keys()]);
  // Flux prunes as apps-reconciler: its namespace and its rights there stay until the second step.
  const inJobs = (t: (typeof trees)[number]) =>
    t.terraformObjects
      .filter((o) => o.metadata.name === "jobs" || o.metadata.namespace === "jobs")
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
  expect(inJobs(trees[1])).toEqual(inJobs(trees[0]));
  expect(inJobs(trees[1])).toEqual(expect.arrayContaining(["Namespace/jobs", "Role/apps-reconciler"]));
  expect(inJobs(trees[2])).toEqual([]);
  // The cluster may pull from the repository until Flux has pruned; the push role goes at once.
  const core = (e: typeof env) => JSON.parse(synth((app) => new CoreStack(app, "core", e)));
  const [repositories, roles] = [
    (e: typeof env) => resources(core(e), "aws_ecr_repository").map((r) => r.name),
    (e: typeof env) => resources(core(e), "aws_iam_role").map((r) => r.name),
  ];
  expect(repositories(removing)).toEqual(["dev/api", "dev/nginx", "dev/worker"]);
  expect(roles(removing)).not.toContain(ecrPushRoleName(env, "my-group/worker"));
  expect(repositories(removed)).toEqual(["dev/api", "dev/nginx"]);
});

test("ten more apps: the render check builds and validates every one", () => {
  const env = environment("dev", { apps: manyApps(10) });
  const { results, problems } = renderCheck([committedTree(env)]);
  expect(problems).toEqual([]);
  const policies = results[0].objects.filter((o) => o.object.kind === "ImagePolicy").map((o) => o.object.metadata.name);
  expect(policies.sort()).toEqual(enabledApps(env).map(([app]) => app));
  expect(policies).toHaveLength(11);
});
