import { z } from "zod";
import { uniqueList } from "./rules";

/**
 * `secrets` (README "Add a secret") and `alerts` (README "Alerts"): how app secrets reach the
 * cluster without a clear Secret in Git, and where Flux reports failed reconciliations. Neither
 * block holds a secret itself: SOPS ciphertext lives in Git, the alert webhook URL in the
 * deploying environment (TF_VAR_flux_alert_address).
 */

const PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;

const sops = z.strictObject({
  /**
   * A KMS key for SOPS, kustomize-controller decrypting with it (Pod Identity), and the
   * `secrets` Kustomization of `secrets/<environment>/`. On by default: it costs one KMS key and
   * gives app teams a way to ship secrets that needs nothing else installed.
   */
  enabled: z.boolean().default(true),
  /**
   * IAM roles or users that may encrypt with the key (not decrypt); the pipeline's deploy role is added when `delivery`
   * is set.
   */
  encryptors: uniqueList(
    z.string().regex(PRINCIPAL_ARN, "must be an IAM role or user ARN: arn:aws:iam::123456789012:role/NAME"),
    "principal",
  ).default([]),
});

export const secretsSchema = z.strictObject({
  sops: sops.prefault({}),
});

/** The notification-controller Provider types alerts may use (notification.toolkit.fluxcd.io/v1beta3). */
export const ALERT_TYPES = ["slack", "msteams", "generic"] as const;
/** Provider types that take a `channel` (Slack's; Teams and a generic webhook have it in the URL). */
export const CHANNEL_TYPES: readonly (typeof ALERT_TYPES)[number][] = ["slack"];
/** The Flux kinds whose events may be alerted on (Alert `eventSources[].kind`). */
export const ALERT_SOURCES = [
  "Kustomization",
  "HelmRelease",
  "GitRepository",
  "HelmRepository",
  "OCIRepository",
  "ImageRepository",
  "ImagePolicy",
  "ImageUpdateAutomation",
] as const;

export const alertsSchema = z.strictObject({
  /** Send Flux's events to a chat or webhook; the URL comes from TF_VAR_flux_alert_address, never from here. */
  enabled: z.boolean().default(false),
  /** The notification Provider type. */
  type: z.enum(ALERT_TYPES).default("slack"),
  /** Slack channel to post to (Slack only; an incoming webhook posts to its own channel when unset). */
  channel: z
    .string()
    .regex(/^[#@]?[A-Za-z0-9._-]{1,80}$/, "must be a channel name such as flux-alerts or #flux-alerts")
    .optional(),
  /** `error`: failures only; `info`: every event (progress, up to date, image updates). */
  eventSeverity: z.enum(["error", "info"]).default("error"),
  /** The Flux kinds whose events are sent, in the Flux namespace. */
  sources: uniqueList(z.enum(ALERT_SOURCES), "kind")
    .min(1, "must list at least one kind (an Alert without sources sends nothing)")
    .default(["Kustomization", "HelmRelease", "GitRepository", "ImageUpdateAutomation"]),
});

export type SecretsSettings = z.output<typeof secretsSchema>;
export type AlertsSettings = z.output<typeof alertsSchema>;

/** The README configuration table's "allowed / meaning" text for each key above (config/reference.ts). */
export const SECRETS_RULES: Record<string, string> = {
  "secrets.sops.enabled":
    "a KMS key for SOPS, kustomize-controller decrypting through Pod Identity, and the `secrets` Kustomization of " +
    "`secrets/<environment>/`",
  "secrets.sops.encryptors":
    "distinct IAM role/user ARNs (existing, in the region's partition) that may encrypt, not decrypt; the deploy " +
    "role is added when `delivery` is set",
  "alerts.enabled": 'send Flux events to `type`; needs TF_VAR_flux_alert_address at plan (README "Alerts")',
  "alerts.type": "`slack`, `msteams` or `generic` (a JSON POST)",
  "alerts.channel": "Slack only: `#name` or `name`",
  "alerts.eventSeverity": "`error` (failures only) or `info` (every event)",
  "alerts.sources": `≥ 1 distinct Flux kinds: ${ALERT_SOURCES.join(", ")}`,
};
