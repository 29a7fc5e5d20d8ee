import { TerraformStack } from "cdktf";
import { readFileSync } from "fs";
import * as path from "path";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CiStack } from "../../stacks/ci-stack";
import { CoreStack } from "../../stacks/core-stack";
import { lockFilePath, qualifiedSource, TERRAFORM } from "../../stacks/terraform-settings";
import { environment, ENVIRONMENTS, synth } from "../helpers";

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

  test.each(STACKS.filter(([id]) => id !== "bootstrap"))(
    "%s's committed lock file locks the aws version the stack requires, with a checksum",
    (id, build) => {
      const lock = readFileSync(lockFilePath(PROJECT, id as "core" | "ci"), "utf8");
      const json = JSON.parse(synth((app) => build(app, environment("dev"))));
      const aws = json.terraform.required_providers.aws;
      const block = new RegExp(
        `provider "${aws.source.replace(/\./g, "\\.")}" \\{\\s*version\\s*=\\s*"${aws.version}"`,
      );
      expect(lock).toMatch(block);
      expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]{44}"/);
    },
  );
});
