import {
  DataTerraformRemoteStateHttp,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  HttpBackend,
  LocalBackend,
  S3Backend,
  TerraformRemoteState,
  TerraformStack,
} from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/load";

/** The stack ids; state is kept per environment and per stack. `ci` is applied once by an administrator. */
export type StackId = "core" | "bootstrap" | "ci";

/**
 * Terraform runs each stack in `cdktf.out/stacks/<id>`, so a path relative to that folder
 * keeps local state in `<project>/state/<environment>/` (ignored by Git, never touched by
 * synth) without baking this machine's absolute path into the JSON.
 */
export function localStatePath(env: EnvironmentConfig, stack: StackId): string {
  return `../../../state/${env.name}/${stack}.tfstate`;
}

function s3Key(prefix: string, env: EnvironmentConfig, stack: StackId): string {
  return `${prefix}/${env.name}/${stack}.tfstate`;
}

/** GitLab-managed Terraform state: one named state per environment and stack. */
export function gitlabStateAddress(env: EnvironmentConfig, project: string | number, stack: StackId): string {
  const id = encodeURIComponent(String(project));
  return `${env.gitlab.baseUrl}/api/v4/projects/${id}/terraform/state/${env.name}-${stack}`;
}

/**
 * Configures where `stack` keeps its state. S3 state is always encrypted and uses S3's native
 * lock file; GitLab state locks through the HTTP backend and reads its credentials from
 * TF_HTTP_USERNAME / TF_HTTP_PASSWORD (a CI job token in pipelines), never from the JSON.
 */
export function configureBackend(stack: TerraformStack, env: EnvironmentConfig, id: StackId): void {
  const backend = env.backend;
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(env, id) });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: s3Key(backend.keyPrefix, env, id),
        region: backend.region ?? env.region,
        encrypt: true,
        kmsKeyId: backend.kmsKeyId,
      });
      // cdktf 0.21 has no prop for S3's native locking (Terraform >= 1.10).
      s3.addOverride("use_lockfile", true);
      return;
    }
    case "gitlab": {
      const address = gitlabStateAddress(env, backend.project, id);
      new HttpBackend(stack, {
        address,
        lockAddress: `${address}/lock`,
        unlockAddress: `${address}/lock`,
        lockMethod: "POST",
        unlockMethod: "DELETE",
        retryWaitMin: 5,
      });
      return;
    }
  }
}

/** The S3 object holding a stack's state, for IAM policies; undefined for other backends. */
export function stateObjectArn(env: EnvironmentConfig, stack: StackId, partition: string): string | undefined {
  const backend = env.backend;
  return backend.type === "s3"
    ? `arn:${partition}:s3:::${backend.bucket}/${s3Key(backend.keyPrefix, env, stack)}`
    : undefined;
}

/** Reads another stack's outputs from the same kind of backend, in the same environment. */
export function remoteState(scope: Construct, id: string, env: EnvironmentConfig, of: StackId): TerraformRemoteState {
  const backend = env.backend;
  switch (backend.type) {
    case "local":
      return new DataTerraformRemoteStateLocal(scope, id, { path: localStatePath(env, of) });
    case "s3":
      return new DataTerraformRemoteStateS3(scope, id, {
        bucket: backend.bucket,
        key: s3Key(backend.keyPrefix, env, of),
        region: backend.region ?? env.region,
        encrypt: true,
        kmsKeyId: backend.kmsKeyId,
      });
    case "gitlab":
      return new DataTerraformRemoteStateHttp(scope, id, { address: gitlabStateAddress(env, backend.project, of) });
  }
}
