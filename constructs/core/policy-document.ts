import { Fn, Token } from "cdktf";

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
 * A policy document. One that holds Terraform references (a key ARN, the partition) becomes a
 * `jsonencode(...)` expression: a `JSON.stringify`-ed string with `${...}` inside works in JSON
 * but does not even parse in `cdktf synth --hcl`. A literal document stays a plain JSON string,
 * which reads the same in plans, tests and both syntheses.
 * https://developer.hashicorp.com/terraform/language/functions/jsonencode
 */
export function policyDocument(statements: PolicyStatement[]): string {
  const document = { Version: "2012-10-17", Statement: statements };
  const text = JSON.stringify(document);
  return Token.isUnresolved(text) ? Fn.jsonencode(document) : text;
}

/** The trust policy of a role assumed by an AWS service (`eks.amazonaws.com`, `pods.eks.amazonaws.com`, ...). */
export function serviceTrustPolicy(service: string, actions: string | string[] = "sts:AssumeRole"): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: actions }]);
}
