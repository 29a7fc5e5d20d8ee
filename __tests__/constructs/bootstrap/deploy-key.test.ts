import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { DeployKey, DeployKeyProps } from "../../../constructs/bootstrap/deploy-key";
import { Json } from "../../helpers";
import { only, synthConstruct } from "../core/fixture";

const KNOWN_HOSTS = "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureFixtureFixtureFixtureFixture";
const PROPS: DeployKeyProps = {
  project: "4242",
  title: "Flux (test/c1)",
  secret: { namespace: "gitops", name: "repo-key" },
  knownHosts: KNOWN_HOSTS,
};
const build = (props: Partial<DeployKeyProps> = {}): Json =>
  synthConstruct((s) => new DeployKey(s, "key", { ...PROPS, ...props }));

describe("DeployKey", () => {
  const json = build();
  const keyRef = (attribute: string) =>
    `\${tls_private_key.${Object.keys(json.resource.tls_private_key)[0]}.${attribute}}`;

  test("minimal: an ECDSA P-256 key made by Terraform, no other key material in the JSON", () => {
    expect(only(json, "tls_private_key")).toEqual({ algorithm: "ECDSA", ecdsa_curve: "P256" });
    expect(JSON.stringify(json)).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  test("minimal: GitLab gets the public key as a deploy key that may push (image automation commits)", () => {
    expect(only(json, "gitlab_deploy_key")).toEqual({
      project: "4242",
      title: "Flux (test/c1)",
      key: keyRef("public_key_openssh"),
      can_push: true,
    });
  });

  test("minimal: the Secret Flux reads holds identity, identity.pub and known_hosts, where asked", () => {
    const secret = only(json, "kubernetes_secret_v1");
    expect(secret.metadata).toEqual({
      name: "repo-key",
      namespace: "gitops",
      labels: { "app.kubernetes.io/managed-by": "terraform" },
    });
    expect(secret.data).toEqual({
      identity: keyRef("private_key_pem"),
      "identity.pub": keyRef("public_key_openssh"),
      known_hosts: KNOWN_HOSTS,
    });
  });

  test("defaults: nothing waits; dependsOn holds back the Secret only (GitLab needs no namespace)", () => {
    expect(only(json, "kubernetes_secret_v1").depends_on).toBeUndefined();
    const waiting = synthConstruct((s) => {
      const ns = new NamespaceV1(s, "ns", { metadata: { name: "gitops" } });
      new DeployKey(s, "key", { ...PROPS, dependsOn: [ns] });
    });
    expect(only(waiting, "kubernetes_secret_v1").depends_on).toEqual(["kubernetes_namespace_v1.ns"]);
    expect(only(waiting, "gitlab_deploy_key").depends_on).toBeUndefined();
    expect(only(waiting, "tls_private_key").depends_on).toBeUndefined();
  });

  test.each([
    ["an empty project", { project: "" }, /DeployKey: project must not be empty/],
    ["an empty title", { title: "" }, /DeployKey: title must not be empty/],
    ["a Secret without a namespace", { secret: { namespace: "", name: "k" } }, /secret\.namespace must not be empty/],
    ["a Secret without a name", { secret: { namespace: "gitops", name: "" } }, /secret\.name must not be empty/],
    ["no known_hosts (Flux could not verify the host)", { knownHosts: " \n" }, /knownHosts must name/],
  ])("refuses %s", (_what, props, error) => {
    expect(() => build(props)).toThrow(error);
  });
});
