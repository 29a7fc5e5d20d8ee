import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { FLUX } from "../../config/versions";
import { AttributeTable, toHcl, toJson } from "./attributes";

/**
 * A typed binding of the `fluxcd/flux` provider block, written by hand because no prebuilt
 * CDKTF package exists. It follows the provider's schema as published for v1.8.5; the 1.9 line
 * (Flux 2.9) shows no change to these attributes in its release notes (terraform-plugin-framework):
 * `kubernetes`, `git`, `kubernetes.exec`, `git.ssh` and `git.http` are single nested
 * attributes, so each is emitted as a plain object, never a one-element list.
 * https://registry.terraform.io/providers/fluxcd/flux/latest/docs
 */
export const FLUX_PROVIDER = { source: "fluxcd/flux", version: FLUX.provider } as const;

/** `kubernetes.exec`: a credential plugin run for every request, so tokens never go stale. */
export interface FluxKubernetesExec {
  /** Client authentication API version, e.g. `client.authentication.k8s.io/v1beta1`. */
  readonly apiVersion: string;
  /** The command to run, e.g. `aws`. */
  readonly command: string;
  /** Its arguments. */
  readonly args?: string[];
  /** Extra environment variables for the command (names are kept as given). */
  readonly env?: Record<string, string>;
}

/** `kubernetes`: how the provider reaches the cluster. */
export interface FluxKubernetes {
  /** API server URL. */
  readonly host?: string;
  /** PEM CA certificate of the API server (EKS gives base64: decode it first). */
  readonly clusterCaCertificate?: string;
  /** Bearer token. */
  readonly token?: string;
  /** Basic-auth user name. */
  readonly username?: string;
  /** Basic-auth password. */
  readonly password?: string;
  /** Skip TLS verification of the API server. */
  readonly insecure?: boolean;
  /** PEM client certificate. */
  readonly clientCertificate?: string;
  /** PEM client key. */
  readonly clientKey?: string;
  /** Proxy URL for API requests. */
  readonly proxyUrl?: string;
  /** Path to a kubeconfig file. */
  readonly configPath?: string;
  /** Paths to kubeconfig files. */
  readonly configPaths?: string[];
  /** Kubeconfig context. */
  readonly configContext?: string;
  /** Kubeconfig user of the context. */
  readonly configContextAuthInfo?: string;
  /** Kubeconfig cluster of the context. */
  readonly configContextCluster?: string;
  /** Credential plugin. */
  readonly exec?: FluxKubernetesExec;
}

/** `git.ssh`: SSH authentication, for `ssh://` URLs. */
export interface FluxGitSsh {
  /** SSH user; `git` for GitLab and GitHub. */
  readonly username?: string;
  /** PEM private key (sensitive). */
  readonly privateKey?: string;
  /** The private key's passphrase (sensitive). */
  readonly password?: string;
  /** Host key algorithms to accept. */
  readonly hostkeyAlgos?: string[];
}

/** `git.http`: HTTP(S) authentication, for `https://` URLs. */
export interface FluxGitHttp {
  /** User name. */
  readonly username?: string;
  /** Password or token (sensitive). */
  readonly password?: string;
  /** PEM CA of the Git server. */
  readonly certificateAuthority?: string;
  /** Allow `http://` URLs. */
  readonly allowInsecureHttp?: boolean;
}

/** `git`: the repository Flux is bootstrapped into. */
export interface FluxGit {
  /** Repository URL with scheme `ssh`, `http` or `https` (not the scp form `git@host:path`). */
  readonly url: string;
  /** Branch. @default "main" */
  readonly branch?: string;
  /** Commit author name. @default "Flux" */
  readonly authorName?: string;
  /** Commit author email. */
  readonly authorEmail?: string;
  /** Text appended to Flux's commit messages. */
  readonly commitMessageAppendix?: string;
  /** Path to a GPG key ring, for signed commits. */
  readonly gpgKeyRing?: string;
  /** Passphrase of the GPG key (sensitive). */
  readonly gpgPassphrase?: string;
  /** GPG key id to sign with. */
  readonly gpgKeyId?: string;
  /** SSH authentication. */
  readonly ssh?: FluxGitSsh;
  /** HTTP authentication. */
  readonly http?: FluxGitHttp;
}

export interface FluxProviderConfig {
  /** Cluster access; set together with `git`. */
  readonly kubernetes?: FluxKubernetes;
  /** Repository access; set together with `kubernetes`. */
  readonly git?: FluxGit;
  /** Provider alias. */
  readonly alias?: string;
}

export class FluxProvider extends TerraformProvider {
  private readonly config: FluxProviderConfig;

  constructor(scope: Construct, id: string, config: FluxProviderConfig) {
    super(scope, id, {
      terraformResourceType: "flux",
      terraformGeneratorMetadata: {
        providerName: "flux",
        providerVersion: FLUX_PROVIDER.version,
        providerVersionConstraint: FLUX_PROVIDER.version,
      },
      terraformProviderSource: FLUX_PROVIDER.source,
    });
    validate(config);
    this.config = config;
  }

  get alias(): string | undefined {
    return this.config.alias;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return toJson(PROVIDER_ATTRIBUTES, this.config) ?? {};
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return toHcl(PROVIDER_ATTRIBUTES, this.config);
  }
}

const EXEC_ATTRIBUTES: AttributeTable<FluxKubernetesExec> = {
  apiVersion: ["api_version", "string"],
  command: ["command", "string"],
  args: ["args", "stringList"],
  env: ["env", "stringMap"],
};

const KUBERNETES_ATTRIBUTES: AttributeTable<FluxKubernetes> = {
  host: ["host", "string"],
  clusterCaCertificate: ["cluster_ca_certificate", "string"],
  token: ["token", "string"],
  username: ["username", "string"],
  password: ["password", "string"],
  insecure: ["insecure", "bool"],
  clientCertificate: ["client_certificate", "string"],
  clientKey: ["client_key", "string"],
  proxyUrl: ["proxy_url", "string"],
  configPath: ["config_path", "string"],
  configPaths: ["config_paths", "stringList"],
  configContext: ["config_context", "string"],
  configContextAuthInfo: ["config_context_auth_info", "string"],
  configContextCluster: ["config_context_cluster", "string"],
  exec: ["exec", { object: EXEC_ATTRIBUTES }],
};

const GIT_SSH_ATTRIBUTES: AttributeTable<FluxGitSsh> = {
  username: ["username", "string"],
  privateKey: ["private_key", "string"],
  password: ["password", "string"],
  hostkeyAlgos: ["hostkey_algos", "stringList"],
};

const GIT_HTTP_ATTRIBUTES: AttributeTable<FluxGitHttp> = {
  username: ["username", "string"],
  password: ["password", "string"],
  certificateAuthority: ["certificate_authority", "string"],
  allowInsecureHttp: ["allow_insecure_http", "bool"],
};

const GIT_ATTRIBUTES: AttributeTable<FluxGit> = {
  url: ["url", "string"],
  branch: ["branch", "string"],
  authorName: ["author_name", "string"],
  authorEmail: ["author_email", "string"],
  commitMessageAppendix: ["commit_message_appendix", "string"],
  gpgKeyRing: ["gpg_key_ring", "string"],
  gpgPassphrase: ["gpg_passphrase", "string"],
  gpgKeyId: ["gpg_key_id", "string"],
  ssh: ["ssh", { object: GIT_SSH_ATTRIBUTES }],
  http: ["http", { object: GIT_HTTP_ATTRIBUTES }],
};

/** The provider block's attributes, for JSON and HCL alike. */
const PROVIDER_ATTRIBUTES: AttributeTable<FluxProviderConfig> = {
  alias: ["alias", "string"],
  kubernetes: ["kubernetes", { object: KUBERNETES_ATTRIBUTES }],
  git: ["git", { object: GIT_ATTRIBUTES }],
};

/** The rules the provider itself enforces, checked at synth instead of at plan. */
function validate(config: FluxProviderConfig): void {
  if (Boolean(config.kubernetes) !== Boolean(config.git)) {
    throw new Error("flux provider: set both kubernetes and git, or neither");
  }
  const git = config.git;
  if (!git) return;
  const scheme = /^([a-z]+):\/\//.exec(git.url)?.[1];
  if (!scheme || !["ssh", "http", "https"].includes(scheme)) {
    throw new Error(`flux provider: git.url must start with ssh://, http:// or https:// (got ${git.url})`);
  }
  if (scheme === "ssh" && git.http) throw new Error("flux provider: an ssh:// git.url cannot have git.http");
  if (scheme !== "ssh" && git.ssh) throw new Error(`flux provider: an ${scheme}:// git.url cannot have git.ssh`);
  if (scheme === "http" && !git.http?.allowInsecureHttp) {
    throw new Error("flux provider: an http:// git.url needs git.http.allow_insecure_http = true");
  }
}
