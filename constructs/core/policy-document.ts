import { Fn } from "cdktf";

/** One statement of an IAM or KMS policy, in AWS's own key names. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Record<string, string | string[]>;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * A policy document as a Terraform `jsonencode(...)` expression, not a JSON string built at
 * synth: values that are Terraform references (a key ARN, the partition) stay expressions, so
 * the document is the same in `cdktf synth` JSON and in `cdktf synth --hcl`, where a
 * `JSON.stringify`-ed string with `${...}` inside does not even parse.
 * https://developer.hashicorp.com/terraform/language/functions/jsonencode
 */
export function policyDocument(statements: PolicyStatement[]): string {
  return Fn.jsonencode({ Version: "2012-10-17", Statement: statements });
}

/** The trust policy of a role assumed by an AWS service (`eks.amazonaws.com`, `pods.eks.amazonaws.com`, ...). */
export function serviceTrustPolicy(service: string, actions: string[] = ["sts:AssumeRole"]): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: actions }]);
}
