import { stringify } from "yaml";
import { committedTree, renderCheck } from "../../scripts/render-check";
import { environment, Json, THREE_APPS } from "../helpers";

// An app's infrastructure values reach its pods through envFrom of the ConfigMap Terraform creates
// (not in Git): the render check knows Terraform's objects and requires every ConfigMap a pod's
// environment names, so a workload that would not start fails here, not in the cluster.
const ALL = ["AWS_ACCOUNT_ID", "AWS_REGION", "CLUSTER_NAME", "ECR_REPOSITORY_URL", "ENVIRONMENT"];

test("generated app with infrastructure values and Reloader: envFrom its ConfigMap, built/validated like Flux", () => {
  const env = environment("dev", {
    apps: { ...THREE_APPS, api: { ...THREE_APPS.api, infrastructureValues: ALL } },
    addons: { reloader: { enabled: true } },
  });
  const tree = committedTree(env);
  const { results, problems } = renderCheck([tree]);
  expect(problems).toEqual([]);
  const api = results[0].objects
    .map((o) => o.object as Json)
    .find((o) => o.kind === "Deployment" && o.metadata.name === "api")!;
  expect(api.metadata.namespace).toBe("payments");
  expect(api.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: "api-infrastructure" } }]);
  expect(api.metadata.annotations).toEqual({ "configmap.reloader.stakater.com/reload": "api-infrastructure" });
  // Terraform's ConfigMap, with the values the render check's stand-ins for core's outputs give.
  const map = tree.terraformObjects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "api-infrastructure");
  expect(map).toMatchObject({
    metadata: { namespace: "payments" },
    data: {
      AWS_REGION: env.region,
      CLUSTER_NAME: env.cluster.name,
      ENVIRONMENT: "dev",
      ECR_REPOSITORY_URL: `123456789012.dkr.ecr.${env.region}.amazonaws.com/dev/api`,
    },
  });
});

test("a workload naming an infrastructure ConfigMap Terraform does not create fails the check", () => {
  // The shipped nginx base reads nginx-infrastructure; an environment that drops its values must drop that too.
  const env = environment("dev", { apps: { nginx: { infrastructureValues: [] } } });
  const { problems } = renderCheck([committedTree(env)]);
  expect(problems).toEqual([
    expect.stringMatching(/Deployment\/apps\/nginx: envFrom ConfigMap\/apps\/nginx-infrastructure does not exist$/),
  ]);
});

test("a commit cannot take Terraform's ConfigMap over: one of the same name in an app's base fails the check", () => {
  // apps-reconciler may manage ConfigMaps in the namespace (RBAC cannot except one by name), and Flux
  // prunes only what its inventory lists, which Terraform's ConfigMap never is; a committed twin would
  // be applied over it and pruned with it, so the check refuses it before it reaches Git.
  const tree = committedTree(environment("dev"));
  const files = new Map(tree.files);
  const base = "apps/base/nginx/kustomization.yaml";
  files.set(base, files.get(base)!.replace("resources:\n", "resources:\n  - twin.yaml\n"));
  const twin = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "nginx-infrastructure", namespace: "apps" } };
  files.set("apps/base/nginx/twin.yaml", stringify(twin));
  const { problems } = renderCheck([{ ...tree, files }]);
  expect(problems).toEqual([
    expect.stringMatching(/ConfigMap\/apps\/nginx-infrastructure is applied twice: by terraform/),
  ]);
});
