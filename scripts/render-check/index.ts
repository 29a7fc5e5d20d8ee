import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { addonAccountProblems, chartValuesProblems } from "./addons";
import { AppliedObject, renderCluster } from "./cluster";
import type { CommittedTree } from "./committed";
import { kustomizeTool } from "./kustomize";
import { checkReferences } from "./references";

export { committedTree, readCommittedTree } from "./committed";
export type { CommittedTree, K8sObject } from "./committed";

/** What one scenario renders for one environment's cluster. */
export interface ClusterResult {
  readonly scenario: string;
  readonly environment: string;
  readonly objects: readonly AppliedObject[];
  readonly problems: readonly string[];
}

/**
 * The render check: every environment alone, then all of them together, each laid out in the
 * GitOps repositories as Terraform commits it, each cluster built from its sync path the way Flux
 * builds it. A scenario's problems are prefixed with the scenario and environment.
 */
export function renderCheck(trees: readonly CommittedTree[]): { results: ClusterResult[]; problems: string[] } {
  // Without kustomize nothing can be built: say that once, not as a problem per Kustomization.
  kustomizeTool();
  const scenarios: [string, readonly CommittedTree[]][] = trees.map((t) => [`${t.environment} alone`, [t]]);
  if (trees.length > 1) scenarios.push(["all environments", trees]);
  const results = scenarios.flatMap(([name, members]) => renderScenario(name, members));
  const problems = [
    ...isolationProblems(trees),
    ...results.flatMap((r) => r.problems.map((p) => `${r.scenario}, ${r.environment}: ${p}`)),
  ];
  return { results, problems };
}

/** Lays out the repositories of a scenario and renders each cluster from them. */
export function renderScenario(scenario: string, trees: readonly CommittedTree[]): ClusterResult[] {
  const root = mkdtempSync(path.join(tmpdir(), "gitops-render-"));
  try {
    const results: ClusterResult[] = [];
    const repositories = new Map<string, CommittedTree[]>();
    for (const t of trees) repositories.set(t.repository, [...(repositories.get(t.repository) ?? []), t]);
    let index = 0;
    for (const [, members] of repositories) {
      const repoDir = path.join(root, `repository-${index++}`);
      const layout = layOut(repoDir, members);
      for (const tree of members) {
        const rendered = renderCluster(tree, repoDir);
        const references = checkReferences(tree, repoDir, rendered.objects);
        results.push({
          scenario,
          environment: tree.environment,
          objects: rendered.objects,
          problems: [
            ...layout,
            ...rendered.problems,
            ...references,
            ...addonAccountProblems(rendered.objects),
            ...chartValuesProblems(rendered.objects),
          ],
        });
      }
    }
    return results;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Writes the files of every environment sharing one repository; a path two of them commit is a problem. */
function layOut(repoDir: string, trees: readonly CommittedTree[]): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const tree of trees) {
    for (const [file, content] of tree.files) {
      const other = owner.get(file);
      if (other) {
        problems.push(
          `${file} is committed by both ${other} and ${tree.environment}: two Terraform states would fight over it`,
        );
        continue;
      }
      if (file === tree.syncPath + "/flux-system" || file.startsWith(`${tree.syncPath}/flux-system/`)) {
        problems.push(`${file} is inside the folder flux_bootstrap_git owns`);
      }
      owner.set(file, tree.environment);
      mkdirSync(path.dirname(path.join(repoDir, file)), { recursive: true });
      writeFileSync(path.join(repoDir, file), content);
    }
  }
  return problems;
}

/**
 * Environments are isolated when no two share a GitOps repository: a deploy key may push to every
 * unprotected branch of its project, so a shared project lets one environment's key write what
 * another cluster applies.
 */
export function isolationProblems(trees: readonly CommittedTree[]): string[] {
  const problems: string[] = [];
  const byProject = new Map<string, string[]>();
  for (const t of trees) {
    const project = t.repository.split("@")[0];
    byProject.set(project, [...(byProject.get(project) ?? []), t.environment]);
  }
  for (const [project, environments] of byProject) {
    if (environments.length > 1) {
      problems.push(
        `environments ${environments.join(" and ")} share the GitOps project ${project}: give each environment its ` +
          `own ` +
          "project (gitlab.project), so no environment's deploy key can change what another cluster applies",
      );
    }
  }
  return problems;
}
