import { parse } from "@cdktf/hcl2json";
import { TerraformStack, Testing } from "cdktf";
import { FluxBootstrapGit, FluxBootstrapGitConfig } from "../../../constructs/flux/bootstrap-git";
import { FluxProvider, FluxProviderConfig } from "../../../constructs/flux/provider";
import { Json } from "../../helpers";

// `cdktf synth --hcl` of the hand-written binding, parsed back by HashiCorp's HCL parser
// (@cdktf/hcl2json, the one `cdktf convert` uses), must say exactly what the JSON says: every
// attribute, nested objects as objects, and literal strings that survive quoting.
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const TRICKY = 'say "hi" \\ back\tslash';

const PROVIDER: FluxProviderConfig = {
  alias: "second",
  kubernetes: {
    host: "https://example.eks.amazonaws.com",
    clusterCaCertificate: PEM,
    token: "t",
    username: "u",
    password: TRICKY,
    insecure: false,
    clientCertificate: PEM,
    clientKey: "{not json}",
    proxyUrl: "http://proxy:3128",
    configPath: "~/.kube/config",
    configPaths: ["a", "[b]"],
    configContext: "c",
    configContextAuthInfo: "ai",
    configContextCluster: "cc",
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", "${data.terraform_remote_state.core.outputs.cluster_name}"],
      env: { AWS_PROFILE: "ops", aws_region: "us-west-2" },
    },
  },
  git: {
    url: "https://gitlab.com/team/gitops.git",
    branch: "main",
    authorName: "Flux",
    authorEmail: "flux@example.com",
    commitMessageAppendix: "[skip ci]",
    gpgKeyRing: PEM,
    gpgPassphrase: "p",
    gpgKeyId: "id",
    http: { username: "u", password: "${var.token}", certificateAuthority: PEM, allowInsecureHttp: false },
  },
};

const BOOTSTRAP: FluxBootstrapGitConfig = {
  path: "clusters/c",
  version: "v2.8.5",
  embeddedManifests: true,
  components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
  componentsExtra: ["image-reflector-controller", "image-automation-controller"],
  namespace: "flux-system",
  secretName: "flux-system",
  interval: "1m0s",
  clusterDomain: "cluster.local",
  networkPolicy: true,
  watchAllNamespaces: true,
  keepNamespace: false,
  deleteGitManifests: true,
  disableSecretCreation: false,
  logLevel: "debug",
  registry: "ghcr.io/fluxcd",
  imagePullSecret: "pull",
  registryCredentials: "user:pass",
  tolerationKeys: ["CriticalAddonsOnly"],
  recurseSubmodules: false,
  kustomizationOverride:
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [gotk-components.yaml]\n",
  timeouts: { create: "20m", read: "5m", update: "20m", delete: "10m" },
};

/** The stack's JSON and its HCL parsed back to JSON. */
async function bothSyntheses(build: (stack: TerraformStack) => void): Promise<{ json: Json; hcl: Json }> {
  const jsonStack = new TerraformStack(Testing.app(), "json");
  build(jsonStack);
  const hclStack = new TerraformStack(Testing.app(), "hcl");
  build(hclStack);
  const json = JSON.parse(Testing.synth(jsonStack));
  const hcl = await parse("cdk.tf", Testing.synthHcl(hclStack));
  return { json, hcl };
}

const withoutMetadata = ({ "//": _metadata, ...rest }: Json) => rest;

describe("flux binding in HCL", () => {
  test("the provider block: every attribute, as in the JSON", async () => {
    const { json, hcl } = await bothSyntheses((stack) => new FluxProvider(stack, "flux", PROVIDER));
    expect(hcl.provider.flux).toEqual(json.provider.flux);
    expect(hcl.provider.flux[0].kubernetes.exec.env).toEqual({ AWS_PROFILE: "ops", aws_region: "us-west-2" });
    expect(hcl.provider.flux[0].kubernetes.cluster_ca_certificate).toBe(PEM);
    expect(hcl.provider.flux[0].kubernetes.password).toBe(TRICKY);
  });

  test("flux_bootstrap_git: every attribute, as in the JSON, with its meta-arguments", async () => {
    const { json, hcl } = await bothSyntheses((stack) => {
      const first = new FluxBootstrapGit(stack, "first", {});
      new FluxBootstrapGit(stack, "flux", { ...BOOTSTRAP, dependsOn: [first] });
    });
    const fromJson = withoutMetadata(json.resource.flux_bootstrap_git.flux);
    expect(Object.keys(fromJson).length).toBe(Object.keys(BOOTSTRAP).length + 1); // + depends_on
    expect(hcl.resource.flux_bootstrap_git.flux).toEqual([fromJson]);
  });

  test("minimal: an unset provider stays an empty block", async () => {
    const { json, hcl } = await bothSyntheses((stack) => new FluxProvider(stack, "flux", {}));
    expect(json.provider.flux).toEqual([{}]);
    expect(hcl.provider.flux).toEqual([{}]);
  });
});
