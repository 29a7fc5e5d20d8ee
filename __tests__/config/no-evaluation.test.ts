import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ConfigError, parseEnvironmentText } from "../../config/load";
import { schemaKeys } from "../../config/reference";
import { terraformLiteral } from "../../config/terraform-literal";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CiStack } from "../../stacks/ci-stack";
import { CoreStack } from "../../stacks/core-stack";
import { environment, Json, synth } from "../helpers";
import { BASE } from "./invalid-cases";

/*
 * No configuration string can be evaluated by Terraform: every field of the schema, fed
 * template syntax, is either refused (naming the field) or reaches the synthesized JSON escaped.
 * Where a field is escaped, the real Terraform reads the JSON back as the literal text.
 */

const FILE = "config/environments/test.yaml";
/** The app a `apps.<name>.*` key is set on. */
const APP = "web";
const HOSTILE = ['${file("/etc/passwd")}', "%{ if true }x%{ endif }", "a${b}c", "$${x}"];

/** A patch that sets `key` (dotted) to `value`, with the backend type its key needs. */
function patchFor(key: string, value: unknown): Json {
  const parts = key.split(".").map((p) => (p === "<name>" ? APP : p));
  const patch: Json = {};
  let node = patch;
  parts.slice(0, -1).forEach((p) => (node = node[p] = {}));
  node[parts.at(-1)!] = value;
  if (parts[0] === "backend" && key !== "backend.type")
    patch.backend.type = key === "backend.project" ? "gitlab" : "s3";
  if (key.startsWith("backend.") && patch.backend.type === "s3" && key !== "backend.bucket")
    patch.backend.bucket = "team-state";
  return patch;
}

/** What a key can hold a string in: itself, an item of it, or a key or value of it. */
function placements(kind: string, template: string): unknown[] {
  if (kind === "array") return [[template]];
  if (kind === "record") return [{ team: template }, { [template]: "x" }];
  return [template];
}

/** Template syntax Terraform evaluates: `${` or `%{` not part of the escape `$${` / `%%{` (HCL scans left to right). */
const EVALUATED = /(^|[^$])\$\{|(^|[^%])%\{/;

/** Every stack main.ts builds for the environment: the ci stack where delivery is configured. */
function synthesizedJson(env: ReturnType<typeof environment>): string[] {
  return [
    synth((app) => new CoreStack(app, "core", env)),
    synth((app) => new BootstrapStack(app, "bootstrap", env)),
    ...(env.delivery ? [synth((app) => new CiStack(app, "ci", env))] : []),
  ];
}

const cases = schemaKeys().flatMap((k) =>
  HOSTILE.flatMap((template) =>
    placements(k.kind, template).map((value) => [k.key, JSON.stringify(value), value] as const),
  ),
);

describe.each(cases)("%s = %s", (key, _shown, value) => {
  test("is refused naming the field, or appears literally in the synthesized JSON", () => {
    const text = stringify({
      ...BASE,
      ...patchFor(key, value),
      gitlab: { ...BASE.gitlab, ...patchFor(key, value).gitlab },
      // With delivery, so the ci stack is synthesized and checked too.
      delivery: { awsAccountId: "123456789012", infraProject: "team/infra", ...patchFor(key, value).delivery },
    });
    let settings;
    try {
      settings = parseEnvironmentText({ text, file: FILE });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const field = key.replace("<name>", APP);
      expect((error as ConfigError).problems.some((l) => l.startsWith(`${FILE}: ${field}`))).toBe(true);
      return;
    }
    // Accepted: then no string in either stack may hold unescaped template syntax from it.
    const env = { ...settings, name: "test", file: FILE };
    for (const json of synthesizedJson(env)) {
      const strings = JSON.stringify(parse(json)).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
      const hostile = strings.filter((s) => s.includes("etc/passwd") || s.includes("if true") || s.includes("a${b}c"));
      for (const s of hostile) expect(s).not.toMatch(EVALUATED);
    }
  });
});

describe("tags: escaped where they reach the JSON, even past the schema", () => {
  const tags = { evil: '${file("/etc/passwd")}', "%{ if true }k%{ endif }": "v", already: "$${x}", plain: "a $ b % c" };
  const env = { ...environment("dev"), tags };
  const json = JSON.parse(synth((app) => new CoreStack(app, "core", env)));
  const synthesized: Record<string, string> = json.provider.aws[0].default_tags[0].tags;

  test("the provider's default tags hold the escaped text", () => {
    expect(synthesized).toMatchObject({
      evil: '$${file("/etc/passwd")}',
      "%%{ if true }k%%{ endif }": "v",
      already: "$$${x}",
      plain: "a $ b % c",
    });
    expect(JSON.stringify(synthesized)).not.toMatch(EVALUATED);
  });

  const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
  const realTest = terraform.status === 0 ? test : test.skip;
  realTest("the real Terraform reads them back as the literal values (terraform console)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "literal-"));
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ locals: { tags: synthesized } }));
    const run = spawnSync("terraform", ["console"], {
      cwd: dir,
      input: "jsonencode(local.tags)\n",
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CHECKPOINT_DISABLE: "1",
        TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE,
      },
    });
    expect(run.status).toBe(0);
    const printed = run.stdout.trim().split("\n").at(-1)!;
    expect(JSON.parse(JSON.parse(printed))).toEqual({
      ...tags,
      "gitops-environment": "dev",
      "eks-cluster": env.cluster.name,
    });
  });

  test("terraformLiteral leaves text without template syntax alone", () => {
    expect(terraformLiteral("team: a$b%c {x}")).toBe("team: a$b%c {x}");
    expect(terraformLiteral("${a}%{b}")).toBe("$${a}%%{b}");
  });
});
