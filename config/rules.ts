import { z } from "zod";
import { cidrProblem, parseCidr } from "./cidr";

/**
 * The string rules the schema shares, each with its reason. A rule list is checked in order and
 * the first broken rule is reported, so a message says exactly what is wrong and what is allowed.
 * No rule admits `$`, `%`, `{` or `}` except where the README says a field is escaped instead:
 * those characters start Terraform templates, and no configuration value may be evaluated.
 */

/** One check and, when it fails, what is allowed and why. */
export type Rule = readonly [ok: (text: string) => boolean, message: string];

/** A string that must pass every rule, reporting the first one it breaks. */
export function ruled(...rules: Rule[]) {
  return z.string().superRefine((text, ctx) => {
    const broken = firstBroken(rules, text);
    if (broken) ctx.addIssue({ code: "custom", message: broken });
  });
}

/** The message of the first rule `text` breaks, if any. */
export function firstBroken(rules: readonly Rule[], text: string): string | undefined {
  return rules.find(([ok]) => !ok(text))?.[1];
}

/** Rule checks: the text matches, or does not contain, a pattern. */
export const matches = (pattern: RegExp) => (text: string) => pattern.test(text);
export const lacks = (pattern: RegExp) => (text: string) => !pattern.test(text);

export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const AZ = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/;
/** DNS-1123 label: what Kubernetes accepts for a namespace and EKS for an add-on name. */
export const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** One DNS label, any case: 1-63 letters, digits and inner hyphens (RFC 1123). */
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/** A host name with at least one dot and a letters-only top-level label (for public DNS). */
export const PUBLIC_HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** A host name (single labels such as `gitlab` allowed on internal networks) or an IPv4 address. */
export const HOST = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** Route 53 hosted zone ids: Z followed by upper-case letters and digits. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** A public Route 53 hosted zone, by id and domain: the zone a record may be written to. */
export const route53Zone = () =>
  z.strictObject({
    id: z.string().regex(HOSTED_ZONE_ID, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    domain: z.string().regex(PUBLIC_HOSTNAME, "must be the zone's domain name, lowercase, such as example.com"),
  });
/** Whether `hostname` is a name below `domain` (the domain itself is not). */
export const isBelow = (hostname: string, domain: string) => hostname.endsWith(`.${domain}`);

export const region = () => z.string().regex(REGION, "must be an AWS region name such as us-west-2");

/** An IPv4 block; `prefixes` narrows the sizes AWS accepts where it has limits. */
export function cidr(prefixes?: { min: number; max: number; why: string }) {
  return z.string().superRefine((text, ctx) => {
    const problem = cidrProblem(text);
    const block = parseCidr(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
    else if (prefixes && block && (block.prefix < prefixes.min || block.prefix > prefixes.max)) {
      ctx.addIssue({
        code: "custom",
        message: `must be a /${prefixes.min} to /${prefixes.max} block (${prefixes.why})`,
      });
    }
  });
}

/** A CIDR that is not the whole internet: where an address range guards an endpoint, /0 guards nothing. */
export function narrowCidr(instead: string) {
  return cidr().refine((text) => !text.endsWith("/0"), {
    message: `must not be /0, which admits the whole internet: ${instead}`,
  });
}

/** A list whose items must be unique: duplicates would become duplicate Terraform resources or silent no-ops. */
export function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z.array(item).superRefine((items, ctx) => {
    items.forEach((value, i) => {
      const first = items.findIndex((other) => JSON.stringify(other) === JSON.stringify(value));
      if (first < i)
        ctx.addIssue({ code: "custom", path: [i], message: `repeats item ${first}: list each ${what} once` });
    });
  });
}

/** A TCP port written after a host: 1-65535, no leading zero. */
export function portProblem(port: string | undefined): string | undefined {
  if (port === undefined) return undefined;
  return /^[1-9]\d{0,4}$/.test(port) && Number(port) <= 65535 ? undefined : `has port ${port}; a port is 1-65535`;
}

/**
 * AWS tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): default tags
 * reach every resource, IAM and EKS included, so the common subset applies: letters, digits,
 * spaces and `_ . : / = + - @`. That set has no `$`, `%` or `{`: a tag is refused before it
 * could be a Terraform template (and stacks/aws-provider.ts escapes it anyway).
 */
/** Tags the stacks set themselves on every AWS resource (stacks/aws-provider.ts): not the user's to set. */
export const STACK_TAG_KEYS = ["gitops-environment", "eks-cluster"] as const;
const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Zs}_.:/=+\-@]*$/u;
const TAG_KEY_RULES: Rule[] = [
  [(t) => t.length >= 1 && t.length <= 128, "must be 1-128 characters"],
  [lacks(/^aws:/i), "must not start with aws: (reserved for AWS)"],
  [matches(TAG_CHARACTERS), "must use only letters, digits, spaces and _ . : / = + - @ (AWS tag rules)"],
];
const TAG_VALUE_RULES: Rule[] = [
  [(t) => t.length <= 256, "must be a tag value of at most 256 characters"],
  [matches(TAG_CHARACTERS), "must use only letters, digits, spaces and _ . : / = + - @ (AWS tag rules)"],
];
/** Tags: every key and every value checked, each problem reported at its tag. */
export const tags = () =>
  z.record(z.string(), z.string()).superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      const keyProblem = firstBroken(TAG_KEY_RULES, key);
      if (keyProblem) ctx.addIssue({ code: "custom", path: [key], message: `the key ${keyProblem}` });
      const valueProblem = firstBroken(TAG_VALUE_RULES, value);
      if (valueProblem) ctx.addIssue({ code: "custom", path: [key], message: valueProblem });
    }
    if (Object.keys(map).length > 50 - STACK_TAG_KEYS.length) {
      ctx.addIssue({
        code: "custom",
        message:
          `must have at most ${50 - STACK_TAG_KEYS.length} tags (AWS allows 50 per resource; the stack adds ` +
          `${STACK_TAG_KEYS.length})`,
      });
    }
  });

/**
 * A Flux ImagePolicy semver range (Masterminds/semver constraints): comparisons joined by spaces
 * or commas, alternatives by `||`, hyphen ranges, `x`/`*` wildcards, `~` and `^`.
 */
const VERSION = [
  String.raw`v?(?:0|[1-9]\d*|[xX*])(?:\.(?:0|[1-9]\d*|[xX*])){0,2}`, // major[.minor[.patch]]
  String.raw`(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`, // pre-release
  String.raw`(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`, // build metadata
].join("");
const COMPARISON = String.raw`(?:${VERSION} +- +${VERSION}|(?:!=|>=|<=|=>|=<|~>|[=><~^])? *${VERSION})`;
const AND = String.raw`${COMPARISON}(?:(?: *, *| +)${COMPARISON})*`;
const SEMVER_RANGE = new RegExp(String.raw`^ *${AND}(?: *\|\| *${AND})* *$`);
export const semverRange = () =>
  ruled(
    [(t) => t.trim().length > 0, "must not be blank (Flux would match no tag)"],
    [(t) => t.length <= 200, "must be at most 200 characters"],
    [matches(SEMVER_RANGE), 'must be a semver range such as "0.0.x", ">=1.0.0 <2.0.0" or "^1.2"'],
  );

/** S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
export const s3Bucket = () =>
  ruled(
    [(t) => t.length >= 3 && t.length <= 63, "must be 3-63 characters (S3 bucket naming rules)"],
    [matches(/^[a-z0-9.-]+$/), "must use only lowercase letters, digits, '.' and '-' (S3 bucket naming rules)"],
    [matches(/^[a-z0-9].*[a-z0-9]$/), "must start and end with a letter or digit (S3 bucket naming rules)"],
    [lacks(/\.\.|\.-|-\./), "must not have '..', '.-' or '-.' (S3 bucket naming rules)"],
    [lacks(/^\d+\.\d+\.\d+\.\d+$/), "must not look like an IP address (S3 bucket naming rules)"],
    [lacks(/^(xn--|sthree-|amzn-s3-demo-)/), "must not start with xn--, sthree- or amzn-s3-demo- (reserved by S3)"],
    [
      lacks(/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/),
      "must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 (reserved by S3)",
    ],
  );

/** The state key prefix: keys are `<prefix>/<environment>/<stack>.tfstate`. */
export const s3KeyPrefix = () =>
  ruled(
    [(t) => t.length >= 1 && t.length <= 512, "must be 1-512 characters"],
    [
      matches(/^[A-Za-z0-9!_.*'()/-]+$/),
      "must use only letters, digits and ! _ . * ' ( ) - / (S3's safe key characters)",
    ],
    [lacks(/^\/|\/$|\/\//), "must not start or end with '/' or contain '//' (an empty folder name in the key)"],
    [lacks(/(^|\/)\.\.?(\/|$)/), "must not have '.' or '..' segments"],
  );

/** An ARN's partition and region, for the cross-field rules. */
export function arnParts(arn: string): { partition: string; region: string } | undefined {
  const match = /^arn:([a-z-]+):[a-z0-9-]+:([a-z0-9-]*):/.exec(arn);
  return match ? { partition: match[1], region: match[2] } : undefined;
}

/** The AWS partition a region belongs to: ARNs in that region must name it. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}
