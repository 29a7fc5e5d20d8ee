import { TerraformStack, Testing } from "cdktf";
import { WebhookDns, WebhookDnsProps } from "../../../constructs/bootstrap/webhook-dns";
import { findProviderSource, planOffline, terraformVersion } from "../../../scripts/offline-plan";
import { awsProvider } from "../../../stacks/aws-provider";
import { pinTerraform } from "../../../stacks/terraform-settings";
import { environment, Json, resources } from "../../helpers";

const PROPS: WebhookDnsProps = {
  zoneId: "Z0123456789ABCDEFGHIJ",
  hostname: "flux-hook.example.com",
  loadBalancerHostname: "k8s-fluxsyst-fluxwebh-0123456789-0123456789abcdef.elb.us-west-2.amazonaws.com",
};
const build = (props: WebhookDnsProps) => {
  const stack = new TerraformStack(Testing.app(), "test");
  const dns = new WebhookDns(stack, "webhook-dns", props);
  return { dns, json: JSON.parse(Testing.synth(stack)) as Json };
};

describe("WebhookDns", () => {
  test("minimal: one CNAME in the zone, from the hostname to the load balancer, never taking over a record", () => {
    const { json } = build(PROPS);
    const records = resources(json, "aws_route53_record");
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual(
      expect.objectContaining({
        zone_id: PROPS.zoneId,
        name: PROPS.hostname,
        type: "CNAME",
        records: [PROPS.loadBalancerHostname],
        allow_overwrite: false,
      }),
    );
  });

  test("defaults: a 60-second TTL, so a replaced load balancer is found within a minute; changeable", () => {
    const { dns, json } = build(PROPS);
    expect(dns.ttl).toBe(60);
    expect(resources(json, "aws_route53_record")[0].ttl).toBe(60);
    expect(resources(build({ ...PROPS, ttl: 300 }).json, "aws_route53_record")[0].ttl).toBe(300);
  });

  test.each<[string, Partial<WebhookDnsProps>, RegExp]>([
    ["a negative TTL", { ttl: -1 }, /webhook-dns: ttl must be 0-2147483647 seconds \(got -1\)/],
    ["a fractional TTL", { ttl: 1.5 }, /ttl must be 0-2147483647 seconds/],
    ["a hostname in capitals", { hostname: "Flux-Hook.example.com" }, /hostname must be a lowercase DNS name/],
    ["a hostname without a domain", { hostname: "flux-hook" }, /hostname must be a lowercase DNS name/],
    ["a zone id that is not one", { zoneId: "example.com" }, /zoneId must be a Route 53 hosted zone id/],
  ])("invalid props: %s is refused", (_name, patch, says) => {
    expect(() => build({ ...PROPS, ...patch })).toThrow(says);
  });

  // The real Terraform and aws provider (a mirror, else the registry) validate and plan the record.
  const tf = terraformVersion();
  const source = tf.reason ? {} : findProviderSource();
  const reason = tf.reason ?? source.reason;
  (reason ? test.skip : test)(
    reason
      ? `planned by the real aws provider (skipped: ${reason})`
      : "planned by the real aws provider: one record to create",
    async () => {
      const stack = new TerraformStack(Testing.app(), "test");
      awsProvider(stack, environment("prod"));
      new WebhookDns(stack, "webhook-dns", PROPS);
      pinTerraform(stack);
      const plan = await planOffline(JSON.parse(Testing.synth(stack)), source);
      expect(plan.resources.map((r) => [r.type, r.actions])).toEqual([["aws_route53_record", ["create"]]]);
      expect(Object.values(plan.plannedValues)[0]).toMatchObject({ name: PROPS.hostname, type: "CNAME", ttl: 60 });
    },
    120_000,
  );
});
