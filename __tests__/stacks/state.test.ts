import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { CoreStack } from "../../stacks/core-stack";
import { environment, ENVIRONMENTS, Json, synth } from "../helpers";

const backendOf = (patch: Json, name = "dev") =>
  JSON.parse(synth((app) => new CoreStack(app, "core", environment(name, patch)))).terraform.backend;

describe("state backends", () => {
  test("local: a project-relative file per environment and stack, outside cdktf.out", () => {
    const { local } = backendOf({ backend: { type: "local" } });
    expect(local.path).toBe("../../../state/dev/core.tfstate");
    // Terraform runs in cdktf.out/stacks/core: three levels up is the project root.
    expect(local.path.startsWith("/")).toBe(false);
  });

  test("s3: encrypted, native lock file, key per environment and stack", () => {
    const { s3 } = backendOf({ backend: { type: "s3", bucket: "team-tfstate" } });
    expect(s3).toEqual({
      bucket: "team-tfstate",
      key: "gitops-bootstrapper/dev/core.tfstate",
      region: "us-west-2",
      encrypt: true,
      use_lockfile: true,
    });
    const withKms = backendOf({
      backend: {
        type: "s3",
        bucket: "b-1",
        region: "eu-west-1",
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc-123",
      },
    }).s3;
    expect(withKms).toMatchObject({
      region: "eu-west-1",
      kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/abc-123",
    });
  });

  test("gitlab: GitLab-managed state with locking, no credentials in the JSON", () => {
    const { http } = backendOf({ backend: { type: "gitlab", project: "platform/infra", readersMaySeeSecrets: true } });
    expect(
      backendOf({ backend: { type: "gitlab", project: 42, readersMaySeeSecrets: true } }, "prod").http.address,
    ).toMatch(/\/projects\/42\/terraform\/state\/prod-core$/);
    const address = "https://gitlab.com/api/v4/projects/platform%2Finfra/terraform/state/dev-core";
    expect(http).toEqual({
      address,
      lock_address: `${address}/lock`,
      unlock_address: `${address}/lock`,
      lock_method: "POST",
      unlock_method: "DELETE",
      retry_wait_min: 5,
    });
  });

  test("every committed environment keeps each stack's state in its own place", () => {
    const places = ENVIRONMENTS.flatMap((name) =>
      [CoreStack, BootstrapStack].map((Stack) =>
        JSON.stringify(JSON.parse(synth((app) => new Stack(app, "s", environment(name)))).terraform.backend),
      ),
    );
    expect(places).toHaveLength(2 * ENVIRONMENTS.length);
    expect(new Set(places).size).toBe(places.length);
  });
});
