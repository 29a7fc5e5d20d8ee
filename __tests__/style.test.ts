import { execFileSync } from "child_process";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";

// Prettier keeps code within its printWidth but never breaks strings, template literals, comments
// or test names; this check holds those to the same width. The width is read from .prettierrc.json,
// the one place it is set.
const ROOT = path.join(__dirname, "..");
const WIDTH: number = JSON.parse(readFileSync(path.join(ROOT, ".prettierrc.json"), "utf8")).printWidth;
const SOURCE = /\.(ts|js|mjs)$/;
// Folders a directory walk skips: installed, generated or local-run output, never committed.
const UNTRACKED = new Set([".git", "node_modules", "cdktf.out", ".ci", ".gen", "coverage", "plans", "state"]);

/** The committed source files: `git ls-files`, or a directory walk where git or the repository is absent. */
function sourceFiles(): string[] {
  try {
    const listed = execFileSync("git", ["ls-files", "-z", "*.ts", "*.js", "*.mjs"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return listed.split("\0").filter((f) => f !== "");
  } catch {
    const walk = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) return UNTRACKED.has(e.name) || e.name.startsWith(".gitlab-ci-local") ? [] : walk(rel);
        return SOURCE.test(e.name) ? [rel] : [];
      });
    return walk("");
  }
}

/**
 * A URL cannot be wrapped: a line may pass the width when everything past it is one URL that ends the line
 * (e.g. `// https://…` or `"https://…",`).
 */
function onlyUrlPastWidth(line: string): boolean {
  const url = /https?:\/\/\S+$/.exec(line.trimEnd());
  return url !== null && [...line.slice(0, url.index)].length <= WIDTH;
}

/** `file:line (n chars)` for every line of the file longer than the width. */
function longLines(file: string): string[] {
  return readFileSync(path.join(ROOT, file), "utf8")
    .split("\n")
    .flatMap((line, i) => {
      const length = [...line].length;
      return length > WIDTH && !onlyUrlPastWidth(line) ? [`${file}:${i + 1} (${length} chars)`] : [];
    });
}

describe("source style", () => {
  test("the width is read from .prettierrc.json", () => {
    expect(Number.isInteger(WIDTH) && WIDTH > 0).toBe(true);
  });

  test("the check sees the committed sources", () => {
    const files = sourceFiles();
    expect(files).toContain("main.ts");
    expect(files).toContain("__tests__/style.test.ts");
    expect(files.every((f) => SOURCE.test(f))).toBe(true);
  });

  test("only a trailing URL may pass the width", () => {
    const pad = "x".repeat(WIDTH - 10);
    expect(onlyUrlPastWidth(`${pad} // https://example.com/${"a".repeat(40)}`)).toBe(true);
    expect(onlyUrlPastWidth(`${pad} "https://example.com/${"a".repeat(40)}",`)).toBe(true);
    expect(onlyUrlPastWidth(`${pad} https://example.com/${"a".repeat(40)} and more`)).toBe(false);
    expect(onlyUrlPastWidth(`${pad}${"y".repeat(20)} https://example.com/`)).toBe(false);
    expect(onlyUrlPastWidth("y".repeat(WIDTH + 1))).toBe(false);
  });

  test("no line of a .ts, .js or .mjs file is longer than Prettier's printWidth", () => {
    expect(sourceFiles().flatMap(longLines)).toEqual([]);
  });
});
