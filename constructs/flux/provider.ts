import { Lazy, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { FLUX } from "../../config/versions";

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
    const { kubernetes: k, git: g, alias } = this.config;
    return prune({
      alias,
      kubernetes: k && {
        host: k.host,
        cluster_ca_certificate: k.clusterCaCertificate,
        token: k.token,
        username: k.username,
        password: k.password,
        insecure: k.insecure,
        client_certificate: k.clientCertificate,
        client_key: k.clientKey,
        proxy_url: k.proxyUrl,
        config_path: k.configPath,
        config_paths: k.configPaths,
        config_context: k.configContext,
        config_context_auth_info: k.configContextAuthInfo,
        config_context_cluster: k.configContextCluster,
        exec: k.exec && {
          api_version: k.exec.apiVersion,
          command: k.exec.command,
          args: k.exec.args,
          // Provider keys are snake-cased by cdktf; a lazy value keeps variable names as given.
          env: k.exec.env && Lazy.anyValue({ produce: () => k.exec!.env }),
        },
      },
      git: g && {
        url: g.url,
        branch: g.branch,
        author_name: g.authorName,
        author_email: g.authorEmail,
        commit_message_appendix: g.commitMessageAppendix,
        gpg_key_ring: g.gpgKeyRing,
        gpg_passphrase: g.gpgPassphrase,
        gpg_key_id: g.gpgKeyId,
        ssh: g.ssh && {
          username: g.ssh.username,
          private_key: g.ssh.privateKey,
          password: g.ssh.password,
          hostkey_algos: g.ssh.hostkeyAlgos,
        },
        http: g.http && {
          username: g.http.username,
          password: g.http.password,
          certificate_authority: g.http.certificateAuthority,
          allow_insecure_http: g.http.allowInsecureHttp,
        },
      },
    });
  }
}

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

/** Drops undefined values, recursively, so the JSON holds only what was set. */
export function prune<T>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== undefined) out[key] = prune(inner);
  }
  return out as T;
}
