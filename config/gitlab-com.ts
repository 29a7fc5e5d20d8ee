import type { EnvironmentConfig } from "./load";
import { gitSshHost } from "./names";
import { isGitlabCom } from "./schema";

/**
 * GitLab.com's SSH host keys as GitLab publishes them
 * (https://docs.gitlab.com/user/gitlab_com/#ssh-known_hosts-entries; fingerprints
 * SHA256:eUXGGm1YGsMAS7vkcx6JOJdOGHPem5gQp4taiCfCLB8, ROQFvPThGrW4RuWLoL9tq9I9zJ42fK4XywyRtbOz/EQ,
 * HbW3g8zUjNSksFbqTiUWPWg2Bq1x8xdGUrliXFzSnUw). altssh.gitlab.com serves the same keys.
 */
const GITLAB_COM_HOST_KEYS = [
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf",
  "ssh-rsa " +
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQCsj2bNKTBSpIYDEGk9KxsGh3mySTRgMtXL583qmBpzeQ+jqCMRgBqB98u3z++J1sKlXHWf" +
    "M9dyhSevkMwSbhoR8XIq/U0tCNyokEi/ueaBMCvbcTHhO7FcwzY92WK4Yt0aGROY5qX2UKSeOvuP4D6TPqKF1onrSzH9bx9XUf2l" +
    "EdWT/ia1NEKjunUqu1xOB/StKDHMoX4/OKyIzuS0q/T1zOATthvasJFoPrAjkohTyaDUz2LN5JoH839hViyEG82yB+MjcFV5MU3N" +
    "1l1QL3cVUCh93xSaua1N85qivl+siMkPGbO5xR/En4iEY6K2XPASUEMaieWVNTRCtJ4S8H+9",
  "ecdsa-sha2-nistp256 " +
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFSMqzJeV9rUzU4kWitGjeR4PWSa29SPqJ1fVkhtj3Hw9xjL" +
    "VXVYrU9QlYWrOLXBpQ6KWjbjTDTdDkoohFzgbEY=",
];

/**
 * The addresses GitLab.com sends webhooks from ("IP range",
 * https://docs.gitlab.com/user/gitlab_com/#ip-range): `sourceRanges: [gitlab.com]` stands for them.
 */
export const GITLAB_COM_WEBHOOK_RANGES = ["34.74.90.64/28", "34.74.226.0/24"];

/** The CIDRs the webhook load balancer admits, with `gitlab.com` expanded. */
export function webhookSourceRanges(env: EnvironmentConfig): string[] {
  return [
    ...new Set(
      (env.gitops.webhook.sourceRanges ?? []).flatMap((r) => (r === "gitlab.com" ? GITLAB_COM_WEBHOOK_RANGES : [r])),
    ),
  ];
}

/** The known_hosts text Flux checks the Git host against: configured, or GitLab.com's published keys. */
export function knownHosts(env: EnvironmentConfig): string {
  if (env.gitlab.sshKnownHosts) return env.gitlab.sshKnownHosts.join("\n") + "\n";
  const host = gitSshHost(env);
  if (!isGitlabCom(host)) throw new Error(`gitlab.sshKnownHosts is required for ${host}`);
  // known_hosts writes a host on a port other than 22 as [host]:port.
  const [name, port] = host.split(":");
  const pattern = port && port !== "22" ? `[${name}]:${port}` : name;
  return GITLAB_COM_HOST_KEYS.map((key) => `${pattern} ${key}`).join("\n") + "\n";
}
