import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { ALERT_ADDRESS_VARIABLE, Alerts, AlertsProps } from "../../../constructs/bootstrap/alerts";
import { ALERTS } from "../../../constructs/flux/api";
import { alertsSchema } from "../../../config/schema-secrets";
import { terraformVersion } from "../../../scripts/offline-plan";
import { only, synthConstruct } from "../core/fixture";

const URL = "https://hooks.slack.invalid/services/T0/B0/canary-alert-url";
const props = (settings: object = {}): AlertsProps => ({
  settings: alertsSchema.parse({ enabled: true, ...settings }),
  clusterPath: "clusters/test",
  clusterName: "test",
});
const build = (settings: object = {}) => {
  let files: Alerts["files"] = [];
  const json = synthConstruct((s) => {
    files = new Alerts(s, "alerts", props(settings)).files;
  });
  const doc = (name: string) => parse(files.find((f) => f.target.endsWith(name))!.content);
  return { json, files, doc, text: JSON.stringify(json) };
};

describe("Alerts", () => {
  const { json, files, doc, text } = build({ channel: "#flux" });

  test("defaults: webhook URL from a sensitive variable into the Secret's address: only the reference in JSON", () => {
    const variable = json.variable[ALERT_ADDRESS_VARIABLE];
    expect(variable).toMatchObject({ type: "string", sensitive: true, nullable: false, default: "" });
    expect(only(json, "kubernetes_secret_v1")).toMatchObject({
      metadata: { name: ALERTS.secretName, namespace: "flux-system" },
      data: { address: `\${var.${ALERT_ADDRESS_VARIABLE}}` },
    });
    expect(text).not.toMatch(/https:\/\/hooks|slack\.com|webhook\.office/);
  });

  test("the Provider names the Secret; the Alert sends errors of the default kinds, in flux-system", () => {
    expect(files.map((f) => f.target)).toEqual([
      "clusters/test/alerts/provider.yaml",
      "clusters/test/alerts/alert.yaml",
    ]);
    expect(doc("provider.yaml")).toEqual({
      apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
      kind: "Provider",
      metadata: { name: ALERTS.providerName, namespace: "flux-system" },
      spec: { type: "slack", channel: "#flux", secretRef: { name: ALERTS.secretName } },
    });
    const alert = doc("alert.yaml");
    expect(alert.spec.providerRef).toEqual({ name: ALERTS.providerName });
    expect(alert.spec.eventSeverity).toBe("error");
    expect(alert.spec.eventSources).toEqual(
      ["Kustomization", "HelmRelease", "GitRepository", "ImageUpdateAutomation"].map((kind) => ({
        kind,
        name: "*",
        namespace: "flux-system",
      })),
    );
    for (const f of files) expect(f.content).not.toContain("address");
  });

  test("msteams, info, one source: no channel; the configured severity and kind", () => {
    const teams = build({ type: "msteams", eventSeverity: "info", sources: ["HelmRelease"] });
    expect(teams.doc("provider.yaml").spec).toEqual({ type: "msteams", secretRef: { name: ALERTS.secretName } });
    expect(teams.doc("alert.yaml").spec).toMatchObject({
      eventSeverity: "info",
      eventSources: [{ kind: "HelmRelease", name: "*", namespace: "flux-system" }],
    });
  });

  const tf = terraformVersion();
  (tf.reason ? describe.skip : describe)("plan with the real Terraform (only the variable: no provider needed)", () => {
    const plan = (value?: string) => {
      const dir = mkdtempSync(path.join(tmpdir(), "alerts-var-"));
      try {
        writeFileSync(
          path.join(dir, "main.tf.json"),
          JSON.stringify({ variable: json.variable, output: { ok: { value: "ok" } } }),
        );
        const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
        delete env[`TF_VAR_${ALERT_ADDRESS_VARIABLE}`];
        if (value !== undefined) env[`TF_VAR_${ALERT_ADDRESS_VARIABLE}`] = value;
        spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
        return spawnSync("terraform", ["plan", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    test("unset: the plan fails and says which variable to set, and where", () => {
      const run = plan();
      expect(run.status).not.toBe(0);
      expect(run.stderr.replace(/\s+/g, " ")).toMatch(
        /alerts\.enabled is true: set TF_VAR_flux_alert_address to the slack webhook URL/,
      );
    });

    test("set: the plan succeeds and never prints the URL", () => {
      const run = plan(URL);
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(URL);
    });
  });
});
