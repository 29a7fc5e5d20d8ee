import { Construct } from "constructs";
import { ADDON_ACCOUNTS } from "../../flux/api";
import { policyDocument } from "../policy-document";
import { PodIdentityRole } from "../pod-identity-role";

export interface ExternalDnsProps {
  /** The EKS cluster resource's name. */
  readonly clusterName: string;
  /** The cluster's ARN, for the trust policy's account. */
  readonly clusterArn: string;
  /** AWS partition (a reference to aws_partition). */
  readonly partition: string;
  /** The IAM role's name. */
  readonly roleName: string;
  /** Route 53 hosted zone ids external-dns may write (at least one). */
  readonly zoneIds: string[];
}

/**
 * external-dns's identity: a Pod Identity role for external-dns/external-dns that may change
 * records in the configured hosted zones only.
 */
export class ExternalDns extends Construct {
  public readonly identity: PodIdentityRole;

  constructor(scope: Construct, id: string, props: ExternalDnsProps) {
    super(scope, id);
    if (props.zoneIds.length === 0) throw new Error("ExternalDns: zoneIds needs at least one hosted zone");
    this.identity = new PodIdentityRole(this, "identity", {
      roleName: props.roleName,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      ...ADDON_ACCOUNTS.externalDns,
      inlinePolicy: externalDnsPolicy(props.zoneIds, props.partition),
    });
  }
}

/**
 * external-dns's AWS tutorial policy with `hostedzone/*` narrowed to the listed zones: record
 * reads and writes there only. ListHostedZones has no resource-level permission, so it stays on
 * `*` (it reveals zone names, no records).
 * https://github.com/kubernetes-sigs/external-dns/blob/v0.22.0/docs/tutorials/aws.md#iam-policy
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html
 */
export function externalDnsPolicy(zoneIds: string[], partition: string): string {
  return policyDocument([
    {
      Sid: "RecordsOfTheConfiguredZones",
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
      Resource: zoneIds.map((id) => `arn:${partition}:route53:::hostedzone/${id}`),
    },
    { Sid: "FindTheZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
  ]);
}
