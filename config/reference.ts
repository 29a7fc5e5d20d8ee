import { readFileSync, writeFileSync } from "fs";
import * as path from "path";
import type { z } from "zod";
import { environmentSchema } from "./schema";
import { DELIVERY_RULES } from "./schema-delivery";
import { ADDONS_RULES } from "./schema-addons";
import { SECRETS_RULES } from "./schema-secrets";
import { APPS_RULES } from "./schema-apps";

/**
 * The README's configuration table, generated from the schema: the keys and defaults come from
 * the schema itself, the "allowed" text from RULES below. `__tests__/config/reference.test.ts`
 * fails when the README, RULES and the schema disagree. Regenerate the README's table with
 * `node -r ./scripts/register.js config/reference.ts --write`.
 */

/** What each key allows, as the schema enforces it (one entry per leaf key of the schema). */
export const RULES: Record<string, string> = {
  region: "AWS region name, e.g. `us-west-2`",
  tags:
    "added to every AWS resource; keys 1-128, values ≤ 256 characters, " +
    "letters, digits, spaces and `_ . : / = + - @` only; no `aws:` prefix, not `gitops-environment` or `eks-cluster` " +
    "(the stack sets those); at most 48",
  "network.vpcCidr": "IPv4 CIDR, /16 to /28, no host bits, no leading zeros; not in 0/8, 127/8, 169.254/16, 224/3",
  "network.availabilityZones": "≥ 2 distinct zones of `region`",
  "network.privateSubnets": "one per zone, /16 to /28, inside the VPC, no overlaps",
  "network.publicSubnets": "one per zone, /16 to /28, inside the VPC, no overlaps",
  "network.natGateways": "`single` or `one-per-az`",
  "cluster.name":
    "1-40 of `A-Za-z0-9-_`, starting with a letter or digit; names IAM roles, log group, `clusters/<name>`",
  "cluster.kubernetesVersion": "a string; one of the versions EKS offers, listed in `config/versions.ts`",
  "cluster.endpointPublicAccess": "the private endpoint is always on",
  "cluster.publicAccessCidrs":
    "distinct IPv4 CIDRs, not /0; required when the public endpoint is on, empty when it is off",
  "cluster.creatorAdmin":
    "cluster-admin for the identity that creates the cluster; **changing it replaces the cluster**",
  "cluster.adminPrincipalArns":
    "distinct IAM role/user ARNs in the region's partition, given cluster-admin; ≥ 1 when `creatorAdmin` is false",
  "cluster.logRetentionDays": "a CloudWatch retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)",
  "network.flowLogRetentionDays":
    "days the VPC flow logs (always on, KMS-encrypted) are kept; a CloudWatch retention value",
  "cluster.addons": "distinct EKS add-on names; must include vpc-cni and eks-pod-identity-agent",
  "cluster.updateKubeconfig": "run `aws eks update-kubeconfig` after creating the cluster",
  "nodeGroup.instanceTypes": "≥ 1 distinct EC2 types",
  "nodeGroup.capacityType": "`SPOT` or `ON_DEMAND`",
  "nodeGroup.minSize": "0-1000; min ≤ desired ≤ max",
  "nodeGroup.desiredSize": "0-1000; the cluster autoscaler moves it afterwards",
  "nodeGroup.maxSize": "1-1000",
  "nodeGroup.diskSizeGiB": "20-16384, gp3, encrypted",
  "ecr.keepImages": "1-1000 pre-release images each app repository's lifecycle policy keeps",
  "ecr.forceDelete": "let destroy (or removing an app) delete a repository that holds images",
  "gitlab.baseUrl":
    "the instance root: `https://host[:port]`, no path (not `/api/v4`), query, user or password; `http://` only for " +
    "localhost",
  "gitlab.sshHost":
    "`host` or `host:port` (1-65535) Flux clones from, no user or scheme; defaults to the host of `baseUrl`",
  "gitlab.group":
    "GitLab group path, ≤ 20 levels; segments of `A-Za-z0-9_.-`, not starting with `-`/`.`, not ending with `-`, " +
    "`.`, `.git`, `.atom`, no `..`",
  "gitlab.project": "one path segment, same rules as a group segment",
  "gitlab.createProject": "create the project (with a README, so Flux can clone it)",
  "gitlab.sshKnownHosts":
    "distinct known_hosts lines (`HOST KEYTYPE BASE64KEY`, as `ssh-keyscan` prints them) for `sshHost`; required " +
    "unless it is GitLab.com",
  "gitlab.protectBranch":
    "manage the branch's protection so Flux's deploy key may push (GitLab ≥ 17.5, Premium or self-managed EE)",
  "gitlab.branch":
    "a name `git check-ref-format` accepts (no `..`, `//`, `@{`, `.lock`, leading `-` or `.`, ...) and " +
    "`git branch` takes (not `HEAD`), of `A-Za-z0-9._/+-`",
  "gitops.namespaces":
    "distinct namespace names (DNS labels ≤ 63) Terraform owns besides the apps' own; not `default`, `kube-*`, " +
    "`flux-system`",
  "gitops.webhook.enabled":
    "push-triggered reconciliation; needs TLS (`hostname` + `certificateArn`) or `allowInsecureHttp`",
  "gitops.webhook.hostname": "lowercase DNS name; set with `certificateArn`",
  "gitops.webhook.certificateArn": "ACM certificate ARN in `region`; set with `hostname`",
  "gitops.webhook.allowInsecureHttp": "required to enable the webhook without TLS",
  "gitops.webhook.sourceRanges":
    "required with the webhook: distinct CIDRs the load balancer admits (not /0), or `gitlab.com` for GitLab.com's " +
    "webhook ranges",
  "gitops.webhook.route53Zone.id":
    "Route 53 hosted zone id (`Z...`) where bootstrap creates `hostname`'s CNAME to the load balancer; not with " +
    "`dnsRecordExists`",
  "gitops.webhook.route53Zone.domain": "that zone's domain: `hostname` is a name below it (a CNAME cannot be the apex)",
  "gitops.webhook.dnsRecordExists":
    "`true` once you pointed `hostname` at the load balancer yourself; until then (and without `route53Zone`) no " +
    "GitLab hook is created",
  "gitops.commitStatus.enabled": "commit statuses in GitLab",
  "gitops.commitStatus.tokenExpiryDays": "7-365: the project access token's lifetime",
  "gitops.commitStatus.rotateBeforeDays": "1-30, less than `tokenExpiryDays`",
  "backend.type": "`local`, `s3` or `gitlab`",
  "backend.bucket": "s3: S3 bucket naming rules (3-63, lowercase, no `..`, not IP-like, no reserved prefix/suffix)",
  "backend.region": "s3: the bucket's region; defaults to `region`",
  "backend.keyPrefix": "s3: S3-safe characters, no leading, trailing or double `/`, no `.`/`..` segments",
  "backend.kmsKeyId": "s3: KMS key or alias ARN in the bucket's region",
  "backend.project": "gitlab: numeric project id or `group/project` path",
  "backend.readersMaySeeSecrets":
    "gitlab: must be `true`, acknowledging that the state project's Maintainers and CI jobs can read the state, " +
    "Flux's deploy key included",
  ...APPS_RULES,
  ...DELIVERY_RULES,
  ...ADDONS_RULES,
  ...SECRETS_RULES,
};

/** One leaf key of the schema: its dotted path, default (if any) and whether it must be given. */
export interface SchemaKey {
  readonly key: string;
  readonly kind: string;
  readonly defaultValue?: unknown;
  readonly required: boolean;
}

type Def = {
  type: string;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  defaultValue?: unknown;
};
const defOf = (node: z.ZodType) => (node as unknown as { def: Def }).def;

/** Every leaf key of the schema (objects are walked, union branches merged), in schema order. */
export function schemaKeys(
  node: z.ZodType = environmentSchema,
  prefix = "",
  found = new Map<string, SchemaKey>(),
  inherited?: unknown,
): SchemaKey[] {
  let def = defOf(node);
  // A parent's default (backend: {type: local}) is the default of its keys too.
  let defaultValue: unknown = inherited;
  let optional = false;
  for (;;) {
    if (def.type === "default" || def.type === "prefault") defaultValue ??= def.defaultValue;
    if (def.type === "optional") optional = true;
    const next = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!next) break;
    def = defOf(next);
  }
  const options =
    def.type === "union" && def.options?.every((o) => defOf(o).type === "object") ? def.options : undefined;
  if (def.type === "object" || options) {
    for (const branch of options ?? [node]) {
      const shape = defOf(unwrapToObject(branch)).shape ?? {};
      for (const [key, child] of Object.entries(shape)) {
        const sub = (defaultValue as Record<string, unknown> | undefined)?.[key];
        schemaKeys(child, prefix ? `${prefix}.${key}` : key, found, sub);
      }
    }
  } else if (def.type === "record" && defOf(def.valueType!).type === "object") {
    // A mapping keyed by name (apps): its entries' keys, under `<name>`.
    schemaKeys(def.valueType!, `${prefix}.<name>`, found);
  } else if (!found.has(prefix)) {
    found.set(prefix, { key: prefix, kind: def.type, defaultValue, required: defaultValue === undefined && !optional });
  }
  return [...found.values()];
}

function unwrapToObject(node: z.ZodType): z.ZodType {
  let def = defOf(node);
  while (def.type !== "object" && (def.innerType ?? def.in)) {
    node = (def.innerType ?? def.in) as z.ZodType;
    def = defOf(node);
  }
  return node;
}

/** A default as the README shows it: YAML flow style, a version-like string quoted. */
function formatDefault(value: unknown): string {
  if (value === undefined) return "none";
  const flow = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(flow).join(", ")}]`
      : typeof v === "object" && v !== null
        ? `{${Object.entries(v)
            .map(([k, x]) => `${k}: ${flow(x)}`)
            .join(", ")}}`
        : typeof v === "string" && /^[\d.]+$/.test(v)
          ? `"${v}"`
          : String(v);
  return `\`${flow(value)}\``;
}

/** The Markdown table for the README. */
export function referenceTable(): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const rows = schemaKeys().map(
    (k) =>
      `| \`${k.key}\` | ${k.required ? "required" : cell(formatDefault(k.defaultValue))} | ` +
      `${cell(RULES[k.key] ?? "(undocumented)")} |`,
  );
  return ["| key | default | allowed / meaning |", "|---|---|---|", ...rows].join("\n");
}

export const README_BEGIN = "<!-- config-reference:begin (generated by config/reference.ts) -->";
export const README_END = "<!-- config-reference:end -->";

if (require.main === module && process.argv.includes("--write")) {
  const readme = path.join(__dirname, "..", "README.md");
  const text = readFileSync(readme, "utf8");
  const [before, rest] = text.split(README_BEGIN);
  const after = rest.split(README_END)[1];
  writeFileSync(readme, `${before}${README_BEGIN}\n${referenceTable()}\n${README_END}${after}`);
}
