import { TerraformResource, TerraformStack, Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { parseAllDocuments } from "yaml";
import { appSchema, AppSettings } from "../../../config/schema-apps";
import { appFiles } from "../../../constructs/bootstrap/app-files";
import { AppInfrastructure, AppInfrastructureProps } from "../../../constructs/bootstrap/app-infrastructure";
import { RELOADER_CONFIGMAP_ANNOTATION } from "../../../constructs/bootstrap/generated-workload";
import { Json, resources } from "../../helpers";
import { QA_VALUES } from "./addon-fixtures";

const app = (settings: Json = {}): AppSettings => appSchema.parse(settings);
const VALUES: AppInfrastructureProps["values"] = {
  AWS_ACCOUNT_ID: "123456789012",
  AWS_REGION: "eu-west-1",
  CLUSTER_NAME: "dev-eks",
  ENVIRONMENT: "dev",
};

/** Synthesizes the construct with a stand-in resource for each namespace its apps use. */
const synth = (apps: [string, AppSettings][], namespaces = ["apps"]): Json => {
  const stack = new TerraformStack(Testing.app(), "test");
  const owned = Object.fromEntries(
    namespaces.map((n) => [n, new TerraformResource(stack, `ns-${n}`, { terraformResourceType: "terraform_data" })]),
  );
  new AppInfrastructure(stack, "app-infrastructure", {
    apps,
    values: VALUES,
    repositoryUrl: (name) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/dev/${name}`,
    namespaces: owned,
  });
  return JSON.parse(Testing.synth(stack));
};

describe("AppInfrastructure", () => {
  test("minimal: one ConfigMap <app>-infrastructure, Terraform-labelled, in and after the app's namespace", () => {
    const json = synth([["web", app({ infrastructureValues: ["AWS_REGION"] })]]);
    const maps = resources(json, "kubernetes_config_map_v1");
    expect(maps).toHaveLength(1);
    expect(maps[0].metadata).toEqual({
      name: "web-infrastructure",
      namespace: "apps",
      labels: { "app.kubernetes.io/managed-by": "terraform" },
    });
    expect(maps[0].data).toEqual({ AWS_REGION: "eu-west-1" });
    expect(maps[0].depends_on).toEqual(["terraform_data.ns-apps"]);
  });

  test("defaults: an app that asks for nothing gets no ConfigMap", () => {
    expect(resources(synth([["web", app()]]), "kubernetes_config_map_v1")).toEqual([]);
  });

  test("every catalog value, the repository URL the app's own; each app only what it asked for", () => {
    const json = synth(
      [
        ["api", app({ namespace: "payments", infrastructureValues: ["ENVIRONMENT", "ECR_REPOSITORY_URL"] })],
        [
          "web",
          app({
            infrastructureValues: ["AWS_ACCOUNT_ID", "AWS_REGION", "CLUSTER_NAME", "ECR_REPOSITORY_URL", "ENVIRONMENT"],
          }),
        ],
        ["worker", app()],
      ],
      ["apps", "payments"],
    );
    const byName = Object.fromEntries(resources(json, "kubernetes_config_map_v1").map((m) => [m.metadata.name, m]));
    expect(Object.keys(byName).sort()).toEqual(["api-infrastructure", "web-infrastructure"]);
    expect(byName["api-infrastructure"].metadata.namespace).toBe("payments");
    expect(byName["api-infrastructure"].data).toEqual({
      ECR_REPOSITORY_URL: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/dev/api",
      ENVIRONMENT: "dev",
    });
    expect(byName["web-infrastructure"].data).toEqual({
      ...VALUES,
      ECR_REPOSITORY_URL: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/dev/web",
    });
  });

  test("invalid: an app in a namespace Terraform does not create is refused (its ConfigMap cannot wait for it)", () => {
    expect(() => synth([["web", app({ namespace: "elsewhere", infrastructureValues: ["AWS_REGION"] })]])).toThrow(
      /web's namespace elsewhere is not one Terraform creates here/,
    );
  });
});

describe("the generated workload reads its infrastructure values", () => {
  const deployment = (settings: Json, reloader?: boolean): Json => {
    const files = appFiles({ values: QA_VALUES, apps: [["web", app(settings)]], reloader });
    const manifests = files.find((f) => f.target === "apps/qa/web/manifests.yaml")!;
    return parseAllDocuments(manifests.content, { version: "1.1" })
      .map((d) => d.toJS())
      .find((o) => o.kind === "Deployment");
  };

  test("envFrom the ConfigMap when the app asks for values, nothing otherwise", () => {
    const withValues = deployment({ infrastructureValues: ["AWS_REGION"] });
    expect(withValues.spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: "web-infrastructure" } },
    ]);
    expect(deployment({}).spec.template.spec.containers[0].envFrom).toBeUndefined();
  });

  test("the Reloader annotation only while the Reloader add-on runs and the app has values", () => {
    expect(deployment({ infrastructureValues: ["AWS_REGION"] }, true).metadata.annotations).toEqual({
      [RELOADER_CONFIGMAP_ANNOTATION]: "web-infrastructure",
    });
    expect(deployment({ infrastructureValues: ["AWS_REGION"] }, false).metadata.annotations).toBeUndefined();
    expect(deployment({}, true).metadata.annotations).toBeUndefined();
  });
});
