import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { FluxBootstrapGit, FluxBootstrapGitConfig } from "../../../constructs/flux/bootstrap-git";
import { Json } from "../../helpers";

function resourceJson(config: FluxBootstrapGitConfig): { resource: Json } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new FluxBootstrapGit(stack, "flux", config);
  return { resource: JSON.parse(Testing.synth(stack)).resource.flux_bootstrap_git.flux };
}

describe("FluxBootstrapGit", () => {
  test("minimal: only what was set is emitted, so the provider's defaults apply", () => {
    const { resource } = resourceJson({});
    const { "//": _metadata, ...attributes } = resource;
    expect(attributes).toEqual({});
  });

  test("attributes use the provider's snake_case names; timeouts is an object", () => {
    const { resource } = resourceJson({
      path: "clusters/c",
      embeddedManifests: true,
      componentsExtra: ["image-reflector-controller", "image-automation-controller"],
      keepNamespace: false,
      deleteGitManifests: true,
      watchAllNamespaces: true,
      networkPolicy: true,
      logLevel: "info",
      secretName: "flux-system",
      clusterDomain: "cluster.local",
      tolerationKeys: ["CriticalAddonsOnly"],
      kustomizationOverride: "resources: [gotk-components.yaml, gotk-sync.yaml]",
      timeouts: { create: "20m" },
    });
    expect(resource).toMatchObject({
      path: "clusters/c",
      embedded_manifests: true,
      components_extra: ["image-reflector-controller", "image-automation-controller"],
      keep_namespace: false,
      delete_git_manifests: true,
      watch_all_namespaces: true,
      network_policy: true,
      log_level: "info",
      secret_name: "flux-system",
      cluster_domain: "cluster.local",
      toleration_keys: ["CriticalAddonsOnly"],
      kustomization_override: "resources: [gotk-components.yaml, gotk-sync.yaml]",
      timeouts: { create: "20m" },
    });
    expect(resource).not.toHaveProperty("manifests_path");
  });

  test("meta-arguments: depends_on is kept", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const first = new FluxBootstrapGit(stack, "first", {});
    new FluxBootstrapGit(stack, "second", { dependsOn: [first] });
    expect(JSON.parse(Testing.synth(stack)).resource.flux_bootstrap_git.second.depends_on).toEqual([
      "flux_bootstrap_git.first",
    ]);
  });

  test("computed attributes are references", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const bootstrap = new FluxBootstrapGit(stack, "flux", {});
    new TerraformOutput(stack, "id", { value: bootstrap.id });
    new TerraformOutput(stack, "files", { value: bootstrap.repositoryFiles });
    const { output } = JSON.parse(Testing.synth(stack));
    expect(output.id.value).toBe("${flux_bootstrap_git.flux.id}");
    expect(output.files.value).toBe("${flux_bootstrap_git.flux.repository_files}");
  });

  test.each<[string, FluxBootstrapGitConfig, RegExp]>([
    [
      "an unknown extra component",
      { componentsExtra: ["image-controller"] },
      /unknown components_extra image-controller/,
    ],
    [
      "automation without the reflector",
      { componentsExtra: ["image-automation-controller"] },
      /image-automation-controller needs image-reflector-controller/,
    ],
    [
      "components without kustomize-controller",
      { components: ["source-controller", "helm-controller"] },
      /must keep source-controller and kustomize-controller/,
    ],
    [
      "registry credentials without a pull secret",
      { registryCredentials: "u:p" },
      /registry_credentials needs image_pull_secret/,
    ],
  ])("rejects %s", (_name, config, message) => {
    expect(() => resourceJson(config)).toThrow(message);
  });
});
