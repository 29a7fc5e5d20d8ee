import { z } from "zod";
import * as gitlabRules from "./gitlab-rules";
import { region, s3Bucket, s3KeyPrefix } from "./rules";

/** Where each stack keeps its state (stacks/state.ts); one of three kinds, chosen by `type`. */

const KMS_ARN = /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;

const localBackend = z.strictObject({
  /** State in `state/<environment>/<stack>.tfstate`, ignored by Git. */
  type: z.literal("local"),
});
const s3Backend = z.strictObject({
  type: z.literal("s3"),
  bucket: s3Bucket(),
  /** Bucket region; defaults to `region`. */
  region: region().optional(),
  /** Keys are `<keyPrefix>/<environment>/<stack>.tfstate`. */
  keyPrefix: s3KeyPrefix().default("gitops-bootstrapper"),
  /** KMS key for server-side encryption, in the bucket's region; S3-managed keys when absent. */
  kmsKeyId: z.string().regex(KMS_ARN, "must be a KMS key or alias ARN").optional(),
});
const gitlabBackend = z.strictObject({
  /** GitLab-managed Terraform state (HTTP backend with locking) of the project holding this code. */
  type: z.literal("gitlab"),
  /** That project's numeric id or full path (group/project). */
  project: z.union([
    z
      .number()
      .int("must be a numeric project id or a group/project path")
      .positive("must be a numeric project id or a group/project path (ids are positive)"),
    gitlabRules.fullProjectPath(),
  ]),
  /**
   * GitLab lets every Maintainer of that project (and its CI jobs) read the state, and bootstrap's
   * state holds the Flux deploy key and tokens: say so explicitly, or choose S3 with a narrow
   * bucket policy.
   */
  readersMaySeeSecrets: z.boolean().optional(),
});

export const backend = z.discriminatedUnion("type", [localBackend, s3Backend, gitlabBackend]);
