import { readFileSync } from "fs";
import * as path from "path";
import { README_BEGIN, README_END, referenceTable, RULES, schemaKeys } from "../../config/reference";
import { MAX_SHOWN, show } from "../../config/text";
import { EKS_KUBERNETES_VERSIONS, DEFAULT_KUBERNETES_VERSION } from "../../config/versions";
import { GITLAB_PAT } from "./invalid-cases";

describe("the README's configuration reference", () => {
  const readme = readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

  test("documents every key of the schema, and only those", () => {
    expect(Object.keys(RULES).sort()).toEqual(schemaKeys().map((k) => k.key).sort());
  });

  test("is the table generated from the schema (regenerate: node -r sucrase/register/ts config/reference.ts --write)", () => {
    const start = readme.indexOf(README_BEGIN);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + README_BEGIN.length, end).trim()).toBe(referenceTable());
  });

  test("shows the schema's defaults and required keys", () => {
    const table = referenceTable();
    expect(table).toContain(`| \`cluster.kubernetesVersion\` | \`"${DEFAULT_KUBERNETES_VERSION}"\` |`);
    expect(table).toContain("| `gitlab.group` | required |");
    expect(table).toContain("| `backend.type` | `local` |");
    expect(table).toContain("| `gitlab.sshHost` | none |");
  });
});

describe("versions", () => {
  test("the default Kubernetes version is one EKS offers", () => {
    expect(EKS_KUBERNETES_VERSIONS).toContain(DEFAULT_KUBERNETES_VERSION);
  });
});

describe("values echoed in messages", () => {
  test("are escaped: no line break or control character survives", () => {
    expect(show("a\nb\u001b[2J\u202e")).toBe('"a\\nb\\u001b[2J\\u202e"');
  });
  test(`are cut after ${MAX_SHOWN} characters`, () => {
    expect(show("x".repeat(500))).toBe(`"${"x".repeat(MAX_SHOWN)}…"`);
  });
  test("never print a secret", () => {
    expect(show(`token ${GITLAB_PAT}`)).toBe("(a GitLab token, not shown)");
  });
});
