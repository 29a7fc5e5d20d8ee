import { z } from "zod";
import { K8S_NAME, semverRange, uniqueList } from "./rules";

/**
 * `apps`: the services the platform runs, keyed by app name (README "Add an app"). A mapping, not
 * a list: defaults.yaml defines an app once and an environment file overrides one field of one
 * app (`apps: {web: {replicas: 3}}`), because mappings merge key by key and lists replace whole.
 */

// A Service name is a DNS-1035 label (starts with a letter); 40 leaves room for suffixes
// (`<app>-allow-http`) and for `<environment>/<app>` in ECR.
export const APP_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const GITLAB_PROJECT_PATH = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/;
// Kubernetes quantities, in the forms people write for CPU (`100m`, `0.5`, `1`) and memory (`128Mi`, `1Gi`).
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY = /^\d+(Ki|Mi|Gi)$/;
// An absolute path without `..`, spaces or YAML-special characters.
const MOUNT_PATH = /^\/[A-Za-z0-9._/-]*$/;

/** Namespaces every cluster already has, or that Flux owns: Terraform must not create or delete them. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "flux-system"] as const;

/**
 * The infrastructure values an app may ask for (`infrastructureValues`): Terraform writes the chosen
 * ones into the ConfigMap `<app>-infrastructure` in the app's namespace, read as environment
 * variables (constructs/bootstrap/app-infrastructure.ts says where each comes from).
 */
export const INFRASTRUCTURE_VALUES = [
  "AWS_ACCOUNT_ID",
  "AWS_REGION",
  "CLUSTER_NAME",
  "ECR_REPOSITORY_URL",
  "ENVIRONMENT",
] as const;
export type InfrastructureValue = (typeof INFRASTRUCTURE_VALUES)[number];

/** A namespace Terraform may create and own. */
export const managedNamespace = () =>
  z
    .string()
    .max(63, "must be at most 63 characters (a DNS label)")
    .regex(K8S_NAME, "must be a Kubernetes namespace name (lowercase letters, digits, inner '-')")
    .superRefine((n, ctx) => {
      if ((RESERVED_NAMESPACES as readonly string[]).includes(n)) {
        ctx.addIssue({
          code: "custom",
          message:
            `must not be ${RESERVED_NAMESPACES.join(", ")}: every cluster has them or Flux owns them, ` +
            `Terraform would fight over them`,
        });
      } else if (n.startsWith("kube-")) {
        ctx.addIssue({
          code: "custom",
          message: "must not start with kube- (reserved for Kubernetes system namespaces)",
        });
      }
    });

export const appSchema = z.strictObject({
  /**
   * `true`: deployed; `"removing"`: the first step of taking it out (its manifests leave Git and
   * Flux prunes them, while its namespace, the reconciler's rights there and its ECR repository
   * stay); `false`: gone from this environment (namespace and repository too).
   */
  enabled: z
    .custom<boolean | "removing">((v) => v === true || v === false || v === "removing", {
      message: 'must be true, false or "removing" (the first step of taking an app out: README "Add an app")',
    })
    .default(true),
  /** The namespace it runs in; Terraform creates and owns it. */
  namespace: managedNamespace().default("apps"),
  /** The container port the app listens on; the Service's port 80 forwards to it. */
  port: z.number().int().min(1024, "must be 1024-65535 (the pod runs as non-root)").max(65535).default(8080),
  /** Pods of the Deployment. */
  replicas: z.number().int().min(1).max(100).default(1),
  /** Semver range of the ECR tags Flux rolls out here, e.g. "0.0.x" or ">=1.0.0 <2.0.0". */
  semverRange: semverRange().default("0.0.x"),
  /** `group/project` of the app's GitLab repository: its protected tags push to ECR and wake Flux. */
  project: z.string().regex(GITLAB_PROJECT_PATH, "must be a GitLab project path such as my-group/my-app").optional(),
  /**
   * `generated`: a hardened base from the settings below; `folder`: config_files/apps/base/<name>/, kept by the team.
   */
  manifests: z.enum(["generated", "folder"]).default("generated"),
  /** Generated base: the HTTP path the readiness and liveness probes request. */
  healthPath: z.string().regex(MOUNT_PATH, "must be an absolute path such as /healthz").max(200).default("/"),
  /** Generated base: the user id the container runs as (non-root; the image's files must allow it). */
  runAsUser: z.number().int().min(1, "must not be 0 (root)").max(2147483647).default(65532),
  /** Generated base: the CPU request per pod (no CPU limit: throttling hurts more than it protects). */
  cpu: z.string().regex(CPU, "must be a CPU quantity such as 100m or 0.5").default("100m"),
  /** Generated base: the memory request and limit per pod. */
  memory: z.string().regex(MEMORY, "must be a memory quantity such as 128Mi or 1Gi").default("128Mi"),
  /** Generated base: writable emptyDir mounts (the root filesystem is read-only). */
  writablePaths: uniqueList(z.string().regex(MOUNT_PATH, "must be an absolute path such as /tmp"), "path")
    .max(20)
    .default(["/tmp"]),
  /**
   * Infrastructure values Terraform hands the app as environment variables, through the
   * Terraform-owned ConfigMap `<app>-infrastructure` (none: no ConfigMap).
   */
  infrastructureValues: uniqueList(z.enum(INFRASTRUCTURE_VALUES), "value").default([]),
});

export const appsSchema = z.record(
  z
    .string()
    .regex(APP_NAME, "must be 1-40 lowercase letters, digits and inner '-', starting with a letter (a DNS label)"),
  appSchema,
);

export type AppSettings = z.output<typeof appSchema>;

/** The README configuration table's "allowed / meaning" text for each key above (config/reference.ts). */
export const APPS_RULES: Record<string, string> = {
  "apps.<name>.enabled":
    '`true`, `false` (not in this environment: no namespace, registry or manifests) or `"removing"` (the first step ' +
    'of taking it out: README "Add an app")',
  "apps.<name>.namespace":
    "DNS label; Terraform creates it (with `gitops.namespaces`); not `default`, `kube-*`, `flux-system`",
  "apps.<name>.port": "1024-65535: the container port; the Service's port 80 forwards to it",
  "apps.<name>.replicas": "1-100",
  "apps.<name>.semverRange": "a non-blank semver range Flux accepts (`0.0.x`, `>=1.0.0 <2.0.0`, `^1.2 || ~2.0`)",
  "apps.<name>.project":
    "`group/project` of the app's repository: its protected tags may push to the app's ECR repository and wake Flux " +
    "(needs `delivery`)",
  "apps.<name>.manifests":
    "`generated` (a hardened base from the settings below) or `folder` (`config_files/apps/base/<name>/` with a " +
    "kustomization.yaml, which must exist)",
  "apps.<name>.healthPath": "generated: absolute path of the readiness and liveness probes",
  "apps.<name>.runAsUser": "generated: non-root user id the container runs as",
  "apps.<name>.cpu": "generated: CPU request (`100m`, `0.5`); no CPU limit",
  "apps.<name>.memory": "generated: memory request and limit (`128Mi`, `1Gi`)",
  "apps.<name>.writablePaths":
    "generated: distinct absolute paths mounted as emptyDir (the root filesystem is read-only)",
  "apps.<name>.infrastructureValues":
    `distinct names of ${INFRASTRUCTURE_VALUES.map((v) => `\`${v}\``).join(", ")}: ` +
    `environment variables from the Terraform-owned ConfigMap \`<name>-infrastructure\` (README "Add an app")`,
};
