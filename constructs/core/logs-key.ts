import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { Construct } from "constructs";
import { accountOf, KEY_ADMINISTRATION, policyDocument } from "./policy-document";

export interface LogsKeyProps {
  /** Names the key's alias (`alias/<name>-logs`); the cluster name. */
  readonly name: string;
  /** AWS partition. */
  readonly partition: string;
  /** AWS region of the log groups. */
  readonly region: string;
  /** The CloudWatch log groups that may use the key, by name. */
  readonly logGroupNames: string[];
}

/**
 * One purpose: the KMS key of this cluster's CloudWatch log groups (control plane, VPC flow logs).
 * The account administers it; only CloudWatch Logs uses it, and only for the listed log groups.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export class LogsKey extends Construct {
  public readonly key: KmsKey;
  /** The key policy: log groups must wait for it, or CloudWatch Logs may not use the key yet. */
  public readonly policy: KmsKeyPolicy;

  constructor(scope: Construct, id: string, props: LogsKeyProps) {
    super(scope, id);
    if (props.logGroupNames.length === 0) throw new Error("LogsKey: logGroupNames needs at least one log group");
    this.key = new KmsKey(this, "key", {
      description: `${props.name}: CloudWatch log groups`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "alias", { name: `alias/${props.name}-logs`, targetKeyId: this.key.keyId });
    const account = accountOf(this.key.arn);
    const arn = `arn:${props.partition}`;
    this.policy = new KmsKeyPolicy(this, "policy", {
      keyId: this.key.keyId,
      policy: policyDocument([
        ...KEY_ADMINISTRATION(`${arn}:iam::${account}:root`),
        {
          Sid: "CloudWatchLogsOfThisCluster",
          Effect: "Allow",
          Principal: { Service: `logs.${props.region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: {
            ArnEquals: {
              "kms:EncryptionContext:aws:logs:arn": props.logGroupNames.map(
                (n) => `${arn}:logs:${props.region}:${account}:log-group:${n}`,
              ),
            },
          },
        },
      ]),
    });
  }
}
