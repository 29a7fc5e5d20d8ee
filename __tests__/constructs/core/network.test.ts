import { Network, NetworkProps } from "../../../constructs/core/network";
import { only, resources, synthConstruct } from "./fixture";

const PROPS: NetworkProps = {
  name: "test",
  vpcCidr: "10.9.0.0/16",
  availabilityZones: ["eu-west-1a", "eu-west-1b"],
  privateSubnets: ["10.9.1.0/24", "10.9.2.0/24"],
  publicSubnets: ["10.9.101.0/24", "10.9.102.0/24"],
  flowLogs: {
    logGroupName: "/aws/vpc/test/flow-logs",
    retentionDays: 30,
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/logs",
  },
};

describe("Network", () => {
  test("minimal: a VPC, a subnet pair per zone, the default security group stripped", () => {
    const json = synthConstruct((s) => new Network(s, "network", PROPS));
    expect(only(json, "aws_vpc")).toMatchObject({ cidr_block: "10.9.0.0/16", enable_dns_hostnames: true });
    expect(
      resources(json, "aws_subnet")
        .map((s) => s.cidr_block)
        .sort(),
    ).toEqual([...PROPS.privateSubnets, ...PROPS.publicSubnets].sort());
    expect(only(json, "aws_default_security_group")).toMatchObject({ ingress: [], egress: [] });
  });

  test("defaults: one NAT gateway for all private subnets", () => {
    const json = synthConstruct((s) => new Network(s, "network", PROPS));
    expect(resources(json, "aws_nat_gateway")).toHaveLength(1);
    expect(resources(json, "aws_route_table")).toHaveLength(1 + PROPS.availabilityZones.length);
  });

  test("extra private subnet tags (Karpenter's discovery tag) go on the private subnets only", () => {
    const json = synthConstruct(
      (s) => new Network(s, "network", { ...PROPS, privateSubnetTags: { "karpenter.sh/discovery": "test" } }),
    );
    const tagged = resources(json, "aws_subnet").filter((subnet) => subnet.tags["karpenter.sh/discovery"] === "test");
    expect(tagged).toHaveLength(PROPS.availabilityZones.length);
    for (const subnet of tagged) expect(subnet.tags["kubernetes.io/role/internal-elb"]).toBe("1");
    const plain = synthConstruct((s) => new Network(s, "network", PROPS));
    expect(resources(plain, "aws_subnet").filter((subnet) => subnet.tags["karpenter.sh/discovery"])).toHaveLength(0);
  });

  test("one-per-az: a NAT gateway and elastic IP per zone", () => {
    const json = synthConstruct((s) => new Network(s, "network", { ...PROPS, natGateways: "one-per-az" }));
    expect(resources(json, "aws_nat_gateway")).toHaveLength(2);
    expect(resources(json, "aws_eip").every((e) => e.domain === "vpc")).toBe(true);
  });

  test.each<[string, Partial<NetworkProps>, RegExp]>([
    [
      "one zone",
      { availabilityZones: ["eu-west-1a"], privateSubnets: ["10.9.1.0/24"], publicSubnets: ["10.9.101.0/24"] },
      /at least 2 availability zones/,
    ],
    [
      "a private subnet missing",
      { privateSubnets: ["10.9.1.0/24"] },
      /privateSubnets needs one CIDR per availability zone \(2\), got 1/,
    ],
    [
      "a public subnet too many",
      { publicSubnets: ["a", "b", "c"] },
      /publicSubnets needs one CIDR per availability zone/,
    ],
  ])("invalid: %s", (_name, patch, message) => {
    expect(() => synthConstruct((s) => new Network(s, "network", { ...PROPS, ...patch }))).toThrow(message);
  });
});

describe("Network flow logs", () => {
  test("all VPC flows to an encrypted log group with retention, by a role only this account's flow logs assume", () => {
    const json = synthConstruct((s) => new Network(s, "network", PROPS));
    expect(only(json, "aws_flow_log")).toMatchObject({
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      max_aggregation_interval: 60,
    });
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/vpc/test/flow-logs",
      retention_in_days: 30,
      kms_key_id: PROPS.flowLogs.kmsKeyArn,
    });
    const trust = only(json, "aws_iam_role").assume_role_policy as string;
    expect(trust).toContain('"Service" = "vpc-flow-logs.amazonaws.com"');
    expect(trust).toMatch(/"aws:SourceAccount" = element\(split\(":", aws_vpc\./);
    expect(only(json, "aws_iam_role_policy").policy).toMatch(/aws_cloudwatch_log_group\.[^.]+\.arn\}:\*/);
  });
});
