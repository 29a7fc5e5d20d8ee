import { DeployKey } from "@cdktf/provider-gitlab/lib/deploy-key";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { parse, parseAllDocuments } from "yaml";
import { CLUSTER_VARS } from "../../constructs/bootstrap/cluster-vars";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CoreStack } from "../../stacks/core-stack";
import { environment, ENVIRONMENTS, Json, resources, SNAPSHOT_ENVIRONMENTS, synth } from "../helpers";
import { TOKEN_CANARY as CANARY } from "../helpers";
import { FLUX } from "../../config/versions";

const HOST_KEY = "ssh.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf";

const bootstrapJson = (patch: Json = {}, name = "dev") =>
  synth((app) => new BootstrapStack(app, "bootstrap", environment(name, patch)));

describe.each(SNAPSHOT_ENVIRONMENTS)("bootstrap stack, environment %s", (name) => {
  test("snapshot (a change detector: update it only with a reason)", () => {
    expect(JSON.parse(bootstrapJson({}, name))).toMatchSnapshot();
  });
});

describe.each(ENVIRONMENTS)("bootstrap stack, environment %s", (name) => {
  const text = bootstrapJson({}, name);
  test("nothing secret in the synthesized JSON", () => {
    expect(text).not.toContain(CANARY);
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|glpat-|AKIA[0-9A-Z]{16}/);
    expect(JSON.parse(text).provider.gitlab[0]).not.toHaveProperty("token");
  });
});

describe("bootstrap stack invariants", () => {
  const text = bootstrapJson();
  const json: Json = JSON.parse(text);
  const address = (type: string, match: (r: Json) => boolean = () => true) =>
    Object.entries(json.resource[type])
      .filter(([, r]) => match(r as Json))
      .map(([name]) => `${type}.${name}`);
  const [bootstrap] = resources(json, "flux_bootstrap_git");
  const files = resources(json, "gitlab_repository_file");
  const decoded = (f: Json) => Buffer.from(f.content, "base64").toString("utf8");

  test("reads core's outputs from remote state of the same backend; no cross-stack references", () => {
    const coreBackend = (patch: Json) =>
      JSON.parse(synth((app) => new CoreStack(app, "core", environment("dev", patch)))).terraform.backend;
    const address = coreBackend({}).http.address;
    expect(json.data.terraform_remote_state.core).toEqual({ backend: "http", config: { address } });
    expect(json.terraform.backend.http.address).toBe(address.replace(/-core$/, "-bootstrap"));
    expect(text).not.toMatch(/cross-stack-output/);
    const local = JSON.parse(bootstrapJson({ backend: { type: "local" } }));
    expect(local.data.terraform_remote_state.core).toEqual({
      backend: "local",
      config: { path: coreBackend({ backend: { type: "local" } }).local.path },
    });
    expect(local.terraform.backend.local.path).toBe("../../../state/dev/bootstrap.tfstate");
    const s3 = JSON.parse(bootstrapJson({ backend: { type: "s3", bucket: "tf-state" } }));
    expect(s3.data.terraform_remote_state.core.config).toMatchObject({
      bucket: "tf-state",
      key: coreBackend({ backend: { type: "s3", bucket: "tf-state" } }).s3.key,
      encrypt: true,
    });
  });

  test("kubernetes and flux share one cluster access: host, CA from core, exec of aws eks get-token", () => {
    const [k8s] = json.provider.kubernetes;
    const [flux] = json.provider.flux;
    expect(flux.kubernetes.host).toBe(k8s.host);
    expect(flux.kubernetes.cluster_ca_certificate).toBe(k8s.cluster_ca_certificate);
    expect(flux.kubernetes.exec).toEqual(k8s.exec[0]);
    expect(k8s.host).toBe("${data.terraform_remote_state.core.outputs.cluster_endpoint}");
    expect(k8s.cluster_ca_certificate).toBe(
      "${base64decode(data.terraform_remote_state.core.outputs.cluster_certificate_authority_data)}",
    );
    expect(k8s.exec[0].command).toBe("aws");
    expect(k8s.exec[0].args.slice(0, 2)).toEqual(["eks", "get-token"]);
  });

  test("flux provider JSON: git over ssh:// as the deploy key, nested objects", () => {
    const [flux] = json.provider.flux;
    expect(flux.git.url).toBe("ssh://git@gitlab.com/my-group/flux-gitops-dev.git");
    expect(flux.git.ssh).toEqual({
      username: "git",
      private_key: expect.stringMatching(/^\$\{tls_private_key\..*\.private_key_pem\}$/),
    });
    expect(Array.isArray(flux.kubernetes)).toBe(false);
    expect(json.terraform.required_providers.flux).toEqual({
      source: "registry.terraform.io/fluxcd/flux",
      version: FLUX.provider,
    });
  });

  test("gitlab: base URL from the environment, token only from GITLAB_TOKEN", () => {
    expect(json.provider.gitlab[0]).toEqual({ base_url: "https://gitlab.com/api/v4/" });
    const selfHosted = JSON.parse(
      bootstrapJson({
        gitlab: { baseUrl: "https://git.example.com/", sshHost: "ssh.example.com:2222", sshKnownHosts: [HOST_KEY] },
      }),
    );
    expect(selfHosted.provider.gitlab[0].base_url).toBe("https://git.example.com/api/v4/");
    expect(selfHosted.provider.flux[0].git.url).toBe("ssh://git@ssh.example.com:2222/my-group/flux-gitops-dev.git");
    const secret = resources(selfHosted, "kubernetes_secret_v1").find((s) => s.metadata.name === "flux-system")!;
    expect(secret.data.known_hosts).toBe(`${HOST_KEY}\n`);
  });

  test("an ECDSA P256 key and a deploy key with write access", () => {
    expect(text).toHaveResourceWithProperties(PrivateKey, { algorithm: "ECDSA", ecdsa_curve: "P256" });
    expect(text).toHaveResourceWithProperties(DeployKey, { can_push: true });
  });

  test("the project is read by path, or created with a README when configured", () => {
    expect(json.data.gitlab_project["gitops-project"].path_with_namespace).toBe("my-group/flux-gitops-dev");
    const created = JSON.parse(bootstrapJson({ gitlab: { createProject: true } }));
    expect(resources(created, "gitlab_project")[0]).toMatchObject({
      path: "flux-gitops-dev",
      initialize_with_readme: true,
      default_branch: "main",
    });
  });

  test("flux_bootstrap_git: sync path, image controllers, embedded manifests, Terraform's Secret and namespace", () => {
    expect(bootstrap).toMatchObject({
      path: "clusters/flux-dev",
      embedded_manifests: true,
      components_extra: ["image-reflector-controller", "image-automation-controller"],
      disable_secret_creation: true,
      secret_name: "flux-system",
      keep_namespace: true,
    });
    // The key exists in GitLab, its Secret in the cluster, and the branch lets it push before Flux's first commit.
    expect(bootstrap.depends_on).toEqual([
      ...address("gitlab_deploy_key"),
      ...address("kubernetes_secret_v1"),
      ...address("gitlab_branch_protection"),
    ]);
  });

  test("the Secret Flux clones and pushes with is driven by the key Terraform rotates", () => {
    const [keyName] = Object.keys(json.resource.tls_private_key);
    const secret = resources(json, "kubernetes_secret_v1").find((s) => s.metadata.name === "flux-system")!;
    expect(secret.metadata.namespace).toBe("flux-system");
    expect(secret.data.identity).toBe(`\${tls_private_key.${keyName}.private_key_pem}`);
    expect(secret.data["identity.pub"]).toBe(`\${tls_private_key.${keyName}.public_key_openssh}`);
    expect(resources(json, "gitlab_deploy_key")[0].key).toBe(`\${tls_private_key.${keyName}.public_key_openssh}`);
    expect(
      secret.data.known_hosts
        .split("\n")
        .filter(Boolean)
        .map((l: string) => l.split(" ").slice(0, 2).join(" ")),
    ).toEqual(["gitlab.com ssh-ed25519", "gitlab.com ssh-rsa", "gitlab.com ecdsa-sha2-nistp256"]);
    // Flux labels its namespace; Terraform owns it but leaves the labels alone.
    const namespace = resources(json, "kubernetes_namespace_v1").find((n) => n.metadata.name === "flux-system")!;
    expect(namespace.lifecycle.ignore_changes).toEqual(["metadata[0].labels", "metadata[0].annotations"]);
    expect(secret.depends_on).toEqual(address("kubernetes_namespace_v1", (n) => n.metadata.name === "flux-system"));
  });

  test("the branch is protected with Flux's deploy key allowed to push; fails at plan on a GitLab that cannot", () => {
    const [keyName] = Object.keys(json.resource.gitlab_deploy_key);
    const [protection] = resources(json, "gitlab_branch_protection");
    expect(protection).toMatchObject({
      branch: "main",
      push_access_level: "maintainer",
      merge_access_level: "maintainer",
      allow_force_push: false,
    });
    expect(protection.allowed_to_push).toEqual([{ deploy_key_id: `\${gitlab_deploy_key.${keyName}.deploy_key_id}` }]);
    const [defaultBranch, precondition] = protection.lifecycle.precondition;
    expect(defaultBranch.condition).toBe('${(data.gitlab_project.gitops-project.default_branch == "main")}');
    expect(defaultBranch.error_message).toMatch(/gitlab\.branch must be the GitOps project's default branch/);
    // A project Terraform creates has the configured branch as its default: nothing to check.
    const created = resources(
      JSON.parse(bootstrapJson({ gitlab: { createProject: true } })),
      "gitlab_branch_protection",
    )[0];
    expect(created.lifecycle.precondition).toHaveLength(1);
    expect(precondition.condition).toMatch(
      new RegExp(
        [
          String.raw`^\$\{data\.gitlab_metadata\.[^.]+\.enterprise && `,
          String.raw`\(tonumber\(split\("\.", data\.gitlab_metadata\.[^.]+\.version\)\[0\]\) > 17`,
        ].join(""),
      ),
    );
    expect(precondition.error_message).toMatch(/GitLab 17\.5 or newer/);
    const off = JSON.parse(bootstrapJson({ gitlab: { protectBranch: false } }));
    expect(resources(off, "gitlab_branch_protection")).toEqual([]);
    expect(off.data?.gitlab_metadata).toBeUndefined();
  });

  test("a self-managed GitLab without host keys is a configuration error, not a guess", () => {
    expect(() => environment("dev", { gitlab: { baseUrl: "https://git.example.com" } })).toThrow(
      /gitlab\.sshKnownHosts: is required for git\.example\.com/,
    );
  });

  test("order: deploy key, then Flux, then namespaces and ConfigMaps, then the committed files", () => {
    const [flux] = address("flux_bootstrap_git");
    const afterFlux = [
      ...resources(json, "kubernetes_namespace_v1").filter((n) => n.metadata.name !== "flux-system"),
      ...resources(json, "kubernetes_config_map_v1"),
    ];
    for (const r of afterFlux) expect(r.depends_on).toContain(flux);
    const before = [
      ...address("kubernetes_namespace_v1", (n) => n.metadata.name !== "flux-system"),
      ...address("kubernetes_config_map_v1"),
    ];
    // Through one terraform_data: each file waits for it, it waits for all of them.
    const [ready] = address("terraform_data", (d) => String(d.depends_on).includes("kubernetes_"));
    expect(
      resources(json, "terraform_data").find((d) => String(d.depends_on).includes("kubernetes_"))!.depends_on,
    ).toEqual(expect.arrayContaining(before));
    for (const f of files) expect(f.depends_on).toEqual([ready]);
  });

  test("Terraform-owned namespaces, labelled so", () => {
    expect(text).toHaveResourceWithProperties(NamespaceV1, {
      metadata: { name: "apps", labels: expect.objectContaining({ "app.kubernetes.io/managed-by": "terraform" }) },
    });
  });

  test("cluster-vars carries every variable the GitOps content uses, from core's outputs", () => {
    const vars = resources(json, "kubernetes_config_map_v1").find((c) => c.metadata.name === "cluster-vars")!;
    expect(vars.metadata.namespace).toBe("flux-system");
    expect(Object.keys(vars.data).sort()).toEqual([...CLUSTER_VARS].sort());
    expect(vars.data.ECR_REGISTRY).toBe("${data.terraform_remote_state.core.outputs.ecr_registry}");
    expect(vars.data.VPC_ID).toBe("${data.terraform_remote_state.core.outputs.vpc_id}");
  });

  test("every add-on's Helm values come from its own Terraform-owned ConfigMap", () => {
    const maps = resources(json, "kubernetes_config_map_v1");
    const karpenter = maps.find((c) => c.metadata.name === "karpenter-values")!;
    expect(karpenter.data["values.yaml"]).toMatch(
      /^\$\{yamlencode\(\{.*"clusterName" = data\.terraform_remote_state\.core\.outputs\.cluster_name/,
    );
    const releases = files
      .flatMap((f) => parseAllDocuments(decoded(f)).map((d) => d.toJS()))
      .filter((d) => d?.kind === "HelmRelease");
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) {
      if (release.metadata.name === "karpenter-crd") continue;
      expect(release.spec.valuesFrom).toEqual([
        { kind: "ConfigMap", name: `${release.metadata.name}-values`, valuesKey: "values.yaml" },
      ]);
      expect(maps.map((c) => c.metadata.name)).toContain(`${release.metadata.name}-values`);
    }
  });

  test("files are base64 at synth, so Flux's ${VAR} placeholders reach Git literally", () => {
    expect(files.every((f) => f.encoding === "base64")).toBe(true);
    const image = files.find((f) => f.file_path === "apps/dev/nginx/image.yaml")!;
    expect(decoded(image)).toContain('image: "${ECR_REGISTRY}/dev/nginx"');
    for (const f of files) expect(f.content).not.toContain("${");
  });

  test("only the image-tag file is created once and then left to Flux; the overlay stays Terraform's", () => {
    const owned = files.filter((f) => f.lifecycle?.ignore_changes);
    expect(owned.map((f) => f.file_path)).toEqual(["apps/dev/nginx/image-tag/kustomization.yaml"]);
    expect(files.find((f) => f.file_path === "apps/dev/nginx/kustomization.yaml")!.lifecycle).toBeUndefined();
    expect(owned[0].lifecycle.ignore_changes).toEqual(["content"]);
    expect(decoded(owned[0])).toContain('# {"$imagepolicy": "flux-system:nginx:tag"}');
  });

  test("files land in the Flux reference layout for this cluster and environment", () => {
    const paths = files.map((f) => f.file_path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        "clusters/flux-dev/apps.yaml",
        "clusters/flux-dev/infrastructure.yaml",
        "apps/dev/kustomization.yaml",
        "apps/base/nginx/deployment.yaml",
      ]),
    );
    const apps = parse(decoded(files.find((f) => f.file_path === "clusters/flux-dev/apps.yaml")!));
    expect(apps.spec.path).toBe("./apps/dev");
  });

  test("each environment commits the whole tree to its own repository", () => {
    const paths = files.map((f) => f.file_path);
    expect(paths.filter((p) => p.startsWith("infrastructure/") || p.startsWith("apps/base/")).length).toBeGreaterThan(
      0,
    );
    const prod = resources(JSON.parse(bootstrapJson({}, "prod")), "gitlab_repository_file");
    expect(prod.map((f) => f.file_path)).toEqual(
      expect.arrayContaining([
        "infrastructure/crds/kustomization.yaml",
        "infrastructure/configs/kustomization.yaml",
        "apps/base/nginx/deployment.yaml",
        "apps/prod/kustomization.yaml",
      ]),
    );
  });
});
