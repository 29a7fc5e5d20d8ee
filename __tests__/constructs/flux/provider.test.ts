import { TerraformStack, Testing } from "cdktf";
import { FLUX } from "../../../config/versions";
import { FluxProvider, FluxProviderConfig } from "../../../constructs/flux/provider";

const KUBERNETES = {
  host: "https://example.eks.amazonaws.com",
  clusterCaCertificate: "PEM",
  exec: {
    apiVersion: "client.authentication.k8s.io/v1beta1",
    command: "aws",
    args: ["eks", "get-token"],
    env: { AWS_PROFILE: "ops" },
  },
};
const GIT = {
  url: "ssh://git@gitlab.com/team/gitops.git",
  branch: "main",
  ssh: { username: "git", privateKey: "${tls}" },
};

function providerJson(config: FluxProviderConfig) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new FluxProvider(stack, "flux", config);
  return JSON.parse(Testing.synth(stack));
}

describe("FluxProvider", () => {
  test("minimal: an unconfigured provider block, pinned to the fluxcd/flux version of config/versions.ts", () => {
    const json = providerJson({});
    expect(json.provider.flux).toEqual([{}]);
    // A bare stack: the project's stacks qualify the source (pinTerraform in stacks/terraform-settings.ts).
    expect(json.terraform.required_providers.flux).toEqual({ source: "fluxcd/flux", version: FLUX.provider });
  });

  test("nested attributes are objects with snake_case keys, never one-element lists", () => {
    const [flux] = providerJson({ kubernetes: KUBERNETES, git: GIT }).provider.flux;
    expect(flux).toEqual({
      kubernetes: {
        host: "https://example.eks.amazonaws.com",
        cluster_ca_certificate: "PEM",
        exec: {
          api_version: "client.authentication.k8s.io/v1beta1",
          command: "aws",
          args: ["eks", "get-token"],
          env: { AWS_PROFILE: "ops" },
        },
      },
      git: { url: GIT.url, branch: "main", ssh: { username: "git", private_key: "${tls}" } },
    });
  });

  test("every git and kubernetes attribute maps to the provider's name", () => {
    const [flux] = providerJson({
      kubernetes: {
        configPath: "~/.kube/config",
        configPaths: ["a"],
        configContext: "c",
        configContextAuthInfo: "u",
        configContextCluster: "k",
        insecure: true,
        proxyUrl: "http://proxy",
        token: "t",
        username: "u",
        password: "p",
        clientCertificate: "cc",
        clientKey: "ck",
      },
      git: {
        url: "https://gitlab.com/t/g.git",
        authorName: "Flux",
        authorEmail: "f@x",
        commitMessageAppendix: "x",
        gpgKeyRing: "r",
        gpgPassphrase: "p",
        gpgKeyId: "i",
        http: { username: "u", password: "p", certificateAuthority: "ca", allowInsecureHttp: false },
      },
      alias: "second",
    }).provider.flux;
    expect(Object.keys(flux.kubernetes).sort()).toEqual([
      "client_certificate",
      "client_key",
      "config_context",
      "config_context_auth_info",
      "config_context_cluster",
      "config_path",
      "config_paths",
      "insecure",
      "password",
      "proxy_url",
      "token",
      "username",
    ]);
    expect(Object.keys(flux.git).sort()).toEqual([
      "author_email",
      "author_name",
      "commit_message_appendix",
      "gpg_key_id",
      "gpg_key_ring",
      "gpg_passphrase",
      "http",
      "url",
    ]);
    expect(Object.keys(flux.git.http).sort()).toEqual([
      "allow_insecure_http",
      "certificate_authority",
      "password",
      "username",
    ]);
    expect(flux.alias).toBe("second");
  });

  test.each<[string, FluxProviderConfig, RegExp]>([
    ["kubernetes without git", { kubernetes: KUBERNETES }, /set both kubernetes and git, or neither/],
    [
      "the scp form of a Git URL",
      { kubernetes: KUBERNETES, git: { url: "git@gitlab.com:team/gitops.git" } },
      /must start with ssh:\/\/, http:\/\/ or https:\/\//,
    ],
    [
      "ssh URL with http credentials",
      { kubernetes: KUBERNETES, git: { url: GIT.url, http: { username: "u" } } },
      /ssh:\/\/ git\.url cannot have git\.http/,
    ],
    [
      "https URL with an SSH key",
      { kubernetes: KUBERNETES, git: { url: "https://gitlab.com/t/g.git", ssh: { username: "git" } } },
      /https:\/\/ git\.url cannot have git\.ssh/,
    ],
    [
      "plain http without consent",
      { kubernetes: KUBERNETES, git: { url: "http://gitlab.local/t/g.git" } },
      /needs git\.http\.allow_insecure_http = true/,
    ],
  ])("rejects %s", (_name, config, message) => {
    expect(() => providerJson(config)).toThrow(message);
  });
});
