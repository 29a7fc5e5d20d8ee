import { App, TerraformStack } from "cdktf";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CiStack } from "../../stacks/ci-stack";
import { CoreStack } from "../../stacks/core-stack";
import type { StackId } from "../../stacks/state";
import {
  finishSynth,
  lockFilePath,
  qualifiedSource,
  TERRAFORM,
  terraformPlatform,
} from "../../stacks/terraform-settings";
import { environment, ENVIRONMENTS, Json, synth } from "../helpers";

const PROJECT = path.join(__dirname, "..", "..");
const STACKS: [string, (app: any, env: ReturnType<typeof environment>) => TerraformStack][] = [
  ["core", (app, env) => new CoreStack(app, "core", env)],
  ["bootstrap", (app, env) => new BootstrapStack(app, "bootstrap", env)],
  ["ci", (app, env) => new CiStack(app, "ci", env)],
];
/** The ci stack exists where the environment configures delivery (main.ts). */
const deployed = (envName: string, id: string) => id !== "ci" || Boolean(environment(envName).delivery);

describe("Terraform settings of every stack", () => {
  test.each(
    ENVIRONMENTS.flatMap((env) =>
      STACKS.filter(([id]) => deployed(env, id)).map(([id, build]) => [env, id, build] as const),
    ),
  )(
    "%s/%s: requires Terraform >= 1.10, fully qualified provider sources pinned to exact versions",
    (envName, _id, build) => {
      const json = JSON.parse(synth((app) => build(app, environment(envName))));
      expect(json.terraform.required_version).toBe(TERRAFORM.requiredVersion);
      const providers = Object.entries(json.terraform.required_providers) as [
        string,
        { source: string; version: string },
      ][];
      expect(providers.length).toBeGreaterThan(0);
      for (const [name, { source, version }] of providers) {
        expect({ name, source }).toEqual({
          name,
          source: expect.stringMatching(new RegExp(`^registry\\.terraform\\.io/[a-z0-9-]+/${name}$`)),
        });
        expect({ name, version }).toEqual({ name, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      }
    },
  );

  test.each([
    ["aws", "registry.terraform.io/hashicorp/aws"],
    ["hashicorp/tls", "registry.terraform.io/hashicorp/tls"],
    ["gitlabhq/gitlab", "registry.terraform.io/gitlabhq/gitlab"],
    ["registry.terraform.io/fluxcd/flux", "registry.terraform.io/fluxcd/flux"],
  ])("qualifiedSource(%s) is %s", (source, qualified) => {
    expect(qualifiedSource(source)).toBe(qualified);
  });

  // One lock file serves every environment (scripts/lock-providers.ts locks the union), so where a
  // stack's lock file is committed it holds every provider the stack requires in any environment.
  test.each(
    ENVIRONMENTS.flatMap((env) =>
      STACKS.filter(([id]) => deployed(env, id)).map(([id, build]) => [env, id, build] as const),
    ),
  )("%s/%s: a committed lock file locks every provider the stack requires, at its version", (envName, id, build) => {
    const file = lockFilePath(PROJECT, id as StackId);
    if (!existsSync(file)) return;
    const lock = readFileSync(file, "utf8");
    const json = JSON.parse(synth((app) => build(app, environment(envName))));
    for (const { source, version } of Object.values(json.terraform.required_providers) as Json[]) {
      const block = new RegExp(`provider "${source.replace(/\./g, "\\.")}" \\{\\s*version\\s*=\\s*"${version}"`);
      expect({ source, lock }).toEqual({ source, lock: expect.stringMatching(block) });
    }
  });

  test("bootstrap's aws provider (the webhook's DNS record) is core's: same source and version", () => {
    const bootstrap = JSON.parse(synth((app) => new BootstrapStack(app, "bootstrap", environment("prod"))));
    const core = JSON.parse(synth((app) => new CoreStack(app, "core", environment("prod"))));
    expect(bootstrap.terraform.required_providers.aws).toEqual(core.terraform.required_providers.aws);
  });

  test.each(["core", "ci"] as const)("%s's lock file is committed, with a checksum", (id) => {
    expect(readFileSync(lockFilePath(PROJECT, id), "utf8")).toMatch(/"h1:[A-Za-z0-9+/=]{44}"/);
  });

  describe("lock files reach Terraform only where their checksums cover the machine", () => {
    const H1_ONLY = 'provider "registry.terraform.io/hashicorp/aws" {\n  hashes = ["h1:abc="]\n}\n';
    const WITH_ZH = 'provider "registry.terraform.io/hashicorp/aws" {\n  hashes = ["h1:abc=", "zh:0123"]\n}\n';
    const finish = (lock: string, platform: string) => {
      const project = mkdtempSync(path.join(tmpdir(), "lock-copy-"));
      try {
        mkdirSync(path.join(project, "locks", "core"), { recursive: true });
        writeFileSync(lockFilePath(project, "core"), lock);
        const app = new App({ outdir: path.join(project, "out") });
        mkdirSync(path.join(project, "out", "stacks", "core"), { recursive: true });
        const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
        finishSynth(app, project, ["core"], platform);
        const said = stderr.mock.calls.map((c) => String(c[0])).join("");
        stderr.mockRestore();
        return { copied: existsSync(path.join(project, "out", "stacks", "core", ".terraform.lock.hcl")), said };
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    };

    test.each([
      ["linux_amd64", "h1: only (the mirror's)", true, H1_ONLY],
      ["darwin_arm64", "h1: only (the mirror's)", false, H1_ONLY],
      ["windows_amd64", "h1: only (the mirror's)", false, H1_ONLY],
      ["darwin_arm64", "zh: (the registry's)", true, WITH_ZH],
      ["linux_arm64", "zh: (the registry's)", true, WITH_ZH],
    ])("on %s, a lock with %s: copied: %s", (platform, _label, copied, lock) => {
      const result = finish(lock, platform);
      expect(result.copied).toBe(copied);
      if (copied) expect(result.said).toBe("");
      else expect(result.said).toMatch(/^locks\/core\/\.terraform\.lock\.hcl: checksums for linux_amd64 only/);
    });

    test("Terraform's names for this machine's platform", () => {
      expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
      expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
      expect(terraformPlatform("win32", "x64")).toBe("windows_amd64");
    });
  });
});
