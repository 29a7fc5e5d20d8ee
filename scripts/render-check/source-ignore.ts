/**
 * What Flux's source-controller leaves out of the artifact it builds from Git when the
 * GitRepository sets no `spec.ignore` (fluxcd/pkg sourceignore: ExcludeVCS, ExcludeExt, ExcludeCI,
 * ExcludeExtra), as gitignore patterns. None holds an inner `/`, so each matches a file's base
 * name (or, ending in `/`, a folder's) at any depth. `.sourceignore` files are not modelled: this
 * project commits none.
 */
const DEFAULT_EXCLUDES = [
  ".git/",
  ".gitignore",
  ".gitmodules",
  ".gitattributes",
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
  ".github/",
  ".circleci/",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  "**/.goreleaser.yml",
  "**/.sops.yaml",
  "**/.flux.yaml",
];

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
const FILES = DEFAULT_EXCLUDES.filter((p) => !p.endsWith("/")).map((p) => glob(p.replace(/^\*\*\//, "")));
const FOLDERS = DEFAULT_EXCLUDES.filter((p) => p.endsWith("/")).map((p) => p.slice(0, -1));

/** Whether source-controller leaves the repository path out of the artifact kustomize-controller builds from. */
export function sourceIgnored(file: string): boolean {
  const parts = file.split("/");
  const base = parts[parts.length - 1];
  return FILES.some((re) => re.test(base)) || parts.slice(0, -1).some((dir) => FOLDERS.includes(dir));
}
