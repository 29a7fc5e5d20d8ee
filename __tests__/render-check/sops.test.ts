import { renderScenario } from "../../scripts/render-check";
import { DECRYPTED_STAND_IN, plaintextSecrets } from "../../scripts/render-check/sops";
import { sourceIgnored } from "../../scripts/render-check/source-ignore";
import { kustomization, tree } from "./fixtures";
import { ENCRYPTED_SECRET, HALF_ENCRYPTED_SECRET, PLAIN_SECRET } from "./sops-fixture";

const SOPS_CONFIG =
  "creation_rules:\n  - path_regex: '\\.ya?ml$'\n    kms: 'arn:aws:kms:us-west-2:123456789012:alias/flux-qa-sops'\n";
const PLACEHOLDER = "# Encrypted Secrets go here; this file keeps the folder in Git.\n";
const decrypting = { decryption: { provider: "sops" } };
/** The secrets Kustomization of the fixture cluster, over secrets/qa/ with `files` in it. */
const render = (files: Record<string, string>, extra: Record<string, unknown> = decrypting) => {
  const base = tree({
    "clusters/qa/secrets.yaml": kustomization("secrets", "./secrets/qa", { postBuild: undefined, ...extra }),
    "secrets/qa/README.yaml": PLACEHOLDER,
    ...Object.fromEntries(Object.entries(files).map(([name, text]) => [`secrets/qa/${name}`, text])),
  });
  const apps = { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } };
  return renderScenario("test", [{ ...base, terraformObjects: [...base.terraformObjects, apps] }])[0];
};

describe("render check: SOPS-encrypted Secrets", () => {
  test("an encrypted Secret with decryption.provider sops renders: decrypted, no sops block, schema-valid", () => {
    const result = render({ "db.yaml": ENCRYPTED_SECRET, ".sops.yaml": SOPS_CONFIG });
    expect(result.problems).toEqual([]);
    const secret = result.objects.find((o) => o.object.kind === "Secret" && o.appliedBy !== "terraform")!;
    expect(secret.appliedBy).toBe("Kustomization flux-system/secrets");
    expect(secret.object).not.toHaveProperty("sops");
    expect((secret.object as any).stringData).toEqual({ username: DECRYPTED_STAND_IN, password: DECRYPTED_STAND_IN });
  });

  test("a comment-only placeholder alone is a valid, empty path (what Terraform commits before any secret)", () => {
    const result = render({});
    expect(result.problems).toEqual([]);
    expect(result.objects.filter((o) => o.appliedBy === "Kustomization flux-system/secrets")).toEqual([]);
  });

  test("without decryption Flux refuses the encrypted Secret", () => {
    expect(render({ "db.yaml": ENCRYPTED_SECRET }, {}).problems.join("\n")).toMatch(
      new RegExp(
        [
          String.raw`Secret\/db-credentials: is SOPS-encrypted `,
          String.raw`but Kustomization flux-system\/secrets has no decryption\.provider sops`,
        ].join(""),
      ),
    );
  });

  test.each([
    ["a Secret in clear", PLAIN_SECRET, /Secret\/db-credentials: is a Secret in clear/],
    ["a value left in clear", HALF_ENCRYPTED_SECRET, /stringData\.password is not SOPS-encrypted/],
  ])("%s is a problem, decryption or not", (_name, text, says) => {
    expect(render({ "db.yaml": text }).problems.join("\n")).toMatch(says);
  });

  test(".sops.yaml is in Git but not in Flux's artifact; another non-Kubernetes YAML file breaks the build", () => {
    expect(sourceIgnored("secrets/qa/.sops.yaml")).toBe(true);
    expect(sourceIgnored(".sops.yaml")).toBe(true);
    expect(sourceIgnored("secrets/qa/sops.yaml")).toBe(false);
    expect(sourceIgnored(".gitlab-ci.yml")).toBe(true);
    expect(sourceIgnored("apps/qa/deployment.yaml")).toBe(false);
    expect(render({ "sops.yaml": SOPS_CONFIG }).problems.join("\n")).toMatch(/sops\.yaml: not Kubernetes YAML/);
  });
});

describe("plaintextSecrets: what no committed file may hold", () => {
  test("an encrypted Secret and non-Secrets pass", () => {
    expect(plaintextSecrets("db.yaml", ENCRYPTED_SECRET)).toEqual([]);
    expect(plaintextSecrets("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")).toEqual([]);
    expect(plaintextSecrets("README.yaml", PLACEHOLDER)).toEqual([]);
  });

  test("a Secret in clear, among other documents, is named with its file", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n${PLAIN_SECRET}`;
    expect(plaintextSecrets("apps/db.yaml", text)).toEqual([
      "apps/db.yaml: Secret db-credentials is a Secret in clear: Secrets reach Git only SOPS-encrypted " +
        '(README "Add a secret")',
    ]);
  });

  test("SOPS metadata without a key, or with a mac not in SOPS's envelope, is no encryption", () => {
    const noKey = ENCRYPTED_SECRET.replace(/ {4}kms:\n(.*\n){4}/, "");
    expect(plaintextSecrets("db.yaml", noKey).join("\n")).toMatch(/naming no key/);
    const badMac = ENCRYPTED_SECRET.replace(/mac: ENC\[[^\n]*/, "mac: not-an-envelope");
    expect(plaintextSecrets("db.yaml", badMac).join("\n")).toMatch(/mac that is not/);
  });
});
