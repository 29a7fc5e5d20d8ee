import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { HOSTED_ZONE_ID, PUBLIC_HOSTNAME } from "../../config/rules";

export interface WebhookDnsProps {
  /** Route 53 hosted zone that holds `hostname`. */
  readonly zoneId: string;
  /** The name GitLab's hook calls (the webhook's TLS certificate is for it). */
  readonly hostname: string;
  /** DNS name of the webhook's load balancer, as the Service reports it once provisioned. */
  readonly loadBalancerHostname: string;
  /** Seconds resolvers may cache the record: short, so a replaced load balancer is found soon. @default 60 */
  readonly ttl?: number;
}

/**
 * The webhook hostname's record in the environment's Route 53 zone: a CNAME to the load balancer
 * in front of Flux's Receiver, so the GitLab hook calls a name that resolves from its first run
 * (GitLab disables a hook that keeps failing). A CNAME, not an alias record: the Service reports
 * the load balancer's name, not its hosted zone.
 * https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/route53_record
 */
export class WebhookDns extends Construct {
  public readonly record: Route53Record;
  public readonly ttl: number;

  constructor(scope: Construct, id: string, props: WebhookDnsProps) {
    super(scope, id);
    this.ttl = props.ttl ?? 60;
    if (!Number.isInteger(this.ttl) || this.ttl < 0 || this.ttl > 2147483647)
      throw new Error(`${this.node.path}: ttl must be 0-2147483647 seconds (got ${this.ttl})`);
    if (!Token.isUnresolved(props.hostname) && !PUBLIC_HOSTNAME.test(props.hostname))
      throw new Error(`${this.node.path}: hostname must be a lowercase DNS name (got ${props.hostname})`);
    if (!Token.isUnresolved(props.zoneId) && !HOSTED_ZONE_ID.test(props.zoneId))
      throw new Error(`${this.node.path}: zoneId must be a Route 53 hosted zone id (got ${props.zoneId})`);

    this.record = new Route53Record(this, "record", {
      zoneId: props.zoneId,
      name: props.hostname,
      type: "CNAME",
      ttl: this.ttl,
      records: [props.loadBalancerHostname],
      // A record someone made by hand stays theirs: the apply fails instead of taking it over.
      allowOverwrite: false,
    });
  }
}
