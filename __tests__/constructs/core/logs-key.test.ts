import { LogsKey, LogsKeyProps } from "../../../constructs/core/logs-key";
import { only, synthConstruct } from "./fixture";

const PROPS: LogsKeyProps = {
  name: "test",
  partition: "aws",
  region: "eu-west-1",
  logGroupNames: ["/aws/eks/test/cluster", "/aws/vpc/test/flow-logs"],
};

describe("LogsKey", () => {
  test("minimal: a rotating key with an alias of its own purpose", () => {
    const json = synthConstruct((s) => new LogsKey(s, "logs", PROPS));
    expect(only(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(only(json, "aws_kms_alias").name).toBe("alias/test-logs");
  });

  test("defaults: the account administers but can't use it; CloudWatch Logs uses it for listed log groups only", () => {
    const policy = only(
      synthConstruct((s) => new LogsKey(s, "logs", PROPS)),
      "aws_kms_key_policy",
    ).policy as string;
    // The account id comes from the key's ARN, so the document is a jsonencode expression.
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    expect(policy).toContain('"Sid" = "AccountAdministersNotUses"');
    expect(policy).not.toMatch(/"kms:\*"/);
    const admin = /"Sid" = "AccountAdministersNotUses".*?"Resource"/s.exec(policy)![0];
    expect(admin).not.toMatch(/kms:(Encrypt|Decrypt|GenerateDataKey|ReEncrypt|CreateGrant)/);
    expect(policy).toMatch(/"kms:GrantIsForAWSResource" = "true"/);
    expect(policy).toContain('"Service" = "logs.eu-west-1.amazonaws.com"');
    for (const name of PROPS.logGroupNames) expect(policy).toContain(`:log-group:${name}`);
  });

  test("invalid: a key for no log group", () => {
    expect(() => synthConstruct((s) => new LogsKey(s, "logs", { ...PROPS, logGroupNames: [] }))).toThrow(
      /logGroupNames needs at least one/,
    );
  });
});
