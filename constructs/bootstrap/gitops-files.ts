import { RepositoryFile } from "@cdktf/provider-gitlab/lib/repository-file";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parseAllDocuments, visit } from "yaml";
import type { AddonName } from "../../config/schema-addons";
import {
  ADDON_FOLDERS,
  AddonLayer,
  AddonPins,
  AddonSelection,
  folderCommitted,
  layerPath,
  NO_ADDONS,
} from "./addon-layers";

/** The GitOps content kept in this repository, committed to the GitOps repository by Terraform. */
export const CONFIG_FILES_DIR = path.join(__dirname, "..", "..", "config_files");

/**
 * Values filled in at synth, by the YAML library, wherever a scalar value holds `__NAME__`:
 * settings of the environment that Flux's own substitution would mangle (a semver range such as
 * `>=1.0.0 <2.0.0`, a number-like name), since Flux substitutes after re-serializing (flux2#4830).
 * Keys and comments are never touched; values only Terraform knows at apply stay `${VAR}` for Flux.
 */
export interface SynthValues extends AddonPins {
  readonly ENVIRONMENT: string;
  readonly CLUSTER_NAME: string;
  readonly GIT_BRANCH: string;
  readonly APP_NAMESPACE: string;
  readonly APP_REPLICAS: number;
  readonly IMAGE_SEMVER_RANGE: string;
  /** The IAM role of Karpenter's nodes (EC2NodeClass `role`); chart versions (AddonPins) come from config/versions.ts. */
  readonly KARPENTER_NODE_ROLE: string;
  /** The Secrets Manager name prefix the ClusterSecretStore reads under. */
  readonly EXTERNAL_SECRETS_PREFIX: string;
  /** The GitLab instance without scheme: `https://` + it is the issuer of the ID tokens the image Receiver accepts (feature image-receiver). */
  readonly GITLAB_ISSUER_HOST?: string;
  /** `group/project` of the app whose release pipeline may wake Flux (feature image-receiver). */
  readonly APP_PROJECT?: string;
  /** The audience the app's ID token must carry for this cluster (feature image-receiver). */
  readonly OIDC_AUDIENCE?: string;
}
const PLACEHOLDER = /__([A-Z][A-Z_]*[A-Z])__/g;
const HAS_PLACEHOLDER = /__[A-Z][A-Z_]*[A-Z]__/;
const WHOLE_PLACEHOLDER = /^__([A-Z][A-Z_]*[A-Z])__$/;

/** Opt-in parts of the GitOps content, each turned on per environment. */
export type Feature = "webhook" | "commit-status" | "image-receiver" | "secrets";

/**
 * How config_files/ maps onto the environment's GitOps repository (the Flux reference layout).
 * Feature files go to the cluster's folder, which Flux's own flux-system Kustomization applies.
 * Add-on folders (`infrastructure/<layer>/<add-on>/`) are committed while their add-on is
 * installed (configured, for the configs layer); each layer's list of them is generated
 * (constructs/bootstrap/addon-layers.ts).
 */
export const LAYOUT: {
  readonly source: string;
  readonly target: (v: SynthValues) => string;
  readonly feature?: Feature;
  readonly addon?: { readonly name: AddonName; readonly layer: AddonLayer };
}[] = [
  { source: "clusters", target: (v) => `clusters/${v.CLUSTER_NAME}` },
  ...(Object.entries(ADDON_FOLDERS) as [AddonName, (typeof ADDON_FOLDERS)[AddonName]][]).flatMap(([name, entry]) =>
    entry.layers.map((layer) => {
      const folder = `${layerPath(layer)}/${entry.folder}`;
      return { source: folder, target: () => folder, addon: { name, layer } };
    }),
  ),
  { source: "apps/base", target: () => "apps/base" },
  { source: "apps/environment", target: (v) => `apps/${v.ENVIRONMENT}` },
  { source: "features/webhook", target: (v) => `clusters/${v.CLUSTER_NAME}/webhook`, feature: "webhook" },
  {
    source: "features/commit-status",
    target: (v) => `clusters/${v.CLUSTER_NAME}/commit-status`,
    feature: "commit-status",
  },
  {
    source: "features/image-receiver",
    target: (v) => `clusters/${v.CLUSTER_NAME}/image-receiver`,
    feature: "image-receiver",
  },
  // SOPS: the secrets Kustomization in the cluster's folder, and the folder app teams commit to.
  { source: "features/secrets", target: (v) => `clusters/${v.CLUSTER_NAME}`, feature: "secrets" },
  { source: "secrets", target: (v) => `secrets/${v.ENVIRONMENT}`, feature: "secrets" },
];

/** Files holding this marker are rewritten by Flux's image automation. */
export const SETTER_MARKER = '{"$imagepolicy"';

export interface RenderedFile {
  /** Path under config_files/. */
  readonly source: string;
  /** Path in the GitOps repository. */
  readonly target: string;
  readonly content: string;
  /** Flux rewrites it: Terraform creates it and then leaves its content alone. Keep such files to the marked lines. */
  readonly fluxOwned: boolean;
}

/** Renders config_files/ for one cluster: its features and the folders of its add-ons. */
export function renderFiles(
  values: SynthValues,
  features: readonly Feature[],
  dir: string = CONFIG_FILES_DIR,
  addons: AddonSelection = NO_ADDONS,
): RenderedFile[] {
  const files: RenderedFile[] = [];
  for (const entry of LAYOUT) {
    if (entry.feature && !features.includes(entry.feature)) continue;
    if (entry.addon && !folderCommitted(addons, entry.addon.name, entry.addon.layer)) continue;
    for (const relative of listYaml(path.join(dir, entry.source))) {
      const source = `${entry.source}/${relative}`;
      const content = fillPlaceholders(readFileSync(path.join(dir, source), "utf8"), values, `config_files/${source}`);
      files.push({
        source,
        target: `${entry.target(values)}/${relative}`,
        content,
        fluxOwned: content.includes(SETTER_MARKER),
      });
    }
  }
  return files;
}

/**
 * Replaces `__NAME__` in scalar values through the YAML library, so each value is quoted as YAML
 * needs (YAML 1.1, as Flux reads it); a value that is exactly one placeholder takes the value's
 * type (APP_REPLICAS stays a number). Files without placeholders are committed byte for byte.
 */
export function fillPlaceholders(text: string, values: SynthValues, file: string): string {
  if (!HAS_PLACEHOLDER.test(text.replace(/#.*$/gm, ""))) return text;
  const known = values as unknown as Record<string, string | number>;
  const value = (name: string) => {
    if (!(name in known))
      throw new Error(`${file}: unknown placeholder __${name}__; known: ${Object.keys(known).join(", ")}`);
    return known[name];
  };
  const docs = parseAllDocuments(text, { version: "1.1" });
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message.split("\n")[0]}`);
    visit(doc, {
      Scalar(key, node) {
        if (typeof node.value !== "string") return;
        if (key === "key") {
          if (HAS_PLACEHOLDER.test(node.value))
            throw new Error(`${file}: placeholders belong in values, not in the key ${node.value}`);
          return;
        }
        const whole = WHOLE_PLACEHOLDER.exec(node.value);
        if (whole) node.value = value(whole[1]);
        else node.value = node.value.replace(PLACEHOLDER, (_m, name: string) => String(value(name)));
      },
    });
  }
  return docs.map((d) => d.toString({ lineWidth: 0 })).join("");
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
  /** Opt-in features whose files to commit. @default [] */
  readonly features?: readonly Feature[];
  /** The add-ons whose folders to commit. @default none */
  readonly addons?: AddonSelection;
  /**
   * Files built in code from the configuration rather than kept in config_files/ (an add-on
   * layer's list of enabled add-ons, an app's generated manifests). `source` names the
   * generator and keeps the construct id stable. @default []
   */
  readonly generated?: readonly RenderedFile[];
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
    const files = [
      ...renderFiles(props.values, props.features ?? [], CONFIG_FILES_DIR, props.addons),
      ...(props.generated ?? []),
    ];
    const seen = new Set<string>();
    for (const file of files) {
      if (seen.has(file.target)) throw new Error(`GitopsFiles: two files would be committed to ${file.target}`);
      seen.add(file.target);
    }
    // A generated file may hold a value only Terraform knows (a core output): it is committed as
    // text, so Terraform fills the value in (such a file must hold no other `${`).
    const computed = (file: RenderedFile) => Token.isUnresolved(file.content);
    this.files = files.map(
      (file) =>
        // Ids come from the source path, so a renamed cluster or environment moves files in place.
        new RepositoryFile(this, file.source.replace(/[^A-Za-z0-9]+/g, "-"), {
          project: props.project,
          branch: props.branch,
          filePath: file.target,
          encoding: computed(file) ? "text" : "base64",
          content: computed(file) ? file.content : Buffer.from(file.content, "utf8").toString("base64"),
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
