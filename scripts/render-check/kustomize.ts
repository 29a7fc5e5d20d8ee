import { spawnSync } from "child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parseAllDocuments, stringify } from "yaml";

/** The names kustomize recognizes for a kustomization file. */
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** How to run kustomize v5: `KUSTOMIZE` (a kustomize binary), else `kustomize` or `kubectl kustomize` from the PATH. */
export interface KustomizeTool {
  readonly command: string;
  readonly args: readonly string[];
  readonly version: string;
}

const found = new Map<string, KustomizeTool>();

/**
 * Finds kustomize v5 (once per KUSTOMIZE and PATH). The check never skips silently: without the
 * tool it fails and says how to get it.
 */
export function kustomizeTool(env: NodeJS.ProcessEnv = process.env): KustomizeTool {
  const cached = found.get(`${env.KUSTOMIZE}|${env.PATH}`);
  if (cached) return cached;
  const candidates: KustomizeTool[] = [];
  if (env.KUSTOMIZE) candidates.push({ command: env.KUSTOMIZE, args: ["build"], version: "" });
  else
    candidates.push(
      { command: "kustomize", args: ["build"], version: "" },
      { command: "kubectl", args: ["kustomize"], version: "" },
    );
  const tried: string[] = [];
  for (const candidate of candidates) {
    const probe =
      candidate.command === "kubectl"
        ? spawnSync("kubectl", ["version", "--client"], { encoding: "utf8", env })
        : spawnSync(candidate.command, ["version"], { encoding: "utf8", env });
    if (probe.error || probe.status !== 0) {
      tried.push(`${candidate.command}: not found`);
      continue;
    }
    const version =
      /(?:Kustomize Version: |^)v?(\d+\.\d+\.\d+)/m.exec(probe.stdout)?.[1] ??
      /v(\d+\.\d+\.\d+)/.exec(probe.stdout)?.[1];
    if (!version || Number(version.split(".")[0]) < 5) {
      tried.push(`${candidate.command}: kustomize ${version ?? "of unknown version"}, not v5`);
      continue;
    }
    const tool = { ...candidate, version };
    found.set(`${env.KUSTOMIZE}|${env.PATH}`, tool);
    return tool;
  }
  throw new Error(
    `the GitOps render check needs kustomize v5 and found none (${tried.join("; ")}). ` +
      "Install kubectl 1.27 or newer (it embeds kustomize v5: https://kubernetes.io/docs/tasks/tools/) " +
      "or kustomize v5 (https://kubectl.docs.kubernetes.io/installation/kustomize/), or set KUSTOMIZE to a " +
      "kustomize binary.",
  );
}

export function hasKustomization(dir: string): boolean {
  return KUSTOMIZATION_FILES.some((f) => existsSync(path.join(dir, f)));
}

/**
 * What Flux does for a path without a kustomization file (fluxcd/pkg kustomize generator): list
 * every .yaml/.yml file below it, and every sub-folder that has its own kustomization file as
 * one resource (without descending into it). A YAML file that is not Kubernetes objects is an error.
 */
export function generateKustomization(dir: string): string[] {
  const problems: string[] = [];
  const resources: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full).split(path.sep).join("/");
      if (entry.isDirectory()) {
        if (hasKustomization(full)) resources.push(relative);
        else walk(full);
      } else if (/\.ya?ml$/.test(entry.name)) {
        const docs = parseAllDocuments(readFileSync(full, "utf8"));
        const bad = docs.find((d) => {
          const value = d.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
          return (
            d.errors.length > 0 || (value !== null && (typeof value !== "object" || !value.apiVersion || !value.kind))
          );
        });
        if (bad) problems.push(`${relative}: not Kubernetes YAML (Flux's generator fails on it)`);
        else resources.push(relative);
      }
    }
  };
  walk(dir);
  if (problems.length === 0) {
    writeFileSync(
      path.join(dir, "kustomization.yaml"),
      stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources }),
    );
  }
  return problems;
}

/**
 * `kustomize build` with Flux's load restrictions (none, within the repository). Returns the YAML or throws kustomize's
 * error.
 */
export function kustomizeBuild(dir: string): string {
  const tool = kustomizeTool();
  const run = spawnSync(tool.command, [...tool.args, "--load-restrictor", "LoadRestrictionsNone", dir], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(run.stderr.trim().split("\n").slice(-3).join(" ").replace(/\s+/g, " "));
  return run.stdout;
}
