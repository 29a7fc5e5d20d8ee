import { Token } from "cdktf";
import type { RenderedFile } from "./gitops-files";

/** Which keys SOPS encrypts in a Secret: the values, not `kind` or `metadata` (Flux must read those). */
export const SOPS_ENCRYPTED_REGEX = "^(data|stringData)$";

/**
 * The `.sops.yaml` of one environment's secrets folder: its creation rule names the environment's
 * KMS key, so `sops encrypt` there needs no `--kms`. It sits in the folder (`secrets/<env>/`), not
 * at the repository root, so two environments never commit different rules to one path. sops
 * looks for it from the working directory upward (getsops/sops config.LookupConfigFile), hence
 * "run sops inside the folder or pass --config". Flux's source-controller leaves every
 * `.sops.yaml` out of the artifact it builds from Git (fluxcd/pkg sourceignore ExcludeExtra), so
 * the secrets Kustomization never sees it.
 */
export function sopsConfigFile(folder: string, keyArn: string): RenderedFile {
  // A relative folder of the GitOps repository, and a KMS ARN (or a reference to one) inside single quotes.
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(folder) || folder.split("/").includes("..")) {
    throw new Error(`sopsConfigFile: folder "${folder}" must be a relative path in the repository, without ..`);
  }
  if (!Token.isUnresolved(keyArn) && !/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/.test(keyArn)) {
    throw new Error(`sopsConfigFile: "${keyArn}" must be a KMS key or alias ARN`);
  }
  const content = [
    `# SOPS creation rules for ${folder}/ (README "Add a secret"), written by Terraform. Run sops inside`,
    "# this folder, or pass --config with this file's path: sops looks for it from the working directory up.",
    "creation_rules:",
    "  - path_regex: '\\.ya?ml$'",
    `    encrypted_regex: '${SOPS_ENCRYPTED_REGEX}'`,
    `    kms: '${keyArn}'`,
    "",
  ].join("\n");
  return { source: "generated/sops-config", target: `${folder}/.sops.yaml`, content, fluxOwned: false };
}
