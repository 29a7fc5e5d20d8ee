import { Fn, TerraformOutput } from "cdktf";
import { policyDocument, serviceTrustPolicy } from "../../../constructs/core/policy-document";
import { synthConstruct } from "./fixture";

describe("policyDocument", () => {
  test("minimal: a literal document stays a plain JSON string", () => {
    expect(JSON.parse(policyDocument([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
  });

  test("defaults: a service trust policy allows sts:AssumeRole only", () => {
    expect(JSON.parse(serviceTrustPolicy("ec2.amazonaws.com")).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  test("a document holding a Terraform reference becomes a jsonencode expression, never a string around ${...}", () => {
    const json = synthConstruct((s) => {
      const arn = Fn.element(Fn.split(":", "a:b"), 1);
      new TerraformOutput(s, "policy", {
        value: policyDocument([{ Effect: "Allow", Action: "kms:Decrypt", Resource: arn }]),
      });
    });
    const value: string = json.output.policy.value;
    expect(value).toMatch(/^\$\{jsonencode\(\{"Version" = "2012-10-17", "Statement" = \[\{/);
    expect(value).toContain('"Resource" = element(split(":", "a:b"), 1)}]})}');
  });
});
