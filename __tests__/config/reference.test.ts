import { readFileSync } from "fs";
import * as path from "path";
import { README_BEGIN, README_END, referenceTable, RULES, schemaKeys } from "../../config/reference";
import { EKS_KUBERNETES_VERSIONS, DEFAULT_KUBERNETES_VERSION } from "../../config/versions";

describe("the README's configuration reference", () => {
  const readme = readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

  test("documents every key of the schema, and only those", () => {
    expect(Object.keys(RULES).sort()).toEqual(
      schemaKeys()
        .map((k) => k.key)
        .sort(),
    );
  });

  test("is generated from the schema (regenerate: node -r ./scripts/register.js config/reference.ts --write)", () => {
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
    expect(Object.keys(EKS_KUBERNETES_VERSIONS)).toContain(DEFAULT_KUBERNETES_VERSION);
  });
});
