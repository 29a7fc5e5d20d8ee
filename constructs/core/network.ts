import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { accountOf, policyDocument } from "./policy-document";

export interface NetworkProps {
  /** Name prefix of every resource's Name tag; the EKS cluster name. */
  readonly name: string;
  /** The VPC's IPv4 block. */
  readonly vpcCidr: string;
  /** Availability zones; subnet lists follow their order. */
  readonly availabilityZones: string[];
  /** One private subnet CIDR per zone. */
  readonly privateSubnets: string[];
  /** One public subnet CIDR per zone. */
  readonly publicSubnets: string[];
  /**
   * `single` puts one NAT gateway in the first zone; `one-per-az` gives each zone its own.
   * @default "single"
   */
  readonly natGateways?: "single" | "one-per-az";
  /** VPC flow logs: where they go (a log group encrypted with the logs key) and how long they stay. */
  readonly flowLogs: {
    readonly logGroupName: string;
    readonly retentionDays: number;
    readonly kmsKeyArn: string;
    /** What the log group waits for: the key's policy. */
    readonly ready?: ITerraformDependable;
  };
  /** Extra tags on the private subnets (Karpenter's discovery tag). @default {} */
  readonly privateSubnetTags?: Record<string, string>;
}

/**
 * A VPC for EKS: public subnets (NAT gateways, internet-facing load balancers) and private
 * subnets (nodes, internal load balancers) in each zone, tagged with the roles the AWS load
 * balancer integrations look for:
 * https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html
 */
export class Network extends Construct {
  public readonly vpc: Vpc;
  public readonly privateSubnetIds: string[];
  public readonly publicSubnetIds: string[];
  public readonly natGatewayCount: number;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const zones = props.availabilityZones;
    if (zones.length < 2)
      throw new Error(`Network: EKS needs subnets in at least 2 availability zones (got ${zones.length})`);
    for (const key of ["privateSubnets", "publicSubnets"] as const) {
      if (props[key].length !== zones.length) {
        throw new Error(
          `Network: ${key} needs one CIDR per availability zone (${zones.length}), got ${props[key].length}`,
        );
      }
    }
    this.natGatewayCount = (props.natGateways ?? "single") === "single" ? 1 : zones.length;
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tag("vpc"),
    });

    // Every flow of the VPC, accepted and rejected, to an encrypted log group: what an incident
    // review needs (EKS Best Practices, "Network security"). The delivery role is trusted by the
    // flow logs service for this account only, and writes to this log group only.
    const flowLogGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: props.flowLogs.logGroupName,
      retentionInDays: props.flowLogs.retentionDays,
      kmsKeyId: props.flowLogs.kmsKeyArn,
      dependsOn: props.flowLogs.ready && [props.flowLogs.ready],
    });
    const flowLogRole = new IamRole(this, "flow-log-role", {
      name: `${props.name}-vpc-flow-logs`,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": accountOf(this.vpc.arn) } },
        },
      ]),
    });
    new IamRolePolicy(this, "flow-log-delivery", {
      role: flowLogRole.id,
      name: "deliver-flow-logs",
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: `${flowLogGroup.arn}:*`,
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogGroup.arn,
      iamRoleArn: flowLogRole.arn,
      maxAggregationInterval: 60,
      tags: tag("flow-log"),
    });
    // Strip the default security group of its allow-all rules so nothing lands in it by accident.
    const defaultGroup = new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: tag("default-deny"),
    });
    // An empty rule list is what removes the rules (an absent one leaves them as they are), and
    // cdktf's HCL renderer drops empty lists of blocks: written as raw attributes, `ingress = []`
    // and `egress = []` reach both the JSON and `cdktf synth --hcl`.
    // https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/default_security_group
    defaultGroup.addOverride("ingress", []);
    defaultGroup.addOverride("egress", []);
    const igw = new InternetGateway(this, "internet-gateway", { vpcId: this.vpc.id, tags: tag("igw") });

    const publicSubnets = zones.map(
      (az, i) =>
        new Subnet(this, `public-${i}`, {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: props.publicSubnets[i],
          mapPublicIpOnLaunch: true,
          tags: { ...tag(`public-${az}`), "kubernetes.io/role/elb": "1" },
        }),
    );
    const privateSubnets = zones.map(
      (az, i) =>
        new Subnet(this, `private-${i}`, {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: props.privateSubnets[i],
          tags: { ...tag(`private-${az}`), "kubernetes.io/role/internal-elb": "1", ...props.privateSubnetTags },
        }),
    );

    const publicRoutes = new RouteTable(this, "public-routes", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: tag("public"),
    });
    publicSubnets.forEach(
      (subnet, i) =>
        new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id }),
    );

    const natGateways = Array.from({ length: this.natGatewayCount }, (_, i) => {
      const eip = new Eip(this, `nat-${i}-eip`, { domain: "vpc", tags: tag(`nat-${zones[i]}`) });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: tag(`nat-${zones[i]}`),
        dependsOn: [igw],
      });
    });
    // One route table per private subnet, so moving from one NAT gateway to one per zone
    // changes routes in place instead of re-associating subnets.
    privateSubnets.forEach((subnet, i) => {
      const routes = new RouteTable(this, `private-${i}-routes`, {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[i % natGateways.length].id }],
        tags: tag(`private-${zones[i]}`),
      });
      new RouteTableAssociation(this, `private-${i}-association`, { subnetId: subnet.id, routeTableId: routes.id });
    });

    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
  }
}
