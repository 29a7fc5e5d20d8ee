import { Token } from "cdktf";
import { parse } from "yaml";
import { SOPS_ENCRYPTED_REGEX, sopsConfigFile } from "../../../constructs/bootstrap/sops-config";

const ALIAS = "arn:aws:kms:eu-west-1:123456789012:alias/c1-sops";

describe("sopsConfigFile", () => {
  test("minimal: .sops.yaml in the folder, one rule: YAML files, data, stringData, the environment's KMS key", () => {
    const file = sopsConfigFile("secrets/test", ALIAS);
    expect(file.target).toBe("secrets/test/.sops.yaml");
    expect(file.source).toBe("generated/sops-config");
    expect(parse(file.content)).toEqual({
      creation_rules: [{ path_regex: "\\.ya?ml$", encrypted_regex: "^(data|stringData)$", kms: ALIAS }],
    });
    expect(SOPS_ENCRYPTED_REGEX).toBe("^(data|stringData)$");
  });

  test("defaults: Terraform's file (Flux never rewrites it), commented on how to run sops, ending in a newline", () => {
    const file = sopsConfigFile("secrets/test", ALIAS);
    expect(file.fluxOwned).toBe(false);
    expect(file.content.split("\n")[0]).toBe(
      '# SOPS creation rules for secrets/test/ (README "Add a secret"), written by Terraform. Run sops inside',
    );
    expect(file.content.endsWith("\n")).toBe(true);
  });

  test("a key ARN, or a reference to one resolved at apply, is taken as it is", () => {
    const keyArn = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    expect(parse(sopsConfigFile("secrets/test", keyArn).content).creation_rules[0].kms).toBe(keyArn);
    const reference = Token.asString({ Ref: "core.sops_key_arn" });
    expect(sopsConfigFile("secrets/test", reference).content).toContain(`kms: '${reference}'`);
  });

  test.each([
    ["an empty folder", "", ALIAS, /folder "" must be a relative path/],
    ["an absolute folder", "/secrets/test", ALIAS, /must be a relative path/],
    ["a folder with ..", "secrets/../other", ALIAS, /without \.\./],
    ["a trailing slash", "secrets/test/", ALIAS, /must be a relative path/],
    ["an empty key", "secrets/test", "", /"" must be a KMS key or alias ARN/],
    ["another service's ARN", "secrets/test", "arn:aws:s3:::bucket/key", /must be a KMS key or alias ARN/],
    ["a quote that would end the YAML string", "secrets/test", `${ALIAS}'`, /must be a KMS key or alias ARN/],
  ])("refuses %s", (_what, folder, keyArn, error) => {
    expect(() => sopsConfigFile(folder, keyArn)).toThrow(error);
  });
});
