import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

// scripts/register.js runs every entry point's TypeScript and caches the transpiled output: a
// stale cache would run yesterday's code, so an edit must always be what runs.
const register = path.resolve(__dirname, "../../scripts/register.js");

describe("the TypeScript loader (scripts/register.js)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "register-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (file: string) => execFileSync(process.execPath, ["-r", register, file], { encoding: "utf8" }).trim();

  test("strips types and runs the module, imports included", () => {
    writeFileSync(path.join(dir, "value.ts"), "export const value: number = 41;\n");
    writeFileSync(
      path.join(dir, "main.ts"),
      'import { value } from "./value";\ninterface Shape { n: number }\n' +
        "const s: Shape = { n: value + 1 };\nconsole.log(s.n);\n",
    );
    expect(run(path.join(dir, "main.ts"))).toBe("42");
  });

  test("an edited file runs as edited, not as cached", () => {
    const file = path.join(dir, "main.ts");
    writeFileSync(file, 'const word: string = "before";\nconsole.log(word);\n');
    expect(run(file)).toBe("before");
    writeFileSync(file, 'const word: string = "after";\nconsole.log(word);\n');
    expect(run(file)).toBe("after");
  });

  test("line numbers in stack traces are the source's (no source maps needed)", () => {
    const file = path.join(dir, "main.ts");
    writeFileSync(file, 'type T = {\n  a: string;\n};\nconst t: T = { a: "x" };\nconsole.log(new Error(t.a).stack);\n');
    expect(run(file)).toContain(`${file}:5:`);
  });
});
