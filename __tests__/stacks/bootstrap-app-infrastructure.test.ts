import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { parseAllDocuments } from "yaml";
import { RELOADER_CONFIGMAP_ANNOTATION } from "../../constructs/bootstrap/generated-workload";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { environment, Json, resources, THREE_APPS } from "../helpers";

// An app's infrastructure values (apps.<name>.infrastructureValues): a Terraform-owned ConfigMap
// in the app's namespace, filled from core's remote state, which the committed files wait for.
const stack = (patch: Json = {}, name = "dev"): Json =>
  JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), "bootstrap", environment(name, patch))));
const appMaps = (json: Json) =>
  Object.entries((json.resource.kubernetes_config_map_v1 ?? {}) as Record<string, Json>).filter(([, m]) =>
    String(m.metadata.name).endsWith("-infrastructure"),
  );
const remote = (output: string) => `data.terraform_remote_state.core.outputs.${output}`;
const ALL = ["AWS_ACCOUNT_ID", "AWS_REGION", "CLUSTER_NAME", "ECR_REPOSITORY_URL", "ENVIRONMENT"];

describe.each(["dev", "prod"])("environment %s as shipped", (name) => {
  const json = stack({}, name);

  test("nginx's ConfigMap holds the region from core's state and the environment, in nginx's namespace", () => {
    const maps = appMaps(json);
    expect(maps.map(([, m]) => m.metadata)).toEqual([
      { name: "nginx-infrastructure", namespace: "apps", labels: { "app.kubernetes.io/managed-by": "terraform" } },
    ]);
    expect(maps[0][1].data).toEqual({ AWS_REGION: `\${${remote("region")}}`, ENVIRONMENT: name });
  });

  test("it waits for nginx's namespace; the committed files wait for it through the one ready terraform_data", () => {
    const [[id, map]] = appMaps(json);
    const namespace = Object.entries(json.resource.kubernetes_namespace_v1 as Record<string, Json>).find(
      ([, n]) => n.metadata.name === "apps",
    )![0];
    expect(map.depends_on).toContain(`kubernetes_namespace_v1.${namespace}`);
    const ready = Object.entries(json.resource.terraform_data as Record<string, Json>);
    expect(ready).toHaveLength(1);
    expect(ready[0][1].depends_on).toContain(`kubernetes_config_map_v1.${id}`);
    for (const f of resources(json, "gitlab_repository_file"))
      expect(f.depends_on).toEqual([`terraform_data.${ready[0][0]}`]);
  });
});

describe("three apps, one asking for every value, one for none", () => {
  const apps = { ...THREE_APPS, api: { ...THREE_APPS.api, infrastructureValues: ALL } };
  const json = stack({ apps });
  const byName = Object.fromEntries(appMaps(json).map(([, m]) => [m.metadata.name, m]));

  test("a ConfigMap only for the apps that ask, each in its own namespace", () => {
    expect(Object.keys(byName).sort()).toEqual(["api-infrastructure", "nginx-infrastructure"]);
    expect(byName["api-infrastructure"].metadata.namespace).toBe("payments");
  });

  test("every value from core's remote state (or the environment's name): nothing evaluated from config text", () => {
    expect(byName["api-infrastructure"].data).toEqual({
      AWS_ACCOUNT_ID: `\${element(split(".", ${remote("ecr_registry")}), 0)}`,
      AWS_REGION: `\${${remote("region")}}`,
      CLUSTER_NAME: `\${${remote("cluster_name")}}`,
      ECR_REPOSITORY_URL: `\${${remote("ecr_registry")}}/dev/api`,
      ENVIRONMENT: "dev",
    });
  });

  test("the generated workload reads it with envFrom; Reloader restarts it only while the add-on runs", () => {
    const deployment = (patch: Json) => {
      const files = resources(stack(patch), "gitlab_repository_file");
      const file = files.find((f) => f.file_path === "apps/dev/api/manifests.yaml")!;
      return parseAllDocuments(Buffer.from(file.content, "base64").toString("utf8"), { version: "1.1" })
        .map((d) => d.toJS())
        .find((o) => o.kind === "Deployment");
    };
    const withReloader = deployment({ apps, addons: { reloader: { enabled: true } } });
    expect(withReloader.spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: "api-infrastructure" } },
    ]);
    expect(withReloader.metadata.annotations).toEqual({ [RELOADER_CONFIGMAP_ANNOTATION]: "api-infrastructure" });
    expect(deployment({ apps, addons: { reloader: { enabled: false } } }).metadata.annotations).toBeUndefined();
    expect(deployment({ apps, addons: { reloader: { enabled: "removing" } } }).metadata.annotations).toBeUndefined();
  });

  test("removing the app keeps its ConfigMap with its namespace; taking it out drops both", () => {
    const step = (enabled: unknown) => stack({ apps: { ...apps, api: { ...apps.api, enabled } } });
    const names = (json: Json) => appMaps(json).map(([, m]) => m.metadata.name);
    const payments = (json: Json) =>
      resources(json, "kubernetes_namespace_v1").filter((n) => n.metadata.name === "payments");
    expect(names(step("removing"))).toContain("api-infrastructure");
    expect(payments(step("removing"))).toHaveLength(1);
    expect(names(step(false))).not.toContain("api-infrastructure");
    expect(payments(step(false))).toHaveLength(0);
  });
});

test("no app asks: no app ConfigMap at all", () => {
  expect(appMaps(stack({ apps: { nginx: { infrastructureValues: [] } } }))).toEqual([]);
});
