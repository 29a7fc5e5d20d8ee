import { z } from "zod";
import { crossFieldRules } from "./cross-field";
import { backend } from "./backend-schema";
import * as gitlabRules from "./gitlab-rules";
import { AZ, cidr, K8S_NAME, narrowCidr, PUBLIC_HOSTNAME, region, route53Zone, tags, uniqueList } from "./rules";
import { DEFAULT_KUBERNETES_VERSION, EKS_KUBERNETES_VERSIONS } from "./versions";
import { deliverySchema } from "./schema-delivery";
import { addonsSchema } from "./schema-addons";
import { alertsSchema, secretsSchema } from "./schema-secrets";
import { appsSchema, managedNamespace } from "./schema-apps";

/**
 * The schema of one environment file (`config/environments/<name>.yaml`).
 * Every key is documented in the README's configuration table (config/reference.ts keeps it in
 * step); defaults are written here once for every environment. Objects are strict: an unknown
 * key (a typo) is an error, not a silently ignored setting. Shared string rules live in
 * rules.ts and gitlab-rules.ts; rules that compare fields live in cross-field.ts.
 */

// EKS allows 1-100 characters; the name also prefixes IAM role names (64 at most), hence 40.
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const ACM_ARN = /^arn:aws(-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
export { RESERVED_NAMESPACES } from "./schema-apps";

/** The values CloudWatch Logs accepts for `retention_in_days`. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Add-ons the node group waits for: without them nodes never become Ready or get credentials. */
export const ADDONS_BEFORE_NODES = ["vpc-cni", "eks-pod-identity-agent"] as const;

// AWS accepts VPC blocks and subnets from /16 to /28 (VPC user guide, "VPC CIDR blocks").
const vpcBlock = cidr({ min: 16, max: 28, why: "AWS allows VPC blocks of /16 to /28" });
const subnetBlock = cidr({ min: 16, max: 28, why: "AWS allows subnets of /16 to /28" });

/** A retention CloudWatch Logs accepts. */
function retentionDays() {
  return z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `must be one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
    });
}

const network = z.strictObject({
  /** The VPC's IPv4 block. */
  vpcCidr: vpcBlock.default("10.0.0.0/16"),
  /** Availability zones, at least 2; one private and one public subnet in each. */
  availabilityZones: uniqueList(z.string().regex(AZ, "must be an availability zone name such as us-west-2a"), "zone")
    .min(2, "must list at least 2 availability zones (EKS needs subnets in 2)")
    .default(["us-west-2a", "us-west-2b", "us-west-2c"]),
  /** One private subnet per availability zone, in the same order: nodes live here. */
  privateSubnets: z.array(subnetBlock).default(["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]),
  /** One public subnet per availability zone, in the same order: NAT gateways and load balancers. */
  publicSubnets: z.array(subnetBlock).default(["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]),
  /** `single` (cheap, one AZ's NAT serves all) or `one-per-az` (survives the loss of an AZ). */
  natGateways: z.enum(["single", "one-per-az"]).default("single"),
  /** Days CloudWatch keeps the VPC flow logs (always on, encrypted): what an incident review needs. */
  flowLogRetentionDays: retentionDays().default(30),
});

const cluster = z.strictObject({
  /** EKS cluster name; also names the IAM roles, the log group and `clusters/<name>` in Git. */
  name: z
    .string()
    .regex(CLUSTER_NAME, "must be 1-40 letters, digits, '-' or '_', starting with a letter or digit")
    .default("flux-cluster"),
  /** Kubernetes minor version, as a string: "1.34". Only versions EKS offers (config/versions.ts). */
  kubernetesVersion: z
    .string({ message: 'must be a Kubernetes minor version written as a string, e.g. "1.35"' })
    .regex(/^1\.\d+$/, { message: 'must be a Kubernetes minor version written as a string, e.g. "1.35"', abort: true })
    // Older versions are past EKS extended support (and the node group's AL2023 AMIs start at 1.33).
    .refine((v) => Object.hasOwn(EKS_KUBERNETES_VERSIONS, v), {
      message:
        `must be a Kubernetes version EKS offers: ${Object.keys(EKS_KUBERNETES_VERSIONS).join(", ")} ` +
        `(config/versions.ts)`,
    })
    .default(DEFAULT_KUBERNETES_VERSION),
  /** Whether the API server has a public endpoint (the private endpoint is always on). */
  endpointPublicAccess: z.boolean().default(true),
  /** CIDRs allowed to reach the public endpoint; required, explicitly, when it is on. */
  publicAccessCidrs: uniqueList(
    narrowCidr(
      "list your office, VPN and CI runner ranges, or set endpointPublicAccess: false and run Terraform from inside " +
        "the VPC (e.g. a GitLab runner in a private subnet)",
    ),
    "CIDR",
  ).default([]),
  /** Give the identity that creates the cluster admin access (changing it replaces the cluster). */
  creatorAdmin: z.boolean().default(true),
  /** IAM role or user ARNs given cluster-admin through EKS access entries (one access entry each). */
  adminPrincipalArns: uniqueList(
    z.string().regex(PRINCIPAL_ARN, "must be an IAM role or user ARN: arn:aws:iam::123456789012:role/NAME"),
    "principal",
  ).default([]),
  /** Days CloudWatch keeps control-plane logs. */
  logRetentionDays: retentionDays().default(7),
  /** EKS managed add-ons; vpc-cni and eks-pod-identity-agent are required. */
  addons: uniqueList(z.string().regex(K8S_NAME, "must be an EKS add-on name such as coredns").max(100), "add-on")
    .refine((a) => ADDONS_BEFORE_NODES.every((r) => a.includes(r)), {
      message: `must include ${ADDONS_BEFORE_NODES.join(" and ")} (nodes need them: self-managed add-ons are off)`,
    })
    .default(["coredns", "kube-proxy", "vpc-cni", "aws-ebs-csi-driver", "eks-pod-identity-agent"]),
  /** Run `aws eks update-kubeconfig` on the deploying machine after the cluster is created. */
  updateKubeconfig: z.boolean().default(true),
});

const nodeGroup = z.strictObject({
  /** EC2 instance types; SPOT capacity picks among them. */
  instanceTypes: uniqueList(
    z.string().regex(INSTANCE_TYPE, "must be an EC2 instance type such as t3.large"),
    "instance type",
  )
    .min(1, "must list at least one instance type")
    .default(["t3.large"]),
  /** `SPOT` or `ON_DEMAND`. */
  capacityType: z.enum(["SPOT", "ON_DEMAND"]).default("SPOT"),
  minSize: z.number().int().min(0).max(1000).default(1),
  desiredSize: z.number().int().min(0).max(1000).default(1),
  maxSize: z.number().int().min(1).max(1000).default(4),
  /** Root volume size in GiB (gp3, encrypted; gp3 volumes are 1-16384 GiB, AL2023 needs 20). */
  diskSizeGiB: z.number().int().min(20).max(16384).default(50),
});

// Every app's repository (`<environment>/<app>`) follows these settings.
const ecr = z.strictObject({
  /** How many images the lifecycle policy keeps. */
  keepImages: z.number().int().min(1).max(1000).default(30),
  /** Let `cdktf destroy core` delete the repository even when it holds images. */
  forceDelete: z.boolean().default(false),
});

const gitlab = z.strictObject({
  /** GitLab instance root URL, without /api/v4. */
  baseUrl: gitlabRules.baseUrl().default("https://gitlab.com"),
  /** SSH host (and `:port`) Flux clones from; defaults to the host of baseUrl. */
  sshHost: gitlabRules.sshHost().optional(),
  /** Group (or nested group path) that holds the GitOps project. */
  group: gitlabRules.groupPath(),
  /** The GitOps project's path inside the group. */
  project: gitlabRules.projectPath(),
  /** Create the project (with an initial README) instead of reading an existing one. */
  createProject: z.boolean().default(false),
  /** Branch Flux syncs from and pushes image updates to. */
  branch: gitlabRules.branch().default("main"),
  /**
   * The SSH host keys of `sshHost`, as known_hosts lines: Flux refuses hosts it does not know.
   * GitLab.com's published keys are built in; other instances must list theirs.
   */
  sshKnownHosts: uniqueList(gitlabRules.knownHostsLine(), "host key").min(1).optional(),
  /**
   * Manage the branch's protection so that Flux's deploy key may push to it (GitLab >= 17.5,
   * Premium or self-managed EE). Off: pushes depend on the rights of whoever created the key.
   */
  protectBranch: z.boolean().default(true),
});

const webhook = z.strictObject({
  /** Expose a Flux Receiver so a push reconciles within seconds instead of at the next poll. */
  enabled: z.boolean().default(false),
  /** DNS name that points at the receiver's load balancer (needed for TLS). */
  hostname: z.string().regex(PUBLIC_HOSTNAME, "must be a lowercase DNS name such as flux-hook.example.com").optional(),
  /** ACM certificate for `hostname`, in the cluster's region; the load balancer terminates TLS with it. */
  certificateArn: z.string().regex(ACM_ARN, "must be an ACM certificate ARN").optional(),
  /** Serve the hook over plain HTTP (the token then crosses the internet unencrypted). */
  allowInsecureHttp: z.boolean().default(false),
  /**
   * Source CIDRs the load balancer admits; `gitlab.com` stands for GitLab.com's published webhook ranges. Required when
   * enabled.
   */
  sourceRanges: uniqueList(
    z.union([z.literal("gitlab.com"), narrowCidr("list your GitLab's egress ranges, or gitlab.com for GitLab.com's")]),
    "range",
  )
    .min(1)
    .optional(),
  /** Route 53 hosted zone of `hostname`: bootstrap creates the hostname's CNAME to the load balancer there. */
  route53Zone: route53Zone().optional(),
  /** The hostname already points at the load balancer (a CNAME made by hand): the GitLab hook may call it. */
  dnsRecordExists: z.boolean().default(false),
});

const commitStatus = z.strictObject({
  /** Post Flux's reconciliation result as a commit status in GitLab. */
  enabled: z.boolean().default(false),
  /** Lifetime of the GitLab project access token Flux uses; Terraform rotates it before expiry. */
  tokenExpiryDays: z.number().int().min(7).max(365).default(90),
  /** Days before expiry at which Terraform rotates the token on the next apply. */
  rotateBeforeDays: z.number().int().min(1).max(30).default(14),
});

const gitops = z.strictObject({
  /** Namespaces Terraform creates and owns besides the apps' own (each app's `namespace` is added). */
  namespaces: uniqueList(managedNamespace(), "namespace").default([]),
  webhook: webhook.prefault({}),
  commitStatus: commitStatus.prefault({}),
});

const environmentObject = z.strictObject({
  /** AWS region of every resource. */
  region: region().default("us-west-2"),
  /** Tags added to every AWS resource (the provider's default_tags). */
  tags: tags().default({}),
  network: network.prefault({}),
  cluster: cluster.prefault({}),
  nodeGroup: nodeGroup.prefault({}),
  ecr: ecr.prefault({}),
  gitlab,
  gitops: gitops.prefault({}),
  apps: appsSchema.default({}),
  addons: addonsSchema.prefault({}),
  delivery: deliverySchema.optional(),
  backend: backend.prefault({ type: "local" }),
  secrets: secretsSchema.prefault({}),
  alerts: alertsSchema.prefault({}),
});

/** The shape the cross-field rules see: possibly partly invalid, when a field failed its own rules. */
export type EnvironmentDraft = z.output<typeof environmentObject>;

export const environmentSchema = environmentObject.superRefine(crossFieldRules, {
  // Run even when fields failed, so every problem is reported at once; the rules guard their inputs.
  when: () => true,
});

export { isGitlabCom } from "./gitlab-rules";

/** A validated environment, defaults applied. */
export type EnvironmentSettings = z.output<typeof environmentSchema>;
