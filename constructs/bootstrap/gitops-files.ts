import { RepositoryFile } from "@cdktf/provider-gitlab/lib/repository-file";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";

/** The GitOps content kept in this repository, committed to the GitOps repository by Terraform. */
export const CONFIG_FILES_DIR = path.join(__dirname, "..", "..", "config_files");

/** Placeholders filled in at synth, for what Flux substitution cannot reach (Kustomization paths). */
export interface SynthValues {
  readonly ENVIRONMENT: string;
  readonly CLUSTER_NAME: string;
}
const PLACEHOLDER = /__([A-Z][A-Z_]*[A-Z])__/g;

/** Opt-in parts of the GitOps content, each turned on per environment. */
export type Feature = "webhook" | "commit-status";

/** What to commit besides the files every cluster gets. */
export interface RenderOptions {
  /** The shared bases (infrastructure/, apps/base/): one environment owns them. */
  readonly shared: boolean;
  /** Opt-in features. */
  readonly features: readonly Feature[];
}

/**
 * How config_files/ maps onto the GitOps repository (the Flux reference layout). Feature files
 * go to the cluster's folder, which Flux's own flux-system Kustomization applies.
 */
export const LAYOUT: {
  readonly source: string;
  readonly target: (v: SynthValues) => string;
  readonly shared?: boolean;
  readonly feature?: Feature;
}[] = [
  { source: "clusters", target: (v) => `clusters/${v.CLUSTER_NAME}` },
  { source: "infrastructure", target: () => "infrastructure", shared: true },
  { source: "apps/base", target: () => "apps/base", shared: true },
  { source: "apps/environment", target: (v) => `apps/${v.ENVIRONMENT}` },
  { source: "features/webhook", target: (v) => `clusters/${v.CLUSTER_NAME}/webhook`, feature: "webhook" },
  { source: "features/commit-status", target: (v) => `clusters/${v.CLUSTER_NAME}/commit-status`, feature: "commit-status" },
];

/** Files holding this marker are rewritten by Flux's image automation. */
export const SETTER_MARKER = '{"$imagepolicy"';

export interface RenderedFile {
  /** Path under config_files/. */
  readonly source: string;
  /** Path in the GitOps repository. */
  readonly target: string;
  readonly content: string;
  /** Flux rewrites it: Terraform creates it and then leaves its content alone. */
  readonly fluxOwned: boolean;
}

/** Renders config_files/ for one cluster. */
export function renderFiles(values: SynthValues, options: RenderOptions, dir: string = CONFIG_FILES_DIR): RenderedFile[] {
  const files: RenderedFile[] = [];
  for (const entry of LAYOUT) {
    if (entry.shared && !options.shared) continue;
    if (entry.feature && !options.features.includes(entry.feature)) continue;
    for (const relative of listYaml(path.join(dir, entry.source))) {
      const source = `${entry.source}/${relative}`;
      const content = readFileSync(path.join(dir, source), "utf8").replace(PLACEHOLDER, (match, name: string) => {
        const value = (values as unknown as Record<string, string | undefined>)[name];
        if (value === undefined) throw new Error(`config_files/${source}: unknown placeholder ${match}; known: ${Object.keys(values).join(", ")}`);
        return value;
      });
      files.push({ source, target: `${entry.target(values)}/${relative}`, content, fluxOwned: content.includes(SETTER_MARKER) });
    }
  }
  return files;
}

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

export interface GitopsFilesProps {
  /** GitLab project id. */
  readonly project: string;
  /** Branch to commit to. */
  readonly branch: string;
  /** Synth-time values. */
  readonly values: SynthValues;
  /** Commit the shared bases too (one environment owns them). @default true */
  readonly shared?: boolean;
  /** Opt-in features whose files to commit. @default [] */
  readonly features?: readonly Feature[];
  /** What must exist first (Flux, the namespaces, the ConfigMaps). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Commits the rendered config_files/ to the GitOps repository, one gitlab_repository_file each.
 * Content is base64-encoded here, at synth, so Flux's `${VAR}` placeholders reach Git literally
 * instead of being read as Terraform interpolations.
 */
export class GitopsFiles extends Construct {
  public readonly files: RepositoryFile[];

  constructor(scope: Construct, id: string, props: GitopsFilesProps) {
    super(scope, id);
    const env = props.values.ENVIRONMENT;
    this.files = renderFiles(props.values, { shared: props.shared ?? true, features: props.features ?? [] }).map(
      (file) =>
        // Ids come from the source path, so a renamed cluster or environment moves files in place.
        new RepositoryFile(this, file.source.replace(/[^A-Za-z0-9]+/g, "-"), {
          project: props.project,
          branch: props.branch,
          filePath: file.target,
          encoding: "base64",
          content: Buffer.from(file.content, "utf8").toString("base64"),
          createCommitMessage: `chore(${env}): add ${file.target} [terraform]`,
          updateCommitMessage: `chore(${env}): update ${file.target} [terraform]`,
          deleteCommitMessage: `chore(${env}): remove ${file.target} [terraform]`,
          // Flux commits new image tags into this file; re-applying must not put the old tag back.
          lifecycle: file.fluxOwned ? { ignoreChanges: ["content"] } : undefined,
          dependsOn: props.dependsOn,
        }),
    );
  }
}
