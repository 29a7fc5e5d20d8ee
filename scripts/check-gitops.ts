import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, knownEnvironments, loadEnvironment } from "../config/load";
import { committedTree, renderCheck } from "./render-check";

// `npm run check:gitops`: the render check of every environment in config/environments/, on what
// each bootstrap stack commits (see scripts/render-check/ and the README's "What the checks prove").
// `--out DIR` also writes what each cluster would apply, one file per scenario and environment.
function main(args: string[]): number {
  const out = args[0] === "--out" ? args[1] : undefined;
  const trees = knownEnvironments().map((name) => committedTree(loadEnvironment(name)));
  const { results, problems } = renderCheck(trees);
  if (out) {
    mkdirSync(out, { recursive: true });
    for (const r of results) {
      const objects = r.objects.filter((o) => o.appliedBy !== "terraform").map((o) => stringify(o.object));
      writeFileSync(path.join(out, `${r.scenario.replace(/\W+/g, "-")}--${r.environment}.yaml`), objects.join("---\n"));
    }
  }
  for (const r of results)
    process.stdout.write(
      `${r.scenario}, ${r.environment}: ${r.objects.length} objects rendered, ${r.problems.length} problems\n`,
    );
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(
    problems.length
      ? `render check: ${problems.length} problems\n`
      : "render check: every scenario renders and validates\n",
  );
  return problems.length ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? "Invalid configuration:\n  " : "render check: "}${(error as Error).message}\n`,
  );
  process.exitCode = 1;
}
