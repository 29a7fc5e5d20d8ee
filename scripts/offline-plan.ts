import { execFile, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import * as path from "path";

/**
 * Runs the real Terraform against a synthesized stack with no AWS account and no network:
 * the aws provider comes from a filesystem mirror, gets dummy credentials and skips every
 * check that would call AWS, and state goes to a throwaway local backend. All of it happens in
 * a temporary copy; the synthesized output is never touched.
 */

/** Where a Terraform filesystem mirror may hold `registry.terraform.io/hashicorp/aws`. */
const MIRROR_VARIABLE = "TF_PROVIDER_MIRROR";
const PROVIDER_DIR = path.join("registry.terraform.io", "hashicorp", "aws");

/** A mirror holding the aws provider, or undefined with the reason it was not found. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): { dir?: string; reason?: string } {
  const fromEnv = env[MIRROR_VARIABLE];
  if (fromEnv) {
    return existsSync(path.join(fromEnv, PROVIDER_DIR))
      ? { dir: fromEnv }
      : { reason: `${MIRROR_VARIABLE}=${fromEnv} holds no ${PROVIDER_DIR}` };
  }
  const cliConfig = env.TF_CLI_CONFIG_FILE;
  const configured =
    cliConfig && existsSync(cliConfig) ? /path\s*=\s*"([^"]+)"/.exec(readFileSync(cliConfig, "utf8"))?.[1] : undefined;
  // Terraform's own implied mirror locations, then a shallow search of the machine.
  const candidates = [
    configured,
    path.join(homedir(), ".terraform.d", "plugins"),
    path.join(homedir(), ".local", "share", "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ].filter((c): c is string => Boolean(c));
  const known = candidates.find((c) => existsSync(path.join(c, PROVIDER_DIR)));
  if (known) return { dir: known };
  const found = spawnSync(
    "find",
    [
      "/",
      "-maxdepth",
      "6",
      "(",
      "-path",
      "/proc",
      "-o",
      "-path",
      "/sys",
      "-o",
      "-name",
      "node_modules",
      ")",
      "-prune",
      "-o",
      "-type",
      "d",
      "-path",
      `*/${PROVIDER_DIR}`,
      "-print",
      "-quit",
    ],
    { encoding: "utf8", timeout: 20_000 },
  ).stdout?.trim();
  if (found) return { dir: path.dirname(path.dirname(path.dirname(found))) };
  return { reason: `no Terraform mirror of hashicorp/aws found; set ${MIRROR_VARIABLE} to one` };
}

/** Where the aws provider comes from: a mirror folder, or the public registry when no mirror exists. */
export interface ProviderSource {
  readonly mirrorDir?: string;
  readonly reason?: string;
}

/** A mirror if there is one, else the Terraform registry if it answers, else the reason neither works. */
export function findProviderSource(env: NodeJS.ProcessEnv = process.env): ProviderSource {
  const mirror = findProviderMirror(env);
  if (mirror.dir) return { mirrorDir: mirror.dir };
  const probe = spawnSync(
    process.execPath,
    [
      "-e",
      "fetch('https://registry.terraform.io/.well-known/terraform.json')" +
        ".then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
    ],
    { timeout: 10_000 },
  );
  return probe.status === 0 ? {} : { reason: `${mirror.reason}, and the Terraform registry is not reachable` };
}

/** Terraform on the PATH, or the reason it is missing. */
export function terraformVersion(): { version?: string; reason?: string } {
  const result = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return { reason: "terraform is not on the PATH" };
  return { version: JSON.parse(result.stdout).terraform_version as string };
}

export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
}

export interface OfflinePlan {
  readonly resources: PlannedResource[];
  /** Resource count per type, for a summary. */
  readonly countsByType: Record<string, number>;
  /** `terraform validate -json` diagnostics (warnings only when the plan ran). */
  readonly validateWarnings: string[];
  /** Each managed resource's planned values (known at plan time), by address. */
  readonly plannedValues: Record<string, unknown>;
}

/**
 * Validates and plans a synthesized stack (the parsed `cdk.tf.json`) with no AWS account, the
 * aws provider taken from `source` (a mirror, or the registry). Throws with Terraform's own
 * output when init, validate or plan fails.
 */
export function planOffline(stackJson: Record<string, unknown>, source: ProviderSource): Promise<OfflinePlan> {
  return planConfiguration({ "cdk.tf.json": JSON.stringify(stackJson, null, 2) }, source);
}

/**
 * The same for any Terraform configuration given as files (`cdk.tf.json`, or the `cdk.tf` of
 * `cdktf synth --hcl`): an override file swaps in the throwaway backend and the credential-free
 * provider settings, which works for JSON and HCL alike. Asynchronous, so two plans can run at
 * once; `validate: false` skips the separate `terraform validate` (plan validates too, but
 * reports less).
 * https://developer.hashicorp.com/terraform/language/files/override
 */
export async function planConfiguration(
  files: Record<string, string>,
  source: ProviderSource,
  options: { validate?: boolean } = {},
): Promise<OfflinePlan> {
  const work = mkdtempSync(path.join(tmpdir(), "offline-plan-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(work, name), text);
    writeFileSync(path.join(work, "offline_override.tf.json"), JSON.stringify(OFFLINE_OVERRIDE, null, 2));
    const cliConfig = path.join(work, "terraformrc");
    writeFileSync(
      cliConfig,
      source.mirrorDir
        ? [
            "provider_installation {",
            "  filesystem_mirror {",
            `    path = ${JSON.stringify(source.mirrorDir)}`,
            '    include = ["registry.terraform.io/hashicorp/aws"]',
            "  }",
            "  direct {",
            '    exclude = ["registry.terraform.io/hashicorp/aws"]',
            "  }",
            "}",
            "",
          ].join("\n")
        : "",
    );
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
    Object.assign(env, {
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
    });
    const tf = (...args: string[]) => run("terraform", args, work, env);

    await tf("init", "-input=false", "-no-color");
    const validation = (
      (options.validate ?? true)
        ? JSON.parse(await tf("validate", "-json", "-no-color"))
        : { valid: true, diagnostics: [] }
    ) as {
      valid: boolean;
      diagnostics: { severity: string; summary: string; detail?: string }[];
    };
    if (!validation.valid) {
      const problems = validation.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ""}`);
      throw new Error(`terraform validate failed:\n${problems.join("\n")}`);
    }
    await tf("plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.tfplan");
    const plan = JSON.parse(await tf("show", "-json", "plan.tfplan")) as {
      resource_changes?: { address: string; type: string; mode: string; change: { actions: string[] } }[];
      planned_values?: { root_module?: { resources?: { address: string; mode: string; values: unknown }[] } };
    };
    const resources = (plan.resource_changes ?? [])
      .filter((r) => r.mode === "managed")
      .map((r) => ({ address: r.address, type: r.type, actions: r.change.actions }));
    const countsByType: Record<string, number> = {};
    for (const r of resources) countsByType[r.type] = (countsByType[r.type] ?? 0) + 1;
    const plannedValues: Record<string, unknown> = {};
    for (const r of plan.planned_values?.root_module?.resources ?? []) {
      if (r.mode === "managed") plannedValues[r.address] = r.values;
    }
    return {
      resources,
      countsByType,
      validateWarnings: validation.diagnostics.filter((d) => d.severity === "warning").map((d) => d.summary),
      plannedValues,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A throwaway local backend and a credential-free, plan-only default aws provider. */
const OFFLINE_OVERRIDE = {
  terraform: { backend: { local: { path: "terraform.tfstate" } } },
  provider: {
    aws: {
      access_key: "offline-plan",
      secret_key: "offline-plan",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    },
  },
};

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args[0]} failed:\n${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}
