import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import {
  CONFIG_FILES_DIR,
  fillPlaceholders,
  renderFiles,
  SynthValues,
} from "../../../constructs/bootstrap/gitops-files";
import { ADDON_PINS } from "../../../constructs/bootstrap/addon-layers";

const values: SynthValues = {
  ENVIRONMENT: "qa",
  CLUSTER_NAME: "c1",
  GIT_BRANCH: "main",
  APP_NAMESPACE: "apps",
  APP_REPLICAS: 2,
  IMAGE_SEMVER_RANGE: "0.0.x",
  ...ADDON_PINS,
  KARPENTER_NODE_ROLE: "c1-karpenter-node",
  EXTERNAL_SECRETS_PREFIX: "qa/",
};

describe("renderFiles", () => {
  test("minimal: every file of config_files/ lands in the Flux reference layout of its cluster and environment", () => {
    const targets = renderFiles(values, []).map((f) => f.target);
    expect(targets).toEqual(
      expect.arrayContaining([
        "clusters/c1/apps.yaml",
        "apps/base/nginx/deployment.yaml",
        "apps/qa/kustomization.yaml",
        "apps/qa/image-tag/kustomization.yaml",
      ]),
    );
    expect(targets.filter((t) => t.includes("webhook") || t.includes("commit-status"))).toEqual([]);
    expect(renderFiles(values, ["webhook", "commit-status"]).map((f) => f.target)).toEqual(
      expect.arrayContaining(["clusters/c1/webhook/receiver.yaml", "clusters/c1/commit-status/alert.yaml"]),
    );
  });

  test("defaults: only the image-tag file is Flux's; the overlay around it stays Terraform's", () => {
    const files = renderFiles(values, []);
    expect(files.filter((f) => f.fluxOwned).map((f) => f.target)).toEqual(["apps/qa/image-tag/kustomization.yaml"]);
    const tagFile = files.find((f) => f.fluxOwned)!;
    // Nothing but the image entry, so Terraform giving the file up costs nothing else.
    expect(parse(tagFile.content)).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1alpha1",
      kind: "Component",
      metadata: { name: "nginx-image-tag" },
      images: [{ name: "nginx", newName: "${ECR_REPOSITORY_URL}", newTag: "0.0.1" }],
    });
  });

  test("a change to the overlay in config_files/ changes what Terraform commits", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "config-files-"));
    cpSync(CONFIG_FILES_DIR, dir, { recursive: true });
    const overlay = path.join(dir, "apps/environment/kustomization.yaml");
    writeFileSync(overlay, readFileSync(overlay, "utf8") + "commonLabels:\n  team: web\n");
    const before = renderFiles(values, []).find((f) => f.target === "apps/qa/kustomization.yaml")!;
    const after = renderFiles(values, [], dir).find((f) => f.target === "apps/qa/kustomization.yaml")!;
    expect(after.content).not.toBe(before.content);
    expect(after.fluxOwned).toBe(false);
  });

  test("no file commits a Secret, and no Flux object uses a removed API version", () => {
    for (const f of renderFiles(values, ["webhook", "commit-status"])) {
      for (const doc of parseAllDocuments(f.content)) {
        const o = doc.toJS();
        expect(o?.kind).not.toBe("Secret");
        expect(String(o?.apiVersion)).not.toMatch(/v1beta2$/);
      }
    }
  });
});

describe("fillPlaceholders", () => {
  test("values are written by the YAML library, typed, quoted where YAML 1.1 needs it; comments untouched", () => {
    const text =
      "# about __ENVIRONMENT__\na: __IMAGE_SEMVER_RANGE__\nb: __APP_REPLICAS__\nc: ./apps/__ENVIRONMENT__\nd: __ENVIRONMENT__\n";
    const out = fillPlaceholders(
      text,
      { ...values, IMAGE_SEMVER_RANGE: ">=1.0.0 <2.0.0", ENVIRONMENT: "on" },
      "x.yaml",
    );
    expect(out).toContain("# about __ENVIRONMENT__");
    expect(parse(out, { version: "1.1" })).toEqual({ a: ">=1.0.0 <2.0.0", b: 2, c: "./apps/on", d: "on" });
  });

  test("a file without placeholders is committed byte for byte", () => {
    const text = "a:   'x'   # spacing kept\n";
    expect(fillPlaceholders(text, values, "x.yaml")).toBe(text);
  });

  test.each([
    [
      "an unknown placeholder",
      "a: __NOPE__\n",
      /x\.yaml: unknown placeholder __NOPE__; known: ENVIRONMENT, CLUSTER_NAME/,
    ],
    ["a placeholder in a key", "__ENVIRONMENT__: a\n", /x\.yaml: placeholders belong in values, not in the key/],
  ])("%s is refused, naming the file", (_label, text, error) => {
    expect(() => fillPlaceholders(text, values, "x.yaml")).toThrow(error);
  });
});
