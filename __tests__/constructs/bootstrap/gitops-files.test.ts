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
import { QA_VALUES } from "./addon-fixtures";

const values = QA_VALUES;

describe("renderFiles", () => {
  test("minimal: every file of config_files/ lands in the Flux reference layout of its cluster and environment", () => {
    const targets = renderFiles(values, []).map((f) => f.target);
    expect(targets).toEqual(expect.arrayContaining(["clusters/c1/apps.yaml", "apps/qa/image-automation.yaml"]));
    // The apps' files are built from the configuration (app-files.ts), not copied from config_files/.
    expect(targets.filter((t) => t.startsWith("apps/base/") || t.includes("image-receiver"))).toEqual([]);
    expect(targets.filter((t) => t.includes("webhook") || t.includes("commit-status"))).toEqual([]);
    expect(renderFiles(values, ["webhook", "commit-status"]).map((f) => f.target)).toEqual(
      expect.arrayContaining(["clusters/c1/webhook/receiver.yaml", "clusters/c1/commit-status/alert.yaml"]),
    );
  });

  test("defaults: no file of config_files/ is Flux's (the apps' image-tag files are generated)", () => {
    expect(renderFiles(values, []).filter((f) => f.fluxOwned)).toEqual([]);
  });

  test("a change to a file in config_files/ changes what Terraform commits", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "config-files-"));
    cpSync(CONFIG_FILES_DIR, dir, { recursive: true });
    const automation = path.join(dir, "apps/environment/image-automation.yaml");
    writeFileSync(automation, readFileSync(automation, "utf8").replace("interval: 1m0s", "interval: 5m0s"));
    const before = renderFiles(values, []).find((f) => f.target === "apps/qa/image-automation.yaml")!;
    const after = renderFiles(values, [], dir).find((f) => f.target === "apps/qa/image-automation.yaml")!;
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
      "# about __ENVIRONMENT__\na: __CLUSTER_NAME__\nb: __REPLICAS__\nc: ./apps/__ENVIRONMENT__\nd: __ENVIRONMENT__\n";
    const out = fillPlaceholders(
      text,
      { ...values, CLUSTER_NAME: ">=1.0.0 <2.0.0", ENVIRONMENT: "on", REPLICAS: 2 } as SynthValues,
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
