import { parse } from "yaml";
import type { EnvironmentConfig } from "../../config/load";
import { ALERTS } from "../../constructs/flux/api";
import { committedTree, readCommittedTree, renderScenario } from "../../scripts/render-check";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { environment, Json, resources, synth } from "../helpers";

const stackJson = (env: EnvironmentConfig): Json =>
  JSON.parse(synth((app) => new BootstrapStack(app, "bootstrap", env)));
const rendered = (env: EnvironmentConfig) => renderScenario(`${env.name} alone`, [committedTree(env)])[0];
const appliedObject = (result: ReturnType<typeof rendered>, kind: string, name: string) =>
  result.objects.find((o) => o.object.kind === kind && o.object.metadata.name === name);

describe("SOPS secrets in the GitOps tree (secrets.sops on, the default)", () => {
  const env = environment("dev");
  const tree = committedTree(env);
  const result = rendered(env);

  test("the tree renders and validates; the secrets folder holds the placeholder and .sops.yaml", () => {
    expect(result.problems).toEqual([]);
    expect([...tree.files.keys()].filter((f) => f.startsWith("secrets/")).sort()).toEqual([
      "secrets/dev/.sops.yaml",
      "secrets/dev/README.yaml",
    ]);
    // Comment-only: it makes the path exist in Flux's artifact and applies nothing.
    expect(parse(tree.files.get("secrets/dev/README.yaml")!)).toBeNull();
  });

  test("Kustomization secrets decrypts with SOPS, as apps-reconciler, from secrets/dev, after infrastructure", () => {
    const secrets = appliedObject(result, "Kustomization", "secrets")!;
    expect(secrets.appliedBy).toBe("Kustomization flux-system/flux-system");
    expect(tree.files.has("clusters/flux-dev/secrets.yaml")).toBe(true);
    expect(secrets.object.spec).toMatchObject({
      decryption: { provider: "sops" },
      serviceAccountName: "apps-reconciler",
      path: "./secrets/dev",
      dependsOn: [{ name: "infra-configs" }],
      prune: true,
      wait: true,
    });
    // No secretRef: kustomize-controller's own AWS role (Pod Identity) reaches KMS.
    expect((secrets.object.spec as Json).decryption.secretRef).toBeUndefined();
  });

  test(".sops.yaml names the environment's key by alias ARN (account known at synth) and encrypts values only", () => {
    const config = parse(tree.files.get("secrets/dev/.sops.yaml")!);
    expect(config.creation_rules).toEqual([
      {
        path_regex: "\\.ya?ml$",
        encrypted_regex: "^(data|stringData)$",
        kms: "arn:aws:kms:us-west-2:123456789012:alias/flux-dev-sops",
      },
    ]);
  });

  test("apps-reconciler may write Secrets in the app namespaces, not in flux-system", () => {
    const roles = tree.terraformObjects.filter((o) => o.kind === "Role" && o.metadata.name === "apps-reconciler");
    const secretsIn = (namespace: string) =>
      (roles.find((r) => r.metadata.namespace === namespace)!.rules as Json[]).some((r) =>
        r.resources.includes("secrets"),
      );
    for (const namespace of env.gitops.namespaces) expect(secretsIn(namespace)).toBe(true);
    expect(secretsIn("flux-system")).toBe(false);
  });

  test("without delivery the key ARN comes from core's state, and is the only thing Terraform fills in", () => {
    const noDelivery = { ...env, delivery: undefined };
    const json = stackJson(noDelivery);
    const file = resources(json, "gitlab_repository_file").find((f) => f.file_path === "secrets/dev/.sops.yaml")!;
    expect(file.encoding).toBe("text");
    expect(file.content.match(/\$\{[^}]*\}/g)).toEqual(["${data.terraform_remote_state.core.outputs.sops_key_arn}"]);
    const config = parse(readCommittedTree(noDelivery, json).files.get("secrets/dev/.sops.yaml")!);
    expect(config.creation_rules[0].kms).toMatch(/^arn:aws:kms:us-west-2:123456789012:key\//);
  });
});

describe("SOPS off", () => {
  const env = environment("dev", { secrets: { sops: { enabled: false } } });
  const tree = committedTree(env);
  test("no secrets Kustomization, folder or Secrets permission", () => {
    expect([...tree.files.keys()].filter((f) => f.startsWith("secrets/") || f.endsWith("/secrets.yaml"))).toEqual([]);
    const rules = tree.terraformObjects.filter((o) => o.kind === "Role").flatMap((r) => r.rules as Json[]);
    expect(rules.some((r) => r.resources.includes("secrets"))).toBe(false);
  });
});

describe("alerts", () => {
  test("off (the default): no variable, no Secret, no Provider or Alert", () => {
    const json = stackJson(environment("dev"));
    expect(json.variable).toBeUndefined();
    expect(resources(json, "kubernetes_secret_v1").map((s) => s.metadata.name)).not.toContain(ALERTS.secretName);
    expect([...committedTree(environment("dev")).files.keys()].filter((f) => f.includes("/alerts/"))).toEqual([]);
  });

  describe("on, to Microsoft Teams", () => {
    const env = environment("dev", { alerts: { enabled: true, type: "msteams", sources: ["Kustomization"] } });
    const json = stackJson(env);
    const result = rendered(env);

    test("the Provider and Alert render and validate in the cluster's folder, applied by Flux's own sync", () => {
      expect(result.problems).toEqual([]);
      const provider = appliedObject(result, "Provider", ALERTS.providerName)!;
      expect(provider.appliedBy).toBe("Kustomization flux-system/flux-system");
      expect(provider.object.spec).toEqual({ type: "msteams", secretRef: { name: ALERTS.secretName } });
      expect(appliedObject(result, "Alert", ALERTS.alertName)!.object.spec).toMatchObject({
        providerRef: { name: ALERTS.providerName },
        eventSeverity: "error",
        eventSources: [{ kind: "Kustomization", name: "*", namespace: "flux-system" }],
      });
    });

    test("the Provider's Secret is Terraform's, from the sensitive variable, committed before the files", () => {
      expect(json.variable.flux_alert_address).toMatchObject({ sensitive: true, type: "string" });
      const secret = resources(json, "kubernetes_secret_v1").find((s) => s.metadata.name === ALERTS.secretName)!;
      expect(secret.data).toEqual({ address: "${var.flux_alert_address}" });
      const provider = resources(json, "gitlab_repository_file").find((f) =>
        f.file_path.endsWith("alerts/provider.yaml"),
      )!;
      // Every file waits for the one `ready` terraform_data, which waits for the Secret.
      const [ready] = provider.depends_on as string[];
      const readyData = json.resource.terraform_data[ready.replace(/^terraform_data\./, "")];
      expect(readyData.depends_on.some((d: string) => d.startsWith("kubernetes_secret_v1."))).toBe(true);
    });
  });
});
