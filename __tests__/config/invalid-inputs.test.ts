import { execFile } from "child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, loadEnvironment, mergeSettings } from "../../config/load";
import { findSecret } from "../../config/secrets";
import { UNSAFE_CHARACTERS } from "../../config/text";
import type { Json } from "../helpers";
import { BASE, FILE_CASES, INJECTION_CASES, InvalidCase, SECRET_CASES } from "./invalid-cases";
import { FIELD_CASES } from "./invalid-field-cases";

/*
 * The table of invalid inputs. Each case runs the real loader in-process on real files in a
 * fresh folder (fast), and asserts what the user would see; a sample runs main.ts itself as a
 * child process for the exit code, the output folder and the absence of stack traces.
 */

const ALL = [...FILE_CASES, ...SECRET_CASES, ...INJECTION_CASES, ...FIELD_CASES];
const ENV = "test";
const text = (content: Json | string | undefined, merged?: Json) =>
  typeof content === "string" ? content : stringify(merged ?? content ?? {});

/** Writes a case's files into a fresh config folder; returns the folder and the names messages use. */
function writeCase(c: InvalidCase): { dir: string; files: Record<"env" | "defaults", string> } {
  const dir = mkdtempSync(path.join(tmpdir(), "config-case-"));
  mkdirSync(path.join(dir, "environments"));
  const defaults = c.defaults ?? BASE;
  writeFileSync(path.join(dir, "defaults.yaml"), text(defaults));
  writeFileSync(path.join(dir, "environments", `${ENV}.yaml`), text(c.env));
  const shown = (f: string) => path.relative(process.cwd(), path.join(dir, f));
  return { dir, files: { env: shown(`environments/${ENV}.yaml`), defaults: shown("defaults.yaml") } };
}

/** Every file under `dir` with its size and modification time: "nothing written" means this is unchanged. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((f) => {
      const s = lstatSync(path.join(dir, f));
      return `${f} ${s.size} ${s.mtimeMs}`;
    });
}

/** The loader's problems for a folder, asserting it threw a ConfigError (never another error) and wrote nothing. */
function problemsIn(dir: string, name = ENV): string[] {
  const before = listing(dir);
  let thrown: unknown;
  try {
    loadEnvironment(name, dir);
  } catch (error) {
    thrown = error;
  }
  expect(listing(dir)).toEqual(before);
  expect(thrown).toBeInstanceOf(ConfigError);
  return (thrown as ConfigError).problems;
}

/** What every problem output must be: single lines, no stack trace, nothing that looks like a secret. */
function expectSafeOutput(lines: string[], secret?: string): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).not.toMatch(UNSAFE_CHARACTERS);
    expect(line.length).toBeLessThan(400);
    expect(line).not.toMatch(/^\s+at .+:\d+:\d+\)?$|Error: /);
    expect(findSecret(line)).toBeUndefined();
    if (secret) expect(line).not.toContain(secret);
  }
}

test(`the table holds at least 100 invalid inputs (${ALL.length})`, () => {
  expect(ALL.length).toBeGreaterThanOrEqual(100);
  expect(new Set(ALL.map((c) => c.name)).size).toBe(ALL.length);
});

describe.each(ALL.map((c) => [c.name, c] as const))("refuses %s", (_name, c) => {
  test("naming the file and key on one line, with what is allowed; nothing written, no secret echoed", () => {
    const { dir, files } = writeCase(c);
    const lines = problemsIn(dir);
    expectSafeOutput(lines, c.secret);
    const prefix = `${files[c.in]}: ${c.key}`;
    const line = lines.find((l) => l.startsWith(prefix));
    expect({ line, lines }).toEqual({ line: expect.stringMatching(c.says), lines });
  });
});

// Problems with the files themselves rather than their settings.
describe("file and folder problems", () => {
  function folder(setup: (dir: string) => void): string {
    const { dir } = writeCase({ name: "", env: {}, in: "env", key: "", says: /x/ });
    setup(dir);
    return dir;
  }
  const shown = (dir: string, f: string) => path.relative(process.cwd(), path.join(dir, f));
  const cases: [string, (dir: string) => void, string, RegExp][] = [
    [
      "environment file is a folder",
      (d) => mkdirSync(path.join(d, "environments", "dir.yaml")),
      "environments/dir.yaml",
      /must be a file, but it is a directory/,
    ],
    [
      "defaults.yaml is a folder",
      (d) => {
        writeFileSync(path.join(d, "environments", "dir.yaml"), "{}");
        rmAndMkdir(path.join(d, "defaults.yaml"));
      },
      "defaults.yaml",
      /must be a file, but it is a directory/,
    ],
    [
      "UTF-16 file",
      (d) => writeFileSync(path.join(d, "environments", "dir.yaml"), Buffer.from("\ufeffregion: x\n", "utf16le")),
      "environments/dir.yaml",
      /must be UTF-8, but it is UTF-16/,
    ],
    [
      "bytes that are not UTF-8",
      (d) => writeFileSync(path.join(d, "environments", "dir.yaml"), Buffer.from([0x72, 0x3a, 0x20, 0xc3, 0x28, 0x0a])),
      "environments/dir.yaml",
      /must be UTF-8/,
    ],
    [
      "a file far too large",
      (d) => writeFileSync(path.join(d, "environments", "dir.yaml"), `# ${"x".repeat(300 * 1024)}\n`),
      "environments/dir.yaml",
      /a settings file must be under 262144 bytes/,
    ],
    [
      "a symbolic link loop",
      (d) => symlinkSync("dir.yaml", path.join(d, "environments", "dir.yaml")),
      "environments/dir.yaml",
      /cannot be read \(ELOOP\)/,
    ],
  ];
  test.each(cases)("%s", (_name, setup, file, says) => {
    const dir = folder(setup);
    const lines = problemsIn(dir, "dir");
    expectSafeOutput(lines);
    expect(lines.find((l) => l.startsWith(`${shown(dir, file)}: `))).toMatch(says);
  });

  test("an environments entry that is a file, not a folder", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "config-case-"));
    writeFileSync(path.join(dir, "environments"), "x");
    const lines = problemsIn(dir);
    expect(lines).toEqual([`${shown(dir, "environments")}: must be a directory of <environment>.yaml files`]);
  });

  test.each([["dev\nInvalid configuration: fake"], ["../defaults"], ["DEV"]])(
    "GITOPS_ENV=%j is refused, escaped",
    (name) => {
      const lines = problemsIn(
        folder(() => undefined),
        name,
      );
      expectSafeOutput(lines);
      expect(lines[0]).toMatch(/^GITOPS_ENV=.+: unknown environment; known environments: test /);
    },
  );

  // An unreadable file takes the same path as the symbolic link loop above ("cannot be read
  // (CODE)"); EACCES itself cannot be set up where the tests run as root, so it is not repeated.
});

function rmAndMkdir(p: string): void {
  rmSync(p);
  mkdirSync(p);
}

// The real app for a sample of the table: run in parallel, they cost about one app start-up.
describe("main.ts on invalid input", () => {
  const root = path.resolve(__dirname, "../..");
  const SAMPLE = [
    "duplicate key",
    "alias expansion bomb",
    "newline forging an output line",
    "token in defaults.yaml",
    "template in a tag value",
    "subnet outside the VPC",
  ];
  type Run = { code: number | null; stdout: string; stderr: string };
  const runs = SAMPLE.map((name) => {
    const c = ALL.find((x) => x.name === name)!;
    const { dir, files } = writeCase(c);
    const out = path.join(dir, "cdktf.out");
    mkdirSync(out);
    writeFileSync(path.join(out, "previous-synth.json"), "{}");
    return { c, dir, out, files, before: listing(dir), result: undefined as unknown as Promise<Run> };
  });
  beforeAll(() => {
    for (const run of runs) {
      run.result = new Promise<Run>((resolve) => {
        execFile(
          process.execPath,
          ["-r", path.join(root, "scripts", "register.js"), path.join(root, "main.ts")],
          // The case's own output folder, holding an earlier synth that must survive untouched.
          {
            cwd: root,
            env: { ...process.env, GITOPS_CONFIG_DIR: run.dir, GITOPS_ENV: ENV, CDKTF_OUTDIR: run.out },
          },
          (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
        );
      });
    }
  });

  test.each(runs.map((r) => [r.c.name, r] as const))(
    "%s: exit 1, one line per problem, no stack trace, nothing written",
    async (_name, run) => {
      const { code, stdout, stderr } = await run.result;
      expect(code).toBe(1);
      expect(stdout).toBe("");
      const [header, ...lines] = stderr.trimEnd().split("\n");
      expect(header).toBe("Invalid configuration:");
      for (const line of lines) expect(line).toMatch(/^ {2}\S/);
      expectSafeOutput(
        lines.map((l) => l.trim()),
        run.c.secret,
      );
      expect(stderr).toContain(`  ${run.files[run.c.in]}: ${run.c.key}`);
      expect(listing(run.dir)).toEqual(run.before);
      expect(readdirSync(run.out)).toEqual(["previous-synth.json"]);
      expect(readFileSync(path.join(run.out, "previous-synth.json"), "utf8")).toBe("{}");
    },
    30_000,
  );
});

// mergeSettings is exported for helpers; a prototype key must never reach it, but if it did it must not pollute.
test("merging never writes to Object.prototype", () => {
  mergeSettings({}, JSON.parse('{"__proto__": {"polluted": true}}'));
  expect(({} as Json).polluted).toBeUndefined();
});
