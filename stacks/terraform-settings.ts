import { App, TerraformProvider, TerraformStack } from "cdktf";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import type { StackId } from "./state";

/**
 * The Terraform every stack needs: 1.10 or newer, because the S3 backend's native lock file
 * (`use_lockfile`) arrived in 1.10. The pipeline and the offline plan test run `tested`.
 */
export const TERRAFORM = { requiredVersion: ">= 1.10", tested: "1.11.4" } as const;

/** The public registry's host: sources are written in full, as `terraform providers` prints them. */
const REGISTRY = "registry.terraform.io";

/**
 * A provider source in full (`registry.terraform.io/<namespace>/<type>`). The prebuilt bindings
 * write `aws` or `hashicorp/tls`, which Terraform reads as `registry.terraform.io/hashicorp/...`:
 * spelling it out keeps the JSON, the HCL and the lock file saying the same thing.
 * https://developer.hashicorp.com/terraform/language/providers/requirements#source-addresses
 */
export function qualifiedSource(source: string): string {
  const parts = source.split("/");
  if (parts.length === 3) return source;
  if (parts.length === 2) return `${REGISTRY}/${source}`;
  return `${REGISTRY}/hashicorp/${source}`;
}

/**
 * Writes `required_version` and the full source of every provider the stack configures (their
 * versions stay as the bindings pin them: exactly the provider each binding was generated for).
 * Call it last in the stack's constructor, once every provider exists.
 */
export function pinTerraform(stack: TerraformStack): void {
  // cdktf 0.21's HCL renderer writes any other key of the terraform block as `0 = "required_version"`
  // (renderTerraform in cdktf/lib/hcl/render.js passes the key names, not the values), so for
  // `cdktf synth --hcl` the setting goes to its own versions.tf instead (see finishSynth).
  if (!App.of(stack).hclOutput) stack.addOverride("terraform.required_version", TERRAFORM.requiredVersion);
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformProvider) || !node.terraformProviderSource) continue;
    stack.addOverride(
      `terraform.required_providers.${node.terraformResourceType}.source`,
      qualifiedSource(node.terraformProviderSource),
    );
  }
}

/** The one platform a lock made from the offline filesystem mirror holds (`npm run lock -- --mirror`). */
export const MIRROR_PLATFORM = "linux_amd64";

/** This machine as Terraform names platforms: linux_amd64, darwin_arm64, windows_amd64, ... */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
  return `${os}_${cpu}`;
}

/**
 * Whether `terraform init` can install on `platform` with this lock file's checksums. `zh:` hashes
 * come from the registry's SHA256SUMS (`npm run lock` online) and cover every platform; a lock with
 * `h1:` hashes only was made from the mirror and covers MIRROR_PLATFORM alone. Elsewhere Terraform
 * would refuse the provider it downloads, so such a lock is better left out than copied.
 */
export function lockCoversPlatform(lock: string, platform: string): boolean {
  return lock.includes('"zh:') || platform === MIRROR_PLATFORM;
}

/** Where the provider lock file of each stack is committed. */
export function lockFilePath(projectDir: string, stack: StackId): string {
  return path.join(projectDir, "locks", stack, ".terraform.lock.hcl");
}

/**
 * Runs after `app.synth()`. Terraform reads `.terraform.lock.hcl` next to the configuration it
 * runs, which for CDKTF is the generated `cdktf.out/stacks/<id>/`: the committed lock files are
 * copied there after every synth, so `cdktf deploy` (and plain `terraform init`) install exactly
 * the locked versions and verify their checksums; `npm run lock` refreshes the committed files.
 * With `--hcl`, each stack also gets a `versions.tf` holding `required_version`.
 */
export function finishSynth(
  app: App,
  projectDir: string,
  stacks: StackId[],
  platform: string = terraformPlatform(),
): void {
  for (const stack of stacks) {
    const target = path.join(app.outdir, "stacks", stack);
    if (!existsSync(target)) continue;
    const lock = lockFilePath(projectDir, stack);
    if (existsSync(lock)) {
      if (lockCoversPlatform(readFileSync(lock, "utf8"), platform)) {
        copyFileSync(lock, path.join(target, ".terraform.lock.hcl"));
      } else {
        // Terraform then records this platform's checksums at init, as without a lock file.
        process.stderr.write(
          `${path.relative(projectDir, lock)}: checksums for ${MIRROR_PLATFORM} only, not used on ${platform} ` +
            "(run npm run lock with registry access to lock every platform)\n",
        );
      }
    }
    if (app.hclOutput) {
      writeFileSync(
        path.join(target, "versions.tf"),
        `terraform {\n  required_version = "${TERRAFORM.requiredVersion}"\n}\n`,
      );
    }
  }
}
