import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { CoreStack } from "../stacks/core-stack";
import { TERRAFORM } from "../stacks/terraform-settings";
import { environment, ENVIRONMENTS, synth } from "./helpers";

// The README's versions table and its "Leaving CDKTF" section say what the code and the tests do.
const ROOT = path.join(__dirname, "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const readme = read("README.md");
const pkg = JSON.parse(read("package.json"));

/** The rows of the table under `## <heading>`: first column → the other columns. */
function table(heading: string): Record<string, string[]> {
  const section = readme.split(`## ${heading}\n`)[1].split("\n## ")[0];
  const rows = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("|---"));
  return Object.fromEntries(
    rows
      .slice(1)
      .map((l) =>
        l
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim()),
      )
      .map(([k, ...v]) => [k, v]),
  );
}
const versions = table("Versions");
const tested = (row: string) => versions[row][1].split(" ")[0];

describe("README", () => {
  test("Verify lists the Kustomizations a cluster runs: flux-system and every one config_files defines", () => {
    const line = readme.split("\n").find((l) => l.startsWith("flux get kustomizations  "))!;
    const listed = line
      .split("#")[1]
      .split(":")[0]
      .split(",")
      .map((n) => n.trim());
    const defined = readdirSync(path.join(ROOT, "config_files"), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap((file) => read(`config_files/${file}`).split(/^---$/m))
      .map((doc) => parse(doc))
      .filter((doc) => doc?.kind === "Kustomization" && doc.apiVersion?.startsWith("kustomize.toolkit.fluxcd.io/"))
      .map((doc) => doc.metadata.name);
    expect(listed.sort()).toEqual(["flux-system", ...defined].sort());
  });

  test("versions table: Node as in engines, .ci/run and the pipeline image", () => {
    expect(versions["Node.js"][0]).toBe(pkg.engines.node);
    expect(read(".ci/run")).toContain(`NODE_LTS=${tested("Node.js")}`);
    expect(parse(read(".gitlab-ci.yml")).default.image).toMatch(
      new RegExp(`^node:${tested("Node.js").split(".")[0]}-`),
    );
  });

  test("versions table: Terraform as the stacks require it and the pipeline installs it", () => {
    expect(versions.Terraform).toEqual([TERRAFORM.requiredVersion, TERRAFORM.tested]);
    expect(parse(read(".gitlab-ci.yml")).variables.TERRAFORM_VERSION).toBe(TERRAFORM.tested);
  });

  test("versions table: cdktf as installed, cdktn as .ci/cdktn-check installs it", () => {
    // Under .ci/cdktn-check the copy's package.json names the alias instead.
    const cdktf: string = pkg.dependencies.cdktf;
    if (cdktf.startsWith("npm:")) expect(cdktf).toBe(`npm:cdktn@${versions["cdktn (alias route)"][0]}`);
    else expect(versions.cdktf).toEqual([cdktf, cdktf]);
    expect(read(".ci/cdktn-check")).toContain(`CDKTN=${versions["cdktn (alias route)"][0]}`);
    expect(readme).toContain(`"cdktf": "npm:cdktn@${versions["cdktn (alias route)"][0]}"`);
  });

  test("versions table: every provider the stacks require, at the version they pin", () => {
    const required: Record<string, string> = {};
    for (const name of ENVIRONMENTS) {
      const env = environment(name);
      for (const json of [
        synth((app) => new CoreStack(app, "core", env)),
        synth((app) => new BootstrapStack(app, "bootstrap", env)),
      ]) {
        for (const p of Object.values(JSON.parse(json).terraform.required_providers) as {
          source: string;
          version: string;
        }[]) {
          required[p.source.replace(/^registry\.terraform\.io\//, "")] = p.version;
        }
      }
    }
    for (const [source, version] of Object.entries(required)) {
      expect({ source, row: versions[source]?.[0] }).toEqual({ source, row: version });
    }
  });

  test("'Leaving CDKTF' names test files and scripts that exist", () => {
    const section = readme.split("## Leaving CDKTF\n")[1].split("\n## ")[0];
    const files = [...section.matchAll(/`((?:__tests__|constructs|scripts|\.ci)\/[^`]+)`/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files)
      expect({ file, exists: existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
    expect(pkg.scripts["export:hcl"]).toMatch(/scripts\/export-hcl\.ts/);
  });
});
