import { TerraformMetaArguments, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { AttributeTable, toHcl, toJson } from "./attributes";
import { FLUX_PROVIDER } from "./provider";

/** Controllers `components` may list; source and kustomize are mandatory. */
export const FLUX_COMPONENTS = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
];
/** Controllers `components_extra` may list (at most these three). */
export const FLUX_EXTRA_COMPONENTS = ["image-reflector-controller", "image-automation-controller", "source-watcher"];

/** `timeouts`: an attribute (an object), not a block. */
export interface FluxBootstrapGitTimeouts {
  /** @default "15m" */
  readonly create?: string;
  /** @default "15m" */
  readonly read?: string;
  /** @default "15m" */
  readonly update?: string;
  /** @default "5m" */
  readonly delete?: string;
}

/**
 * `flux_bootstrap_git`. It has no url, branch or credentials of its own: those live in the
 * provider's `git` object. The deprecated `manifests_path` is left out on purpose.
 */
export interface FluxBootstrapGitConfig extends TerraformMetaArguments {
  /** Repository-relative sync path, e.g. `clusters/flux-cluster`. */
  readonly path?: string;
  /** Flux version (`v2.9.5`, `latest`); ignored with embeddedManifests. @default the provider's own Flux version */
  readonly version?: string;
  /** Install the manifests built into the provider: no download from GitHub at apply. @default false */
  readonly embeddedManifests?: boolean;
  /** Default controllers. @default the four in FLUX_COMPONENTS */
  readonly components?: string[];
  /** Extra controllers: image-reflector- and image-automation-controller for image automation. */
  readonly componentsExtra?: string[];
  /** Namespace; changing it replaces the resource. @default "flux-system" */
  readonly namespace?: string;
  /** Secret with the Git credentials; changing it replaces the resource. @default "flux-system" */
  readonly secretName?: string;
  /** GitRepository sync interval. @default "1m0s" */
  readonly interval?: string;
  /** Cluster DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Deny ingress from other namespaces with network policies. @default true */
  readonly networkPolicy?: boolean;
  /** Watch custom resources in every namespace. @default true */
  readonly watchAllNamespaces?: boolean;
  /** Keep the namespace on destroy. @default false */
  readonly keepNamespace?: boolean;
  /** Delete Flux's files from Git on destroy. @default true */
  readonly deleteGitManifests?: boolean;
  /** Do not create the Git credentials Secret. */
  readonly disableSecretCreation?: boolean;
  /** `info`, `debug` or `error`. @default "info" */
  readonly logLevel?: "info" | "debug" | "error";
  /** Container registry of the controller images. @default "ghcr.io/fluxcd" */
  readonly registry?: string;
  /** Pull secret for the controller images. */
  readonly imagePullSecret?: string;
  /** `user:password` for the registry; needs imagePullSecret. */
  readonly registryCredentials?: string;
  /** Taint keys the controllers tolerate. */
  readonly tolerationKeys?: string[];
  /** Clone Git submodules. */
  readonly recurseSubmodules?: boolean;
  /** A kustomization.yaml listing gotk-components.yaml and gotk-sync.yaml, to patch Flux itself. */
  readonly kustomizationOverride?: string;
  /** Operation timeouts. */
  readonly timeouts?: FluxBootstrapGitTimeouts;
}

/**
 * Installs Flux on the cluster and commits its own manifests to `path` in the repository.
 * Every plan clones the repository and reads the cluster.
 * https://registry.terraform.io/providers/fluxcd/flux/latest/docs/resources/bootstrap_git
 */
export class FluxBootstrapGit extends TerraformResource {
  static readonly tfResourceType = "flux_bootstrap_git";
  private readonly config: FluxBootstrapGitConfig;

  constructor(scope: Construct, id: string, config: FluxBootstrapGitConfig) {
    super(scope, id, {
      terraformResourceType: FluxBootstrapGit.tfResourceType,
      terraformGeneratorMetadata: { providerName: "flux", providerVersion: FLUX_PROVIDER.version },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
      provisioners: config.provisioners,
      connection: config.connection,
    });
    validate(config);
    this.config = config;
  }

  /** The namespace Flux was installed in. */
  get id(): string {
    return this.getStringAttribute("id");
  }

  /** The files the resource manages in Git, by path. */
  get repositoryFiles(): Record<string, string> {
    return this.getStringMapAttribute("repository_files") as Record<string, string>;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return toJson(RESOURCE_ATTRIBUTES, this.config) ?? {};
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return toHcl(RESOURCE_ATTRIBUTES, this.config);
  }
}

const TIMEOUT_ATTRIBUTES: AttributeTable<FluxBootstrapGitTimeouts> = {
  create: ["create", "string"],
  read: ["read", "string"],
  update: ["update", "string"],
  delete: ["delete", "string"],
};

/** Meta-arguments (depends_on, provider, ...) are written by cdktf itself, not from this table. */
type ResourceArguments = Omit<FluxBootstrapGitConfig, keyof TerraformMetaArguments>;

/** The resource's attributes, for JSON and HCL alike. */
const RESOURCE_ATTRIBUTES: AttributeTable<ResourceArguments> = {
  path: ["path", "string"],
  version: ["version", "string"],
  embeddedManifests: ["embedded_manifests", "bool"],
  components: ["components", "stringList"],
  componentsExtra: ["components_extra", "stringList"],
  namespace: ["namespace", "string"],
  secretName: ["secret_name", "string"],
  interval: ["interval", "string"],
  clusterDomain: ["cluster_domain", "string"],
  networkPolicy: ["network_policy", "bool"],
  watchAllNamespaces: ["watch_all_namespaces", "bool"],
  keepNamespace: ["keep_namespace", "bool"],
  deleteGitManifests: ["delete_git_manifests", "bool"],
  disableSecretCreation: ["disable_secret_creation", "bool"],
  logLevel: ["log_level", "string"],
  registry: ["registry", "string"],
  imagePullSecret: ["image_pull_secret", "string"],
  registryCredentials: ["registry_credentials", "string"],
  tolerationKeys: ["toleration_keys", "stringList"],
  recurseSubmodules: ["recurse_submodules", "bool"],
  kustomizationOverride: ["kustomization_override", "string"],
  timeouts: ["timeouts", { object: TIMEOUT_ATTRIBUTES }],
};

function validate(c: FluxBootstrapGitConfig): void {
  const fail = (message: string) => {
    throw new Error(`flux_bootstrap_git: ${message}`);
  };
  if (c.components) {
    const unknown = c.components.filter((x) => !FLUX_COMPONENTS.includes(x));
    if (unknown.length) fail(`unknown components ${unknown.join(", ")}; allowed: ${FLUX_COMPONENTS.join(", ")}`);
    if (!c.components.includes("source-controller") || !c.components.includes("kustomize-controller")) {
      fail("components must keep source-controller and kustomize-controller");
    }
  }
  if (c.componentsExtra) {
    const unknown = c.componentsExtra.filter((x) => !FLUX_EXTRA_COMPONENTS.includes(x));
    if (unknown.length)
      fail(`unknown components_extra ${unknown.join(", ")}; allowed: ${FLUX_EXTRA_COMPONENTS.join(", ")}`);
    const automation = c.componentsExtra.includes("image-automation-controller");
    if (automation && !c.componentsExtra.includes("image-reflector-controller")) {
      fail("image-automation-controller needs image-reflector-controller");
    }
  }
  if (c.registryCredentials && !c.imagePullSecret) fail("registry_credentials needs image_pull_secret");
}
