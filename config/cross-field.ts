import { existsSync } from "fs";
import * as path from "path";
import type { z } from "zod";
import { contains, overlaps, parseCidr } from "./cidr";
import { isGitlabCom } from "./gitlab-rules";
import { arnParts, AZ, HOST, isBelow, partitionOf, PUBLIC_HOSTNAME, REGION, STACK_TAG_KEYS } from "./rules";
import type { EnvironmentDraft } from "./schema";
import { CHANNEL_TYPES } from "./schema-secrets";
import { ADDON_ACCOUNTS } from "../constructs/flux/api";

/*
 * Rules that compare fields. They run even when some fields failed their own rules (so all
 * problems are reported at once), hence every value is read through a guard: a field that is
 * already reported as malformed is skipped here, never reported twice.
 */

type Path = (string | number)[];
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Addresses no VPC can use: "this network", loopback, link-local, multicast and reserved. */
const UNUSABLE_BLOCKS = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"];

export function crossFieldRules(draft: EnvironmentDraft, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });
  const env = obj(draft);
  const region =
    str(env.region) !== undefined && REGION.test(env.region as string) ? (env.region as string) : undefined;
  network(obj(env.network), region, issue);
  cluster(obj(env.cluster), region, issue);
  const nodes = obj(env.nodeGroup);
  const [min, desired, max] = [num(nodes.minSize), num(nodes.desiredSize), num(nodes.maxSize)];
  if (min !== undefined && desired !== undefined && max !== undefined && (min > desired || desired > max)) {
    issue(
      ["nodeGroup", "desiredSize"],
      `must satisfy minSize <= desiredSize <= maxSize (got ${min} <= ${desired} <= ${max})`,
    );
  }
  for (const key of Object.keys(obj(env.tags))) {
    if ((STACK_TAG_KEYS as readonly string[]).includes(key)) {
      issue(["tags", key], `is set by the stack itself (${STACK_TAG_KEYS.join(", ")}); choose another key`);
    }
  }
  gitlab(obj(env.gitlab), issue);
  gitops(obj(env.gitops), region, issue);
  apps(obj(env.apps), env.delivery !== undefined, issue);
  addons(obj(env.addons), obj(env.cluster), issue);
  addonNamespaces(obj(env.apps), obj(env.gitops), issue);
  secretsAndAlerts(obj(env.secrets), obj(env.alerts), region, issue);
  const backend = obj(env.backend);
  const bucketRegion = str(backend.region) ?? region;
  const kms = str(backend.kmsKeyId);
  // Checked here, with the reason, rather than as a bare "must be true".
  if (backend.type === "gitlab" && backend.readersMaySeeSecrets !== true) {
    issue(
      ["backend", "readersMaySeeSecrets"],
      "must be true to keep state in GitLab: every Maintainer of the state project, and its CI jobs, can read it, " +
        "and bootstrap's state holds the Flux deploy key; otherwise use the s3 backend (bucket readers only)",
    );
  }
  if (backend.type === "s3" && kms && bucketRegion)
    sameRegion(["backend", "kmsKeyId"], kms, bucketRegion, "the bucket (S3 uses KMS keys of its own region)", issue);
}

type Issue = (path: Path, message: string) => void;

/** An ARN must be in `region` (and its partition): AWS services use regional resources only. */
function sameRegion(path: Path, arn: string, region: string, what: string, issue: Issue): void {
  const parts = arnParts(arn);
  if (!parts) return;
  if (parts.region !== region)
    issue(path, `must be in ${region}, the region of ${what}; this ARN is in ${parts.region || "no region"}`);
  else if (parts.partition !== partitionOf(region))
    issue(path, `must be in partition ${partitionOf(region)} (region ${region})`);
}

function network(net: Record<string, unknown>, region: string | undefined, issue: Issue): void {
  const zones = list(net.availabilityZones);
  zones.forEach((az, i) => {
    if (
      region &&
      typeof az === "string" &&
      AZ.test(az) &&
      !(az.startsWith(region) && az.length === region.length + 1)
    ) {
      issue(["network", "availabilityZones", i], `must be a zone of region ${region}, e.g. ${region}a`);
    }
  });
  const vpcText = str(net.vpcCidr);
  const vpc = vpcText ? parseCidr(vpcText) : undefined;
  const unusable = vpc && UNUSABLE_BLOCKS.find((b) => overlaps(parseCidr(b)!, vpc));
  if (unusable)
    issue(
      ["network", "vpcCidr"],
      `must not overlap ${unusable} (reserved addresses AWS does not route); use a private range such as 10.0.0.0/16`,
    );
  const subnets: { path: Path; text: string }[] = [];
  for (const key of ["privateSubnets", "publicSubnets"] as const) {
    const given = list(net[key]);
    if (Array.isArray(net[key]) && Array.isArray(net.availabilityZones) && given.length !== zones.length) {
      issue(
        ["network", key],
        `must list one subnet per availability zone: ${zones.length} expected, ${given.length} given`,
      );
    }
    given.forEach((text, i) => typeof text === "string" && subnets.push({ path: ["network", key, i], text }));
  }
  subnets.forEach((s, i) => {
    const block = parseCidr(s.text);
    if (!block) return;
    if (vpc && !contains(vpc, block)) issue(s.path, `${s.text} must lie inside the VPC CIDR ${vpcText}`);
    const clash = subnets.slice(0, i).find((o) => {
      const other = parseCidr(o.text);
      return other !== undefined && overlaps(other, block);
    });
    if (clash) issue(s.path, `${s.text} overlaps ${clash.path.join(".")} (${clash.text})`);
  });
}

function cluster(eks: Record<string, unknown>, region: string | undefined, issue: Issue): void {
  const cidrs = list(eks.publicAccessCidrs);
  if (eks.endpointPublicAccess === true && Array.isArray(eks.publicAccessCidrs) && cidrs.length === 0) {
    issue(
      ["cluster", "publicAccessCidrs"],
      "must list the CIDRs allowed to reach the public endpoint (e.g. your office range), or set " +
        "endpointPublicAccess: false and deploy from inside the VPC (a GitLab runner in a private subnet, or a VPN)",
    );
  }
  if (eks.endpointPublicAccess === false && cidrs.length > 0) {
    issue(["cluster", "publicAccessCidrs"], "must be empty when endpointPublicAccess is false");
  }
  const admins = list(eks.adminPrincipalArns);
  if (eks.creatorAdmin === false && Array.isArray(eks.adminPrincipalArns) && admins.length === 0) {
    issue(
      ["cluster", "adminPrincipalArns"],
      "must list at least one admin when creatorAdmin is false, or nobody can reach the cluster",
    );
  }
  admins.forEach((arn, i) => {
    const parts = typeof arn === "string" ? arnParts(arn) : undefined;
    if (region && parts && parts.partition !== partitionOf(region)) {
      issue(
        ["cluster", "adminPrincipalArns", i],
        `must be in partition ${partitionOf(region)}, the partition of region ${region}`,
      );
    }
  });
}

function gitlab(lab: Record<string, unknown>, issue: Issue): void {
  // The SSH host Flux clones from, when it is well-formed (else its own rule reports it).
  const url = str(lab.baseUrl);
  const sshHost = str(lab.sshHost) ?? (url ? URL.parse(url)?.host : undefined);
  if (sshHost && HOST.test(sshHost.split(":")[0]) && lab.sshKnownHosts === undefined && !isGitlabCom(sshHost)) {
    issue(
      ["gitlab", "sshKnownHosts"],
      `is required for ${sshHost} (only GitLab.com's host keys are built in): run ssh-keyscan against it, check the ` +
        `fingerprints with your GitLab administrator, and list the lines`,
    );
  }
}

function gitops(flux: Record<string, unknown>, region: string | undefined, issue: Issue): void {
  const hook = obj(flux.webhook);
  if (hook.enabled === true && hook.allowInsecureHttp !== true && !(hook.hostname && hook.certificateArn)) {
    issue(
      ["gitops", "webhook"],
      "needs hostname and certificateArn for TLS, or allowInsecureHttp: true to accept plain HTTP",
    );
  }
  if (hook.enabled === true && hook.sourceRanges === undefined) {
    issue(
      ["gitops", "webhook", "sourceRanges"],
      "is required with the webhook: your GitLab's egress CIDRs, or gitlab.com for GitLab.com's published webhook " +
        "ranges",
    );
  }
  if (Boolean(hook.hostname) !== Boolean(hook.certificateArn)) {
    issue(["gitops", "webhook"], "hostname and certificateArn go together: set both or neither");
  }
  webhookDns(hook, issue);
  const certificate = str(hook.certificateArn);
  if (certificate && region)
    sameRegion(
      ["gitops", "webhook", "certificateArn"],
      certificate,
      region,
      "the cluster (a load balancer uses certificates of its own region)",
      issue,
    );
  const status = obj(flux.commitStatus);
  const [rotate, expiry] = [num(status.rotateBeforeDays), num(status.tokenExpiryDays)];
  if (rotate !== undefined && expiry !== undefined && rotate >= expiry) {
    issue(["gitops", "commitStatus", "rotateBeforeDays"], "must be less than tokenExpiryDays");
  }
}

/** Who makes the webhook's hostname resolve: bootstrap (a Route 53 zone) or the user (dnsRecordExists), never both. */
function webhookDns(hook: Record<string, unknown>, issue: Issue): void {
  const zone = hook.route53Zone === undefined ? undefined : obj(hook.route53Zone);
  const hostname = str(hook.hostname);
  if (zone && hook.hostname === undefined) {
    issue(["gitops", "webhook", "route53Zone"], "needs hostname: the zone gets a record for that name");
  }
  const domain = str(zone?.domain);
  if (hostname && PUBLIC_HOSTNAME.test(hostname) && domain && PUBLIC_HOSTNAME.test(domain)) {
    if (hostname === domain) {
      issue(
        ["gitops", "webhook", "hostname"],
        `must be a name inside ${domain}, not the zone's apex: DNS allows no CNAME there (use e.g. ` +
          `flux-hook.${domain})`,
      );
    } else if (!isBelow(hostname, domain)) {
      issue(
        ["gitops", "webhook", "route53Zone", "domain"],
        `must contain hostname ${hostname} (a zone holds records for its own domain only)`,
      );
    }
  }
  if (zone && hook.dnsRecordExists === true) {
    issue(
      ["gitops", "webhook", "dnsRecordExists"],
      "cannot be set with route53Zone: either bootstrap creates the record in the zone, or you did; pick one",
    );
  }
  if (hook.dnsRecordExists === true && hook.hostname === undefined) {
    issue(["gitops", "webhook", "dnsRecordExists"], "needs hostname: it says that name points at the load balancer");
  }
}

/** The add-on combinations that cannot work: two node autoscalers, a zone-less external-dns, gp3 without its driver. */
function addons(catalog: Record<string, unknown>, eks: Record<string, unknown>, issue: Issue): void {
  const on = (name: string) => {
    const enabled = obj(catalog[name]).enabled;
    return enabled === true || enabled === "removing";
  };
  if (on("karpenter") && on("clusterAutoscaler")) {
    issue(
      ["addons", "clusterAutoscaler", "enabled"],
      "must be false while addons.karpenter is enabled: two node autoscalers would fight over the same pending pods " +
        "(Karpenter replaces it)",
    );
  }
  const dns = obj(catalog.externalDns);
  if (on("externalDns") && Array.isArray(dns.zones) && dns.zones.length === 0) {
    issue(
      ["addons", "externalDns", "zones"],
      "must list at least one Route 53 hosted zone (id and domain) when external-dns is enabled: it may write only " +
        "there",
    );
  }
  const eksAddons = list(eks.addons);
  if (on("gp3StorageClass") && Array.isArray(eks.addons) && !eksAddons.includes("aws-ebs-csi-driver")) {
    issue(
      ["addons", "gp3StorageClass", "enabled"],
      "needs the aws-ebs-csi-driver EKS add-on in cluster.addons: it provisions the StorageClass's volumes",
    );
  }
}

function secretsAndAlerts(
  secrets: Record<string, unknown>,
  alerts: Record<string, unknown>,
  region: string | undefined,
  issue: Issue,
): void {
  list(obj(secrets.sops).encryptors).forEach((arn, i) => {
    const parts = typeof arn === "string" ? arnParts(arn) : undefined;
    if (region && parts && parts.partition !== partitionOf(region))
      issue(["secrets", "sops", "encryptors", i], `must be in partition ${partitionOf(region)} (region ${region})`);
  });
  const type = str(alerts.type);
  if (alerts.channel !== undefined && type !== undefined && !(CHANNEL_TYPES as readonly string[]).includes(type)) {
    issue(
      ["alerts", "channel"],
      `must be left out for type ${type}: only ${CHANNEL_TYPES.join(", ")} takes a channel (the others post where ` +
        `their URL says)`,
    );
  }
}

/** Where an app with `manifests: folder` keeps its base (the GitOps content of this repository). */
export const appFolder = (app: string) => path.join(__dirname, "..", "config_files", "apps", "base", app);

/**
 * An app's folder must exist; a release project needs the delivery section (its push role trusts the GitLab OIDC
 * provider).
 */
function apps(all: Record<string, unknown>, delivery: boolean, issue: Issue): void {
  for (const [name, value] of Object.entries(all)) {
    const app = obj(value);
    if (app.enabled !== true) continue;
    if (app.manifests === "folder" && !existsSync(path.join(appFolder(name), "kustomization.yaml"))) {
      issue(
        ["apps", name, "manifests"],
        `is folder, but config_files/apps/base/${name}/kustomization.yaml does not exist: add the app's Kustomize ` +
          `base there, or use manifests: generated`,
      );
    }
    if (str(app.project) && !delivery) {
      issue(
        ["apps", name, "project"],
        "needs the delivery section: the project's push role trusts the account's GitLab OIDC provider (README " +
          '"Delivery with GitLab CI")',
      );
    }
  }
}

/**
 * The add-ons' own namespaces are the add-ons': a Terraform-owned namespace there would get the
 * default-deny policy (stalling the add-on) and give apps-reconciler rights where the add-on's
 * service account, and so its AWS role, lives. Refused whether or not the add-on is on today.
 */
function addonNamespaces(apps: Record<string, unknown>, flux: Record<string, unknown>, issue: Issue): void {
  const owner = new Map<string, string>();
  for (const [addon, account] of Object.entries(ADDON_ACCOUNTS))
    if (!owner.has(account.namespace)) owner.set(account.namespace, addon);
  const check = (path: Path, namespace: unknown) => {
    const addon = typeof namespace === "string" ? owner.get(namespace) : undefined;
    if (addon)
      issue(
        path,
        `must not be ${namespace}: it belongs to the ${addon} add-on (addons.${addon}); choose another namespace`,
      );
  };
  for (const [name, value] of Object.entries(apps)) check(["apps", name, "namespace"], obj(value).namespace);
  list(flux.namespaces).forEach((namespace, i) => check(["gitops", "namespaces", i], namespace));
}
