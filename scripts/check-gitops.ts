import { ConfigError, knownEnvironments, loadEnvironment } from "../config/load";
import { committedTree, renderCheck } from "./render-check";

// `npm run check:gitops`: the render check of every environment in config/environments/, on what
// each bootstrap stack commits (see scripts/render-check/ and the README's "What the checks prove").
function main(): number {
  const trees = knownEnvironments().map((name) => committedTree(loadEnvironment(name)));
  const { results, problems } = renderCheck(trees);
  for (const r of results) process.stdout.write(`${r.scenario}, ${r.environment}: ${r.objects.length} objects rendered, ${r.problems.length} problems\n`);
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(problems.length ? `render check: ${problems.length} problems\n` : "render check: every scenario renders and validates\n");
  return problems.length ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? "Invalid configuration:\n  " : "render check: "}${(error as Error).message}\n`);
  process.exitCode = 1;
}
