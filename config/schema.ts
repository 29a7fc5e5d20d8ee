import { z } from "zod";
import { contains, overlaps, parseCidr } from "./cidr";
import { DEFAULT_KUBERNETES_VERSION, EKS_KUBERNETES_VERSIONS } from "./versions";
import { deliverySchema } from "./schema-delivery";

/**
 * The schema of one environment file (`config/environments/<name>.yaml`).
 * Every key is documented in the README's configuration table; defaults are the seed
 * tutorial's settings where they are still sound, written here once for every environment.
 * Objects are strict: an unknown key (a typo) is an error, not a silently ignored setting.
 */

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const AZ = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/;
// EKS allows 1-100 characters; the name also prefixes IAM role names (64 at most), hence 40.
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const ECR_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GITLAB_PATH = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws(-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const KMS_ARN = /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Git branch names: no spaces, no "..", no leading dash or trailing slash (git check-ref-format).
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/$)[A-Za-z0-9._/-]{1,100}$/;
// Flux's semver ranges (Masterminds/semver): digits, x wildcards, operators and spaces.
const SEMVER_RANGE = /^[0-9xX*^~<>=!.,|\s-]+$/;

/** The values CloudWatch Logs accepts for `retention_in_days`. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Add-ons the node group waits for: without them nodes never become Ready or get credentials. */
export const ADDONS_BEFORE_NODES = ["vpc-cni", "eks-pod-identity-agent"] as const;

const cidr = (what: string) =>
  z.string().refine((s) => parseCidr(s) !== undefined, {
    message: `must be an IPv4 ${what} in CIDR notation with no host bits set, e.g. 10.0.0.0/16`,
  });

const network = z.strictObject({
  /** The VPC's IPv4 block. */
  vpcCidr: cidr("network").default("10.0.0.0/16"),
  /** Availability zones, at least 2; one private and one public subnet in each. */
  availabilityZones: z
    .array(z.string().regex(AZ, "must be an availability zone name such as us-west-2a"))
    .min(2, "must list at least 2 availability zones (EKS needs subnets in 2)")
    .default(["us-west-2a", "us-west-2b", "us-west-2c"]),
  /** One private subnet per availability zone, in the same order: nodes live here. */
  privateSubnets: z.array(cidr("subnet")).default(["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]),
  /** One public subnet per availability zone, in the same order: NAT gateways and load balancers. */
  publicSubnets: z
    .array(cidr("subnet"))
    .default(["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]),
  /** `single` (cheap, one AZ's NAT serves all) or `one-per-az` (survives the loss of an AZ). */
  natGateways: z.enum(["single", "one-per-az"]).default("single"),
});

const cluster = z.strictObject({
  /** EKS cluster name; also names the IAM roles, the log group and `clusters/<name>` in Git. */
  name: z
    .string()
    .regex(CLUSTER_NAME, "must be 1-40 letters, digits, '-' or '_', starting with a letter or digit")
    .default("flux-cluster"),
  /** Kubernetes minor version, as a string: "1.34". */
  kubernetesVersion: z
    .string({ message: 'must be a Kubernetes minor version written as a string, e.g. "1.35"' })
    .refine((v) => v in EKS_KUBERNETES_VERSIONS, {
      message: `must be a Kubernetes version EKS offers: ${Object.keys(EKS_KUBERNETES_VERSIONS).join(", ")} (config/versions.ts)`,
    })
    .default(DEFAULT_KUBERNETES_VERSION),
  /** Whether the API server has a public endpoint (the private endpoint is always on). */
  endpointPublicAccess: z.boolean().default(true),
  /** CIDRs allowed to reach the public endpoint; required, explicitly, when it is on. */
  publicAccessCidrs: z.array(cidr("network")).default([]),
  /** Give the identity that creates the cluster admin access (changing it replaces the cluster). */
  creatorAdmin: z.boolean().default(true),
  /** IAM role or user ARNs given cluster-admin through EKS access entries. */
  adminPrincipalArns: z
    .array(
      z
        .string()
        .regex(PRINCIPAL_ARN, "must be an IAM role or user ARN: arn:aws:iam::123456789012:role/NAME"),
    )
    .default([]),
  /** Days CloudWatch keeps control-plane logs. */
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `must be one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(7),
  /** EKS managed add-ons; vpc-cni and eks-pod-identity-agent are required. */
  addons: z
    .array(z.string().regex(K8S_NAME, "must be an EKS add-on name such as coredns"))
    .refine((a) => ADDONS_BEFORE_NODES.every((r) => a.includes(r)), {
      message: `must include ${ADDONS_BEFORE_NODES.join(" and ")} (nodes need them: self-managed add-ons are off)`,
    })
    .refine((a) => new Set(a).size === a.length, { message: "must not list an add-on twice" })
    .default(["coredns", "kube-proxy", "vpc-cni", "aws-ebs-csi-driver", "eks-pod-identity-agent"]),
  /** Run `aws eks update-kubeconfig` on the deploying machine after the cluster is created. */
  updateKubeconfig: z.boolean().default(true),
});

const nodeGroup = z
  .strictObject({
    /** EC2 instance types; SPOT capacity picks among them. */
    instanceTypes: z
      .array(z.string().regex(INSTANCE_TYPE, "must be an EC2 instance type such as t3.large"))
      .min(1, "must list at least one instance type")
      .default(["t3.large"]),
    /** `SPOT` or `ON_DEMAND`. */
    capacityType: z.enum(["SPOT", "ON_DEMAND"]).default("SPOT"),
    minSize: z.number().int().min(0).default(1),
    desiredSize: z.number().int().min(0).default(1),
    maxSize: z.number().int().min(1).default(4),
    /** Root volume size in GiB (gp3, encrypted). */
    diskSizeGiB: z.number().int().min(20).max(16384).default(50),
  })
  .superRefine((n, ctx) => {
    if (n.minSize > n.desiredSize || n.desiredSize > n.maxSize) {
      ctx.addIssue({
        code: "custom",
        path: ["desiredSize"],
        message: `must satisfy minSize <= desiredSize <= maxSize (got ${n.minSize} <= ${n.desiredSize} <= ${n.maxSize})`,
      });
    }
  });

const ecr = z.strictObject({
  /** ECR repository holding the app's images; Flux scans its tags. */
  repositoryName: z
    .string()
    .min(2)
    .max(256)
    .regex(ECR_NAME, "must be lowercase letters, digits and . _ - / separators, e.g. nginx")
    .default("nginx"),
  /** How many images the lifecycle policy keeps. */
  keepImages: z.number().int().min(1).max(1000).default(30),
  /** Let `cdktf destroy core` delete the repository even when it holds images. */
  forceDelete: z.boolean().default(false),
});

const gitlab = z.strictObject({
  /** GitLab instance URL, without /api/v4. */
  baseUrl: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://gitlab.com" })
    .transform((u) => u.replace(/\/+$/, ""))
    .default("https://gitlab.com"),
  /** SSH host (and `:port`) Flux clones from; defaults to the host of baseUrl. */
  sshHost: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be a host name, optionally with :port")
    .optional(),
  /** Group (or nested group path) that holds the GitOps project. */
  group: z.string().regex(GITLAB_PATH, "must be a GitLab group path such as my-group or a/b"),
  /** The GitOps project's path inside the group. */
  project: z.string().regex(/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/, "must be a GitLab project path"),
  /** Create the project (with an initial README) instead of reading an existing one. */
  createProject: z.boolean().default(false),
  /** Branch Flux syncs from and pushes image updates to. */
  branch: z.string().regex(BRANCH, "must be a valid Git branch name").default("main"),
  /**
   * The SSH host keys of `sshHost`, as known_hosts lines: Flux refuses hosts it does not know.
   * GitLab.com's published keys are built in; other instances must list theirs.
   */
  sshKnownHosts: z
    .array(z.string().regex(/^\S+ (ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}$/, "must be a known_hosts line: HOST KEYTYPE BASE64KEY"))
    .min(1)
    .optional(),
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
  hostname: z.string().regex(HOSTNAME, "must be a DNS name such as flux-hook.example.com").optional(),
  /** ACM certificate for `hostname`; the load balancer terminates TLS with it. */
  certificateArn: z.string().regex(ACM_ARN, "must be an ACM certificate ARN").optional(),
  /** Serve the hook over plain HTTP (the token then crosses the internet unencrypted). */
  allowInsecureHttp: z.boolean().default(false),
  /** Source CIDRs the load balancer admits. */
  sourceRanges: z.array(cidr("network")).min(1).default(["0.0.0.0/0"]),
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
  /** Namespaces Terraform creates and owns (labelled as such); Flux deploys into them. */
  namespaces: z
    .array(z.string().regex(K8S_NAME, "must be a Kubernetes namespace name").max(63))
    .refine((n) => !n.includes("flux-system"), {
      message: "must not include flux-system (the Flux bootstrap owns it)",
    })
    .default(["apps"]),
  /** Namespace the app runs in; must be one of `namespaces`. */
  appNamespace: z.string().regex(K8S_NAME).default("apps"),
  /** Semver range of ECR tags Flux rolls out, e.g. "0.0.x" or ">=1.0.0 <2.0.0". */
  imageSemverRange: z
    .string()
    .min(1)
    .regex(SEMVER_RANGE, 'must be a semver range such as "0.0.x" or ">=1.0.0 <2.0.0"')
    .default("0.0.x"),
  /** Replicas of the app. */
  appReplicas: z.number().int().min(1).max(100).default(1),
  webhook: webhook.prefault({}),
  commitStatus: commitStatus.prefault({}),
});

const localBackend = z.strictObject({
  /** State in `state/<environment>/<stack>.tfstate`, ignored by Git. */
  type: z.literal("local"),
});
const s3Backend = z.strictObject({
  type: z.literal("s3"),
  bucket: z.string().regex(S3_BUCKET, "must be an S3 bucket name"),
  /** Bucket region; defaults to `region`. */
  region: z.string().regex(REGION, "must be an AWS region name such as us-west-2").optional(),
  /** Keys are `<keyPrefix>/<environment>/<stack>.tfstate`. */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/-]+$/, "must be an S3 key prefix")
    .default("gitops-bootstrapper"),
  /** KMS key for server-side encryption; S3-managed keys when absent. State is always encrypted. */
  kmsKeyId: z.string().regex(KMS_ARN, "must be a KMS key or alias ARN").optional(),
});
const gitlabBackend = z.strictObject({
  /** GitLab-managed Terraform state (HTTP backend with locking) of the project holding this code. */
  type: z.literal("gitlab"),
  /** That project's numeric id or full path (group/project). */
  project: z.union([
    z.number().int().positive(),
    z.string().regex(GITLAB_PATH, "must be a numeric project id or a group/project path"),
  ]),
});

export const environmentSchema = z
  .strictObject({
    /** AWS region of every resource. */
    region: z.string().regex(REGION, "must be an AWS region name such as us-west-2").default("us-west-2"),
    /** Tags added to every AWS resource (the provider's default_tags). */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
    network: network.prefault({}),
    cluster: cluster.prefault({}),
    nodeGroup: nodeGroup.prefault({}),
    ecr: ecr.prefault({}),
    gitlab,
    gitops: gitops.prefault({}),
    delivery: deliverySchema.optional(),
    backend: z
      .discriminatedUnion("type", [localBackend, s3Backend, gitlabBackend])
      .prefault({ type: "local" }),
  })
  .superRefine(crossFieldRules);

type Ctx = z.RefinementCtx;
type Parsed = z.output<typeof environmentSchema>;

function crossFieldRules(env: Omit<Parsed, never>, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const { network: net, cluster: eks, gitops: flux } = env;

  net.availabilityZones.forEach((az, i) => {
    if (!az.startsWith(env.region) || az.length !== env.region.length + 1) {
      issue(["network", "availabilityZones", i], `must be a zone of region ${env.region}, e.g. ${env.region}a`);
    }
  });
  if (new Set(net.availabilityZones).size !== net.availabilityZones.length) {
    issue(["network", "availabilityZones"], "must not list a zone twice");
  }
  const vpc = parseCidr(net.vpcCidr);
  const subnets: { path: (string | number)[]; text: string }[] = [];
  for (const key of ["privateSubnets", "publicSubnets"] as const) {
    if (net[key].length !== net.availabilityZones.length) {
      issue(
        ["network", key],
        `must list one subnet per availability zone: ${net.availabilityZones.length} expected, ${net[key].length} given`,
      );
    }
    net[key].forEach((text, i) => subnets.push({ path: ["network", key, i], text }));
  }
  subnets.forEach((s, i) => {
    const block = parseCidr(s.text);
    if (!block || !vpc) return;
    if (!contains(vpc, block)) issue(s.path, `${s.text} must lie inside the VPC CIDR ${net.vpcCidr}`);
    const clash = subnets.slice(0, i).find((o) => {
      const other = parseCidr(o.text);
      return other !== undefined && overlaps(other, block);
    });
    if (clash) issue(s.path, `${s.text} overlaps ${clash.path.join(".")} (${clash.text})`);
  });

  if (eks.endpointPublicAccess && eks.publicAccessCidrs.length === 0) {
    issue(
      ["cluster", "publicAccessCidrs"],
      "must list the CIDRs allowed to reach the public endpoint (e.g. your office range), or set endpointPublicAccess: false",
    );
  }
  if (!eks.endpointPublicAccess && eks.publicAccessCidrs.length > 0) {
    issue(["cluster", "publicAccessCidrs"], "must be empty when endpointPublicAccess is false");
  }
  if (!eks.creatorAdmin && eks.adminPrincipalArns.length === 0) {
    issue(
      ["cluster", "adminPrincipalArns"],
      "must list at least one admin when creatorAdmin is false, or nobody can reach the cluster",
    );
  }
  if (!flux.namespaces.includes(flux.appNamespace)) {
    issue(["gitops", "appNamespace"], `must be one of gitops.namespaces (${flux.namespaces.join(", ")})`);
  }
  const sshHost = env.gitlab.sshHost ?? URL.parse(env.gitlab.baseUrl)?.host;
  if (sshHost && !env.gitlab.sshKnownHosts && !isGitlabCom(sshHost)) {
    issue(
      ["gitlab", "sshKnownHosts"],
      `is required for ${sshHost} (only GitLab.com's host keys are built in): run ssh-keyscan against it, check the fingerprints with your GitLab administrator, and list the lines`,
    );
  }
  const hook = flux.webhook;
  if (hook.enabled && !hook.allowInsecureHttp && !(hook.hostname && hook.certificateArn)) {
    issue(
      ["gitops", "webhook"],
      "needs hostname and certificateArn for TLS, or allowInsecureHttp: true to accept plain HTTP",
    );
  }
  if (Boolean(hook.hostname) !== Boolean(hook.certificateArn)) {
    issue(["gitops", "webhook"], "hostname and certificateArn go together: set both or neither");
  }
  if (flux.commitStatus.rotateBeforeDays >= flux.commitStatus.tokenExpiryDays) {
    issue(["gitops", "commitStatus", "rotateBeforeDays"], "must be less than tokenExpiryDays");
  }
}

/** GitLab.com and its alternate SSH host share the host keys GitLab publishes. */
export function isGitlabCom(sshHost: string): boolean {
  return /^(altssh\.)?gitlab\.com(:\d+)?$/.test(sshHost);
}

/** A validated environment, defaults applied. */
export type EnvironmentSettings = z.output<typeof environmentSchema>;
